"""Hostile input against every route and wizard of the module.

A curious or hostile customer (and a careless or malicious staff member in
the popups) sends what a browser never would: HTML and scripts in names and
messages, 10,000-character values, NUL bytes, internationalised and oddly
typed email addresses, ids that are negative, not numbers, too large for
PostgreSQL or somebody else's, requests without or with a wrong CSRF token,
and the wrong HTTP method. Every case is a row of a table, sent through
Odoo's real HTTP stack (JSON-RPC for the back-office popups), and ends with
a clear message, a 400, 403, 404 or 405, never a server error; unless the
case says the input is legitimate, nothing changes in the database (counts
and last write of contacts, users, payment methods, mails, messages,
activities, recovery codes, trusted browsers and signed-in devices).

The routes and wizards covered (read from controllers/*.py and wizards/*.py):

* ``/my/account`` (details form), ``/my/account/login/request``;
* ``/my/address``, ``/my/address/submit``, ``/my/address/<id>/archive``,
  ``/my/address/archive`` (JSON), ``/my/addresses``, ``/my/counters``;
* ``/my/payment_method``, ``/my/payment_method/<id>/delete``,
  ``/payment/archive_token`` (JSON);
* ``/my/security``, ``/my/deactivate_account``, ``/my/security/2fa/enable``,
  ``/my/security/2fa/enable/confirm``, ``/my/security/2fa/disable``,
  ``/my/security/2fa/recovery-codes``, ``/my/security/devices/sign-out``,
  ``/my/security/trusted-devices/forget``;
* ``/web/login/totp`` (6-digit and recovery codes);
* the popups ``portal.wizard`` / ``portal.wizard.user`` (open, grant,
  re-invite, welcome message) and ``portal.login.change``.
"""

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pyotp
from lxml import html

from odoo import http
from odoo.tests import new_test_user, tagged

from .test_portal_payment import PaymentAccountCase

_logger = logging.getLogger(__name__)

PASSWORD = "portal-access-test"  # the password of common_account's users
STAFF_PASSWORD = "Staff-pass-2026"
CSRF = "<the session's CSRF token>"  # placeholder in the tables
WRONG_CSRF = "0123456789abcdef0123456789abcdef01234567o9999999999"
HUGE = "99999999999999999999"
# A digit for str.isdigit(), not for int(): "²".isdigit() is True.
SUPERSCRIPT_TWO = "\u00b2"
XSS_SCRIPT = '<script>alert("pa-xss")</script>'
XSS_IMG = '<img src=x onerror=alert("pa-xss")>'
LONG = "x" * 10000

# Loggers whose ERROR records mean a traceback (a request that failed).
TRACEBACK_LOGGERS = ("odoo.http", "odoo.sql_db")

# What "nothing changed" compares, straight from the tables (archived rows
# included), after flushing the ORM.
SNAPSHOT_QUERIES = {
    "contacts": "SELECT count(*), max(write_date) FROM res_partner",
    "users": "SELECT count(*), max(write_date) FROM res_users",
    "payment methods": "SELECT count(*), count(*) FILTER (WHERE active), "
    "max(write_date) FROM payment_token",
    "mails": "SELECT count(*) FROM mail_mail",
    "messages": "SELECT count(*) FROM mail_message",
    "activities": "SELECT count(*) FROM mail_activity",
    "recovery codes": "SELECT count(*), count(used_date) "
    "FROM portal_access_recovery_code",
    "trusted browsers": "SELECT count(*) FROM auth_totp_device",
    "signed-out devices": "SELECT count(*) FROM res_device_log WHERE revoked",
}


def case(label, url, **spec):
    """One row of a table.

    :param str url: may hold ``{name}`` fields filled from ``self.refs``
    :keyword str method: GET (default), POST (form), JSON (JSON-RPC route)
        or CALL (``/web/dataset/call_kw``: ``model``, ``call``, ``args``,
        ``kwargs``, ``context``)
    :keyword dict data: form values; ``CSRF`` is replaced by the real token,
        callables are called with the test case
    :keyword str user: ``anne`` (default), ``carl``, ``staff``,
        ``erik_totp_step`` (password typed, at the 2FA step) or None (public)
    :keyword int status: expected HTTP status (default 200)
    :keyword str location: expected (part of the) redirect target
    :keyword texts: messages the page must show (whitespace normalised)
    :keyword str error: expected JSON-RPC error (exception name, tail)
    :keyword str error_text: part of the JSON-RPC error message
    :keyword callable prepare: run before the snapshot (test case)
    :keyword callable check: extra assertions (test case, response)
    :keyword bool changes: the input is legitimate and changes data (the
        check asserts what changed)
    """
    return {"label": label, "url": url, **spec}


