from lxml import etree

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestPartnerAccessState(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_portal = cls.env.ref("base.group_portal")
        cls.group_public = cls.env.ref("base.group_public")
        cls.group_user = cls.env.ref("base.group_user")
        cls.company = cls.env["res.partner"].create(
            {"name": "Statecorp", "is_company": True}
        )

    def new_contact(self, name):
        return self.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.lower()}@statecorp.example.com",
                "parent_id": self.company.id,
            }
        )

    def test_state_follows_the_user(self):
        """Kept right by the ORM whatever changes the user: creation, first
        login, archiving, groups."""
        contact = self.new_contact("Sam")
        self.assertEqual(contact.portal_access_state, "none")
        user = new_test_user(
            self.env,
            login=contact.email,
            partner_id=contact.id,
            groups="base.group_portal",
        )
        self.assertEqual(contact.portal_access_state, "invited")
        # First login (what res.users does on every successful sign-in).
        user.with_user(user)._update_last_login()
        self.assertEqual(contact.portal_access_state, "active")
        # Archived from Settings > Users.
        user.active = False
        self.assertEqual(contact.portal_access_state, "revoked")
        user.active = True
        self.assertEqual(contact.portal_access_state, "active")
        # Moved to the public group.
        user.group_ids = [
            Command.unlink(self.group_portal.id),
            Command.link(self.group_public.id),
        ]
        self.assertEqual(contact.portal_access_state, "revoked")
        # Made an employee.
        user.group_ids = [
            Command.unlink(self.group_public.id),
            Command.link(self.group_user.id),
        ]
        self.assertEqual(contact.portal_access_state, "internal")
        # Back to the portal: a new portal user after all.
        user.group_ids = [Command.set([self.group_portal.id])]
        self.assertEqual(contact.portal_access_state, "active")

    def test_state_is_stored_searchable_groupable(self):
        field = self.env["res.partner"]._fields["portal_access_state"]
        self.assertTrue(field.store)
        states = {}
        for name, groups in (
            ("Ivy", "base.group_portal"),
            ("Al", "base.group_portal"),
            ("Rex", "base.group_portal"),
        ):
            contact = self.new_contact(name)
            states[name] = new_test_user(
                self.env,
                login=contact.email,
                name=name,
                partner_id=contact.id,
                groups=groups,
            )
        states["Al"].with_user(states["Al"])._update_last_login()
        states["Rex"].active = False
        self.new_contact("Nobody")
        domain = [("parent_id", "=", self.company.id)]
        groups = dict(
            self.env["res.partner"]._read_group(
                domain, ["portal_access_state"], ["__count"]
            )
        )
        self.assertEqual(groups, {"invited": 1, "active": 1, "revoked": 1, "none": 1})

        # The filters of the contact search view.
        arch = self.env["res.partner"].get_views([(False, "search")])["views"][
            "search"
        ]["arch"]
        filters = {
            node.get("name"): node for node in etree.fromstring(arch).iter("filter")
        }
        expected = {
            "portal_access_active": "Al",
            "portal_access_invited": "Ivy",
            "portal_access_revoked": "Rex",
        }
        for name, contact_name in expected.items():
            found = self.env["res.partner"].search(
                domain + safe_eval(filters[name].get("domain"))
            )
            self.assertEqual(found.mapped("name"), [contact_name], name)
        self.assertIn(
            "portal_access_state", filters["group_portal_access_state"].get("context")
        )

    def test_contact_list_no_query_per_row(self):
        """The contact list reads the state from the partner rows: as many
        queries for 30 rows as for 10, and none more than without the column."""
        contacts = self.env["res.partner"]
        for i in range(30):
            contact = self.new_contact(f"Row{i}")
            contacts |= contact
            if i % 3:
                user = new_test_user(
                    self.env,
                    login=contact.email,
                    partner_id=contact.id,
                    groups="base.group_portal",
                )
                if i % 3 == 2:
                    user.active = False
        spec = {"display_name": {}, "email": {}, "portal_access_state": {}}
        Partner = self.env["res.partner"]
        Partner.web_search_read([("id", "in", contacts.ids)], spec)  # warm the caches
        for rows, fields_spec in (
            (10, spec),
            (30, spec),
            (30, {"display_name": {}, "email": {}}),
        ):
            self.env.invalidate_all()
            # Same count for 10 and 30 rows, with or without the column.
            with self.assertQueryCount(3):
                result = Partner.web_search_read(
                    [("id", "in", contacts[:rows].ids)], fields_spec, limit=rows
                )
            self.assertEqual(len(result["records"]), rows)
        records = Partner.web_search_read([("id", "in", contacts.ids)], spec)["records"]
        states = {record["portal_access_state"] for record in records}
        self.assertEqual(states, {"none", "invited", "revoked"})

    def test_company_smart_button(self):
        contacts = [self.new_contact(name) for name in ("Pia", "Ole", "Max")]
        users = [
            new_test_user(
                self.env,
                login=contact.email,
                partner_id=contact.id,
                groups="base.group_portal",
            )
            for contact in contacts[:2]
        ]
        users[1].active = False
        self.assertEqual(self.company.portal_access_user_count, 1)
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        button = etree.fromstring(arch).xpath(
            "//button[@name='action_portal_access_open_wizard']"
        )
        self.assertTrue(button)
        self.assertIn("portal_access_user_count", etree.tostring(button[0]).decode())
        action = self.company.action_portal_access_open_wizard()
        wizard = self.env["portal.wizard"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "portal.wizard")
        self.assertEqual(wizard.user_ids.partner_id, self.company.child_ids)
