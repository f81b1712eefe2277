from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_users import check_identity

from .portal_wizard import check_text_values, clean_record_ids


class PortalLoginChange(models.TransientModel):
    """Change the login of one portal user, from its contact or its user form.

    The checks and the change itself live on ``res.users``
    (``_portal_access_check_new_login``, ``_portal_access_change_login``) so
    that other flows can reuse them.
    """

    _name = "portal.login.change"
    _description = "Change Portal Login"

    user_id = fields.Many2one(
        "res.users",
        string="Portal User",
        required=True,
        ondelete="cascade",
        context={"active_test": False},
    )
    partner_id = fields.Many2one(related="user_id.partner_id", string="Contact")
    current_login = fields.Char(related="user_id.login", string="Current Login")
    current_email = fields.Char(
        related="user_id.partner_id.email", string="Contact Email"
    )
    new_login = fields.Char(
        help="An email address. The customer signs in with it and their current "
        "password.",
    )
    update_email = fields.Boolean(
        string="Also use it as the contact's email",
        default=False,
        help="Off: only the username changes; the contact keeps its email address "
        "(where documents and notifications are sent).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_text_values(self, vals_list, ["new_login"])
        return super().create(vals_list)

    def write(self, vals):
        check_text_values(self, [vals], ["new_login"])
        return super().write(vals)

    @api.model
    def default_get(self, fields):
        # Its messages name the user and tell whether they are internal or
        # revoked: only for those who may use the wizard (ORM access rights
        # are checked on create, not here).
        self.check_access("create")
        res = super().default_get(fields)
        if "user_id" in fields and not res.get("user_id"):
            res["user_id"] = self._get_default_user().id
        return res

    @api.model
    def _get_default_user(self):
        """Return the portal user of the record the wizard was opened from.

        :raise UserError: when that record is not exactly one contact or user
            with one portal user
        """
        ctx = self.env.context
        model = ctx.get("active_model")
        # Only real ids: text or lists in the context were a database error.
        ids = clean_record_ids(ctx.get("active_ids") or ctx.get("active_id"))
        if model not in ("res.partner", "res.users") or len(ids) != 1:
            raise UserError(
                self.env._("Select one contact to change its portal login.")
            )
        if model == "res.users":
            user = (
                self.env["res.users"]
                .with_context(active_test=False)
                .browse(ids)
                .exists()
            )
        else:
            partner = self.env["res.partner"].browse(ids).exists()
            if not partner:
                raise UserError(
                    self.env._("Select one contact to change its portal login.")
                )
            users = partner.with_context(active_test=False).user_ids
            if not users:
                raise UserError(
                    self.env._(
                        "%(contact)s has no user, so no login to change. Give them "
                        "portal access "
                        "first (Action > Grant portal access).",
                        contact=partner.display_name,
                    )
                )
            portal_users = users.filtered(lambda user: user._is_portal())
            if len(portal_users) > 1:
                raise UserError(
                    self.env._(
                        "%(contact)s has several portal users; open the user to change "
                        "(Settings > Users) and use Change portal login there.",
                        contact=partner.display_name,
                    )
                )
            user = portal_users or users[:1]
        if not user:
            raise UserError(
                self.env._("Select one contact to change its portal login.")
            )
        user._portal_access_check_login_change_allowed()
        return user

    def action_confirm(self):
        """Check the new login, then (after the identity check of the staff
        member) change it."""
        self.ensure_one()
        self.user_id._portal_access_check_login_change_allowed()
        # Clear messages about the new login before asking for a password.
        self.user_id._portal_access_check_new_login(self.new_login)
        return self._action_change_login()

    @check_identity
    def _action_change_login(self):
        self.ensure_one()
        login = self.user_id._portal_access_change_login(
            self.new_login, update_email=self.update_email
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(user)s now signs in with %(login)s. Notices to the old and "
                    "the new address are queued and leave with the next mail run.",
                    user=self.user_id.display_name,
                    login=login,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
