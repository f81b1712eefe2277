import {markup} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {_t} from "@web/core/l10n/translation";
import {user} from "@web/core/user";
import {Interaction} from "@web/public/interaction";
import {handleCheckIdentity} from "@portal/interactions/portal_security";
import {InputConfirmationDialog} from "@portal/js/components/input_confirmation_dialog/input_confirmation_dialog";

/**
 * The 2FA buttons of /my/security are plain forms leading to server-rendered
 * pages (they work without JavaScript). With JavaScript, they keep the dialog
 * flow of core's auth_totp_portal: core's password dialog, then the setup page
 * of this module shown in a dialog, whose form is submitted as on the page.
 * These replace core's interactions registered under the same names.
 */
export class PortalAccessTotpEnable extends Interaction {
    static selector = "#auth_totp_portal_enable";
    dynamicContent = {
        _root: {"t-on-click.prevent": this.onClick},
    };

    async onClick() {
        await this.waitFor(
            handleCheckIdentity(
                this.waitFor(
                    this.services.orm.call(
                        "res.users",
                        "portal_access_action_check_identity",
                        [user.userId]
                    )
                ),
                this.services.orm,
                this.services.dialog
            )
        );
        const response = await this.waitFor(fetch("/my/security/2fa/enable"));
        const html = await this.waitFor(response.text());
        const form = new DOMParser()
            .parseFromString(html, "text/html")
            .querySelector("form.o_portal_access_totp_setup");
        if (!form) {
            // Not the QR page (2FA already on, password needed again...): the
            // page flow handles it.
            window.location.assign("/my/security/2fa/enable");
            return;
        }
        // Compact, as core's dialog: the key shows on "Cannot scan it?".
        form.querySelector("details.o_portal_access_totp_secret")?.removeAttribute(
            "open"
        );
        this.services.dialog.add(InputConfirmationDialog, {
            title: _t("Enable two-factor authentication"),
            body: markup(form.outerHTML),
            confirmLabel: _t("Activate"),
            confirm: ({inputEl}) => {
                if (!inputEl.reportValidity()) {
                    inputEl.classList.add("is-invalid");
                    return false;
                }
                // A real form post: the answer is the security page with the
                // recovery codes, or the setup page with the error.
                inputEl.form.submit();
                return new Promise(() => {});
            },
            cancel: () => {},
        });
    }
}

export class PortalAccessTotpDisable extends Interaction {
    static selector = "#auth_totp_portal_disable";
    dynamicContent = {
        _root: {"t-on-click.prevent": this.onClick},
    };

    async onClick() {
        await this.waitFor(
            handleCheckIdentity(
                this.waitFor(
                    this.services.orm.call(
                        "res.users",
                        "portal_access_action_totp_disable",
                        [user.userId]
                    )
                ),
                this.services.orm,
                this.services.dialog
            )
        );
        window.location.assign("/my/security?security_notice=totp_disabled");
    }
}

registry
    .category("public.interactions")
    .add("auth_totp_portal.totp_enable", PortalAccessTotpEnable, {force: true})
    .add("auth_totp_portal.totp_disable", PortalAccessTotpDisable, {force: true});
