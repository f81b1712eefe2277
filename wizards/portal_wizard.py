import logging
import re
import secrets
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

from ..models.res_partner import (
    PORTAL_ACCESS_INVITE_DATE_HELP,
    PORTAL_ACCESS_STATE_HELP,
    PORTAL_ACCESS_STATES,
)
from ..models.res_users import INVITE_LIMIT, INVITE_LIMIT_TYPE, INVITE_WINDOW

_logger = logging.getLogger(__name__)

# Largest id PostgreSQL stores in an ``integer`` column.
_MAX_ID = 2**31 - 1
# Control characters (tab and line breaks allowed): PostgreSQL refuses NUL,
# which was a server error when typed into a popup field.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_record_ids(value):
    """Record ids from a context value (``active_ids``, ``active_id``) as a
    list of positive integers PostgreSQL can store; anything else (text,
    booleans, nested lists, out-of-range numbers) is dropped."""
    if isinstance(value, int):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [
        record_id
        for record_id in value
        if isinstance(record_id, int)
        and not isinstance(record_id, bool)
        and 0 < record_id <= _MAX_ID
    ]


def check_text_values(model, vals_list, field_names):
    """Refuse control characters in the text fields ``field_names`` of
    ``vals_list`` with a translated message (before they reach the database).

    :raise ValidationError: naming the field
    """
    for vals in vals_list:
        for field_name in field_names:
            value = vals.get(field_name)
            if isinstance(value, str) and _CONTROL_CHARS.search(value):
                raise ValidationError(
                    model.env._(
                        "%(field)s contains characters that are not allowed.",
                        field=model._fields[field_name]._description_string(model.env),
                    )
                )


# Contact types listed only when the staff member asks for them; core's popup
# lists the contacts and "other" addresses.
ADDRESS_TYPES = ("invoice", "delivery")


