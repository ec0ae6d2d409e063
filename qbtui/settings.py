"""The settings (docs/domain.md#settings): their table, parsing of ``qbtui settings set KEY VALUE``, and a
frozen view with defaults for the ledger and the gates.

Stored values are plain JSON (dates and datetimes as ISO strings). The account mapping is not a
setting of this table: it is stored under its own key ``mapping`` ({role: account Id}), next to
``tax_mapping`` and ``terms_mapping`` ({our name: QBO Id}) and ``tax_defaults`` ({"sales"|"purchase": QBO Id})."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from qbtui.errors import QbtuiError

MAPPING_KEYS = ("mapping", "tax_mapping", "terms_mapping", "tax_defaults")

_ATTRS = tuple(f"{kind}_attribute{i}" for kind in ("customer", "product", "supplier") for i in range(1, 11))
CLASS_SOURCES = ("sales_rep", "location", "job", "category", "brand", "family", *_ATTRS)
LOCATION_SOURCES = ("sales_rep", "location", "job", *(a for a in _ATTRS if not a.startswith("product")))
SYNC_TYPES = ("individual", "daily", "monthly", "no_sync")
SUMMARY_TYPES = ("daily", "monthly")
"""The sync types that post a channel's documents of a period as one summary (qbtui.ledger.summaries)."""
_CHANNEL = re.compile(r"^channel\.(?P<name>[^.\s]+)\.(?P<kind>invoice_sync|cogs_sync|payment_sync)$")
_CHANNEL_CUSTOMER = re.compile(r"^channel\.(?P<name>[^.\s]+)\.summary_customer$")
_KEYMAP = re.compile(r"^keymap\.(?P<id>[a-z][a-z0-9_]*)$")
_KEYS = re.compile(r"^[A-Za-z0-9_+]+(,[A-Za-z0-9_+]+)*$")
_EVERY = re.compile(r"^(?P<n>[1-9]\d*)(?P<unit>[mhd])$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


class SettingError(QbtuiError, ValueError):
    """A key that does not exist, or a value the key does not allow; the message says which."""

    title = "Not a setting qbtui knows"
    hint = "`qbtui settings` lists the keys and their values"


READ_ONLY_MODE = "from_quickbooks"
"""The ``integration_mode`` in which qbtui writes nothing to QuickBooks (the read-only rule:
qbtui.sync.readonly)."""


def is_read_only(store: Any) -> bool:
    """True when the profile (a Cache or a StateReader: anything with ``get_setting``) is set to "From
    QuickBooks only". Here, below the cache's users, so that a reader that must not reach QuickBooks (the
    dashboard's autosync timer) can ask too, or the settings as read (a mapping: the dashboard's status line);
    qbtui.sync.readonly re-exports it with the refusal."""
    mode = store.get("integration_mode") if isinstance(store, Mapping) else store.get_setting("integration_mode")
    return bool(mode == READ_ONLY_MODE)


@dataclass(frozen=True)
class Setting:
    key: str
    type: str  # bool | choice | currency | date | datetime | duration | emails | text | port | keys
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # "none" clears it


_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


def _b(key: str, help: str, default: bool = False) -> Setting:
    return Setting(key, "bool", default, help)


_TABLE = (
    Setting("integration_mode", "choice", None, "both_ways: send to QBO; from_quickbooks: pull reference data, "
            "write nothing (unset until the connect wizard asks; the ledger treats unset as both_ways)",
            ("both_ways", "from_quickbooks"), optional=True),
    Setting("base_currency", "currency", "USD", "the inventory side's currency; must equal QBO's home currency"),
    Setting("filter_start_date", "date", None, "send only transactions dated on or after this day (YYYY-MM-DD)",
            optional=True),
    _b("export_purchase_orders", "send purchase orders as QBO purchase orders"),
    _b("export_quotes", "send sales quotes as QBO estimates"),
    Setting("class_source", "choice", None, "document field sent as the QBO class (per line)", CLASS_SOURCES,
            optional=True),
    Setting("location_source", "choice", None, "document field sent as the QBO location (per document)",
            LOCATION_SOURCES, optional=True),
    _b("import_purchase_invoices", "load bills created in QBO as supplier invoices"),
    _b("auto_receive", "receive stock automatically for bills loaded from QBO"),
    _b("import_sales_invoices", "load invoices created in QBO as sales invoices"),
    Setting("fulfilment_mode", "choice", "manual", "picking, packing and shipping of invoices loaded from QBO",
            ("manual", "auto")),
    _b("import_customers", "load customers created in QBO as customers (qbtui pull)"),
    _b("import_vendors", "load vendors created in QBO as suppliers (qbtui pull)"),
    _b("import_items", "load items created in QBO as products (qbtui pull)"),
    _b("allow_online_payment", "invoices allow online payment"),
    _b("allow_online_credit_card", "invoices allow online credit card payment"),
    _b("allow_online_ach", "invoices allow online ACH (bank transfer) payment"),
    _b("reference_on_statement", "also put the sale reference in 'message on statement' (PrivateNote, searchable)"),
    _b("use_actual_shipment_date", "invoice ship date = actual shipment date when known, else required-by date"),
    Setting("bill_payment_print", "choice", "not_set", "a bill payment's cheque in QBO: not_set (not queued for "
            "printing: CheckPayment.PrintStatus NotSet) or need_to_print (QBO's 'to print' queue, NeedToPrint)",
            ("not_set", "need_to_print")),
    Setting("summary.grace", "duration", "1d", "how long after a summarized period's end (daily or monthly "
            "channel sync) it waits before it is posted, so late orders are in: a number and m, h or d"),
    Setting("autosync.start", "datetime", None, "when autosync starts (ISO date and time)", optional=True),
    Setting("autosync.every", "duration", None, "how often autosync runs: a number and m, h or d (e.g. 15m, 1h, 1d)",
            optional=True),
    Setting("alerts.email", "emails", None, "who gets an email when an autosync fails (comma separated)",
            optional=True),
    Setting("alerts.smtp_host", "text", None, "SMTP server for alert e-mails (e.g. smtp.example.com)", optional=True),
    Setting("alerts.smtp_port", "port", 587, "SMTP port (587 with starttls, 465 with ssl, 25 or any with plain)"),
    Setting("alerts.smtp_security", "choice", "starttls", "SMTP connection security", ("starttls", "ssl", "plain")),
    Setting("alerts.smtp_from", "text", None, "sender address of alert e-mails (default qbtui@<host>)",
            optional=True),
    Setting("alerts.smtp_user", "text", None, "SMTP login user (none: no login)", optional=True),
    Setting("alerts.smtp_password_env", "text", None, "name of the environment variable holding the SMTP "
            "password (the password itself is never stored)", optional=True),
)
SETTINGS: dict[str, Setting] = {s.key: s for s in _TABLE}
"""key -> Setting (type, default, help); ``channel.<name>.invoice_sync`` / ``.cogs_sync`` are
per channel, see :data:`CHANNEL_SETTING`."""

CHANNEL_SETTING = Setting("channel.<name>.invoice_sync|cogs_sync", "choice", "individual",
                          "per sales channel: individual (each document is sent), daily or monthly (the period's "
                          "documents as one summary) or no_sync (skipped)", SYNC_TYPES)
PAYMENT_SETTING = Setting("channel.<name>.payment_sync", "choice", None,
                          "per sales channel: the sync type of payments (and refunds) of its invoices; "
                          "unset: as the channel's invoice_sync", SYNC_TYPES, optional=True)
CUSTOMER_SETTING = Setting("channel.<name>.summary_customer", "text", None,
                           "per sales channel: the QBO customer of its summary invoices (unset: '<name> sales')",
                           optional=True)
KEYMAP_SETTING = Setting("keymap.<binding id>", "keys", None,
                         "the dashboard's key(s) for one action, by the id its help screen shows "
                         "(e.g. keymap.upload_all ctrl+u; several: ctrl+u,f5)", optional=True)


_CHANNEL_KEYS = ("channel.<name>.invoice_sync", "channel.<name>.cogs_sync", "channel.<name>.payment_sync",
                 "channel.<name>.summary_customer")


def setting_for(key: str) -> Setting:
    """The Setting of ``key`` (channel keys included), or SettingError with a did-you-mean."""
    if key in SETTINGS:
        return SETTINGS[key]
    m = _CHANNEL.match(key)
    if m and m["kind"] == "payment_sync":
        return Setting(key, "choice", None, PAYMENT_SETTING.help, SYNC_TYPES, optional=True)
    if m:
        return Setting(key, "choice", "individual", CHANNEL_SETTING.help, SYNC_TYPES)
    if _CHANNEL_CUSTOMER.match(key):
        return Setting(key, "text", None, CUSTOMER_SETTING.help, optional=True)
    if _KEYMAP.match(key):
        return Setting(key, "keys", None, KEYMAP_SETTING.help, optional=True)
    if key in MAPPING_KEYS:
        raise SettingError(f"{key!r} is the account/tax/terms mapping, not a setting: use qbtui map")
    close = difflib.get_close_matches(key, [*SETTINGS, *_CHANNEL_KEYS, "keymap.<binding id>"],
                                      n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise SettingError(f"unknown setting {key!r}{hint}; settings: {', '.join(SETTINGS)}, "
                       f"{', '.join(_CHANNEL_KEYS)}, keymap.<binding id>")


def _parse_bool(s: Setting, text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise SettingError(f"{s.key}: {text!r} is not on or off (write true/false, yes/no, on/off)")


def _parse_choice(s: Setting, text: str) -> str:
    # QBO's own spelling is accepted too: NeedToPrint -> need_to_print
    t = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text.strip()).lower().replace("-", "_").replace(" ", "_")
    if t in s.choices:
        return t
    raise SettingError(f"{s.key}: {text!r} is not allowed; choose one of: {', '.join(s.choices)}")


def _parse_currency(s: Setting, text: str) -> str:
    t = text.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", t):
        return t
    raise SettingError(f"{s.key}: {text!r} is not a 3-letter ISO currency code (e.g. USD, EUR, GBP)")


def _parse_date(s: Setting, text: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise SettingError(f"{s.key}: {text!r} is not a date; write YYYY-MM-DD (e.g. 2026-11-01)") from None


def _parse_datetime(s: Setting, text: str) -> str:
    try:
        return datetime.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise SettingError(f"{s.key}: {text!r} is not a date and time; write e.g. 2026-11-01T06:00") from None


def _parse_duration(s: Setting, text: str) -> str:
    t = text.strip().lower()
    if _EVERY.match(t):
        return t
    raise SettingError(f"{s.key}: {text!r} is not a period; write a number and m, h or d (e.g. 15m, 1h, 1d)")


def _parse_emails(s: Setting, text: str) -> str:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if not _EMAIL.match(p)]
    if not parts or bad:
        raise SettingError(f"{s.key}: {', '.join(bad) or repr(text)} is not an email address")
    return ", ".join(parts)


def _parse_text(s: Setting, text: str) -> str:
    t = text.strip()
    if not t or any(c in t for c in "\r\n\t") or len(t) > 255:
        raise SettingError(f"{s.key}: {text!r} must be one line of at most 255 characters")
    return t


def _parse_keys(s: Setting, text: str) -> str:
    t = text.strip().replace(" ", "")
    if not _KEYS.match(t):
        raise SettingError(f"{s.key}: {text!r} is not a key list: Textual key names joined by commas "
                           "(e.g. ctrl+u or f5,ctrl+u)")
    return t


def _parse_port(s: Setting, text: str) -> int:
    try:
        port = int(str(text).strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise SettingError(f"{s.key}: {text!r} is not a port number (1-65535)")
    return port


_PARSERS: dict[str, Callable[[Setting, str], Any]] = {
    "bool": _parse_bool, "choice": _parse_choice, "currency": _parse_currency, "date": _parse_date,
    "datetime": _parse_datetime, "duration": _parse_duration, "emails": _parse_emails, "text": _parse_text,
    "port": _parse_port, "keys": _parse_keys,
}


def parse_setting(key: str, text: str) -> Any:
    """The value to store for ``qbtui settings set KEY TEXT`` (JSON: str, bool or None).
    ``none`` (or an empty text) clears an optional setting. Raises SettingError."""
    s = setting_for(key)
    if text.strip().lower() in {"", "none", "null", "unset"}:
        if s.optional:
            return None
        raise SettingError(f"{key} cannot be cleared; default: {s.default!r}")
    return _PARSERS[s.type](s, text)


def _validated(key: str, value: Any) -> Any:
    """A stored value checked again (stored by hand or by an older version); SettingError if bad."""
    if value is None:
        return None
    s = setting_for(key)
    if s.type == "bool":
        if isinstance(value, bool):
            return value
        raise SettingError(f"{key}: stored value {value!r} is not true/false")
    return parse_setting(key, str(value))


@dataclass(frozen=True)
class Settings:
    """The settings in force: stored values over defaults. Build with :meth:`from_stored`."""

    integration_mode: str | None = None
    base_currency: str = "USD"
    filter_start_date: date | None = None
    export_purchase_orders: bool = False
    export_quotes: bool = False
    class_source: str | None = None
    location_source: str | None = None
    import_purchase_invoices: bool = False
    auto_receive: bool = False
    import_sales_invoices: bool = False
    fulfilment_mode: str = "manual"
    import_customers: bool = False
    import_vendors: bool = False
    import_items: bool = False
    allow_online_payment: bool = False
    allow_online_credit_card: bool = False
    allow_online_ach: bool = False
    reference_on_statement: bool = False
    use_actual_shipment_date: bool = False
    bill_payment_print: str = "not_set"
    autosync_start: str | None = None
    autosync_every: str | None = None
    alerts_email: str | None = None
    alerts_smtp_host: str | None = None
    alerts_smtp_port: int = 587
    alerts_smtp_security: str = "starttls"
    alerts_smtp_from: str | None = None
    alerts_smtp_user: str | None = None
    alerts_smtp_password_env: str | None = None
    summary_grace: str = "1d"
    channels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    mapping: Mapping[str, str] = field(default_factory=dict)
    tax_mapping: Mapping[str, str] = field(default_factory=dict)
    terms_mapping: Mapping[str, str] = field(default_factory=dict)
    #: the default QBO tax code Ids of lines without a tax code: {"sales": Id, "purchase": Id} (qbtui map --tax-default)
    tax_defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None = None) -> Settings:
        """From ``cache.settings()``; keys this table does not know (connection data and the
        like) are ignored; a known key with a bad value raises SettingError."""
        values: dict[str, Any] = {}
        channels: dict[str, dict[str, str]] = {}
        for key, value in (stored or {}).items():
            m = _CHANNEL.match(key) or _CHANNEL_CUSTOMER.match(key)
            if m and m.re is _CHANNEL_CUSTOMER:
                if value is not None:
                    channels.setdefault(m["name"], {})["summary_customer"] = _validated(key, value)
            elif m:
                if value is not None:
                    channels.setdefault(m["name"], {})[m["kind"]] = _validated(key, value)
            elif key in SETTINGS:
                v = _validated(key, value)
                if v is not None:
                    values[key.replace(".", "_")] = date.fromisoformat(v) if key == "filter_start_date" else v
            elif key in MAPPING_KEYS and isinstance(value, Mapping):
                values[key] = {str(k): str(v) for k, v in value.items() if v is not None}
        return cls(channels=channels, **values)

    @property
    def sends(self) -> bool:
        """False in from_quickbooks mode (write nothing to QBO)."""
        return self.integration_mode != READ_ONLY_MODE

    def channel_sync(self, channel: str | None, kind: str) -> str:
        """``individual``, ``daily``, ``monthly`` or ``no_sync`` for ``kind`` "invoice", "cogs" or "payment" on a
        sales channel; payments (and refunds) follow the invoices unless ``payment_sync`` is set."""
        key = kind if kind.endswith("_sync") else f"{kind}_sync"
        own = self.channels.get(channel or "direct", {})
        if key == "payment_sync" and "payment_sync" not in own:
            key = "invoice_sync"
        return own.get(key, "individual")

    def summary_customer(self, channel: str | None) -> str:
        """The QBO customer (display name) of a summarized channel's summary invoices: ``<channel> sales``."""
        name = channel or "direct"
        return self.channels.get(name, {}).get("summary_customer") or f"{name} sales"

    @property
    def summary_grace_delta(self) -> timedelta:
        """``summary.grace`` as a timedelta (how long after a period's end before it is posted)."""
        return duration(self.summary_grace)


def duration(text: str) -> timedelta:
    """A duration setting's value (``15m``, ``1h``, ``1d``) as a timedelta."""
    m = _EVERY.match(text.strip().lower())
    if not m:
        raise SettingError(f"{text!r} is not a period; write a number and m, h or d (e.g. 15m, 1h, 1d)")
    n = int(m["n"])
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[m["unit"]]


def settings_table(stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows for ``qbtui settings``: key, value in force, default, help (channel keys that are set)."""
    rows = [{"key": s.key, "value": stored.get(s.key, s.default), "default": s.default, "help": s.help}
            for s in _TABLE]
    for key in sorted(k for k in stored if _CHANNEL.match(k) or _CHANNEL_CUSTOMER.match(k)):
        s = setting_for(key)
        rows.append({"key": key, "value": stored[key], "default": s.default, "help": s.help})
    for key in sorted(k for k in stored if _KEYMAP.match(k)):
        rows.append({"key": key, "value": stored[key], "default": None, "help": KEYMAP_SETTING.help})
    return rows


def keymap(stored: Mapping[str, Any]) -> dict[str, str]:
    """The dashboard's remapped keys, {binding id: keys}, from the ``keymap.<binding id>`` settings."""
    return {m["id"]: str(v) for k, v in stored.items() if (m := _KEYMAP.match(k)) and v}


def set_setting(cache: Any, key: str, text: str) -> Any:
    """``qbtui settings set KEY VALUE``: parse (SettingError with what is allowed), store in the
    cache (``cache.set_setting``), and return the stored value."""
    value = parse_setting(key, text)
    cache.set_setting(key, value)
    return value
