import {registry} from "@web/core/registry";

// Back office: from a company's form, open the portal access popup through the
// "Portal Users" smart button, grant everybody, then revoke everybody.
registry.category("web_tour.tours").add("portal_access_wizard_tour", {
    steps: () => [
        {
            content: "Open the portal access popup from the company's smart button",
            trigger: "button[name='action_portal_access_open_wizard']",
            run: "click",
        },
        {
            content: "The popup lists the company's contacts",
            trigger:
                ".modal .o_portal_wizard_user_one2many .o_data_row:contains(Tina Tour)",
        },
        {
            content: "Grant all",
            trigger: ".modal button[name='action_grant_all']",
            run: "click",
        },
        {
            content: "The summary counts the grants and names the skipped contact",
            trigger:
                ".modal .alert:contains(Granted: 2):contains(Nick No-Email: no email address)",
        },
        {
            content: "Each granted line now offers Revoke Access",
            trigger:
                ".modal .o_data_row:contains(Tina Tour) button[name='action_revoke_access']",
        },
        {
            content: "Revoke all",
            trigger: ".modal button[name='action_revoke_all']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary:contains(Ok)",
            run: "click",
        },
        {
            content: "The summary counts the revocations",
            trigger: ".modal .alert:contains(Revoked: 2)",
        },
        {
            content: "Each revoked line offers Grant Access again",
            trigger:
                ".modal .o_data_row:contains(Tina Tour) button[name='action_grant_access']",
        },
        {
            content: "Close the popup",
            trigger: ".modal-footer button.btn-primary:contains(Close)",
            run: "click",
        },
        {
            content: "Back on the company",
            trigger: ".o_form_view:not(:has(.modal))",
        },
    ],
});
