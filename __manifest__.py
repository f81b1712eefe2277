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
        # Data
        "data/mail_template_security.xml",
        # QWeb templates
        "views/portal_security_templates.xml",
        # Backend views
        "views/res_config_settings_views.xml",
        # Wizard views
    ],
    "demo": [
        "demo/portal_access_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "portal_access/static/src/interactions/portal_security_*.js",
            "portal_access/static/src/scss/portal_security.scss",
        ],
        "web.assets_tests": [
            "portal_access/static/tests/tours/portal_security_*.js",
        ],
    },
    "installable": True,
    "application": False,
}
