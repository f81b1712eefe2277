import re
from types import SimpleNamespace
from urllib.parse import urlsplit

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import _request_stack
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged

JANE_PASSWORD = "jane-secret-42"
ADMIN_PASSWORD = "admin-secret-42"


class LoginChangeCommon:
    """Jane, portal user of Acme Test, and an administrator."""

    @classmethod
    def _setup_login_change_data(cls):
        # The lowest rights that may change logins: Access Rights, without
        # Contact Creation.
        cls.admin = new_test_user(
            cls.env,
            login="pa_login_admin",
            groups="base.group_user,base.group_erp_manager",
            password=ADMIN_PASSWORD,
            name="Ada Admin",
            email="ada.admin@example.com",
        )
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
        cls.jane.partner_id.parent_id = cls.acme

    def _open_wizard(self, record):
        """Open the wizard as the administrator from a contact or a user."""
        return Form(
            self.env["portal.login.change"]
            .with_user(self.admin)
            .with_context(
                active_model=record._name, active_id=record.id, active_ids=record.ids
            )
        )

    def _confirm(self, form):
        """Click "Change Login" as the administrator, pass core's identity
        check with the administrator's password, return the final action."""
        wizard = form.save()
        # As core's own identity check test does: check_identity needs a
        # request; this one stands for the administrator's backend (not
        # frontend) request, with a fresh session.
        session = http.root.session_store.new()
        _request_stack.push(
            SimpleNamespace(session=session, env=wizard.env, is_frontend=False)
        )
        try:
            action = wizard.action_confirm()
            if action.get("res_model") == "res.users.identitycheck":
                check = Form(
                    self.env[action["res_model"]]
                    .with_user(self.admin)
                    .browse(action["res_id"])
                )
                check.password = ADMIN_PASSWORD
                check = check.save()
                action = check.with_context(password=ADMIN_PASSWORD).run_check()
        finally:
            _request_stack.pop()
        self.assertTrue(
            session.get("identity-check-last"), "the identity check was passed"
        )
        return action

    def _new_mails(self, before):
        return self.env["mail.mail"].search([("id", "not in", before.ids)])

    def _login_notes(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("body", "ilike", "Portal login changed"),
            ]
        )


