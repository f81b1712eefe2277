from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common_account import PortalAccountCase

ADDRESS = {
    "name": "Polder Warehouse",
    "email": "warehouse@polder.example.com",
    "phone": "+31 10 000 0000",
    "street": "Havenweg 5",
    "city": "Zaandam",
    "zip": "1505 HZ",
}


@tagged("post_install", "-at_install")
class TestPortalAddresses(PortalAccountCase):
    """/my/addresses: add, edit and archive billing and delivery addresses,
    following the links the pages show, with and without JavaScript."""

    def _addresses_page(self):
        return self._tree(self._get_page("/my/addresses"))

    def _add_link(self, address_type):
        tree = self._addresses_page()
        links = tree.xpath(
            f"//a[contains(@class, "
            f"'o_address_card_add_new')][@data-address-type='{address_type}']/@href"
        )
        self.assertEqual(len(links), 1)
        return links[0]

    def _fill_and_submit(self, url, values, no_js=False):
        response = self._get_page(url)
        form = self._tree(response).xpath("//form[@name='address_form']")[0]
        data = {**self._form_values(form), "country_id": str(self.nl.id), **values}
        if no_js:
            data["portal_access_no_js"] = "1"
        return self._post("/my/address/submit", data)

    def _card_ids(self, tree, section_heading):
        """Partner ids of the address cards listed under a heading."""
        if section_heading == "delivery":
            cards = tree.xpath(
                "//section[hasclass('o_portal_addresses')]/div[@name='address_list']"
                "//div[@name='address_card']"
            )
        else:
            cards = tree.xpath(
                "//div[@id='billing_container']//div[@name='address_card']"
            )
        return [int(card.get("data-partner-id")) for card in cards]

    def _new_children(self, before):
        return self.polder.with_context(active_test=False).child_ids - before

    def test_new_billing_address_is_billing_and_listed_once(self):
        """Core's billing "Add Address" link carried the page's "same as
        delivery" state: the address was saved as "other" and listed under
        both headings."""
        self._login(self.anne)
        before = self.polder.child_ids
        link = self._add_link("billing")
        self.assertIn("use_delivery_as_billing=false", link)
        response = self._fill_and_submit(link, {**ADDRESS, "name": "Polder Accounts"})
        self.assertEqual(response.json(), {"redirectUrl": "/my/addresses"})
        new = self._new_children(before)
        self.assertEqual(len(new), 1)
        self.assertEqual(new.type, "invoice")
        self.assertEqual(new.name, "Polder Accounts")
        tree = self._addresses_page()
        self.assertEqual(self._card_ids(tree, "billing").count(new.id), 1)
        self.assertNotIn(new.id, self._card_ids(tree, "delivery"))

    def test_billing_address_without_javascript(self):
        self._login(self.anne)
        before = self.polder.child_ids
        tree = self._addresses_page()
        # No invoice address yet: core hides the billing button behind a
        # switch only its script can flip; a <noscript> link stands in.
        links = tree.xpath(
            "//noscript/a[hasclass('o_portal_access_add_billing')]/@href"
        )
        self.assertEqual(len(links), 1)
        response = self._fill_and_submit(links[0], ADDRESS, no_js=True)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/addresses"))
        self.assertEqual(self._new_children(before).type, "invoice")

    def test_invalid_address_without_javascript_comes_back_with_input(self):
        self._login(self.anne)
        before = self.polder.child_ids
        response = self._fill_and_submit(
            self._add_link("delivery"), {**ADDRESS, "city": "y" * 10000}, no_js=True
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/my/address?", response.headers["Location"])
        page = self._get_page(response.headers["Location"])
        self.assertTrue(any("too long" in m for m in self._messages_on_page(page)))
        city = self._tree(page).xpath("//input[@name='city']")[0]
        self.assertEqual(city.get("value"), "y" * 10000)
        self.assertIn("is-invalid", city.get("class"))
        self.assertEqual(
            self._tree(page).xpath("//input[@name='street']")[0].get("value"),
            ADDRESS["street"],
        )
        self.assertFalse(self._new_children(before))

    def test_delivery_address_add_edit_archive(self):
        self._login(self.anne)
        before = self.polder.child_ids
        response = self._fill_and_submit(self._add_link("delivery"), ADDRESS)
        self.assertEqual(response.json(), {"redirectUrl": "/my/addresses"})
        address = self._new_children(before)
        # Polder has no billing address, so the page's "same as delivery"
        # switch is on: core saves the address for both uses.
        self.assertEqual(address.type, "other")
        tree = self._addresses_page()
        self.assertEqual(self._card_ids(tree, "delivery").count(address.id), 1)

        # Edit through the pencil of its card.
        edit = tree.xpath(
            f"//div[@data-partner-id='{address.id}']//a[@name='card_address_ref']/@href"
        )[0]
        response = self._fill_and_submit(edit, {**ADDRESS, "street": "Havenweg 7"})
        self.assertEqual(response.json(), {"redirectUrl": "/my/addresses"})
        self.assertEqual(address.street, "Havenweg 7")
        self.assertEqual(address.type, "other")

        # Archive with core's script route.
        self.make_jsonrpc_request("/my/address/archive", {"partner_id": address.id})
        self.assertFalse(address.active)

    def test_archive_without_javascript(self):
        self._login(self.anne)
        address = self.env["res.partner"].create(
            {
                **ADDRESS,
                "parent_id": self.polder.id,
                "type": "delivery",
                "country_id": self.nl.id,
            }
        )
        tree = self._addresses_page()
        link = tree.xpath(
            f"//div[@data-partner-id='{address.id}']//a[hasclass('o_remove_address')]/@href"
        )
        self.assertEqual(link, [f"/my/address/{address.id}/archive"])
        page = self._tree(self._get_page(link[0]))
        form = page.xpath(f"//form[@action='/my/address/{address.id}/archive']")[0]
        self.assertTrue(address.active, "the confirmation page changes nothing")
        response = self._post(form.get("action"), self._form_values(form))
        self.assertEqual(response.status_code, 303)
        self.assertFalse(address.active)
        self.assertTrue(address.exists(), "archived, not deleted")

    def test_archive_refused(self):
        self._login(self.anne)
        other = self.env["res.partner"].create(
            {
                **ADDRESS,
                "parent_id": self.dijk.id,
                "type": "delivery",
                "country_id": self.nl.id,
            }
        )
        csrf = self._form_values(
            self._tree(self._get_page("/my/account")).xpath("//form")[0]
        )["csrf_token"]
        with mute_logger("odoo.http"):
            for partner, status in (
                (other, 404),  # another customer's address
                (self.bart.partner_id, 404),  # a colleague's contact, not an address
                (self.polder, 404),  # the company itself
                (self.anne.partner_id, 403),  # one's own main address
            ):
                with self.subTest(partner=partner.name):
                    self._get_page(f"/my/address/{partner.id}/archive", status=status)
                    response = self._post(
                        f"/my/address/{partner.id}/archive", {"csrf_token": csrf}
                    )
                    self.assertEqual(response.status_code, status)
                    self.assertTrue(partner.active)
            self._get_page("/my/address/99999999999/archive", status=404)
            own = self.env["res.partner"].create(
                {
                    **ADDRESS,
                    "parent_id": self.polder.id,
                    "type": "delivery",
                    "country_id": self.nl.id,
                }
            )
            response = self._post(f"/my/address/{own.id}/archive", {})
            self.assertEqual(response.status_code, 400, "no CSRF token")
            self.assertTrue(own.active)

    def test_other_customers_address_is_out_of_reach(self):
        """Core's ownership check compared an address with its own company, so
        any customer's invoice or delivery address passed it."""
        address = self.env["res.partner"].create(
            {
                **ADDRESS,
                "parent_id": self.polder.id,
                "type": "delivery",
                "country_id": self.nl.id,
            }
        )
        before = self._snapshot(address)
        self._login(self.carl)
        csrf = self._form_values(
            self._tree(self._get_page("/my/account")).xpath("//form")[0]
        )["csrf_token"]
        with mute_logger("odoo.http"):
            self._get_page(f"/my/address?partner_id={address.id}", status=403)
            response = self._post(
                "/my/address/submit",
                {
                    **ADDRESS,
                    "csrf_token": csrf,
                    "partner_id": str(address.id),
                    "name": "Hijacked",
                    "country_id": str(self.nl.id),
                    "address_type": "delivery",
                },
            )
            self.assertEqual(response.status_code, 403)
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/my/address/archive", {"partner_id": address.id}
                )
            self._get_page(f"/my/address/{address.id}/archive", status=404)
        self.assertEqual(self._snapshot(address), before)
        self.assertTrue(address.active)
        # Anne, at Polder, still manages it.
        self.assertTrue(
            address.with_user(self.anne)._can_be_edited_by_current_customer()
        )

    def test_address_with_its_own_login_is_out_of_reach(self):
        """An invoice or delivery address that has its own portal user (even
        a revoked one) belongs to that person: a colleague editing its email
        could reset that user's password and sign in as them."""
        address = self.env["res.partner"].create(
            {
                **ADDRESS,
                "parent_id": self.polder.id,
                "type": "invoice",
                "country_id": self.nl.id,
            }
        )
        user = self.env["res.users"].create(
            {
                "login": "warehouse-login@polder.example.com",
                "partner_id": address.id,
                "group_ids": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        before = self._snapshot(address)
        self._login(self.anne)
        tree = self._addresses_page()
        self.assertFalse(
            tree.xpath(
                f"//div[@data-partner-id='{address.id}']//a[@name='card_address_ref']"
            ),
            "no pencil on that card",
        )
        csrf = self._form_values(
            self._tree(self._get_page("/my/account")).xpath("//form")[0]
        )["csrf_token"]
        for revoked in (False, True):
            with self.subTest(revoked=revoked), mute_logger("odoo.http"):
                user.active = not revoked
                self._get_page(f"/my/address?partner_id={address.id}", status=403)
                response = self._post(
                    "/my/address/submit",
                    {
                        **ADDRESS,
                        "csrf_token": csrf,
                        "partner_id": str(address.id),
                        "email": "attacker@evil.example.com",
                        "country_id": str(self.nl.id),
                        "address_type": "billing",
                    },
                )
                self.assertEqual(response.status_code, 403)
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(
                        "/my/address/archive", {"partner_id": address.id}
                    )
                self._get_page(f"/my/address/{address.id}/archive", status=404)
                self.assertEqual(self._snapshot(address), before)
                self.assertTrue(address.active)
