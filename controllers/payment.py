import logging

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.payment.controllers.portal import PaymentPortal

_logger = logging.getLogger(__name__)

_MAX_ID = 2**31 - 1


class PortalAccessPaymentPortal(PaymentPortal):
    @http.route()
    def payment_method(self, **kwargs):
        """List the customer's own methods in core's form (where they can be
        deleted) and the methods shared by their company apart, read-only.
        """
        # The page takes no parameter but ``deleted``: core passes the query
        # string on to its provider search, whose own arguments (``report``,
        # ``amount``, ``partner_id``...) were a server error as parameters.
        response = super().payment_method()
        if getattr(response, "qcontext", None) is None:
            return response
        partner_sudo = request.env.user.partner_id  # env.user is always sudoed
        # sudo: colleagues' tokens are hidden by record rules; the domain keeps
        # the search inside the customer's own company tree
        own_tokens_sudo, shared_tokens_sudo = (
            request.env["payment.token"]
            .sudo()
            ._portal_access_get_portal_tokens(partner_sudo)
        )
        response.qcontext.update(
            {
                "tokens_sudo": own_tokens_sudo,
                "portal_access_shared_tokens_sudo": shared_tokens_sudo,
                "portal_access_token_deleted": kwargs.get("deleted") == "1",
            }
        )
        return response

    @http.route()
    def archive_token(self, token_id=None, **kwargs):
        """Core's deletion route of the payment form's script, restricted to
        the customer who saved the token, and followed by the notice email.
        A call without ``token_id`` gets a 404 like an unknown one (it was a
        server error).
        """
        token_sudo = self._portal_access_get_deletable_token(token_id)
        self._portal_access_delete_token(token_sudo)

    # CSRF is checked by hand, first thing, so that a forged request gets the
    # same 403 as any other refused deletion (Odoo's own check answers 400).
    @http.route(
        "/my/payment_method/<int:token_id>/delete",
        type="http",
        methods=["GET", "POST"],
        auth="user",
        website=True,
        sitemap=False,
        csrf=False,
    )
    def portal_access_payment_token_delete(self, token_id, csrf_token=None, **kwargs):
        """Confirmation page (GET) and deletion (POST) of a saved payment
        method; the trash icon leads here when JavaScript is off.
        """
        is_post = request.httprequest.method == "POST"
        if is_post and not request.validate_csrf(csrf_token):
            _logger.info(
                "portal_access: payment method deletion refused (invalid CSRF token), "
                "user %s",
                request.env.user.id,
            )
            raise Forbidden()
        try:
            token_sudo = self._portal_access_get_deletable_token(token_id)
        except AccessError as error:
            raise Forbidden(error.args[0]) from error
        if is_post:
            self._portal_access_delete_token(token_sudo)
            return request.redirect("/my/payment_method?deleted=1")
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "payment_method_delete",
            "token_sudo": token_sudo,
            "linked_records_info": token_sudo.get_linked_records_info(),
        }
        return request.render("portal_access.portal_my_payment_method_delete", values)

    def _portal_access_get_deletable_token(self, token_id):
        """Return the token the current customer may delete, sudoed.

        :raise NotFound: the token does not exist, is archived or is not
            listed for this customer
        :raise AccessError: the token is shared with the customer by their
            company but was saved by someone else (a message core's payment
            form script shows in its error dialog)
        """
        token_id = self._cast_as_int(token_id)
        if not token_id or not 0 < token_id <= _MAX_ID:
            raise NotFound()
        partner_sudo = request.env.user.partner_id
        Token = request.env["payment.token"]
        # sudo: record rules hide shared tokens, which must answer 403 rather
        # than 404; the domain limits the search to the customer's company
        token_sudo = Token.sudo().search(
            Token._portal_access_get_portal_tokens_domain(partner_sudo)
            & Domain("id", "=", token_id)
        )
        if not token_sudo:
            _logger.info(
                "portal_access: payment method deletion refused (token %s not found), "
                "user %s",
                token_id,
                request.env.user.id,
            )
            raise NotFound()
        if not token_sudo._portal_access_can_be_deleted_by(partner_sudo):
            _logger.info(
                "portal_access: payment method deletion refused (token %s shared, "
                "saved by "
                "partner %s), user %s",
                token_sudo.id,
                token_sudo.partner_id.id,
                request.env.user.id,
            )
            raise AccessError(
                request.env._(
                    "This payment method was saved by %(name)s: only they can delete "
                    "it.",
                    name=token_sudo.partner_id.name,
                )
            )
        return token_sudo

    def _portal_access_delete_token(self, token_sudo):
        """Archive the token (its transactions keep referring to it) and
        notify the customer.
        """
        token_sudo.active = False
        token_sudo._portal_access_notify_deletion()
        _logger.info(
            "portal_access: payment method %s deleted from the portal by user %s",
            token_sudo.id,
            request.env.user.id,
        )
