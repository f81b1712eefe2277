from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from odoo.addons.portal.wizard.portal_wizard import (
    PortalWizardUser as CorePortalWizardUser,
)

from .test_portal_wizard import PortalWizardCase

# What the web client reads when the popup opens (fields of the form view).
POPUP_SPEC = {
    "welcome_message": {},
    "portal_access_summary": {},
    "show_addresses": {},
    "user_ids": {
        "fields": {
            "partner_id": {"fields": {"display_name": {}}},
            "email": {},
            "email_state": {},
            "login_date": {},
            "is_portal": {},
            "is_internal": {},
            "portal_access_state": {},
            "portal_access_invite_date": {},
        }
    },
}


@tagged("post_install", "-at_install")
class TestPortalWizardPerformance(PortalWizardCase):
    """Query budgets of the popup (guards for the benchmark's targets)."""

    def make_company(self, size, with_users=0):
        company = self.env["res.partner"].create(
            {"name": f"Perf {size}", "is_company": True}
        )
        contacts = self.env["res.partner"].create(
            [
                {
                    "name": f"P{company.id}-{i}",
                    "email": f"p{company.id}.{i}@perf.example.com",
                    "parent_id": company.id,
                }
                for i in range(size)
            ]
        )
        for contact in contacts[:with_users]:
            new_test_user(
                self.env,
                login=contact.email,
                partner_id=contact.id,
                groups="base.group_portal",
            )
        self.env.flush_all()
        return company

    def open_and_read(self, company):
        wizard = self.open_popup(company)
        wizard.web_read(POPUP_SPEC)
        return wizard

    def test_popup_opening_is_flat(self):
        """Opening the popup (create + the form's read) costs as many queries
        for 40 contacts as for 10."""
        small = self.make_company(10, with_users=4)
        large = self.make_company(40, with_users=16)
        self.open_and_read(self.make_company(3, with_users=1))  # warm the caches
        for company in (small, large):
            self.env.invalidate_all()
            with (
                self.subTest(contacts=len(company.child_ids)),
                self.assertQueryCount(11),
            ):
                wizard = self.open_and_read(company)
            self.assertEqual(len(wizard.user_ids), len(company.child_ids))

    def test_popup_compares_each_line_with_its_own_login_only(self):
        """Core compared every line with every user found (a company whose
        contacts all have users took minutes to open at 1,000 contacts):
        each line is now compared with the users of its own login only."""
        company = self.make_company(30, with_users=30)
        wizard_user_cls = type(self.env["portal.wizard.user"])
        calls = []
        original = wizard_user_cls._is_portal_similar_than_user

        def counting(self_, user, portal_user):
            calls.append(1)
            return original(self_, user, portal_user)

        with patch.object(wizard_user_cls, "_is_portal_similar_than_user", counting):
            wizard = self.open_and_read(company)
        self.assertEqual(len(wizard.user_ids), 30)
        self.assertEqual(set(wizard.user_ids.mapped("email_state")), {"ok"})
        self.assertLessEqual(len(calls), 30, "at most one comparison per line")

    def count_grant_all(self, size, again=False):
        """Queries of Grant all on a company of ``size`` contacts; ``again``:
        contacts whose access was revoked (their users are reactivated, not
        created)."""
        company = self.make_company(size, with_users=size if again else 0)
        if again:
            wizard = self.open_popup(company)
            wizard.action_revoke_all()
            self.assertIn(f"Revoked: {size}", wizard.portal_access_summary)
        wizard = self.open_popup(company)
        wizard.web_read(POPUP_SPEC)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        wizard.action_grant_all()
        self.env.flush_all()
        count = self.cr.sql_log_count - before
        self.assertIn(f"Granted: {size}", wizard.portal_access_summary)
        return count

    def test_grant_all_budget(self):
        """Grant all: at most 10 queries per contact, and each extra contact
        costs one or two queries (batched creates, notes and mails). About a
        hundred queries are a fixed cost: changing users' groups clears the
        registry caches (core's behaviour), which then refill."""
        self.count_grant_all(2)  # warm the caches
        small, large = self.count_grant_all(5), self.count_grant_all(25)
        self.assertLessEqual(large, 10 * 25)
        self.assertLessEqual(
            large - small, 2 * 20, f"{small} queries for 5, {large} for 25"
        )

    def test_grant_all_again_budget(self):
        """Grant all after Revoke all (users reactivated): the checks of each
        line (technical user, login owner) are batched too, so each extra
        contact costs a few queries, not a few per check."""
        self.count_grant_all(2, again=True)  # warm the caches
        small = self.count_grant_all(5, again=True)
        large = self.count_grant_all(25, again=True)
        self.assertLessEqual(large, 10 * 25)
        self.assertLessEqual(
            large - small, 2 * 20, f"{small} queries for 5, {large} for 25"
        )

    def test_grant_all_far_cheaper_than_one_at_a_time(self):
        """Core's one-line-at-a-time grant (its own method, on the same data)
        against Grant all, in queries per contact."""
        self.count_grant_all(2)  # warm the caches
        company = self.make_company(10)
        wizard = self.open_popup(company)
        before = self.cr.sql_log_count
        for line in wizard.user_ids:
            CorePortalWizardUser.action_grant_access(line)
        self.env.flush_all()
        one_at_a_time = self.cr.sql_log_count - before
        grant_all = self.count_grant_all(10)
        self.assertLess(
            grant_all * 5, one_at_a_time, f"{grant_all} vs {one_at_a_time} queries"
        )