@tagged("post_install", "-at_install")
class TestLoginChangeWizard(LoginChangeCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_login_change_data()

    def _assert_nothing_changed(self, mails_before):
        self.jane.invalidate_recordset()
        self.assertEqual(self.jane.login, "jane@example.com")
        self.assertEqual(self.jane.partner_id.email, "jane@example.com")
        self.assertFalse(self._new_mails(mails_before), "no notice sent")
        self.assertFalse(self._login_notes(self.jane.partner_id), "no history note")

    def test_email_option_changes_login_and_email(self):
        mails_before = self.env["mail.mail"].search([])
        form = self._open_wizard(self.jane.partner_id)
        self.assertEqual(form.current_login, "jane@example.com")
        self.assertFalse(form.update_email, "the email option is off by default")
        form.new_login = "j.doe@example.com"
        form.update_email = True
        action = self._confirm(form)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.jane.login, "j.doe@example.com")
        self.assertEqual(self.jane.partner_id.email, "j.doe@example.com")
        mails = self._new_mails(mails_before)
        self.assertEqual(
            sorted(mails.mapped("email_to")), ["j.doe@example.com", "jane@example.com"]
        )
        note = self._login_notes(self.jane.partner_id)
        self.assertEqual(len(note), 1)
        self.assertIn("The contact email changed with it", note.body)

    def test_change_closes_the_customers_request(self):
        """The to-do of Jane's request for the login staff now give her is
        done; a request for another login stays open."""
        self.jane.partner_id.user_id = self.admin
        self.jane.sudo()._portal_access_request_login_change("J.Doe@example.com")
        self.jane.sudo()._portal_access_request_login_change("other@example.com")
        # The login asked for here ends with the one given: not the same.
        self.jane.sudo()._portal_access_request_login_change("xj.doe@example.com")
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.jane.partner_id.id),
            ]
        )
        self.assertEqual(len(activities), 3)
        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "j.doe@example.com"
        self._confirm(form)
        self.assertEqual(
            sorted(activities.exists().filtered("active").mapped("summary")),
            [
                "Change portal login to other@example.com",
                "Change portal login to xj.doe@example.com",
            ],
        )
        done = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.jane.partner_id.id),
                ("body", "ilike", "Login changed to j.doe@example.com"),
            ]
        )
        self.assertEqual(len(done), 1)

    def test_opened_from_the_user_form(self):
        form = self._open_wizard(self.jane)
        self.assertEqual(form.current_login, "jane@example.com")
        self.assertEqual(form.partner_id, self.jane.partner_id)
        form.new_login = "  Jane.Doe@EXAMPLE.com "
        self._confirm(form)
        self.assertEqual(
            self.jane.login, "jane.doe@example.com", "trimmed and lower-cased"
        )

    def test_login_of_an_archived_user_is_refused_and_named(self):
        other = new_test_user(
            self.env,
            login="j.doe@example.com",
            groups="base.group_portal",
            name="Old Jane",
        )
        other.active = False
        mails_before = self.env["mail.mail"].search([])
        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "J.Doe@Example.com "
        with self.assertRaises(UserError) as caught:
            form.save().action_confirm()
        message = caught.exception.args[0]
        self.assertIn("archived user Old Jane", message)
        self.assertIn("j.doe@example.com", message)
        self._assert_nothing_changed(mails_before)

    def test_login_of_an_active_user_is_refused(self):
        new_test_user(
            self.env,
            login="Taken@Example.com",
            groups="base.group_portal",
            name="Taken User",
        )
        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "taken@example.com"
        with self.assertRaisesRegex(UserError, "already used by the user Taken User"):
            form.save().action_confirm()
        self.assertEqual(self.jane.login, "jane@example.com")

    def test_invalid_or_empty_login_is_refused(self):
        mails_before = self.env["mail.mail"].search([])
        for bad in (
            "not an email",
            "",
            "   ",
            "jane@localhost",
            "Jane <j@example.com>",
            # Look like another address: zero-width space, right-to-left
            # override, non-breaking space.
            "jane\u200b@example.com",
            "jane@evil\u202emoc.elpmaxe",
            "jane\u00a0doe@example.com",
            "jane\u034f@example.com",
            "jane\u3164@example.com",
        ):
            # Created directly: the view's required flag is no protection.
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.env["portal.login.change"].with_user(self.admin).create(
                    {"user_id": self.jane.id, "new_login": bad}
                ).action_confirm()
        self._assert_nothing_changed(mails_before)

    def test_same_login_is_refused(self):
        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "JANE@example.com"
        with self.assertRaisesRegex(UserError, "already the login of Jane Doe"):
            form.save().action_confirm()

    def test_refused_for_internal_user_and_contact_without_user(self):
        employee = new_test_user(
            self.env, login="anna@example.com", groups="base.group_user", name="Anna"
        )
        without_user = self.env["res.partner"].create(
            {"name": "John", "email": "john@example.com"}
        )
        with self.assertRaisesRegex(UserError, "Anna is an internal user"):
            self._open_wizard(employee.partner_id)
        with self.assertRaisesRegex(UserError, "Anna is an internal user"):
            self._open_wizard(employee)
        with self.assertRaisesRegex(UserError, "John has no user"):
            self._open_wizard(without_user)
        # A forged wizard on the internal user is refused on confirm as well.
        wizard = (
            self.env["portal.login.change"]
            .with_user(self.admin)
            .create({"user_id": employee.id, "new_login": "anna.new@example.com"})
        )
        with self.assertRaisesRegex(UserError, "internal user"):
            wizard.action_confirm()
        self.assertEqual(employee.login, "anna@example.com")

    def test_refused_for_several_contacts(self):
        other = self.env["res.partner"].create({"name": "Other"})
        with self.assertRaisesRegex(UserError, "Select one contact"):
            Form(
                self.env["portal.login.change"]
                .with_user(self.admin)
                .with_context(
                    active_model="res.partner",
                    active_ids=(other | self.jane.partner_id).ids,
                )
            )

    def test_reachable_from_contact_action_menu_and_user_form(self):
        action = self.env.ref("portal_access.portal_login_change_action")
        bindings = (
            self.env["ir.actions.actions"]
            .with_user(self.admin)
            .get_bindings("res.partner")
        )
        self.assertIn(action.id, [binding["id"] for binding in bindings["action"]])
        clerk = new_test_user(
            self.env,
            login="pa_clerk2",
            groups="base.group_user,base.group_partner_manager",
        )
        bindings = (
            self.env["ir.actions.actions"].with_user(clerk).get_bindings("res.partner")
        )
        self.assertNotIn(
            action.id, [binding["id"] for binding in bindings.get("action", [])]
        )
        form_view = self.env.ref("base.view_users_form")
        arch = (
            self.env["res.users"]
            .with_user(self.admin)
            .get_views([(form_view.id, "form")])["views"]["form"]["arch"]
        )
        self.assertIn(f'name="{action.id}"', arch)
        self.assertIn("Change portal login", arch)

    def test_only_access_rights_managers_may_use_it(self):
        clerk = new_test_user(
            self.env,
            login="pa_clerk",
            groups="base.group_user,base.group_partner_manager",
        )
        with self.assertRaises(AccessError):
            self.env["portal.login.change"].with_user(clerk).create(
                {"user_id": self.jane.id, "new_login": "x@example.com"}
            )


