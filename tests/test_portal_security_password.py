from odoo.exceptions import AccessDenied
from odoo.tests import tagged

from .test_portal_security_common import PortalSecurityCase


@tagged("post_install", "-at_install")
class TestPortalSecurityPassword(PortalSecurityCase):
    def change_password(self, old, new1, new2, **extra):
        _response, tree = self.get_page("/my/security")
        response, tree = self.submit(
            tree, "/my/security", old=old, new1=new1, new2=new2, **extra
        )
        self.assertEqual(response.status_code, 200)
        self.assertSecurityHeaders(response)
        return tree

    def field_error(self, tree, name):
        return self.text(
            tree,
            f"//section[@name='portal_change_password']//input[@name='{name}']/following-sibling::div[hasclass('invalid-feedback')]",
        )

    def assertPasswordUnchanged(self):
        user = self.portal_user.with_user(self.portal_user)
        user._check_credentials(
            {"login": user.login, "password": self.PASSWORD, "type": "password"},
            {"interactive": False},
        )

    def test_refusals_give_clear_messages_and_change_nothing(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        cases = [
            (
                ("wrong-current-pw", "New-pass-123", "New-pass-123"),
                "old",
                "current password you entered is incorrect",
            ),
            (
                (self.PASSWORD, "abc", "abc"),
                "new1",
                "too short: use at least 8 characters",
            ),
            (
                (self.PASSWORD, "New-pass-123", "New-pass-124"),
                "new2",
                "must be identical",
            ),
            (
                (self.PASSWORD, self.PASSWORD, self.PASSWORD),
                "new1",
                "different from your current password",
            ),
            ((self.PASSWORD, "", ""), "new1", "cannot leave any password empty"),
        ]
        for (old, new1, new2), field, message in cases:
            with self.subTest(field=field, message=message):
                tree = self.change_password(old, new1, new2)
                self.assertIn(message, self.field_error(tree, field))
                self.assertFalse(
                    tree.xpath(
                        "//section[@name='portal_change_password']/div[hasclass('alert-success')]"
                    )
                )
                self.assertPasswordUnchanged()

    def test_missing_fields_do_not_crash(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security")
        token = self.form_values(tree, "/my/security")["csrf_token"]
        response = self.url_open(
            "/my/security", data={"csrf_token": token, "op": "password"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"You cannot leave any password empty.", response.content)
        self.assertPasswordUnchanged()

    def test_minimum_length_without_auth_password_policy(self):
        users = self.env["res.users"]
        self.assertFalse(
            hasattr(users, "_check_password_policy"),
            "auth_password_policy is not installed here",
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_password_policy.minlength", 20
        )
        self.assertEqual(users._portal_access_password_min_length(), 8)

    def test_success_keeps_this_session_and_ends_the_others(self):
        other_browser = self.new_browser()
        response = self.login(
            self.portal_user.login, self.PASSWORD, opener=other_browser
        )
        self.assertEqual(self.path(response), "/my")
        self.authenticate(self.portal_user.login, self.PASSWORD)

        tree = self.change_password(
            self.PASSWORD, "Brand-new-pass-1", "Brand-new-pass-1"
        )
        success = self.text(
            tree,
            "//section[@name='portal_change_password']/div[hasclass('alert-success')]",
        )
        self.assertIn("Password Updated!", success)
        self.assertIn("your other devices were signed out", success)
        # The same page no longer lists the other browser as signed in.
        rows = tree.xpath("//tr[hasclass('o_portal_access_device')]")
        self.assertEqual(len(rows), 1)
        self.assertTrue(tree.xpath("//tr[hasclass('o_portal_access_device_current')]"))

        response = self.url_open("/my/security", allow_redirects=False)
        self.assertEqual(response.status_code, 200, "this session stays signed in")
        response = self._open("/my", opener=other_browser, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            "/web/login", response.headers["Location"], "the other session is over"
        )

        user = self.portal_user.with_user(self.portal_user)
        user._check_credentials(
            {"login": user.login, "password": "Brand-new-pass-1", "type": "password"},
            {"interactive": False},
        )
        with self.assertRaises(AccessDenied):
            user._check_credentials(
                {"login": user.login, "password": self.PASSWORD, "type": "password"},
                {"interactive": False},
            )
