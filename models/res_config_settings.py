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
