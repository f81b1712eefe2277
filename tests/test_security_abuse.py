"""Brute force and abuse: every guess and every mail a user can trigger is
counted per user (or per contact) and stops at a limit.

* 2FA codes and recovery codes spend one budget per user, core's
  ``auth.totp.rate.limit.log`` ``code_check`` (5 per hour), at the login
  step and when turning 2FA on;
* login change requests: 3 per customer per 24 hours, also when the same
  post is replayed or sent while another one is being processed;
* re-invitations from the popup: 3 invitations per contact per hour; "Re-invite
  all" skips the contacts at the limit and names them;
* the password re-check of sensitive actions (the portal's prompts and
  core's ``@check_identity`` dialog): 10 wrong passwords per user per hour,
  after which even the right password is refused until the hour has passed.

Core's login cooldown counts failures per IP address; an attacker spreads
guesses over many addresses, so these tests switch it off
(``base.login_cooldown_after`` = 0) to show that the per-user limits hold on
their own. Time passing is simulated by moving the log entries back.
"""

import logging
from contextlib import contextmanager

from lxml import html

import odoo
from odoo import http
from odoo.service import security
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tests.common import HOST, Opener
from odoo.tools import mute_logger

from ..models.res_users import (
    IDENTITY_CHECK_LIMIT,
    IDENTITY_CHECK_LIMIT_TYPE,
    INVITE_LIMIT,
)
from .test_portal_security_common import PortalSecurityCase, post_call_kw
from .test_portal_security_recovery import enable_2fa_directly

CODE_LIMIT_MESSAGE = "You reached the limit of code verifications for your account"
IDENTITY_LIMIT_MESSAGE = "You typed a wrong password too many times."
SECURITY_LOGGER = "odoo.addons.portal_access.models.res_users"


