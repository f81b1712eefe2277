"""Access matrix: what a portal user can do to data through the ORM and
Odoo's RPC endpoints.

A portal user (Mia, of the customer Matrix Acme) tries to create, change and
delete contacts, users, saved payment methods, 2FA fields, recovery codes and
the module's popups, and to read another customer's contact, payment method
and history, through four channels:

* ``orm``: the ORM as that user (``with_user``), what any code running for
  the user is limited to;
* ``call_kw``: ``/web/dataset/call_kw`` (JSON-RPC with the browser session,
  what the web client uses; portal users may call it);
* ``json2``: Odoo 19's ``/json/2/<model>/<method>`` with an API key (needs
  *Portal API keys* allowed, set here: the most exposed configuration);
* ``xmlrpc``: ``/xmlrpc/2/object`` with the password (core only takes an API
  key there once 2FA is on; Mia has no 2FA).

Every attempt must be refused (``AccessError``, or nothing found for a
search); the table of attempts goes to the test log; the data is compared
with a snapshot afterwards.
"""

import json
import logging
import xmlrpc.client
from datetime import datetime, timedelta

import pyotp

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

PASSWORD = "Matrix-pass-2026"
from .test_portal_security_common import post_call_kw

CHANNELS = ("orm", "call_kw", "json2", "xmlrpc")
# Not every record method is exposed the same way over RPC: ``create`` takes
# a list of values, ``search_read`` a domain.
MODEL_METHODS = {"create", "search_read"}


