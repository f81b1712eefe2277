from urllib.parse import urlparse

from odoo.tests import tagged

from .test_portal_security_common import PortalSecurityCase


@tagged("post_install", "-at_install")
class TestLoginStepClients(PortalSecurityCase):
    """Core's login 2FA step, as clients other than a desktop browser use it."""

    def test_remember_from_an_unidentified_client_signs_in(self):
        """ "Don't ask again on this device" from a client whose user agent
        names no browser (a script, a bare HTTP client) used to end in a 500
        in core; the client is signed in, not remembered."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        secret, _codes = self.enable_2fa_by_http()
        self.sign_out()
        self.login(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/web/login/totp")
        form = tree.xpath("//form[.//input[@name='totp_token']]")[0]
        values = {
            node.get("name"): node.get("value") or ""
            for node in form.xpath(".//input[@name]")
        }
        # the next step: the current code was spent by the setup (replay)
        values.update(totp_token=self.code_at(secret, 1), remember="1")
        response = self.url_open(
            "/web/login/totp",
            data=values,
            headers={"User-Agent": "curl/8.5.0"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("td_id", response.cookies, "the client is not remembered")
        self.assertFalse(
            self.env["auth_totp.device"]
            .sudo()
            .search([("user_id", "=", self.portal_user.id)])
        )
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)


@tagged("post_install", "-at_install")
class TestLoginStepLeftPending(PortalSecurityCase):
    """A sign-in left at the 2FA step (password typed, code not yet) must
    not outlive what the password was checked against."""

    def setUp(self):
        super().setUp()
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.secret, self.codes = self.enable_2fa_by_http()
        self.sign_out()
        response = self.login(self.portal_user.login, self.PASSWORD)
        self.assertEqual(self.path(response), "/web/login/totp")
        _response, tree = self.get_page("/web/login/totp")
        self.totp_csrf = tree.xpath("//input[@name='csrf_token']/@value")[0]

    def assertSentBackToLogin(self, token):
        """Post ``token`` with the form read before the change (as a client
        that kept the page open does): sent back to the password step."""
        response = self.url_open(
            "/web/login/totp",
            data={"csrf_token": self.totp_csrf, "totp_token": token},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(urlparse(response.headers["Location"]).path, "/web/login")
        response = self.url_open("/my", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), "not signed in")
        self.assertIn("/web/login", response.headers["Location"])

    def test_code_still_signs_in(self):
        response, _tree = self.totp_step(self.code_at(self.secret, 1))
        self.assertEqual(self.path(response), "/my")

    def test_revoked_access_ends_the_pending_sign_in(self):
        wizard = (
            self.env["portal.wizard"]
            .with_context(active_ids=self.portal_user.partner_id.ids)
            .create({})
        )
        wizard.user_ids.with_context(
            portal_access_queue_mail=True
        ).action_revoke_access()
        self.assertFalse(self.portal_user.active)
        self.assertSentBackToLogin(self.codes[0])
        self.assertFalse(
            self.env["portal_access.recovery.code"]
            .sudo()
            .search(
                [("user_id", "=", self.portal_user.id), ("used_date", "!=", False)]
            ),
            "the recovery code was not spent",
        )

    def test_password_change_ends_the_pending_sign_in(self):
        self.portal_user.sudo().password = "Changed-pass-2026"
        self.env.flush_all()
        self.assertSentBackToLogin(self.code_at(self.secret, 1))

    def test_login_change_ends_the_pending_sign_in(self):
        self.portal_user.sudo().login = "sam.moved@example.com"
        self.env.flush_all()
        self.assertSentBackToLogin(self.code_at(self.secret, 1))
