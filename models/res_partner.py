from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

PORTAL_ACCESS_STATES = [
    ("none", "No access"),
    ("invited", "Invited"),
    ("active", "Active"),
    ("revoked", "Revoked"),
    ("internal", "Internal user"),
]
# Also the help of the popup lines' columns (portal.wizard.user).
PORTAL_ACCESS_STATE_HELP = (
    "No access: no user. Invited: portal user who never logged in. "
    "Active: portal user who has logged in. Revoked: the user was archived "
    "or removed from the portal. Internal user: an employee account, "
    "managed in Settings > Users."
)
PORTAL_ACCESS_INVITE_DATE_HELP = (
    "When the latest portal invitation was queued for this contact."
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Stored so that the contact list, its filters and its group-by read it
    # from the partner row; recomputed by the ORM whenever one of the
    # partner's users is created, archived, changes groups or logs in for the
    # first time (res.users.log rows feed ``login_date``).
    portal_access_state = fields.Selection(
        PORTAL_ACCESS_STATES,
        string="Portal Access",
        compute="_compute_portal_access_state",
        store=True,
        default="none",
        help=PORTAL_ACCESS_STATE_HELP,
        groups="base.group_user",
    )
    portal_access_invite_date = fields.Datetime(
        string="Last Portal Invitation",
        copy=False,
        readonly=True,
        help=PORTAL_ACCESS_INVITE_DATE_HELP,
        groups="base.group_user",
    )
    portal_access_revoke_date = fields.Datetime(
        string="Portal Access Revoked On",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    # Changed at every invitation and revocation; part of the signed payload
    # of sign-up links (see _get_login_date), so that links sent before are no
    # longer accepted.
    portal_access_invite_key = fields.Char(copy=False, groups="base.group_system")
    portal_access_user_count = fields.Integer(
        string="Portal Users",
        compute="_compute_portal_access_user_count",
        help="Contacts of this company (and the company itself) with portal access, "
        "invited or active.",
        groups="base.group_user",
    )

    @api.depends(
        "user_ids.active",
        "user_ids.share",
        "user_ids.group_ids",
        "user_ids.login_date",
    )
    def _compute_portal_access_state(self):
        group_portal_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "base.group_portal"
        )
        for partner in self:
            users = partner.with_context(active_test=False).user_ids
            partner.portal_access_state = self._portal_access_state_of_users(
                users, group_portal_id
            )

    @api.model
    def _portal_access_state_of_users(self, users, group_portal_id):
        """Return the access state of a contact whose users (archived
        included) are ``users``.

        :param users: ``res.users`` records, archived included
        :param int group_portal_id: id of ``base.group_portal``
        """
        if not users:
            return "none"
        if any(not user.share for user in users):
            return "internal"
        portal_users = users.filtered(
            lambda user: user.active and group_portal_id in user.all_group_ids.ids
        )
        if not portal_users:
            return "revoked"
        return "active" if any(portal_users.mapped("login_date")) else "invited"

    def _compute_portal_access_user_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [
                    ("commercial_partner_id", "in", self.ids),
                    ("portal_access_state", "in", ("invited", "active")),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.portal_access_user_count = counts.get(partner, 0)

    def write(self, vals):
        if "email" in vals and not self.env.su:
            self._portal_access_check_email_change(vals["email"])
        return super().write(vals)

    def _portal_access_check_email_change(self, email):
        """Password reset links and security notices of a portal user go to
        their contact's email. Staff who may edit contacts but not logins
        (Contact Creation without Access Rights) cannot point that email of
        an account in use elsewhere than its login: whoever reads the new
        address could reset the password and sign in as the customer.

        :raise UserError: with a translated message; nothing is written
        """
        if self.env.user.has_group("base.group_erp_manager"):
            return
        new_email = email_normalize(email or "") or (email or "").strip().lower()
        # sudo: the users of the contacts, possibly of another company
        for partner in self.sudo():
            if new_email == (email_normalize(partner.email or "") or ""):
                continue
            for user in partner.user_ids:
                if (
                    user != self.env.user
                    and user.login_date
                    and user._is_portal()
                    and new_email != user.login.lower()
                ):
                    raise UserError(
                        self.env._(
                            "%(contact)s signs in to the portal as %(login)s, and "
                            "password reset links go to the contact's email: only "
                            "members of Access Rights may point it to another "
                            "address (Action > Change portal login changes both).",
                            contact=partner.display_name,
                            login=user.login,
                        )
                    )

    def _get_signup_url(self):
        """Core lets whoever may edit contacts (Contact Creation) compute the
        sign-up or password-reset link of a portal user: rendering the
        invitation or reset template (a preview, a mail sent to another
        address) handed them the customer's account. Only Access Rights
        members (who may change logins) and the module's own sending code
        (as superuser, after its checks) compute it.
        """
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group("base.group_erp_manager"):
            users_sudo = self.sudo().user_ids
            if any(user._is_portal() for user in users_sudo - self.env.user):
                raise AccessError(
                    self.env._(
                        "Only members of Access Rights can get the sign-up link of "
                        "a portal user; invite them with Action > Grant portal "
                        "access."
                    )
                )
        return super()._get_signup_url()

    def _portal_access_filter_own_company(self):
        """The partners of ``self`` that are, or are under, a company of this
        database (its address, a branch, a contact): core copies addresses
        and the company name up to the company, so none of them may be a
        customer of the portal.

        :rtype: res.partner
        """
        own_ids = self._portal_access_own_company_partner_ids()

        def is_under_own_company(partner):
            seen = set()
            while partner and partner.id not in seen:
                if partner.id in own_ids:
                    return True
                seen.add(partner.id)
                partner = partner.parent_id
            return False

        # sudo: the parents of a contact, whatever their company
        return self.browse(
            partner.id for partner in self.sudo() if is_under_own_company(partner)
        )

    @api.model
    @tools.ormcache()
    def _portal_access_own_company_partner_ids(self):
        """Ids of the partners of the companies of this database, archived
        ones included; creating or deleting a company clears the cache."""
        # sudo: the companies of this database, allowed to the user or not
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        return frozenset(companies.search([]).partner_id.ids)

    def _get_login_date(self):
        # Sign-up tokens sign this value and are only accepted while it is
        # unchanged. Adding the invitation key makes every re-invitation and
        # revocation void the links sent before it.
        login_date = super()._get_login_date()
        key = self.sudo().portal_access_invite_key
        return f"{login_date}:{key}" if key else login_date

    def action_portal_access_open_wizard(self):
        """Open the portal access popup on this company and its contacts."""
        self.ensure_one()
        return (
            self.env["portal.wizard"]
            .with_context(active_ids=self.ids, active_model="res.partner")
            .action_open_wizard()
        )

    def _can_be_edited_by_current_customer(self, **kwargs):
        """Core compares the address with its *own* commercial partner, so any
        customer's invoice or delivery address passed the check and could be
        read, edited and archived from ``/my/address``: compare with the
        commercial partner of the current customer instead.
        """
        if not super()._can_be_edited_by_current_customer(**kwargs):
            return False
        current_partner = self._get_current_partner(**kwargs)
        # The database's own company (and what is under it) is never edited
        # by a customer, whoever got access there; employees keep editing
        # their own details.
        if (
            not self.env.user._is_internal()
            and (self | current_partner)._portal_access_filter_own_company()
        ):
            return False
        if self == current_partner:
            return True
        # An address that is someone's login (a contact with portal access,
        # even revoked) belongs to that person: editing its email would let
        # the customer reset that user's password and sign in as them.
        if self.with_context(active_test=False).sudo().user_ids:
            return False
        return bool(current_partner) and (
            self.commercial_partner_id == current_partner.commercial_partner_id
        )
