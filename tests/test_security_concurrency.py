"""Concurrency of the portal access popup, with real PostgreSQL transactions.

Every scenario runs two transactions on two real cursors in two threads. The
interleaving is fixed with events and barriers (never a sleep), and each
transaction runs inside ``odoo.service.model.retrying``: the function Odoo
wraps around every RPC and HTTP request, which rolls back and replays a
transaction that lost a serialization conflict. What a staff member sees is
what the loser's last attempt raises.

The data of these tests must be committed to be seen by two transactions; it
is created and removed by each test (``make test`` uses a throw-away database
anyway).
"""

import logging
import threading
from contextlib import contextmanager
from functools import partial

from odoo import api, http
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.service.security import check_session
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

PASSWORD = "Race-pass-2026"
# Longest a thread may wait for the other one before the test fails (a
# deadlock guard, not a synchronisation).
TIMEOUT = 60


class ConcurrencyCase(BaseCase):
    """Two staff members with Contact Creation rights and a customer company,
    committed; helpers to run transactions as Odoo's dispatcher does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        # The test runner holds the registry lock while tests run; the other
        # thread's environments (``Registry(dbname)``) would wait for it
        # forever. HttpCase lifts it the same way for its HTTP server threads.
        self.patch(Registry, "_lock", DummyRLock())
        self.created = {"res.users": [], "res.partner": []}
        self.addCleanup(self._remove_committed_data)
        with self.transaction() as env:
            staff = "base.group_user,base.group_partner_manager"
            self.staff_a = self.new_user(
                env, "pa_race_staff_a", "Rachel Race Staff", staff
            )
            self.staff_b = self.new_user(
                env, "pa_race_staff_b", "Ricardo Race Staff", staff
            )
            self.company_id = self.new_partner(
                env, {"name": "Race Conditions Ltd", "is_company": True}
            )

    # -- committed data -----------------------------------------------------

    @contextmanager
    def transaction(self, uid=api.SUPERUSER_ID, context=None):
        """A transaction committed at the end: ``with self.transaction() as
        env:`` (a cursor used as a context manager commits when no error
        went through)."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid, dict(context or {}))

    def new_user(self, env, login, name, groups, **values):
        """Create a user; return its id (records do not outlive their
        transaction's cursor)."""
        user = new_test_user(
            env, login=login, name=name, password=PASSWORD, groups=groups, **values
        )
        self.created["res.users"].append(user.id)
        self.created["res.partner"].append(user.partner_id.id)
        return user.id

    def new_partner(self, env, values):
        partner = env["res.partner"].create(values)
        self.created["res.partner"].append(partner.id)
        return partner.id

    def new_contact(self, env, name, email):
        return self.new_partner(
            env, {"name": name, "email": email, "parent_id": self.company_id}
        )

    def open_popup(self, staff_id, partner_id, email=None):
        """Open the popup on ``partner_id`` as ``staff`` in its own committed
        transaction, as the web client does (one request to open it, another
        one for each button); return the id of the contact's line. ``email``
        is what the staff member typed in the line's email column."""
        with self.transaction(staff_id) as env:
            partner = env["res.partner"].browse(partner_id)
            action = (
                env["portal.wizard"]
                .with_context(active_ids=partner.ids, active_model="res.partner")
                .action_open_wizard()
            )
            wizard = env["portal.wizard"].browse(action["res_id"])
            line = wizard.user_ids.filtered(lambda line: line.partner_id == partner)
            if email:
                line.email = email
            return line.id

    def _remove_committed_data(self):
        with self.transaction() as env:
            users = (
                env["res.users"]
                .with_context(active_test=False)
                .browse(self.created["res.users"])
            )
            users |= (
                env["res.users"]
                .with_context(active_test=False)
                .search([("partner_id", "in", self.created["res.partner"])])
            )
            partners = (
                env["res.partner"]
                .with_context(active_test=False)
                .browse(self.created["res.partner"])
                .exists()
            )
            env["mail.mail"].search(
                [("model", "=", "res.users"), ("res_id", "in", users.ids)]
            ).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
            ).unlink()
            env["portal.wizard"].search([("create_uid", "in", users.ids)]).unlink()
            env["res.device.log"].search([("user_id", "in", users.ids)]).unlink()
            env["res.users.log"].search([("create_uid", "in", users.ids)]).unlink()
            users.exists().unlink()
            partners.exists().unlink()

    # -- transactions as Odoo runs them -----------------------------------------

    def run_retrying(self, uid, func, context=None):
        """Run ``func(env)`` in a new transaction the way Odoo's RPC and HTTP
        dispatchers do (``retrying``: replayed after a serialization failure,
        then committed).

        :return: ``(result or exception, number of attempts)``
        """
        attempts = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, dict(context or {}))

            def attempt():
                attempts.append(len(attempts) + 1)
                return func(env, len(attempts))

            try:
                return retrying(attempt, env), len(attempts)
            except Exception as e:  # noqa: BLE001 - the outcome is asserted
                return e, len(attempts)

    def in_thread(self, target):
        """Start ``target`` in a thread; return a function joining it and
        giving ``target``'s return value (or raising its exception)."""
        outcome = {}

        def run():
            try:
                outcome["value"] = target()
            except BaseException as e:  # noqa: BLE001 - re-raised in join()
                outcome["error"] = e

        thread = threading.Thread(target=run, daemon=True)
        thread.start()

        def join():
            thread.join(TIMEOUT)
            self.assertFalse(thread.is_alive(), "a transaction hung")
            if "error" in outcome:
                raise outcome["error"]
            return outcome["value"]

        return join

    def users_of(self, env, partner_id):
        return (
            env["res.users"]
            .with_context(active_test=False)
            .search([("partner_id", "=", partner_id)])
        )


