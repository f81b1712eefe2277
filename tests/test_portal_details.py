from odoo.http import Request
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_account import PASSWORD, PortalAccountCase


@tagged("post_install", "-at_install")
class TestPortalDetails(PortalAccountCase):
    """/my/account: every bad or forged input ends in a message, nothing
    changes; with or without JavaScript."""

    def _account_form(self):
        """The details form of /my/account as the browser gets it."""
        response = self._get_page("/my/account")
        form = self._tree(response).xpath("//form[@name='address_form']")[0]
        self.assertEqual(form.get("action"), "/my/address/submit")
        return self._form_values(form)

    def _submit_json(self, changes):
        """Post the details form the way core's form script does."""
        response = self._post("/my/address/submit", {**self._account_form(), **changes})
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()

    def _submit_page(self, changes, headers=None):
        """Post the details form the way a browser without JavaScript does
        (the ``<noscript>`` marker included) and follow to the page shown."""
        data = {**self._account_form(), **changes}
        if headers is None:
            data["portal_access_no_js"] = "1"
        response = self._post("/my/address/submit", data, headers=headers)
        self.assertEqual(response.status_code, 303, response.text[:500])
        return response

    def _new_user_with_address(self, login, name, groups):
        """A user of no company whose contact has a complete address."""
        user = new_test_user(
            self.env, login=login, groups=groups, name=name, password=PASSWORD
        )
        user.partner_id.write(
            {
                "street": "Damrak 2",
                "city": "Amsterdam",
                "zip": "1012 LG",
                "country_id": self.nl.id,
                "phone": "+31 20 000 0001",
            }
        )
        return user

    def _assert_refused(self, changes, field, message_part):
        """The change is answered with a message naming the problem, in both
        flows, the input is kept on the page, and the partner is unchanged."""
        partner = self.anne.partner_id
        before = self._snapshot(partner)
        before_company = self._snapshot(self.polder)

        result = self._submit_json(changes)
        self.assertNotIn("redirectUrl", result)
        self.assertIn(field, result["invalid_fields"])
        self.assertTrue(
            any(message_part in m for m in result["messages"]), result["messages"]
        )

        response = self._submit_page(changes)
        self.assertTrue(response.headers["Location"].endswith("/my/account"))
        page = self._get_page("/my/account")
        messages = self._messages_on_page(page)
        self.assertTrue(any(message_part in m for m in messages), messages)
        tree = self._tree(page)
        invalid = tree.xpath(f"//form[@name='address_form']//*[@name='{field}']")[0]
        self.assertIn("is-invalid", invalid.get("class"))
        for name, value in changes.items():
            element = tree.xpath(f"//form[@name='address_form']//input[@name='{name}']")
            if element and element[0].get("type") != "hidden":
                self.assertEqual(
                    element[0].get("value"), value, f"input of {name} kept"
                )
        # Shown once: reloading the form shows no stale message.
        self.assertEqual(self._messages_on_page(self._get_page("/my/account")), [])

        self.assertEqual(self._snapshot(partner), before)
        self.assertEqual(self._snapshot(self.polder), before_company)

    def test_valid_change_with_and_without_javascript(self):
        self._login(self.anne)
        result = self._submit_json({"phone": "+31 6 1111 1111"})
        self.assertEqual(result, {"redirectUrl": "/my"})
        self.assertEqual(self.anne.partner_id.phone, "+31 6 1111 1111")

        response = self._submit_page({"phone": "+31 6 2222 2222"})
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(self.anne.partner_id.phone, "+31 6 2222 2222")

    def test_every_editable_field_changes(self):
        """A customer without a company (nothing issued to them yet) changes
        every field of the details form, as core's rules allow: name, email,
        phone, address, country and state, company name and VAT."""
        ivan = self._new_user_with_address(
            "ivan@example.com", "Ivan Ind", "base.group_portal"
        )
        self.authenticate(ivan.login, PASSWORD)
        changes = {
            "name": "Ivan Individual",
            "email": "ivan.new@example.com",
            "phone": "+1 512 555 0100",
            "street": "100 Congress Ave",
            "city": "Austin",
            "zip": "78701",
            "country_id": str(self.us.id),
            "state_id": str(self.texas.id),
            "company_name": "Ivan Consulting",
            "vat": "US123456789",
        }
        self.assertEqual(self._submit_json(changes), {"redirectUrl": "/my"})
        partner = ivan.partner_id
        partner.invalidate_recordset()
        self.assertRecordValues(
            partner,
            [{**changes, "country_id": self.us.id, "state_id": self.texas.id}],
        )
        self.assertEqual(ivan.login, "ivan@example.com", "the login stays")
        # The same without JavaScript.
        response = self._submit_page({"city": "Houston", "zip": "77002"})
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual((partner.city, partner.zip), ("Houston", "77002"))

    def test_browser_without_javascript_detected_by_fetch_metadata(self):
        """Browsers that send ``Sec-Fetch-Dest`` get a page even without the
        marker; core's script (a fetch) keeps getting JSON."""
        self._login(self.anne)
        response = self._submit_page(
            {"phone": "+31 6 3333 3333"}, headers={"Sec-Fetch-Dest": "document"}
        )
        self.assertTrue(response.headers["Location"].endswith("/my"))
        result = self._submit_json({"phone": "+31 6 4444 4444"})
        self.assertEqual(result, {"redirectUrl": "/my"})

    def test_invalid_email(self):
        self._login(self.anne)
        self._assert_refused({"email": "jane@"}, "email", "Email")

    def test_state_not_in_country(self):
        self._login(self.anne)
        self._assert_refused(
            {"country_id": str(self.nl.id), "state_id": str(self.texas.id)},
            "state_id",
            "Texas is not in Netherlands",
        )

    def test_value_over_field_length(self):
        self._login(self.anne)
        self._assert_refused({"city": "x" * 10000}, "city", "too long")

    def test_company_without_country(self):
        self._login(self.anne)
        self._assert_refused(
            {"company_name": "Polder Trading B.V.", "country_id": ""},
            "country_id",
            "A company needs a country",
        )

    def test_missing_required_field(self):
        self._login(self.anne)
        self._assert_refused({"street": ""}, "street", "required")

    def test_control_characters(self):
        self._login(self.anne)
        partner = self.anne.partner_id
        before = self._snapshot(partner)
        result = self._submit_json({"name": "Anne\x00Polder"})
        self.assertIn("name", result["invalid_fields"])
        self.assertEqual(self._snapshot(partner), before)

    def test_forged_references_and_flags(self):
        """Values no form offers: a message or a 404, never a 500."""
        self._login(self.anne)
        partner = self.anne.partner_id
        before = self._snapshot(partner)
        for changes in (
            {"country_id": "999999999"},
            {"country_id": "99999999999999999999"},
            {"state_id": "abc"},
            {"state_id": "-5"},
        ):
            with self.subTest(changes=changes):
                result = self._submit_json(changes)
                self.assertNotIn("redirectUrl", result)
                self.assertTrue(result["messages"])
        with mute_logger("odoo.http"):
            response = self._post(
                "/my/address/submit", {**self._account_form(), "partner_id": "abc"}
            )
            self.assertEqual(response.status_code, 404)
            response = self._get_page("/my/address?partner_id=abc", status=404)
        self.assertEqual(self._snapshot(partner), before)
        # A flag that is neither true nor false counts as false.
        result = self._submit_json({"use_delivery_as_billing": "maybe"})
        self.assertEqual(result, {"redirectUrl": "/my"})
        self._get_page("/my/address?address_type=billing&use_delivery_as_billing=maybe")

    def test_forged_name_change_when_core_locks_it(self):
        """Core locks the name (and email) of a partner with an internal user:
        a forged post is refused in both flows and the name stays."""
        internal = self._new_user_with_address(
            "ivo@internal.example.com", "Ivo Intern", "base.group_user"
        )
        self.authenticate(internal.login, PASSWORD)
        before = self._snapshot(internal.partner_id)
        result = self._submit_json({"name": "Someone Else"})
        self.assertIn("name", result["invalid_fields"])
        self._submit_page({"name": "Someone Else"})
        self.assertTrue(self._messages_on_page(self._get_page("/my/account")))
        self.assertEqual(self._snapshot(internal.partner_id), before)
        self.assertEqual(internal.partner_id.name, "Ivo Intern")

    def test_forged_vat_on_a_company_contact(self):
        """The VAT is the company's (a commercial field): a contact cannot set
        it, even by posting it past the read-only input."""
        self._login(self.anne)
        before = self._snapshot(self.polder)
        result = self._submit_json({"vat": "NL123456789B01"})
        self.assertIn("vat", result["invalid_fields"])
        self.assertFalse(self.anne.partner_id.vat)
        self.assertEqual(self._snapshot(self.polder), before)

    def test_checks_cannot_be_switched_off_by_a_field(self):
        """Core reads ``verify_address_values`` from the posted form: an
        empty field of that name skipped every check of the form (the
        company's VAT, line breaks in the name). It is ignored."""
        self._login(self.anne)
        before = self._snapshot(self.polder)
        result = self._submit_json(
            {"vat": "NL123456789B01", "verify_address_values": ""}
        )
        self.assertIn("vat", result["invalid_fields"])
        result = self._submit_json(
            {"name": "Anne\nBcc: victim@evil.example", "verify_address_values": ""}
        )
        self.assertIn("name", result["invalid_fields"])
        self.anne.partner_id.invalidate_recordset()
        self.assertFalse(self.anne.partner_id.vat)
        self.assertNotIn("Bcc", self.anne.partner_id.name)
        self.assertEqual(self._snapshot(self.polder), before)

    def test_forged_post_on_someone_elses_partner(self):
        self._login(self.anne)
        victim = self.carl.partner_id
        before = self._snapshot(victim)
        with mute_logger("odoo.http"):
            response = self._post(
                "/my/address/submit",
                {
                    **self._account_form(),
                    "partner_id": str(victim.id),
                    "name": "Hacked",
                },
            )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self._snapshot(victim), before)

    def test_post_without_csrf_token(self):
        self._login(self.anne)
        before = self._snapshot(self.anne.partner_id)
        data = self._account_form()
        data.pop("csrf_token")
        with mute_logger("odoo.http"):
            response = self._post("/my/address/submit", {**data, "city": "Utrecht"})
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(self._snapshot(self.anne.partner_id), before)

    def test_form_carries_the_no_javascript_marker(self):
        self._login(self.anne)
        response = self._get_page("/my/account")
        self.assertEqual(
            len(
                self._tree(response).xpath(
                    "//form[@name='address_form']//noscript/input[@name='portal_access_no_js']"
                )
            ),
            1,
        )
        self.assertTrue(Request.csrf_token(self))


