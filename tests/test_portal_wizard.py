import re

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import MockEmail


class PortalWizardCase(TransactionCase):
    """Data and helpers shared by the tests of the portal access popup."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The popup is used by staff with "Contact Creation" rights only.
        cls.staff = new_test_user(
            cls.env,
            login="pa_staff",
            name="Petra Staff",
            email="petra.staff@example.com",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.group_portal = cls.env.ref("base.group_portal")
        cls.group_public = cls.env.ref("base.group_public")
        cls.acme = cls.env["res.partner"].create(
            {"name": "Acme Corp", "is_company": True}
        )
        cls.jane = cls.env["res.partner"].create(
            {"name": "Jane", "email": "jane@example.com", "parent_id": cls.acme.id}
        )
        cls.mail_cron = cls.env.ref("mail.ir_cron_mail_scheduler_action")

    # -- helpers -------------------------------------------------------------

    def open_popup(self, partners, user=None):
        """Open the popup as the web client does (Action > Grant portal
        access) and return the wizard with the context of its action."""
        user = user or self.staff
        action = (
            self.env["portal.wizard"]
            .with_user(user)
            .with_context(active_ids=partners.ids, active_model="res.partner")
            .action_open_wizard()
        )
        return (
            self.env["portal.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .browse(action["res_id"])
        )

    def line_of(self, wizard, partner):
        self.env.invalidate_all()
        line = wizard.user_ids.filtered(lambda line: line.partner_id == partner)
        self.assertEqual(len(line), 1, f"one line for {partner.name}")
        return line

    def shown_buttons(self, line):
        """Labels of the line buttons that the popup's list shows for
        ``line``, evaluated from the real view's ``invisible`` expressions."""
        arch = self.env["portal.wizard"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        buttons = etree.fromstring(arch).xpath(
            "//field[@name='user_ids']/list/button[@string]"
        )
        self.assertTrue(buttons)
        values = {
            name: line[name] for name in ("is_portal", "is_internal", "email_state")
        }
        return {
            button.get("string")
            for button in buttons
            if not safe_eval(button.get("invisible") or "False", values)
        }

    def users_of(self, partner):
        return partner.with_context(active_test=False).user_ids

    def queued_mails(self, user):
        return self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", user.id)], order="id"
        )

    def notes_of(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "notification"),
            ],
            order="id",
        )


