"""Fixtures shared by the tests under tests/accounts/ (each part adds its own import line)."""

# OIDC part: registered clients, units, a local back-channel logout receiver, cheap hashing.
from tests.accounts.oidc_support import (  # noqa: F401
    close_http_sessions,
    fast_password_hashing,
    issuer_from_request,
    logout_receiver,
    make_app,
    units,
)
