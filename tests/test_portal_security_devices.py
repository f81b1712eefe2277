from datetime import datetime, timedelta

from lxml import html

from odoo.tests import tagged

from .test_portal_security_common import PortalSecurityCase


@tagged("post_install", "-at_install")
class TestPortalSecurityDevices(PortalSecurityCase):
    def signed_in_browser(self, user):
        browser = self.new_browser()
        response = self.login(user.login, self.PASSWORD, opener=browser)
        self.assertEqual(self.path(response), "/my")
        return browser

    def is_signed_in(self, opener=None):
        response = self._open("/my", opener=opener, allow_redirects=False)
        return response.status_code == 200

    def test_end_all_other_devices(self):
        """ "Sign out all other devices" ends a second session of the same
        user (and a third), keeps the current one; the password is asked
        first, and other users' sessions are untouched."""
        second = self.signed_in_browser(self.portal_user)
        third = self.signed_in_browser(self.portal_user)
        stranger_user = self._make_portal_user(
            "sid.stranger@example.com", "Sid Stranger"
        )
        stranger = self.signed_in_browser(stranger_user)
        self.authenticate(self.portal_user.login, self.PASSWORD)

        response, tree = self.get_page("/my/security")
        rows = tree.xpath("//tr[hasclass('o_portal_access_device')]")
        self.assertEqual(len(rows), 3)
        self.assertEqual(
            len(tree.xpath("//tr[hasclass('o_portal_access_device_current')]")), 1
        )
        self.assertEqual(
            len(tree.xpath("//tr[hasclass('o_portal_access_device')]//form")),
            2,
            "no sign-out for this device",
        )

        response, tree = self.submit(
            tree, "/my/security/devices/sign-out", scope="others"
        )
        self.assertSecurityHeaders(response)
        self.assertTrue(
            tree.xpath("//input[@name='password']"), "the password comes first"
        )
        self.assertTrue(self.is_signed_in(second))
        response, tree = self.submit(
            tree, "/my/security/devices/sign-out", password=self.PASSWORD
        )
        self.assertEqual(self.path(response), "/my/security")
        self.assertIn(
            "signed out", self.text(tree, "//div[hasclass('o_portal_access_notice')]")
        )

        self.assertTrue(self.is_signed_in(), "the current session stays")
        self.assertFalse(self.is_signed_in(second))
        self.assertFalse(self.is_signed_in(third))
        self.assertTrue(self.is_signed_in(stranger))
        self.assertEqual(len(tree.xpath("//tr[hasclass('o_portal_access_device')]")), 1)

    def test_end_one_device_and_not_someone_elses(self):
        second = self.signed_in_browser(self.portal_user)
        stranger_user = self._make_portal_user(
            "sid.stranger@example.com", "Sid Stranger"
        )
        stranger = self.signed_in_browser(stranger_user)
        stranger_device = (
            self.env["res.device"].sudo().search([("user_id", "=", stranger_user.id)])
        )
        self.assertTrue(stranger_device)
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security")

        # Someone else's device id (a forged form): nothing happens.
        token = self.form_values(tree, "/my/security/devices/sign-out")["csrf_token"]
        response = self.url_open(
            "/my/security/devices/sign-out",
            data={"csrf_token": token, "device_id": str(stranger_device[0].id)},
        )
        confirm = html.fromstring(response.content)
        response, tree = self.submit(
            confirm, "/my/security/devices/sign-out", password=self.PASSWORD
        )
        self.assertIn(
            "no longer signed in",
            self.text(tree, "//div[hasclass('o_portal_access_notice')]"),
        )
        self.assertTrue(self.is_signed_in(stranger))
        response = self.url_open(
            "/my/security/devices/sign-out",
            data={"csrf_token": token, "device_id": "not-a-number"},
        )
        self.assertIn("no longer signed in", response.text)
        self.assertTrue(self.is_signed_in(second))

        # One's own other device, within the identity window: no password asked.
        _response, tree = self.get_page("/my/security")
        forms = tree.xpath("//tr[hasclass('o_portal_access_device')]//form")
        self.assertEqual(len(forms), 1)
        device_id = forms[0].xpath(".//input[@name='device_id']/@value")[0]
        response, tree = self.submit(
            tree, "/my/security/devices/sign-out", device_id=device_id
        )
        self.assertEqual(self.path(response), "/my/security")
        self.assertFalse(self.is_signed_in(second))
        self.assertTrue(self.is_signed_in())

    def test_forget_trusted_browsers(self):
        """Core's portal list of trusted browsers, with working buttons."""
        self.portal_user.sudo().totp_secret = "A" * 32
        devices = self.env["auth_totp.device"].with_user(self.portal_user)
        expires = datetime.now() + timedelta(days=30)
        devices.sudo()._generate("browser", "Firefox on Linux", expires)
        devices.sudo()._generate("browser", "Chrome on Android", expires)
        stranger_user = self._make_portal_user(
            "sid.stranger@example.com", "Sid Stranger"
        )
        self.env["auth_totp.device"].with_user(stranger_user).sudo()._generate(
            "browser", "Safari on Mac", expires
        )
        stranger_device = (
            self.env["auth_totp.device"]
            .sudo()
            .search([("user_id", "=", stranger_user.id)])
        )
        self.assertEqual(len(stranger_device), 1)

        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security")
        rows = tree.xpath("//tr[hasclass('o_portal_access_trusted_device')]")
        self.assertEqual(len(rows), 2)
        first_id = rows[0].xpath(".//input[@name='device_id']/@value")[0]
        response, tree = self.submit(
            tree, "/my/security/trusted-devices/forget", device_id=first_id
        )
        self.assertTrue(tree.xpath("//input[@name='password']"))
        response, tree = self.submit(
            tree, "/my/security/trusted-devices/forget", password=self.PASSWORD
        )
        self.assertEqual(self.path(response), "/my/security")
        self.assertEqual(len(self.portal_user.totp_trusted_device_ids), 1)

        # Someone else's trusted browser: untouched.
        token = self.form_values(tree, "/my/security/trusted-devices/forget")[
            "csrf_token"
        ]
        self.url_open(
            "/my/security/trusted-devices/forget",
            data={"csrf_token": token, "device_id": str(stranger_device.id)},
        )
        self.assertTrue(stranger_device.exists())

        response, tree = self.submit(
            tree, "/my/security/trusted-devices/forget", scope="all"
        )
        self.assertEqual(self.path(response), "/my/security")
        self.assertFalse(self.portal_user.totp_trusted_device_ids)
        self.assertFalse(tree.xpath("//tr[hasclass('o_portal_access_trusted_device')]"))
