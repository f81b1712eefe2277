"""Shared fixtures of the account pages tests (details, addresses, payment
methods): two customer companies with portal users, and helpers that read
forms the way a browser does.
"""

from lxml import html

from odoo.tests import HttpCase, new_test_user

PASSWORD = "portal-access-test"


class PortalAccountCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.nl = env.ref("base.nl")
        cls.us = env.ref("base.us")
        cls.texas = env.ref("base.state_us_44")
        Partner = env["res.partner"]
        cls.polder = Partner.create(
            {
                "name": "Polder Trading B.V.",
                "is_company": True,
                "street": "Damrak 1",
                "zip": "1012 LG",
                "city": "Amsterdam",
                "country_id": cls.nl.id,
                "email": "info@polder.example.com",
                "phone": "+31 20 000 0000",
            }
        )
        cls.anne = cls._new_portal_user(
            "anne@polder.example.com", "Anne Polder", cls.polder
        )
        cls.bart = cls._new_portal_user(
            "bart@polder.example.com", "Bart Polder", cls.polder
        )
        cls.dijk = Partner.create(
            {
                "name": "Dijk Logistics B.V.",
                "is_company": True,
                "street": "Coolsingel 2",
                "zip": "3011 AD",
                "city": "Rotterdam",
                "country_id": cls.nl.id,
                "email": "info@dijk.example.com",
            }
        )
        cls.carl = cls._new_portal_user("carl@dijk.example.com", "Carl Dijk", cls.dijk)

    @classmethod
    def _new_portal_user(cls, login, name, company_partner):
        user = new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            name=name,
            password=PASSWORD,
        )
        user.partner_id.write(
            {
                "parent_id": company_partner.id,
                "type": "contact",
                "phone": "+31 6 1234 5678",
            }
        )
        return user

    def _login(self, user):
        self.authenticate(user.login, PASSWORD)

    def _get_page(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, url)
        return response

    @staticmethod
    def _tree(response):
        return html.fromstring(response.content)

    @classmethod
    def _form_values(cls, form):
        """What a browser submits for ``form``: its inputs, selects and
        textareas with their current values (no ``<noscript>`` content,
        as when JavaScript runs).
        """
        values = {}
        for element in form.xpath(
            ".//input[@name][not(ancestor::noscript)] | .//select[@name] | "
            ".//textarea[@name]"
        ):
            name = element.get("name")
            if element.tag == "select":
                selected = element.xpath(".//option[@selected]")
                values[name] = selected[0].get("value", "") if selected else ""
            elif element.get("type") in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    values[name] = element.get("value", "on")
            else:
                values[name] = element.get("value", "")
        return values

    def _post(self, url, data, **kwargs):
        return self.url_open(
            url, data=data, allow_redirects=False, method="POST", **kwargs
        )

    def _messages_on_page(self, response):
        return [
            " ".join(node.text_content().split())
            for node in self._tree(response).xpath("//div[@id='errors']//h5")
        ]

    def _snapshot(self, partner, fields=None):
        fields = fields or [
            "name",
            "email",
            "phone",
            "street",
            "street2",
            "city",
            "zip",
            "state_id",
            "country_id",
            "vat",
        ]
        partner.invalidate_recordset()
        return partner.read(fields)[0]
