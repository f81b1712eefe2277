import logging
import re
import secrets
import time
import unicodedata
import xml.etree.ElementTree as ET
from ast import literal_eval
from datetime import timedelta

import pyotp
import qrcode
import qrcode.image.svg
from markupsafe import Markup
from passlib.utils import MAX_PASSWORD_SIZE

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL, consteq, email_normalize, single_email_re

from odoo.addons.base.models.res_users import check_identity

_logger = logging.getLogger(__name__)

# Core's identity check window (``check_identity`` in base): a password
# confirmed less than this many seconds ago covers sensitive actions.
PORTAL_ACCESS_IDENTITY_WINDOW = 10 * 60
PORTAL_ACCESS_MIN_PASSWORD_LENGTH = 8

# A login typed by a person: one bare address, no display name, no list.
_LOGIN_FORBIDDEN_CHARS = re.compile(r"[\s<>,;:\"()\[\]\\\x00-\x1f\x7f]")

# Longest value accepted in the portal's text fields of a contact (res.partner's
# are unbounded varchar); the address form uses them too.
PORTAL_ACCESS_MAX_LENGTHS = {
    "name": 128,
    "email": 254,
    "phone": 64,
    "street": 128,
    "street2": 128,
    "city": 64,
    "zip": 24,
    "vat": 32,
    "company_name": 128,
}
# Longest text a portal user may write in a field of their own user that the
# portal pages do not offer (signature, out-of-office message).
PORTAL_ACCESS_MAX_TEXT_LENGTH = 10000
# Unicode categories of characters that do not show or change how the text
# around them shows (see _has_hidden_chars).
_HIDDEN_CHAR_CATEGORIES = frozenset(
    {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me"}
)
# Letters and symbols that show as blank space (Hangul fillers, Khmer
# inherent vowels, the blank Braille pattern).
_BLANK_CHARS = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Control characters (tab and line breaks allowed): PostgreSQL refuses NUL,
# the others only serve to hide text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Logins core gives its public users: base.public_user and the copies that
# res.company._get_public_user makes per company.
_PUBLIC_USER_LOGIN = re.compile(r"public|public-user@company-\d+\.com", re.IGNORECASE)
# Session key: fingerprint of the credentials checked at the password step.
PORTAL_ACCESS_PRE_LOGIN_KEY = "portal_access_pre_login"
# An email address within a sentence, without the quotes, brackets or
# punctuation around it (a to-do's summary names the requested login).
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>\"“”‘’«»()\[\],;:]+@[^\s<>\"“”‘’«»()\[\],;:]+")
# What one-line fields may not hold: control characters, line breaks, tabs.
_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")

# Longest password anyone may type or set: what passlib hashes (4096);
# longer ones make passlib raise an error that is not AccessDenied.
PORTAL_ACCESS_MAX_PASSWORD_LENGTH = MAX_PASSWORD_SIZE

# Wrong passwords a user may type at the identity re-check of sensitive
# actions (the portal's prompts and core's @check_identity dialog) per
# window; core leaves it unlimited. Logged in auth.totp.rate.limit.log.
IDENTITY_CHECK_LIMIT = 10
IDENTITY_CHECK_WINDOW = timedelta(hours=1)
IDENTITY_CHECK_LIMIT_TYPE = "portal_access_identity_check"

# Portal invitations (grant and re-invite from the popup) per contact per
# window; a re-invite beyond it is refused, "Re-invite all" skips the contact.
INVITE_LIMIT = 3
INVITE_WINDOW = timedelta(hours=1)
INVITE_LIMIT_TYPE = "portal_access_invite"

# Login change requests from the portal: how many a customer may send in
# LOGIN_REQUEST_WINDOW, and how long their optional message may be.
LOGIN_REQUEST_LIMIT = 3
LOGIN_REQUEST_WINDOW = timedelta(hours=24)
LOGIN_REQUEST_MESSAGE_MAX = 1000


def _has_hidden_chars(value):
    """Whether ``value`` holds characters that do not show or change how the
    text around them shows: control and format characters (zero-width
    spaces, right-to-left overrides...), separators, unassigned code points,
    combining marks on nothing, blank letters. An address with one looks like
    another address."""
    # Composed first: an accent typed as a separate combining mark shows on
    # its letter (e + U+0301 is é); a mark left over combines with nothing
    # or hides (U+034F, variation selectors).
    return any(
        char in _BLANK_CHARS or unicodedata.category(char) in _HIDDEN_CHAR_CATEGORIES
        for char in unicodedata.normalize("NFC", value)
    )


