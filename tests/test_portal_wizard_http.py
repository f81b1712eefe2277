import re
from html import unescape
from urllib.parse import urlsplit

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.tests import HttpCase, new_test_user, tagged

from .test_portal_wizard import PortalWizardCase

SIGNUP_LINK_RE = re.compile(r'href="([^"]*/web/signup\?[^"]*)"')


@tagged("post_install", "-at_install")
class TestPortalWizardHttp(PortalWizardCase, HttpCase):
    """What the invited person and the revoked user see, through Odoo's real
    HTTP stack."""

    def invitation_link(self, partner):
        user = self.users_of(partner)
        mail = self.queued_mails(user)[-1:]
        self.assertEqual(mail.state, "outgoing")
        match = SIGNUP_LINK_RE.search(mail.body_html)
        self.assertTrue(match, "the invitation holds a sign-up link")
        url = urlsplit(unescape(match.group(1)))
        return f"{url.path}?{url.query}"

    def sign_up(self, link, password):
        """Open the invitation link and choose a password, as the invited
        person does."""
        self.authenticate(None, None)
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Invalid signup token", page.text)
        # The form as the browser sends it: its own fields, plus the password.
        form = {
            name: unescape(value)
            for name, value in re.findall(
                r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page.text
            )
        }
        self.assertTrue({"token", "login", "csrf_token"} <= form.keys(), form.keys())
        form.update(password=password, confirm_password=password)
        return self.url_open("/web/signup", data=form)

    def test_invitation_link_signs_up_with_the_real_login(self):
        self.jane.email = "Jane.Doe@Example.com"
        wizard = self.open_popup(self.jane)
        wizard.action_grant_all()
        link = self.invitation_link(self.jane)
        self.authenticate(None, None)
        page = self.url_open(link)
        self.assertIn(
            'value="jane.doe@example.com"', page.text, "the page shows the login"
        )
        response = self.sign_up(link, "Portal-Pass-2026")
        self.assertEqual(response.status_code, 200)
        # Signed in: the customer portal opens, and the contact is active.
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.jane.portal_access_state, "active")
        # The link works once.
        self.authenticate(None, None)
        self.assertIn("Invalid signup token", self.url_open(link).text)
        # And the password is the one chosen.
        self.authenticate("jane.doe@example.com", "Portal-Pass-2026")
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)

    def test_invitation_link_applies_the_password_policy(self):
        """The first password, chosen on the sign-up page, follows the same
        minimum length as /my/security; the link stays usable after a refusal."""
        wizard = self.open_popup(self.jane)
        wizard.action_grant_all()
        link = self.invitation_link(self.jane)
        response = self.sign_up(link, "abc")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "The password is too short: use at least 8 characters.", response.text
        )
        self.authenticate(None, None)
        self.assertEqual(
            self.url_open("/my", allow_redirects=False).status_code,
            303,
            "not signed in",
        )
        user = self.users_of(self.jane)
        with self.assertRaises(AccessDenied):
            user.with_user(user)._check_credentials(
                {"type": "password", "login": user.login, "password": "abc"},
                {"interactive": False},
            )
        # The link was not used up by the refused attempt.
        response = self.sign_up(link, "Portal-Pass-2026")
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)

    def test_reinvite_voids_the_earlier_link(self):
        line = self.line_of(self.open_popup(self.jane), self.jane)
        line.action_grant_access()
        first = self.invitation_link(self.jane)
        line.action_invite_again()
        second = self.invitation_link(self.jane)
        self.assertNotEqual(first, second)
        self.authenticate(None, None)
        self.assertIn("Invalid signup token", self.url_open(first).text)
        response = self.sign_up(second, "Portal-Pass-2026")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)

    def test_reactivated_user_signs_up_again(self):
        """Grant, revoke, grant: the new invitation's link sets a password on
        the same (re-activated) user."""
        wizard = self.open_popup(self.jane)
        self.line_of(wizard, self.jane).action_grant_access()
        self.line_of(wizard, self.jane).action_revoke_access()
        self.line_of(wizard, self.jane).action_grant_access()
        self.sign_up(self.invitation_link(self.jane), "Portal-Pass-2026")
        self.authenticate("jane@example.com", "Portal-Pass-2026")
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)
        self.assertEqual(len(self.users_of(self.jane)), 1)

    def test_revoke_ends_sessions_and_links(self):
        portal_user = new_test_user(
            self.env,
            login="paula@example.com",
            password="Paula-Pass-2026",
            groups="base.group_portal",
            name="Paula",
        )
        portal_user.partner_id.parent_id = self.acme
        self.authenticate("paula@example.com", "Paula-Pass-2026")
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)
        # A password reset link is pending.
        portal_user.partner_id.sudo().signup_prepare(signup_type="reset")
        # sudo: only Access Rights members and superuser code compute it
        reset_link = portal_user.partner_id.sudo()._get_signup_url()
        self.assertIn("/web/reset_password", reset_link)

        wizard = self.open_popup(self.acme)
        self.line_of(wizard, portal_user.partner_id).action_revoke_access()

        response = self.url_open("/my", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        devices = (
            self.env["res.device.log"].sudo().search([("user_id", "=", portal_user.id)])
        )
        self.assertTrue(devices)
        self.assertTrue(all(devices.mapped("revoked")), "devices shown as revoked")
        url = urlsplit(reset_link)
        self.authenticate(None, None)
        self.assertIn(
            "Invalid signup token", self.url_open(f"{url.path}?{url.query}").text
        )
        self.authenticate(None, None)
        response = self.url_open(
            "/web/login",
            data={
                "login": "paula@example.com",
                "password": "Paula-Pass-2026",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertIn("Wrong login/password", response.text)


@tagged("post_install", "-at_install")
class TestPortalWizardTour(PortalWizardCase, HttpCase):
    def test_popup_in_the_browser(self):
        """A staff member with Contact Creation rights opens the company, its
        "Portal Users" button, grants everybody, then revokes everybody."""
        tina = self.env["res.partner"].create(
            {
                "name": "Tina Tour",
                "email": "tina@example.com",
                "parent_id": self.acme.id,
            }
        )
        self.env["res.partner"].create(
            {"name": "Nick No-Email", "parent_id": self.acme.id}
        )
        self.start_tour(
            f"/odoo/contacts/{self.acme.id}",
            "portal_access_wizard_tour",
            login="pa_staff",
        )
        self.env.invalidate_all()
        for partner in (self.jane, tina):
            self.assertEqual(len(self.users_of(partner)), 1)
            self.assertEqual(partner.portal_access_state, "revoked")
            notes = self.notes_of(partner).mapped("body")
            self.assertTrue(any("granted by Petra Staff" in body for body in notes))
            self.assertTrue(any("revoked by Petra Staff" in body for body in notes))
