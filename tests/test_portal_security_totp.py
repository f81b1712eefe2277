import base64
import time
from urllib.parse import parse_qs, unquote, urlparse

import pyotp

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.auth_totp.models.totp import TOTP

from .test_portal_security_common import PortalSecurityCase, post_call_kw


@tagged("post_install", "-at_install")
class TestPortalSecurityTotp(PortalSecurityCase):
    def test_enable_flow_without_javascript(self):
        """The whole enable flow as plain form posts: password, QR page, code,
        recovery codes; the result lives in core's 2FA fields."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        response, tree = self.get_page("/my/security")
        self.assertSecurityHeaders(response)
        self.assertIn(
            "Two-factor authentication not enabled",
            self.text(tree, "//section[@id='portal_access_totp']"),
        )

        # Step 1: the password, even though signed in (identity check).
        response, tree = self.get_page("/my/security/2fa/enable")
        self.assertSecurityHeaders(response)
        self.assertTrue(
            tree.xpath(
                "//form[@action='/my/security/2fa/enable']//input[@name='password']"
            )
        )
        response, tree = self.submit(
            tree, "/my/security/2fa/enable", password="wrong-password"
        )
        self.assertIn(
            "Wrong password",
            self.text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.assertFalse(
            tree.xpath("//span[@name='secret']"), "no QR page without the password"
        )

        # Step 2: the QR page.
        response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        self.assertSecurityHeaders(response)
        svg = tree.xpath(
            "//div[hasclass('o_portal_access_totp_qrcode_box')]/*[local-name()='svg']"
        )
        self.assertEqual(len(svg), 1, "the QR code is an inline SVG")
        grouped = self.text(tree, "//span[@name='secret']")
        self.assertRegex(
            grouped, r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", "the key in groups of four"
        )
        secret = grouped.replace(" ", "")
        uri = tree.xpath("//a[starts-with(@href, 'otpauth://')]/@href")[0]
        parsed = urlparse(uri)
        self.assertEqual(parsed.netloc, "totp")
        self.assertEqual(
            unquote(parsed.path),
            f"/{self.portal_user.company_id.name}:{self.portal_user.login}",
        )
        query = parse_qs(parsed.query)
        self.assertEqual(query["secret"], [secret])
        self.assertEqual(query["issuer"], [self.portal_user.company_id.name])
        # A reload shows the same key: the app already scanned it.
        _response, again = self.get_page("/my/security/2fa/enable")
        self.assertEqual(
            self.text(again, "//span[@name='secret']").replace(" ", ""), secret
        )

        # Step 3: the code.
        response, tree = self.submit(
            tree, "/my/security/2fa/enable/confirm", code=self.code_at(secret)
        )
        self.assertSecurityHeaders(response)
        codes = [
            node.text_content()
            for node in tree.xpath("//code[hasclass('o_portal_access_recovery_code')]")
        ]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for code in codes:
            self.assertRegex(code, r"^[a-z2-9]{5}-[a-z2-9]{5}$")
        download = tree.xpath(
            "//a[hasclass('o_portal_access_recovery_codes_download')]"
        )[0]
        self.assertEqual(download.get("download"), "recovery-codes.txt")
        self.assertTrue(
            download.get("href").startswith("data:text/plain;charset=utf-8,")
        )
        self.assertEqual(
            [
                line
                for line in unquote(download.get("href").split(",", 1)[1]).splitlines()
                if line in codes
            ],
            codes,
        )
        self.assertTrue(tree.xpath("//button[@id='auth_totp_portal_disable']"))

        user = self.portal_user
        self.assertTrue(user.totp_enabled)
        self.assertEqual(
            user.sudo().totp_secret, secret, "core's field, base32 as core stores it"
        )
        self.assertTrue(user.sudo().totp_last_counter)
        # Core's own check agrees with the pyotp code.
        self.assertIsNotNone(
            TOTP(base64.b32decode(secret)).match(int(self.code_at(secret)))
        )

        # Shown once: the page now only says how many are left.
        _response, tree = self.get_page("/my/security")
        self.assertFalse(
            tree.xpath("//code[hasclass('o_portal_access_recovery_code')]")
        )
        self.assertEqual(
            self.text(tree, "//span[hasclass('o_portal_access_recovery_count')]"), "10"
        )

    def test_wrong_code_keeps_2fa_off(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security/2fa/enable")
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        secret = self.text(tree, "//span[@name='secret']").replace(" ", "")
        wrong = f"{(int(self.code_at(secret)) + 1) % 1000000:06d}"
        for code, message in (
            (wrong, "Verification failed"),
            ("12ab56", "6-digit code"),
            ("", "6-digit code"),
        ):
            with self.subTest(code=code):
                response, tree = self.submit(
                    tree, "/my/security/2fa/enable/confirm", code=code
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(
                    message, self.text(tree, "//div[hasclass('o_portal_access_error')]")
                )
                self.assertTrue(
                    tree.xpath("//span[@name='secret']"), "still the QR page"
                )
                self.assertFalse(self.portal_user.totp_enabled)
        self.assertFalse(
            self.env["portal_access.recovery.code"]
            .sudo()
            .search_count([("user_id", "=", self.portal_user.id)])
        )

    def test_enable_needs_csrf_token(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security/2fa/enable")
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        secret = self.text(tree, "//span[@name='secret']").replace(" ", "")
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/my/security/2fa/enable/confirm", data={"code": self.code_at(secret)}
            )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.portal_user.totp_enabled)

    def test_login_with_code_and_replay_refused(self):
        """After enabling, core's login step asks for the code; the code that
        enabled 2FA, and later the code that signed in, are refused again."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        secret, _codes = self.enable_2fa_by_http()
        # The code that enabled 2FA, from its time step as stored by core
        # (the clock may have passed a 30-second boundary since).
        self.env.invalidate_all()
        counter = self.portal_user.sudo().totp_last_counter
        enable_code = pyotp.TOTP(secret).generate_otp(counter)
        self.sign_out()

        response = self.login(self.portal_user.login, self.PASSWORD)
        self.assertEqual(self.path(response), "/web/login/totp", "core's 2FA step")
        with mute_logger("odoo.addons.auth_totp.models.res_users"):
            response, tree = self.totp_step(enable_code)
        self.assertEqual(self.path(response), "/web/login/totp")
        self.assertIn(
            "latest 6-digit code", self.text(tree, "//p[hasclass('alert-danger')]")
        )

        next_code = pyotp.TOTP(secret).generate_otp(counter + 1)
        response, _tree = self.totp_step(next_code)
        self.assertEqual(self.path(response), "/my")
        self.sign_out()

        self.login(self.portal_user.login, self.PASSWORD)
        with mute_logger("odoo.addons.auth_totp.models.res_users"):
            response, tree = self.totp_step(next_code)
        self.assertEqual(self.path(response), "/web/login/totp")
        self.assertIn(
            "latest 6-digit code", self.text(tree, "//p[hasclass('alert-danger')]")
        )

    def test_sixth_wrong_attempt_is_rate_limited(self):
        """Codes and recovery codes share core's per-user budget of 5 checks
        an hour: the 6th attempt is refused even with the right code."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        secret, codes = self.enable_2fa_by_http()
        self.sign_out()
        self.login(self.portal_user.login, self.PASSWORD)
        wrong_code = f"{(int(self.code_at(secret, 1)) + 1) % 1000000:06d}"
        attempts = [(wrong_code, 0)] * 3 + [("zzzzz-zzzzz", 1)] * 2
        for token, form in attempts:
            response, tree = self.totp_step(token, form_index=form)
            self.assertIn(
                "Verification failed", self.text(tree, "//p[hasclass('alert-danger')]")
            )
        for token, form in ((self.code_at(secret, 1), 0), (codes[0], 1)):
            with self.subTest(token=token):
                response, tree = self.totp_step(token, form_index=form)
                self.assertEqual(self.path(response), "/web/login/totp")
                self.assertIn(
                    "limit of code verifications",
                    self.text(tree, "//p[hasclass('alert-danger')]"),
                )
        self.assertEqual(
            self.portal_user._portal_access_recovery_code_count(), 10, "no code spent"
        )

    def test_pyotp_and_core_agree(self):
        """One 2FA system: the codes pyotp accepts at enable time are the
        codes core accepts at login, at the same time step."""
        users = self.env["res.users"]
        secret = users._portal_access_totp_new_secret()
        self.assertEqual(len(base64.b32decode(secret)) * 8, 160)
        core = TOTP(base64.b32decode(secret))
        app = pyotp.TOTP(secret)
        now = int(time.time())
        for moment in range(now - 300, now + 300, 7):
            for offset in (-2, -1, 0, 1, 2):
                code = app.at(moment + 30 * offset)
                with self.subTest(moment=moment, offset=offset):
                    ours = users._portal_access_totp_match(
                        secret, code, for_time=moment
                    )
                    theirs = core.match(int(code), t=moment)
                    self.assertEqual(ours, theirs)
                    self.assertEqual(ours is not None, abs(offset) <= 1)

    def test_disable_needs_password_voids_codes_and_sends_notice(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.enable_2fa_by_http()
        # A new session: the identity check of the enable flow is over.
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security")
        self.assertTrue(
            tree.xpath(
                "//form[@action='/my/security/2fa/disable']//button[@id='auth_totp_portal_disable']"
            )
        )
        response, tree = self.get_page("/my/security/2fa/disable")
        self.assertSecurityHeaders(response)
        response, tree = self.submit(tree, "/my/security/2fa/disable", password="nope")
        self.assertIn(
            "Wrong password",
            self.text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.assertTrue(self.portal_user.totp_enabled)

        response, tree = self.submit(
            tree, "/my/security/2fa/disable", password=self.PASSWORD
        )
        self.assertEqual(self.path(response), "/my/security")
        self.assertIn(
            "Two-factor authentication is off",
            self.text(tree, "//div[hasclass('o_portal_access_notice')]"),
        )
        self.assertFalse(self.portal_user.totp_enabled)
        self.assertFalse(
            self.env["portal_access.recovery.code"]
            .sudo()
            .search_count([("user_id", "=", self.portal_user.id)])
        )
        notice = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    (
                        "subject",
                        "=",
                        "Two-factor authentication was turned off for your account",
                    )
                ]
            )
        )
        self.assertEqual(notice.recipient_ids, self.portal_user.partner_id)
        self.assertIn(self.portal_user.login, str(notice.body_html))
        # Trace for the admins on the contact.
        self.assertTrue(
            any(
                "Two-factor authentication turned off from the portal."
                in str(message.body)
                for message in self.portal_user.partner_id.message_ids
            )
        )

    def test_disable_from_javascript_goes_through_core_identity_check(self):
        """The dialog path (JavaScript on) calls the same disable behind
        core's identity check, as core's portal dialog does."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.enable_2fa_by_http()
        self.authenticate(self.portal_user.login, self.PASSWORD)
        action = self.call_kw(
            "res.users", "portal_access_action_totp_disable", [[self.portal_user.id]]
        )
        self.assertEqual(action["res_model"], "res.users.identitycheck")
        self.assertTrue(
            self.portal_user.totp_enabled, "nothing happens before the password"
        )
        self.call_kw(
            "res.users.identitycheck",
            "write",
            [[action["res_id"]], {"auth_method": "password"}],
        )
        result = self.call_kw(
            "res.users.identitycheck",
            "run_check",
            [[action["res_id"]]],
            {"context": {"password": self.PASSWORD}},
        )
        self.assertIs(result, True)
        self.assertFalse(self.portal_user.totp_enabled)
        self.assertTrue(
            self.env["mail.mail"]
            .sudo()
            .search_count(
                [
                    (
                        "subject",
                        "=",
                        "Two-factor authentication was turned off for your account",
                    )
                ]
            )
        )

    def call_kw(self, model, method, args, kwargs=None):
        body = post_call_kw(self, model, method, args, kwargs).json()
        self.assertNotIn("error", body)
        return body["result"]
