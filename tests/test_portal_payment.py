import unittest

from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common_account import PortalAccountCase


class PaymentAccountCase(PortalAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref(
            "payment_demo.payment_method_demo", raise_if_not_found=False
        ):
            # Not a dependency of the module: make test installs it.
            raise unittest.SkipTest(
                "payment_demo is not installed: its demo provider saves the cards"
            )
        # Only the demo provider, enabled in test mode, can save cards.
        providers = cls.env["payment.provider"].search([("state", "!=", "disabled")])
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        (providers - cls.provider).write({"state": "disabled"})
        cls.provider.write(
            {
                "state": "test",
                "is_published": True,
                "allow_tokenization": True,
                "company_id": cls.env.company.id,
            }
        )
        cls.demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo_method.active = True

    # Helpers ---------------------------------------------------------------

    def _payment_page(self, user=None):
        if user:
            self._login(user)
        return self._tree(self._get_page("/my/payment_method"))

    def _save_demo_card(self, user, digits="4242"):
        """Save a card as the payment form's script does: validation
        transaction, then the demo provider's simulated answer."""
        tree = self._payment_page(user)
        form = tree.xpath("//form[@id='o_payment_form']")[0]
        radio = form.xpath(
            ".//input[@name='o_payment_radio'][@data-payment-option-type='payment_method']"
            f"[@data-payment-option-id='{self.demo_method.id}']"
        )[0]
        processing_values = self.make_jsonrpc_request(
            form.get("data-transaction-route"),
            {
                "provider_id": int(radio.get("data-provider-id")),
                "payment_method_id": self.demo_method.id,
                "token_id": None,
                "amount": None,
                "flow": "direct",
                "tokenization_requested": True,
                "landing_route": form.get("data-landing-route"),
                "is_validation": True,
                "access_token": form.get("data-access-token"),
                "currency_id": None,
                "partner_id": int(form.get("data-partner-id")),
                "reference_prefix": form.get("data-reference-prefix"),
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing_values["reference"],
                "payment_details": digits,
                "simulated_state": "done",
            },
        )
        token = self.env["payment.token"].search(
            [("partner_id", "=", user.partner_id.id), ("payment_details", "=", digits)]
        )
        self.assertEqual(len(token), 1)
        return token

    def _own_token_ids(self, tree):
        return [
            int(radio.get("data-payment-option-id"))
            for radio in tree.xpath(
                "//form[@id='o_payment_form']//input[@name='o_payment_radio'][@data-payment-option-type='token']"
            )
        ]

    def _shared_token_ids(self, tree):
        return [
            int(token_id)
            for token_id in tree.xpath(
                "//section[@id='o_portal_access_shared_tokens']//li/@data-token-id"
            )
        ]

    def _csrf(self):
        return self._form_values(
            self._tree(self._get_page("/my/account")).xpath("//form")[0]
        )["csrf_token"]

    def _deletion_mails(self, partner):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", partner.ids),
                ("subject", "=", "Your payment method was deleted"),
            ]
        )


