from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _portal_access_get_users_mail_domain(self):
        """Messages of the emails sent to users (``email_outgoing`` on
        ``res.users``): invitations and password-reset mails, whose sign-up
        link sets the account's password, and security notices.

        :rtype: odoo.fields.Domain
        """
        return Domain("model", "=", "res.users") & Domain(
            "message_type", "=", "email_outgoing"
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """Two kinds of messages are kept out of searches:

        * Core skips every access check of messages when a search comes
          through a field that bypasses them, such as the ``message_ids`` of
          a document: a customer searching their own contact with
          ``message_ids.body ilike ...`` could test, word by word, the text of
          the internal notes staff logged on it. Keep internal messages out of
          such searches for portal and public users too.
        * The emails sent to users (see
          ``_portal_access_get_users_mail_domain``) are for Settings
          administrators only (see ``_get_forbidden_access``).
        """
        if not self.env.su:
            if kwargs.get("bypass_access") and not self.env.user._is_internal():
                domain = self._get_search_domain_share() & Domain(domain)
            if not self.env.user._is_system():
                domain = Domain(domain) & ~self._portal_access_get_users_mail_domain()
        return super()._search(domain, offset, limit, order, **kwargs)

    def _get_forbidden_access(self, operation):
        """Refuse, by id, what searches already hide:

        * Internal messages, to portal and public users. Core hides internal
          messages (``is_internal``, or an internal subtype such as *Note*)
          from the searches of non-employees, but when a message is read or
          written by id it only refuses internal *comments*. The internal
          notes logged with ``_message_log`` and ``message_post`` are
          ``notification`` messages: a customer could read, through RPC,
          every internal note on their own contact and their colleagues'
          (staff's remarks, the module's security and login-change notes),
          and rewrite those whose author is the customer.
        * The emails sent to users, to everyone but Settings administrators.
          Their message follows the access of the user record, which every
          employee and the customer's colleagues may read; until the mail
          queue has sent it (for ever, if sending fails) the invitation's
          sign-up link in its body let them set the customer's password.
        """
        forbidden = super()._get_forbidden_access(operation)
        if operation not in ("read", "write") or self.env.user._is_system():
            return forbidden
        candidates = self - forbidden
        if not candidates:
            return forbidden
        candidates.flush_recordset(
            ["is_internal", "subtype_id", "model", "message_type"]
        )
        condition = SQL(
            "(message.model = 'res.users' AND message.message_type = 'email_outgoing')"
        )
        if not self.env.user._is_internal():
            condition = SQL(
                "%s OR message.is_internal IS TRUE OR subtype.internal IS TRUE",
                condition,
            )
        rows = self.env.execute_query(
            SQL(
                "SELECT message.id FROM mail_message AS message "
                "LEFT JOIN mail_message_subtype AS subtype "
                "ON message.subtype_id = subtype.id "
                "WHERE message.id = ANY(%s) AND (%s)",
                candidates.ids,
                condition,
            )
        )
        return forbidden + self.browse(id_ for [id_] in rows)
