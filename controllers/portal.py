import json
import logging
import re
from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import str2bool

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.res_users import PORTAL_ACCESS_MAX_LENGTHS
from .common import PORTAL_ACCESS_ADDRESS_TYPES, drop_reserved_keys, is_ascii_number

_logger = logging.getLogger(__name__)

# Largest id PostgreSQL stores in an ``integer`` column: anything above can
# only come from a forged request and would crash the query.
_MAX_ID = 2**31 - 1


# Characters no address field may hold: PostgreSQL refuses NUL outright, the
# other control characters only serve to hide text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# One-line fields (names, streets, emails) hold no line breaks or tabs either:
# a name with a line break ends up in mail headers ("Name <email>").
_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
# Session key of a rejected address form submitted without JavaScript, read
# back once by the page the customer is sent back to.
_FORM_FLASH_KEY = "portal_access_address_form"


class PortalAccessCustomerPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Dashboard (/my)
    # ------------------------------------------------------------------

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        if getattr(response, "qcontext", None) is not None:
            response.qcontext.update(self._portal_access_prepare_account_area_values())
        return response

    def _portal_access_prepare_account_area_values(self):
        """Values of the "Account" area of ``/my``: the cards that are not
        documents (details, addresses, security, payment methods).

        :rtype: dict
        """
        user_sudo = request.env.user  # env.user is always sudoed
        return {
            "portal_access_totp_enabled": bool(user_sudo.totp_enabled),
            "portal_access_show_payment_card": self._portal_access_show_payment_card(
                user_sudo.partner_id
            ),
        }

    def _portal_access_show_payment_card(self, partner_sudo):
        """Whether the Payment methods card is shown: the customer has saved
        methods, or an enabled provider can save new ones (core's rule).

        :param res.partner partner_sudo: the customer
        :rtype: bool
        """
        Token = request.env["payment.token"]
        # sudo: colleagues' tokens are hidden by record rules, they count as
        # shared; the domain keeps the search inside the customer's company
        if Token.sudo().search_count(
            Token._portal_access_get_portal_tokens_domain(partner_sudo), limit=1
        ):
            return True
        # sudo: providers and methods are configuration portal users cannot read
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                request.env.company.id,
                partner_sudo.id,
                0.0,
                force_tokenization=True,
                is_validation=True,
            )
        )
        return bool(
            providers_sudo
            and request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids, partner_sudo.id, force_tokenization=True
            )
        )

    @http.route()
    def counters(self, counters=None, **kwargs):
        # Core and every module's _prepare_home_portal_values test names with
        # ``in counters``: anything but a list of names (a number, null) was a
        # server error.
        if not isinstance(counters, list):
            counters = []
        return super().counters(
            [name for name in counters if isinstance(name, str)], **kwargs
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "payment_token_count" in counters:
            partner_sudo = request.env.user.partner_id
            Token = request.env["payment.token"]
            # sudo: shared tokens of colleagues are counted too; the domain
            # limits the search to the customer's own company tree
            values["payment_token_count"] = Token.sudo().search_count(
                Token._portal_access_get_portal_tokens_domain(partner_sudo)
            )
        return values

    # ------------------------------------------------------------------
    # Details (/my/account) and address forms (/my/address)
    # ------------------------------------------------------------------

    @http.route()
    def portal_address(
        self,
        partner_id=None,
        address_type="billing",
        use_delivery_as_billing=False,
        **query_params,
    ):
        if address_type not in PORTAL_ACCESS_ADDRESS_TYPES:
            address_type = "billing"
        return super().portal_address(
            partner_id=self._portal_access_parse_id(partner_id),
            address_type=address_type,
            use_delivery_as_billing=self._portal_access_parse_bool(
                use_delivery_as_billing
            ),
            **drop_reserved_keys(query_params),
        )

    @http.route()
    def portal_address_submit(self, partner_id=None, **form_data):
        """Keep core's JSON answer for the address form's JavaScript, and
        complete the flow in the browser when the form was posted without it:
        redirect on success, otherwise send the customer back to the form with
        the messages and what they typed.
        """
        from_page = self._portal_access_is_page_submission(form_data)
        partner_id = self._portal_access_parse_id(partner_id)
        drop_reserved_keys(form_data)
        if "use_delivery_as_billing" in form_data:
            form_data["use_delivery_as_billing"] = self._portal_access_parse_bool(
                form_data["use_delivery_as_billing"]
            )
        if form_data.get("address_type", "billing") not in PORTAL_ACCESS_ADDRESS_TYPES:
            # Core only types billing and delivery addresses: any other value
            # made a new "contact" person in the customer's company.
            feedback = {
                "invalid_fields": [],
                "messages": [request.env._("Choose a billing or a delivery address.")],
            }
            if not from_page:
                return json.dumps(feedback)
            return self._portal_access_redirect_to_form(partner_id, form_data, feedback)
        response = super().portal_address_submit(partner_id=partner_id, **form_data)
        if not from_page or getattr(response, "is_qweb", False):
            return response
        try:
            feedback = json.loads(
                response
                if isinstance(response, str)
                else response.get_data(as_text=True)
            )
        except ValueError:
            return response
        if "redirectUrl" in feedback:
            return request.redirect(feedback["redirectUrl"] or "/my", local=True)
        return self._portal_access_redirect_to_form(partner_id, form_data, feedback)

    def _portal_access_is_page_submission(self, form_data):
        """Whether the address form was posted by the browser itself (no
        JavaScript) rather than by core's form script, which expects JSON.

        The form carries a marker inside ``<noscript>``, which browsers only
        submit when scripts are off; the ``Sec-Fetch-Dest`` header tells the
        same in browsers that send it.
        """
        marker = form_data.pop("portal_access_no_js", None)
        return (
            bool(marker)
            or request.httprequest.headers.get("Sec-Fetch-Dest") == "document"
        )

    def _portal_access_redirect_to_form(self, partner_id, form_data, feedback):
        """Send the customer back to the form they posted (post/redirect/get),
        keeping their input and the messages in the session for one display.
        """
        callback = form_data.get("callback") or ""
        current_partner = request.env.user.partner_id
        request.session[_FORM_FLASH_KEY] = {
            "partner_id": partner_id or False,
            "values": {
                key: value
                for key, value in form_data.items()
                if isinstance(value, str) and key not in ("csrf_token",)
            },
            "invalid_fields": list(feedback.get("invalid_fields") or []),
            "messages": [str(message) for message in feedback.get("messages") or []],
        }
        if partner_id and partner_id == current_partner.id:
            query = {"redirect": callback} if callback and callback != "/my" else {}
            return request.redirect_query("/my/account", query=query)
        query = {
            "address_type": form_data.get("address_type") or "billing",
            "use_delivery_as_billing": form_data.get("use_delivery_as_billing")
            or "false",
        }
        if partner_id:
            query["partner_id"] = partner_id
        if callback:
            query["callback"] = callback
        return request.redirect("/my/address?" + urlencode(query))

    def _prepare_address_form_values(self, partner_sudo, *args, **kwargs):
        # ``callback`` comes from the query string (/my/address?callback=,
        # /my/account?redirect=) and becomes the form's "Discard" link: only
        # a page of this site, so that a link cannot send the customer to
        # another site from our page.
        if "callback" in kwargs:
            kwargs["callback"] = self._portal_access_local_url(kwargs["callback"])
        values = super()._prepare_address_form_values(partner_sudo, *args, **kwargs)
        flash = request.session.pop(_FORM_FLASH_KEY, None)
        if flash and (flash.get("partner_id") or False) == (partner_sudo.id or False):
            self._portal_access_apply_form_flash(values, flash)
        return values

    def _portal_access_apply_form_flash(self, values, flash):
        """Show a rejected submission again: the customer's input, the fields
        in error and the messages.
        """
        form_values = flash.get("values") or {}
        country_sudo = request.env["res.country"].sudo()
        country_id = self._portal_access_parse_id(
            form_values.get("country_id"), strict=False
        )
        if country_id:
            country_sudo = country_sudo.browse(country_id).exists()
        if country_sudo:
            address_fields = country_sudo.get_address_fields()
            values.update(
                country=country_sudo,
                country_states=country_sudo.state_ids,
                zip_before_city=(
                    "zip" in address_fields
                    and address_fields.index("zip") < address_fields.index("city")
                ),
            )
        state_id = self._portal_access_parse_id(
            form_values.get("state_id"), strict=False
        )
        values.update(
            state_id=state_id or False,
            portal_access_form_values=form_values,
            portal_access_invalid_fields=flash.get("invalid_fields") or [],
            portal_access_error_messages=flash.get("messages") or [],
        )

    def _create_or_update_address(self, partner_sudo, *args, **kwargs):
        """Write the address in a savepoint: a constraint that fails while
        writing becomes a message on the form instead of an error page and a
        half-written partner.
        """
        if "callback" in kwargs:
            # The page to go to after saving: only a page of this site (see
            # _prepare_address_form_values); core's default otherwise.
            callback = self._portal_access_local_url(kwargs.pop("callback"))
            if callback:
                kwargs["callback"] = callback
        try:
            with request.env.cr.savepoint():
                return super()._create_or_update_address(partner_sudo, *args, **kwargs)
        except UserError as error:  # ValidationError included
            return partner_sudo, {
                "invalid_fields": [],
                "messages": [str(error.args[0])],
            }

    def _validate_address_values(
        self,
        address_values,
        partner_sudo,
        address_type,
        use_delivery_as_billing,
        required_fields,
        **kwargs,
    ):
        invalid_fields, messages = self._portal_access_check_references(address_values)
        if invalid_fields:
            # Only a forged or outdated form refers to records that do not
            # exist; core's checks would trip over them, so stop here.
            return invalid_fields, set(), messages
        invalid_fields, missing_fields, error_messages = (
            super()._validate_address_values(
                address_values,
                partner_sudo,
                address_type,
                use_delivery_as_billing,
                required_fields,
                **kwargs,
            )
        )
        for field_name, message in self._portal_access_check_address_values(
            address_values, partner_sudo
        ):
            invalid_fields.add(field_name)
            error_messages.append(message)
        return invalid_fields, missing_fields, error_messages

    def _parse_form_data(self, form_data):
        raw_values = dict(form_data)
        # Core reads a many2one value as an id when ``str.isdigit()`` says it
        # is a number, which it also says of "²" (then ``int()`` fails with a
        # server error): core only gets ids written with the digits 0-9, any
        # other value is not an id.
        partner_fields = request.env["res.partner"]._fields
        for key, value in form_data.items():
            if (
                isinstance(value, str)
                and key in partner_fields
                and partner_fields[key].type == "many2one"
                and value.strip().isdigit()
                and not is_ascii_number(value.strip())
            ):
                form_data[key] = f"not an id: {value}"
        address_values, extra_form_data = super()._parse_form_data(form_data)
        # Core turns a country or state that is not a number into "empty";
        # keep what was posted so that validation refuses it instead.
        for field_name in ("country_id", "state_id"):
            raw = raw_values.get(field_name)
            if (
                field_name in address_values
                and isinstance(raw, str)
                and raw.strip()
                and not self._portal_access_parse_id(raw, strict=False)
            ):
                address_values[field_name] = raw.strip()
        return address_values, extra_form_data

    def _portal_access_check_references(self, address_values):
        """Check that the country and state posted exist.

        :return: the invalid fields and their messages
        :rtype: tuple[set, list]
        """
        env = request.env
        invalid_fields, messages = set(), []
        # The messages are built apart: Odoo's term extractor would take a
        # tuple opened right after a translated string for another term.
        country_message = env._("Choose a country from the list.")
        state_message = env._("Choose a state from the list.")
        checks = (
            ("country_id", "res.country", country_message),
            ("state_id", "res.country.state", state_message),
        )
        for field_name, model, message in checks:
            value = address_values.get(field_name)
            if not value:
                continue
            record_id = self._portal_access_parse_id(value, strict=False)
            # sudo: countries and states are reference data, only existence matters
            if not record_id or not env[model].sudo().browse(record_id).exists():
                invalid_fields.add(field_name)
                messages.append(message)
        return invalid_fields, messages

    def _portal_access_get_max_lengths(self):
        """Longest value accepted per address field, for fields without a
        ``size`` of their own (res.partner's are unbounded ``varchar``).

        :return: field name -> number of characters
        :rtype: dict
        """
        return dict(PORTAL_ACCESS_MAX_LENGTHS)

    def _portal_access_check_address_values(self, address_values, partner_sudo):
        """Checks core does not make: text that is too long or holds control
        characters, a state outside the chosen country, a company without a
        country.

        :return: ``(field name, message)`` pairs
        :rtype: list
        """
        env = request.env
        Partner = env["res.partner"]
        problems = []
        max_lengths = self._portal_access_get_max_lengths()
        for field_name, value in address_values.items():
            field = Partner._fields.get(field_name)
            if (
                not isinstance(value, str)
                or not field
                or field.type not in ("char", "text")
            ):
                continue
            label = field._description_string(env)
            limit = field.size or max_lengths.get(field_name, 256)
            forbidden = (
                _SINGLE_LINE_FORBIDDEN if field.type == "char" else _CONTROL_CHARS
            )
            if forbidden.search(value):
                problems.append(
                    (
                        field_name,
                        env._(
                            "%(field)s contains characters that are not allowed.",
                            field=label,
                        ),
                    )
                )
            elif len(value) > limit:
                problems.append(
                    (
                        field_name,
                        env._(
                            "%(field)s is too long: at most %(limit)s characters are "
                            "allowed.",
                            field=label,
                            limit=limit,
                        ),
                    )
                )

        def current(field_name):
            if field_name in address_values:
                return address_values[field_name]
            return partner_sudo[field_name].id if partner_sudo else False

        # sudo: countries and states are reference data
        country_sudo = env["res.country"].sudo().browse(current("country_id") or [])
        state_sudo = env["res.country.state"].sudo().browse(current("state_id") or [])
        if state_sudo and country_sudo and state_sudo.country_id != country_sudo:
            problems.append(
                (
                    "state_id",
                    env._(
                        "%(state)s is not in %(country)s: choose a state of "
                        "%(country)s.",
                        state=state_sudo.name,
                        country=country_sudo.name,
                    ),
                )
            )
        elif state_sudo and not country_sudo:
            problems.append(
                (
                    "country_id",
                    env._("Choose the country of %(state)s.", state=state_sudo.name),
                )
            )
        if address_values.get("company_name") and not country_sudo:
            problems.append(
                (
                    "country_id",
                    env._(
                        "A company needs a country: choose the country of %(company)s.",
                        company=address_values["company_name"][:128],
                    ),
                )
            )
        return problems

    # ------------------------------------------------------------------
    # Address archiving without JavaScript
    # ------------------------------------------------------------------

    @http.route()
    def address_archive(self, partner_id=None, **kwargs):
        """Core's archiving route of the address cards' script, which turned
        the id into a number without a check: a missing, non-numeric or
        list id was a server error. It now gets core's refusal."""
        partner_id = self._portal_access_parse_id(partner_id, strict=False)
        if not partner_id:
            raise Forbidden()
        return super().address_archive(partner_id)

    @http.route(
        "/my/address/<int:partner_id>/archive",
        type="http",
        methods=["GET", "POST"],
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_access_address_archive(self, partner_id, **post):
        """Confirmation page (GET) and archiving (POST) of an address; the
        trash icon of an address card leads here when JavaScript is off.
        """
        address_sudo = self._portal_access_get_archivable_address(partner_id)
        if request.httprequest.method == "POST":
            address_sudo.action_archive()
            return request.redirect("/my/addresses")
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "my_addresses",
            "address_sudo": address_sudo,
        }
        return request.render("portal_access.portal_my_address_archive", values)

    def _portal_access_get_archivable_address(self, partner_id):
        """Return the address the current customer may archive, sudoed.

        :raise NotFound: the address does not exist or is not theirs
        :raise Forbidden: it is their main address
        """
        if not 0 < partner_id <= _MAX_ID:
            raise NotFound()
        # sudo: ownership is checked right below with core's rule
        address_sudo = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not address_sudo or not address_sudo.active:
            raise NotFound()
        if not address_sudo._can_be_edited_by_current_customer():
            raise NotFound()
        if address_sudo == request.env.user.partner_id:
            raise Forbidden()
        return address_sudo

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @staticmethod
    def _portal_access_parse_id(value, strict=True):
        """Return ``value`` as a record id, ``None`` when empty.

        :param bool strict: raise NotFound on garbage instead of returning None
        :raise NotFound: ``value`` is not a positive integer PostgreSQL can store
        """
        if value in (None, False, ""):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and is_ascii_number(value.strip()):
            number = int(value.strip())
        else:
            number = 0
        if 0 < number <= _MAX_ID:
            return number
        if strict:
            raise NotFound()
        return None

    @staticmethod
    def _portal_access_local_url(value):
        """Return ``value`` if it is a path on this site (``/my/...``),
        else ``""``: no other site, no scheme (``javascript:``), no
        protocol-relative ``//host`` nor backslashes browsers read as such.
        """
        if not isinstance(value, str):
            return ""
        value = value.strip()
        if (
            not value.startswith("/")
            or value.startswith("//")
            or "\\" in value
            # Browsers drop tabs and line breaks inside URLs: "/\t/host"
            # is "//host" to them.
            or re.search(r"[\x00-\x1f\x7f]", value)
        ):
            return ""
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return ""
        return value

    @staticmethod
    def _portal_access_parse_bool(value):
        """``'true'``/``'false'`` as core's address routes expect, whatever
        was posted."""
        if isinstance(value, bool):
            return "true" if value else "false"
        try:
            return "true" if str2bool(str(value or "false")) else "false"
        except ValueError:
            return "false"
