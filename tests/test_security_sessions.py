"""Sessions end when access changes.

A portal user is signed in (a real session, kept in its browser's cookie)
and proves it on ``/my`` and on JSON-RPC (``/web/dataset/call_kw``). Then
staff revoke the access, change the login, or the password changes; the next
request of that same session, to ``/my`` and to JSON-RPC, is refused.

Mechanism (core's): every request recomputes the session token from the
user's ``id``, ``login``, ``password``, ``active`` (and ``totp_secret``) and
refuses a session whose token no longer matches; the module adds nothing to
it but relies on it, and also removes the sessions from the store on
revocation and on a password change from the portal.
"""

import json
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_portal_security_common import PortalSecurityCase, post_call_kw

SESSION_EXPIRED = "odoo.http.SessionExpiredException"


@tagged("post_install", "-at_install")
class TestSecuritySessions(PortalSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env["res.partner"].create(
            {"name": "Session Ltd", "is_company": True}
        )
        cls.portal_user.partner_id.parent_id = cls.company
        cls.staff = new_test_user(
            env,
            login="pa_session_staff",
            name="Stan Staff",
            groups="base.group_user,base.group_partner_manager,base.group_erp_manager",
        )

    # -- what the session can do -------------------------------------------------

    def call_kw(self, model, method, args, kwargs=None, opener=None):
        """JSON-RPC as the web client sends it; return the decoded answer."""
        response = post_call_kw(self, model, method, args, kwargs, opener=opener)
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertSignedIn(self, opener=None):
        response = self._open("/my", opener=opener, allow_redirects=False)
        self.assertEqual(response.status_code, 200, "the session opens /my")
        answer = self.call_kw(
            "res.users", "read", [[self.portal_user.id], ["name"]], opener=opener
        )
        self.assertEqual(
            answer.get("result"),
            [{"id": self.portal_user.id, "name": "Sam Portal"}],
            "the session answers JSON-RPC",
        )

    def assertSignedOut(self, opener=None):
        response = self._open("/my", opener=opener, allow_redirects=False)
        self.assertEqual(response.status_code, 303, "/my is refused")
        self.assertIn("/web/login", response.headers["Location"])
        answer = self.call_kw(
            "res.users", "read", [[self.portal_user.id], ["name"]], opener=opener
        )
        self.assertNotIn("result", answer)
        self.assertEqual(
            answer["error"]["data"]["name"], SESSION_EXPIRED, "JSON-RPC is refused"
        )

    # -- the changes ------------------------------------------------------------

    def test_revoke_ends_the_session(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.assertSignedIn()
        # An API key (portal API keys allowed) dies with the access too.
        self.env["ir.config_parameter"].set_param("portal.allow_api_keys", True)
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.portal_user)
            ._generate("rpc", "sessions", datetime.now() + timedelta(hours=12))
        )

        popup = (
            self.env["portal.wizard"]
            .with_user(self.staff)
            .with_context(active_ids=self.company.ids, active_model="res.partner")
            .create({})
        )
        line = popup.user_ids.filtered(
            lambda line: line.partner_id == self.portal_user.partner_id
        )
        line.action_revoke_access()
        self.env.flush_all()

        self.assertSignedOut()
        self.authenticate(None, None)
        response = self.url_open(
            "/json/2/res.users/read",
            data=json.dumps({"ids": self.portal_user.ids, "fields": ["name"]}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {key}",
            },
        )
        self.assertEqual(response.status_code, 401, "the API key is refused")

    def test_login_change_ends_the_session(self):
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.assertSignedIn()

        # What the staff popup "Change portal login" runs after its password
        # check (wizards/portal_login_change.py).
        self.portal_user.with_user(self.staff)._portal_access_change_login(
            "sam.new@example.com"
        )
        self.env.flush_all()

        self.assertSignedOut()
        # The new login with the same password opens a new session.
        self.authenticate("sam.new@example.com", self.PASSWORD)
        self.assertSignedIn()

    def test_password_change_from_the_portal_ends_the_other_session(self):
        """The session that changes the password stays (core's and the
        module's behaviour: the user just proved the old password); every
        other session of the user is refused at its next request."""
        other_browser = self.new_browser()
        self.login(self.portal_user.login, self.PASSWORD, opener=other_browser)
        self.assertSignedIn(opener=other_browser)
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.assertSignedIn()

        _response, tree = self.get_page("/my/security")
        response, _tree = self.submit(
            tree,
            "/my/security",
            old=self.PASSWORD,
            new1="Sessions-new-pass-1",
            new2="Sessions-new-pass-1",
        )
        self.assertEqual(response.status_code, 200)

        self.assertSignedOut(opener=other_browser)
        self.assertSignedIn()

    @mute_logger("odoo.addons.base.models.res_users")
    def test_password_set_by_staff_ends_every_session(self):
        other_browser = self.new_browser()
        self.login(self.portal_user.login, self.PASSWORD, opener=other_browser)
        self.authenticate(self.portal_user.login, self.PASSWORD)
        self.assertSignedIn()
        self.assertSignedIn(opener=other_browser)

        # Settings > Users > Change Password, as an administrator does it.
        admin = self.env.ref("base.user_admin")
        wizard = (
            self.env["change.password.wizard"]
            .with_user(admin)
            .create(
                {
                    "user_ids": [
                        Command.create(
                            {
                                "user_id": self.portal_user.id,
                                "user_login": self.portal_user.login,
                                "new_passwd": "Staff-set-pass-1",
                            }
                        )
                    ]
                }
            )
        )
        wizard.user_ids.change_password_button()
        self.env.flush_all()

        self.assertSignedOut()
        self.assertSignedOut(opener=other_browser)