@tagged("post_install", "-at_install")
class TestPortalWizard(PortalWizardCase):
    def assert_granted(self, line, user, mails_before):
        self.assertTrue(user.active)
        self.assertIn(self.group_portal, user.group_ids)
        self.assertNotIn(self.group_public, user.group_ids)
        self.assertEqual(line.partner_id.portal_access_state, "invited")
        self.assertEqual(self.shown_buttons(line), {"Revoke Access", "Re-Invite"})
        mails = self.queued_mails(user) - mails_before
        self.assertEqual(len(mails), 1, "one invitation per grant")
        self.assertEqual(mails.state, "outgoing", "queued, not sent while staff waits")
        self.assertIn(user.login, mails.body_html)
        self.assertIn("/web/signup?", mails.body_html)
        return mails

    def assert_revoked(self, line, user, mails_before):
        self.assertFalse(user.active)
        self.assertNotIn(self.group_portal, user.group_ids)
        self.assertIn(self.group_public, user.group_ids)
        self.assertEqual(line.partner_id.portal_access_state, "revoked")
        self.assertTrue(line.partner_id.active, "the contact stays")
        self.assertEqual(self.shown_buttons(line), {"Grant Access"})
        self.assertFalse(self.queued_mails(user) - mails_before, "no mail on revoke")

    def test_grant_revoke_cycle_keeps_one_user(self):
        """Jane: grant, revoke, grant, revoke, grant."""
        wizard = self.open_popup(self.acme)
        line = self.line_of(wizard, self.jane)
        self.assertEqual(self.jane.portal_access_state, "none")
        self.assertEqual(self.shown_buttons(line), {"Grant Access"})
        mails = self.env["mail.mail"]
        for step in range(5):
            line = self.line_of(wizard, self.jane)
            if step % 2 == 0:
                line.action_grant_access()
                line = self.line_of(wizard, self.jane)
                user = self.users_of(self.jane)
                self.assertEqual(len(user), 1, "exactly one user for Jane")
                mails |= self.assert_granted(line, user, mails)
            else:
                line.action_revoke_access()
                line = self.line_of(wizard, self.jane)
                self.assert_revoked(line, self.users_of(self.jane), mails)
        self.assertEqual(len(self.users_of(self.jane)), 1)
        self.assertEqual(self.users_of(self.jane).login, "jane@example.com")
        self.assertEqual(len(mails), 3)
        notes = self.notes_of(self.jane).mapped("body")
        self.assertEqual(sum("granted by Petra Staff" in body for body in notes), 3)
        self.assertEqual(sum("revoked by Petra Staff" in body for body in notes), 2)
        self.assertEqual(self.notes_of(self.jane)[-1].author_id, self.staff.partner_id)

    def test_grant_again_login_follows_new_email(self):
        wizard = self.open_popup(self.jane)
        self.line_of(wizard, self.jane).action_grant_access()
        self.line_of(wizard, self.jane).action_revoke_access()
        self.jane.email = "jane.new@example.com"
        wizard = self.open_popup(self.jane)
        line = self.line_of(wizard, self.jane)
        self.assertEqual(line.email, "jane.new@example.com")
        line.action_grant_access()
        user = self.users_of(self.jane)
        self.assertEqual(len(user), 1)
        self.assertEqual(user.login, "jane.new@example.com")
        self.assertTrue(user.active)
        invitation = self.queued_mails(user).filtered(
            lambda mail: "Your login" in mail.body_html
        )[-1:]
        self.assertIn("jane.new@example.com", invitation.body_html)
        self.assertNotIn("jane@example.com", invitation.body_html)
        self.assertEqual(invitation.recipient_ids, self.jane)

    def test_grant_again_never_moves_a_used_login(self):
        """Jane signed in with her account; after a revocation, a new email
        on the contact must not hand that account (documents, saved cards)
        to whoever reads the new address: Grant refuses, Grant all skips,
        and the way is the login change, for Access Rights members."""
        wizard = self.open_popup(self.jane)
        self.line_of(wizard, self.jane).action_grant_access()
        user = self.users_of(self.jane)
        user.with_user(user)._update_last_login()  # her first sign-in
        user.invalidate_recordset(["login_date"])
        self.assertTrue(user.login_date)
        self.line_of(wizard, self.jane).action_revoke_access()
        self.jane.email = "mallory@evil.example.com"
        wizard = self.open_popup(self.jane)
        with self.assertRaisesRegex(UserError, "signed in as jane@example.com before"):
            self.line_of(wizard, self.jane).action_grant_access()
        wizard.action_grant_all()
        self.assertIn("Granted: 0", wizard.portal_access_summary)
        self.assertIn(
            "signed in as jane@example.com before", wizard.portal_access_summary
        )
        user.invalidate_recordset()
        self.assertEqual(user.login, "jane@example.com")
        self.assertFalse(user.active)
        self.assertFalse(
            self.queued_mails(user).filtered(
                lambda mail: "mallory" in (mail.email_to or "") + str(mail.body_html)
            )
        )
        # With the email she signs in with, access comes back as it was.
        self.jane.email = "jane@example.com"
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        self.assertTrue(user.active)
        self.assertEqual(user.login, "jane@example.com")

    def test_reinvite_never_undoes_a_login_change(self):
        """Staff changed Jane's login (not her email) before she ever signed
        in: a re-invitation or a new grant must not move the login back to
        her email; both refuse and name the login to use."""
        wizard = self.open_popup(self.jane)
        self.line_of(wizard, self.jane).action_grant_access()
        user = self.users_of(self.jane)
        # Writing the same login again (as sign-up does) changes nothing.
        user.write({"login": user.login})
        self.assertFalse(user.portal_access_login_change_date)
        user._portal_access_change_login("j.doe@example.com")
        self.assertFalse(user.login_date)
        self.assertTrue(user.portal_access_login_change_date)
        mails_before = self.queued_mails(user)
        wizard = self.open_popup(self.jane)
        with self.assertRaisesRegex(UserError, "signs in as j.doe@example.com"):
            self.line_of(wizard, self.jane).action_invite_again()
        wizard.action_invite_all()
        self.assertIn("signs in as j.doe@example.com", wizard.portal_access_summary)
        self.line_of(wizard, self.jane).action_revoke_access()
        wizard = self.open_popup(self.jane)
        with self.assertRaisesRegex(UserError, "signs in as j.doe@example.com"):
            self.line_of(wizard, self.jane).action_grant_access()
        user.invalidate_recordset()
        self.assertEqual(user.login, "j.doe@example.com")
        self.assertEqual(self.queued_mails(user), mails_before, "no invitation")
        # With the email she signs in with, access comes back, login kept.
        self.jane.email = "j.doe@example.com"
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        self.assertTrue(user.active)
        self.assertEqual(user.login, "j.doe@example.com")
        # The same for a login an administrator typed in Settings > Users.
        user.login = "jd@example.com"
        with self.assertRaisesRegex(UserError, "signs in as jd@example.com"):
            self.line_of(self.open_popup(self.jane), self.jane).action_invite_again()
        self.assertEqual(user.login, "jd@example.com")

    def test_grant_again_keeps_login_when_new_email_is_taken(self):
        wizard = self.open_popup(self.jane)
        self.line_of(wizard, self.jane).action_grant_access()
        self.line_of(wizard, self.jane).action_revoke_access()
        new_test_user(self.env, login="Taken@Example.com", groups="base.group_portal")
        self.jane.email = "taken@example.com"
        line = self.line_of(self.open_popup(self.jane), self.jane)
        self.assertEqual(line.email_state, "exist")
        with self.assertRaisesRegex(UserError, "already used by another user"):
            line.action_grant_access()
        self.assertEqual(self.users_of(self.jane).login, "jane@example.com")
        self.assertFalse(self.users_of(self.jane).active)

    def test_duplicate_email_any_case(self):
        """A second contact with JANE@example.com while jane@example.com is a
        user: marked as duplicate, refused by Grant, skipped by Grant all."""
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        twin = self.env["res.partner"].create(
            {
                "name": "Jane Twin",
                "email": "JANE@example.com",
                "parent_id": self.acme.id,
            }
        )
        wizard = self.open_popup(self.acme)
        line = self.line_of(wizard, twin)
        self.assertEqual(line.email_state, "exist")
        self.assertNotIn("Grant Access", self.shown_buttons(line))
        with self.assertRaisesRegex(
            UserError, "Jane Twin.*jane@example.com is already used by another user"
        ):
            line.action_grant_access()
        wizard.action_grant_all()
        self.assertFalse(self.users_of(twin))
        self.assertIn("Jane Twin", wizard.portal_access_summary)
        self.assertIn("already used by another user", wizard.portal_access_summary)
        self.assertIn("Granted: 0", wizard.portal_access_summary)

    def test_duplicate_email_of_archived_user(self):
        archived = new_test_user(
            self.env, login="Old.Jane@Example.com", groups="base.group_portal"
        )
        archived.active = False
        self.jane.email = "old.jane@example.com"
        line = self.line_of(self.open_popup(self.jane), self.jane)
        self.assertEqual(line.email_state, "exist")
        with self.assertRaisesRegex(UserError, "already used by another user"):
            line.action_grant_access()

    def test_duplicate_email_within_the_list(self):
        twin = self.env["res.partner"].create(
            {
                "name": "Jane Twin",
                "email": "Jane@Example.com",
                "parent_id": self.acme.id,
            }
        )
        wizard = self.open_popup(self.acme)
        wizard.action_grant_all()
        self.assertEqual(len(self.users_of(self.jane) | self.users_of(twin)), 1)
        self.assertIn("Granted: 1", wizard.portal_access_summary)
        self.assertIn("in this list", wizard.portal_access_summary)

    def test_grant_all_company_of_seven(self):
        """7 contacts: 1 without email, 1 with "not-an-email", 1 internal user:
        Grant all grants 4 and skips 3, queues 4 mails, writes 4 notes."""
        company = self.env["res.partner"].create(
            {"name": "Seven Ltd", "is_company": True}
        )
        contacts = self.env["res.partner"].create(
            [
                {
                    "name": f"Person {i}",
                    "email": f"person{i}@seven.example.com",
                    "parent_id": company.id,
                }
                for i in range(4)
            ]
            + [
                {"name": "No Email", "parent_id": company.id},
                {"name": "Bad Email", "email": "not-an-email", "parent_id": company.id},
            ]
        )
        employee = new_test_user(
            self.env,
            login="emma@seven.example.com",
            name="Emma Employee",
            groups="base.group_user",
        )
        employee.partner_id.parent_id = company
        people, no_email, bad_email = contacts[:4], contacts[4], contacts[5]
        wizard = self.open_popup(company)
        self.assertEqual(wizard.user_ids.partner_id, contacts | employee.partner_id)
        mails_before = self.env["mail.mail"].search([])
        triggers_before = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.mail_cron.id)]
        )
        employee_groups = employee.group_ids

        wizard.action_grant_all()

        users = self.env["res.users"].search([("partner_id", "in", people.ids)])
        self.assertEqual(len(users), 4)
        self.assertTrue(all(user._is_portal() and user.active for user in users))
        self.assertEqual(set(people.mapped("portal_access_state")), {"invited"})
        self.assertFalse(self.users_of(no_email) | self.users_of(bad_email))
        self.assertEqual(employee.group_ids, employee_groups, "internal user untouched")
        mails = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(mails), 4)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertEqual(set(mails.mapped("res_id")), set(users.ids))
        # The body is compiled once for the batch, rendered for each person:
        # each mail names its own login and carries its own sign-up link.
        links = set()
        for mail in mails:
            user = users.filtered(lambda u, mail=mail: u.id == mail.res_id)
            self.assertIn(user.login, mail.body_html)
            others = users - user
            self.assertFalse(any(other.login in mail.body_html for other in others))
            links.add(re.search(r'href="([^"]*/web/signup\?[^"]*)"', mail.body_html)[1])
        self.assertEqual(len(links), 4, "one sign-up link per person")
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.mail_cron.id)]
            ),
            triggers_before,
            "the mail queue is woken up",
        )
        for person in people:
            self.assertEqual(
                len(self.notes_of(person).filtered(lambda m: "granted by" in m.body)), 1
            )
        for other in (no_email, bad_email, employee.partner_id):
            self.assertFalse(
                self.notes_of(other).filtered(lambda m: "Portal access" in m.body)
            )
        summary = wizard.portal_access_summary
        self.assertIn("Granted: 4", summary)
        self.assertIn("Skipped: 3", summary)
        self.assertIn("No Email: no email address", summary)
        self.assertIn("Bad Email: invalid email address “not-an-email”", summary)
        self.assertIn("Emma Employee: internal user", summary)

        # Once more: everybody is skipped, the 4 because they have access.
        wizard = self.open_popup(company)
        wizard.action_grant_all()
        self.assertIn("Granted: 0", wizard.portal_access_summary)
        self.assertEqual(
            wizard.portal_access_summary.count("already has portal access"), 4
        )

    def test_invite_all_and_revoke_all(self):
        john = self.env["res.partner"].create(
            {"name": "John", "email": "john@example.com", "parent_id": self.acme.id}
        )
        wizard = self.open_popup(self.acme)
        self.line_of(wizard, self.jane).action_grant_access()
        mails_before = self.env["mail.mail"].search([])

        wizard.action_invite_all()
        self.assertIn("Re-invited: 1", wizard.portal_access_summary)
        self.assertIn("John: has no portal access", wizard.portal_access_summary)
        self.assertEqual(len(self.env["mail.mail"].search([]) - mails_before), 1)
        self.assertTrue(
            self.notes_of(self.jane).filtered(
                lambda m: "sent again by Petra Staff" in m.body
            )
        )

        wizard.action_revoke_all()
        self.assertIn("Revoked: 1", wizard.portal_access_summary)
        self.assertFalse(self.users_of(self.jane).active)
        self.assertFalse(self.users_of(john))
        self.assertEqual(self.jane.portal_access_state, "revoked")

    def test_reinvite_voids_earlier_links(self):
        line = self.line_of(self.open_popup(self.jane), self.jane)
        line.action_grant_access()
        partners = self.env["res.partner"].sudo()
        first = self.jane.sudo()._generate_signup_token()
        self.assertEqual(partners._get_partner_from_token(first), self.jane)
        line.action_invite_again()
        self.assertFalse(partners._get_partner_from_token(first), "earlier link voided")
        second = self.jane.sudo()._generate_signup_token()
        self.assertEqual(partners._get_partner_from_token(second), self.jane)
        self.assertTrue(self.jane.portal_access_invite_date)
        line.action_revoke_access()
        self.assertFalse(
            partners._get_partner_from_token(second), "revoke voids the link"
        )

    def test_reinvite_follows_a_corrected_email_until_first_sign_in(self):
        """An invitation lets its reader choose the password. Before the
        first sign-in, staff may correct a mistyped email and invite again:
        the login follows. Once the person has signed in, changing the
        contact's email and re-inviting would hand their account to the new
        address: refused, nothing sent."""
        wizard = self.open_popup(self.jane)
        line = self.line_of(wizard, self.jane)
        line.email = "jane.typo@example.com"
        line.action_grant_access()
        user = self.users_of(self.jane)
        self.assertEqual(user.login, "jane.typo@example.com")

        line = self.line_of(wizard, self.jane)
        line.email = "jane@example.com"
        line.action_invite_again()
        self.assertEqual(user.login, "jane@example.com", "login follows the fix")
        invitation = self.queued_mails(user)[-1]
        self.assertEqual(invitation.recipient_ids, self.jane)
        self.assertEqual(self.jane.email, "jane@example.com")

        # Jane signs in; her contact's email then differs from her login (she
        # gave another one in the portal; staff without Access Rights cannot,
        # see test_staff_cannot_redirect_a_used_account_elsewhere).
        self.env["res.users.log"].with_user(user).sudo().create({})
        user.invalidate_recordset(["login_date"])
        self.jane.sudo().email = "jane.private@example.com"
        mails_before = self.queued_mails(user)
        wizard = self.open_popup(self.jane)
        line = self.line_of(wizard, self.jane)
        with self.assertRaisesRegex(
            UserError, "signs in as jane@example.com, not with this email"
        ):
            line.action_invite_again()
        wizard.action_invite_all()
        self.assertIn("signs in as jane@example.com", wizard.portal_access_summary)
        self.assertEqual(self.queued_mails(user), mails_before, "nothing sent")
        self.assertEqual(user.login, "jane@example.com")

    def test_revoke_keeps_contact_and_documents(self):
        line = self.line_of(self.open_popup(self.jane), self.jane)
        line.action_grant_access()
        attachment = self.env["ir.attachment"].create(
            {
                "name": "contract.txt",
                "raw": b"signed",
                "res_model": "res.partner",
                "res_id": self.jane.id,
            }
        )
        line.action_revoke_access()
        self.assertTrue(self.jane.exists() and self.jane.active)
        self.assertTrue(attachment.exists())
        self.assertTrue(self.users_of(self.jane).exists())

    def test_revoked_user_never_becomes_public_user(self):
        company = self.env["res.company"].create({"name": "Shop Company"})
        partner = self.env["res.partner"].create(
            {
                "name": "Shopper",
                "email": "shopper@example.com",
                "company_id": company.id,
            }
        )
        wizard = self.open_popup(partner, user=self.env.user)
        self.line_of(wizard, partner).action_grant_access()
        user = self.users_of(partner)
        self.assertEqual(user.company_id, company)
        self.line_of(wizard, partner).action_revoke_access()
        self.assertTrue(
            user._is_public() and not user.active,
            "core's revoke: archived, public group",
        )
        public_user = company._get_public_user()
        self.assertNotEqual(public_user, user)
        self.assertTrue(public_user._is_public())
        self.assertEqual(public_user.company_id, company)
        self.assertEqual(company._get_public_user(), public_user, "and it is reused")

    def test_user_revoked_before_install_never_becomes_public_user(self):
        """A user left archived in the public group by core's own revoke (or
        by data), with its contact archived too: still not a public user."""
        company = self.env["res.company"].create({"name": "Old Shop"})
        former = new_test_user(
            self.env,
            login="former@example.com",
            groups="base.group_public",
            company_id=company.id,
            active=False,
            context={"no_reset_password": True},
        )
        self.assertFalse(former.partner_id.active)
        public_user = company._get_public_user()
        self.assertNotEqual(public_user, former)
        self.assertEqual(public_user.company_id, company)
        self.assertFalse(public_user._portal_access_is_former_portal_user())
        self.assertFalse(
            self.env.ref("base.public_user")._portal_access_is_former_portal_user()
        )

    def test_internal_users_never_touched(self):
        employee = new_test_user(
            self.env, login="anna@example.com", name="Anna", groups="base.group_user"
        )
        employee.partner_id.parent_id = self.acme
        groups = employee.group_ids
        wizard = self.open_popup(self.acme)
        line = self.line_of(wizard, employee.partner_id)
        self.assertTrue(line.is_internal)
        self.assertEqual(self.shown_buttons(line), {"Internal User"})
        for method in (
            "action_grant_access",
            "action_revoke_access",
            "action_invite_again",
        ):
            with self.assertRaisesRegex(UserError, "internal user"):
                getattr(line, method)()
        for method in ("action_grant_all", "action_invite_all", "action_revoke_all"):
            getattr(wizard, method)()
            self.assertIn("Anna: internal user", wizard.portal_access_summary)
        self.assertTrue(employee.active)
        self.assertEqual(employee.group_ids, groups)
        self.assertEqual(employee.partner_id.portal_access_state, "internal")

    def test_addresses_on_demand(self):
        invoice = self.env["res.partner"].create(
            {
                "name": "Acme Invoicing",
                "type": "invoice",
                "email": "ap@example.com",
                "parent_id": self.acme.id,
            }
        )
        delivery = self.env["res.partner"].create(
            {"name": "Acme Warehouse", "type": "delivery", "parent_id": self.acme.id}
        )
        other = self.env["res.partner"].create(
            {
                "name": "Acme Other",
                "type": "other",
                "email": "other@example.com",
                "parent_id": self.acme.id,
            }
        )
        wizard = self.open_popup(self.acme)
        self.assertEqual(
            wizard.user_ids.partner_id, self.jane | other, "company itself not listed"
        )
        wizard.action_toggle_addresses()
        self.assertTrue(wizard.show_addresses)
        self.assertEqual(
            wizard.user_ids.partner_id, self.jane | other | invoice | delivery
        )
        wizard.action_toggle_addresses()
        self.assertEqual(wizard.user_ids.partner_id, self.jane | other)
        # An address selected on purpose stays listed.
        wizard = self.open_popup(invoice)
        self.assertEqual(wizard.user_ids.partner_id, invoice)

    def test_company_with_own_user_stays_listed(self):
        shop = self.env["res.partner"].create(
            {"name": "Shop", "is_company": True, "email": "info@shop.example.com"}
        )
        self.line_of(self.open_popup(shop), shop).action_grant_access()
        clerk = self.env["res.partner"].create(
            {"name": "Clerk", "email": "clerk@shop.example.com", "parent_id": shop.id}
        )
        wizard = self.open_popup(shop)
        self.assertEqual(wizard.user_ids.partner_id, shop | clerk)

    def test_line_email_edit_is_written_on_contact(self):
        wizard = self.open_popup(self.jane)
        line = self.line_of(wizard, self.jane)
        line.email = "Jane.Doe@Example.com"
        line.action_grant_access()
        self.assertEqual(self.jane.email, "jane.doe@example.com")
        self.assertEqual(self.users_of(self.jane).login, "jane.doe@example.com")

    def test_welcome_message_in_invitation(self):
        wizard = self.open_popup(self.jane)
        wizard.welcome_message = "See you on the portal <b>soon</b>"
        wizard.action_grant_all()
        mail = self.queued_mails(self.users_of(self.jane))
        self.assertIn("See you on the portal &lt;b&gt;soon&lt;/b&gt;", mail.body_html)
        self.assertIn("token=", mail.body_html)

    def test_invitation_uses_the_template_as_edited(self):
        """Administrators edit the invitation (Settings > Technical > Email >
        Templates): the popup sends what they wrote, login and link kept."""
        template = self.env.ref("portal_access.mail_template_invitation")
        template.write(
            {
                "subject": "Welcome to the Acme portal",
                "body_html": '<p>Edited by the admin. Login: <t t-out="object.login"/>'
                '</p><a t-att-href="object._portal_access_signup_url()">Go</a>',
            }
        )
        self.open_popup(self.jane).action_grant_all()
        mail = self.queued_mails(self.users_of(self.jane))
        self.assertEqual(mail.subject, "Welcome to the Acme portal")
        self.assertIn("Edited by the admin. Login: jane@example.com", mail.body_html)
        self.assertIn("token=", mail.body_html)


