from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from odoo.addons.auth_totp.controllers import home

from ..models.res_users import PORTAL_ACCESS_PRE_LOGIN_KEY


class Home(home.Home):
    @http.route()
    def web_totp(self, redirect=None, **kwargs):
        """Core's login 2FA step, which also takes a recovery code instead of
        the 6-digit code."""
        if not request.session.uid and request.session.get("pre_uid"):
            pre_user = request.env["res.users"].browse(request.session["pre_uid"])
            if not pre_user._portal_access_pre_login_is_valid(
                request.session.get(PORTAL_ACCESS_PRE_LOGIN_KEY)
            ):
                # Revoked, or the password or login changed since the
                # password step: that step must be done again.
                request.session.logout(keep_db=True)
                return request.redirect("/web/login")
        token = kwargs.get("totp_token")
        if (
            request.httprequest.method == "POST"
            and token
            and not request.session.uid
            and request.session.get("pre_uid")
            and request.env["portal_access.recovery.code"]._looks_like_recovery_code(
                token
            )
        ):
            return self._portal_access_login_with_recovery_code(
                token, redirect=redirect
            )
        user_agent = request.httprequest.user_agent
        if kwargs.get("remember") and not (user_agent.browser and user_agent.platform):
            # Core names the trusted browser after the browser and platform of
            # the user agent and fails (500) when it tells neither, as scripts
            # do: such a client is signed in but not remembered.
            kwargs.pop("remember")
        return super().web_totp(redirect=redirect, **kwargs)

    def _portal_access_login_with_recovery_code(self, token, redirect=None):
        user = request.env["res.users"].browse(request.session["pre_uid"])
        try:
            # As core does for the 6-digit code: login cooldown, then the
            # check (which spends core's per-user "code_check" budget).
            with user._assert_can_auth(user=user.id):
                user._check_credentials(
                    {"type": "portal_access_recovery_code", "token": token},
                    {"interactive": True},
                )
        except AccessDenied as e:
            # Core renders its form again when the POST carries no code.
            response = super().web_totp(redirect=redirect)
            if getattr(response, "is_qweb", False):
                response.qcontext["error"] = e.args[0] if e.args else None
                response.qcontext["portal_access_recovery_attempt"] = True
            return response
        # Same as core's success path; a recovery code does not offer to trust
        # the browser (it is the way in for someone who lost their phone).
        request.session.finalize(request.env)
        request.update_env(user=request.session.uid)
        request.update_context(**request.session.context)
        response = request.redirect(
            self._login_redirect(request.session.uid, redirect=redirect)
        )
        request.session.touch()
        return response

    def _login_redirect(self, uid, redirect=None):
        url = super()._login_redirect(uid, redirect=redirect)
        if request.session.uid:
            # The login page (public) set the ``frontend_lang`` cookie to the
            # visitor's language, which the portal pages then prefer to the
            # user's own: after signing in, the portal speaks the language
            # of the person's contact.
            lang = request.env(user=uid).user.lang
            if lang and lang in request.env["res.lang"]._get_frontend():
                request.future_response.set_cookie("frontend_lang", lang)
        # Policy "2FA required": a signed-in portal user without 2FA goes to
        # the setup first (ir.http keeps them there for every /my page).
        if (
            request.session.uid
            and request.env(user=uid)["res.users"]
            .browse(uid)
            ._portal_access_totp_setup_required()
        ):
            return "/my/security/2fa/enable"
        return url