@tagged("post_install", "-at_install")
class TestSecurityHostileInput(PaymentAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.results = []
        cls.anne_address = Partner.create(
            {
                "name": "Polder Warehouse",
                "parent_id": cls.polder.id,
                "type": "delivery",
                "street": "Havenweg 5",
                "city": "Zaandam",
                "zip": "1505 HZ",
                "country_id": cls.nl.id,
            }
        )
        cls.carl_address = Partner.create(
            {
                "name": "Dijk Depot",
                "parent_id": cls.dijk.id,
                "type": "delivery",
                "street": "Maasboulevard 9",
                "city": "Rotterdam",
                "zip": "3011 TX",
                "country_id": cls.nl.id,
            }
        )
        # A colleague of Anne whose name is a script: it shows in the refusal
        # to delete the card they saved for the company.
        cls.dora = cls._new_portal_user("dora@polder.example.com", XSS_IMG, cls.polder)
        Token = env["payment.token"]

        def token(partner, digits):
            return Token.create(
                {
                    "provider_id": cls.provider.id,
                    "payment_method_id": cls.demo_method.id,
                    "partner_id": partner.id,
                    "payment_details": digits,
                    "provider_ref": f"pa-hostile-{digits}",
                }
            )

        cls.anne_token = token(cls.anne.partner_id, "1111")
        cls.dora_token = token(cls.dora.partner_id, "2222")
        cls.carl_token = token(cls.carl.partner_id, "3333")
        # Carl is signed in somewhere and trusts a browser for 2FA.
        cls.carl_device_log = (
            env["res.device.log"]
            .sudo()
            .create(
                {
                    "user_id": cls.carl.id,
                    "session_identifier": "c" * 42,
                    "platform": "linux",
                    "browser": "firefox",
                    "ip_address": "192.0.2.7",
                    "first_activity": datetime.now(),
                    "last_activity": datetime.now(),
                }
            )
        )
        cls.carl_device = (
            env["res.device"].sudo().search([("user_id", "=", cls.carl.id)])
        )
        env["auth_totp.device"].with_user(cls.carl).sudo()._generate(
            "browser", "Carl's laptop", datetime.now() + timedelta(days=30)
        )
        cls.carl_trusted = (
            env["auth_totp.device"].sudo().search([("user_id", "=", cls.carl.id)])
        )
        # Erik has 2FA on, with recovery codes; Carl too (his codes are the
        # "other customer's" ones).
        cls.erik = cls._new_portal_user("erik@polder.example.com", "Erik", cls.polder)
        cls.erik_secret = pyotp.random_base32()
        cls.erik.sudo().totp_secret = cls.erik_secret
        Codes = env["portal_access.recovery.code"]
        Codes._generate_for(cls.erik)
        cls.carl.sudo().totp_secret = pyotp.random_base32()
        cls.carl_codes = Codes._generate_for(cls.carl)
        # Staff: manage portal access (popup) and portal logins.
        cls.staff = new_test_user(
            env,
            login="pa_hostile_staff",
            name="Stan Staff",
            email="stan.staff@example.com",
            password=STAFF_PASSWORD,
            groups="base.group_user,base.group_partner_manager,base.group_erp_manager",
        )
        # Tom has no user yet (the popup's cases).
        cls.tom = Partner.create(
            {
                "name": "Tom Dijk",
                "email": "tom@dijk.example.com",
                "parent_id": cls.dijk.id,
            }
        )
        cls.refs = {
            "anne_address": cls.anne_address.id,
            "carl_address": cls.carl_address.id,
            "carl_company": cls.dijk.id,
            "anne_partner": cls.anne.partner_id.id,
            "anne_token": cls.anne_token.id,
            "dora_token": cls.dora_token.id,
            "carl_token": cls.carl_token.id,
            "carl_device": cls.carl_device.id,
            "carl_trusted": cls.carl_trusted.id,
            "carl_user": cls.carl.id,
            "tom": cls.tom.id,
            "huge": HUGE,
        }

    @classmethod
    def tearDownClass(cls):
        if cls.results:
            width = max(len(label) for label, _outcome in cls.results)
            _logger.info(
                "hostile input: %s cases tried, none answered with a server error:\n%s",
                len(cls.results),
                "\n".join(
                    f"  {label.ljust(width)}  ->  {outcome}"
                    for label, outcome in cls.results
                ),
            )
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # Core's login cooldown counts failures per address across tests.
        failures = getattr(self.env.registry, "_login_failures", None)
        if failures is not None:
            failures.clear()

    # ------------------------------------------------------------------
    # The machinery of a table
    # ------------------------------------------------------------------

    def run_cases(self, cases):
        for spec in cases:
            with self.subTest(case=spec["label"]):
                self.run_case(spec)

    def run_case(self, spec):
        self.sign_in(spec.get("user", "anne"))
        if spec.get("prepare"):
            spec["prepare"](self)
        url = spec["url"].format(**self.refs)
        before = self.snapshot()
        with self.capture_tracebacks() as records:
            response = self.send(spec, url)
        errors = [record.getMessage() for record in records]
        self.assertFalse(errors, f"server error logged: {errors}")
        self.assertNotEqual(response.status_code, 500, response.text[:500])
        status = spec.get("status", 200)
        self.assertEqual(response.status_code, status, response.text[:300])
        outcome = str(status)
        if spec.get("location") is not None:
            self.assertIn(spec["location"], response.headers.get("Location", ""))
            outcome += f" to {spec['location']}"
        if spec.get("method") in ("JSON", "CALL"):
            outcome = self.check_json(spec, response)
        if spec.get("texts"):
            text = self.page_text(response)
            for expected in spec["texts"]:
                self.assertIn(expected, text)
            outcome += f": “{spec['texts'][0]}”"
        self.assertNotIn("\x00", response.text, "a NUL byte was sent back")
        if spec.get("check"):
            spec["check"](self, response)
        if spec.get("changes"):
            outcome += " (legitimate input: change checked)"
        else:
            self.assertEqual(self.snapshot(), before, "nothing may change")
        self.results.append((spec["label"], outcome))

    def check_json(self, spec, response):
        payload = response.json()
        if "error" in spec:
            self.assertIn("error", payload, payload)
            data = payload["error"]["data"]
            self.assertTrue(data["name"].endswith(spec["error"]), data["name"])
            if spec.get("error_text"):
                self.assertIn(spec["error_text"], data["message"])
            return f"JSON-RPC error {spec['error']}: “{data['message'][:70]}”"
        self.assertNotIn("error", payload, payload)
        return f"JSON-RPC result {str(payload.get('result'))[:60]}"

    def sign_in(self, who):
        if who is None:
            self.authenticate(None, None)
        elif who == "erik_totp_step":
            self.authenticate(None, None)
            page = self.url_open("/web/login")
            form = html.fromstring(page.content).xpath("//form[@action='/web/login']")[
                0
            ]
            values = {
                node.get("name"): node.get("value") or ""
                for node in form.xpath(".//input[@name]")
            }
            values.update(login=self.erik.login, password=PASSWORD)
            response = self.url_open("/web/login", data=values)
            self.assertEqual(urlsplit(response.url).path, "/web/login/totp")
        elif who == "staff":
            self.authenticate(self.staff.login, STAFF_PASSWORD)
        else:
            self.authenticate(getattr(self, who).login, PASSWORD)

    def send(self, spec, url):
        method = spec.get("method", "GET")
        if method == "CALL":
            return self.url_open(
                f"/web/dataset/call_kw/{spec['model']}/{spec['call']}",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 0,
                    "params": {
                        "model": spec["model"],
                        "method": spec["call"],
                        "args": self.resolve(spec.get("args", [])),
                        "kwargs": {
                            **self.resolve(spec.get("kwargs", {})),
                            "context": self.resolve(spec.get("context", {})),
                        },
                    },
                },
                timeout=30,
            )
        if method == "JSON":
            return self.url_open(
                url,
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 0,
                    "params": self.resolve(spec.get("data", {})),
                },
                timeout=30,
            )
        data = None
        if method == "POST":
            data = {
                key: (http.Request.csrf_token(self) if value == CSRF else value)
                for key, value in self.resolve(spec.get("data", {})).items()
            }
        return self.url_open(
            url,
            data=data,
            method=method if method in ("GET", "POST") else None,
            allow_redirects=False,
            timeout=30,
        )

    def resolve(self, value):
        """Fill the placeholders of a table value: callables, ``{ref}``."""
        if callable(value):
            return value(self)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            ref = self.refs.get(value[1:-1])
            return ref if ref is not None else value
        return value

    def snapshot(self):
        self.env.flush_all()
        snapshot = {}
        for name, query in SNAPSHOT_QUERIES.items():
            self.env.cr.execute(query)
            snapshot[name] = self.env.cr.fetchone()
        return snapshot

    @contextmanager
    def capture_tracebacks(self):
        """Collect the ERROR records of the request (a traceback is logged at
        ERROR by odoo.http); the expected warnings (missing CSRF token,
        refused JSON-RPC calls) stay out of the test log."""
        records = []

        class Collector(logging.Handler):
            def emit(self, record):
                if record.levelno >= logging.ERROR:
                    records.append(record)

        handler = Collector(logging.DEBUG)
        loggers = [logging.getLogger(name) for name in TRACEBACK_LOGGERS]
        propagate = [logger.propagate for logger in loggers]
        for logger in loggers:
            logger.addHandler(handler)
            logger.propagate = False
        try:
            yield records
        finally:
            for logger, value in zip(loggers, propagate, strict=True):
                logger.removeHandler(handler)
                logger.propagate = value

    @staticmethod
    def page_text(response):
        if not response.content.strip():
            return ""
        return " ".join(html.fromstring(response.content).text_content().split())

    # -- checks shared by several rows -----------------------------------

    def assert_no_markup(self, response):
        """The page shows hostile text as text: no element was made of it."""
        tree = html.fromstring(response.content)
        self.assertFalse(tree.xpath("//script[contains(., 'pa-xss')]"))
        self.assertFalse(tree.xpath("//img[@onerror]"))
        self.assertFalse(tree.xpath("//*[contains(@onerror, 'pa-xss')]"))

    def assert_local_discard_link(self, response):
        tree = html.fromstring(response.content)
        links = tree.xpath("//a[contains(., 'Discard')]/@href")
        self.assertTrue(links, "the form has its Discard link")
        for link in links:
            self.assertTrue(link.startswith("/") and not link.startswith("//"), link)
        for value in tree.xpath("//input[@name='callback']/@value"):
            self.assertTrue(value.startswith("/") and not value.startswith("//"))

    def start_totp_setup(self):
        """Anne confirms her password and gets the QR page (the secret waits
        in her session)."""
        response = self.url_open(
            "/my/security/2fa/enable",
            data={"csrf_token": http.Request.csrf_token(self), "password": PASSWORD},
        )
        tree = html.fromstring(response.content)
        self.totp_secret = "".join(
            tree.xpath("//span[@name='secret']")[0].text_content().split()
        )

    def fresh_identity(self):
        """Confirm the password (a request that changes nothing else)."""
        response = self.url_open(
            "/my/security/trusted-devices/forget",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "device_id": "2147483647",
                "password": PASSWORD,
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)

    # ------------------------------------------------------------------
    # The tables
    # ------------------------------------------------------------------

    def test_01_account_and_login_request(self):
        def own_user_write(label, values, error_text, error="ValidationError"):
            """A row: the portal user writes ``values`` on their own user
            through the web client's RPC."""
            return case(
                label,
                "/web/dataset/call_kw",
                method="CALL",
                model="res.users",
                call="write",
                args=lambda t: [t.anne.ids, values],
                error=error,
                error_text=error_text,
            )

        def details(**values):
            def build(test):
                form = html.fromstring(test.url_open("/my/account").content).xpath(
                    "//form[@name='address_form']"
                )[0]
                data = test._form_values(form)
                data.update(values)
                return data

            return build

        def login_request(requested_login, message=""):
            return {
                "csrf_token": CSRF,
                "requested_login": requested_login,
                "message": message,
            }

        def login_unchanged(test, response):
            test.assertEqual(test.anne.login, "anne@polder.example.com")

        def escaped_request(test, response):
            note = test.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", test.anne.partner_id.id),
                    (
                        "subtype_id",
                        "=",
                        test.env.ref("portal_access.mt_login_change_request").id,
                    ),
                ]
            )
            test.assertEqual(len(note), 1)
            test.assertIn("&lt;script&gt;", str(note.body))
            test.assertNotIn("<script", str(note.body))
            activity = test.env["mail.activity"].search(
                [
                    ("res_id", "=", test.anne.partner_id.id),
                    ("res_model", "=", "res.partner"),
                ]
            )
            test.assertNotIn("<script", str(activity.note))
            mail = test.env["mail.mail"].search(
                [("subject", "=", "We received your login change request")]
            )
            test.assertEqual(len(mail), 1)
            test.assertNotIn("<script", str(mail.body_html))
            test.assertIn("new.anne@polder.example.com", str(mail.body_html))

        def request_note(test):
            return test.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", test.anne.partner_id.id),
                    (
                        "subtype_id",
                        "=",
                        test.env.ref("portal_access.mt_login_change_request").id,
                    ),
                ],
                order="id desc",
                limit=1,
            )

        def idn_request(test, response):
            # Trimmed, domain in lower case (the local part of an
            # internationalised address keeps its letters, as in core).
            test.assertIn("to Jösé@exämple.com.", str(request_note(test).body))

        def taken_request(test, response):
            note = request_note(test)
            test.assertIn("already used by another user", str(note.body))
            test.assertNotIn("already used", test.page_text(response))

        sent = "Your request was sent."
        self.run_cases(
            [
                case(
                    "account: redirect to another site",
                    "/my/account?redirect=https://evil.example.com/",
                    check=lambda t, r: t.assert_local_discard_link(r),
                ),
                case(
                    "account: javascript: redirect",
                    "/my/account?redirect=javascript:alert(1)",
                    check=lambda t, r: t.assert_local_discard_link(r),
                ),
                case(
                    "account: protocol-relative redirect with a tab",
                    "/my/account?redirect=/%09/evil.example.com",
                    check=lambda t, r: t.assert_local_discard_link(r),
                ),
                case(
                    "details: 10,000-character name",
                    "/my/address/submit",
                    method="POST",
                    data=details(name=LONG),
                    texts=["Name is too long"],
                ),
                case(
                    "details: NUL byte in the city",
                    "/my/address/submit",
                    method="POST",
                    data=details(city="Amster\x00dam"),
                    texts=["City contains characters that are not allowed."],
                ),
                case(
                    "details: line break in the name (mail header injection)",
                    "/my/address/submit",
                    method="POST",
                    data=details(name="Anne\r\nBcc: victim@evil.example.com"),
                    texts=["Name contains characters that are not allowed."],
                ),
                case(
                    "details: line break in the company name",
                    "/my/address/submit",
                    method="POST",
                    data=details(company_name="Polder\nBcc: victim@evil.example.com"),
                    texts=["contains characters that are not allowed."],
                ),
                own_user_write(
                    "own user over RPC: line break in the name",
                    {"name": "Anne\r\nBcc: victim@evil.example.com"},
                    "Name contains characters that are not allowed.",
                ),
                own_user_write(
                    "own user over RPC: 100,000-character name",
                    {"name": "x" * 100000},
                    "Name is too long",
                ),
                own_user_write(
                    "own user over RPC: 100,000-character phone",
                    {"phone": "1" * 100000},
                    "Phone is too long",
                ),
                own_user_write(
                    "own user over RPC: unknown time zone",
                    {"tz": "zz_bad"},
                    "is not one of the choices",
                ),
                own_user_write(
                    "own user over RPC: unknown notification type",
                    {"notification_type": "zz_bad"},
                    "is not one of the choices",
                ),
                own_user_write(
                    "own user over RPC: list as time zone",
                    {"tz": ["UTC"]},
                    "is not one of the choices",
                ),
                own_user_write(
                    "own user over RPC: 200,000-character signature",
                    {"signature": "x" * 200000},
                    "Signature is too long",
                ),
                own_user_write(
                    "own user over RPC: a date that is no date",
                    {"out_of_office_from": "not a date"},
                    "is not a valid date",
                ),
                own_user_write(
                    "own user over RPC: a number as date",
                    {"out_of_office_to": 12345},
                    "is not a valid date",
                ),
                own_user_write(
                    "own user over RPC: inbox notifications",
                    {"notification_type": "inbox"},
                    "receive their notifications by email",
                ),
                own_user_write(
                    "own user over RPC: several addresses as email",
                    {"email": "anne@polder.example.com, victim@evil.example.com"},
                    "is not a single valid email address",
                ),
                own_user_write(
                    "own user over RPC: unknown language (breaks every mail)",
                    {"lang": "xx_XX"},
                    "“xx_XX” is not an available language.",
                ),
                own_user_write(
                    "own user over RPC: a list as email",
                    {"email": ["anne@polder.example.com", "x@evil.example.com"]},
                    "Email contains characters that are not allowed.",
                ),
                case(
                    "details: field that switches core's checks off",
                    "/my/address/submit",
                    method="POST",
                    data=details(
                        company_name="Polder\nBcc: victim@evil.example.com",
                        verify_address_values="",
                    ),
                    texts=["contains characters that are not allowed."],
                ),
                case(
                    "details: field named after core's partner argument",
                    "/my/address/submit",
                    method="POST",
                    data=details(partner_sudo="1", name=LONG),
                    texts=["Name is too long"],
                ),
                case(
                    "details: field named after core's values argument",
                    "/my/address/submit",
                    method="POST",
                    data=details(address_values="1", name=LONG),
                    texts=["Name is too long"],
                ),
                case(
                    "details: superscript digit as country",
                    "/my/address/submit",
                    method="POST",
                    data=details(country_id=SUPERSCRIPT_TWO),
                    texts=["Choose a country from the list."],
                ),
                case(
                    "details: superscript digit as street, kept as typed",
                    "/my/address/submit",
                    method="POST",
                    data=details(street=SUPERSCRIPT_TWO),
                    texts=["redirectUrl"],
                    changes=True,
                    check=lambda t, r: t.assertEqual(
                        t.anne.partner_id.street, SUPERSCRIPT_TWO
                    ),
                ),
                case(
                    "details: internationalised email",
                    "/my/address/submit",
                    method="POST",
                    data=details(email="jösé@exämple.com"),
                    texts=["Invalid Email"],
                ),
                case(
                    "details: email with spaces and capitals keeps the login",
                    "/my/address/submit",
                    method="POST",
                    data=details(email="  ANNE.Polder@Polder.Example.COM  "),
                    texts=["redirectUrl"],
                    changes=True,
                    check=lambda t, r: (
                        login_unchanged(t, r),
                        t.assertEqual(
                            t.anne.partner_id.email, "ANNE.Polder@Polder.Example.COM"
                        ),
                    ),
                ),
                case(
                    "details: script as name, escaped on the page",
                    "/my/address/submit",
                    method="POST",
                    data=details(name=XSS_SCRIPT),
                    changes=True,
                    check=lambda t, r: (
                        t.assertEqual(t.anne.partner_id.name, XSS_SCRIPT),
                        t.assert_no_markup(t.url_open("/my/account")),
                        t.assert_no_markup(t.url_open("/my/addresses")),
                        t.assertEqual(
                            html.fromstring(t.url_open("/my/account").content).xpath(
                                "//form[@name='address_form']//input[@name='name']"
                                "/@value"
                            ),
                            [XSS_SCRIPT],
                        ),
                    ),
                ),
                case(
                    "login request: GET on a POST route",
                    "/my/account/login/request",
                    status=405,
                ),
                case(
                    "login request: no CSRF token",
                    "/my/account/login/request",
                    method="POST",
                    data={"requested_login": "new.anne@polder.example.com"},
                    status=400,
                ),
                case(
                    "login request: wrong CSRF token",
                    "/my/account/login/request",
                    method="POST",
                    data={
                        "requested_login": "new.anne@polder.example.com",
                        "csrf_token": WRONG_CSRF,
                    },
                    status=400,
                ),
                case(
                    "login request: signed out",
                    "/my/account/login/request",
                    user=None,
                    method="POST",
                    data=login_request("new.anne@polder.example.com"),
                    status=303,
                    location="/web/login",
                ),
                case(
                    "login request: script as login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request(XSS_SCRIPT + "@x.com"),
                    texts=["is not a valid email address"],
                    check=lambda t, r: t.assert_no_markup(r),
                ),
                case(
                    "login request: right-to-left override in the login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("anne@evil\u202emoc.elpmaxe.redlop"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: zero-width space in the login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne\u200b@polder.example.com"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: combining grapheme joiner in the login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne\u034f@polder.example.com"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: blank Hangul filler in the login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne\u3164@polder.example.com"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: 10,000-character login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request(LONG + "@x.com"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: NUL byte in the login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new\x00anne@polder.example.com"),
                    texts=["is not a valid email address"],
                ),
                case(
                    "login request: own login with spaces and capitals",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("  ANNE@POLDER.EXAMPLE.COM  "),
                    texts=["“anne@polder.example.com” is already your login."],
                ),
                case(
                    "login request: NUL byte in the message",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne@polder.example.com", "Hi\x00there"),
                    texts=["Your message contains characters that are not allowed."],
                ),
                case(
                    "login request: 10,000-character message",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne@polder.example.com", LONG),
                    texts=["Your message is too long"],
                ),
                case(
                    "login request: script in the message, escaped for staff",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("new.anne@polder.example.com", XSS_SCRIPT),
                    status=303,
                    location="/my/account",
                    changes=True,
                    check=escaped_request,
                ),
                case(
                    "login request: internationalised address",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("  Jösé@Exämple.com "),
                    status=303,
                    location="/my/account",
                    changes=True,
                    check=lambda t, r: (
                        idn_request(t, r),
                        t.assertIn(sent, t.page_text(t.url_open("/my/account"))),
                    ),
                ),
                case(
                    "login request: another customer's login",
                    "/my/account/login/request",
                    method="POST",
                    data=login_request("CARL@dijk.example.com"),
                    status=303,
                    location="/my/account",
                    changes=True,
                    check=lambda t, r: taken_request(t, t.url_open("/my/account")),
                ),
            ]
        )

    def test_02_addresses(self):
        def address(**values):
            return {
                "csrf_token": CSRF,
                "name": "Polder Annex",
                "email": "annex@polder.example.com",
                "phone": "+31 20 111 2222",
                "street": "Kade 3",
                "city": "Amsterdam",
                "zip": "1011 AA",
                "country_id": str(self.nl.id),
                "address_type": "delivery",
                **values,
            }

        def new_address(test):
            return test.env["res.partner"].search(
                [("name", "in", ("Polder Annex", XSS_IMG))], order="id desc", limit=1
            )

        self.run_cases(
            [
                case(
                    "address form: negative id", "/my/address?partner_id=-1", status=404
                ),
                case(
                    "address form: id not a number",
                    "/my/address?partner_id=abc",
                    status=404,
                ),
                case(
                    "address form: huge id", "/my/address?partner_id={huge}", status=404
                ),
                case(
                    "address form: core's argument in the query",
                    "/my/address?partner_sudo=1&address_values=1",
                ),
                case(
                    "address form: unknown address type",
                    "/my/address?address_type=ceo",
                    # The form posts a billing address, never "ceo".
                    check=lambda t, r: t.assertEqual(
                        html.fromstring(r.content).xpath(
                            "//input[@name='address_type']/@value"
                        ),
                        ["billing"],
                    ),
                ),
                case(
                    "addresses: core's argument in the query",
                    "/my/addresses?partner_sudo=1",
                ),
                case(
                    "address submit: unknown address type (a person, not an address)",
                    "/my/address/submit",
                    method="POST",
                    data=address(address_type="ceo", name="Eve Intruder"),
                    texts=["Choose a billing or a delivery address."],
                ),
                case(
                    "address form: superscript digit as id",
                    "/my/address?partner_id=" + SUPERSCRIPT_TWO,
                    status=404,
                ),
                case(
                    "address form: NUL byte in the id",
                    "/my/address?partner_id=1%00",
                    status=404,
                ),
                case(
                    "address form: another customer's address",
                    "/my/address?partner_id={carl_address}",
                    status=403,
                ),
                case(
                    "address form: callback to another site",
                    "/my/address?callback=https://evil.example.com/",
                    check=lambda t, r: t.assert_local_discard_link(r),
                ),
                case(
                    "address form: script as address type",
                    "/my/address?address_type=" + XSS_SCRIPT,
                    check=lambda t, r: t.assert_no_markup(r),
                ),
                case(
                    "address form: POST on a GET route",
                    "/my/address",
                    method="POST",
                    data={"csrf_token": CSRF},
                    status=405,
                ),
                case(
                    "address submit: GET on a POST route",
                    "/my/address/submit",
                    status=405,
                ),
                case(
                    "address submit: no CSRF token",
                    "/my/address/submit",
                    method="POST",
                    data={**address(), "csrf_token": ""},
                    status=400,
                ),
                case(
                    "address submit: wrong CSRF token",
                    "/my/address/submit",
                    method="POST",
                    data=address(csrf_token=WRONG_CSRF),
                    status=400,
                ),
                case(
                    "address submit: negative id",
                    "/my/address/submit",
                    method="POST",
                    data=address(partner_id="-1"),
                    status=404,
                ),
                case(
                    "address submit: id not a number",
                    "/my/address/submit",
                    method="POST",
                    data=address(partner_id="abc"),
                    status=404,
                ),
                case(
                    "address submit: huge id",
                    "/my/address/submit",
                    method="POST",
                    data=address(partner_id=HUGE),
                    status=404,
                ),
                case(
                    "address submit: superscript digit as id",
                    "/my/address/submit",
                    method="POST",
                    data=address(partner_id=SUPERSCRIPT_TWO),
                    status=404,
                ),
                case(
                    "address submit: another customer's address",
                    "/my/address/submit",
                    method="POST",
                    data=address(partner_id="{carl_address}"),
                    status=403,
                ),
                case(
                    "address submit: 10,000-character street",
                    "/my/address/submit",
                    method="POST",
                    data=address(street=LONG),
                    texts=["Street is too long"],
                ),
                case(
                    "address submit: NUL byte in the zip",
                    "/my/address/submit",
                    method="POST",
                    data=address(zip="10\x0011"),
                    texts=["Zip contains characters that are not allowed."],
                ),
                case(
                    "address submit: country not a number",
                    "/my/address/submit",
                    method="POST",
                    data=address(country_id="abc"),
                    texts=["Choose a country from the list."],
                ),
                case(
                    "address submit: huge country id",
                    "/my/address/submit",
                    method="POST",
                    data=address(country_id=HUGE),
                    texts=["Choose a country from the list."],
                ),
                case(
                    "address submit: superscript digit as country",
                    "/my/address/submit",
                    method="POST",
                    data=address(country_id=SUPERSCRIPT_TWO),
                    texts=["Choose a country from the list."],
                ),
                case(
                    "address submit: Arabic-Indic digit as state",
                    "/my/address/submit",
                    method="POST",
                    data=address(state_id="\u0663"),
                    texts=["Choose a state from the list."],
                ),
                case(
                    "address submit: negative state id",
                    "/my/address/submit",
                    method="POST",
                    data=address(state_id="-5"),
                    texts=["Choose a state from the list."],
                ),
                case(
                    "address submit: another customer's company as parent",
                    "/my/address/submit",
                    method="POST",
                    data=address(parent_id="{carl_company}"),
                    texts=["redirectUrl"],
                    changes=True,
                    check=lambda t, r: t.assertEqual(
                        new_address(t).commercial_partner_id, t.polder
                    ),
                ),
                case(
                    "address submit: callback to another site",
                    "/my/address/submit",
                    method="POST",
                    data=address(name=XSS_IMG, callback="https://evil.example.com/"),
                    changes=True,
                    check=lambda t, r: (
                        t.assertEqual(r.json(), {"redirectUrl": "/my/addresses"}),
                        t.assertEqual(new_address(t).name, XSS_IMG),
                        t.assert_no_markup(t.url_open("/my/addresses")),
                    ),
                ),
                case(
                    "archive page: id not a number",
                    "/my/address/abc/archive",
                    status=404,
                ),
                case("archive page: huge id", "/my/address/{huge}/archive", status=404),
                case(
                    "archive page: another customer's address",
                    "/my/address/{carl_address}/archive",
                    status=404,
                ),
                case(
                    "archive: another customer's address",
                    "/my/address/{carl_address}/archive",
                    method="POST",
                    data={"csrf_token": CSRF},
                    status=404,
                ),
                case(
                    "archive: own address without CSRF token",
                    "/my/address/{anne_address}/archive",
                    method="POST",
                    data={"x": "1"},
                    status=400,
                ),
                case(
                    "archive: own main address",
                    "/my/address/{anne_partner}/archive",
                    status=403,
                ),
                case(
                    "archive (JSON): id not a number",
                    "/my/address/archive",
                    method="JSON",
                    data={"partner_id": "abc"},
                    error="Forbidden",
                ),
                case(
                    "archive (JSON): list as id",
                    "/my/address/archive",
                    method="JSON",
                    data={"partner_id": [1, 2]},
                    error="Forbidden",
                ),
                case(
                    "archive (JSON): no id",
                    "/my/address/archive",
                    method="JSON",
                    data={},
                    error="Forbidden",
                ),
                case(
                    "archive (JSON): huge id",
                    "/my/address/archive",
                    method="JSON",
                    data={"partner_id": HUGE},
                    error="Forbidden",
                ),
                case(
                    "archive (JSON): superscript digit as id",
                    "/my/address/archive",
                    method="JSON",
                    data={"partner_id": SUPERSCRIPT_TWO},
                    error="Forbidden",
                ),
                case(
                    "archive (JSON): another customer's address",
                    "/my/address/archive",
                    method="JSON",
                    data={"partner_id": "{carl_address}"},
                    error="Forbidden",
                ),
                case(
                    "dashboard counters (JSON): a number",
                    "/my/counters",
                    method="JSON",
                    data={"counters": 5},
                ),
                case(
                    "dashboard counters (JSON): null",
                    "/my/counters",
                    method="JSON",
                    data={"counters": None},
                ),
            ]
        )

    def test_03_payment_methods(self):
        self.run_cases(
            [
                case(
                    "payment methods: core's provider arguments in the query",
                    "/my/payment_method?report=1&amount=1&partner_id=1&company_id=1"
                    "&currency_id=1&force_tokenization=0&is_validation=0",
                ),
                case(
                    "payment methods: POST on a GET route",
                    "/my/payment_method",
                    method="POST",
                    data={"csrf_token": CSRF},
                    status=405,
                ),
                case(
                    "delete page: id not a number",
                    "/my/payment_method/abc/delete",
                    status=404,
                ),
                case(
                    "delete page: huge id",
                    "/my/payment_method/{huge}/delete",
                    status=404,
                ),
                case(
                    "delete page: negative id",
                    "/my/payment_method/-1/delete",
                    status=404,
                ),
                case(
                    "delete page: another customer's card",
                    "/my/payment_method/{carl_token}/delete",
                    status=404,
                ),
                case(
                    "delete: another customer's card",
                    "/my/payment_method/{carl_token}/delete",
                    method="POST",
                    data={"csrf_token": CSRF},
                    status=404,
                ),
                case(
                    "delete: own card without CSRF token",
                    "/my/payment_method/{anne_token}/delete",
                    method="POST",
                    data={"x": "1"},
                    status=403,
                ),
                case(
                    "delete: own card with a wrong CSRF token",
                    "/my/payment_method/{anne_token}/delete",
                    method="POST",
                    data={"csrf_token": WRONG_CSRF},
                    status=403,
                ),
                case(
                    "delete page: colleague's card, their name is markup",
                    "/my/payment_method/{dora_token}/delete",
                    status=403,
                    check=lambda t, r: (
                        t.assert_no_markup(r),
                        t.assertIn("only they can delete it", t.page_text(r)),
                    ),
                ),
                case(
                    "delete (JSON): id not a number",
                    "/payment/archive_token",
                    method="JSON",
                    data={"token_id": "abc"},
                    error="NotFound",
                ),
                case(
                    "delete (JSON): superscript digit as id",
                    "/payment/archive_token",
                    method="JSON",
                    data={"token_id": SUPERSCRIPT_TWO},
                    error="NotFound",
                ),
                case(
                    "delete (JSON): no id",
                    "/payment/archive_token",
                    method="JSON",
                    data={},
                    error="NotFound",
                ),
                case(
                    "delete (JSON): huge id",
                    "/payment/archive_token",
                    method="JSON",
                    data={"token_id": HUGE},
                    error="NotFound",
                ),
                case(
                    "delete (JSON): another customer's card",
                    "/payment/archive_token",
                    method="JSON",
                    data={"token_id": "{carl_token}"},
                    error="NotFound",
                ),
            ]
        )

    def test_04_security_pages(self):
        def password_change(old, new):
            return {
                "csrf_token": CSRF,
                "op": "password",
                "old": old,
                "new1": new,
                "new2": new,
            }

        def fullwidth_code(test):
            code = pyotp.TOTP(test.totp_secret).now()
            return "".join(chr(0xFF10 + int(digit)) for digit in code)

        def enabled(test, response):
            test.env.invalidate_all()
            test.assertTrue(test.anne.totp_enabled)
            test.assertEqual(test.anne._portal_access_recovery_code_count(), 10)

        not_revoked = lambda t, r: t.assertFalse(t.carl_device_log.revoked)
        self.run_cases(
            [
                case(
                    "security: script as notice",
                    "/my/security?security_notice=" + XSS_SCRIPT,
                    check=lambda t, r: (
                        t.assert_no_markup(r),
                        t.assertFalse(
                            html.fromstring(r.content).xpath(
                                "//*[hasclass('o_portal_access_notice')]"
                            )
                        ),
                    ),
                ),
                case(
                    "password: no CSRF token",
                    "/my/security",
                    method="POST",
                    data={"op": "password", "old": PASSWORD},
                    status=400,
                ),
                case(
                    "password: fields missing",
                    "/my/security",
                    method="POST",
                    data={"csrf_token": CSRF, "op": "password"},
                    texts=["You cannot leave any password empty."],
                ),
                case(
                    "password: 10,000-character current password",
                    "/my/security",
                    method="POST",
                    data=password_change(LONG, "New-pass-2026"),
                    texts=["The current password you entered is incorrect"],
                ),
                case(
                    "password: 10,000-character new password",
                    "/my/security",
                    method="POST",
                    data=password_change(PASSWORD, LONG),
                    texts=["The new password is too long"],
                ),
                case(
                    "password: NUL bytes",
                    "/my/security",
                    method="POST",
                    data=password_change("a\x00", "b\x00bbbbbbbbb"),
                    texts=["The current password you entered is incorrect"],
                ),
                case(
                    "delete account: GET on a POST route",
                    "/my/deactivate_account",
                    status=405,
                ),
                case(
                    "delete account: 10,000-character password",
                    "/my/deactivate_account",
                    method="POST",
                    data={
                        "csrf_token": CSRF,
                        "validation": "anne@polder.example.com",
                        "password": LONG,
                    },
                    texts=["Wrong password."],
                ),
                case(
                    "2FA: enable without CSRF token",
                    "/my/security/2fa/enable",
                    method="POST",
                    data={"password": PASSWORD},
                    status=400,
                ),
                case(
                    "2FA: 10,000-character password",
                    "/my/security/2fa/enable",
                    method="POST",
                    data={"csrf_token": CSRF, "password": LONG},
                    texts=["Wrong password, please try again."],
                ),
                case(
                    "2FA: confirm with GET (the codes page reopened) goes back",
                    "/my/security/2fa/enable/confirm",
                    status=303,
                    location="/my/security",
                ),
                case(
                    "2FA: code not a number",
                    "/my/security/2fa/enable/confirm",
                    method="POST",
                    prepare=lambda t: t.start_totp_setup(),
                    data={"csrf_token": CSRF, "code": "abcdef"},
                    texts=["Enter the 6-digit code shown in your authenticator app."],
                ),
                case(
                    "2FA: 10,000-digit code",
                    "/my/security/2fa/enable/confirm",
                    method="POST",
                    prepare=lambda t: t.start_totp_setup(),
                    data={"csrf_token": CSRF, "code": "1" * 10000},
                    texts=["Enter the 6-digit code shown in your authenticator app."],
                ),
                case(
                    "2FA: NUL byte in the code",
                    "/my/security/2fa/enable/confirm",
                    method="POST",
                    prepare=lambda t: t.start_totp_setup(),
                    data={"csrf_token": CSRF, "code": "123\x00456"},
                    texts=["Enter the 6-digit code shown in your authenticator app."],
                ),
                case(
                    "2FA: right code in fullwidth digits",
                    "/my/security/2fa/enable/confirm",
                    method="POST",
                    prepare=lambda t: t.start_totp_setup(),
                    data={"csrf_token": CSRF, "code": fullwidth_code},
                    texts=["Two-factor authentication is on"],
                    changes=True,
                    check=enabled,
                ),
                case(
                    "2FA disable: 10,000-character password",
                    "/my/security/2fa/disable",
                    user="carl",
                    method="POST",
                    data={"csrf_token": CSRF, "password": LONG},
                    texts=["Wrong password"],
                    check=lambda t, r: t.assertTrue(t.carl.totp_enabled),
                ),
                case(
                    "recovery codes: without CSRF token",
                    "/my/security/2fa/recovery-codes",
                    user="carl",
                    method="POST",
                    data={"password": PASSWORD},
                    status=400,
                ),
                case(
                    "sign out: GET on a POST route",
                    "/my/security/devices/sign-out",
                    status=405,
                ),
                case(
                    "sign out: another customer's device",
                    "/my/security/devices/sign-out",
                    method="POST",
                    data={
                        "csrf_token": CSRF,
                        "device_id": "{carl_device}",
                        "password": PASSWORD,
                    },
                    status=303,
                    location="security_notice=no_session",
                    check=not_revoked,
                ),
                case(
                    "sign out: device id not a number",
                    "/my/security/devices/sign-out",
                    method="POST",
                    data={"csrf_token": CSRF, "device_id": "abc"},
                    status=303,
                    location="security_notice=no_session",
                ),
                case(
                    "sign out: superscript digit as device id",
                    "/my/security/devices/sign-out",
                    method="POST",
                    data={"csrf_token": CSRF, "device_id": SUPERSCRIPT_TWO},
                    status=303,
                    location="security_notice=no_session",
                ),
                case(
                    "sign out: huge device id",
                    "/my/security/devices/sign-out",
                    method="POST",
                    prepare=lambda t: t.fresh_identity(),
                    data={"csrf_token": CSRF, "device_id": HUGE},
                    status=303,
                    location="security_notice=no_session",
                ),
                case(
                    "forget browser: another customer's",
                    "/my/security/trusted-devices/forget",
                    method="POST",
                    data={
                        "csrf_token": CSRF,
                        "device_id": "{carl_trusted}",
                        "password": PASSWORD,
                    },
                    status=303,
                    location="security_notice=no_trusted_device",
                    check=lambda t, r: t.assertTrue(t.carl_trusted.exists()),
                ),
                case(
                    "forget browser: huge id",
                    "/my/security/trusted-devices/forget",
                    method="POST",
                    prepare=lambda t: t.fresh_identity(),
                    data={"csrf_token": CSRF, "device_id": HUGE},
                    status=303,
                    location="security_notice=no_trusted_device",
                ),
                case(
                    "forget browser: GET on a POST route",
                    "/my/security/trusted-devices/forget",
                    status=405,
                ),
            ]
        )

    def test_05_login_totp_step(self):
        def token(value):
            return {"csrf_token": CSRF, "totp_token": value}

        still_out = lambda t, r: t.assertIn(
            "/web/login",
            t.url_open("/my", allow_redirects=False).headers.get("Location", ""),
        )
        self.run_cases(
            [
                case(
                    "2FA step: without signing in first",
                    "/web/login/totp",
                    user=None,
                    status=303,
                    location="/web/login",
                ),
                case(
                    "2FA step: no CSRF token",
                    "/web/login/totp",
                    user="erik_totp_step",
                    method="POST",
                    data={"totp_token": "123456"},
                    status=400,
                ),
                case(
                    "2FA step: 10,000-digit code",
                    "/web/login/totp",
                    user="erik_totp_step",
                    method="POST",
                    data=token("9" * 10000),
                    texts=["Invalid authentication code format."],
                    check=still_out,
                ),
                case(
                    "2FA step: script as code",
                    "/web/login/totp",
                    user="erik_totp_step",
                    method="POST",
                    data=token(XSS_SCRIPT),
                    texts=["Invalid authentication code format."],
                    check=lambda t, r: (t.assert_no_markup(r), still_out(t, r)),
                ),
                case(
                    "2FA step: NUL byte in a recovery code",
                    "/web/login/totp",
                    user="erik_totp_step",
                    method="POST",
                    data=token("abcde\x00ghij"),
                    texts=["double-check the recovery code"],
                    check=still_out,
                ),
                case(
                    "2FA step: another customer's recovery code",
                    "/web/login/totp",
                    user="erik_totp_step",
                    method="POST",
                    data=lambda t: token(t.carl_codes[0]),
                    texts=["double-check the recovery code"],
                    check=lambda t, r: (
                        still_out(t, r),
                        t.assertEqual(t.carl._portal_access_recovery_code_count(), 10),
                    ),
                ),
            ]
        )

    def test_06_popups(self):
        def wizard_call(label, call, args, *, model="portal.wizard", **spec):
            return case(
                label,
                "",
                method="CALL",
                user="staff",
                model=model,
                call=call,
                args=args,
                **spec,
            )

        def popup_on(partner_ref):
            return lambda t: [t.open_popup_line(t.refs[partner_ref])]

        def summary_of(test):
            return (
                test.env["portal.wizard"]
                .search([], order="id desc", limit=1)
                .portal_access_summary
            )

        def no_user_for_tom(test, response):
            test.assertFalse(test.tom.with_context(active_test=False).user_ids)

        ctx = {"active_model": "res.partner"}
        self.run_cases(
            [
                wizard_call(
                    "popup: ids that are text",
                    "action_open_wizard",
                    [],
                    context={**ctx, "active_ids": ["abc"]},
                    check=lambda t, r: t.assertFalse(t.last_popup().user_ids),
                ),
                wizard_call(
                    "popup: text instead of a list of ids",
                    "action_open_wizard",
                    [],
                    context={**ctx, "active_ids": "abc"},
                ),
                wizard_call(
                    "popup: negative and huge ids",
                    "action_open_wizard",
                    [],
                    context={**ctx, "active_ids": [-1, 2**31, True]},
                    check=lambda t, r: t.assertFalse(t.last_popup().user_ids),
                ),
                wizard_call(
                    "popup: id of no contact",
                    "action_open_wizard",
                    [],
                    context={**ctx, "active_ids": [2**31 - 1]},
                    error="MissingError",
                    error_text="Record does not exist or has been deleted.",
                ),
                wizard_call(
                    "popup line: NUL byte in the email",
                    "write",
                    popup_on("tom"),
                    model="portal.wizard.user",
                    kwargs={"vals": {"email": "tom\x00@dijk.example.com"}},
                    error="ValidationError",
                    error_text="Email contains characters that are not allowed.",
                ),
                wizard_call(
                    "popup: NUL byte in the invitation message",
                    "create",
                    [{"welcome_message": "Hello\x00"}],
                    error="ValidationError",
                    error_text="Invitation Message contains characters",
                ),
                wizard_call(
                    "popup grant: script as email, escaped in the summary",
                    "action_grant_all",
                    lambda t: [t.popup_with_email("tom", XSS_SCRIPT + "@x.com")],
                    check=lambda t, r: (
                        no_user_for_tom(t, r),
                        t.assertIn("&lt;script&gt;", summary_of(t)),
                        t.assertNotIn("<script", summary_of(t)),
                    ),
                ),
                wizard_call(
                    "popup grant: 10,000-character email",
                    "action_grant_all",
                    lambda t: [t.popup_with_email("tom", LONG + "@x.com")],
                    check=lambda t, r: (
                        no_user_for_tom(t, r),
                        t.assertLess(len(summary_of(t)), 1000),
                        t.assertIn("invalid email address", summary_of(t)),
                    ),
                ),
                wizard_call(
                    "popup grant one: another customer's login as email",
                    "action_grant_access",
                    lambda t: [
                        t.popup_line_with_email("tom", " CARL@Dijk.example.com")
                    ],
                    model="portal.wizard.user",
                    error="UserError",
                    error_text="is already used by another user",
                    check=no_user_for_tom,
                ),
                wizard_call(
                    "popup grant: email with spaces and capitals, markup in the "
                    "message",
                    "action_grant_all",
                    lambda t: [
                        t.popup_with_email(
                            "tom", "  Tom.Dijk@DIJK.Example.com ", XSS_SCRIPT
                        )
                    ],
                    changes=True,
                    check=lambda t, r: t.assert_invited_tom(),
                ),
                wizard_call(
                    "login popup: id that is text",
                    "default_get",
                    [["user_id"]],
                    model="portal.login.change",
                    context={**ctx, "active_id": "abc"},
                    error="UserError",
                    error_text="Select one contact to change its portal login.",
                ),
                wizard_call(
                    "login popup: negative id",
                    "default_get",
                    [["user_id"]],
                    model="portal.login.change",
                    context={**ctx, "active_id": -1},
                    error="UserError",
                    error_text="Select one contact to change its portal login.",
                ),
                wizard_call(
                    "login popup: huge id",
                    "default_get",
                    [["user_id"]],
                    model="portal.login.change",
                    context={**ctx, "active_ids": [2**31]},
                    error="UserError",
                    error_text="Select one contact to change its portal login.",
                ),
                wizard_call(
                    "login popup: NUL byte in the new login",
                    "create",
                    [{"user_id": "{carl_user}", "new_login": "carl\x00@x.com"}],
                    model="portal.login.change",
                    error="ValidationError",
                    error_text="New Login contains characters that are not allowed.",
                ),
                wizard_call(
                    "login popup: script as new login",
                    "action_confirm",
                    lambda t: [t.login_popup(XSS_SCRIPT + "@x.com")],
                    model="portal.login.change",
                    error="ValidationError",
                    error_text="is not a valid email address",
                    check=lambda t, r: t.assertEqual(
                        t.carl.login, "carl@dijk.example.com"
                    ),
                ),
                wizard_call(
                    "login popup: 10,000-character new login",
                    "action_confirm",
                    lambda t: [t.login_popup(LONG + "@x.com")],
                    model="portal.login.change",
                    error="ValidationError",
                    error_text="is not a valid email address",
                ),
                wizard_call(
                    "login popup: another customer's login in capitals",
                    "action_confirm",
                    lambda t: [t.login_popup("  ANNE@Polder.Example.com ")],
                    model="portal.login.change",
                    error="UserError",
                    error_text="is already used by the user",
                ),
                wizard_call(
                    "login popup: own login with capitals",
                    "action_confirm",
                    lambda t: [t.login_popup("Carl@Dijk.Example.COM")],
                    model="portal.login.change",
                    error="UserError",
                    error_text="is already the login of",
                ),
            ]
        )

    # -- helpers of the popup table (run inside prepare-less CALL rows:
    # they create the transient records the call is made on) ---------------

    def last_popup(self):
        return self.env["portal.wizard"].search([], order="id desc", limit=1)

    def open_popup_line(self, partner_id):
        wizard = (
            self.env["portal.wizard"]
            .with_user(self.staff)
            .with_context(active_ids=[partner_id], active_model="res.partner")
            .create({})
        )
        return wizard.user_ids.filtered(
            lambda line: line.partner_id.id == partner_id
        ).id

    def popup_line_with_email(self, partner_ref, email):
        line = self.env["portal.wizard.user"].browse(
            self.open_popup_line(self.refs[partner_ref])
        )
        line.with_user(self.staff).email = email
        return line.id

    def popup_with_email(self, partner_ref, email, message=None):
        line = self.env["portal.wizard.user"].browse(
            self.popup_line_with_email(partner_ref, email)
        )
        if message is not None:
            line.wizard_id.with_user(self.staff).welcome_message = message
        return line.wizard_id.id

    def login_popup(self, new_login):
        return (
            self.env["portal.login.change"]
            .with_user(self.staff)
            .with_context(active_model="res.users", active_id=self.carl.id)
            .create({"new_login": new_login})
            .id
        )

    def assert_invited_tom(self):
        self.env.invalidate_all()
        user = self.tom.user_ids
        self.assertEqual(user.login, "tom.dijk@dijk.example.com")
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", user.id)]
        )
        self.assertEqual(len(mail), 1)
        body = str(mail.body_html)
        self.assertIn("&lt;script&gt;", body, "the invitation message, escaped")
        self.assertNotIn("<script", body)
        self.assertIn("tom.dijk@dijk.example.com", body)

    def test_07_every_form_post_needs_its_csrf_token(self):
        """Every form route the module declares or overrides that takes a
        POST is refused without a CSRF token, with the values that would
        otherwise act (delete the account, turn 2FA off, sign out devices...).
        The routes are read from Odoo's routing map: a new one fails here
        until it gets its row.
        """
        # Values that would act on a route with a valid token; the user who
        # sends them (carl has 2FA on).
        valid = {
            "/web/login/totp": (
                "erik_totp_step",
                lambda t: {"totp_token": pyotp.TOTP(t.erik_secret).now()},
            ),
            "/my": ("anne", {}),
            "/my/home": ("anne", {}),
            "/my/addresses": ("anne", {}),
            "/my/payment_method": ("anne", {}),
            "/my/account/login/request": (
                "anne",
                {"requested_login": "anne.new@polder.example.com", "message": "Hi"},
            ),
            "/my/address/submit": (
                "anne",
                {
                    "partner_id": str(self.anne_address.id),
                    "name": "Polder Warehouse 2",
                    "street": "Havenweg 6",
                    "city": "Zaandam",
                    "zip": "1505 HZ",
                    "country_id": str(self.nl.id),
                    "address_type": "delivery",
                },
            ),
            "/my/address/<int:partner_id>/archive": ("anne", {}),
            "/my/payment_method/<int:token_id>/delete": ("anne", {}),
            "/my/security": (
                "anne",
                {
                    "op": "password",
                    "old": PASSWORD,
                    "new1": "Another-pass-2026",
                    "new2": "Another-pass-2026",
                },
            ),
            "/my/deactivate_account": (
                "anne",
                {"validation": self.anne.login, "password": PASSWORD},
            ),
            "/my/security/2fa/enable": ("anne", {"password": PASSWORD}),
            "/my/security/2fa/enable/confirm": (
                "anne",
                {"code": "123456", "password": PASSWORD},
            ),
            "/my/security/2fa/disable": ("carl", {"password": PASSWORD}),
            "/my/security/2fa/recovery-codes": ("carl", {"password": PASSWORD}),
            "/my/security/devices/sign-out": (
                "carl",
                {"scope": "others", "password": PASSWORD},
            ),
            "/my/security/trusted-devices/forget": (
                "carl",
                {"scope": "all", "password": PASSWORD},
            ),
        }
        ids = {"partner_id": "{anne_address}", "token_id": "{anne_token}"}
        routes = self.module_form_post_routes()
        self.assertIn("/my/security/2fa/disable", routes, "the map was read")
        self.assertFalse(
            set(routes) - set(valid),
            "a POST route of the module has no row in this test",
        )
        cases = []
        for path, routing in sorted(routes.items()):
            user, data = valid[path]
            url = path
            for name, ref in ids.items():
                url = url.replace(f"<int:{name}>", ref)
            self.assertNotIn("<", url, f"{path}: an id to fill in")
            # Routes that check the token themselves answer 403 (the same
            # as any other refusal); Odoo's own check answers 400.
            status = 400 if routing.get("csrf", True) else 403
            for label, token in (("no", {}), ("a wrong", {"csrf_token": WRONG_CSRF})):
                cases.append(
                    case(
                        f"CSRF: {path} with {label} token",
                        url,
                        user=user,
                        method="POST",
                        data=lambda t, d=data, k=token: {**t.resolve(d), **k},
                        status=status,
                    )
                )
        self.run_cases(cases)
        self.assertTrue(self.anne.active, "the account was not deleted")
        self.assertTrue(self.carl.totp_enabled, "2FA stays on")

    def module_form_post_routes(self):
        """``{path: routing}`` of the ``http`` routes declared or overridden
        by this module's controllers that take a POST."""
        routes = {}
        for rule in self.env["ir.http"].routing_map().iter_rules():
            endpoint = rule.endpoint
            routing = endpoint.routing
            methods = routing.get("methods")
            if routing.get("type") != "http" or (methods and "POST" not in methods):
                continue
            name = endpoint.func.__name__
            if any(
                name in klass.__dict__
                and klass.__module__.startswith("odoo.addons.portal_access.")
                for klass in type(endpoint.func.__self__).mro()
            ):
                routes[rule.rule] = routing
        return routes


