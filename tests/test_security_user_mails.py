"""The emails sent to users (invitations, password resets, security notices)
are logged as messages on the user record, which every employee and the
customer's colleagues may read. Until the mail queue sends an invitation (for
ever, when sending fails) its sign-up link sets the customer's password: only
Settings administrators may read those messages.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

PASSWORD = "portal-access-test"


@tagged("post_install", "-at_install")
class TestUserMailsStayPrivate(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.clerk = new_test_user(
            env,
            login="pa_mail_clerk",
            name="Clara Clerk",
            password=PASSWORD,
            groups="base.group_user,base.group_partner_manager",
        )
        cls.employee = new_test_user(
            env, login="pa_mail_employee", password=PASSWORD, groups="base.group_user"
        )
        cls.admin = new_test_user(
            env,
            login="pa_mail_admin",
            password=PASSWORD,
            groups="base.group_user,base.group_system",
        )
        cls.company = env["res.partner"].create(
            {"name": "Noord Trading", "is_company": True}
        )
        cls.tom = env["res.partner"].create(
            {
                "name": "Tom Noord",
                "email": "tom@noord.example.com",
                "parent_id": cls.company.id,
            }
        )
        cls.kim = new_test_user(
            env,
            login="kim@noord.example.com",
            name="Kim Noord",
            password=PASSWORD,
            groups="base.group_portal",
        )
        cls.kim.partner_id.parent_id = cls.company

    def grant_tom(self):
        action = (
            self.env["portal.wizard"]
            .with_user(self.clerk)
            .with_context(active_ids=self.tom.ids, active_model="res.partner")
            .action_open_wizard()
        )
        wizard = (
            self.env["portal.wizard"].with_user(self.clerk).browse(action["res_id"])
        )
        wizard.user_ids.filtered(
            lambda line: line.partner_id == self.tom
        ).action_grant_access()
        user = self.tom.user_ids
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", user.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent yet")
        message = mail.mail_message_id
        self.assertIn("/web/signup", str(message.body), "the link is in the body")
        return user, message

    def call_kw(self, model, method, args, kwargs=None):
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/web/dataset/call_kw/{model}/{method}",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 0,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                },
            )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_staff_cannot_read_the_sign_up_link(self):
        user, message = self.grant_tom()
        for staff in (self.clerk, self.employee):
            with self.subTest(staff=staff.login):
                self.env.invalidate_all()
                with self.assertRaises(AccessError):
                    message.with_user(staff).read(["body"])
                Message = self.env["mail.message"].with_user(staff)
                self.assertFalse(Message.search([("body", "ilike", "/web/signup")]))
                self.assertFalse(Message.search([("id", "=", message.id)]))
                self.assertNotIn(message, user.with_user(staff).message_ids)
        # Settings administrators still see what was sent.
        self.env.invalidate_all()
        self.assertIn(
            "/web/signup", message.with_user(self.admin).read(["body"])[0]["body"]
        )
        self.assertTrue(
            self.env["mail.message"]
            .with_user(self.admin)
            .search([("id", "=", message.id)])
        )

    def test_staff_over_rpc(self):
        _user, message = self.grant_tom()
        self.authenticate(self.clerk.login, PASSWORD)
        result = self.call_kw("mail.message", "read", [[message.id], ["body"]])
        self.assertEqual(
            result["error"]["data"]["name"], "odoo.exceptions.AccessError", result
        )
        result = self.call_kw(
            "mail.message",
            "search_read",
            [[("model", "=", "res.users")]],
            {"fields": ["body"]},
        )
        self.assertNotIn("/web/signup", str(result["result"]))

    def test_colleague_cannot_read_the_sign_up_link(self):
        """Kim, a portal user of the same company, may read Tom's user
        record: not the invitation logged on it."""
        _user, message = self.grant_tom()
        self.authenticate(self.kim.login, PASSWORD)
        result = self.call_kw("mail.message", "read", [[message.id], ["body"]])
        self.assertEqual(
            result["error"]["data"]["name"], "odoo.exceptions.AccessError", result
        )
        self.assertNotIn("/web/signup", str(result))
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            message.with_user(self.kim).read(["body"])

    def test_staff_cannot_render_a_sign_up_link(self):
        """Rendering the invitation or core's reset template themselves
        (a preview, a mail to another address) gave Contact Creation staff a
        working link to the account; only the popup's code computes it."""
        user, _message = self.grant_tom()
        invitation = self.env.ref("portal_access.mail_template_invitation")
        reset = self.env.ref("auth_signup.portal_set_password_email")
        mails_before = self.env["mail.mail"].search_count([])
        for template in (invitation, reset):
            with self.subTest(template=template.name), self.assertRaises(UserError):
                template.with_user(self.clerk)._render_field("body_html", user.ids)
        with self.assertRaises(UserError):
            invitation.with_user(self.clerk).send_mail(
                user.id,
                email_values={
                    "email_to": "attacker@evil.example.com",
                    "recipient_ids": [],
                },
            )
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        with self.assertRaises(AccessError):
            self.tom.with_user(self.clerk)._get_signup_url()
        # The preview of the back office, over RPC.
        self.authenticate(self.clerk.login, PASSWORD)
        result = self.call_kw(
            "mail.template.preview",
            "web_save",
            [
                [],
                {
                    "mail_template_id": invitation.id,
                    "resource_ref": f"res.users,{user.id}",
                },
            ],
            {"specification": {"body_html": {}, "error_msg": {}}},
        )
        self.assertNotIn("token=", str(result))
        # The popup still invites (its code computes the link as superuser),
        # and Access Rights members get the link as in core.
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", user.id)]
        )
        self.assertIn("token=", mail.body_html)
        self.assertIn("token=", self.tom.with_user(self.admin)._get_signup_url())
