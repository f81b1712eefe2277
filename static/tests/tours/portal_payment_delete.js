import {registry} from "@web/core/registry";

// Started on /my/payment_method by a portal user who saved one demo card
// ending in 4242 (tests/test_portal_payment.py).
registry.category("web_tour.tours").add("portal_access_payment_delete", {
    url: "/my/payment_method",
    steps: () => [
        {
            content: "Click the trash icon of the saved card",
            trigger:
                "#o_payment_form li[name='o_payment_option']:contains(4242) button[name='o_payment_delete_token']",
            run: "click",
        },
        {
            content: "Confirm the deletion in the dialog",
            trigger: ".modal-footer button:contains(Confirm Deletion)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The card is no longer listed",
            trigger:
                "body:has(.o_portal_access_payment_edit_note):not(:has(button[name='o_payment_delete_token']))",
        },
    ],
});