@tagged("post_install", "-at_install")
class TestSecurityConcurrency(ConcurrencyCase):
    def grant(self, staff_id, line_id, barrier=None):
        """Click "Grant Access" on the line ``line_id`` as ``staff``; with
        ``barrier``, wait there on the first attempt once the (stale) state
        is read, so that both transactions start from the same picture."""

        def click(env, attempt):
            line = env["portal.wizard.user"].browse(line_id)
            if attempt == 1:
                # Both staff members see a contact without access.
                assert not line.is_portal and not line.user_id
                if barrier:
                    barrier.wait(TIMEOUT)
            line.action_grant_access()
            return line.user_id.id

        return self.run_retrying(
            staff_id, click, context={"portal_access_queue_mail": True}
        )

    @mute_logger("odoo.service.model")
    def test_simultaneous_grants_of_one_contact_make_one_user(self):
        """Two staff members click Grant Access for the same contact at the
        same moment, with different emails in their popups: one user, one
        invitation, and the other staff member gets the popup's message."""
        with self.transaction() as env:
            rita = self.new_contact(env, "Rita Race", "rita@race.example.com")
        line_a = self.open_popup(self.staff_a, rita)
        line_b = self.open_popup(self.staff_b, rita, email="rita.b@race.example.com")

        barrier = threading.Barrier(2)
        join_a = self.in_thread(lambda: self.grant(self.staff_a, line_a, barrier))
        join_b = self.in_thread(lambda: self.grant(self.staff_b, line_b, barrier))
        outcomes = [join_a(), join_b()]

        winners = [o for o in outcomes if isinstance(o[0], int)]
        losers = [o for o in outcomes if not isinstance(o[0], int)]
        self.assertEqual(len(winners), 1, outcomes)
        self.assertEqual(len(losers), 1, outcomes)
        error, attempts = losers[0]
        self.assertIsInstance(error, UserError)
        self.assertEqual(
            str(error),
            "Cannot grant portal access to “Race Conditions Ltd, Rita Race”: "
            "already has portal access.",
        )
        self.assertEqual(attempts, 2, "the loser was replayed once, after the winner")
        with self.transaction() as env:
            users = self.users_of(env, rita)
            self.assertEqual(len(users), 1, "exactly one user")
            self.assertEqual(users.id, winners[0][0])
            self.assertTrue(users.active and users._is_portal())
            invitations = env["mail.mail"].search(
                [("model", "=", "res.users"), ("res_id", "=", users.id)]
            )
            self.assertEqual(len(invitations), 1, "exactly one invitation")
            login = users.login
        _logger.info(
            "concurrency: simultaneous grants -> 1 user (%s), loser replayed "
            "%s time(s) and told: %s",
            login,
            attempts - 1,
            error,
        )

    @mute_logger("odoo.service.model")
    def test_grant_after_a_committed_grant_gets_the_message(self):
        """Explicit order: B reads the contact (no access), A grants and
        commits, then B clicks: B's first attempt fails on the contact's lock
        with a serialization error, the replay says "already has access"."""
        with self.transaction() as env:
            rob = self.new_contact(env, "Rob Race", "rob@race.example.com")
        line_a = self.open_popup(self.staff_a, rob)
        line_b = self.open_popup(self.staff_b, rob)
        b_has_read = threading.Event()
        a_committed = threading.Event()

        def grant_b():
            def click(env, attempt):
                line = env["portal.wizard.user"].browse(line_b)
                if attempt == 1:
                    assert not line.is_portal
                    b_has_read.set()
                    a_committed.wait(TIMEOUT)
                line.action_grant_access()

            return self.run_retrying(
                self.staff_b, click, context={"portal_access_queue_mail": True}
            )

        join_b = self.in_thread(grant_b)
        self.assertTrue(b_has_read.wait(TIMEOUT))
        result_a, attempts_a = self.grant(self.staff_a, line_a)
        a_committed.set()
        error, attempts_b = join_b()

        self.assertIsInstance(result_a, int)
        self.assertEqual(attempts_a, 1)
        self.assertIsInstance(error, UserError)
        self.assertIn("already has portal access", str(error))
        self.assertEqual(attempts_b, 2)
        with self.transaction() as env:
            self.assertEqual(len(self.users_of(env, rob)), 1)

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_simultaneous_grants_of_one_email_on_two_contacts(self):
        """Two contacts share an email; both are granted at the same moment.
        Logins are unique: one user, and a translated message (not a database
        error) for the other staff member."""
        with self.transaction() as env:
            first = self.new_contact(env, "Sam Race", "sam@race.example.com")
            second = self.new_contact(env, "Sam Race (2)", "sam@race.example.com")
        line_a = self.open_popup(self.staff_a, first)
        line_b = self.open_popup(self.staff_b, second)
        barrier = threading.Barrier(2)
        join_a = self.in_thread(lambda: self.grant(self.staff_a, line_a, barrier))
        join_b = self.in_thread(lambda: self.grant(self.staff_b, line_b, barrier))
        outcomes = [join_a(), join_b()]

        errors = [o[0] for o in outcomes if not isinstance(o[0], int)]
        self.assertEqual(len(errors), 1, outcomes)
        self.assertIsInstance(errors[0], (UserError, ValidationError))
        self.assertIn("same login", str(errors[0]))
        with self.transaction() as env:
            users = (
                env["res.users"]
                .with_context(active_test=False)
                .search([("login", "=", "sam@race.example.com")])
            )
            self.assertEqual(len(users), 1)


