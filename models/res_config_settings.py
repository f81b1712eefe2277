from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Two-factor authentication for portal users (portal security page) ----
    portal_access_portal_totp_policy = fields.Selection(
        [("optional", "Optional"), ("required", "Required")],
        string="Two-factor authentication for portal users",
        default="optional",
        required=True,
        config_parameter="portal_access.portal_totp_policy",
        help="Required: a portal user without two-factor authentication who signs in is "
        "sent to the page that turns it on and can open no other page of the portal "
        "until it is on.",
    )
