from urllib.parse import urlparse

from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDutchTranslation(HttpCase):
    """The module speaks Dutch to Dutch customers and staff: i18n/nl.po is
    loaded the way Odoo loads a language, then pages and mails are checked
    through the real HTTP stack and the real mail queue."""

    PASSWORD = "Portal-pass-1"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        # What installing a language does for this module (Settings >
        # Translations > Languages): its terms of views, fields and mail
        # templates go into the database; the terms of the Python and
        # JavaScript code are read from the same file when needed.
        cls.env["ir.module.module"]._load_module_terms(
            ["portal_access"], ["nl_NL"], overwrite=True
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="klant@example.com",
            name="Klaas Klant",
            email="klant@example.com",
            password=cls.PASSWORD,
            groups="base.group_portal",
            lang="nl_NL",
        )
        cls.staff = new_test_user(
            cls.env,
            login="pa_staff_nl",
            name="Sanne Staf",
            email="sanne@example.com",
            groups="base.group_user,base.group_partner_manager",
            lang="nl_NL",
        )
        cls.company = cls.env["res.partner"].create(
            {"name": "Bakkerij De Molen", "is_company": True}
        )
        cls.dutch_contact = cls.env["res.partner"].create(
            {
                "name": "Joost de Vries",
                "email": "joost@bakkerij.example.nl",
                "parent_id": cls.company.id,
                "lang": "nl_NL",
            }
        )
        cls.english_contact = cls.env["res.partner"].create(
            {
                "name": "John Baker",
                "email": "john@bakkerij.example.com",
                "parent_id": cls.company.id,
                "lang": "en_US",
            }
        )

    def test_portal_in_dutch_after_signing_in(self):
        """The login page (public) sets the language cookie to the default
        language; once signed in, the portal follows the customer's own."""
        self.url_open("/web/session/logout")
        page = self.url_open("/web/login")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")
        csrf = html.fromstring(page.content).xpath(
            "//input[@name='csrf_token']/@value"
        )[0]
        response = self.url_open(
            "/web/login",
            data={
                "login": self.portal_user.login,
                "password": self.PASSWORD,
                "csrf_token": csrf,
                "redirect": "/my/security",
            },
        )
        # Odoo's URL of the page in Dutch.
        self.assertEqual(urlparse(response.url).path, "/nl/my/security")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "nl_NL")
        self.assertIn("Ingelogde apparaten", response.text)
        self.assertNotIn("Signed-in devices", response.text)

    def test_security_page_in_dutch(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        page = self.url_open("/my/security")
        self.assertEqual(page.status_code, 200)
        # Terms of the QWeb templates (views) ...
        for dutch in (
            "Ingelogde apparaten",
            "Alle andere apparaten uitloggen",
            "Tweestapsverificatie inschakelen",
            "Minimaal",
            "Als je je wachtwoord wijzigt, word je op je andere apparaten uitgelogd.",
        ):
            self.assertIn(dutch, page.text)
        for english in (
            "Signed-in devices",
            "Sign out all other devices",
            "Enable two-factor authentication",
            "Changing your password signs you out",
        ):
            self.assertNotIn(english, page.text)
        # ... and of the Python code (a notice after a redirect).
        page = self.url_open("/my/security?security_notice=no_session")
        self.assertIn("Dat apparaat is niet meer ingelogd.", page.text)
        self.assertNotIn("That device is no longer signed in.", page.text)
        # The password step of the 2FA setup: title and text from Python,
        # the rest from the template.
        page = self.url_open("/my/security/2fa/enable")
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            "Met tweestapsverificatie wordt bij elke keer inloggen", page.text
        )
        self.assertIn("Bevestig je wachtwoord om verder te gaan.", page.text)
        self.assertIn("Doorgaan", page.text)
        # The dashboard card.
        page = self.url_open("/my")
        self.assertIn("Tweestapsverificatie: uit", page.text)

    def test_javascript_terms_in_dutch(self):
        """What the browser's ``_t`` gets for the 2FA dialog."""
        response = self.url_open(
            "/web/webclient/translations?mods=portal_access&lang=nl_NL"
        )
        messages = {
            message["id"]: message["string"]
            for message in response.json()["modules"]["portal_access"]["messages"]
        }
        self.assertEqual(messages["Activate"], "Activeren")
        self.assertEqual(
            messages["Enable two-factor authentication"],
            "Tweestapsverificatie inschakelen",
        )

    def test_invitation_from_the_popup_in_dutch(self):
        """Staff grant access from the back-office popup: each contact gets
        the invitation in their own language, and Dutch staff read the
        popup's summary and the history note in Dutch."""
        staff_env = self.env(user=self.staff, context={"lang": "nl_NL"})
        action = (
            staff_env["portal.wizard"]
            .with_context(active_ids=self.company.ids, active_model="res.partner")
            .action_open_wizard()
        )
        wizard = (
            staff_env["portal.wizard"]
            .with_context(**action["context"])
            .browse(action["res_id"])
        )
        wizard.action_grant_all()
        self.assertIn("Toegang verleend: 2", wizard.portal_access_summary)

        dutch_user = self.dutch_contact.user_ids
        english_user = self.english_contact.user_ids
        self.assertEqual(dutch_user.lang, "nl_NL")
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", dutch_user.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued by the popup")
        company_name = dutch_user.company_id.name
        self.assertEqual(mail.subject, f"Je portaaltoegang bij {company_name}")
        for dutch in (
            "Beste Joost de Vries,",
            "Je hebt toegang gekregen tot het klantenportaal van",
            "Je login: <strong>joost@bakkerij.example.nl</strong>",
            "Mijn account activeren",
            "Deze link vervangt alle uitnodigingen",
        ):
            self.assertIn(dutch, mail.body_html)
        self.assertIn("/web/signup?", mail.body_html)
        self.assertNotIn("Activate my account", mail.body_html)

        english_mail = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", english_user.id)]
        )
        self.assertEqual(english_mail.subject, f"Your portal access at {company_name}")
        self.assertIn("Activate my account", english_mail.body_html)

        note = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.dutch_contact.id)],
            order="id desc",
            limit=1,
        )
        self.assertIn("Portaaltoegang verleend door Sanne Staf", note.body)
