import re
import secrets

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT

# Ten codes of ten characters from a 32-letter alphabet without look-alikes
# (no 0/o, 1/l): 50 bits each, shown as "abcde-fghij".
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
RECOVERY_CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_SEPARATORS = re.compile(r"[\s\-]")


class PortalAccessRecoveryCode(models.Model):
    """A single-use code that replaces the 6-digit code at the login 2FA step.

    Only a salted hash is stored (core's API-key context: pbkdf2-sha512). The
    hash field is readable by nobody through the ORM (``NO_ACCESS``) and portal
    users have no access to the model at all; every read goes through
    ``sudo()`` in the methods below.
    """

    _name = "portal_access.recovery.code"
    _description = "Two-factor Authentication Recovery Code"
    _order = "id"
    _allow_sudo_commands = False

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="cascade"
    )
    code_hash = fields.Char(
        required=True, readonly=True, copy=False, groups=fields.NO_ACCESS
    )
    used_date = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _normalize(self, code):
        """Return ``code`` as stored before hashing: lower case, without the
        spaces and dashes people type or copy along."""
        return _SEPARATORS.sub("", code or "").lower()

    @api.model
    def _looks_like_recovery_code(self, token):
        """Tell a recovery code from a 6-digit authenticator code."""
        return len(self._normalize(token)) == RECOVERY_CODE_LENGTH

    @api.model
    def _generate_for(self, user):
        """Void ``user``'s codes and create a new set.

        :return: the plain codes, formatted for display; they exist nowhere
            else, so the caller must show them now.
        """
        user.ensure_one()
        # sudo: portal users have no access to the model; the caller checked
        # that ``user`` is the signed-in user.
        codes_sudo = self.sudo()
        codes_sudo.search([("user_id", "=", user.id)]).unlink()
        plain = [
            "".join(
                secrets.choice(RECOVERY_CODE_ALPHABET)
                for _i in range(RECOVERY_CODE_LENGTH)
            )
            for _n in range(RECOVERY_CODE_COUNT)
        ]
        codes_sudo.create(
            [
                {"user_id": user.id, "code_hash": KEY_CRYPT_CONTEXT.hash(code)}
                for code in plain
            ]
        )
        half = RECOVERY_CODE_LENGTH // 2
        return [f"{code[:half]}-{code[half:]}" for code in plain]

    @api.model
    def _consume(self, user, code):
        """Mark ``user``'s unused code matching ``code`` as used.

        Every unused hash is checked (passlib's verify compares in constant
        time), so the time taken does not depend on which code matched.

        :return: True when a code matched and was still unused
        """
        user.ensure_one()
        code = self._normalize(code)
        if len(code) != RECOVERY_CODE_LENGTH:
            return False
        # sudo: the hashes are NO_ACCESS fields; this is the only reader.
        unused_sudo = self.sudo().search(
            [("user_id", "=", user.id), ("used_date", "=", False)]
        )
        matched = self.browse()
        for record_sudo in unused_sudo:
            if KEY_CRYPT_CONTEXT.verify(code, record_sudo.code_hash) and not matched:
                matched = record_sudo
        if not matched:
            return False
        # Conditional update: of two concurrent sign-ins with the same code,
        # only one wins; the others fail with a serialization error, which
        # Odoo replays (and the replay finds the code used).
        # log_exceptions=False: that error is expected, no "bad query" to log.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE portal_access_recovery_code SET used_date = now() at time zone "
                "'UTC' "
                "WHERE id = %s AND used_date IS NULL RETURNING id",
                matched.id,
            ),
            log_exceptions=False,
        )
        rows = self.env.cr.fetchall()
        matched.invalidate_recordset(["used_date"])
        return bool(rows)

    @api.model
    def _count_unused(self, user):
        # sudo: portal users have no access to the model, the count is theirs.
        return self.sudo().search_count(
            [("user_id", "=", user.id), ("used_date", "=", False)]
        )

    @api.model
    def _void_for(self, users):
        # sudo: voiding follows 2FA being turned off, whoever did it.
        self.sudo().search([("user_id", "in", users.ids)]).unlink()
