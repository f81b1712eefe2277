# Copyright 2026 portal_access contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Portal Access",
    "summary": "Grant, revoke and secure customer portal access in bulk, "
    "with self-service 2FA, recovery codes, login and payment management",
    "version": "19.0.1.0.0",
    "category": "Website/Website",
    "license": "LGPL-3",
    "author": "portal_access contributors",
    "website": "https://github.com/portal-access/portal_access",
    "maintainers": ["portal-access"],
    "development_status": "Beta",
    "depends": [
        "contacts",
        "portal",
        "auth_totp_portal",
        "payment",
    ],
    "external_dependencies": {"python": ["pyotp", "qrcode"]},
    "data": [
        # Security
        "security/ir.model.access.csv",
        "security/portal_access_security.xml",
        # Data
        "data/mail_template_invitation.xml",
        "data/mail_template_login.xml",
        "data/mail_template_payment.xml",
        "data/mail_template_security.xml",
        # QWeb templates
        "views/portal_login_templates.xml",
        "views/portal_templates.xml",
        "views/payment_templates.xml",
        "views/portal_security_templates.xml",
        # Backend views
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        # Wizard views
        "wizards/portal_wizard_views.xml",
        "wizards/portal_login_change_views.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "portal_access/static/src/interactions/portal_security_*.js",
            "portal_access/static/src/scss/portal_security.scss",
        ],
        "web.assets_tests": [
            "portal_access/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/portal_access_demo.xml",
    ],
    "installable": True,
    "application": False,
}
