import logging
import re
from datetime import timedelta
from ast import literal_eval

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, email_normalize

_logger = logging.getLogger(__name__)

# A login typed by a person: one bare address, no display name, no list.
_LOGIN_FORBIDDEN_CHARS = re.compile(r"[\s<>,;:\"()\[\]\\\x00-\x1f\x7f]")

# Login change requests from the portal: how many a customer may send in
# LOGIN_REQUEST_WINDOW, and how long their optional message may be.
LOGIN_REQUEST_LIMIT = 3
LOGIN_REQUEST_WINDOW = timedelta(hours=24)
LOGIN_REQUEST_MESSAGE_MAX = 1000


class ResUsers(models.Model):
    _inherit = "res.users"

    # Lets duplicate checks compare logins without regard to letter case
    # without scanning the whole table.
    _portal_access_login_lower_idx = models.Index("(lower(login))")

    @api.model
    def _portal_access_normalize_login(self, login):
        """Return ``login`` as a portal login: a trimmed email address whose
        domain (and ASCII local part, as core's portal wizard does) is in lower
        case.

        :raise ValidationError: with a translated message when ``login`` is
            empty or is not a single valid email address.
        """
        value = (login or "").strip()
        if not value:
            raise ValidationError(self.env._("The login cannot be empty."))
        normalized = (
            not _LOGIN_FORBIDDEN_CHARS.search(value)
            and len(value) <= 254
            and value.count("@") == 1
            and email_normalize(value)
        )
        if not normalized or "." not in normalized.rsplit("@", 1)[1]:
            raise ValidationError(
                self.env._(
                    "“%(login)s” is not a valid email address. Portal logins are "
                    "email addresses, for example name@example.com.",
                    login=value[:80],
                )
            )
        return normalized

    @api.model
    def _portal_access_find_login_owners(self, logins, exclude_user_ids=()):
        """Find the users, active or archived, whose login equals one of
        ``logins`` without regard to letter case.

        :param logins: iterable of logins (any case, ``False`` ignored)
        :param exclude_user_ids: ids of users that do not count (the user
            whose login is being changed, for instance)
        :return: dict mapping each lower-cased login found to a ``res.users``
            record (sudo)
        """
        lowered = sorted({login.strip().lower() for login in logins if login})
        if not lowered:
            return {}
        # The query below reads the table directly: pending login writes of
        # this transaction must reach it first.
        self.env["res.users"].flush_model(["login"])
        rows = self.env.execute_query(
            SQL(
                "SELECT lower(login), id FROM res_users "
                "WHERE lower(login) IN %s AND id != ALL(%s) ORDER BY id",
                tuple(lowered),
                list(exclude_user_ids),
            )
        )
        users = self.sudo().with_context(active_test=False)
        return {login: users.browse(user_id) for login, user_id in rows}

    # ------------------------------------------------------------------
    # Login management: staff change a portal login, customers request it
    # ------------------------------------------------------------------

    def _notify_security_setting_update(self, subject, content, mail_values=None, **kwargs):
        # A login changed by _portal_access_change_login gets its own notices,
        # to the old and to the new address; core's generic notice would be a
        # third mail, sent to the contact email only.
        if self.env.context.get("portal_access_own_login_notices"):
            return self.env["mail.mail"]
        return super()._notify_security_setting_update(subject, content, mail_values=mail_values, **kwargs)

    def _portal_access_check_login_change_allowed(self):
        """Raise a translated UserError unless ``self`` is a portal user.

        Internal users keep Odoo's standard flow (Settings > Users).
        """
        self.ensure_one()
        if self._is_internal():
            raise UserError(
                self.env._(
                    "%(user)s is an internal user. Change the login of internal users in "
                    "Settings > Users & Companies > Users.",
                    user=self.display_name,
                )
            )
        if not self._is_portal():
            raise UserError(
                self.env._(
                    "%(user)s is not a portal user: only the login of a portal user can be "
                    "changed here.",
                    user=self.display_name,
                )
            )

    def _portal_access_check_new_login(self, new_login):
        """Return ``new_login`` normalised if it may become the login of ``self``.

        :raise ValidationError: when it is empty or not an email address
        :raise UserError: when it is the current login or belongs to another
            user, active or archived, compared without regard to letter case
        """
        self.ensure_one()
        login = self._portal_access_normalize_login(new_login)
        if login == self.login:
            raise UserError(
                self.env._("“%(login)s” is already the login of %(user)s.", login=login, user=self.display_name)
            )
        owner = self._portal_access_find_login_owners([login], exclude_user_ids=self.ids).get(login.lower())
        if owner:
            if owner.active:
                message = self.env._(
                    "The login “%(login)s” is already used by the user %(user)s (login “%(owner_login)s”). "
                    "Logins are compared without regard to letter case; choose another login.",
                    login=login,
                    user=owner.display_name,
                    owner_login=owner.login,
                )
            else:
                message = self.env._(
                    "The login “%(login)s” is already used by the archived user %(user)s (login "
                    "“%(owner_login)s”). Logins are compared without regard to letter case; choose "
                    "another login, or change the login of that archived user first.",
                    login=login,
                    user=owner.display_name,
                    owner_login=owner.login,
                )
            raise UserError(message)
        return login

    def _portal_access_change_login(self, new_login, update_email=False):
        """Change the login of the portal user ``self`` to ``new_login``.

        The password stays the same. Every session of the user ends at its
        next request, a notice is queued to the old and to the new address and
        a note on the contact says who changed what. With ``update_email``,
        the contact's email becomes the new login as well.

        :return: the new (normalised) login
        :raise UserError, ValidationError: with a translated message; nothing
            is changed then
        """
        self.ensure_one()
        self._portal_access_check_login_change_allowed()
        login = self._portal_access_check_new_login(new_login)
        old_login, old_email = self.login, self.partner_id.email
        vals = {"login": login}
        if update_email:
            vals["email"] = login
        # ``login`` is one of the fields core hashes into the session token
        # (_get_session_token_fields): every session of this user fails its
        # check at its next request and is logged out; nothing else is needed.
        self.with_context(portal_access_own_login_notices=True).write(vals)
        self._portal_access_send_login_change_notices(old_login)
        self.partner_id._message_log(
            body=self._portal_access_login_change_note(old_login, old_email if update_email else None)
        )
        _logger.info(
            "portal_access: login of user #%s changed by user #%s (contact email changed too: %s)",
            self.id,
            self.env.uid,
            bool(update_email),
        )
        return login

    def _portal_access_send_login_change_notices(self, old_login):
        """Queue the notices of a login change of ``self``: one to the old
        login's address, one to the new login's address."""
        self.ensure_one()
        xmlids = ["portal_access.mail_template_login_changed_new"]
        # The old login may predate this module and not be an address at all.
        if email_normalize(old_login) and old_login.lower() != self.login.lower():
            xmlids.append("portal_access.mail_template_login_changed_old")
        for xmlid in xmlids:
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if not template:
                continue
            # sudo: staff allowed to change logins need not manage mail templates
            template.sudo().with_context(
                portal_access_old_login=old_login,
                portal_access_changed_by=self.env.user.name,
            ).send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")

    def _portal_access_login_change_note(self, old_login, old_email=None):
        """Return the text of the history note of a login change of ``self``.

        :param old_email: the contact's previous email when it changed with the
            login, ``None`` when it did not change
        """
        self.ensure_one()
        note = self.env._(
            "Portal login changed by %(author)s from %(old)s to %(new)s. The password is unchanged.",
            author=self.env.user.name,
            old=old_login,
            new=self.login,
        )
        if old_email is not None:
            note += " " + self.env._(
                "The contact email changed with it, from %(old)s to %(new)s.",
                old=old_email or self.env._("(none)"),
                new=self.partner_id.email,
            )
        return note

    def _portal_access_login_request_count(self):
        """Return how many login change requests ``self`` sent during the
        current window (24 hours). The requests are counted from their notes
        on the contact, which stay: activities can be done and deleted."""
        self.ensure_one()
        subtype = self.env.ref("portal_access.mt_login_change_request", raise_if_not_found=False)
        if not subtype:
            return 0
        # sudo: a customer cannot read the internal notes of their own contact
        return (
            self.env["mail.message"]
            .sudo()
            .search_count(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.partner_id.id),
                    ("subtype_id", "=", subtype.id),
                    ("create_date", ">=", fields.Datetime.now() - LOGIN_REQUEST_WINDOW),
                ]
            )
        )

    def _portal_access_get_login_request_responsible(self):
        """Return the internal user who handles the login change requests of
        ``self``: the contact's salesperson, else the salesperson of its
        company, else the user chosen in Settings (``Login change requests``),
        else the Administrator. Empty when none of them is an active internal
        user."""
        self.ensure_one()
        Users = self.env["res.users"].sudo()
        partner = self.partner_id.sudo()
        param = self.env["ir.config_parameter"].sudo().get_param("portal_access.login_request_user_id", "")
        candidates = [
            partner.user_id,
            partner.commercial_partner_id.user_id,
            Users.browse(int(param)) if param.isdigit() else Users,
            self.env.ref("base.user_admin", raise_if_not_found=False) or Users,
        ]
        for candidate in candidates:
            candidate = candidate.sudo().exists()
            if candidate and candidate.active and candidate._is_internal():
                return candidate
        return Users

    def _portal_access_request_login_change(self, requested_login, message=""):
        """Record that the portal user ``self`` asks to sign in with
        ``requested_login``: a note on the contact, a to-do activity for the
        responsible person (see ``_portal_access_get_login_request_responsible``)
        and a confirmation mail to the customer.

        The requested login is checked like the wizard does, except that the
        customer is never told whether another account uses it (staff read it
        in the note). At most ``LOGIN_REQUEST_LIMIT`` requests per customer per
        24 hours. Meant to be called by the portal on the customer's own user,
        in sudo.

        :return: the responsible user (may be empty)
        :raise UserError, ValidationError: with a message for the customer;
            nothing is written then
        """
        self.ensure_one()
        if not self._is_portal():
            raise UserError(
                self.env._(
                    "Only customer portal accounts can request a login change here. "
                    "Please ask your administrator."
                )
            )
        # One request at a time per customer, so that two sent together cannot
        # both pass the daily limit (allow_referencing: others may still link
        # records to the contact meanwhile).
        try:
            self.partner_id.lock_for_update(allow_referencing=True)
        except UserError:
            raise UserError(self.env._("Another request of yours is being processed. Please try again.")) from None
        if self._portal_access_login_request_count() >= LOGIN_REQUEST_LIMIT:
            raise UserError(
                self.env._(
                    "You have already sent %(count)s login change requests in the last 24 hours. "
                    "We will get back to you; you can send another request tomorrow.",
                    count=LOGIN_REQUEST_LIMIT,
                )
            )
        login = self._portal_access_normalize_login(requested_login)
        if login == self.login:
            raise UserError(self.env._("“%(login)s” is already your login.", login=login))
        message = (message or "").strip()
        if len(message) > LOGIN_REQUEST_MESSAGE_MAX:
            raise UserError(
                self.env._(
                    "Your message is too long: %(max)s characters at most, please.",
                    max=LOGIN_REQUEST_MESSAGE_MAX,
                )
            )
        responsible = self._portal_access_get_login_request_responsible()
        taken = bool(self._portal_access_find_login_owners([login], exclude_user_ids=self.ids))
        # The note and the activity are for staff: in their language.
        staff = self.with_context(lang=responsible.lang or self.env.lang)
        note = staff._portal_access_login_request_note(login, message, taken)
        self.partner_id.message_post(
            body=note,
            message_type="notification",
            subtype_xmlid="portal_access.mt_login_change_request",
        )
        if responsible:
            self.partner_id.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=staff.env._("Change portal login to %(login)s", login=login),
                note=note,
                user_id=responsible.id,
            )
        template = self.env.ref("portal_access.mail_template_login_change_requested", raise_if_not_found=False)
        if template and self.email:
            template.with_context(portal_access_requested_login=login).send_mail(
                self.id, email_layout_xmlid="mail.mail_notification_light"
            )
        _logger.info(
            "portal_access: login change requested by user #%s, to-do for user #%s",
            self.id,
            responsible.id,
        )
        return responsible

    def _portal_access_login_request_note(self, login, message, taken):
        """Return the HTML note (for staff) of a login change request of ``self``."""
        self.ensure_one()
        lines = [
            self.env._(
                "Login change requested by the customer in the portal: from %(old)s to %(new)s.",
                old=self.login,
                new=login,
            ),
            self.env._(
                "Check that the request really comes from this customer, then use Action > "
                "Change portal login on this contact."
            ),
        ]
        if taken:
            lines.append(
                self.env._(
                    "This login is already used by another user (the customer was not told); "
                    "Change portal login will refuse it."
                )
            )
        if message:
            lines.append(self.env._("Message from the customer: %(message)s", message=message))
        return Markup("").join(Markup("<p>%s</p>") % line for line in lines)

    def _portal_access_is_former_portal_user(self):
        """Tell whether this user is a former portal user rather than a real
        public (anonymous) user, although both are in the public group.

        Real public users (``base.public_user`` and the copies core makes of
        it per company) are technical: their contact is archived and has no
        email address. A portal user had an email (its login), usually keeps
        a live contact, and the popup also marks the revocation on it.
        """
        self.ensure_one()
        if self == self.env.ref("base.public_user", raise_if_not_found=False):
            return False
        # sudo: reads the contact of a user of possibly another company
        partner_sudo = self.sudo().with_context(active_test=False).partner_id
        return bool(
            partner_sudo.portal_access_revoke_date
            or partner_sudo.active
            or partner_sudo.email
        )

    @api.model
    def _portal_access_create_users_from_template(self, vals_list):
        """Batch version of auth_signup's ``_create_user_from_template``:
        create portal users as copies of the portal template user, in one
        ``create`` call.

        :param vals_list: one dict per user, each with ``login`` and
            ``partner_id`` (or ``name``)
        :return: the new users, in the order of ``vals_list``
        """
        get_param = self.env["ir.config_parameter"].sudo().get_param
        template_user_id = literal_eval(
            get_param("base.template_portal_user_id", "False")
        )
        template_user = self.browse(template_user_id).with_context(active_test=False)
        if not template_user.exists():
            raise ValueError(self.env._("Signup: invalid template user"))
        create_vals = []
        # What ``copy`` does, for many users in one ``create``. The template's
        # copied values only depend on which fields are given, so they are
        # read once per set of given fields.
        copied_by_keys = {}
        for values in vals_list:
            if not values.get("login"):
                raise ValueError(self.env._("Signup: no login given for new user"))
            if not values.get("partner_id") and not values.get("name"):
                raise ValueError(
                    self.env._("Signup: no name or partner given for new user")
                )
            values = dict(values, active=True)
            keys = frozenset(values)
            if keys not in copied_by_keys:
                copied_by_keys[keys] = template_user.copy_data(values)[0]
            create_vals.append(dict(copied_by_keys[keys], **values))
        return self.with_context(no_reset_password=True).create(create_vals)

    def _portal_access_signup_url(self):
        """Sign-up link for the invitation of this portal user.

        The popup computes the links of a whole batch at once and passes them
        in the context (``portal_access_signup_urls``: user id to link);
        otherwise the link is computed as core's invitation does.
        """
        self.ensure_one()
        urls = self.env.context.get("portal_access_signup_urls") or {}
        return urls.get(self.id) or self.partner_id._get_signup_url()
