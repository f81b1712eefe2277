from odoo import fields, models


class AuthTotpRateLimitLog(models.TransientModel):
    """Core's per-user rate-limit log (2FA codes, 2FA mails), also used for
    the module's own limits: wrong passwords at the identity re-check of
    sensitive actions, and portal invitations per contact (see
    ``res.users._portal_access_rate_limit_*``). Transient: entries older than
    the one-hour windows are vacuumed by core."""

    _inherit = "auth.totp.rate.limit.log"

    limit_type = fields.Selection(
        selection_add=[
            ("portal_access_identity_check", "Password Re-check"),
            ("portal_access_invite", "Portal Invitation"),
        ],
        ondelete={
            "portal_access_identity_check": "cascade",
            "portal_access_invite": "cascade",
        },
    )
