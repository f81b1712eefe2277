"""Helpers of the portal controllers (no routes here)."""

# Names of core's internal arguments that the address routes pass their
# query string or form on to (``**form_data``): posted as a field, each one
# was a server error (argument given twice) or, for
# ``verify_address_values``, switched off every check of the form.
PORTAL_ACCESS_RESERVED_FORM_KEYS = frozenset(
    {"partner_sudo", "address_values", "verify_address_values", "form_data"}
)
# The address types of core's address form.
PORTAL_ACCESS_ADDRESS_TYPES = ("billing", "delivery")


def drop_reserved_keys(params):
    """Remove from ``params`` (in place) what no form of ours sends but core's
    internal arguments are named after; return ``params``."""
    for key in PORTAL_ACCESS_RESERVED_FORM_KEYS.intersection(params):
        params.pop(key)
    return params


def is_ascii_number(value):
    """Whether ``value`` is written with the digits 0-9 only (``str.isdigit``
    also takes "²" or "٣", which ``int()`` refuses or reads)."""
    return value.isascii() and value.isdigit()
