"""Shared helpers of the portal security tests (no tests here).

Everything goes through Odoo's real HTTP stack: pages are fetched, forms are
read from the HTML (CSRF token included) and posted as a browser without
JavaScript would.
"""

import time
from urllib.parse import urlparse

import pyotp
from lxml import html

from odoo import http
from odoo.tests import HttpCase, get_db_name, new_test_user
from odoo.tests.common import HOST, Opener


def post_call_kw(case, model, method, args, kwargs=None, opener=None):
    """POST ``model.method(*args, **kwargs)`` to ``/web/dataset/call_kw`` as
    the web client does, with the session of ``opener`` (default: the test's
    own), and return the HTTP response: the callers check the JSON-RPC
    ``result`` or ``error`` themselves (core's ``make_jsonrpc_request`` only
    raises the error's name)."""
    # An Opener only sends while it is the test's current one.
    current = case.opener
    case.opener = opener or current
    try:
        return case.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            },
            timeout=30,
        )
    finally:
        case.opener = current


class PortalSecurityCase(HttpCase):
    """Base class: a portal user with a real password, and form helpers."""

    PASSWORD = "Portal-pass-1"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._make_portal_user("sam.portal@example.com", "Sam Portal")

    @classmethod
    def _make_portal_user(cls, login, name):
        return new_test_user(
            cls.env,
            login=login,
            name=name,
            email=login,
            password=cls.PASSWORD,
            groups="base.group_portal",
            tz="UTC",
        )

    def setUp(self):
        super().setUp()
        # Core's login cooldown counts failures per IP address in the registry,
        # across tests: start every test with a clean count.
        failures = getattr(self.env.registry, "_login_failures", None)
        if failures is not None:
            failures.clear()

    # -- pages and forms ------------------------------------------------

    def get_page(self, url, opener=None, **kwargs):
        """GET ``url``; return the response and its parsed HTML."""
        response = self._open(url, opener=opener, **kwargs)
        tree = html.fromstring(response.content) if response.content.strip() else None
        return response, tree

    def _open(self, url, data=None, opener=None, allow_redirects=True):
        if opener is None:
            return self.url_open(
                url, data=data, allow_redirects=allow_redirects, timeout=30
            )
        # Another browser: HttpCase's opener machinery (flush, request lock)
        # with that browser's cookies.
        current = self.opener
        self.opener = opener
        try:
            return self.url_open(
                url, data=data, allow_redirects=allow_redirects, timeout=30
            )
        finally:
            self.opener = current

    def form_values(self, tree, action):
        """Values a browser would send with the form posting to ``action``
        (hidden inputs included, CSRF token first of all)."""
        forms = [form for form in tree.xpath("//form") if form.get("action") == action]
        self.assertTrue(forms, f"no form posting to {action}")
        form = forms[0]
        return {
            node.get("name"): node.get("value") or ""
            for node in form.xpath(".//input[@name]")
            if node.get("type") != "checkbox" or node.get("checked")
        }

    def submit(self, tree, action, opener=None, allow_redirects=True, **fields):
        """Post the form of ``tree`` whose action is ``action`` with ``fields``."""
        values = self.form_values(tree, action)
        values.update(fields)
        response = self._open(
            action, data=values, opener=opener, allow_redirects=allow_redirects
        )
        parsed = html.fromstring(response.content) if response.content.strip() else None
        return response, parsed

    def text(self, tree, xpath):
        return " ".join(
            " ".join(node.text_content().split()) for node in tree.xpath(xpath)
        )

    def assertSecurityHeaders(self, response):
        self.assertEqual(response.headers.get("X-Frame-Options"), "SAMEORIGIN")
        self.assertEqual(
            response.headers.get("Content-Security-Policy"), "frame-ancestors 'self'"
        )

    def path(self, response):
        return urlparse(response.url).path

    # -- two-factor authentication ----------------------------------------

    @staticmethod
    def code_at(secret, offset=0):
        """The code an authenticator app shows ``offset`` steps from now."""
        return pyotp.TOTP(secret).at(time.time() + 30 * offset)

    def enable_2fa_by_http(self, opener=None, from_security_page=True):
        """Run the whole server-rendered enable flow as a browser without
        JavaScript; return the secret read on the QR page and the recovery
        codes read on the final page."""
        if from_security_page:
            _response, tree = self.get_page("/my/security", opener=opener)
            self.assertTrue(
                tree.xpath(
                    "//form[@action='/my/security/2fa/enable']//button[@id='auth_totp_portal_enable']"
                )
            )
        _response, tree = self.get_page("/my/security/2fa/enable", opener=opener)
        if tree.xpath("//input[@name='password']"):
            _response, tree = self.submit(
                tree, "/my/security/2fa/enable", opener=opener, password=self.PASSWORD
            )
        secret = self.text(tree, "//span[@name='secret']").replace(" ", "")
        self.assertEqual(len(secret), 32)
        response, tree = self.submit(
            tree,
            "/my/security/2fa/enable/confirm",
            opener=opener,
            code=self.code_at(secret),
        )
        self.assertEqual(response.status_code, 200)
        codes = [
            node.text_content().strip()
            for node in tree.xpath("//code[hasclass('o_portal_access_recovery_code')]")
        ]
        return secret, codes

    # -- signing in ---------------------------------------------------------

    def new_browser(self):
        """Another browser (its own cookies, a new anonymous session)."""
        session = http.root.session_store.new()
        session.update(http.get_default_session(), db=get_db_name())
        http.root.session_store.save(session)
        opener = Opener(self)
        opener.cookies.set("session_id", session.sid, domain=HOST)
        return opener

    def login(self, login, password, opener=None):
        """Sign in through the real login form; return the final response."""
        if opener is None:
            self.authenticate(None, None)
        _response, tree = self.get_page("/web/login", opener=opener)
        response, _tree = self.submit(
            tree, "/web/login", opener=opener, login=login, password=password
        )
        return response

    def totp_step(self, token, opener=None, form_index=0):
        """Post ``token`` on core's /web/login/totp page (``form_index`` 1 is
        the recovery-code form); return the response and its HTML."""
        _response, tree = self.get_page("/web/login/totp", opener=opener)
        forms = [
            form
            for form in tree.xpath("//form[@method='POST' or @method='post']")
            if form.xpath(".//input[@name='totp_token']")
        ]
        form = forms[form_index]
        values = {
            node.get("name"): node.get("value") or ""
            for node in form.xpath(".//input[@name]")
            if node.get("type")
            != "checkbox"  # "Don't ask again on this device": not ticked
        }
        values["totp_token"] = token
        response = self._open("/web/login/totp", data=values, opener=opener)
        parsed = html.fromstring(response.content) if response.content.strip() else None
        return response, parsed

    def sign_out(self, opener=None):
        self._open("/web/session/logout?redirect=/web/login", opener=opener)
