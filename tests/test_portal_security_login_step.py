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
