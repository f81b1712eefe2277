from odoo import api, models


class PaymentToken(models.Model):
    _inherit = "payment.token"

    @api.model
    def _portal_access_create_demo_tokens(self):
        """Save a demo card for the demo portal user (demo data only).

        The card needs the demo payment method of ``payment_demo``; without that
        module the demo data simply has no saved card.
        """
        method = self.env.ref(
            "payment_demo.payment_method_demo", raise_if_not_found=False
        )
        provider = self.env.ref(
            "payment.payment_provider_demo", raise_if_not_found=False
        )
        partner = self.env.ref(
            "portal_access.partner_acme_jane", raise_if_not_found=False
        )
        if not (method and provider and partner) or provider.code != "demo":
            return
        if self.search_count(
            [("partner_id", "=", partner.id), ("provider_id", "=", provider.id)]
        ):
            return
        token = self.create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "partner_id": partner.id,
                "payment_details": "4242",
                "provider_ref": "portal-access-demo-jane",
                "demo_simulated_state": "done",
            }
        )
        # An XML id, so that uninstalling the module removes the card with the
        # demo contact it belongs to.
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": "portal_access.payment_token_acme_jane",
                    "record": token,
                    "noupdate": True,
                }
            ]
        )