@tagged("post_install", "-at_install")
class TestPortalWizardRights(PortalWizardCase):
    def test_contact_creation_user_uses_the_popup(self):
        """Staff with Contact Creation rights (no Administration) grant,
        re-invite and revoke, as far as core's popup allows."""
        self.assertFalse(self.staff.has_group("base.group_erp_manager"))
        wizard = self.open_popup(self.acme)
        wizard.action_grant_all()
        self.assertIn("Granted: 1", wizard.portal_access_summary)
        wizard.action_invite_all()
        self.assertIn("Re-invited: 1", wizard.portal_access_summary)
        wizard.action_revoke_all()
        self.assertIn("Revoked: 1", wizard.portal_access_summary)
        self.assertEqual(self.jane.portal_access_state, "revoked")
        # The invitation template is for administrators to edit.
        template = self.env.ref("portal_access.mail_template_invitation")
        with self.assertRaises(AccessError):
            template.with_user(self.staff).write({"subject": "Hacked"})
        # Users are managed in Settings, not here.
        with self.assertRaises(AccessError):
            self.users_of(self.jane).with_user(self.staff).write({"active": True})

    def test_contact_the_staff_may_not_edit_is_skipped(self):
        """A record rule lets the staff member read a contact but not edit
        it (an integrator's rule, another team's customers): the bulk
        buttons skip that line with a reason and act on the others; its own
        Grant button is refused with that reason."""
        locked = self.env["res.partner"].create(
            {
                "name": "Locked Larry",
                "email": "larry@example.com",
                "parent_id": self.acme.id,
            }
        )
        self.env["ir.rule"].create(
            {
                "name": "Staff may not edit Larry",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "domain_force": f"[('id', '!=', {locked.id})]",
                "groups": [(4, self.env.ref("base.group_partner_manager").id)],
                "perm_read": False,
                "perm_create": False,
                "perm_write": True,
                "perm_unlink": False,
            }
        )
        wizard = self.open_popup(self.acme)
        self.assertEqual(wizard.user_ids.partner_id, self.jane | locked)
        wizard.action_grant_all()
        summary = wizard.portal_access_summary
        self.assertIn("Granted: 1", summary)
        self.assertIn("Locked Larry: you are not allowed to edit this contact", summary)
        self.assertEqual(self.jane.portal_access_state, "invited")
        self.assertFalse(self.users_of(locked))
        with self.assertRaisesRegex(UserError, "not allowed to edit this contact"):
            self.line_of(wizard, locked).action_grant_access()
        self.assertFalse(self.users_of(locked))

    def test_staff_cannot_redirect_a_used_account_elsewhere(self):
        """Password reset links go to the contact's email: staff without
        Access Rights cannot point the email of an account in use to an
        address other than its login (they would reset the password and sign
        in as the customer). Before the first sign-in, and towards the login
        itself, the email stays theirs to edit."""
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        user = self.users_of(self.jane)
        jane_as_staff = self.jane.with_user(self.staff)
        jane_as_staff.email = "jane.typo@example.com"  # never signed in: free
        jane_as_staff.email = "jane@example.com"
        user.with_user(user)._update_last_login()
        user.invalidate_recordset(["login_date"])
        self.assertTrue(user.login_date)
        with self.assertRaisesRegex(UserError, "only members of Access Rights"):
            jane_as_staff.email = "mallory@evil.example.com"
        self.assertEqual(self.jane.email, "jane@example.com")
        jane_as_staff.write({"phone": "+31 20 000 0000"})  # other fields: free
        manager = new_test_user(
            self.env,
            login="pa_rights_manager",
            groups="base.group_user,base.group_partner_manager,base.group_erp_manager",
        )
        self.jane.with_user(manager).email = "jane.doe@example.com"
        self.assertEqual(self.jane.email, "jane.doe@example.com")

    def test_address_added_in_the_portal_is_not_invited(self):
        """Core types a billing-and-delivery address a customer adds in the
        portal as "other", which the popup lists like a person: Grant skips
        it, so an address with someone else's email cannot become an
        account in the customer's company."""
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        user = self.users_of(self.jane)
        address = (
            self.env["res.partner"]
            .with_user(user)
            .sudo()
            .create(
                {
                    "name": "Eve Outsider",
                    "email": "eve@evil.example.com",
                    "type": "other",
                    "parent_id": self.acme.id,
                }
            )
        )
        self.assertEqual(address.create_uid, user)
        wizard = self.open_popup(self.acme)
        wizard.action_grant_all()
        self.assertIn(
            "Eve Outsider: an address the customer added in the portal",
            wizard.portal_access_summary,
        )
        self.assertFalse(self.users_of(address))

    def test_own_company_never_gets_access(self):
        """The contact of a company of this database (YourCompany): its
        portal user could edit the company's own address."""
        own = (
            self.env["res.company"]
            .create({"name": "Our Second Company", "email": "info@second.example.com"})
            .partner_id
        )
        wizard = self.open_popup(own)
        line = self.line_of(wizard, own)
        with self.assertRaisesRegex(UserError, "company of this database"):
            line.action_grant_access()
        self.assertFalse(
            own.with_context(active_test=False).user_ids.filtered(
                lambda user: user._is_portal()
            )
        )
        # Nor its contacts: core copies a contact's address to the company.
        eve = self.env["res.partner"].create(
            {
                "name": "Eve Insider",
                "email": "eve@second.example.com",
                "parent_id": own.id,
            }
        )
        wizard = self.open_popup(eve)
        with self.assertRaisesRegex(UserError, "contact of a company of this database"):
            self.line_of(wizard, eve).action_grant_access()
        wizard.action_grant_all()
        self.assertIn("Granted: 0", wizard.portal_access_summary)
        self.assertIn("Eve Insider", wizard.portal_access_summary)
        self.assertFalse(self.users_of(eve))
        # Nor a branch of it (a company under it) or the branch's people:
        # core copies addresses up from one to the next.
        branch = self.env["res.partner"].create(
            {
                "name": "Second Branch",
                "is_company": True,
                "email": "branch@second.example.com",
                "parent_id": own.id,
            }
        )
        bob = self.env["res.partner"].create(
            {
                "name": "Bob Branch",
                "email": "bob@second.example.com",
                "parent_id": branch.id,
            }
        )
        wizard = self.open_popup(branch)
        wizard.action_grant_all()
        self.assertIn("Granted: 0", wizard.portal_access_summary)
        self.assertFalse(self.users_of(branch | bob))
        # A customer moved under it after being granted is not invited again.
        self.line_of(self.open_popup(self.jane), self.jane).action_grant_access()
        self.jane.parent_id = own
        wizard = self.open_popup(self.jane)
        with self.assertRaisesRegex(UserError, "contact of a company of this database"):
            self.line_of(wizard, self.jane).action_invite_again()
        wizard.action_invite_all()
        self.assertIn("Re-invited: 0", wizard.portal_access_summary)
        # ... nor may edit the company from the portal (core's check).
        partner = self.jane.with_user(self.users_of(self.jane))
        self.assertFalse(partner._can_be_edited_by_current_customer())
        self.assertFalse(
            own.with_user(self.users_of(self.jane))._can_be_edited_by_current_customer()
        )
        # Employees of that company keep editing their own details.
        employee = new_test_user(
            self.env, login="emp@second.example.com", groups="base.group_user"
        )
        employee.partner_id.parent_id = own
        self.assertTrue(
            employee.partner_id.with_user(employee)._can_be_edited_by_current_customer()
        )
        # Revoking stays possible.
        self.line_of(wizard, self.jane).action_revoke_access()
        self.assertFalse(self.users_of(self.jane).active)

    def test_technical_users_never_get_access(self):
        """The public user and the template of new portal users are Odoo's:
        granting access to their contact (reachable by id) would hand their
        login to whoever receives the invitation."""
        public = self.env.ref("base.public_user")
        template = self.env["res.users"].browse(
            int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("base.template_portal_user_id")
            )
        )
        self.assertTrue(template.exists())
        # The public user core makes for another company (websites use it).
        company_public = (
            self.env["res.company"].create({"name": "Beta Co"})._get_public_user()
        )
        for user in public | template | company_public:
            with self.subTest(user=user.name):
                partner = user.with_context(active_test=False).partner_id
                # What staff can change on the contact tells nothing.
                partner.with_user(self.staff).write(
                    {"active": True, "email": "attacker@evil.example.com"}
                )
                before = (user.login, user.active, user.group_ids)
                wizard = self.open_popup(partner)
                line = wizard.with_context(active_test=False).user_ids
                self.assertEqual(len(line), 1)
                line.email = "attacker@evil.example.com"
                with self.assertRaisesRegex(
                    UserError, "technical user of Odoo, cannot be given access"
                ):
                    line.action_grant_access()
                wizard.action_grant_all()
                self.assertIn("technical user of Odoo", wizard.portal_access_summary)
                user.invalidate_recordset()
                self.assertEqual((user.login, user.active, user.group_ids), before)
                self.assertFalse(
                    self.env["mail.mail"].search(
                        [
                            "|",
                            ("recipient_ids", "in", partner.ids),
                            ("email_to", "ilike", "attacker@evil.example.com"),
                        ]
                    )
                )
                self.assertEqual(partner.with_context(active_test=False).user_ids, user)

    def test_without_contact_creation_rights(self):
        employee = new_test_user(
            self.env, login="pa_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.open_popup(self.acme, user=employee)
        wizard = self.open_popup(self.acme)
        for method in ("action_grant_all", "action_invite_all", "action_revoke_all"):
            with self.assertRaises(AccessError):
                getattr(wizard.with_user(employee), method)()
        with self.assertRaises(AccessError):
            wizard.user_ids.with_user(employee).action_grant_access()
        with self.assertRaises(AccessError):
            self.acme.with_user(employee).action_portal_access_open_wizard()
        self.assertFalse(self.users_of(self.jane))


@tagged("post_install", "-at_install")
class TestPortalWizardCoreApi(PortalWizardCase, MockEmail):
    def test_core_api_still_sends_at_once(self):
        """Code calling core's line methods (no popup context) keeps core's
        behaviour: the invitation leaves at once, with the module's template."""
        wizard = (
            self.env["portal.wizard"].with_context(active_ids=self.jane.ids).create({})
        )
        with self.mock_mail_gateway():
            wizard.user_ids.action_grant_access()
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self._mails[0]["email_to"], ['"Jane" <jane@example.com>'])
        self.assertIn("jane@example.com", self._mails[0]["body"])
        self.assertIn("/web/signup?", self._mails[0]["body"])
