import json
from urllib.parse import urlparse

from odoo.tests import TransactionCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from .test_portal_security_common import PortalSecurityCase

ENABLE_PAGE = "/my/security/2fa/enable"


@tagged("post_install", "-at_install")
class TestPortalSecurityPolicy(PortalSecurityCase):
    def set_policy(self, policy):
        settings = self.env["res.config.settings"].create(
            {"portal_access_portal_totp_policy": policy}
        )
        settings.execute()

    def test_setting_defaults_to_optional(self):
        self.assertEqual(
            self.env["res.config.settings"].create({}).portal_access_portal_totp_policy,
            "optional",
        )
        self.assertEqual(self.env["res.users"]._portal_access_totp_policy(), "optional")
        self.set_policy("required")
        self.assertEqual(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("portal_access.portal_totp_policy"),
            "required",
        )
        self.assertEqual(
            self.env["res.config.settings"].create({}).portal_access_portal_totp_policy,
            "required",
        )

    def test_optional_policy_leaves_the_portal_open(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        response = self.url_open("/my/account", allow_redirects=False)
        self.assertEqual(response.status_code, 200)

    def test_required_policy_sends_an_invited_user_to_the_setup(self):
        """A freshly invited portal user who accepts the invitation lands on
        the enable page; /my pages redirect there until 2FA is on."""
        self.set_policy("required")
        partner = self.env["res.partner"].create(
            {"name": "Ivy Invited", "email": "ivy.invited@example.com"}
        )
        wizard = (
            self.env["portal.wizard"].with_context(active_ids=[partner.id]).create({})
        )
        wizard.user_ids.action_grant_access()
        user = partner.user_ids
        self.assertTrue(user._is_portal())

        # Accept the invitation: the link of the invitation email.
        signup_url = urlparse(partner._get_signup_url())
        self.authenticate(None, None)
        invitation = f"{signup_url.path}?{signup_url.query}"
        _response, tree = self.get_page(invitation)
        # The signup form posts to the page's own address.
        form = tree.xpath("//form[hasclass('oe_signup_form')]")[0]
        values = {
            node.get("name"): node.get("value") or ""
            for node in form.xpath(".//input[@name]")
        }
        values.update(password="Ivy-pass-123", confirm_password="Ivy-pass-123")
        response = self.url_open(invitation, data=values)
        self.assertEqual(self.path(response), ENABLE_PAGE)

        for url in (
            "/my",
            "/my/home",
            "/my/account",
            "/my/security",
            "/my/security/2fa/disable",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertEqual(
                    urlparse(response.headers["Location"]).path, ENABLE_PAGE
                )
        # Pages outside the portal stay open (signing out, for one).
        response = self.url_open(
            "/web/session/logout?redirect=/web/login", allow_redirects=False
        )
        self.assertEqual(urlparse(response.headers["Location"]).path, "/web/login")

        # Signing in again: the setup again.
        response = self.login(user.login, "Ivy-pass-123")
        self.assertEqual(self.path(response), ENABLE_PAGE)
        _response, tree = self.get_page(ENABLE_PAGE)
        self.assertIn(
            "must use two-factor authentication",
            self.text(tree, "//div[hasclass('alert-warning')]"),
        )

        self.PASSWORD = "Ivy-pass-123"
        self.enable_2fa_by_http(from_security_page=False)
        response = self.url_open("/my/account", allow_redirects=False)
        self.assertEqual(response.status_code, 200, "the portal opens once 2FA is on")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_required_policy_closes_rpc_and_other_signed_in_routes(self):
        """Until 2FA is on, the policy holds outside /my too: the web
        client's RPC, the payment routes, session information and password
        RPC (XML-RPC) are refused; signing out still works."""
        self.set_policy("required")
        partner = self.portal_user.partner_id
        token = self.env["payment.token"].create(
            {
                "provider_id": self.env.ref("payment.payment_provider_demo").id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "partner_id": partner.id,
                "payment_details": "4242",
                "provider_ref": "policy",
            }
        )
        self.login(self.portal_user.login, self.PASSWORD)

        def json_call(url, params):
            return self.url_open(
                url,
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
                headers={"Content-Type": "application/json"},
            ).json()

        read = json_call(
            "/web/dataset/call_kw/res.partner/read",
            {
                "model": "res.partner",
                "method": "read",
                "args": [[partner.id], ["name"]],
                "kwargs": {},
            },
        )
        self.assertIn("error", read)
        self.assertIn("two-factor", read["error"]["data"]["message"])
        archive = json_call("/payment/archive_token", {"token_id": token.id})
        self.assertIn("error", archive)
        self.assertTrue(token.active, "the saved card was not deleted")
        info = json_call("/web/session/get_session_info", {})
        self.assertIn("error", info)
        # The portal's public routes (documents under /my with an access
        # token, their chatter) are held too for a signed-in user.
        chatter = json_call(
            "/portal/chatter_init",
            {"thread_model": "res.partner", "thread_id": partner.id},
        )
        self.assertIn("error", chatter)
        self.assertIn("two-factor", chatter["error"]["data"]["message"])
        # Discuss's public routes act as the signed-in user too: the inbox.
        inbox = json_call("/mail/data", {"fetch_params": ["init_messaging"]})
        self.assertIn("error", inbox)
        self.assertIn("two-factor", inbox["error"]["data"]["message"])
        # So do /json/2 without an API key (the session, for a browser) and
        # the payment pages (pay with the saved card).
        response = self.url_open(
            "/json/2/payment.token/search_read",
            data=json.dumps({"domain": [], "fields": ["payment_details"]}),
            headers={
                "Content-Type": "application/json",
                "Sec-Fetch-Dest": "document",
                "Sec-Fetch-Mode": "navigate",
                "Sec-Fetch-Site": "same-origin",
                "Sec-Fetch-User": "?1",
            },
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("two-factor", response.text)
        self.assertNotIn("4242", response.text)
        response = self.url_open(
            f"/payment/pay?amount=25&currency_id={self.env.company.currency_id.id}",
            allow_redirects=False,
        )
        self.assertEqual(
            urlparse(response.headers.get("Location", "")).path,
            "/my/security/2fa/enable",
        )
        # Password RPC: refused like for a user with 2FA on.
        self.assertFalse(
            self.xmlrpc_common.authenticate(
                get_db_name(), self.portal_user.login, self.PASSWORD, {}
            )
        )
        response = self.url_open(
            "/web/session/logout?redirect=/web/login", allow_redirects=False
        )
        self.assertEqual(urlparse(response.headers["Location"]).path, "/web/login")

    def test_required_policy_is_for_portal_users_only(self):
        self.set_policy("required")
        employee = self.env["res.users"].create(
            {
                "name": "Emma Employee",
                "login": "emma.employee@example.com",
                "password": "Emma-pass-123",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        response = self.login(employee.login, "Emma-pass-123")
        self.assertNotEqual(self.path(response), ENABLE_PAGE)
        response = self.url_open("/my/account", allow_redirects=False)
        self.assertEqual(response.status_code, 200)


@tagged("post_install", "-at_install")
class TestPortalSecurityPolicyCost(TransactionCase):
    """The policy check runs on every /my request: keep it cheap."""

    def test_policy_check_queries(self):
        user = new_test_user(
            self.env, login="quinn.query@example.com", groups="base.group_portal"
        )
        user._portal_access_totp_setup_required()
        user.invalidate_recordset()
        with self.assertQueryCount(0):
            self.assertFalse(
                user._portal_access_totp_setup_required(), "Optional: no query"
            )
        self.env["ir.config_parameter"].sudo().set_param(
            "portal_access.portal_totp_policy", "required"
        )
        user._portal_access_totp_setup_required()
        user.invalidate_recordset()
        with self.assertQueryCount(1):
            self.assertTrue(
                user._portal_access_totp_setup_required(),
                "Required: reads the 2FA secret",
            )
