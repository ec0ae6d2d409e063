"""QuickBooks Online: OAuth 2.0, token store, and the async client (imports nothing else of qbtui but the
bottom modules: qbtui.private, which writes its private files; qbtui.errors, the error base and fault codes;
qbtui.limits, QBO's rate limits)."""

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