class ResUsers(models.Model):
    _inherit = "res.users"

    # Lets duplicate checks compare logins without regard to letter case
    # without scanning the whole table.
    _portal_access_login_lower_idx = models.Index("(lower(login))")

    portal_access_login_change_date = fields.Datetime(
        string="Portal Login Changed On",
        copy=False,
        readonly=True,
        groups="base.group_erp_manager",
        help="When this login was last set by hand (Change portal login, "
        "Settings > Users). From then on, re-inviting the person or granting "
        "access again never moves the login back to the contact's email.",
    )

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
        if len(value) <= 254 and single_email_re.match(value):
            # A plain ASCII address: what email_normalize returns, without
            # its address parser (the popup normalises whole companies).
            return value.lower()
        normalized = (
            not _LOGIN_FORBIDDEN_CHARS.search(value)
            and not _has_hidden_chars(value)
            and len(value) <= 254
            and value.count("@") == 1
            and email_normalize(value)
        )
        if not normalized or "." not in normalized.rsplit("@", 1)[1]:
            raise ValidationError(
                self.env._(
                    "“%(login)s” is not a valid email address. Portal logins are "
                    "email addresses, for example name@example.com.",
                    # Shown back to the person: short, without the control
                    # characters (NUL...) that made it invalid.
                    login="".join(
                        char for char in value[:80] if not _has_hidden_chars(char)
                    ),
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

    def _notify_security_setting_update(
        self, subject, content, mail_values=None, **kwargs
    ):
        # The flows of this module that change a security setting send their
        # own, more precise notice: a login change notifies the old and the
        # new address; turning 2FA off from the portal also says that the
        # recovery codes are void. Core's generic notice would be one more mail.
        if self.env.context.get("portal_access_own_security_notice"):
            return self.env["mail.mail"]
        return super()._notify_security_setting_update(
            subject, content, mail_values=mail_values, **kwargs
        )

    def _portal_access_check_login_change_allowed(self):
        """Raise a translated UserError unless ``self`` is a portal user.

        Internal users keep Odoo's standard flow (Settings > Users).
        """
        self.ensure_one()
        if self._is_internal():
            raise UserError(
                self.env._(
                    "%(user)s is an internal user. Change the login of internal users "
                    "in "
                    "Settings > Users & Companies > Users.",
                    user=self.display_name,
                )
            )
        if not self._is_portal():
            raise UserError(
                self.env._(
                    "%(user)s is not a portal user: only the login of a portal user "
                    "can be "
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
                self.env._(
                    "“%(login)s” is already the login of %(user)s.",
                    login=login,
                    user=self.display_name,
                )
            )
        owner = self._portal_access_find_login_owners(
            [login], exclude_user_ids=self.ids
        ).get(login.lower())
        if owner:
            if owner.active:
                message = self.env._(
                    "The login “%(login)s” is already used by the user %(user)s (login "
                    "“%(owner_login)s”). "
                    "Logins are compared without regard to letter case; choose another "
                    "login.",
                    login=login,
                    user=owner.display_name,
                    owner_login=owner.login,
                )
            else:
                message = self.env._(
                    "The login “%(login)s” is already used by the archived user "
                    "%(user)s (login "
                    "“%(owner_login)s”). Logins are compared without regard to letter "
                    "case; choose "
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
        # ``login`` is one of the fields core hashes into the session token
        # (_get_session_token_fields): every session of this user fails its
        # check at its next request and is logged out.
        self.with_context(portal_access_own_security_notice=True).write(
            {"login": login}
        )
        if update_email:
            # sudo: the email is the contact's, and who may change logins
            # (Access Rights) need not have Contact Creation rights.
            self.partner_id.sudo().write({"email": login})
        # End those sessions for good, so that the customer's device list
        # does not show them as signed in.
        self._portal_access_end_sessions(audit=False)
        # Sign-up and reset-password links sent before went to the old
        # address: a new invitation key voids them (res.partner._get_login_date).
        # sudo: invitation fields are for administrators only
        self.partner_id.sudo().write(
            {
                "signup_type": False,
                "portal_access_invite_key": secrets.token_urlsafe(16),
            }
        )
        self._portal_access_send_login_change_notices(old_login)
        self.partner_id._message_log(
            body=self._portal_access_login_change_note(
                old_login, old_email if update_email else None
            )
        )
        self._portal_access_close_login_requests(login)
        _logger.info(
            "portal_access: login of user #%s changed by user #%s (contact email "
            "changed too: %s)",
            self.id,
            self.env.uid,
            bool(update_email),
        )
        return login

    def _portal_access_close_login_requests(self, login):
        """Mark done the to-dos of the customer's requests for ``login``
        (their summary names the requested login, in any language)."""
        self.ensure_one()
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not todo:
            return
        # sudo: the to-do may be assigned to another staff member
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.partner_id.id),
                    ("activity_type_id", "=", todo.id),
                ]
            )
            .filtered(
                lambda activity: (
                    login
                    in {
                        address.rstrip(".").lower()
                        for address in _ADDRESS_IN_TEXT.findall(activity.summary or "")
                    }
                )
            )
        )
        if activities:
            activities.action_feedback(
                feedback=self.env._("Login changed to %(login)s.", login=login)
            )

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
            )._portal_access_send_queued(self.id)

    def _portal_access_login_change_note(self, old_login, old_email=None):
        """Return the text of the history note of a login change of ``self``.

        :param old_email: the contact's previous email when it changed with the
            login, ``None`` when it did not change
        """
        self.ensure_one()
        note = self.env._(
            "Portal login changed by %(author)s from %(old)s to %(new)s. The password "
            "is unchanged.",
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
        subtype = self.env.ref(
            "portal_access.mt_login_change_request", raise_if_not_found=False
        )
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
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("portal_access.login_request_user_id", "")
        )
        candidates = [
            partner.user_id,
            partner.commercial_partner_id.user_id,
            Users.browse(int(param)) if param.isascii() and param.isdigit() else Users,
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
        if not self._portal_access_serialize_limited_action():
            raise UserError(
                self.env._(
                    "Another request of yours is being processed. Please try again."
                )
            )
        if self._portal_access_login_request_count() >= LOGIN_REQUEST_LIMIT:
            raise UserError(
                self.env._(
                    "You have already sent %(count)s login change requests in the last "
                    "24 hours. "
                    "We will get back to you; you can send another request tomorrow.",
                    count=LOGIN_REQUEST_LIMIT,
                )
            )
        login = self._portal_access_normalize_login(requested_login)
        if login == self.login:
            raise UserError(
                self.env._("“%(login)s” is already your login.", login=login)
            )
        message = (message or "").strip()
        if _CONTROL_CHARS.search(message):
            raise UserError(
                self.env._(
                    "Your message contains characters that are not allowed. Please "
                    "type it again."
                )
            )
        if len(message) > LOGIN_REQUEST_MESSAGE_MAX:
            raise UserError(
                self.env._(
                    "Your message is too long: %(max)s characters at most, please.",
                    max=LOGIN_REQUEST_MESSAGE_MAX,
                )
            )
        responsible = self._portal_access_get_login_request_responsible()
        taken = bool(
            self._portal_access_find_login_owners([login], exclude_user_ids=self.ids)
        )
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
        template = self.env.ref(
            "portal_access.mail_template_login_change_requested",
            raise_if_not_found=False,
        )
        if template and self.email:
            template.with_context(
                portal_access_requested_login=login
            )._portal_access_send_queued(self.id)
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
                "Login change requested by the customer in the portal: from %(old)s to "
                "%(new)s.",
                old=self.login,
                new=login,
            ),
            self.env._(
                "Check that the request really comes from this customer, then use "
                "Action > "
                "Change portal login on this contact."
            ),
        ]
        if taken:
            lines.append(
                self.env._(
                    "This login is already used by another user (the customer was not "
                    "told); "
                    "Change portal login will refuse it."
                )
            )
        if message:
            lines.append(
                self.env._("Message from the customer: %(message)s", message=message)
            )
        return Markup("").join(Markup("<p>%s</p>") % line for line in lines)

    def _portal_access_is_former_portal_user(self):
        """Tell whether this user of the public group is a former portal user
        (revoked, archived in that group as core's popup leaves it) rather
        than a real public (anonymous) user.

        Decided only from what staff cannot change: a contact's email or
        archived flag is theirs to edit, so they tell nothing here.
        """
        self.ensure_one()
        return not self._portal_access_public_users()

    def _portal_access_public_users(self):
        """The users of ``self`` that are Odoo's public (anonymous) users:
        ``base.public_user``, the copies core makes of it per company (login
        ``public-user@company-<id>.com``) or the users of websites; at most
        one query (the websites) whatever their number.

        :return: a subset of ``self``
        """
        if not self:
            return self
        public_user = self.env.ref("base.public_user", raise_if_not_found=False)
        # sudo: logins of possibly another company
        public = self.filtered(
            lambda user: (
                user == public_user
                or _PUBLIC_USER_LOGIN.fullmatch(user.sudo().login or "")
            )
        )
        Website = self.env.get("website")
        others = self - public
        if Website is not None and others:
            # sudo: websites of possibly another company
            website_user_ids = set(
                Website.sudo()
                .with_context(active_test=False)
                .search_fetch([("user_id", "in", others.ids)], ["user_id"])
                .user_id.ids
            )
            public |= others.filtered(lambda user: user.id in website_user_ids)
        return public

    def _portal_access_technical_users(self):
        """The users of ``self`` that are Odoo's technical users, which must
        never become portal users: the public (anonymous) users, or the
        template that sign-up copies new portal users from. Granting access
        to one of them would hand its login to whoever receives the
        invitation.

        :return: a subset of ``self``
        """
        template_id = literal_eval(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base.template_portal_user_id", "False")
            or "False"
        )
        template = self.filtered(lambda user: user.id == template_id)
        return template | (self - template)._portal_access_public_users()

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

    # Portal security: password, 2FA with pyotp + qrcode, recovery codes,
    # devices, "2FA required" policy. Core's 2FA fields (totp_secret,
    # totp_last_counter) and login step (/web/login/totp) stay the one 2FA
    # system; this block only adds to them.
    # ------------------------------------------------------------------

    def _inverse_token(self):  # pylint: disable=missing-return
        super()._inverse_token()
        # Whoever turns 2FA off (the user, an admin, core's dialog), the
        # recovery codes that went with it stop working.
        turned_off = self.sudo().filtered(lambda user: not user.totp_secret)
        if turned_off:
            self.env["portal_access.recovery.code"]._void_for(turned_off)

    def authenticate(self, credential, user_agent_env):
        auth_info = super().authenticate(credential, user_agent_env)
        if not (request and auth_info.get("uid") and auth_info.get("mfa") != "skip"):
            return auth_info
        user_sudo = self.sudo().browse(auth_info["uid"])
        # The same test as core's Session.authenticate: a 2FA step follows,
        # in a later request. Remember what the password was checked against,
        # so that a sign-in left at that step does not outlive a password
        # change, a login change or a revoked access (controllers/home.py).
        if user_sudo._mfa_url():
            request.session[PORTAL_ACCESS_PRE_LOGIN_KEY] = (
                user_sudo._portal_access_credentials_fingerprint()
            )
        return auth_info

    def _portal_access_credentials_fingerprint(self):
        """A keyed hash of what core's session tokens are made of (login,
        password hash, active flag, 2FA secret...): it changes whenever one of
        them does."""
        self.ensure_one()
        # Not _compute_session_token: its cache is keyed by the session id
        # alone, which is the same constant here for every user.
        return self._session_token_hash_compute(
            PORTAL_ACCESS_PRE_LOGIN_KEY, self._session_token_get_values()
        )

    def _portal_access_pre_login_is_valid(self, fingerprint):
        """Whether a sign-in left at the 2FA step with ``fingerprint`` may go
        on: the user still exists, is active, and their credentials did not
        change since the password step."""
        self.ensure_one()
        user_sudo = self.sudo().with_context(active_test=False)
        if fingerprint is None:  # a sign-in started before the module
            return bool(
                user_sudo.search_count([("id", "=", self.id), ("active", "=", True)])
            )
        # One query: the fingerprint covers the active flag, and is False for
        # a user that no longer exists.
        current = user_sudo._portal_access_credentials_fingerprint()
        return bool(fingerprint and current) and consteq(fingerprint, current)

    def _check_credentials(self, credentials, env):
        if (
            credentials.get("type") == "password"
            and len(credentials.get("password") or "")
            > PORTAL_ACCESS_MAX_PASSWORD_LENGTH
        ):
            # passlib refuses to check a longer password with a
            # PasswordSizeError (a ValueError): every password prompt (sign
            # in, re-checks, account deletion) answered a 500. It cannot be
            # anyone's password: a wrong password.
            raise AccessDenied()
        if credentials.get("type") != "portal_access_recovery_code":
            return super()._check_credentials(credentials, env)
        # A recovery code is only ever a second factor: the password of this
        # very user was checked and the session waits at the 2FA step.
        if not (
            request
            and request.session.get("pre_uid") == self.id
            and credentials.get("token")
        ):
            raise AccessDenied()
        # Same per-user budget as core's 6-digit codes ("code_check").
        self._totp_rate_limit("code_check")
        # sudo: core's 2FA fields and the code hashes are NO_ACCESS.
        user_sudo = self.sudo()
        codes = self.env["portal_access.recovery.code"]
        if not user_sudo.totp_enabled or not codes._consume(
            user_sudo, credentials["token"]
        ):
            user_sudo._portal_access_security_event("recovery_code_rejected")
            raise AccessDenied(
                self.env._(
                    "Verification failed, please double-check the recovery code."
                )
            )
        self._totp_rate_limit_purge("code_check")
        remaining = codes._count_unused(user_sudo)
        user_sudo._portal_access_security_event(
            "recovery_code_used",
            self.env._(
                "Signed in with a recovery code (%(count)s left).", count=remaining
            ),
        )
        user_sudo._portal_access_send_security_mail(
            "portal_access.mail_template_recovery_code_used", remaining=remaining
        )
        return {
            "uid": self.id,
            "auth_method": "portal_access_recovery_code",
            "mfa": "default",
        }

    @check_identity
    def portal_access_action_check_identity(self):
        """No-op behind core's identity check: lets the portal's JavaScript
        open core's password dialog before it shows the 2FA setup."""
        return True

    @check_identity
    def portal_access_action_totp_disable(self):
        """Turn 2FA off from the portal's JavaScript (after core's password
        dialog); the server-rendered page calls ``_portal_access_totp_disable``."""
        self.ensure_one()
        return self._portal_access_totp_disable()

    # Policy ------------------------------------------------------------

    @api.model
    def _portal_access_totp_policy(self):
        """``"required"`` or ``"optional"``: the setting "Two-factor
        authentication for portal users"."""
        policy = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("portal_access.portal_totp_policy")
        )
        return "required" if policy == "required" else "optional"

    def _rpc_api_keys_only(self):
        # "2FA required" policy: until the portal user has turned it on, the
        # password alone does not open RPC (XML-RPC, /json/2) either.
        return super()._rpc_api_keys_only() or self._portal_access_totp_setup_required()

    def _portal_access_totp_setup_required(self):
        """Whether this user must turn on 2FA before using the portal."""
        self.ensure_one()
        return (
            self._portal_access_totp_policy() == "required"
            and self._is_portal()
            and not self.totp_enabled
        )

    @api.model
    def _portal_access_identity_is_fresh(self):
        """Whether the password was confirmed within core's identity-check
        window (``identity-check-last``, also set by core's password dialog)."""
        last = request.session.get("identity-check-last", 0) if request else 0
        return last > time.time() - PORTAL_ACCESS_IDENTITY_WINDOW

    def _portal_access_confirm_identity(self, password, wrong_password_message=None):
        """Check the signed-in user's password and open core's identity-check
        window.

        :param wrong_password_message: message of the AccessDenied raised for
            a wrong password (default: "Wrong password, please try again.")
        :raise AccessDenied: with a translated message when the password is
            wrong or core's login cooldown is on
        """
        self.ensure_one()
        if self != self.env.user or not request:
            raise AccessError(self.env._("You can only confirm your own password."))
        # Per-user limit of wrong passwords, checked before the password: once
        # reached, even the right one is refused until the window has passed.
        self._portal_access_identity_check_assert_allowed()
        # Core's login cooldown also guards this password prompt: a wrong
        # password counts as a failed login, and during the cooldown the
        # AccessDenied of _assert_can_auth (with its own message) goes up.
        with self._assert_can_auth(user=self.id):
            try:
                self._check_credentials(
                    {
                        "login": self.login,
                        "password": password or "",
                        "type": "password",
                    },
                    {"interactive": True},
                )
            except AccessDenied:
                self._portal_access_identity_check_failed()
                raise AccessDenied(
                    wrong_password_message
                    or self.env._("Wrong password, please try again.")
                ) from None
        self._portal_access_identity_check_passed()
        request.session["identity-check-last"] = time.time()

    def _portal_access_identity_check_assert_allowed(self):
        """Refuse a password re-check of ``self`` once it typed
        ``IDENTITY_CHECK_LIMIT`` wrong passwords in ``IDENTITY_CHECK_WINDOW``,
        and while another re-check of ``self`` is running (passwords sent at
        the same instant all counted from the same number and passed the
        limit).

        :raise AccessDenied: with a translated message
        """
        self.ensure_one()
        if not self._portal_access_serialize_limited_action():
            raise AccessDenied(
                self.env._(
                    "Another check of your password is in progress. Please try "
                    "again in a moment."
                )
            )
        count = self._portal_access_rate_limit_count(
            IDENTITY_CHECK_LIMIT_TYPE, IDENTITY_CHECK_WINDOW
        ).get(self.id, 0)
        if count >= IDENTITY_CHECK_LIMIT:
            self._portal_access_security_event("identity_check_blocked")
            raise AccessDenied(
                self.env._(
                    "You typed a wrong password too many times. For your security, "
                    "confirming your password is blocked for up to an hour; please "
                    "try again later."
                )
            )

    def _portal_access_identity_check_failed(self):
        """Count a wrong password at the re-check of ``self``; the count
        survives the rollback of the transaction (core's dialog raises its
        error up to the RPC layer, which rolls back)."""
        self.ensure_one()
        self._portal_access_rate_limit_log(
            IDENTITY_CHECK_LIMIT_TYPE, keep_on_rollback=True
        )
        self._portal_access_security_event("identity_check_failed")

    def _portal_access_identity_check_passed(self):
        """The right password ends the count of wrong ones (as core does for
        2FA codes)."""
        self.ensure_one()
        self._portal_access_rate_limit_purge(IDENTITY_CHECK_LIMIT_TYPE)

    # Rate limits (core's auth.totp.rate.limit.log) ---------------------

    def _portal_access_serialize_limited_action(self):
        """Take the turn of the user ``self`` for an action that counts
        against a limit (a login change request, a password re-check), so
        that requests sent together cannot all count from the same number.

        The contact's row is locked, and updated without change: a request
        whose snapshot was taken before a concurrent one committed then
        fails with a serialization error, and Odoo replays it with a fresh
        snapshot that counts the other one; a mere lock would let it count
        from its stale snapshot.

        :return: False while another such action of ``self`` is running
        """
        self.ensure_one()
        cr = self.env.cr
        # SKIP LOCKED: refuse rather than wait; no FOR UPDATE, others may still
        # link records to the contact meanwhile. log_exceptions=False: the
        # serialization error of a stale snapshot is expected and replayed.
        cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = %s "
                "FOR NO KEY UPDATE SKIP LOCKED",
                self.partner_id.id,
            ),
            log_exceptions=False,
        )
        if not cr.fetchall():
            return False
        cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                self.partner_id.id,
            )
        )
        return True

    def _portal_access_rate_limit_count(self, limit_type, window):
        """Count the log entries of ``limit_type`` of each user of ``self``
        within ``window`` (a timedelta), in one query.

        :return: dict user id -> count (users without entries are missing)
        """
        # sudo: the log is technical data nobody reads through the ORM
        groups = (
            self.env["auth.totp.rate.limit.log"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", self.ids),
                    ("limit_type", "=", limit_type),
                    ("create_date", ">=", fields.Datetime.now() - window),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        return {user.id: count for user, count in groups}

    def _portal_access_rate_limit_log(self, limit_type, keep_on_rollback=False):
        """Add one log entry of ``limit_type`` per user of ``self``.

        :param bool keep_on_rollback: write the entries again, in a
            transaction of their own, if this transaction is rolled back
        """
        if not self:
            return
        vals_list = [
            {"user_id": user.id, "ip": _request_ip(), "limit_type": limit_type}
            for user in self
        ]
        # sudo: the log is technical data nobody writes through the ORM
        self.env["auth.totp.rate.limit.log"].sudo().create(vals_list)
        if keep_on_rollback:
            registry = self.env.registry

            def log_again():
                with registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})[
                        "auth.totp.rate.limit.log"
                    ].create(vals_list)

            self.env.cr.postrollback.add(log_again)

    def _portal_access_rate_limit_purge(self, limit_type):
        # sudo: see _portal_access_rate_limit_log
        self.env["auth.totp.rate.limit.log"].sudo().search(
            [("user_id", "in", self.ids), ("limit_type", "=", limit_type)]
        ).unlink()

    # Password ----------------------------------------------------------

    @api.model
    def _portal_access_password_min_length(self):
        """Minimum length of a new password set from the portal: the
        ``auth_password_policy`` setting when that module is installed, and
        never less than 8."""
        minlength = 0
        # Defined by auth_password_policy, only when it is installed.
        if hasattr(self, "_check_password_policy"):
            param = (
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("auth_password_policy.minlength")
            )
            try:
                minlength = int(param or 0)
            except ValueError:
                minlength = 0
        return max(minlength, PORTAL_ACCESS_MIN_PASSWORD_LENGTH)

    @api.model
    def signup(self, values, token=None):
        # The sign-up and reset-password pages (the first password of an
        # invited customer) apply the same minimum length as /my/security;
        # core accepts any non-empty password there.
        password = values.get("password")
        if password:
            minlength = self._portal_access_password_min_length()
            if len(password) < minlength:
                raise UserError(
                    self.env._(
                        "The password is too short: use at least %(count)s characters.",
                        count=minlength,
                    )
                )
        return super().signup(values, token=token)

    def write(self, vals):
        # Core lets users write a few fields of their own user (the
        # SELF_WRITEABLE_FIELDS) as superuser, over RPC too: a customer could
        # put line breaks into their name (mail headers) or a list of
        # addresses into their email. Portal users get the portal's checks.
        if (
            not self.env.su
            and self == self.env.user
            and not self.env.user._is_internal()
        ):
            self._portal_access_check_own_values(vals)
        if (
            "login" in vals
            and not self.env.context.get("portal_access_login_follows_email")
            and any(user.login != vals["login"] for user in self)
        ):
            # A login changed by hand (Settings > Users, the login change
            # wizard) is never moved back to the contact's email by the
            # portal access popup (see _portal_access_login_may_follow);
            # sign-up writes the same login again and changes nothing.
            vals = {**vals, "portal_access_login_change_date": fields.Datetime.now()}
        return super().write(vals)

    def _portal_access_check_own_values(self, vals):
        """Check the values a portal user writes on their own user.

        :raise ValidationError: with a translated message naming the field
        """
        lang = vals.get("lang")
        if lang and (
            not isinstance(lang, str)
            or lang not in dict(self.env["res.lang"].get_installed())
        ):
            # Every mail rendered for this user (and the staff's bulk actions
            # that include them) would fail on an unknown language.
            raise ValidationError(
                self.env._(
                    "“%(lang)s” is not an available language.",
                    lang=_SINGLE_LINE_FORBIDDEN.sub("", str(lang))[:20],
                )
            )
        self._portal_access_check_own_field_types(vals)
        for field_name in ("name", "email", "phone"):
            if field_name not in vals:
                continue
            value = vals[field_name]
            label = self._fields[field_name]._description_string(self.env)
            if field_name != "name" and value in (False, ""):
                continue
            if not isinstance(value, str) or _SINGLE_LINE_FORBIDDEN.search(value):
                raise ValidationError(
                    self.env._(
                        "%(field)s contains characters that are not allowed.",
                        field=label,
                    )
                )
            limit = PORTAL_ACCESS_MAX_LENGTHS[field_name]
            if len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s is too long: at most %(limit)s characters are "
                        "allowed.",
                        field=label,
                        limit=limit,
                    )
                )
            if field_name == "email":
                try:
                    self._portal_access_normalize_login(value)
                except ValidationError:
                    raise ValidationError(
                        self.env._(
                            "“%(email)s” is not a single valid email address.",
                            email=value[:80],
                        )
                    ) from None

    def _portal_access_check_own_field_types(self, vals):
        """Values of the wrong kind in the fields a portal user may write on
        their own user: choices that are not in the list (core's ORM stores
        any string in a selection column; an unknown time zone was a server
        error later on), dates that are no dates, texts of any length (a
        signature, an out-of-office message), the inbox notifications that
        only employees have. Core answered some with a server error.

        :raise ValidationError: with a translated message naming the field
        """
        for field_name, value in vals.items():
            field = self._fields.get(field_name)
            if field is None or value in (False, None):
                continue
            label = field._description_string(self.env)
            if field.type == "selection":
                choices = {
                    key for key, _label in field._description_selection(self.env)
                }
                if not isinstance(value, str) or value not in choices:
                    raise ValidationError(
                        self.env._(
                            "%(field)s: “%(value)s” is not one of the choices.",
                            field=label,
                            value=_SINGLE_LINE_FORBIDDEN.sub("", str(value))[:40],
                        )
                    )
            elif field.type in ("date", "datetime"):
                try:
                    field.convert_to_cache(value, self)
                except (TypeError, ValueError):
                    raise ValidationError(
                        self.env._("%(field)s is not a valid date.", field=label)
                    ) from None
            elif (
                field.type in ("char", "text", "html")
                and isinstance(value, str)
                and len(value) > PORTAL_ACCESS_MAX_TEXT_LENGTH
            ):
                raise ValidationError(
                    self.env._(
                        "%(field)s is too long: at most %(limit)s characters are "
                        "allowed.",
                        field=label,
                        limit=PORTAL_ACCESS_MAX_TEXT_LENGTH,
                    )
                )
        if vals.get("notification_type") == "inbox" and self.share:
            raise ValidationError(
                self.env._("Portal users receive their notifications by email.")
            )

    @api.model
    def change_password(self, old_passwd, new_passwd):
        """Core's own-password change is also callable over RPC, where it had
        none of the portal page's rules: no limit of wrong current passwords
        (a stolen session could guess the password at will) and no minimum
        length. Portal users get the page's rules whatever the channel; the
        page checks them first with its own messages."""
        user = self.env.user
        if user._is_internal():
            return super().change_password(old_passwd, new_passwd)
        user._portal_access_identity_check_assert_allowed()
        new_passwd = new_passwd if isinstance(new_passwd, str) else ""
        min_length = user._portal_access_password_min_length()
        if len(new_passwd.strip()) < min_length:
            raise UserError(
                self.env._(
                    "The new password is too short: use at least %(count)s characters.",
                    count=min_length,
                )
            )
        if len(new_passwd) > PORTAL_ACCESS_MAX_PASSWORD_LENGTH:
            raise UserError(
                self.env._(
                    "The new password is too long: use at most %(count)s characters.",
                    count=PORTAL_ACCESS_MAX_PASSWORD_LENGTH,
                )
            )
        try:
            result = super().change_password(old_passwd, new_passwd)
        except AccessDenied:
            user._portal_access_identity_check_failed()
            raise
        user._portal_access_identity_check_passed()
        return result

    # Two-factor authentication -----------------------------------------

    @api.model
    def _portal_access_totp_new_secret(self):
        """A new base32 secret of 160 bits, the size core generates."""
        return pyotp.random_base32(length=32)

    @api.model
    def _portal_access_totp_match(self, secret, code, for_time=None):
        """Check ``code`` against ``secret`` with pyotp, allowing one 30-second
        step of clock drift either way (core's window).

        :return: the matching time step (core's ``totp_last_counter`` unit)
            or None
        """
        totp = pyotp.TOTP(secret)
        for_time = time.time() if for_time is None else for_time
        if not totp.verify(code, for_time=for_time, valid_window=1):
            return None
        step = totp.timecode(for_time)
        return next(
            (
                counter
                for counter in (step - 1, step, step + 1)
                if consteq(totp.generate_otp(counter), code)
            ),
            None,
        )

    def _portal_access_totp_provisioning(self, secret):
        """What an authenticator app needs: the ``otpauth://`` URI (issuer:
        company name, account: login), its QR code as inline SVG and the
        secret in groups of four."""
        self.ensure_one()
        uri = pyotp.TOTP(secret).provisioning_uri(
            name=self.login, issuer_name=self.company_id.name or self.env.company.name
        )
        svg = qrcode.make(
            uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10
        ).get_image()
        # Sized by CSS through the viewBox, not in millimetres.
        for attribute in ("width", "height"):
            svg.attrib.pop(attribute, None)
        svg.set("class", "o_portal_access_totp_qrcode img-fluid")
        svg.set("role", "img")
        svg.set("aria-label", self.env._("QR code for your authenticator app"))
        return {
            "uri": uri,
            # The SVG only holds paths drawn by qrcode, no text of ours.
            "qrcode": Markup(ET.tostring(svg, encoding="unicode")),
            "secret_groups": " ".join(
                secret[i : i + 4] for i in range(0, len(secret), 4)
            ),
        }

    def _portal_access_totp_enable(self, secret, code):
        """Turn on 2FA for the signed-in user with ``secret`` once ``code``
        proves their app has it, and create their recovery codes.

        The caller checks the identity. Counts against core's per-user code
        budget; the step is stored in ``totp_last_counter`` so the same code
        cannot also sign in.

        :return: the new recovery codes, to show once
        :raise UserError: with a translated message; 2FA then stays off
        """
        self.ensure_one()
        if self != self.env.user:
            raise AccessError(
                self.env._(
                    "Two-factor authentication can only be enabled for yourself."
                )
            )
        if self.totp_enabled:
            raise UserError(self.env._("Two-factor authentication is already enabled."))
        code = re.sub(r"\s", "", code or "")
        # Digits of any script (fullwidth from an Asian keyboard, Arabic-Indic)
        # count as the digits they are, as at core's login step; pyotp would
        # accept fullwidth ones but the comparison below (consteq) raised a
        # TypeError on them.
        if len(code) == 6 and code.isdecimal():
            code = "".join(str(unicodedata.decimal(char)) for char in code)
        if not re.fullmatch(r"[0-9]{6}", code):
            raise UserError(
                self.env._("Enter the 6-digit code shown in your authenticator app.")
            )
        try:
            self._totp_rate_limit("code_check")
        except AccessDenied as e:
            raise UserError(str(e)) from None
        match = self._portal_access_totp_match(secret, code)
        if match is None:
            self._portal_access_security_event("totp_enable_rejected")
            raise UserError(
                self.env._(
                    "Verification failed, please double-check the 6-digit code. "
                    "Two-factor authentication is still off."
                )
            )
        # sudo: core's 2FA fields are NO_ACCESS, even for their owner.
        user_sudo = self.sudo()
        user_sudo.totp_secret = secret
        user_sudo.totp_last_counter = match
        self._totp_rate_limit_purge("code_check")
        codes = self.env["portal_access.recovery.code"]._generate_for(self)
        self._portal_access_refresh_session_token()
        # The new secret already invalidated the other sessions' tokens: end
        # them for good, so the device list does not show them as signed in.
        self._portal_access_end_sessions(audit=False)
        self._portal_access_security_event(
            "totp_enabled",
            self.env._("Two-factor authentication turned on from the portal."),
        )
        return codes

    def _portal_access_totp_disable(self):
        """Turn off 2FA for the signed-in user: voids the recovery codes and
        the trusted browsers, sends a notice. The caller checks the identity.

        :return: True when 2FA was on
        """
        self.ensure_one()
        if self != self.env.user:
            raise AccessError(
                self.env._(
                    "Two-factor authentication can only be disabled for yourself."
                )
            )
        if not self.totp_enabled:
            return False
        self._revoke_all_devices()
        # sudo: core's 2FA fields are NO_ACCESS, even for their owner.
        self.sudo().with_context(portal_access_own_security_notice=True).write(
            {"totp_secret": False}
        )
        self._portal_access_refresh_session_token()
        self._portal_access_end_sessions(audit=False)
        self._portal_access_security_event(
            "totp_disabled",
            self.env._("Two-factor authentication turned off from the portal."),
        )
        self._portal_access_send_security_mail(
            "portal_access.mail_template_totp_disabled"
        )
        return True

    def _portal_access_recovery_codes_regenerate(self):
        """Void the signed-in user's recovery codes and make new ones. The
        caller checks the identity.

        :return: the new codes, to show once
        """
        self.ensure_one()
        if self != self.env.user:
            raise AccessError(
                self.env._("You can only generate recovery codes for yourself.")
            )
        if not self.totp_enabled:
            raise UserError(self.env._("Turn on two-factor authentication first."))
        codes = self.env["portal_access.recovery.code"]._generate_for(self)
        self._portal_access_security_event(
            "recovery_codes_generated",
            self.env._("New recovery codes generated; the old ones no longer work."),
        )
        self._portal_access_send_security_mail(
            "portal_access.mail_template_recovery_codes_generated"
        )
        return codes

    def _portal_access_recovery_code_count(self):
        self.ensure_one()
        return self.env["portal_access.recovery.code"]._count_unused(self)

    def _portal_access_refresh_session_token(self):
        """Keep the current session signed in after a change of a field that
        makes up the session token (password, 2FA secret); every other
        session of the user is signed out by that change."""
        if request and request.session.uid == self.id:
            self.env.flush_all()
            request.session.session_token = self.env.user._compute_session_token(
                request.session.sid
            )

    # Devices -----------------------------------------------------------

    def _portal_access_devices(self):
        """The user's signed-in devices (core's ``res.device``), most recent first."""
        self.ensure_one()
        # res.device reads the table of res.device.log (an SQL view): write
        # the revocations of this request first, or a device just signed out
        # would still be listed.
        self.env["res.device.log"].flush_model(["revoked"])
        # sudo: portal users cannot read res.device; the domain keeps it to
        # their own devices.
        return (
            self.env["res.device"]
            .sudo()
            .search([("user_id", "=", self.id)], order="last_activity desc, id desc")
        )

    def _portal_access_end_sessions(self, device_ids=None, audit=True):
        """Sign out the user's devices ``device_ids`` (default: every device
        but the current one). The current session is never ended here; the
        caller checks the identity. ``audit=False`` when the caller logs the
        event that ended them.

        :return: the number of sessions ended
        """
        self.ensure_one()
        devices_sudo = self._portal_access_devices().filtered(
            lambda device: not device.is_current
        )
        if device_ids is not None:
            devices_sudo = devices_sudo.filtered(lambda device: device.id in device_ids)
        sessions = set(devices_sudo.mapped("session_identifier"))
        if devices_sudo:
            devices_sudo._revoke()
        if devices_sudo and audit:
            self._portal_access_security_event(
                "sessions_ended",
                self.env._("Signed out another session from the portal.")
                if len(sessions) == 1
                else self.env._(
                    "Signed out %(count)s other sessions from the portal.",
                    count=len(sessions),
                ),
            )
        return len(sessions)

    def _portal_access_forget_trusted_devices(self, device_ids=None):
        """Forget the user's trusted (2FA-remembered) browsers ``device_ids``
        (default: all). The caller checks the identity.

        :return: the number of browsers forgotten
        """
        self.ensure_one()
        domain = [("user_id", "=", self.id)]
        if device_ids is not None:
            domain.append(("id", "in", list(device_ids)))
        # The domain keeps the search to this user's trusted browsers (the
        # controllers call this on ``request.env.user``, a superuser record
        # in Odoo 19, so core's record rule does not apply here).
        devices = self.env["auth_totp.device"].search(domain)
        count = len(devices)
        if devices:
            devices._remove()
            self._portal_access_security_event(
                "trusted_devices_forgotten",
                self.env._("Forgot a trusted browser from the portal.")
                if count == 1
                else self.env._(
                    "Forgot %(count)s trusted browsers from the portal.", count=count
                ),
            )
        return count

    # Audit -------------------------------------------------------------

    def _portal_access_security_event(self, event, note=None):
        """Log a security event at INFO with the stable prefix
        ``portal_access security:`` (never a secret, a code or a hash) and,
        with ``note``, leave a trace in the chatter of the user's contact."""
        self.ensure_one()
        ip = _request_ip() or "n/a"
        _logger.info(
            "portal_access security: %s for user #%s (%s) from %s",
            event,
            self.id,
            self.login,
            ip,
        )
        if note:
            # sudo: portal users cannot post on their contact; the note is
            # internal, for the admins.
            self.partner_id.sudo()._message_log(body=note, author_id=self.partner_id.id)

    def _portal_access_send_security_mail(self, template_xmlid, **values):
        """Queue the security notice ``template_xmlid`` to the user (a real
        ``mail.mail``, sent by the mail queue)."""
        self.ensure_one()
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template or not self.email:
            return
        ip = _request_ip()
        # sudo: the user (or, at the login step, the public user) cannot read
        # mail templates; the notice goes to the user's own address.
        template.sudo().with_context(
            portal_access_ip=ip, portal_access_values=values
        )._portal_access_send_queued(self.id)


def _request_ip():
    """The client address of the current request, or False (no request, or
    a request without HTTP data, as in core's identity-check tests)."""
    httprequest = getattr(request, "httprequest", None) if request else None
    return getattr(httprequest, "remote_addr", None) or False