@tagged("post_install", "-at_install")
class TestSecurityHostileInputEmails(PaymentAccountCase):
    """Names typed by customers reach staff and customers in emails: they
    are escaped there as on the pages."""

    def test_markup_in_names_is_escaped_in_security_mails(self):
        self.carl.partner_id.name = XSS_IMG
        self.carl.sudo().totp_secret = pyotp.random_base32()
        self.env["portal_access.recovery.code"]._generate_for(self.carl)
        self.authenticate(self.carl.login, PASSWORD)
        response = self.url_open(
            "/my/security/2fa/disable",
            data={"csrf_token": http.Request.csrf_token(self), "password": PASSWORD},
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertFalse(self.carl.totp_enabled)
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.carl.partner_id.ids)]
        )
        self.assertEqual(len(mail), 1)
        body = str(mail.body_html)
        self.assertIn("&lt;img src=x onerror=", body)
        self.assertNotIn("<img src=x", body)

    def test_markup_in_names_is_escaped_in_payment_mails(self):
        self.anne.partner_id.name = XSS_SCRIPT
        token = self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.demo_method.id,
                "partner_id": self.anne.partner_id.id,
                "payment_details": "4444",
                "provider_ref": "pa-hostile-mail",
            }
        )
        self.authenticate(self.anne.login, PASSWORD)
        response = self.url_open(
            f"/my/payment_method/{token.id}/delete",
            data={"csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertFalse(token.active)
        mail = self._deletion_mails(self.anne.partner_id)
        self.assertEqual(len(mail), 1)
        self.assertIn("&lt;script&gt;", str(mail.body_html))
        self.assertNotIn("<script", str(mail.body_html))