class PortalWizard(models.TransientModel):
    _inherit = "portal.wizard"

    show_addresses = fields.Boolean(
        string="Include Invoice and Delivery Addresses",
        help="Also list the invoice and delivery addresses of the selected companies.",
    )
    # Through the method, so that the override below applies (core binds
    # its function itself).
    partner_ids = fields.Many2many(default=lambda self: self._default_partner_ids())
    # Built by _portal_access_summary_html from escaped values only.
    portal_access_summary = fields.Html(
        string="Summary",
        readonly=True,
        sanitize=False,
        help="Outcome of the last action.",
    )

    @api.model
    def default_get(self, fields):
        # Core's defaults list a company's contacts as superuser: only for
        # those who may use the popup (ORM access rights are checked on
        # create, not here).
        self.check_access("create")
        return super().default_get(fields)

    def _default_partner_ids(self):
        # Core browses the context's ids as they come: text, booleans or
        # nested lists were a server error (ValueError, SQL error). Only ids
        # PostgreSQL can hold go on; an id of no contact gets core's "record
        # does not exist" message (checking it here would cost a query).
        ctx = self.env.context
        key = "default_partner_ids" if ctx.get("default_partner_ids") else "active_ids"
        ids = clean_record_ids(ctx.get(key))
        return super(
            PortalWizard, self.with_context(**{key: ids})
        )._default_partner_ids()

    @api.model_create_multi
    def create(self, vals_list):
        check_text_values(self, vals_list, ["welcome_message"])
        return super().create(vals_list)

    def write(self, vals):
        check_text_values(self, [vals], ["welcome_message"])
        return super().write(vals)

    @api.depends("partner_ids")
    def _compute_user_ids(self):
        # Core's compute, one line per listed contact (see
        # _portal_access_listed_partners).
        for wizard in self:
            wizard.user_ids = [
                Command.create({"partner_id": partner.id, "email": partner.email})
                for partner in wizard._portal_access_listed_partners()
            ]

    def _portal_access_listed_partners(self):
        """Contacts listed in the popup: core's (the selection, plus the
        contacts and "other" addresses of selected companies), without the
        company itself when its contacts are listed: "Grant all" on a company
        is meant for its people, not for a login on the company's generic
        address. A company that already has a user stays listed so that its
        access can be managed.
        """
        self.ensure_one()
        partners = self.partner_ids
        companies = partners.filtered(
            lambda partner: (
                partner.is_company
                and partner.child_ids & partners
                and not partner.with_context(active_test=False).user_ids
            )
        )
        return partners - companies

    def _action_open_modal(self):
        action = super()._action_open_modal()
        # Everything started from the popup queues its invitations; core's
        # methods called from code keep sending at once, as they always did.
        action["context"] = dict(
            action.get("context") or {},
            portal_access_queue_mail=True,
            # the popup lists whole companies, with two more columns than core
            dialog_size="extra-large",
        )
        return action

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_toggle_addresses(self):
        """Add or remove the lines of the invoice and delivery addresses of
        the selected companies."""
        self.ensure_one()
        if self.show_addresses:
            # Addresses the staff member selected themselves stay listed.
            lines = self.user_ids.filtered(
                lambda line: (
                    line.partner_id.type in ADDRESS_TYPES
                    and line.partner_id not in self.partner_ids
                )
            )
            # sudo: core gives no right to delete lines, its popup never
            # removes any; these are lines of the staff member's own popup.
            lines.sudo().unlink()
        else:
            addresses = (
                self.partner_ids.filtered("is_company").child_ids.filtered(
                    lambda partner: partner.type in ADDRESS_TYPES
                )
                - self.user_ids.partner_id
            )
            self.env["portal.wizard.user"].create(
                [
                    {
                        "wizard_id": self.id,
                        "partner_id": partner.id,
                        "email": partner.email,
                    }
                    for partner in addresses
                ]
            )
        self.show_addresses = not self.show_addresses
        return self._action_open_modal()

    def action_grant_all(self):
        """Grant portal access to every line that can get it, in one go."""
        self.ensure_one()
        return self._portal_access_run_all("grant")

    def action_invite_all(self):
        """Send the invitation again to every portal user of the list."""
        self.ensure_one()
        return self._portal_access_run_all("invite")

    def action_revoke_all(self):
        """Revoke the portal access of every portal user of the list."""
        self.ensure_one()
        return self._portal_access_run_all("revoke")

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    def _portal_access_run_all(self, action):
        lines = self.user_ids
        skipped = lines._portal_access_skip_reasons(action)
        todo = lines.filtered(lambda line: line not in skipped)
        todo._portal_access_apply(action, send_now=False)
        self.portal_access_summary = self._portal_access_summary_html(
            action, todo, skipped
        )
        _logger.info(
            "portal_access: %s by user %s: %d done, %d skipped",
            action,
            self.env.uid,
            len(todo),
            len(skipped),
        )
        return self._action_open_modal()

    def _portal_access_summary_html(self, action, done, skipped):
        """Summary shown at the top of the popup after an action.

        :param str action: ``grant``, ``invite`` or ``revoke``
        :param done: ``portal.wizard.user`` lines acted upon
        :param dict skipped: line to translated reason
        """
        _ = self.env._
        counts = {
            "grant": _("Granted: %(count)s", count=len(done)),
            "invite": _("Re-invited: %(count)s", count=len(done)),
            "revoke": _("Revoked: %(count)s", count=len(done)),
        }
        html = Markup(
            '<div class="alert %s mb-0" role="status">'
            '<p class="mb-1"><strong>%s</strong>'
        ) % (
            "alert-warning" if skipped else "alert-success",
            counts[action],
        )
        if action != "revoke" and done:
            html += Markup(" ") + _(
                "Invitations are queued and leave with the next mail run."
            )
        html += Markup("</p>")
        if skipped:
            html += Markup('<p class="mb-1">%s</p><ul class="mb-0">') % _(
                "Skipped: %(count)s", count=len(skipped)
            )
            for line, reason in skipped.items():
                html += Markup("<li>%s</li>") % _(
                    "%(contact)s: %(reason)s",
                    contact=line.partner_id.display_name,
                    reason=reason,
                )
            html += Markup("</ul>")
        return html + Markup("</div>")


