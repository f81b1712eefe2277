import time
from urllib.parse import quote

from odoo import http
from odoo.exceptions import AccessDenied, UserError
from odoo.http import request

from odoo.addons.portal.controllers import portal

from ..models.res_users import PORTAL_ACCESS_MAX_PASSWORD_LENGTH

# Core's /my/security sends these; every page of the security flows does too.
SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}
# The secret being set up lives in the (server-side) session between the QR
# page and the code check, so a reload shows the same QR code.
PENDING_TOTP_KEY = "portal_access.totp_setup"
PENDING_TOTP_MAX_AGE = 30 * 60


class CustomerPortal(portal.CustomerPortal):
    # ------------------------------------------------------------------
    # /my/security
    # ------------------------------------------------------------------

    @http.route()
    def security(self, **post):
        if request.httprequest.method == "POST":
            # Core reads these keys without a default: a form post missing one
            # gets core's "empty password" message instead of a traceback.
            for key in ("old", "new1", "new2"):
                post[key] = post.get(key) or ""
        response = super().security(**post)
        if response.is_qweb:
            response.qcontext.update(
                self._portal_access_security_values(notice=post.get("security_notice"))
            )
        return response

    @http.route()
    def deactivate_account(self, validation=None, password=None, **post):
        user = request.env.user
        if validation == user.login:
            # Core checks the password itself, without any limit: go through
            # the portal's re-check first (login cooldown, per-user limit of
            # wrong passwords), then let core check it again and delete.
            wrong_password = request.env._(
                "The password is incorrect; your account was not deleted."
            )
            try:
                user._portal_access_confirm_identity(
                    password, wrong_password_message=wrong_password
                )
            except AccessDenied as error:
                message = error.args[0] if error.args else wrong_password
                return self._portal_access_render_security(
                    open_deactivate_modal=True,
                    errors={
                        "deactivate": "password"
                        if message == wrong_password
                        else {"other": message}
                    },
                )
        response = super().deactivate_account(validation or "", password or "", **post)
        if getattr(response, "is_qweb", False):
            response.qcontext.update(self._portal_access_security_values())
        return response

    def _update_password(self, old, new1, new2):
        """Core's password change plus the portal's policy: a minimum length
        (see ``res.users._portal_access_password_min_length``), a new password
        different from the current one, core's login cooldown on the current
        password, and every other session signed out on success."""
        env = request.env
        user = env.user
        if old and new1 and new1 == new2:
            min_length = user._portal_access_password_min_length()
            if len(new1) < min_length:
                return {
                    "errors": {
                        "password": {
                            "new1": env._(
                                "The new password is too short: use at least %(count)s "
                                "characters.",
                                count=min_length,
                            )
                        }
                    }
                }
            if len(new1) > PORTAL_ACCESS_MAX_PASSWORD_LENGTH:
                # Longer than the hash library takes: core's change failed with
                # a server error.
                return {
                    "errors": {
                        "password": {
                            "new1": env._(
                                "The new password is too long: use at most %(count)s "
                                "characters.",
                                count=PORTAL_ACCESS_MAX_PASSWORD_LENGTH,
                            )
                        }
                    }
                }
            if new1 == old:
                return {
                    "errors": {
                        "password": {
                            "new1": env._(
                                "The new password must be different from your current "
                                "password."
                            )
                        }
                    }
                }
            try:
                user._portal_access_confirm_identity(
                    old,
                    wrong_password_message=env._(
                        "The current password you entered is incorrect; your password "
                        "was not changed."
                    ),
                )
            except AccessDenied as e:
                return {"errors": {"password": {"old": e.args[0]}}}
        result = super()._update_password(old, new1, new2)
        if result.get("success"):
            ended = user._portal_access_end_sessions()
            user._portal_access_security_event(
                "password_changed", env._("Password changed from the portal.")
            )
            result["portal_access_sessions_ended"] = ended
        return result

    def _portal_access_security_values(self, notice=None):
        """Values the portal security page needs for this module's sections."""
        user = request.env.user
        return {
            "portal_access_min_password_length": (
                user._portal_access_password_min_length()
            ),
            "portal_access_devices": user._portal_access_devices(),
            "portal_access_recovery_code_count": (
                user._portal_access_recovery_code_count() if user.totp_enabled else 0
            ),
            "portal_access_totp_required": user._portal_access_totp_policy()
            == "required",
            "portal_access_notice": self._portal_access_notices().get(notice),
        }

    def _portal_access_notices(self):
        """Messages shown on /my/security after a redirect (``security_notice``
        parameter); a fixed list, so a link cannot make the page say anything
        else."""
        _ = request.env._
        return {
            "totp_disabled": _(
                "Two-factor authentication is off. Your recovery codes and trusted "
                "browsers no longer work."
            ),
            "sessions_ended": _("That device was signed out."),
            "sessions_ended_many": _("Those devices were signed out."),
            "no_session": _("That device is no longer signed in."),
            "trusted_devices_forgotten": _(
                "The selected browsers will ask for a two-factor code at the next "
                "sign-in."
            ),
            "no_trusted_device": _("That browser is no longer trusted."),
            "totp_already_enabled": _("Two-factor authentication is already on."),
            "totp_not_enabled": _("Two-factor authentication is off."),
        }

    def _portal_access_render_security(self, **values):
        """Render /my/security from a route of this module (a POST that must
        answer with the page, e.g. to show new recovery codes only once)."""
        rendering = self._prepare_portal_layout_values()
        rendering.update(
            get_error=portal.get_error,
            allow_api_keys=bool(
                request.env["ir.config_parameter"]
                .sudo()
                .get_param("portal.allow_api_keys")
            ),
            open_deactivate_modal=False,
        )
        rendering.update(self._portal_access_security_values())
        rendering.update(values)
        return request.render(
            "portal.portal_my_security", rendering, headers=SECURITY_HEADERS
        )

    def _portal_access_render(self, template, values):
        rendering = self._prepare_portal_layout_values()
        user = request.env.user
        rendering.update(
            identity_fresh=user._portal_access_identity_is_fresh(),
            totp_required=user._portal_access_totp_setup_required(),
        )
        rendering.update(values)
        return request.render(template, rendering, headers=SECURITY_HEADERS)

    def _portal_access_render_confirm(
        self,
        action,
        title,
        description,
        submit_label,
        error=None,
        hidden=None,
        danger=False,
    ):
        """The page asking to confirm a sensitive action, with the password
        when core's identity-check window is closed."""
        return self._portal_access_render(
            "portal_access.portal_my_security_confirm",
            {
                "title": title,
                "description": description,
                "action": action,
                "submit_label": submit_label,
                "error": error,
                "hidden": hidden or {},
                "danger": danger,
            },
        )

    def _portal_access_check_identity(self, password):
        """Open (or find open) core's identity-check window.

        :return: None when the identity is confirmed, else the message to show
        """
        user = request.env.user
        if user._portal_access_identity_is_fresh():
            return None
        if not password:
            return request.env._("Enter your password to confirm it is you.")
        try:
            user._portal_access_confirm_identity(password)
        except AccessDenied as e:
            return e.args[0]
        return None

    def _portal_access_recovery_codes_values(self, codes):
        user = request.env.user
        text = "\n".join(
            [
                request.env._(
                    "Recovery codes for %(login)s at %(company)s",
                    login=user.login,
                    company=user.company_id.name,
                ),
                request.env._(
                    "Each code signs you in once instead of the 6-digit code."
                ),
                "",
                *codes,
                "",
            ]
        )
        return {
            "portal_access_recovery_codes": codes,
            "portal_access_recovery_codes_href": "data:text/plain;charset=utf-8,"
            + quote(text),
            # The name the browser saves the file under.
            "portal_access_recovery_codes_filename": request.env._(
                "recovery-codes.txt"
            ),
        }

    # ------------------------------------------------------------------
    # Two-factor authentication: enable
    # ------------------------------------------------------------------

    @http.route(
        "/my/security/2fa/enable",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_access_totp_enable(self, password=None, **kwargs):
        """Step 1 (password, unless confirmed in the last 10 minutes), then
        step 2: the QR code page."""
        user = request.env.user
        if user.totp_enabled:
            return request.redirect("/my/security?security_notice=totp_already_enabled")
        error = None
        if request.httprequest.method == "POST":
            error = self._portal_access_check_identity(password)
        if error or not user._portal_access_identity_is_fresh():
            return self._portal_access_render_confirm(
                action="/my/security/2fa/enable",
                title=request.env._("Enable two-factor authentication"),
                description=request.env._(
                    "Two-factor authentication asks for a 6-digit code from an app on "
                    "your phone "
                    "each time you sign in, so that your password alone is not enough. "
                    "First confirm your password."
                ),
                submit_label=request.env._("Continue"),
                error=error,
            )
        return self._portal_access_render_totp_setup()

    def _portal_access_pending_secret(self, create=False):
        data = request.session.get(PENDING_TOTP_KEY) or {}
        if (
            data.get("uid") == request.env.uid
            and data.get("time", 0) > time.time() - PENDING_TOTP_MAX_AGE
        ):
            return data["secret"]
        if not create:
            return None
        secret = request.env.user._portal_access_totp_new_secret()
        request.session[PENDING_TOTP_KEY] = {
            "uid": request.env.uid,
            "secret": secret,
            "time": time.time(),
        }
        return secret

    def _portal_access_render_totp_setup(self, error=None):
        user = request.env.user
        secret = self._portal_access_pending_secret(create=True)
        return self._portal_access_render(
            "portal_access.portal_my_security_totp_setup",
            {
                "title": request.env._("Enable two-factor authentication"),
                "totp": user._portal_access_totp_provisioning(secret),
                "error": error,
            },
        )

    @http.route(
        "/my/security/2fa/enable/confirm",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_access_totp_enable_confirm(self, code=None, password=None, **kwargs):
        """Step 3: check the code, turn 2FA on, show the recovery codes once.

        The page showing the codes stays at this address: opened again (from
        the history, a bookmark), it leads back to the security page.
        """
        if request.httprequest.method != "POST":
            return request.redirect("/my/security")
        user = request.env.user
        if user.totp_enabled:
            return request.redirect("/my/security?security_notice=totp_already_enabled")
        secret = self._portal_access_pending_secret()
        if not secret:
            return self._portal_access_render_totp_setup(
                error=request.env._(
                    "This setup page expired. Scan the new QR code below (remove the "
                    "old entry from your app)."
                )
            )
        error = self._portal_access_check_identity(password)
        if error:
            return self._portal_access_render_totp_setup(error=error)
        try:
            codes = user._portal_access_totp_enable(secret, code)
        except UserError as e:
            return self._portal_access_render_totp_setup(error=e.args[0])
        request.session.pop(PENDING_TOTP_KEY, None)
        return self._portal_access_render_security(
            portal_access_totp_just_enabled=True,
            **self._portal_access_recovery_codes_values(codes),
        )

    # ------------------------------------------------------------------
    # Two-factor authentication: disable, recovery codes
    # ------------------------------------------------------------------

    @http.route(
        "/my/security/2fa/disable",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_access_totp_disable(self, password=None, **kwargs):
        user = request.env.user
        if not user.totp_enabled:
            return request.redirect("/my/security?security_notice=totp_not_enabled")

        def disable():
            user._portal_access_totp_disable()
            return request.redirect("/my/security?security_notice=totp_disabled")

        return self._portal_access_after_password(
            password,
            disable,
            action="/my/security/2fa/disable",
            title=request.env._("Disable two-factor authentication"),
            description=request.env._(
                "Without two-factor authentication, your password alone lets anyone "
                "sign in to your "
                "account. Your recovery codes and trusted browsers will stop working."
            ),
            submit_label=request.env._("Disable two-factor authentication"),
            danger=True,
        )

    @http.route(
        "/my/security/2fa/recovery-codes",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_access_recovery_codes(self, password=None, **kwargs):
        user = request.env.user
        if not user.totp_enabled:
            return request.redirect("/my/security?security_notice=totp_not_enabled")

        def regenerate():
            codes = user._portal_access_recovery_codes_regenerate()
            return self._portal_access_render_security(
                **self._portal_access_recovery_codes_values(codes)
            )

        return self._portal_access_after_password(
            password,
            regenerate,
            action="/my/security/2fa/recovery-codes",
            title=request.env._("Generate new recovery codes"),
            description=request.env._(
                "You get 10 new recovery codes; the codes you have now stop working."
            ),
            submit_label=request.env._("Generate new recovery codes"),
        )

    def _portal_access_after_password(self, password, perform, **confirm_values):
        """Pages that ask for the password, then act: on a POST with the
        right password, return ``perform()``; otherwise show the confirmation
        page (``confirm_values``, see ``_portal_access_render_confirm``) with
        the reason of the refusal, if any."""
        error = None
        if request.httprequest.method == "POST":
            error = self._portal_access_check_identity(password)
            if not error:
                return perform()
        return self._portal_access_render_confirm(error=error, **confirm_values)

    # ------------------------------------------------------------------
    # Devices
    # ------------------------------------------------------------------

    @http.route(
        "/my/security/devices/sign-out",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_access_sign_out_devices(
        self, device_id=None, scope=None, password=None, **kwargs
    ):
        """Sign out one device (``device_id``) or every other one
        (``scope=others``); never the current session."""
        user = request.env.user
        device_ids = (
            None if scope == "others" else self._portal_access_parse_ids(device_id)
        )
        if device_ids is not None and not device_ids:
            return request.redirect("/my/security?security_notice=no_session")
        error = self._portal_access_check_identity(password)
        if error:
            return self._portal_access_render_confirm(
                action="/my/security/devices/sign-out",
                title=request.env._("Sign out devices"),
                description=(
                    request.env._("Sign out every device except this one.")
                    if device_ids is None
                    else request.env._("Sign out the selected device.")
                ),
                submit_label=request.env._("Sign out"),
                error=error if password else None,
                hidden={"device_id": device_id or "", "scope": scope or ""},
            )
        ended = user._portal_access_end_sessions(device_ids)
        notice = (
            "no_session"
            if not ended
            else "sessions_ended"
            if ended == 1
            else "sessions_ended_many"
        )
        return request.redirect(f"/my/security?security_notice={notice}")

    @http.route(
        "/my/security/trusted-devices/forget",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_access_forget_trusted_devices(
        self, device_id=None, scope=None, password=None, **kwargs
    ):
        """Forget one trusted browser (``device_id``) or all (``scope=all``)."""
        user = request.env.user
        device_ids = (
            None if scope == "all" else self._portal_access_parse_ids(device_id)
        )
        if device_ids is not None and not device_ids:
            return request.redirect("/my/security?security_notice=no_trusted_device")
        error = self._portal_access_check_identity(password)
        if error:
            return self._portal_access_render_confirm(
                action="/my/security/trusted-devices/forget",
                title=request.env._("Forget trusted browsers"),
                description=(
                    request.env._(
                        "Every browser will ask for a two-factor code at the next "
                        "sign-in."
                    )
                    if device_ids is None
                    else request.env._(
                        "The selected browser will ask for a two-factor code at the "
                        "next sign-in."
                    )
                ),
                submit_label=request.env._("Forget"),
                error=error if password else None,
                hidden={"device_id": device_id or "", "scope": scope or ""},
            )
        forgotten = user._portal_access_forget_trusted_devices(device_ids)
        notice = "trusted_devices_forgotten" if forgotten else "no_trusted_device"
        return request.redirect(f"/my/security?security_notice={notice}")

    @staticmethod
    def _portal_access_parse_ids(value):
        """``"12"`` -> ``{12}``; anything else -> empty set."""
        try:
            number = int(value)
        except (TypeError, ValueError):
            return set()
        return {number} if number > 0 else set()
