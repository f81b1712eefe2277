from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """Core skips every access check of messages when a search comes
        through a field that bypasses them, such as the ``message_ids`` of a
        document: a customer searching their own contact with
        ``message_ids.body ilike ...`` could test, word by word, the text of
        the internal notes staff logged on it. Keep internal messages out of
        such searches for portal and public users too.
        """
        if (
            kwargs.get("bypass_access")
            and not self.env.su
            and not self.env.user._is_internal()
        ):
            domain = self._get_search_domain_share() & Domain(domain)
        return super()._search(domain, offset, limit, order, **kwargs)

    def _get_forbidden_access(self, operation):
        """Keep internal messages away from portal and public users when they
        name them by id, as searches already do.

        Core hides internal messages (``is_internal``, or an internal subtype
        such as *Note*) from the searches of non-employees, but when a message
        is read or written by id it only refuses internal *comments*. The
        internal notes logged with ``_message_log`` and ``message_post`` are
        ``notification`` messages: a customer could read, through RPC, every
        internal note on their own contact and their colleagues' (staff's
        remarks, the module's security and login-change notes, which tell
        staff things the customer is not told), and rewrite those whose
        author is the customer (the module's security events). Refuse reading
        and writing every internal message, whatever its type.
        """
        forbidden = super()._get_forbidden_access(operation)
        if operation not in ("read", "write") or self.env.user._is_internal():
            return forbidden
        candidates = self - forbidden
        if not candidates:
            return forbidden
        candidates.flush_recordset(["is_internal", "subtype_id"])
        rows = self.env.execute_query(
            SQL(
                "SELECT message.id FROM mail_message AS message "
                "LEFT JOIN mail_message_subtype AS subtype "
                "ON message.subtype_id = subtype.id "
                "WHERE message.id = ANY(%s) "
                "AND (message.is_internal IS TRUE OR subtype.internal IS TRUE)",
                candidates.ids,
            )
        )
        return forbidden + self.browse(id_ for [id_] in rows)
