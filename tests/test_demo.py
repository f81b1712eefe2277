from odoo.tests import HttpCase, TransactionCase, tagged


class DemoCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.env.ref("portal_access.partner_acme", raise_if_not_found=False)
        if not cls.acme:
            cls.skipTest(cls, "the database was created without demo data")


@tagged("post_install", "-at_install")
class TestDemoData(DemoCase):
    def test_acme_contacts_cover_every_access_situation(self):
        acme = self.acme
        self.assertTrue(acme.is_company)
        self.assertEqual(acme.country_id, self.env.ref("base.nl"))
        contacts = acme.child_ids.filtered(lambda p: p.type == "contact")
        self.assertGreaterEqual(len(contacts), 6)
        ref = self.env.ref
        self.assertFalse(
            ref("portal_access.partner_acme_piet").email, "one contact has no email"
        )
        self.assertNotIn(
            "@", ref("portal_access.partner_acme_kees").email, "one email is invalid"
        )
        self.assertTrue(ref("portal_access.user_acme_anna")._is_internal())
        jane = ref("portal_access.user_acme_jane")
        self.assertTrue(jane._is_portal() and jane.active)
        mark = ref("portal_access.user_acme_mark")
        self.assertFalse(mark.active)
        self.assertFalse(mark._is_portal())
        self.assertTrue(ref("portal_access.user_globex_lisa")._is_portal())
        # Each situation shows on the contact list's badge and filters.
        states = {
            xmlid: ref(f"portal_access.partner_acme_{xmlid}").portal_access_state
            for xmlid in ("jane", "john", "piet", "kees", "anna", "mark", "sophie")
        }
        self.assertEqual(
            states,
            {
                "jane": "active",
                "john": "none",
                "piet": "none",
                "kees": "none",
                "anna": "internal",
                "mark": "revoked",
                "sophie": "invited",
            },
        )
        self.assertTrue(ref("portal_access.partner_acme_mark").active)
        for state in ("active", "invited", "revoked"):
            self.assertTrue(
                self.env["res.partner"].search_count(
                    [("portal_access_state", "=", state), ("parent_id", "=", acme.id)]
                ),
                f"the filter of {state} contacts finds a demo contact",
            )
        emails = (
            acme | acme.child_ids | ref("portal_access.partner_globex").child_ids
        ).mapped("email")
        for email in filter(None, emails):
            if "@" in email:
                self.assertTrue(email.endswith("example.com"), email)

    def test_jane_has_a_saved_demo_card(self):
        provider = self.env.ref("payment.payment_provider_demo")
        self.assertEqual(provider.code, "demo")
        self.assertIn(provider.state, ("enabled", "test"))
        self.assertTrue(provider.allow_tokenization)
        tokens = self.env["payment.token"].search(
            [("partner_id", "=", self.env.ref("portal_access.partner_acme_jane").id)]
        )
        self.assertEqual(len(tokens), 1)
        self.assertEqual(tokens.provider_id, provider)


@tagged("post_install", "-at_install")
class TestDemoPortal(HttpCase):
    def test_demo_portal_user_opens_account_pages(self):
        if not self.env.ref("portal_access.user_acme_jane", raise_if_not_found=False):
            self.skipTest("the database was created without demo data")
        self.authenticate("jane.doe@acme.example.com", "portal-demo")
        for url in ("/my", "/my/account", "/my/security", "/my/payment_method"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 200, url)
        self.assertIn("4242", self.url_open("/my/payment_method").text)
