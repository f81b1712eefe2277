from datetime import timedelta

from lxml import html

from odoo import fields
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

JANE_PASSWORD = "jane-secret-42"


@tagged("post_install", "-at_install")
class TestLoginChangeRequest(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env, login="pa_sales", groups="base.group_user", name="Sam Sales"
        )
        cls.company_sales = new_test_user(
            cls.env, login="pa_sales2", groups="base.group_user", name="Cora Company"
        )
        cls.fallback = new_test_user(
            cls.env, login="pa_fallback", groups="base.group_user", name="Fay Fallback"
        )
        cls.country_be = cls.env.ref("base.be")
        cls.acme = cls.env["res.partner"].create(
            {"name": "Acme Test", "is_company": True}
        )
        cls.jane = new_test_user(
            cls.env,
            login="jane@example.com",
            groups="base.group_portal",
            password=JANE_PASSWORD,
            name="Jane Doe",
            email="jane@example.com",
        )
        cls.partner = cls.jane.partner_id
        cls.partner.write({"parent_id": cls.acme.id, "user_id": cls.sales.id})
        cls.subtype = cls.env.ref("portal_access.mt_login_change_request")

    def setUp(self):
        super().setUp()
        self.authenticate("jane@example.com", JANE_PASSWORD)

    # helpers

    def _post_request(self, login, message="", csrf_token=True):
        data = {"requested_login": login, "message": message}
        if csrf_token is True:
            data["csrf_token"] = Request.csrf_token(self)
        elif csrf_token:
            data["csrf_token"] = csrf_token
        return self.url_open(
            "/my/account/login/request", data=data, allow_redirects=False
        )

    def _activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )

    def _request_notes(self):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.partner.id),
                ("subtype_id", "=", self.subtype.id),
            ]
        )

    def _confirmations(self):
        return self.env["mail.mail"].search(
            [
                ("email_to", "ilike", "jane@example.com"),
                ("subject", "ilike", "login change request"),
            ]
        )

    def _assert_accepted(self, response):
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(
            response.headers["Location"].endswith("/my/account#portal_access_login")
        )

    def _assert_refused(self, response, message):
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.text)
        alert = tree.xpath(
            "//section[@id='portal_access_login']//div[hasclass('alert-danger')]"
        )
        self.assertTrue(alert, "the refusal is shown on the form")
        self.assertIn(message, alert[0].text_content())
        return tree

    # /my/account

    def test_account_page_shows_login_read_only_and_email_editable(self):
        response = self.url_open("/my/account")
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.text)
        login = tree.xpath("//input[@id='portal_access_login_value']")[0]
        self.assertEqual(login.get("value"), "jane@example.com")
        self.assertIsNotNone(login.get("readonly"))
        self.assertIsNone(login.get("name"), "the login is not a form value")
        self.assertIn(
            "changing your email address above does not change it", response.text
        )
        email = tree.xpath("//form[@name='address_form']//input[@name='email']")[0]
        self.assertIsNone(email.get("readonly"), "the email stays editable")
        form = tree.xpath("//form[@action='/my/account/login/request']")[0]
        self.assertTrue(form.xpath(".//input[@name='csrf_token']"))
        self.assertTrue(form.xpath(".//input[@name='requested_login']"))
        self.assertTrue(form.xpath(".//textarea[@name='message']"))

    # requests

    def test_request_creates_one_activity_for_the_salesperson(self):
        response = self._post_request(
            "J.Doe@Example.com ", message="I married <b>John</b>."
        )
        self._assert_accepted(response)
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sales)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertIn("j.doe@example.com", activity.summary)
        note = self._request_notes()
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.partner)
        self.assertIn("from jane@example.com to j.doe@example.com", note.body)
        self.assertIn(
            "I married &lt;b&gt;John&lt;/b&gt;.",
            note.body,
            "the customer's text is escaped",
        )
        self.assertEqual(
            len(self._confirmations()), 1, "a confirmation mail to the customer"
        )
        self.assertEqual(
            self.jane.login, "jane@example.com", "the login itself does not change"
        )
        page = self.url_open("/my/account")
        self.assertIn("Your request was sent", page.text)
        self.assertNotIn(
            "Your request was sent", self.url_open("/my/account").text, "shown once"
        )

    def test_responsible_falls_back_to_company_salesperson_then_setting(self):
        self.partner.user_id = False
        self.acme.user_id = self.company_sales
        self._assert_accepted(self._post_request("one@example.com"))
        self.acme.user_id = False
        self.env["ir.config_parameter"].set_param(
            "portal_access.login_request_user_id", self.fallback.id
        )
        self._assert_accepted(self._post_request("two@example.com"))
        self.env["ir.config_parameter"].set_param(
            "portal_access.login_request_user_id", False
        )
        self._assert_accepted(self._post_request("three@example.com"))
        activities = self._activities().sorted("id")
        self.assertEqual(
            [activity.user_id for activity in activities],
            [self.company_sales, self.fallback, self.env.ref("base.user_admin")],
            "company salesperson, then the user set in Settings, then the "
            "Administrator",
        )

    def test_fourth_request_within_a_day_is_refused(self):
        for login in ("one@example.com", "two@example.com", "three@example.com"):
            self._assert_accepted(self._post_request(login))
        tree = self._assert_refused(
            self._post_request("four@example.com"),
            "already sent 3 login change requests in the last 24 hours",
        )
        kept = tree.xpath("//input[@name='requested_login']")[0]
        self.assertEqual(
            kept.get("value"), "four@example.com", "the customer's input is kept"
        )
        self.assertEqual(len(self._activities()), 3)
        self.assertEqual(len(self._request_notes()), 3)
        self.assertEqual(len(self._confirmations()), 3)

        # Deleting the to-dos does not reset the count: the notes stay.
        self._activities().unlink()
        self._assert_refused(self._post_request("four@example.com"), "already sent 3")

        # Requests older than 24 hours no longer count.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET create_date = %s WHERE id IN %s",
                fields.Datetime.now() - timedelta(hours=25),
                tuple(self._request_notes().ids),
            )
        )
        self.env.invalidate_all()
        self._assert_accepted(self._post_request("four@example.com"))

    @mute_logger("odoo.http")
    def test_forged_request_without_csrf_token_changes_nothing(self):
        mails_before = self.env["mail.mail"].search([])
        for token in (None, "0123456789abcdef0123456789abcdef01234567o9999999999"):
            with self.subTest(token=token):
                response = self._post_request("forged@example.com", csrf_token=token)
                self.assertEqual(response.status_code, 400)
        self.assertFalse(self._activities())
        self.assertFalse(self._request_notes())
        self.assertFalse(
            self.env["mail.mail"].search([("id", "not in", mails_before.ids)])
        )

    def test_request_failing_half_way_leaves_nothing_behind(self):
        """A refusal raised after the note and the to-do were written (here:
        the confirmation mail cannot be rendered in the customer's stored
        language) rolls them back: staff get no to-do for a request the
        customer was told failed."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'xx_XX' WHERE id = %s", [self.partner.id]
        )
        self.env.invalidate_all()
        with mute_logger("odoo.addons.portal_access.controllers.portal_login"):
            response = self._post_request("j.doe@example.com")
        self.assertEqual(response.status_code, 200)
        self.assertIn("xx_XX", response.text)
        self.assertFalse(self._activities())
        self.assertFalse(self._request_notes())
        self.assertFalse(self._confirmations())

    def test_invalid_login_is_refused_with_a_message(self):
        cases = [
            ("not an email", "is not a valid email address"),
            ("", "The login cannot be empty"),
            ("JANE@example.com", "is already your login"),
        ]
        for login, message in cases:
            with self.subTest(login=login):
                tree = self._assert_refused(
                    self._post_request(login, message="please"), message
                )
                self.assertEqual(
                    tree.xpath("//textarea[@name='message']")[0].text, "please"
                )
        self._assert_refused(
            self._post_request("ok@example.com", message="x" * 1001), "too long"
        )
        self.assertFalse(self._activities())
        self.assertFalse(self._request_notes())
        self.assertFalse(self._confirmations())

    def test_login_of_another_account_is_not_revealed(self):
        other = new_test_user(
            self.env, login="taken@example.com", groups="base.group_portal"
        )
        other.active = False
        taken = self._post_request("Taken@Example.com")
        free = self._post_request("free@example.com")
        self._assert_accepted(taken)
        self._assert_accepted(free)
        self.assertEqual(taken.headers["Location"], free.headers["Location"])
        taken_note, free_note = self._request_notes().sorted("id")
        self.assertIn("already used by another user", taken_note.body, "staff are told")
        self.assertNotIn("already used by another user", free_note.body)
        mails = self._confirmations()
        self.assertEqual(len(mails), 2)
        self.assertFalse(any("already used" in str(mail.body_html) for mail in mails))

    def test_internal_user_cannot_request(self):
        new_test_user(
            self.env,
            login="pa_employee",
            groups="base.group_user",
            password="employee-secret-1",
        )
        self.authenticate("pa_employee", "employee-secret-1")
        page = self.url_open("/my/account")
        self.assertIn('id="portal_access_login_value"', page.text)
        self.assertNotIn(
            "/my/account/login/request", page.text, "no request form for employees"
        )
        self._assert_refused(
            self._post_request("emp@example.com"), "Only customer portal accounts"
        )

    # changing the email

    def _submit_own_address(self, email, callback=None):
        values = {
            "name": "Jane Doe",
            "email": email,
            "street": "Rue de Ramillies 1",
            "city": "Ramillies",
            "zip": "1367",
            "country_id": self.country_be.id,
            "phone": "+3233333333",
            "partner_id": self.partner.id,
            "csrf_token": Request.csrf_token(self),
        }
        if callback:
            values["callback"] = callback
        return self.url_open("/my/address/submit", data=values).json()

    def test_changing_email_keeps_login_and_says_so(self):
        result = self._submit_own_address("jane.private@example.com")
        self.assertIn("redirectUrl", result, result)
        self.assertEqual(self.partner.email, "jane.private@example.com")
        self.assertEqual(
            self.jane.login, "jane@example.com", "the login did not change"
        )
        page = self.url_open(result["redirectUrl"])
        tree = html.fromstring(page.text)
        notice = tree.xpath("//div[hasclass('o_portal_access_login_notice')]")
        self.assertTrue(notice, "the customer is told after saving")
        self.assertIn("jane@example.com", notice[0].text_content())
        self.assertNotIn(
            "o_portal_access_login_notice",
            self.url_open(result["redirectUrl"]).text,
            "once",
        )

        # From the addresses page, the notice shows on the addresses page.
        result = self._submit_own_address(
            "jane.again@example.com", callback="/my/addresses"
        )
        self.assertEqual(result, {"redirectUrl": "/my/addresses"})
        self.assertIn(
            "o_portal_access_login_notice", self.url_open("/my/addresses").text
        )

        # Saving without changing the email says nothing about the login.
        self._submit_own_address("jane.again@example.com")
        self.assertNotIn("o_portal_access_login_notice", self.url_open("/my").text)
