from odoo import api, models
from odoo.fields import Domain


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

    # ------------------------------------------------------------------
    # Customer portal (/my/payment_method)
    # ------------------------------------------------------------------

    @api.model
    def _portal_access_get_portal_tokens_domain(self, partner):
        """Domain of the active tokens listed on the portal for ``partner``:
        their own and those saved by their company or colleagues (not by a
        subsidiary, another customer).

        :param res.partner partner: the customer
        :rtype: odoo.fields.Domain
        """
        # The same commercial entity, not its whole tree: a subsidiary (a
        # company under the customer's company) is another customer.
        return Domain(
            "partner_id.commercial_partner_id", "=", partner.commercial_partner_id.id
        )

    @api.model
    def _portal_access_get_portal_tokens(self, partner):
        """Split the tokens listed on the portal for ``partner`` in the ones
        they saved (and may delete) and the ones shared by their company.

        Call on a sudoed model: record rules hide colleagues' tokens.

        :param res.partner partner: the customer
        :return: ``(own tokens, shared tokens)``
        :rtype: tuple
        """
        tokens = self.search(self._portal_access_get_portal_tokens_domain(partner))
        own = tokens.filtered(lambda token: token.partner_id == partner)
        return own, tokens - own

    def _portal_access_can_be_deleted_by(self, partner):
        """Whether ``partner`` may delete this token from the portal: only the
        customer who saved it (staff archive tokens in the back office).

        :rtype: bool
        """
        self.ensure_one()
        return self.active and self.partner_id == partner

    def _portal_access_notify_deletion(self):
        """Queue the "payment method deleted" email to each token's customer
        and leave a note on the customer's chatter.
        """
        template = self.env.ref(
            "portal_access.mail_template_payment_token_deleted",
            raise_if_not_found=False,
        )
        for token in self:
            partner = token.partner_id
            partner.message_post(
                body=self.env._(
                    "Payment method %(method)s %(details)s (%(provider)s) deleted "
                    "from the customer portal.",
                    method=token.payment_method_id.name,
                    details=token.display_name,
                    provider=token.provider_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if template and partner.email:
                template._portal_access_send_queued(token.id)
