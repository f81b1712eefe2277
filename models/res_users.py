import re

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
