from odoo.tests import TransactionCase, tagged


@tagged("at_install", "-post_install")
class TestInstall(TransactionCase):
    def test_module_installed_with_its_dependencies(self):
        module = self.env["ir.module.module"].search([("name", "=", "portal_access")])
        self.assertEqual(module.state, "installed")
        depends = set(module.dependencies_id.mapped("name"))
        self.assertLessEqual(
            {"contacts", "portal", "auth_totp_portal", "payment"}, depends
        )
        self.assertEqual(module.license, "LGPL-3")
        self.assertTrue(module.latest_version.startswith("19.0."))

    def test_external_dependencies_importable(self):
        import pyotp
        import qrcode

        self.assertEqual(len(pyotp.random_base32()), 32)
        self.assertTrue(qrcode.make)
