import {registry} from "@web/core/registry";

// Matches the user created by tests/test_portal_security_tour.py.
const LOGIN = "tina.tour@example.com";
const PASSWORD = "Tour-pass-1";
const STORE = "portal_access_tour";

/**
 * The code an authenticator app shows for a base32 secret (RFC 6238, SHA-1,
 * 6 digits, 30 s), computed from what the page displays, as a phone would.
 */
async function totpCode(secret, offsetSteps = 0) {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const bytes = [];
    let bits = 0;
    let value = 0;
    for (const char of secret.replace(/\s/g, "").toUpperCase()) {
        value = (value << 5) | alphabet.indexOf(char);
        bits += 5;
        if (bits >= 8) {
            bytes.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    let counter = Math.floor(Date.now() / 30000) + offsetSteps;
    const message = new Uint8Array(8);
    for (let i = 7; i >= 0; i--) {
        message[i] = counter & 0xff;
        counter = Math.floor(counter / 256);
    }
    const key = await crypto.subtle.importKey(
        "raw",
        new Uint8Array(bytes),
        {name: "HMAC", hash: "SHA-1"},
        false,
        ["sign"]
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
    const offset = mac[mac.length - 1] & 0xf;
    const number =
        ((mac[offset] & 0x7f) << 24) |
        (mac[offset + 1] << 16) |
        (mac[offset + 2] << 8) |
        mac[offset + 3];
    return String(number % 1000000).padStart(6, "0");
}

function remember(values) {
    const stored = JSON.parse(window.localStorage.getItem(STORE) || "{}");
    window.localStorage.setItem(STORE, JSON.stringify({...stored, ...values}));
}

function recall(key) {
    return JSON.parse(window.localStorage.getItem(STORE) || "{}")[key];
}

function signIn() {
    return [
        {
            content: "Type the login",
            trigger: "input#login",
            run: `edit ${LOGIN}`,
        },
        {
            content: "Type the password",
            trigger: "input#password",
            run: `edit ${PASSWORD}`,
        },
        {
            content: "Log in",
            trigger: "button:contains(Log in)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Core's two-factor step asks for the code",
            trigger: "label:contains(Authentication Code)",
        },
    ];
}

function signOut() {
    return [
        {
            content: "Sign out",
            trigger: "body",
            run: () =>
                window.location.assign("/web/session/logout?redirect=/web/login"),
            expectUnloadPage: true,
        },
    ];
}

registry.category("web_tour.tours").add("portal_security_totp", {
    url: "/my/security",
    steps: () => [
        {
            content: "Start enabling two-factor authentication",
            trigger: "button#auth_totp_portal_enable",
            run: "click",
        },
        {
            content: "Core's password dialog",
            trigger: ".modal div:contains(enter your password)",
        },
        {
            content: "Type the password",
            trigger: ".modal input[name=password]",
            run: `edit ${PASSWORD}`,
        },
        {
            content: "Confirm it",
            trigger: ".modal-footer button:contains(Confirm Password)",
            run: "click",
        },
        {
            content: "The QR code is shown",
            trigger:
                ".modal form.o_portal_access_totp_setup svg.o_portal_access_totp_qrcode",
        },
        {
            content: "Show the key for people who cannot scan",
            trigger: ".modal a:contains(Cannot scan it?)",
            run: "click",
        },
        {
            content: "Read the key and type the code an app would show",
            trigger: ".modal span[name=secret]",
            async run(helpers) {
                const secret = this.anchor.textContent.trim();
                remember({secret});
                await helpers.edit(await totpCode(secret), ".modal input[name=code]");
            },
        },
        {
            content: "Activate",
            trigger: ".modal-footer button:contains(Activate)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Ten recovery codes, shown once",
            trigger:
                ".o_portal_access_recovery_codes_panel .o_portal_access_recovery_code",
            run() {
                const codes = [
                    ...document.querySelectorAll(".o_portal_access_recovery_code"),
                ];
                if (codes.length !== 10) {
                    throw new Error(`Expected 10 recovery codes, got ${codes.length}`);
                }
                if (
                    !document.querySelector(
                        "a.o_portal_access_recovery_codes_download[download]"
                    )
                ) {
                    throw new Error("No download link for the recovery codes");
                }
                remember({recoveryCode: codes[3].textContent.trim()});
            },
        },
        {
            content: "2FA is on",
            trigger: "button#auth_totp_portal_disable",
        },
        ...signOut(),
        ...signIn(),
        {
            content: "Type the next code of the app (the one used to enable is spent)",
            trigger: "input[name=totp_token]",
            async run(helpers) {
                await helpers.edit(await totpCode(recall("secret"), 1));
            },
        },
        {
            content: "Log in with the code",
            trigger: "button:contains(Log in)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Signed in",
            trigger: "h3:contains(My account)",
        },
        ...signOut(),
        ...signIn(),
        {
            content: "Lost the phone: use a recovery code",
            trigger: "summary:contains(Use a recovery code)",
            run: "click",
        },
        {
            content: "Type a recovery code",
            trigger: "input#o_portal_access_recovery_code",
            async run(helpers) {
                await helpers.edit(recall("recoveryCode"));
            },
        },
        {
            content: "Sign in with it",
            trigger: "button:contains(Sign in with a recovery code)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Signed in",
            trigger: "h3:contains(My account)",
        },
        {
            content: "Open the security page",
            trigger: "body",
            run: () => window.location.assign("/my/security"),
            expectUnloadPage: true,
        },
        {
            content: "Nine recovery codes left",
            trigger: ".o_portal_access_recovery_count:contains(9)",
            run: () => window.localStorage.removeItem(STORE),
        },
    ],
});