@tagged("post_install", "-at_install")
class TestSecurityRevokeRacingLogin(ConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.transaction() as env:
            self.lou = self.new_user(
                env,
                "lou@race.example.com",
                "Lou Login",
                "base.group_portal",
                email="lou@race.example.com",
            )
            lou_partner = env["res.users"].browse(self.lou).partner_id
            lou_partner.parent_id = self.company_id
        self.line = self.open_popup(self.staff_a, lou_partner.id)

    def revoke(self, env, attempt, before=None):
        line = env["portal.wizard.user"].browse(self.line)
        if attempt == 1 and before:
            before(line)
        line.action_revoke_access()
        return True

    def sign_in(self, env, attempt, before=None):
        """What ``/web/login`` does: authenticate, then put the session token
        in the new session (``Session.finalize``)."""
        if attempt == 1 and before:
            before(env)
        env = env(user=None, su=False)
        auth_info = env["res.users"].authenticate(
            {"type": "password", "login": "lou@race.example.com", "password": PASSWORD},
            {"interactive": True},
        )
        session = http.root.session_store.new()
        session.uid = auth_info["uid"]
        session.session_token = (
            env(user=session.uid)["res.users"]
            .browse(session.uid)
            ._compute_session_token(session.sid)
        )
        return session

    def assertRevoked(self, login_outcome):
        """The user is archived and out of the portal group, and whatever the
        racing sign-in obtained is refused."""
        with self.transaction() as env:
            user = env["res.users"].with_context(active_test=False).browse(self.lou)
            self.assertFalse(user.active)
            self.assertFalse(user._is_portal())
            self.assertEqual(user.partner_id.portal_access_state, "revoked")
            if isinstance(login_outcome, http.Session):
                self.assertFalse(
                    check_session(login_outcome, env),
                    "the session of the racing sign-in is refused at its next request",
                )
                how = "signed in, but the session is refused at its next request"
            else:
                self.assertIsInstance(login_outcome, AccessDenied)
                how = "sign-in refused"
        with self.assertRaises(AccessDenied), self.transaction() as env:
            env(user=None)["res.users"].authenticate(
                {
                    "type": "password",
                    "login": "lou@race.example.com",
                    "password": PASSWORD,
                },
                {"interactive": True},
            )
        return how

    @mute_logger(
        "odoo.service.model", "odoo.sql_db", "odoo.addons.base.models.res_users"
    )
    def test_first_sign_in_commits_while_revoke_is_open(self):
        """The popup's revocation reads Lou as active; Lou signs in for the
        first time (which marks the contact active) and commits; then the
        revocation runs: replayed after the conflict, it wins."""
        revoke_read = threading.Event()
        login_done = threading.Event()

        def revoke():
            def before(line):
                assert line.is_portal
                revoke_read.set()
                login_done.wait(TIMEOUT)

            return self.run_retrying(self.staff_a, partial(self.revoke, before=before))

        join_revoke = self.in_thread(revoke)
        self.assertTrue(revoke_read.wait(TIMEOUT))
        session, _attempts = self.run_retrying(api.SUPERUSER_ID, self.sign_in)
        self.assertIsInstance(session, http.Session, "Lou signed in first")
        login_done.set()
        revoked, attempts = join_revoke()

        self.assertIs(revoked, True)
        self.assertEqual(attempts, 2, "the revocation was replayed after the sign-in")
        how = self.assertRevoked(session)
        _logger.info("concurrency: first sign-in then revoke -> revoked; %s", how)

    @mute_logger(
        "odoo.service.model", "odoo.sql_db", "odoo.addons.base.models.res_users"
    )
    def test_revoke_commits_while_sign_in_is_open(self):
        """Lou's sign-in has started (it read Lou as active); the revocation
        commits; then the sign-in goes on with its old picture of Lou."""
        with self.transaction() as env:
            # Lou signed in before: this sign-in does not change the contact.
            env["res.users"].with_user(self.lou)._update_last_login()
        login_read = threading.Event()
        revoke_done = threading.Event()

        def sign_in():
            def before(env):
                assert env["res.users"].browse(self.lou).active
                login_read.set()
                revoke_done.wait(TIMEOUT)

            return self.run_retrying(
                api.SUPERUSER_ID, partial(self.sign_in, before=before)
            )

        join_login = self.in_thread(sign_in)
        self.assertTrue(login_read.wait(TIMEOUT))
        revoked, attempts = self.run_retrying(self.staff_a, self.revoke)
        revoke_done.set()
        login_outcome, _attempts = join_login()

        self.assertIs(revoked, True)
        self.assertEqual(attempts, 1)
        how = self.assertRevoked(login_outcome)
        _logger.info("concurrency: revoke then racing sign-in -> revoked; %s", how)
