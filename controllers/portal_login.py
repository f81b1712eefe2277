import logging
import re

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize

from odoo.addons.portal.controllers.portal import CustomerPortal

from .common import drop_reserved_keys

_logger = logging.getLogger(__name__)

# Control characters (tab and line breaks allowed).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Session keys of the one-time messages shown after a redirect.
_REQUEST_SENT_KEY = "portal_access_login_request_sent"
_EMAIL_CHANGED_KEY = "portal_access_login_unchanged_notice"


class PortalLogin(CustomerPortal):
    """The customer's login on /my/account: shown read-only, with a form to
    request a change (staff make the change), and a notice when the customer
    changes their email, which leaves the login as it is."""

    # ------------------------------------------------------------------
    # /my/account: show the login, request a change
    # ------------------------------------------------------------------

    def _prepare_my_account_rendering_values(self, *args, **kwargs):
        values = super()._prepare_my_account_rendering_values(*args, **kwargs)
        values.update(self._prepare_login_request_values())
        return values

    def _prepare_login_request_values(self, error=None, requested_login="", message=""):
        """Values of the login section of /my/account.

        :param str error: message of a refused request, shown on the form
        :param str requested_login: what the customer typed, kept on error
        :param str message: the customer's message, kept on error
        """
        user = request.env.user
        return {
            "portal_access_login": user.login,
            "portal_access_can_request_login": user._is_portal(),
            "portal_access_login_request_sent": request.session.pop(
                _REQUEST_SENT_KEY, False
            ),
            "portal_access_login_request_error": error,
            "portal_access_requested_login": requested_login,
            "portal_access_login_request_message": message,
        }

    @http.route(
        "/my/account/login/request",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_login_change_request(self, requested_login="", message="", **kwargs):
        """Ask staff to change the customer's login (CSRF checked by the route).

        Only the current user's own login can be asked for, and only the two
        form values are read. Success redirects to /my/account with a
        confirmation; a refusal shows /my/account again with the message and
        the customer's input.
        """
        # Bounded, so that an oversized post cannot be echoed back in full;
        # the model refuses what is still too long.
        requested_login = (requested_login or "")[:320]
        message = (message or "")[:4000]
        # env.user is already sudo'ed: the request creates notes, activities
        # and mails on the customer's own contact, which a portal user cannot
        # write; the model method checks everything before it writes.
        user_sudo = request.env.user
        try:
            # A refusal raised half-way (a mail that cannot be rendered...)
            # must leave neither a note nor a to-do behind.
            with request.env.cr.savepoint():
                user_sudo._portal_access_request_login_change(requested_login, message)
        except (UserError, ValidationError) as error:
            _logger.info(
                "portal_access: login change request of user #%s refused", user_sudo.id
            )
            values = self._prepare_my_account_rendering_values()
            values.update(
                self._prepare_login_request_values(
                    error=error.args[0],
                    # Typed back into the form without the control characters
                    # (NUL...) that may be why it was refused.
                    requested_login=_CONTROL_CHARS.sub("", requested_login),
                    message=_CONTROL_CHARS.sub("", message),
                )
            )
            response = request.render("portal.portal_my_details", values)
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
            response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
            return response
        request.session[_REQUEST_SENT_KEY] = True
        return request.redirect("/my/account#portal_access_login")

    # ------------------------------------------------------------------
    # Changing the email keeps the login: tell the customer after saving
    # ------------------------------------------------------------------

    def _create_or_update_address(self, partner_sudo, *args, **kwargs):
        user = request.env.user
        own_contact = (
            bool(partner_sudo)
            and not user._is_public()
            and partner_sudo == user.partner_id
        )
        old_email = own_contact and email_normalize(partner_sudo.email or "")
        partner_sudo, feedback = super()._create_or_update_address(
            partner_sudo, *args, **kwargs
        )
        new_email = own_contact and email_normalize(partner_sudo.email or "")
        # Nothing to tell when the new email is the login itself.
        if (
            own_contact
            and feedback.get("redirectUrl")
            and new_email != old_email
            and new_email != (user.login or "").lower()
        ):
            request.session[_EMAIL_CHANGED_KEY] = True
        return partner_sudo, feedback

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values.update(self._pop_login_unchanged_notice())
        return values

    @http.route()
    def my_addresses(self, **query_params):
        # The main address is edited from /my/addresses too, and this page
        # does not use _prepare_portal_layout_values.
        # Core passes the query string on to _prepare_address_data (see
        # drop_reserved_keys).
        response = super().my_addresses(**drop_reserved_keys(query_params))
        if getattr(response, "qcontext", None) is not None:
            response.qcontext.update(self._pop_login_unchanged_notice())
        return response

    def _pop_login_unchanged_notice(self):
        """Return the values that show, once, that the login did not change
        with the email."""
        if not request.session.get(_EMAIL_CHANGED_KEY):
            return {}
        request.session.pop(_EMAIL_CHANGED_KEY)
        return {"portal_access_login_notice": True}
