import pyotp

from odoo.exceptions import AccessDenied, AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT

from .test_portal_security_common import PortalSecurityCase, post_call_kw

USED_SUBJECT = "A recovery code was used to sign in to your account"


def enable_2fa_directly(user):
    """2FA on with recovery codes, as the portal flow leaves it (no request
    needed for the setup of another test's user)."""
    secret = pyotp.random_base32()
    user.sudo().totp_secret = secret
    codes = user.env["portal_access.recovery.code"]._generate_for(user)
    return secret, codes


@tagged("post_install", "-at_install")
class TestPortalSecurityRecoveryCodes(PortalSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_user = cls._make_portal_user("olga.other@example.com", "Olga Other")
        cls.secret, cls.codes = enable_2fa_directly(cls.portal_user)
        cls.other_secret, cls.other_codes = enable_2fa_directly(cls.other_user)

    def test_code_of_one_user_does_not_work_for_another(self):
        self.login(self.other_user.login, self.PASSWORD)
        response, tree = self.totp_step(self.codes[0], form_index=1)
        self.assertEqual(self.path(response), "/web/login/totp")
        # Told in the recovery code's own form, open and with the focus.
        self.assertIn(
            "double-check the recovery code",
            self.text(
                tree,
                "//details[hasclass('o_portal_access_recovery_login')][@open]"
                "//p[hasclass('alert-danger')]",
            ),
        )
        self.assertEqual(len(tree.xpath("//p[hasclass('alert-danger')]")), 1)
        self.assertTrue(
            tree.xpath("//input[@id='o_portal_access_recovery_code'][@autofocus]")
        )
        self.assertFalse(tree.xpath("//input[@id='totp_token'][@autofocus]"))
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 10)
        self.assertEqual(self.other_user._portal_access_recovery_code_count(), 10)
        # Still at the 2FA step: no page of the account opens.
        response = self.url_open("/my", allow_redirects=False)
        self.assertIn("/web/login", response.headers.get("Location", ""))

    def test_code_works_once_and_sends_a_notice(self):
        self.login(self.portal_user.login, self.PASSWORD)
        # Typed as people do: upper case, a space instead of the dash.
        typed = self.codes[2].upper().replace("-", " ")
        response, _tree = self.totp_step(typed, form_index=1)
        self.assertEqual(self.path(response), "/my", "signed in")

        mail = self.env["mail.mail"].sudo().search([("subject", "=", USED_SUBJECT)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.portal_user.partner_id)
        self.assertIn("9", str(mail.body_html))
        self.assertTrue(
            any(
                "Signed in with a recovery code (9 left)." in str(m.body)
                for m in self.portal_user.partner_id.message_ids
            )
        )
        _response, tree = self.get_page("/my/security")
        self.assertEqual(
            self.text(tree, "//span[hasclass('o_portal_access_recovery_count')]"), "9"
        )

        self.sign_out()
        self.login(self.portal_user.login, self.PASSWORD)
        response, tree = self.totp_step(self.codes[2], form_index=1)
        self.assertEqual(
            self.path(response), "/web/login/totp", "a used code never works again"
        )
        self.assertIn(
            "double-check the recovery code",
            self.text(tree, "//p[hasclass('alert-danger')]"),
        )
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 9)
        self.assertEqual(
            len(self.env["mail.mail"].sudo().search([("subject", "=", USED_SUBJECT)])),
            1,
        )

    def test_code_is_not_a_first_factor(self):
        """A recovery code never replaces the password: the login form
        cannot be told to check one."""
        self.authenticate(None, None)
        _response, tree = self.get_page("/web/login")
        response, tree = self.submit(
            tree,
            "/web/login",
            login=self.portal_user.login,
            password=self.codes[0],
            type="portal_access_recovery_code",
        )
        self.assertEqual(self.path(response), "/web/login")
        self.assertIn(
            "Wrong login/password", self.text(tree, "//p[hasclass('alert-danger')]")
        )
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 10)

    def test_regenerate_needs_password_and_voids_old_codes(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security")
        self.assertTrue(tree.xpath("//form[@action='/my/security/2fa/recovery-codes']"))
        response, tree = self.get_page("/my/security/2fa/recovery-codes")
        self.assertSecurityHeaders(response)
        response, tree = self.submit(
            tree, "/my/security/2fa/recovery-codes", password=""
        )
        self.assertIn(
            "Enter your password",
            self.text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        response, tree = self.submit(
            tree, "/my/security/2fa/recovery-codes", password="wrong"
        )
        self.assertIn(
            "Wrong password",
            self.text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 10)

        response, tree = self.submit(
            tree, "/my/security/2fa/recovery-codes", password=self.PASSWORD
        )
        self.assertSecurityHeaders(response)
        new_codes = [
            node.text_content()
            for node in tree.xpath("//code[hasclass('o_portal_access_recovery_code')]")
        ]
        self.assertEqual(len(new_codes), 10)
        self.assertFalse(set(new_codes) & set(self.codes))
        # The customer is told (a stolen session could do this).
        notice = self.env["mail.mail"].search(
            [
                ("model", "=", "res.users"),
                ("res_id", "=", self.portal_user.id),
                ("subject", "=", "New recovery codes were generated for your account"),
            ]
        )
        self.assertEqual(len(notice), 1)
        self.assertNotIn(new_codes[0], str(notice.body_html), "no code in the mail")
        codes = self.env["portal_access.recovery.code"]
        self.assertFalse(
            codes._consume(self.portal_user, self.codes[0]), "the old set is void"
        )
        self.assertTrue(codes._consume(self.portal_user, new_codes[0]))

    @mute_logger("odoo.http")
    def test_codes_unreadable_through_rpc(self):
        """Neither the owner nor an admin reads the hashes (or core's secret)
        through RPC."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        for model, method, args, kwargs in (
            (
                "portal_access.recovery.code",
                "search_read",
                [[]],
                {"fields": ["code_hash"]},
            ),
            (
                "portal_access.recovery.code",
                "search_read",
                [[]],
                {"fields": ["used_date"]},
            ),
            ("res.users", "read", [[self.portal_user.id]], {"fields": ["totp_secret"]}),
        ):
            with self.subTest(user="owner", model=model, kwargs=kwargs):
                self.assertRpcDenied(model, method, args, kwargs)
        self.authenticate("admin", "admin")
        self.assertRpcDenied(
            "portal_access.recovery.code",
            "search_read",
            [[]],
            {"fields": ["code_hash"]},
        )

    def assertRpcDenied(self, model, method, args, kwargs):
        response = post_call_kw(self, model, method, args, kwargs)
        body = response.json()
        self.assertIn("error", body)
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertNotIn(self.codes[0], response.text)


@tagged("post_install", "-at_install")
class TestRecoveryCodeModel(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="rita.model@example.com", groups="base.group_portal"
        )
        cls.codes = cls.env["portal_access.recovery.code"]

    def test_only_salted_hashes_are_stored(self):
        plain = self.codes._generate_for(self.user)
        stored = self.codes.sudo().search([("user_id", "=", self.user.id)])
        self.assertEqual(len(stored), 10)
        hashes = stored.mapped("code_hash")
        for code, hashed in zip(plain, hashes, strict=True):
            self.assertTrue(hashed.startswith("$pbkdf2-sha512$"))
            self.assertNotIn(code.replace("-", ""), hashed)
        # The same code hashed twice gives two different hashes (salt).
        same = self.codes._normalize(plain[0])
        self.assertNotEqual(KEY_CRYPT_CONTEXT.hash(same), KEY_CRYPT_CONTEXT.hash(same))

    def test_regenerating_voids_the_old_set(self):
        old = self.codes._generate_for(self.user)
        new = self.codes._generate_for(self.user)
        self.assertEqual(self.codes._count_unused(self.user), 10)
        self.assertFalse(self.codes._consume(self.user, old[0]))
        self.assertTrue(self.codes._consume(self.user, new[0]))
        self.assertFalse(self.codes._consume(self.user, new[0]))
        self.assertEqual(self.codes._count_unused(self.user), 9)

    def test_turning_2fa_off_voids_the_codes(self):
        self.user.sudo().totp_secret = pyotp.random_base32()
        self.codes._generate_for(self.user)
        self.user.sudo().totp_secret = False
        self.assertFalse(
            self.codes.sudo().search_count([("user_id", "=", self.user.id)])
        )

    def test_portal_user_has_no_access(self):
        self.codes._generate_for(self.user)
        with self.assertRaises(AccessError):
            self.codes.with_user(self.user).search([])
        admin = self.env.ref("base.user_admin")
        records = self.codes.with_user(admin).search([("user_id", "=", self.user.id)])
        self.assertEqual(len(records), 10)
        with self.assertRaises(AccessError):
            records.read(["code_hash"])

    def test_check_credentials_outside_the_2fa_step(self):
        self.user.sudo().totp_secret = pyotp.random_base32()
        plain = self.codes._generate_for(self.user)
        with self.assertRaises(AccessDenied):
            self.user._check_credentials(
                {"type": "portal_access_recovery_code", "token": plain[0]}, {}
            )
        self.assertEqual(self.codes._count_unused(self.user), 10)