class PortalWizardUser(models.TransientModel):
    _inherit = "portal.wizard.user"

    # Computed together rather than as two related fields: one pass over the
    # lines of a whole company instead of two; as superuser, as related
    # fields are (the contact of a company the staff member does not work in
    # stays listed).
    portal_access_state = fields.Selection(
        PORTAL_ACCESS_STATES,
        string="Portal Access",
        compute="_compute_portal_access_partner_values",
        compute_sudo=True,
        help=PORTAL_ACCESS_STATE_HELP,
    )
    portal_access_invite_date = fields.Datetime(
        string="Last Invitation",
        compute="_compute_portal_access_partner_values",
        compute_sudo=True,
        help=PORTAL_ACCESS_INVITE_DATE_HELP,
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_text_values(self, vals_list, ["email"])
        return super().create(vals_list)

    def write(self, vals):
        check_text_values(self, [vals], ["email"])
        return super().write(vals)

    # ------------------------------------------------------------
    # Computes (batched: the popup lists whole companies)
    # ------------------------------------------------------------

    @api.depends(
        "partner_id.portal_access_state", "partner_id.portal_access_invite_date"
    )
    def _compute_portal_access_partner_values(self):
        for line in self:
            partner = line.partner_id
            line.portal_access_state = partner.portal_access_state
            line.portal_access_invite_date = partner.portal_access_invite_date

    @api.depends("partner_id")
    def _compute_user_id(self):
        # Core reads the contact's users with the staff member's rights: the
        # user of a company the staff member does not work in was invisible,
        # the line looked like a contact without access, and "Grant" created
        # a second user for the same contact. sudo: find it whatever its
        # company; what the popup then does with it is checked per action.
        # One environment for all contacts: the popup lists whole companies.
        partners_sudo = self.partner_id.sudo().with_context(active_test=False)
        first_user_ids = {
            partner.id: partner.user_ids[:1].id for partner in partners_sudo
        }
        for line in self:
            line.user_id = first_user_ids.get(line.partner_id.id, False)

    @api.depends("email")
    def _compute_email_state(self):
        """Core's check, through core's hooks (other modules, such as
        ``website``, narrow them), fixed in two ways:

        * logins are compared without regard to letter case, archived users
          included: core let "Jane@Example.com" through, and the grant then
          failed on a database constraint or created a look-alike login;
        * each line is compared with the users of its own login only: core
          compared every line with every user found, which takes minutes on
          a company whose 1,000 contacts already have a user.
        """
        users = self.env["res.users"]
        logins = {}
        for line in self:
            try:
                logins[line] = users._portal_access_normalize_login(line.email)
            except ValidationError:
                line.email_state = "ko"
        lines_with_email = self.filtered(lambda line: line in logins)
        if not lines_with_email:
            return
        # sudo, active_test: as core, every user counts, archived included
        existing_users = (
            users.with_context(active_test=False)
            .sudo()
            .search_read(
                self._get_similar_users_domain(lines_with_email),
                self._get_similar_users_fields(),
            )
        )
        users_by_login = defaultdict(list)
        for user in existing_users:
            users_by_login[user["login"].lower()].append(user)
        for line in lines_with_email:
            candidates = users_by_login.get(logins[line].lower(), ())
            line.email_state = (
                "exist"
                if any(self._is_portal_similar_than_user(u, line) for u in candidates)
                else "ok"
            )

    def _get_similar_users_domain(self, portal_users_with_email):
        # Core's leaf ('login', 'in', emails) matches letter for letter: match
        # without regard to letter case instead, in the same query (the
        # leaves other modules add are kept).
        domain = list(super()._get_similar_users_domain(portal_users_with_email))
        for index, leaf in enumerate(domain):
            if isinstance(leaf, (list, tuple)) and tuple(leaf[:2]) == ("login", "in"):
                lowered = tuple(sorted({login.lower() for login in leaf[2] if login}))

                def to_sql(model, alias, query, lowered=lowered):
                    return SQL(
                        "lower(%s) IN %s",
                        SQL.identifier(alias, "login"),
                        lowered or (None,),
                    )

                domain[index] = Domain.custom(to_sql=to_sql)
        return domain

    def _is_portal_similar_than_user(self, user, portal_user):
        # Core compares the login and the email letter for letter.
        if super()._is_portal_similar_than_user(user, portal_user):
            return True
        email = email_normalize(portal_user.email)
        return (
            bool(email)
            and user["login"].lower() == email.lower()
            and user["id"] != portal_user.user_id.id
        )

    @api.depends("user_id", "user_id.group_ids", "user_id.active")
    def _compute_group_details(self):
        # Same meaning as core, computed for all lines at once instead of one
        # group query per user; an archived user no longer counts as a portal
        # user, so that "Grant Access" re-activates it.
        # Ids from the (cached) XML id table: env.ref would check that each
        # group exists, one query per group on every opening of the popup.
        # Looked up only when a line has a user: a company whose contacts
        # have none opens without them.
        lines_with_user = self.filtered("user_id")
        (self - lines_with_user).update({"is_internal": False, "is_portal": False})
        if not lines_with_user:
            return
        xmlid_to_res_id = self.env["ir.model.data"]._xmlid_to_res_id
        group_user_id = xmlid_to_res_id("base.group_user")
        group_portal_id = xmlid_to_res_id("base.group_portal")
        for line in lines_with_user:
            user_sudo = line.user_id.sudo()
            group_ids = user_sudo.all_group_ids.ids
            line.is_internal = group_user_id in group_ids
            line.is_portal = (
                not line.is_internal
                and user_sudo.active
                and group_portal_id in group_ids
            )

    # ------------------------------------------------------------
    # Actions of one line (core's buttons)
    # ------------------------------------------------------------

    def action_grant_access(self):
        """Grant portal access to this line's contact: create its portal user
        or re-activate its earlier one, then invite it."""
        self.ensure_one()
        self._portal_access_run_one("grant")
        return self.action_refresh_modal()

    def action_revoke_access(self):
        """Revoke this contact's portal access: archive its user, end its
        sessions and void its invitation links."""
        self.ensure_one()
        self._portal_access_run_one("revoke")
        return self.action_refresh_modal()

    def action_invite_again(self):
        """Send the invitation again; links sent before stop working."""
        self.ensure_one()
        self._portal_access_run_one("invite")
        return self.action_refresh_modal()

    def _send_email(self):
        # Core's invitation, sent at once as core does, with the module's
        # template and its link-voiding invitation key.
        self.ensure_one()
        # sudo: as core, which prepares the sign-up token as superuser
        self.partner_id.sudo().signup_prepare()
        self._portal_access_send_invitations(send_now=True)
        return True

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    def _portal_access_run_one(self, action):
        reason = self._portal_access_skip_reasons(action).get(self)
        if reason:
            messages = {
                "grant": self.env._(
                    "Cannot grant portal access to “%(contact)s”: %(reason)s.",
                    contact=self.partner_id.display_name,
                    reason=reason,
                ),
                "invite": self.env._(
                    "Cannot invite “%(contact)s” again: %(reason)s.",
                    contact=self.partner_id.display_name,
                    reason=reason,
                ),
                "revoke": self.env._(
                    "Cannot revoke the portal access of “%(contact)s”: %(reason)s.",
                    contact=self.partner_id.display_name,
                    reason=reason,
                ),
            }
            raise UserError(messages[action])
        send_now = not self.env.context.get("portal_access_queue_mail")
        self._portal_access_apply(action, send_now=send_now)
        self.wizard_id.portal_access_summary = (
            self.wizard_id._portal_access_summary_html(action, self, {})
        )

    def _portal_access_skip_reasons(self, action):
        """Find the lines that ``action`` must leave alone, and why.

        :param str action: ``grant``, ``invite`` or ``revoke``
        :return: dict mapping each line to skip to a translated reason
        """
        reasons = self._portal_access_state_reasons(action)
        logins = {}
        if action != "revoke":
            for line in self.filtered(lambda line: line not in reasons):
                login, reason = line._portal_access_email_login(action)
                if reason:
                    reasons[line] = reason
                else:
                    logins[line] = login
        if action in ("grant", "invite"):
            # Grant after a revocation sends an invitation too: a
            # grant/revoke cycle must not get round the limit.
            reasons.update(self._portal_access_invite_limit_reasons(reasons))
        reasons.update(self._portal_access_login_taken_reasons(logins))
        return reasons

    def _portal_access_state_reasons(self, action):
        """The lines that ``action`` must leave alone for what they are (not
        for their email): dict line -> translated reason."""
        _ = self.env._
        grant = action == "grant"
        # A contact the staff member may not edit (another company's, say)
        # is left alone with a reason instead of refusing the whole list.
        writable = self.partner_id._filtered_access("write")
        technical = self.env["res.users"]
        own_companies = portal_made = self.env["res.partner"]
        if action != "revoke":
            # The companies of this database, their branches and contacts: a
            # portal user there could edit the company's address and name.
            own_companies = self.partner_id._portal_access_filter_own_company()
        if grant:
            technical = self.user_id._portal_access_technical_users()
            # sudo: who created the contacts. Addresses customers add in the
            # portal (core types a billing-and-delivery one as "other", which
            # the popup lists like a person) are not people to invite.
            portal_made = self.partner_id.sudo().filtered(
                lambda partner: partner.type != "contact" and partner.create_uid.share
            )
        reasons = {}
        for line in self:
            if line.partner_id not in writable:
                reasons[line] = _("you are not allowed to edit this contact")
            elif line.is_internal:
                reasons[line] = _("internal user, managed in Settings > Users")
            elif grant and line.is_portal:
                reasons[line] = _("already has portal access")
            elif grant and line.partner_id in portal_made and not line.user_id:
                reasons[line] = _("an address the customer added in the portal")
            elif line.partner_id in own_companies:
                reasons[line] = _(
                    "contact of a company of this database; employees get an "
                    "internal user (Settings > Users)"
                )
            elif grant and line.user_id and line.user_id in technical:
                reasons[line] = _("technical user of Odoo, cannot be given access")
            elif not grant and not line.is_portal:
                reasons[line] = _("has no portal access")
        return reasons

    def _portal_access_email_login(self, action):
        """The login that the email of this line gives for ``action``
        (``grant`` or ``invite``), or why there is none.

        :return: ``(login, None)`` or ``(None, translated reason)``
        """
        self.ensure_one()
        _ = self.env._
        email = (self.email or "").strip()
        if not email:
            return None, _("no email address")
        try:
            login = self.env["res.users"]._portal_access_normalize_login(email)
        except ValidationError:
            return None, _(
                "invalid email address “%(email)s”",
                # A pasted page of text stays a line of the summary.
                email=email if len(email) <= 80 else email[:80] + "…",
            )
        if self._portal_access_login_may_follow(login):
            return login, None
        if action == "invite" or not self.user_id.sudo().login_date:
            # An invitation lets its reader choose the password: it must not
            # go to an address other than the one this person signs in with
            # (a grant invites too; a login set by hand, never used yet).
            return None, _(
                "signs in as %(login)s, not with this email; change the "
                "login first (Action > Change portal login)",
                login=self.user_id.sudo().login,
            )
        # Granting access again would move the login of an account that was
        # used (its documents, its saved cards) to whatever email the contact
        # has now: that is a login change, for Access Rights members.
        return None, _(
            "signed in as %(login)s before; set that email on the "
            "contact to grant access again, then change the login "
            "(Action > Change portal login)",
            login=self.user_id.sudo().login,
        )

    def _portal_access_login_taken_reasons(self, logins):
        """Lines whose login (``logins``: line -> login) is another user's,
        or another line's: dict line -> translated reason."""
        _ = self.env._
        reasons = {}
        # Fresh look-up: the users may have changed since the popup opened.
        owners = self.env["res.users"]._portal_access_find_login_owners(logins.values())
        claimed = {}
        for line, login in logins.items():
            owner = owners.get(login)
            if owner and owner != line.user_id:
                reasons[line] = _(
                    "email %(email)s is already used by another user", email=login
                )
            elif login in claimed:
                reasons[line] = _(
                    "email %(email)s is also the email of %(contact)s in this list",
                    email=login,
                    contact=claimed[login].partner_id.display_name,
                )
            else:
                claimed[login] = line
        return reasons

    def _portal_access_login_may_follow(self, login):
        """Whether the login of this line's user may become ``login`` (the
        contact's email) on a re-invitation or a new grant after a
        revocation: only while nobody has signed in with it yet and nobody
        changed it by hand (login change wizard, Settings > Users). A person
        who signs in, or whose login staff set, keeps it; only the login
        change wizard changes it then."""
        self.ensure_one()
        user_sudo = self.user_id.sudo()
        return (
            not (user_sudo.login_date or user_sudo.portal_access_login_change_date)
            or user_sudo.login.lower() == login.lower()
        )

    def _portal_access_invite_limit_reasons(self, reasons):
        """Lines (not in ``reasons`` yet) whose contact was invited
        ``INVITE_LIMIT`` times within ``INVITE_WINDOW``: a re-invite would
        flood the person's mailbox.

        :return: dict line -> translated reason
        """
        lines = self.filtered(lambda line: line not in reasons and line.user_id)
        counts = lines.user_id._portal_access_rate_limit_count(
            INVITE_LIMIT_TYPE, INVITE_WINDOW
        )
        return {
            line: self.env._(
                "already invited %(count)s times in the last hour; try again later",
                count=counts[line.user_id.id],
            )
            for line in lines
            if counts.get(line.user_id.id, 0) >= INVITE_LIMIT
        }

    def _portal_access_apply(self, action, send_now=False):
        """Carry out ``action`` on every line of ``self`` (all eligible)."""
        if not self:
            return
        # The staff member must be allowed to edit these contacts; the user
        # records are then handled as superuser, as core's popup does.
        self.partner_id.check_access("write")
        self._portal_access_lock_partners()
        self._portal_access_update_partner_emails()
        if action == "grant":
            self._portal_access_grant(send_now=send_now)
        elif action == "invite":
            self._portal_access_logins_follow_emails()
            self.partner_id.sudo().signup_prepare()
            self._portal_access_send_invitations(send_now=send_now)
        else:
            self._portal_access_revoke()
        self._portal_access_log(action)

    def _portal_access_lock_partners(self):
        """Lock the contacts of ``self`` before anything is written, waiting
        for a concurrent grant, re-invitation or revocation of one of them
        (from another popup, or a sign-in) to end.

        Every action writes the contact's row, so of two transactions acting
        on the same contact the one that comes second fails here with a
        serialization error, before it created or changed anything. Odoo
        retries such a transaction (``odoo.service.model.retrying``, around
        every RPC and HTTP request); the retry sees what the first one did and
        ends with the usual message (for instance "already has portal
        access"): never a second user for one contact, never a database error
        for the staff member, and a revocation still happens after a
        concurrent sign-in. Ids are locked in order, so two bulk actions on
        overlapping companies cannot deadlock.
        """
        ids = sorted(set(self.partner_id.ids))
        if not ids:
            return
        # No ``FOR UPDATE``: other records may still point to these contacts
        # meanwhile (sign-ins log res.users.log rows, mails link recipients).
        # log_exceptions=False: the serialization error of the loser is
        # expected and retried, it is no "bad query" for the server log.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id IN %s ORDER BY id "
                "FOR NO KEY UPDATE",
                tuple(ids),
            ),
            log_exceptions=False,
        )

    def _portal_access_update_partner_emails(self):
        """Write the email typed in the popup on the contact (core's
        ``_update_partner_email``, for many lines)."""
        for line in self:
            email = email_normalize(line.email)
            if email and email_normalize(line.partner_id.email) != email:
                line.partner_id.write({"email": email})

    def _portal_access_grant(self, send_now=False):
        group_portal = self.env.ref("base.group_portal")
        group_public = self.env.ref("base.group_public")
        users_model = self.env["res.users"]
        # sudo: creating and re-activating portal users is what this popup is
        # for; core's popup does it as superuser for the Contact Creation group.
        earlier_users_sudo = self.user_id.sudo()
        self._portal_access_logins_follow_emails()
        if earlier_users_sudo:
            # mail_notrack / mail_create_nolog: core's mail module would post
            # "Portal Access Granted" on each contact, one message_post per
            # user; _portal_access_log writes that note (with who did it) for
            # the whole batch at once instead.
            earlier_users_sudo.with_context(mail_notrack=True).write(
                {
                    "active": True,
                    "group_ids": [
                        Command.link(group_portal.id),
                        Command.unlink(group_public.id),
                    ],
                }
            )
        new_lines = self.filtered(lambda line: not line.user_id)
        lines_by_company = defaultdict(lambda: self.browse())
        for line in new_lines:
            lines_by_company[line.partner_id.company_id or self.env.company] |= line
        for company, lines in lines_by_company.items():
            vals_list = []
            for line in lines:
                login = users_model._portal_access_normalize_login(line.email)
                vals = {
                    "login": login,
                    "partner_id": line.partner_id.id,
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                }
                if email_normalize(line.partner_id.email) != login:
                    vals["email"] = login
                vals_list.append(vals)
            # sudo: see above; mail_create_nolog: see above
            users_model.sudo().with_company(company).with_context(
                mail_create_nolog=True
            )._portal_access_create_users_from_template(vals_list)
        if new_lines:
            new_lines.invalidate_recordset(["user_id", "is_portal", "is_internal"])
        partners_sudo = self.partner_id.sudo()
        partners_sudo.signup_prepare()
        partners_sudo.portal_access_revoke_date = False
        self._portal_access_send_invitations(send_now=send_now)

    def _portal_access_logins_follow_emails(self):
        """Make the login of each line's user the contact's current email
        (checked free, and unused so far, by _portal_access_skip_reasons), so
        that the invitation goes to, and shows, the login the person will
        really use."""
        users_model = self.env["res.users"]
        for line in self.filtered("user_id"):
            login = users_model._portal_access_normalize_login(line.email)
            # sudo: logins are for administrators; see _portal_access_grant
            user_sudo = line.user_id.sudo()
            if user_sudo.login.lower() != login:
                user_sudo.with_context(
                    portal_access_login_follows_email=True
                ).login = login

    def _portal_access_revoke(self):
        group_portal = self.env.ref("base.group_portal")
        group_public = self.env.ref("base.group_public")
        # sudo: signup fields are for administrators only; core's popup also
        # clears them as superuser. A new invitation key voids every link
        # sent before (see res.partner._get_login_date).
        self.partner_id.sudo().write(
            {
                "signup_type": False,
                "portal_access_invite_key": secrets.token_urlsafe(16),
                "portal_access_revoke_date": fields.Datetime.now(),
            }
        )
        users_sudo = self.user_id.sudo()
        # Same groups as core's revoke. The public group would make the user
        # a candidate anonymous user of a website: res.company._get_public_user
        # skips former portal users.
        # mail_notrack: _portal_access_log writes the note (see _portal_access_grant)
        users_sudo.with_context(mail_notrack=True).write(
            {
                "group_ids": [
                    Command.unlink(group_portal.id),
                    Command.link(group_public.id),
                ],
                "active": False,
            }
        )
        # Archiving already invalidates the user's sessions (the session token
        # covers ``active``); also drop them from the session store and show
        # them as revoked devices.
        devices = (
            self.env["res.device"].sudo().search([("user_id", "in", users_sudo.ids)])
        )
        if devices:
            devices._revoke()

    def _portal_access_send_invitations(self, send_now=False):
        """Invite the portal users of the lines with the module's template.

        One new invitation key for the batch voids the links sent before; the
        sign-up links are computed for all lines at once and the mails are
        created by batch (``mail.template.send_mail_batch``).

        :param bool send_now: send at once (core's behaviour for its own API)
            instead of queueing for the mail queue
        """
        # sudo: invitation fields are restricted, and core prepares sign-up
        # tokens as superuser too.
        partners_sudo = self.partner_id.sudo()
        partners_sudo.write(
            {
                "portal_access_invite_key": secrets.token_urlsafe(16),
                "portal_access_invite_date": fields.Datetime.now(),
            }
        )
        users = self.user_id
        urls = partners_sudo._get_signup_url_for_action()
        template = self.env.ref("portal_access.mail_template_invitation")
        welcome_message = self.wizard_id[:1].welcome_message
        template.with_context(
            dbname=self.env.cr.dbname,
            welcome_message=welcome_message,
            medium="portalinvite",
            # compile the body once for the whole batch (see ir.qweb._compile)
            portal_access_qweb_batch_cache={},
            portal_access_signup_urls={
                user.id: urls[user.partner_id.id] for user in users
            },
        ).send_mail_batch(users.ids, force_send=send_now)
        # Counted per contact for the re-invite limit (one query).
        users._portal_access_rate_limit_log(INVITE_LIMIT_TYPE)
        if not send_now:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _portal_access_log(self, action):
        """Note in each contact's history who did what."""
        _ = self.env._
        staff = self.env.user.name
        bodies = {}
        for line in self:
            if action == "grant":
                body = _(
                    "Portal access granted by %(user)s; invitation sent to %(login)s.",
                    user=staff,
                    login=line.user_id.sudo().login,
                )
            elif action == "invite":
                body = _(
                    "Portal invitation sent again by %(user)s to %(login)s; "
                    "earlier links no longer work.",
                    user=staff,
                    login=line.user_id.sudo().login,
                )
            else:
                body = _(
                    "Portal access revoked by %(user)s: user archived, sessions ended, "
                    "invitation links voided.",
                    user=staff,
                )
            bodies[line.partner_id.id] = body
        # Access to these contacts was checked in _portal_access_apply.
        self.partner_id._message_log_batch(bodies=bodies)
