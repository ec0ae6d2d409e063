"""QuickBooks Online: OAuth 2.0, token store, and the async client (imports nothing else of qbtui but the
bottom modules: qbtui.private, which writes its private files; qbtui.errors, the error base and fault codes;
qbtui.limits, QBO's rate limits).

The names below are loaded on first use (PEP 562): a command that only catches a ``QBOFault`` imports
``qbo.errors``, not the HTTP client and the OAuth library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qbtui.lazy import attribute_loader

if TYPE_CHECKING:
    from .client import BatchItem, BatchResult, ClientStats, QBOClient, batch_request_id, request_id
    from .environment import PRODUCTION, SANDBOX, SCOPE, Environment, InsecureURL, require_secure, resolve_environment
    from .errors import (
        CompanyFault,
        CompanyUnavailable,
        QBOFault,
        ReconnectRequired,
        UnknownOutcome,
        WritesRefused,
        parse_fault,
    )
    from .oauth import authorization_url, check_realm_id, exchange_code, parse_redirect, revoke
    from .throttle import Limits, Throttle  # Limits: qbtui.limits, the one declaration
    from .tokens import Tokens, TokenStore

__all__ = [
    "BatchItem", "BatchResult", "ClientStats", "CompanyFault", "CompanyUnavailable", "Environment", "InsecureURL", "Limits", "PRODUCTION", "QBOClient",
    "QBOFault", "ReconnectRequired", "SANDBOX", "SCOPE", "Throttle", "TokenStore", "Tokens", "UnknownOutcome",
    "WritesRefused", "authorization_url", "batch_request_id", "check_realm_id", "exchange_code", "parse_fault",
    "parse_redirect", "request_id", "require_secure", "resolve_environment", "revoke",
]

_WHERE = {
    **dict.fromkeys(("BatchItem", "BatchResult", "ClientStats", "QBOClient", "batch_request_id", "request_id"), "client"),
    **dict.fromkeys(("PRODUCTION", "SANDBOX", "SCOPE", "Environment", "InsecureURL", "require_secure",
                     "resolve_environment"), "environment"),
    **dict.fromkeys(("CompanyFault", "CompanyUnavailable", "QBOFault", "ReconnectRequired", "UnknownOutcome",
                     "WritesRefused", "parse_fault"), "errors"),
    **dict.fromkeys(("authorization_url", "check_realm_id", "exchange_code", "parse_redirect", "revoke"), "oauth"),
    **dict.fromkeys(("Limits", "Throttle"), "throttle"),
    **dict.fromkeys(("Tokens", "TokenStore"), "tokens"),
}


__getattr__ = attribute_loader(__name__, _WHERE)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