class AccessMatrixCase(TransactionCase):
    """Two customers with portal users, saved payment methods, 2FA secrets,
    recovery codes, chatter, and the staff popups of the module."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.acme = Partner.create({"name": "Matrix Acme", "is_company": True})
        cls.globex = Partner.create({"name": "Matrix Globex", "is_company": True})
        cls.mia = cls._portal_user("mia@acme.example.com", "Mia Matrix", cls.acme)
        cls.colin = Partner.create(
            {
                "name": "Colin Colleague",
                "email": "colin@acme.example.com",
                "parent_id": cls.acme.id,
            }
        )
        cls.otto = cls._portal_user("otto@globex.example.com", "Otto Other", cls.globex)
        # Otto has 2FA and recovery codes; Mia has codes but no 2FA, so that
        # XML-RPC still takes her password (core asks for an API key with 2FA).
        cls.otto.sudo().totp_secret = pyotp.random_base32(32)
        Codes = env["portal_access.recovery.code"]
        Codes._generate_for(cls.otto)
        Codes._generate_for(cls.mia)
        cls.mia_codes = Codes.sudo().search([("user_id", "=", cls.mia.id)])
        cls.otto_codes = Codes.sudo().search([("user_id", "=", cls.otto.id)])

        provider = env.ref("payment.payment_provider_demo")
        method = env.ref(
            "payment_demo.payment_method_demo", raise_if_not_found=False
        ) or env.ref("payment.payment_method_card")
        token_values = {"provider_id": provider.id, "payment_method_id": method.id}
        cls.mia_token = env["payment.token"].create(
            dict(
                token_values,
                partner_id=cls.mia.partner_id.id,
                payment_details="4242",
                provider_ref="matrix-mia",
            )
        )
        cls.otto_token = env["payment.token"].create(
            dict(
                token_values,
                partner_id=cls.otto.partner_id.id,
                payment_details="1881",
                provider_ref="matrix-otto",
            )
        )
        cls.token_values = dict(
            token_values,
            partner_id=cls.mia.partner_id.id,
            payment_details="0000",
            provider_ref="matrix-forged",
        )

        # History: a message anyone following Otto's contact sees, an internal
        # note on Otto's contact, and a security note on Mia's own contact.
        otto_partner = cls.otto.partner_id
        cls.otto_comment = otto_partner.message_post(
            body="Order shipped to Otto", message_type="comment"
        )
        cls.otto_note = otto_partner._message_log(body="Otto called about a refund")
        # As the module logs security events: an internal note on the
        # customer's contact, with the customer as its author.
        cls.mia_note = cls.mia.partner_id.sudo()._message_log(
            body="Two-factor authentication turned on from the portal.",
            author_id=cls.mia.partner_id.id,
        )
        cls.colin_note = cls.colin._message_log(
            body="Portal access granted by Petra; invitation sent."
        )

        # The staff popups.
        cls.login_change = env["portal.login.change"].create(
            {"user_id": cls.otto.id, "new_login": "otto2@globex.example.com"}
        )
        cls.popup = (
            env["portal.wizard"]
            .with_context(active_ids=cls.acme.ids, active_model="res.partner")
            .create({})
        )
        cls.popup_line = cls.popup.user_ids.filtered(
            lambda line: line.partner_id == cls.colin
        )

    @classmethod
    def _portal_user(cls, login, name, company):
        user = new_test_user(
            cls.env,
            login=login,
            name=name,
            email=login,
            password=PASSWORD,
            groups="base.group_portal",
        )
        user.partner_id.parent_id = company
        return user

    # -- the attempts -----------------------------------------------------------

    def attempts(self):
        """Every attempt: ``(model, method, ids, payload, target)``; ``ids`` is
        empty for model methods; ``payload`` is the values, or the fields to
        read, or the search domain."""
        mia, otto = self.mia, self.otto
        partners = "res.partner"
        users = "res.users"
        tokens = "payment.token"
        codes = "portal_access.recovery.code"
        return [
            # Contacts
            (partners, "create", [], {"name": "Forged Contact"}, "new contact"),
            (
                partners,
                "create",
                [],
                {"name": "Forged Colleague", "parent_id": self.acme.id},
                "new contact in own company",
            ),
            (partners, "write", mia.partner_id.ids, {"name": "Hacked"}, "own contact"),
            (
                partners,
                "write",
                mia.partner_id.ids,
                {"email": "evil@example.com"},
                "own contact's email",
            ),
            (partners, "write", self.colin.ids, {"email": "x@evil.com"}, "colleague"),
            (partners, "write", self.acme.ids, {"vat": "NL000"}, "own company"),
            (
                partners,
                "write",
                otto.partner_id.ids,
                {"name": "Hacked"},
                "other customer",
            ),
            (partners, "unlink", self.colin.ids, None, "colleague"),
            (partners, "unlink", mia.partner_id.ids, None, "own contact"),
            (
                partners,
                "read",
                otto.partner_id.ids,
                ["name", "email"],
                "other customer",
            ),
            (
                partners,
                "search_read",
                [],
                [("id", "in", (otto.partner_id | self.globex).ids)],
                "other customer",
            ),
            (
                partners,
                "read",
                mia.partner_id.ids,
                ["portal_access_invite_key"],
                "own invitation key",
            ),
            # Users
            (
                users,
                "create",
                [],
                {"name": "Forged", "login": "forged@x.com"},
                "new user",
            ),
            (users, "write", mia.ids, {"login": "hacked@x.com"}, "own login"),
            (users, "write", mia.ids, {"password": "Hacked-1234"}, "own password"),
            (
                users,
                "write",
                mia.ids,
                # (4, id): Command.link, spelled out for XML-RPC
                {"group_ids": [(4, self.env.ref("base.group_user").id, 0)]},
                "own groups",
            ),
            (users, "write", otto.ids, {"active": False}, "other user: archive"),
            (users, "write", otto.ids, {"name": "Hacked"}, "other customer's user"),
            (users, "write", otto.ids, {"email": "x@evil.com"}, "other user's email"),
            (users, "unlink", mia.ids, None, "own user"),
            (users, "read", otto.ids, ["login"], "other customer's user"),
            # Two-factor authentication (core's fields)
            (
                users,
                "write",
                mia.ids,
                {"totp_secret": "JBSWY3DPEHPK3PXP"},
                "own 2FA secret",
            ),
            (users, "write", mia.ids, {"totp_last_counter": 1}, "own 2FA counter"),
            (users, "write", mia.ids, {"totp_enabled": True}, "own 2FA switch"),
            (users, "write", otto.ids, {"totp_secret": False}, "other's 2FA secret"),
            (users, "read", mia.ids, ["totp_secret"], "own 2FA secret"),
            (users, "read", mia.ids, ["totp_last_counter"], "own 2FA counter"),
            (users, "read", otto.ids, ["totp_secret"], "other's 2FA secret"),
            # Saved payment methods
            (tokens, "create", [], self.token_values, "new method for self"),
            (tokens, "write", self.mia_token.ids, {"active": False}, "own method"),
            (
                tokens,
                "write",
                self.mia_token.ids,
                {"partner_id": otto.partner_id.id},
                "own method: give away",
            ),
            (tokens, "write", self.otto_token.ids, {"active": False}, "other's method"),
            (tokens, "unlink", self.mia_token.ids, None, "own method"),
            (
                tokens,
                "read",
                self.otto_token.ids,
                ["payment_details"],
                "other's method",
            ),
            (
                tokens,
                "search_read",
                [],
                [("partner_id", "=", otto.partner_id.id)],
                "other's methods",
            ),
            # Recovery codes (the module's model)
            (
                codes,
                "create",
                [],
                {"user_id": mia.id, "code_hash": "forged"},
                "new code for self",
            ),
            (codes, "read", self.mia_codes[:1].ids, ["code_hash"], "own code hash"),
            (codes, "read", self.mia_codes[:1].ids, ["used_date"], "own code"),
            (codes, "search_read", [], [("user_id", "=", mia.id)], "own codes"),
            (codes, "write", self.mia_codes[:1].ids, {"used_date": False}, "own code"),
            (codes, "unlink", self.mia_codes.ids, None, "own codes"),
            (codes, "read", self.otto_codes[:1].ids, ["code_hash"], "other's code"),
            # History (chatter)
            (
                "mail.message",
                "read",
                self.otto_comment.ids,
                ["body"],
                "other customer's message",
            ),
            (
                "mail.message",
                "read",
                self.otto_note.ids,
                ["body"],
                "other customer's note",
            ),
            (
                "mail.message",
                "search_read",
                [],
                [("model", "=", "res.partner"), ("res_id", "=", otto.partner_id.id)],
                "other customer's history",
            ),
            (
                "mail.message",
                "read",
                self.mia_note.ids,
                ["body"],
                "internal note on own contact",
            ),
            (
                "mail.message",
                "search_read",
                [],
                [("model", "=", "res.partner"), ("res_id", "=", mia.partner_id.id)],
                "internal notes on own contact",
            ),
            (
                "mail.message",
                "read",
                self.colin_note.ids,
                ["body"],
                "internal note on colleague",
            ),
            (
                "mail.message",
                "write",
                self.mia_note.ids,
                {"body": "Nothing happened"},
                "own security note (as author)",
            ),
            (
                "mail.message",
                "write",
                self.otto_comment.ids,
                {"body": "Hacked"},
                "other customer's message",
            ),
            ("mail.message", "unlink", self.mia_note.ids, None, "own security note"),
            # The module's access fields are for staff: a customer must not
            # learn who of their colleagues is an employee or was revoked.
            (
                "res.partner",
                "read",
                self.colin.ids,
                ["portal_access_state", "portal_access_revoke_date"],
                "colleague's portal access",
            ),
            (
                "res.partner",
                "search_read",
                [],
                [("portal_access_state", "=", "internal")],
                "employees by access status",
            ),
            # Searching a document through its messages skips core's message
            # checks: the text of internal notes must not be testable.
            (
                "res.partner",
                "search_read",
                [],
                [
                    ("id", "=", mia.partner_id.id),
                    ("message_ids.body", "ilike", "Two-factor"),
                ],
                "own contact by internal note",
            ),
            (
                "res.partner",
                "search_read",
                [],
                [
                    ("id", "=", self.colin.id),
                    ("message_ids.body", "ilike", "Petra"),
                ],
                "colleague by internal note",
            ),
            (
                "res.partner",
                "search_read",
                [],
                [
                    ("id", "=", mia.partner_id.id),
                    ("website_message_ids.body", "ilike", "Two-factor"),
                ],
                "own contact by portal messages",
            ),
            # The module's popups (staff only)
            (
                "portal.login.change",
                "create",
                [],
                {"user_id": mia.id, "new_login": "mia2@acme.example.com"},
                "own login change",
            ),
            (
                "portal.login.change",
                "read",
                self.login_change.ids,
                ["new_login"],
                "staff's",
            ),
            (
                "portal.wizard",
                "create",
                [],
                {"partner_ids": [(6, 0, self.colin.ids)]},
                "new popup",
            ),
            ("portal.wizard", "read", self.popup.ids, ["partner_ids"], "staff's popup"),
            (
                "portal.wizard.user",
                "write",
                self.popup_line.ids,
                {"email": "x@evil.com"},
                "staff's popup line",
            ),
        ]

    def orm_call(self, user, model, method, ids, payload):
        """Call ``method`` as ``user`` through the ORM."""
        records = self.env[model].with_user(user).browse(ids)
        if method == "create":
            return records.create(payload).ids
        if method == "write":
            return records.write(payload)
        if method == "unlink":
            return records.unlink()
        if method == "read":
            return records.read(payload)
        return records.search_read(payload, ["id"])

    @staticmethod
    def rpc_arguments(method, ids, payload):
        """``(args, kwargs)`` of ``execute_kw`` and ``call_kw``."""
        if method == "create":
            return [payload], {}
        if method == "search_read":
            return [], {"domain": payload, "fields": ["id"]}
        if method == "unlink":
            return [ids], {}
        return [ids, payload], {}

    @staticmethod
    def json2_body(method, ids, payload):
        if method == "create":
            return {"vals_list": [payload]}
        if method == "search_read":
            return {"domain": payload, "fields": ["id"]}
        if method == "unlink":
            return {"ids": ids}
        if method == "read":
            return {"ids": ids, "fields": payload}
        return {"ids": ids, "vals": payload}

    # -- what the data looks like -------------------------------------------------

    def snapshot(self):
        """Everything an attempt could have changed, read as superuser."""
        # Pending precommit work of the set-up (tracking messages) first.
        self.env.cr.flush()
        self.env.invalidate_all()
        env = self.env(su=True, context={"active_test": False})
        partners = (
            self.mia.partner_id
            | self.otto.partner_id
            | self.colin
            | self.acme
            | self.globex
        )
        users = self.mia | self.otto
        tokens = self.mia_token | self.otto_token
        codes = self.mia_codes | self.otto_codes
        return {
            "counts": {
                model: env[model].search_count([])
                for model in (
                    "res.partner",
                    "res.users",
                    "payment.token",
                    "portal_access.recovery.code",
                    "portal.login.change",
                    "portal.wizard",
                    "mail.message",
                )
            },
            "partners": partners.with_env(env).read(
                ["name", "email", "vat", "parent_id", "active"]
            ),
            "users": users.with_env(env).read(
                ["login", "name", "email", "active", "group_ids", "totp_enabled"]
            ),
            "totp": [
                (user.totp_secret, user.totp_last_counter)
                for user in users.with_env(env)
            ],
            "tokens": tokens.with_env(env).read(
                ["partner_id", "active", "payment_details"]
            ),
            "codes": codes.with_env(env).read(["user_id", "code_hash", "used_date"]),
            "messages": (
                self.otto_comment | self.otto_note | self.mia_note | self.colin_note
            )
            .with_env(env)
            .read(["body"]),
            "popups": [
                self.login_change.with_env(env).new_login,
                self.popup_line.with_env(env).email,
            ],
        }


@tagged("post_install", "-at_install")
class TestSecurityAccessMatrix(AccessMatrixCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The most exposed configuration: portal users may create API keys.
        cls.env["ir.config_parameter"].set_param("portal.allow_api_keys", True)
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.mia)
            ._generate("rpc", "access matrix", datetime.now() + timedelta(hours=12))
        )

    # -- one attempt through each channel ---------------------------------------

    def refusal(self, channel, model, method, ids, payload):
        """Make the attempt; return how it was refused, or ``None`` when it
        went through."""
        if channel == "orm":
            try:
                with self.env.cr.savepoint():
                    result = self.orm_call(self.mia, model, method, ids, payload)
            except AccessError:
                return "AccessError"
            return "nothing found" if method == "search_read" and not result else None
        if channel == "call_kw":
            args, kwargs = self.rpc_arguments(method, ids, payload)
            body = post_call_kw(self, model, method, args, kwargs).json()
            if "error" in body:
                name = body["error"]["data"]["name"]
                return (
                    "AccessError"
                    if name == "odoo.exceptions.AccessError"
                    else f"other error {name}"
                )
            result = body["result"]
            return "nothing found" if method == "search_read" and not result else None
        if channel == "json2":
            response = self.url_open(
                f"/json/2/{model}/{method}",
                data=json.dumps(self.json2_body(method, ids, payload)),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"bearer {self.api_key}",
                },
            )
            if response.status_code == 403:
                return f"403 {response.json()['name'].rsplit('.', 1)[-1]}"
            if response.status_code != 200:
                return f"other error {response.status_code}"
            result = response.json()
            return "nothing found" if method == "search_read" and not result else None
        args, kwargs = self.rpc_arguments(method, ids, payload)
        try:
            result = self.xmlrpc_object.execute_kw(
                get_db_name(), self.mia.id, PASSWORD, model, method, args, kwargs
            )
        except xmlrpc.client.Fault as fault:
            # Odoo's fault code 4 is an AccessError.
            return "AccessError" if fault.faultCode == 4 else f"fault {fault.faultCode}"
        return "nothing found" if method == "search_read" and not result else None

    @mute_logger(
        "odoo.http",
        "odoo.addons.base.models.ir_model",
        "odoo.addons.base.models.ir_rule",
        "odoo.addons.rpc.controllers.xmlrpc",
        "odoo.models",
    )
    def test_portal_user_cannot_change_or_peek(self):
        before = self.snapshot()
        self.authenticate(self.mia.login, PASSWORD)
        rows, allowed = [], []
        for number, (model, method, ids, payload, target) in enumerate(
            self.attempts(), start=1
        ):
            for channel in CHANNELS:
                outcome = self.refusal(channel, model, method, ids, payload)
                refused = outcome is not None and (
                    outcome.startswith(("AccessError", "403 AccessError"))
                    or outcome == "nothing found"
                )
                shown = outcome if refused else f"ALLOWED: {outcome}"
                rows.append(
                    f"| {number:>3} | {channel:<7} | {model:<27} | {method:<11} "
                    f"| {target:<30} | {shown} |"
                )
                if not refused:
                    allowed.append(rows[-1])
        header = [
            (
                "| #   | channel | model                       | operation   "
                "| target                         | outcome |"
            ),
            (
                "|-----|---------|-----------------------------|-------------"
                "|--------------------------------|---------|"
            ),
        ]
        _logger.info(
            "Access matrix of the portal user %s (%s attempts, %s refused):\n%s",
            self.mia.login,
            len(rows),
            len(rows) - len(allowed),
            "\n".join(header + rows),
        )
        self.assertFalse(allowed, "\n".join(["Went through:", *allowed]))
        self.assertEqual(self.snapshot(), before, "the data did not change")

    @mute_logger("odoo.http")
    def test_portal_user_cannot_open_the_staff_popups(self):
        """The defaults of the staff popups (asked before any record exists,
        so not covered by the ORM's create right) named users and told who
        is internal or revoked, or listed another customer's contacts."""
        self.authenticate(self.mia.login, PASSWORD)
        for model, fields, context in (
            (
                "portal.login.change",
                ["user_id"],
                {"active_model": "res.users", "active_ids": self.otto.ids},
            ),
            (
                "portal.login.change",
                ["user_id"],
                {"active_model": "res.partner", "active_ids": self.colin.ids},
            ),
            (
                "portal.wizard",
                ["partner_ids", "user_ids"],
                {"active_model": "res.partner", "active_ids": self.globex.ids},
            ),
        ):
            with self.subTest(model=model, context=context):
                response = post_call_kw(
                    self, model, "default_get", [fields], {"context": context}
                )
                body = response.json()
                self.assertIn("error", body, body.get("result"))
                self.assertEqual(
                    body["error"]["data"]["name"], "odoo.exceptions.AccessError"
                )
                for name in (self.otto.name, self.colin.name):
                    self.assertNotIn(name, response.text)


@tagged("post_install", "-at_install")
class TestSecurityRulesHold(AccessMatrixCase):
    """The rules hold whatever another installed module grants to portal
    users, and the one thing core lets them write is what core says."""

    PROTECTED = (
        "res.partner",
        "res.users",
        "payment.token",
        "portal_access.recovery.code",
        "portal.login.change",
        "portal.wizard",
        "portal.wizard.user",
    )

    def grant_everything_to_portal(self):
        """What a careless module could add: full access rights and an
        allow-all record rule for the portal group on every protected model."""
        group_portal = self.env.ref("base.group_portal")
        for model in self.PROTECTED:
            ir_model = self.env["ir.model"]._get(model)
            self.env["ir.model.access"].create(
                {
                    "name": f"careless {model}",
                    "model_id": ir_model.id,
                    "group_id": group_portal.id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                    "perm_unlink": True,
                }
            )
            self.env["ir.rule"].create(
                {
                    "name": f"careless {model}",
                    "model_id": ir_model.id,
                    "groups": [Command.link(group_portal.id)],
                    "domain_force": "[(1, '=', 1)]",
                }
            )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_rules_hold_when_another_module_grants_everything(self):
        self.grant_everything_to_portal()
        before = self.snapshot()
        attempts = [
            attempt
            for attempt in self.attempts()
            if attempt[1] in ("create", "write", "unlink")
            and attempt[0] in self.PROTECTED
        ]
        attempts += [
            (
                "portal.wizard.user",
                "action_grant_access",
                self.popup_line.ids,
                None,
                "staff's popup: grant",
            ),
        ]
        went_through = []
        for model, method, ids, payload, target in attempts:
            with self.subTest(model=model, method=method, target=target):
                try:
                    with self.env.cr.savepoint():
                        if method == "action_grant_access":
                            self.env[model].with_user(self.mia).browse(
                                ids
                            ).action_grant_access()
                        else:
                            self.orm_call(self.mia, model, method, ids, payload)
                except AccessError:
                    continue
                went_through.append(f"{method} {model} ({target})")
        self.assertFalse(went_through)
        self.assertEqual(self.snapshot(), before)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_a_portal_group_rule_would_not_hold(self):
        """Why the module's rules are global: Odoo ORs the rules of a user's
        groups, so a "deny" rule on the portal group is cancelled by payment's
        own rule for the same group; only a global rule (ANDed) holds."""
        self.grant_everything_to_portal()
        self.env.ref("portal_access.payment_token_rule_portal_readonly").active = False
        self.env["ir.rule"].create(
            {
                "name": "portal group deny",
                "model_id": self.env["ir.model"]._get("payment.token").id,
                "groups": [Command.link(self.env.ref("base.group_portal").id)],
                "domain_force": "[(0, '=', 1)]",
                "perm_read": False,
            }
        )
        token = self.mia_token.with_user(self.mia)
        token.write({"payment_details": "9999"})
        self.assertEqual(token.sudo().payment_details, "9999", "the group rule failed")

        self.env.ref("portal_access.payment_token_rule_portal_readonly").active = True
        with self.assertRaises(AccessError):
            token.write({"payment_details": "0000"})

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_core_exception_own_user_preferences(self):
        """The one change core lets a portal user make through the ORM/RPC:
        the fields of ``SELF_WRITEABLE_FIELDS`` on their own user (core writes
        them as superuser, base's test_self_writeable_fields requires it).
        Anything else on their user, and anything on another user, is
        refused."""
        writeable = set(self.env["res.users"].SELF_WRITEABLE_FIELDS)
        _logger.info(
            "Fields a portal user may write on their own user (core's "
            "SELF_WRITEABLE_FIELDS): %s",
            ", ".join(sorted(writeable)),
        )
        self.assertLessEqual(
            {
                # base
                "signature",
                "action_id",
                "company_id",
                "email",
                "name",
                "image_1920",
                "lang",
                "tz",
                "api_key_ids",
                "phone",
                # mail
                "notification_type",
                "out_of_office_from",
                "out_of_office_to",
                "out_of_office_message",
            },
            writeable,
            "the documented exception (README) lists these fields",
        )
        me = self.mia.with_user(self.mia)
        me.write({"lang": "en_US", "tz": "Europe/Amsterdam", "phone": "+31 6 1"})
        self.assertEqual(self.mia.tz, "Europe/Amsterdam")
        for values in (
            {"login": "x@example.com"},
            {"lang": "en_US", "login": "x@example.com"},
            {"totp_secret": False},
            {"partner_id": self.otto.partner_id.id},
            {"share": False},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                me.write(values)
        with self.assertRaises(AccessError):
            self.otto.with_user(self.mia).write({"tz": "UTC"})
