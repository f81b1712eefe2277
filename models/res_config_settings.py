from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Login change requests from the portal
    portal_access_login_request_user_id = fields.Many2one(
        "res.users",
        string="Login Change Requests",
        config_parameter="portal_access.login_request_user_id",
        domain=[("share", "=", False)],
        help="Receives the to-do of a customer's login change request when neither the "
        "contact nor its company has a salesperson. Empty: the Administrator.",
    )

    # Two-factor authentication for portal users (portal security page) ----
    portal_access_portal_totp_policy = fields.Selection(
        [("optional", "Optional"), ("required", "Required")],
        string="Two-factor authentication for portal users",
        default="optional",
        required=True,
        config_parameter="portal_access.portal_totp_policy",
        help="Required: a portal user without two-factor authentication who signs "
        "in is sent to the page that turns it on and can open no other page of the "
        "portal until it is on.",
    )