@tagged("post_install", "-at_install")
class TestPortalDashboard(PortalAccountCase):
    """/my: the Account area."""

    def _account_area(self):
        response = self._get_page("/my")
        areas = self._tree(response).xpath("//div[@id='portal_common_category']")
        self.assertEqual(len(areas), 1)
        return areas[0]

    def test_account_area_cards(self):
        self._login(self.anne)
        area = self._account_area()
        urls = area.xpath(".//div[contains(@class, 'o_portal_index_card')]/a/@href")
        self.assertEqual(urls[:3], ["/my/account", "/my/addresses", "/my/security"])
        status = area.xpath(".//*[contains(@class, 'o_portal_access_2fa_status')]")
        self.assertEqual(len(status), 1)
        self.assertEqual(
            status[0].text_content().strip(), "Two-factor authentication: off"
        )

    def test_security_card_shows_two_factor_on(self):
        self.anne.sudo().totp_secret = (
            "JBSWY3DPEHPK3PXP"  # any base32 secret enables 2FA
        )
        self.assertTrue(self.anne.totp_enabled)
        self._login(self.anne)
        status = self._account_area().xpath(
            ".//*[contains(@class, 'o_portal_access_2fa_status')]"
        )
        self.assertEqual(len(status), 1)
        self.assertEqual(
            status[0].text_content().strip(), "Two-factor authentication: on"
        )
        self.assertIn("text-bg-success", status[0].get("class"))
