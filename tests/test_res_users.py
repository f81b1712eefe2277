from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("at_install", "-post_install")
class TestLoginHelpers(TransactionCase):
    def test_normalize_login(self):
        normalize = self.env["res.users"]._portal_access_normalize_login
        self.assertEqual(normalize("  J.Doe@Example.COM "), "j.doe@example.com")
        for bad in (
            "",
            "   ",
            "not an email",
            "a@b",
            "x@@example.com",
            "Jane <jane@example.com>",
            "a@example.com, b@example.com",
            "nul\x00@example.com",
            "a" * 250 + "@example.com",
        ):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                normalize(bad)

    def test_find_login_owners_ignores_case_and_sees_archived(self):
        user = new_test_user(
            self.env, login="Jane.Owner@Example.com", groups="base.group_portal"
        )
        user.active = False
        owners = self.env["res.users"]._portal_access_find_login_owners(
            ["jane.owner@example.COM", False]
        )
        self.assertEqual(owners, {"jane.owner@example.com": user})
        self.assertEqual(
            self.env["res.users"]._portal_access_find_login_owners(
                ["jane.owner@example.com"], [user.id]
            ),
            {},
        )