@tagged("post_install", "-at_install")
class TestLoginChangeHttp(LoginChangeCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_login_change_data()

    def _web_login(self, login, password):
        """Sign in through the real login form; return the final response."""
        self.url_open("/web/session/logout", allow_redirects=True)
        page = self.url_open("/web/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            "/web/login",
            data={
                "login": login,
                "password": password,
                "csrf_token": csrf,
                "redirect": "/my",
            },
        )

    def test_change_login_without_email_option(self):
        # Jane has an authenticated session open.
        self.authenticate("jane@example.com", JANE_PASSWORD)
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)

        mails_before = self.env["mail.mail"].search([])
        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "j.doe@example.com"
        self._confirm(form)
        self.env.flush_all()

        self.assertEqual(self.jane.login, "j.doe@example.com")
        self.assertEqual(
            self.jane.partner_id.email, "jane@example.com", "the contact email stays"
        )

        # Her session ends at its next request, and her device list no
        # longer shows it as signed in.
        response = self.url_open("/my", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self.assertFalse(
            self.env["res.device"].sudo().search([("user_id", "=", self.jane.id)])
        )

        # Two notices: one to the old address, one to the new.
        mails = self._new_mails(mails_before)
        self.assertEqual(len(mails), 2)
        by_address = {mail.email_to: mail for mail in mails}
        self.assertEqual(set(by_address), {"jane@example.com", "j.doe@example.com"})
        self.assertIn("has changed", by_address["jane@example.com"].subject)
        self.assertIn(
            "j.doe@example.com", str(by_address["jane@example.com"].body_html)
        )
        self.assertIn("Your new login", by_address["j.doe@example.com"].subject)

        # One history note: who changed what from what to what.
        note = self._login_notes(self.jane.partner_id)
        self.assertEqual(len(note), 1)
        for part in ("Ada Admin", "jane@example.com", "j.doe@example.com"):
            self.assertIn(part, note.body)
        self.assertEqual(note.author_id, self.admin.partner_id)

        # The new login with the old password signs in; the old login no longer does.
        response = self._web_login("j.doe@example.com", JANE_PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertIn("Jane Doe", response.text)
        response = self._web_login("jane@example.com", JANE_PASSWORD)
        self.assertIn("Wrong login/password", response.text)

    def test_change_login_voids_links_sent_to_the_old_address(self):
        """A reset-password link mailed to the old address must not let its
        reader set the password of the account under its new login."""
        partner = self.jane.partner_id.sudo()
        partner.signup_prepare(signup_type="reset")
        link = urlsplit(partner._get_signup_url())
        self.assertIn("/web/reset_password", link.path)
        self.assertNotIn(
            "Invalid signup token", self.url_open(f"{link.path}?{link.query}").text
        )

        form = self._open_wizard(self.jane.partner_id)
        form.new_login = "j.doe@example.com"
        self._confirm(form)
        self.env.flush_all()

        self.authenticate(None, None)
        self.assertIn(
            "Invalid signup token", self.url_open(f"{link.path}?{link.query}").text
        )
