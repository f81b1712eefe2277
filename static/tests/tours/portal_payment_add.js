import {registry} from "@web/core/registry";

// Started on /my/payment_method by a portal user with nothing saved yet and
// the demo provider enabled (tests/test_portal_payment.py).
registry.category("web_tour.tours").add("portal_access_payment_add", {
    url: "/my/payment_method",
    steps: () => [
        {
            content: "The page says saved details cannot be edited",
            trigger: ".o_portal_access_payment_edit_note",
        },
        {
            content: "Choose the demo payment method",
            trigger:
                "input[name='o_payment_radio'][data-payment-option-type='payment_method']",
            run: "click",
        },
        {
            content: "Enter the (test) card details",
            trigger:
                "[name='o_payment_inline_form']:not(.d-none) input[name='customer_input']",
            run: "edit 4242",
        },
        {
            content: "Save",
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content:
                "Back on the payment methods page, the new method is listed as ours",
            trigger:
                "#o_payment_form li[name='o_payment_option']:has(button[name='o_payment_delete_token']):contains(4242)",
        },
    ],
});