@tagged("post_install", "-at_install")
class TestPortalPaymentMethods(PaymentAccountCase):
    """/my/payment_method: save with the demo provider, list own and shared
    methods, delete with confirmation; nothing a forged request can bend."""

    def test_save_list_and_delete_without_javascript(self):
        token = self._save_demo_card(self.anne)
        tx = token.transaction_ids
        self.assertTrue(tx)

        tree = self._payment_page()
        self.assertEqual(self._own_token_ids(tree), [token.id])
        own = tree.xpath("//form[@id='o_payment_form']//li[@name='o_payment_option']")[
            0
        ]
        text = " ".join(own.text_content().split())
        self.assertIn("4242", text)  # masked number
        self.assertIn(self.demo_method.name, text)  # brand
        self.assertIn(self.provider.name, text)  # provider
        self.assertIn("Added on", text)  # date added
        self.assertTrue(
            tree.xpath("//*[hasclass('o_portal_access_payment_edit_note')]")
        )

        # The trash icon, without JavaScript, submits to the confirmation page.
        trash = own.xpath(".//button[@name='o_payment_delete_token']")[0]
        self.assertEqual(trash.get("formmethod"), "get")
        confirm_url = trash.get("formaction")
        self.assertEqual(confirm_url, f"/my/payment_method/{token.id}/delete")
        page = self._tree(self._get_page(confirm_url))
        self.assertTrue(token.active, "the confirmation page changes nothing")
        self.assertFalse(self._deletion_mails(self.anne.partner_id))
        form = page.xpath(f"//form[@action='{confirm_url}']")[0]
        self.assertIn("Confirm Deletion", form.text_content())

        response = self._post(confirm_url, self._form_values(form))
        self.assertEqual(response.status_code, 303)
        self.assertTrue(
            response.headers["Location"].endswith("/my/payment_method?deleted=1")
        )
        token.invalidate_recordset()
        self.assertFalse(token.active, "archived")
        self.assertTrue(token.exists(), "history kept")
        self.assertEqual(tx.token_id, token)
        mail = self._deletion_mails(self.anne.partner_id)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("4242", mail.body_html)

        tree = self._tree(self._get_page(response.headers["Location"]))
        self.assertTrue(tree.xpath("//*[hasclass('o_portal_access_token_deleted')]"))
        self.assertEqual(self._own_token_ids(tree), [])

    def test_colleague_sees_shared_method_read_only(self):
        token = self._save_demo_card(self.anne)
        tree = self._payment_page(self.bart)
        self.assertEqual(self._own_token_ids(tree), [])
        self.assertEqual(self._shared_token_ids(tree), [token.id])
        shared = tree.xpath("//section[@id='o_portal_access_shared_tokens']")[0]
        text = " ".join(shared.text_content().split())
        self.assertIn("Shared by your company", text)
        self.assertIn("Anne Polder", text)
        self.assertIn("4242", text)
        self.assertFalse(
            tree.xpath(f"//*[@formaction='/my/payment_method/{token.id}/delete']")
        )
        self.assertFalse(shared.xpath(".//button | .//form"))

        csrf = self._csrf()
        with mute_logger("odoo.http"):
            self._get_page(f"/my/payment_method/{token.id}/delete", status=403)
            response = self._post(
                f"/my/payment_method/{token.id}/delete", {"csrf_token": csrf}
            )
            self.assertEqual(response.status_code, 403)
            with self.assertRaises(JsonRpcException) as error:
                self.make_jsonrpc_request(
                    "/payment/archive_token", {"token_id": token.id}
                )
            self.assertEqual(error.exception.args[0], "odoo.exceptions.AccessError")
        self.assertTrue(token.active)
        self.assertFalse(self._deletion_mails(self.anne.partner_id))

    def test_other_company_cannot_delete(self):
        token = self._save_demo_card(self.anne)
        self._login(self.carl)
        csrf = self._csrf()
        tree = self._payment_page()
        self.assertNotIn(
            token.id, self._own_token_ids(tree) + self._shared_token_ids(tree)
        )
        missing = (
            self.env["payment.token"].search([], order="id desc", limit=1).id + 1000
        )
        with mute_logger("odoo.http"):
            for token_id in (token.id, missing, 99999999999):
                with self.subTest(token_id=token_id):
                    self._get_page(f"/my/payment_method/{token_id}/delete", status=404)
                    response = self._post(
                        f"/my/payment_method/{token_id}/delete", {"csrf_token": csrf}
                    )
                    self.assertEqual(response.status_code, 404)
            with self.assertRaises(JsonRpcException) as error:
                self.make_jsonrpc_request(
                    "/payment/archive_token", {"token_id": token.id}
                )
            self.assertEqual(error.exception.code, 404)
        self.assertTrue(token.active)
        self.assertFalse(self._deletion_mails(self.anne.partner_id))

    def test_forged_post_without_csrf_token(self):
        token = self._save_demo_card(self.anne)
        with mute_logger("odoo.http"):
            for data in ({}, {"csrf_token": "forged"}):
                response = self._post(f"/my/payment_method/{token.id}/delete", data)
                self.assertEqual(response.status_code, 403)
        self.assertTrue(token.active)
        self.assertFalse(self._deletion_mails(self.anne.partner_id))

    def test_company_saved_method_is_shared_too(self):
        """A method saved on the company itself is listed as shared and
        cannot be deleted by its contacts (core let them archive it)."""
        token = self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.demo_method.id,
                "partner_id": self.polder.id,
                "payment_details": "1881",
                "provider_ref": "polder-company-card",
            }
        )
        tree = self._payment_page(self.anne)
        self.assertEqual(self._shared_token_ids(tree), [token.id])
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/payment/archive_token", {"token_id": token.id})
        self.assertTrue(token.active)

    def test_subsidiary_methods_are_not_shared(self):
        """A company under the customer's company is another customer: its
        methods and its contacts' are neither listed, counted nor deletable,
        and the deletion route does not tell who saved them."""
        subsidiary = self.env["res.partner"].create(
            {"name": "Polder Sub GmbH", "is_company": True, "parent_id": self.polder.id}
        )
        sam = self.env["res.partner"].create(
            {"name": "Sam Sub", "parent_id": subsidiary.id}
        )
        tokens = self.env["payment.token"].create(
            [
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.demo_method.id,
                    "partner_id": partner.id,
                    "payment_details": digits,
                    "provider_ref": f"polder-sub-{digits}",
                }
                for partner, digits in ((subsidiary, "5555"), (sam, "9876"))
            ]
        )
        tree = self._payment_page(self.anne)
        listed = self._own_token_ids(tree) + self._shared_token_ids(tree)
        self.assertFalse(set(listed) & set(tokens.ids))
        self.assertNotIn("Sam Sub", self._get_page("/my/payment_method").text)
        csrf = self._csrf()
        with mute_logger("odoo.http"):
            for token in tokens:
                response = self._post(
                    f"/my/payment_method/{token.id}/delete", {"csrf_token": csrf}
                )
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Sam Sub", response.text)
        self.assertEqual(tokens.mapped("active"), [True, True])
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["payment_token_count"]}
        )
        self.assertEqual(counters["payment_token_count"], 0)

    def test_delete_through_the_scripts_route(self):
        token = self._save_demo_card(self.anne)
        self.make_jsonrpc_request("/payment/archive_token", {"token_id": token.id})
        self.assertFalse(token.active)
        self.assertEqual(len(self._deletion_mails(self.anne.partner_id)), 1)
        self.assertIn(
            "deleted from the customer portal",
            self.anne.partner_id.message_ids[:1].body,
        )

    def test_staff_archive_a_customers_method_in_the_back_office(self):
        """Settings administrators see a customer's method from the contact
        (core's rule showed them only their own) and delete it as Odoo does,
        by archiving it; the customer's portal no longer lists it, and the
        history is kept."""
        token = self._save_demo_card(self.anne)
        staff = new_test_user(
            self.env,
            login="pa_payment_admin",
            groups="base.group_user,base.group_system",
            name="Paula Payments",
        )
        partner_as_staff = self.anne.partner_id.with_user(staff)
        # The contact form's "Saved Payment Methods" button counts it.
        self.assertEqual(partner_as_staff.payment_token_count, 1)
        token.with_user(staff).action_archive()
        token.invalidate_recordset()
        partner_as_staff.invalidate_recordset()
        self.assertEqual(partner_as_staff.payment_token_count, 0)
        self.assertFalse(token.active)
        self.assertTrue(token.exists())
        tree = self._payment_page(self.anne)
        self.assertEqual(self._own_token_ids(tree), [])
        self.assertEqual(self._shared_token_ids(self._payment_page(self.bart)), [])

    def test_dashboard_card_and_count(self):
        # Demo provider enabled, nothing saved: the card is there, count 0.
        self._login(self.carl)
        tree = self._tree(self._get_page("/my"))
        card = tree.xpath(
            "//div[@id='portal_common_category']//a[@href='/my/payment_method']"
        )
        self.assertEqual(len(card), 1)
        self.assertTrue(
            card[0].xpath(".//*[@data-placeholder_count='payment_token_count']")
        )
        self.assertFalse(
            tree.xpath(
                "//div[@id='portal_client_category']//a[@href='/my/payment_method']"
            ),
            "core's card is not shown twice",
        )
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["payment_token_count"]}
        )
        self.assertEqual(counters, {"payment_token_count": 0})

        self._save_demo_card(self.anne)
        self._login(self.anne)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["payment_token_count"]}
        )
        self.assertEqual(counters, {"payment_token_count": 1})
        self._login(self.bart)  # the colleague counts the shared method
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["payment_token_count"]}
        )
        self.assertEqual(counters, {"payment_token_count": 1})

    def test_dashboard_card_hidden_when_nothing_can_be_saved(self):
        self.provider.allow_tokenization = False
        self._login(self.carl)
        tree = self._tree(self._get_page("/my"))
        self.assertFalse(tree.xpath("//a[@href='/my/payment_method']"))


@tagged("post_install", "-at_install")
class TestPortalPaymentTours(PaymentAccountCase):
    """The add and delete flows in Chromium, with core's payment form script."""

    def test_tour_add_payment_method(self):
        self.start_tour(
            "/my/payment_method", "portal_access_payment_add", login=self.carl.login
        )
        token = self.env["payment.token"].search(
            [("partner_id", "=", self.carl.partner_id.id)]
        )
        self.assertEqual(len(token), 1)
        self.assertEqual(token.provider_id, self.provider)

    def test_tour_delete_payment_method(self):
        token = self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.demo_method.id,
                "partner_id": self.carl.partner_id.id,
                "payment_details": "4242",
                "provider_ref": "carl-card",
                "demo_simulated_state": "done",
            }
        )
        self.start_tour(
            "/my/payment_method", "portal_access_payment_delete", login=self.carl.login
        )
        self.assertFalse(token.active)
        self.assertEqual(len(self._deletion_mails(self.carl.partner_id)), 1)
