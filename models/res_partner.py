from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _can_be_edited_by_current_customer(self, **kwargs):
        """Core compares the address with its *own* commercial partner, so any
        customer's invoice or delivery address passed the check and could be
        read, edited and archived from ``/my/address``: compare with the
        commercial partner of the current customer instead.
        """
        if not super()._can_be_edited_by_current_customer(**kwargs):
            return False
        current_partner = self._get_current_partner(**kwargs)
        return self == current_partner or (
            bool(current_partner)
            and self.commercial_partner_id == current_partner.commercial_partner_id
        )
