from odoo import models
from odoo.exceptions import AccessDenied
from odoo.http import request

# Pages a portal user may still open while the "2FA required" policy holds
# them: the setup itself (see controllers/portal_security.py).
PORTAL_ACCESS_TOTP_SETUP_ROUTES = frozenset(
    {"/my/security/2fa/enable", "/my/security/2fa/enable/confirm"}
)


# Public routes that the "2FA required" policy holds for signed-in users too:
# the portal's documents and chatter, Discuss's routes (inbox, messages,
# attachments), the payment routes (pay with a saved card) and the bus's
# notifications, which all act as the signed-in user.
PORTAL_ACCESS_TOTP_HELD_PREFIXES = (
    "/my/",
    "/portal/",
    "/mail/",
    "/discuss/",
    "/payment/",
    "/websocket/",
    "/bus/",
)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls, endpoint):
        redirect = cls._portal_access_totp_policy_redirect(endpoint)
        if redirect is not None:
            return redirect
        return super()._dispatch(endpoint)

    @classmethod
    def _portal_access_totp_policy_redirect(cls, endpoint):
        """Keep a portal user who must turn on 2FA on the setup pages: every
        other page for signed-in users (``auth='user'``: the ``/my`` pages,
        but also the RPC endpoints such as ``/web/dataset/call_kw`` and the
        payment routes), and the public routes of portal documents and
        chatter, redirects there or, for JSON routes, is refused. Other
        public pages stay public; password RPC is refused as well (see
        ``res.users._rpc_api_keys_only``).

        :return: a redirect response, or None to serve the request
        """
        if not request.session.uid:
            return None
        routes = endpoint.routing.get("routes") or ()
        # Documents under /my (an invoice, an order) and the portal's chatter
        # routes are public routes (a link with an access token opens them),
        # but for a signed-in user they are the portal too. Told from the
        # routes, not the requested path, which may start with a language
        # (/nl/my/...).
        auth = endpoint.routing.get("auth")
        # Bearer routes (/json/2/...) fall back to the session when a browser
        # sends them without an API key: the ORM as the signed-in user.
        session_bearer = auth == "bearer" and not request.httprequest.headers.get(
            "Authorization"
        )
        if (
            auth != "user"
            and not session_bearer
            and not any(
                route.startswith(PORTAL_ACCESS_TOTP_HELD_PREFIXES) for route in routes
            )
        ):
            return None
        if PORTAL_ACCESS_TOTP_SETUP_ROUTES.intersection(routes):
            return None
        if not request.env.user._portal_access_totp_setup_required():
            return None
        if endpoint.routing.get("type") == "http":
            return request.redirect("/my/security/2fa/enable")
        raise AccessDenied(
            request.env._("Turn on two-factor authentication to use your account.")
        )