class AbuseCase(PortalSecurityCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 0)

    def rate_limit_logs(self, user, limit_type):
        self.env.invalidate_all()
        return (
            self.env["auth.totp.rate.limit.log"]
            .sudo()
            .search([("user_id", "=", user.id), ("limit_type", "=", limit_type)])
        )

    def pass_the_hour(self, user):
        """Move ``user``'s rate-limit entries 61 minutes back."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE auth_totp_rate_limit_log "
            "SET create_date = create_date - interval '61 minutes' "
            "WHERE user_id = %s",
            [user.id],
        )
        self.env.invalidate_all()

    def wrong_code(self, secret):
        """A 6-digit code that is none of the three the server accepts now."""
        valid = {self.code_at(secret, offset) for offset in (-1, 0, 1)}
        return next(
            code
            for code in ("000000", "111111", "222222", "333333")
            if code not in valid
        )

    def error_text(self, tree, xpath="//p[hasclass('alert-danger')]"):
        return self.text(tree, xpath)

    @contextmanager
    def other_transaction_holds(self, partner):
        """A real second database transaction holds ``partner``'s row, as a
        request of the same customer being processed does."""
        # Should anything in the request wait for the other transaction, fail
        # instead of waiting for ever.
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")
        other = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SET lock_timeout = '5s'")
            other.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE",
                [partner.id],
            )
            yield
        finally:
            other.rollback()
            other.close()

    def existing_session(self, user):
        """A session the customer opened earlier (HttpCase.authenticate
        without its sign-in, which would update the contact's access state
        in this transaction and keep its row locked until the test ends)."""
        session = http.root.session_store.new()
        session.update(http.get_default_session(), db=get_db_name())
        session.uid = user.id
        session.login = user.login
        session.session_token = security.compute_session_token(
            session, self.env(user=user)
        )
        session.context = dict(self.env["res.users"].with_user(user).context_get())
        http.root.session_store.save(session)
        self.session = session
        self.opener = Opener(self)
        self.opener.cookies.set("session_id", session.sid, domain=HOST)


@tagged("post_install", "-at_install")
class TestTotpCodeBudget(AbuseCase):
    def test_login_step_codes_and_recovery_codes_share_the_limit(self):
        secret, codes = enable_2fa_directly(self.portal_user)
        self.login(self.portal_user.login, self.PASSWORD)
        wrong = self.wrong_code(secret)
        for _attempt in range(3):
            response, tree = self.totp_step(wrong)
            self.assertIn("double-check the 6-digit code", self.error_text(tree))
        for _attempt in range(2):
            response, tree = self.totp_step("aaaaa-bbbbb", form_index=1)
            self.assertIn("double-check the recovery code", self.error_text(tree))
        self.assertEqual(len(self.rate_limit_logs(self.portal_user, "code_check")), 5)

        # The budget is spent: neither the right code nor a right recovery
        # code gets through, and the recovery code is not used up.
        response, tree = self.totp_step(self.code_at(secret))
        self.assertIn(CODE_LIMIT_MESSAGE, self.error_text(tree))
        response, tree = self.totp_step(codes[0], form_index=1)
        self.assertIn(CODE_LIMIT_MESSAGE, self.error_text(tree))
        self.assertEqual(self.path(response), "/web/login/totp")
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 10)
        response = self.url_open("/my", allow_redirects=False)
        self.assertIn("/web/login", response.headers.get("Location", ""))

        # An hour later, the right recovery code signs in.
        self.pass_the_hour(self.portal_user)
        response, _tree = self.totp_step(codes[0], form_index=1)
        self.assertEqual(self.path(response), "/my")
        self.assertEqual(self.portal_user._portal_access_recovery_code_count(), 9)
        self.assertFalse(
            self.rate_limit_logs(self.portal_user, "code_check"),
            "a right code clears the count, as core does",
        )

    def test_recovery_codes_first_then_a_six_digit_code(self):
        secret, codes = enable_2fa_directly(self.portal_user)
        self.login(self.portal_user.login, self.PASSWORD)
        for typed in ("aaaaa-bbbbb", "ccccc-ddddd", "EEEEE EEEEE", codes[0][::-1]):
            _response, tree = self.totp_step(typed, form_index=1)
            self.assertIn("double-check the recovery code", self.error_text(tree))
        _response, tree = self.totp_step(self.wrong_code(secret))
        self.assertIn("double-check the 6-digit code", self.error_text(tree))
        response, tree = self.totp_step(self.code_at(secret))
        self.assertIn(CODE_LIMIT_MESSAGE, self.error_text(tree))
        self.assertEqual(self.path(response), "/web/login/totp")

    def test_enable_step_is_limited(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        _response, tree = self.get_page("/my/security/2fa/enable")
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        secret = self.text(tree, "//span[@name='secret']").replace(" ", "")
        wrong = self.wrong_code(secret)
        for _attempt in range(5):
            _response, tree = self.submit(
                tree, "/my/security/2fa/enable/confirm", code=wrong
            )
            self.assertIn(
                "Verification failed",
                self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
            )
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable/confirm", code=self.code_at(secret)
        )
        self.assertIn(
            CODE_LIMIT_MESSAGE,
            self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.env.invalidate_all()
        self.assertFalse(self.portal_user.totp_enabled)

        self.pass_the_hour(self.portal_user)
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable/confirm", code=self.code_at(secret)
        )
        self.env.invalidate_all()
        self.assertTrue(self.portal_user.totp_enabled)

    def test_login_step_and_enable_step_share_the_budget(self):
        """Someone who knows Sam's password guesses codes at the login step;
        Sam, signed in elsewhere, turns 2FA off and on again: the guesses
        count there too."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        owner = self.opener
        secret, _codes = self.enable_2fa_by_http()

        attacker = self.new_browser()
        self.login(self.portal_user.login, self.PASSWORD, opener=attacker)
        for _attempt in range(3):
            _response, tree = self.totp_step(self.wrong_code(secret), opener=attacker)
            self.assertIn("double-check the 6-digit code", self.error_text(tree))

        # Sam's own browser: 2FA off (password confirmed minutes ago), on again.
        self.get_page("/my/security", opener=owner)
        _response, tree = self.get_page("/my/security/2fa/disable", opener=owner)
        self.submit(tree, "/my/security/2fa/disable", opener=owner)
        self.env.invalidate_all()
        self.assertFalse(self.portal_user.totp_enabled)
        _response, tree = self.get_page("/my/security/2fa/enable", opener=owner)
        if tree.xpath("//input[@name='password']"):
            _response, tree = self.submit(
                tree, "/my/security/2fa/enable", opener=owner, password=self.PASSWORD
            )
        new_secret = self.text(tree, "//span[@name='secret']").replace(" ", "")
        for _attempt in range(2):
            _response, tree = self.submit(
                tree,
                "/my/security/2fa/enable/confirm",
                opener=owner,
                code=self.wrong_code(new_secret),
            )
        _response, tree = self.submit(
            tree,
            "/my/security/2fa/enable/confirm",
            opener=owner,
            code=self.code_at(new_secret),
        )
        self.assertIn(
            CODE_LIMIT_MESSAGE,
            self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.env.invalidate_all()
        self.assertFalse(self.portal_user.totp_enabled)


@tagged("post_install", "-at_install")
class TestLoginChangeRequestLimit(AbuseCase):
    NOTE_SUBTYPE = "portal_access.mt_login_change_request"

    def request_notes(self, user):
        self.env.invalidate_all()
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", user.partner_id.id),
                ("subtype_id", "=", self.env.ref(self.NOTE_SUBTYPE).id),
            ]
        )

    def request_mails(self, user):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "res.users"),
                ("res_id", "=", user.id),
                ("subject", "=", "We received your login change request"),
            ]
        )

    def request_form(self, login):
        _response, tree = self.get_page("/my/account")
        values = self.form_values(tree, "/my/account/login/request")
        values.update(requested_login=login, message="Please change it.")
        return values

    def test_replayed_post_sends_three_requests(self):
        """The same post (same CSRF token) sent five times: three requests,
        then the limit message; no fourth note, mail or to-do."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        values = self.request_form("sam.new@example.com")
        activities_before = self.env["mail.activity"].search_count([])
        for attempt in range(5):
            response = self._open("/my/account/login/request", data=values)
            self.assertEqual(response.status_code, 200)
            if attempt < 3:
                self.assertIn("Your request was sent.", response.text)
            else:
                self.assertIn(
                    "You have already sent 3 login change requests in the last 24 "
                    "hours.",
                    response.text,
                )
        self.assertEqual(len(self.request_notes(self.portal_user)), 3)
        self.assertEqual(len(self.request_mails(self.portal_user)), 3)
        self.assertEqual(
            self.env["mail.activity"].search_count([]) - activities_before, 3
        )

    def test_request_while_another_is_processed(self):
        """A second request sent while the first one is still being processed
        (a real second database transaction holds the customer's contact)
        is refused cleanly, without writing anything; sent again afterwards,
        it goes through."""
        jane = self.env.ref("portal_access.user_acme_jane", raise_if_not_found=False)
        if not jane:
            self.skipTest("needs a contact committed in the database: demo data")
        self.existing_session(jane)
        values = {
            "csrf_token": http.Request.csrf_token(self),
            "requested_login": "jane.new@acme.example.com",
            "message": "",
        }
        notes_before = len(self.request_notes(jane))
        with self.other_transaction_holds(jane.partner_id):
            response = self._open("/my/account/login/request", data=values)
            self.assertEqual(response.status_code, 200)
            self.assertIn(
                "Another request of yours is being processed. Please try again.",
                response.text,
            )
            self.assertEqual(len(self.request_notes(jane)), notes_before)
            self.assertFalse(self.request_mails(jane))
        response = self._open("/my/account/login/request", data=values)
        self.assertIn("Your request was sent.", response.text)
        self.assertEqual(len(self.request_notes(jane)), notes_before + 1)


@tagged("post_install", "-at_install")
class TestReinviteLimit(AbuseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = new_test_user(
            cls.env,
            login="pa_abuse_staff",
            name="Petra Staff",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.company = cls.env["res.partner"].create(
            {"name": "Noord Trading", "is_company": True}
        )
        cls.jan = cls.env["res.partner"].create(
            {
                "name": "Jan Noord",
                "email": "jan@noord.example.com",
                "parent_id": cls.company.id,
            }
        )
        cls.kim = cls.env["res.partner"].create(
            {
                "name": "Kim Noord",
                "email": "kim@noord.example.com",
                "parent_id": cls.company.id,
            }
        )

    def open_popup(self, partners):
        action = (
            self.env["portal.wizard"]
            .with_user(self.staff)
            .with_context(active_ids=partners.ids, active_model="res.partner")
            .action_open_wizard()
        )
        return (
            self.env["portal.wizard"]
            .with_user(self.staff)
            .with_context(**action["context"])
            .browse(action["res_id"])
        )

    def line_of(self, wizard, partner):
        self.env.invalidate_all()
        return wizard.user_ids.filtered(lambda line: line.partner_id == partner)

    def invitations(self, partner):
        user = partner.with_context(active_test=False).user_ids
        return self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "in", user.ids)]
        )

    def test_reinvite_is_limited_per_contact(self):
        wizard = self.open_popup(self.company)
        wizard.action_grant_all()  # invitation 1 for Jan and Kim
        jan_line = self.line_of(wizard, self.jan)
        for _attempt in range(INVITE_LIMIT - 1):  # invitations 2 and 3 for Jan
            jan_line.action_invite_again()
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)

        with self.assertRaisesRegex(
            Exception,
            "Cannot invite “Noord Trading, Jan Noord” again: already invited 3 "
            "times in the last hour; try again later.",
        ):
            jan_line.action_invite_again()
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)

        # "Re-invite all" invites Kim and names Jan in its summary.
        wizard.action_invite_all()
        summary = wizard.portal_access_summary
        self.assertIn("Re-invited: 1", summary)
        self.assertIn(
            "Noord Trading, Jan Noord: already invited 3 times in the last hour; "
            "try again later",
            summary,
        )
        self.assertEqual(len(self.invitations(self.kim)), 2)
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)

        # An hour later Jan can be invited again.
        self.pass_the_hour(self.jan.user_ids)
        jan_line.action_invite_again()
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT + 1)

    def test_revoke_and_grant_again_counts_as_an_invitation(self):
        """Grant after a revocation sends an invitation too: cycling grant
        and revoke must not get round the limit."""
        wizard = self.open_popup(self.jan)
        jan_line = self.line_of(wizard, self.jan)
        for _cycle in range(INVITE_LIMIT):
            jan_line.action_grant_access()
            jan_line = self.line_of(wizard, self.jan)
            jan_line.action_revoke_access()
            jan_line = self.line_of(wizard, self.jan)
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)
        with self.assertRaisesRegex(
            Exception,
            "Cannot grant portal access to “Noord Trading, Jan Noord”: already "
            "invited 3 times in the last hour; try again later.",
        ):
            jan_line.action_grant_access()
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)
        self.assertFalse(self.jan.with_context(active_test=False).user_ids.active)
        # "Grant all" leaves Jan out and names him.
        wizard.action_grant_all()
        self.assertIn(
            "Noord Trading, Jan Noord: already invited 3 times in the last hour",
            wizard.portal_access_summary,
        )
        self.assertEqual(len(self.invitations(self.jan)), INVITE_LIMIT)


@tagged("post_install", "-at_install")
class TestIdentityCheckLimit(AbuseCase):
    def confirm_page(self, url="/my/security/2fa/enable"):
        _response, tree = self.get_page(url)
        self.assertTrue(tree.xpath("//input[@name='password']"))
        return tree

    def typo_until_blocked(self, tree, url="/my/security/2fa/enable", count=None):
        for _attempt in range(IDENTITY_CHECK_LIMIT if count is None else count):
            _response, tree = self.submit(tree, url, password="not-my-password")
            self.assertIn(
                "Wrong password",
                self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
            )
        return tree

    def test_check_while_another_is_running(self):
        """Passwords sent at the same instant all counted from the same
        number and passed the limit. A re-check sent while another of the
        same user is being processed (a real second database transaction
        holds the turn) is refused without checking the password or counting
        it; sent again afterwards, it goes through."""
        jane = self.env.ref("portal_access.user_acme_jane", raise_if_not_found=False)
        self.assertTrue(jane, "needs a contact committed in the database: demo data")
        self.existing_session(jane)
        values = {
            "csrf_token": http.Request.csrf_token(self),
            "password": "portal-demo",
        }

        def post(data):
            response = self._open("/my/security/2fa/enable", data=data)
            self.assertEqual(response.status_code, 200)
            return html.fromstring(response.content)

        with self.other_transaction_holds(jane.partner_id):
            for password in ("not-her-password", "portal-demo"):
                tree = post({**values, "password": password})
                self.assertIn(
                    "Another check of your password is in progress.",
                    self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
                )
                self.assertFalse(tree.xpath("//span[@name='secret']"), "no QR code")
            self.assertFalse(self.rate_limit_logs(jane, IDENTITY_CHECK_LIMIT_TYPE))
        tree = post(values)
        self.assertTrue(tree.xpath("//span[@name='secret']"), "the QR code page")

    def test_portal_prompt_blocks_after_the_limit(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        tree = self.typo_until_blocked(self.confirm_page())
        self.assertEqual(
            len(self.rate_limit_logs(self.portal_user, IDENTITY_CHECK_LIMIT_TYPE)),
            IDENTITY_CHECK_LIMIT,
        )
        # The right password is refused now, with a message and a log line.
        with self.assertLogs(SECURITY_LOGGER, logging.INFO) as logs:
            _response, tree = self.submit(
                tree, "/my/security/2fa/enable", password=self.PASSWORD
            )
        self.assertIn(
            IDENTITY_LIMIT_MESSAGE,
            self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        self.assertFalse(tree.xpath("//span[@name='secret']"), "no QR code")
        self.assertTrue(
            any(
                "portal_access security: identity_check_blocked for user "
                f"#{self.portal_user.id}" in line
                for line in logs.output
            ),
            logs.output,
        )
        # Every prompt of the portal is blocked: the password change...
        _response, tree = self.get_page("/my/security")
        response, _tree = self.submit(
            tree,
            "/my/security",
            old=self.PASSWORD,
            new1="Brand-new-pass-1",
            new2="Brand-new-pass-1",
        )
        self.assertIn(IDENTITY_LIMIT_MESSAGE, response.text)
        self.assertEqual(
            self.path(
                self.login(self.portal_user.login, self.PASSWORD, self.new_browser())
            ),
            "/my",
            "the password did not change",
        )
        # ... and the account deletion.
        _response, tree = self.get_page("/my/security")
        response, _tree = self.submit(
            tree,
            "/my/deactivate_account",
            validation=self.portal_user.login,
            password=self.PASSWORD,
        )
        self.assertIn(IDENTITY_LIMIT_MESSAGE, response.text)
        self.env.invalidate_all()
        self.assertTrue(self.portal_user.active)

        # An hour later, the right password works again.
        self.pass_the_hour(self.portal_user)
        _response, tree = self.submit(
            self.confirm_page(), "/my/security/2fa/enable", password=self.PASSWORD
        )
        self.assertTrue(tree.xpath("//span[@name='secret']"), "the QR code")
        self.assertFalse(
            self.rate_limit_logs(self.portal_user, IDENTITY_CHECK_LIMIT_TYPE)
        )

    def run_check(self, wizard_id, password):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.users.identitycheck/run_check",
            {
                "model": "res.users.identitycheck",
                "method": "run_check",
                "args": [wizard_id],
                "kwargs": {"context": {"password": password}},
            },
        )

    def call_button(self, model, method, record_id):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": [record_id], "kwargs": {}},
        )

    def rpc_error(self, wizard_id, password):
        """The error of core's dialog, as its JavaScript receives it (the
        refusal is also logged by odoo.http as a warning: muted)."""
        with mute_logger("odoo.http"):
            response = self._rpc_check(wizard_id, password)
        return response.json()["error"]["data"]

    def _rpc_check(self, wizard_id, password):
        return post_call_kw(
            self,
            "res.users.identitycheck",
            "run_check",
            [wizard_id],
            {"context": {"password": password}},
        )

    def test_core_dialog_blocks_after_the_limit(self):
        """Core's @check_identity dialog (back office, portal JavaScript)
        counts wrong passwords although its error rolls the transaction back,
        and shares the budget with the portal's prompts."""
        staff = new_test_user(
            self.env,
            login="pa_identity_staff",
            password="Staff-pass-2026",
            groups="base.group_user",
        )
        self.authenticate(staff.login, "Staff-pass-2026")
        action = self.call_button("res.users", "api_key_wizard", staff.id)
        self.assertEqual(action["res_model"], "res.users.identitycheck")
        wizard_id = action["res_id"]
        for _attempt in range(IDENTITY_CHECK_LIMIT):
            error = self.rpc_error(wizard_id, "not-my-password")
            self.assertEqual(error["name"], "odoo.exceptions.UserError")
            self.assertIn("Incorrect Password", error["message"])
        self.assertEqual(
            len(self.rate_limit_logs(staff, IDENTITY_CHECK_LIMIT_TYPE)),
            IDENTITY_CHECK_LIMIT,
            "counted although each refusal rolled its transaction back",
        )
        error = self.rpc_error(wizard_id, "Staff-pass-2026")
        self.assertIn(IDENTITY_LIMIT_MESSAGE, error["message"])
        # Still not confirmed: the action asks for the password again.
        action = self.call_button("res.users", "api_key_wizard", staff.id)
        self.assertEqual(action["res_model"], "res.users.identitycheck")

        self.pass_the_hour(staff)
        result = self.run_check(action["res_id"], "Staff-pass-2026")
        self.assertEqual(result["res_model"], "res.users.apikeys.description")

    def test_portal_and_dialog_share_the_budget(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        tree = self.typo_until_blocked(
            self.confirm_page(), count=IDENTITY_CHECK_LIMIT - 4
        )
        action = self.call_button(
            "res.users", "portal_access_action_check_identity", self.portal_user.id
        )
        for _attempt in range(4):
            error = self.rpc_error(action["res_id"], "not-my-password")
            self.assertIn("Incorrect Password", error["message"])
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        self.assertIn(
            IDENTITY_LIMIT_MESSAGE,
            self.error_text(tree, "//div[hasclass('o_portal_access_error')]"),
        )
        error = self.rpc_error(action["res_id"], self.PASSWORD)
        self.assertIn(IDENTITY_LIMIT_MESSAGE, error["message"])

    def test_right_password_clears_the_count(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        tree = self.typo_until_blocked(
            self.confirm_page(), count=IDENTITY_CHECK_LIMIT - 1
        )
        _response, tree = self.submit(
            tree, "/my/security/2fa/enable", password=self.PASSWORD
        )
        self.assertTrue(tree.xpath("//span[@name='secret']"))
        self.assertFalse(
            self.rate_limit_logs(self.portal_user, IDENTITY_CHECK_LIMIT_TYPE)
        )

    def rpc_change_password(self, old, new):
        """Core's own-password change called over RPC, as a script would."""
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/web/dataset/call_kw/res.users/change_password",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 0,
                    "params": {
                        "model": "res.users",
                        "method": "change_password",
                        "args": [old, new],
                        "kwargs": {},
                    },
                },
            )
        return response.json()

    def test_rpc_password_change_has_the_page_rules(self):
        """``res.users.change_password`` over RPC: wrong current passwords
        count against the same limit, and the minimum length holds."""
        self.authenticate(self.portal_user.login, self.PASSWORD)
        short = self.rpc_change_password(self.PASSWORD, "abc")
        self.assertIn("too short", short["error"]["data"]["message"])
        for _attempt in range(IDENTITY_CHECK_LIMIT):
            error = self.rpc_change_password("not-my-password", "Brand-new-pass-1")
            self.assertEqual(
                error["error"]["data"]["name"], "odoo.exceptions.AccessDenied"
            )
        self.assertEqual(
            len(self.rate_limit_logs(self.portal_user, IDENTITY_CHECK_LIMIT_TYPE)),
            IDENTITY_CHECK_LIMIT,
        )
        blocked = self.rpc_change_password(self.PASSWORD, "Brand-new-pass-1")
        self.assertIn(IDENTITY_LIMIT_MESSAGE, blocked["error"]["data"]["message"])
        self.assertEqual(
            self.path(
                self.login(self.portal_user.login, self.PASSWORD, self.new_browser())
            ),
            "/my",
            "the password did not change",
        )
        self.pass_the_hour(self.portal_user)
        self.assertIs(
            self.rpc_change_password(self.PASSWORD, "Brand-new-pass-1")["result"], True
        )
        self.assertFalse(
            self.rate_limit_logs(self.portal_user, IDENTITY_CHECK_LIMIT_TYPE)
        )
