import re
from ast import literal_eval

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, email_normalize

# A login typed by a person: one bare address, no display name, no list.
_LOGIN_FORBIDDEN_CHARS = re.compile(r"[\s<>,;:\"()\[\]\\\x00-\x1f\x7f]")


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
