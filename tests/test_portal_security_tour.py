from odoo.tests import tagged

from .test_portal_security_common import PortalSecurityCase


@tagged("post_install", "-at_install")
class TestPortalSecurityTour(PortalSecurityCase):
    def test_enable_2fa_then_sign_in_with_code_and_recovery_code(self):
        """In Chromium: enable 2FA from /my/security (password, QR code,
        code computed from the key shown), see 10 recovery codes, sign in
        with password + code, then with password + recovery code, and see 9
        codes left."""
        user = self._make_portal_user("tina.tour@example.com", "Tina Tour")
        user.password = "Tour-pass-1"
        self.start_tour("/my/security", "portal_security_totp", login=user.login)
        self.assertTrue(user.totp_enabled)
        self.assertEqual(user._portal_access_recovery_code_count(), 9)
        used = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    (
                        "subject",
                        "=",
                        "A recovery code was used to sign in to your account",
                    )
                ]
            )
        )
        self.assertEqual(used.recipient_ids, user.partner_id)
