"""`/v3/company/{realmId}/...`: the accounting API (a raw ASGI app for a lean hot path)."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import orjson

from . import currency as C, errors as E, query as Q, reports, schema
from .clock import now, parse_datetime, qbo_time, today
from .company import Company
from .entities import PATHS, SPECS
from .faults import drop_connection

log = logging.getLogger("qbtui.sandbox")
JSON = "application/json"
XML = "application/xml"
CDC_MAX_DAYS = 30
CDC_MAX_OBJECTS = 1000


def exact_number(text: str) -> float | Decimal:
    """A JSON number with a fraction, read as QBO reads it: exactly (Intuit's schema types amounts and
    quantities as xs:decimal, which its Java SDK maps to BigDecimal; docs/qbo.md#limits). A float only when it
    is the same number (so amounts stay what they always were); a Decimal when a float would lose digits."""
    value = Decimal(text)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else value


def _decimal_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return orjson.Fragment(format(obj, "f").encode())
    raise TypeError(f"cannot serialize {type(obj).__name__}")


def dumps(obj: Any) -> bytes:
    """orjson, with the exact numbers :func:`exact_number` kept written back with all their digits."""
    return orjson.dumps(obj, default=_decimal_default)


def _json(status: int, body: dict[str, Any]) -> tuple[int, str, bytes]:
    return status, JSON, dumps(body)


def _fault(err: E.QBOError) -> tuple[int, str, bytes]:
    return _json(err.status, err.body())


class Api:
    """Dispatches one request; `state` is the app state (company, tokens, throttle, faults, config)."""

    def __init__(self, state) -> None:
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        st = self.state
        path = scope["path"]
        parts = path.split("/", 4)  # ['', 'v3', 'company', realm, rest]
        if len(parts) < 5 or parts[1] != "v3" or parts[2] != "company":
            await _send(send, *_fault(E.QBOError(10000, "Resource not found", path, status=404)))
            return
        realm, rest = parts[3], parts[4]
        params = parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True)
        is_batch = rest.rstrip("/").lower() == "batch"
        throttle = st.throttle
        if not throttle.enter(is_batch):
            await self._delay()
            await _send(send, 429, XML, E.throttle_xml())
            return
        try:
            body = await _read_body(receive)
            fault = st.faults.decide()
            if fault == "http500":
                await self._delay()
                await _send(send, *_fault(E.application_error("Injected fault (http500)")))
                return
            if fault == "timeout":
                await asyncio.sleep(st.config.fault_hold_s)
                await drop_connection(receive)
                return
            answer = self._authenticate(scope, realm)
            if answer is None and (refused := st.faults.refusal()) is not None:  # a company-wide refusal (faults.py)
                answer = _json(*refused)
            if answer is None:
                request_id = (params.get("requestid") or [None])[0] if scope["method"] == "POST" else None
                cached = st.company.replay_get(request_id) if request_id else None
                if cached is not None:
                    answer = cached
                else:
                    answer = self._dispatch(scope["method"], rest, params, body)
                    if request_id:
                        st.company.replay_put(request_id, *answer)
            await self._delay()
            if fault == "drop_after_commit":
                await drop_connection(receive)
                return
            await _send(send, *answer)
        finally:
            throttle.leave()

    async def _delay(self) -> None:
        ms = self.state.config.latency_ms
        if ms > 0:
            await asyncio.sleep(ms / 1000.0)

    def _authenticate(self, scope, realm: str) -> tuple[int, str, bytes] | None:
        token = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                v = value.decode("latin-1")
                if v[:7].lower() == "bearer ":
                    token = v[7:].strip()
                break
        if not token:
            return 401, JSON, orjson.dumps(E.auth_fault_body("Authorization header missing or not Bearer"))
        reason = self.state.tokens.check_access(token)
        if reason is not None:
            return 401, JSON, orjson.dumps(E.auth_fault_body(reason))
        if realm != self.state.company.realm_id:
            return 403, JSON, orjson.dumps({"Fault": {"Error": [{
                "Message": "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                "Detail": f"This token is not authorized for company {realm}", "code": "3100"}],
                "type": "AUTHENTICATION"}, "time": qbo_time()})
        return None

    # --- routing --------------------------------------------------------------------

    def _dispatch(self, method: str, rest: str, params: dict[str, list[str]], body: bytes) -> tuple[int, str, bytes]:
        try:
            segs = [s for s in rest.split("/") if s]
            head = segs[0].lower() if segs else ""
            company: Company = self.state.company
            if head == "query":
                text = (params.get("query") or [""])[0] if method == "GET" else body.decode()
                return _json(200, {"QueryResponse": self.run_query(text), "time": qbo_time()})
            if head == "cdc" and method == "GET":
                return _json(200, {"CDCResponse": [{"QueryResponse": self.cdc(params)}], "time": qbo_time()})
            if head == "batch" and method == "POST":
                return _json(200, {"BatchItemResponse": self.batch(_parse_json(body)), "time": qbo_time()})
            if head == "exchangerate":  # multicurrency only (currency.py: the rates and their source)
                return _json(200, {"ExchangeRate": self.exchange_rate(method, params, body), "time": qbo_time()})
            if head == "preferences":
                if method == "GET":
                    return _json(200, {"Preferences": company.preferences, "time": qbo_time()})
                prefs = _parse_json(body)
                _check_properties("Preferences", prefs)
                obj = company.update("Preferences", prefs)
                self.state.mark_dirty()
                return _json(200, {"Preferences": obj, "time": qbo_time()})
            if head == "reports" and method == "GET" and len(segs) == 2:  # reports.py: what it serves, its source
                return _json(200, reports.report(company, segs[1], params))
            entity = PATHS.get(head)
            if entity is None:
                raise E.unsupported_operation(f"on resource {head!r}")
            if method == "GET":
                if len(segs) != 2:
                    raise E.unsupported_operation(f"GET {rest}")
                return _json(200, {entity: company.get(entity, segs[1]), "time": qbo_time()})
            if method != "POST" or len(segs) != 1:
                raise E.unsupported_operation(f"{method} {rest}")
            operation = (params.get("operation") or [""])[0].lower()
            include = frozenset(x.strip().lower() for v in params.get("include", []) for x in v.split(","))
            result = self.write(entity, operation, _parse_json(body), include)
            return _json(200, {entity: result, "time": qbo_time()})
        except E.QBOError as err:
            return _fault(err)
        except Exception as exc:  # a sandbox bug: answer as QBO's application error, and say so in the log
            log.exception("sandbox error on %s %s", method, rest)
            return _fault(E.application_error(f"{type(exc).__name__}: {exc}"))

    def write(self, entity: str, operation: str, body: Any, include: frozenset[str]) -> dict:
        if not isinstance(body, dict):
            raise E.unsupported(f"The body of a {entity} request must be a JSON object")
        company: Company = self.state.company
        spec = SPECS[entity]
        self.state.faults.check_write()  # 6190 once the company's subscription has ended (faults.py)
        if operation == "delete":
            result = company.delete(entity, body)
        elif operation == "void":
            if not spec.void:
                raise E.unsupported_operation(f"Void on {entity}")
            result = company.void(entity, body)
        elif operation == "update" and "void" in include:
            if not spec.void_by_update:
                raise E.unsupported_operation(f"Void on {entity}")
            result = company.void(entity, body)
        elif operation not in ("", "create", "update"):
            raise E.unsupported_operation(f"{operation} on {entity}")
        elif body.get("Id") not in (None, "") and operation != "create":
            _check_properties(entity, body)
            result = company.update(entity, body, include=include)
        else:
            _check_properties(entity, body)
            result = company.create(entity, body, include=include)
        self.state.mark_dirty()
        return result

    def exchange_rate(self, method: str, params: dict[str, list[str]], body: bytes) -> dict:
        """``GET exchangerate?sourcecurrencycode=EUR&asofdate=YYYY-MM-DD`` (today without a date) reads the rate into
        the home currency; a POST of ``{"SourceCurrencyCode", "AsOfDate", "Rate"}`` sets it (quickbooks-ruby's
        ExchangeRate service; python-quickbooks' ExchangeRate). Without multicurrency: 6000 (*unverified*)."""
        company: Company = self.state.company
        if not C.enabled(company):
            raise E.business("Multicurrency is not enabled for this company.")
        if method == "GET":
            source = (params.get("sourcecurrencycode") or [""])[0].upper()
            if not source:
                raise E.required_missing("sourcecurrencycode")
            as_of = (params.get("asofdate") or [today()])[0]
            return C.exchange_rate_object(company, source, as_of)
        data = _parse_json(body)
        if not isinstance(data, dict):
            raise E.unsupported("The body of an ExchangeRate request must be a JSON object")
        data = data.get("ExchangeRate", data)
        for key in ("SourceCurrencyCode", "Rate"):
            if data.get(key) in (None, ""):
                raise E.required_missing(key)
        source, as_of = str(data["SourceCurrencyCode"]).upper(), str(data.get("AsOfDate") or today())
        company.exchange_rates[(source, as_of)] = float(Decimal(str(data["Rate"])))
        C.note_currency(company, source)
        self.state.mark_dirty()
        return C.exchange_rate_object(company, source, as_of)

    # --- query, batch, cdc -----------------------------------------------------------

    def run_query(self, text: str) -> dict:
        if not text.strip():
            raise E.query_parse("empty query")
        q = Q.parse(text)
        return Q.run(q, list(self.state.company.objects[q.entity].values()))

    def batch(self, body: Any) -> list[dict]:
        items = body.get("BatchItemRequest") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise E.required_missing("BatchItemRequest")
        limit = self.state.config.batch_max_items
        if len(items) > limit:
            raise E.QBOError(1040, "Batch request size exceeded",
                             f"Batch request has {len(items)} items; at most {limit} are allowed.")
        out = []
        for item in items:
            bid = item.get("bId") if isinstance(item, dict) else None
            try:
                if not bid:
                    raise E.required_missing("bId")
                if "Query" in item:
                    out.append({"bId": bid, "QueryResponse": self.run_query(str(item["Query"]))})
                    continue
                names = [k for k in item if k in SPECS]
                if len(names) != 1:
                    raise E.unsupported("A batch item needs exactly one entity object")
                entity = names[0]
                operation = str(item.get("operation", "create")).lower()
                include = frozenset(x.strip().lower() for x in str(item.get("optionsData", "")).split(",") if x)
                result = self.write(entity, operation, item[entity], include)
                out.append({"bId": bid, entity: result})
            except E.QBOError as err:
                out.append({"bId": bid, "Fault": err.fault()})
        return out

    def cdc(self, params: dict[str, list[str]]) -> list[dict]:
        raw_entities = (params.get("entities") or [""])[0]
        since_raw = (params.get("changedSince") or [""])[0]
        if not raw_entities:
            raise E.required_missing("entities")
        if not since_raw:
            raise E.required_missing("changedSince")
        try:
            since = parse_datetime(since_raw).replace(microsecond=0)
        except ValueError:
            raise E.QBOError(2010, "Invalid date", f"changedSince is not a date-time: {since_raw}") from None
        if since < now() - timedelta(days=CDC_MAX_DAYS):
            raise E.business(f"changedSince cannot be more than {CDC_MAX_DAYS} days in the past.")
        company: Company = self.state.company
        out = []
        budget = CDC_MAX_OBJECTS
        for name in raw_entities.split(","):
            entity = next((s for s in SPECS if s.lower() == name.strip().lower()), None)
            if entity is None:
                raise E.query_invalid(f"Invalid context declaration : {name}")
            hits = [o for o in company.objects[entity].values()
                    if parse_datetime(o["MetaData"]["LastUpdatedTime"]) >= since]
            hits.sort(key=lambda o: o["MetaData"]["LastUpdatedTime"])
            for tomb in company.deleted:
                if tomb["entity"] == entity and parse_datetime(tomb["time"]) >= since:
                    hits.append({"domain": "QBO", "status": "Deleted", "Id": tomb["Id"],
                                 "MetaData": {"LastUpdatedTime": tomb["time"]}})
            hits = hits[:budget]
            budget -= len(hits)
            if hits:
                out.append({entity: hits, "startPosition": 1, "maxResults": len(hits), "totalCount": len(hits)})
            else:
                out.append({})
        return out


def _check_properties(entity: str, body: dict) -> None:
    """400 / 2010 for a property QBO's classes do not have (qbtui/sandbox/schema.py has the source)."""
    err = schema.unknown_property(entity, body)
    if err is not None:
        raise err


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body or b"{}", parse_float=exact_number)
    except ValueError as exc:
        raise E.unsupported(f"Request body is not valid JSON: {exc}") from None


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def transaction_id() -> bytes:
    """A fresh `Intuit-Tid`, shaped as recorded (qbo_api_vcr/error/401.yml, get/id.yml): `1-`, the epoch seconds
    in 8 hex digits, `-`, 24 random hex digits. Intuit's docs call the header intuit_tid; the wire name is
    Intuit-Tid, which the sandbox sends on every /v3 answer, faults and 429 included."""
    return f"1-{int(now().timestamp()):08x}-{secrets.token_hex(12)}".encode()


async def _send(send, status: int, content_type: str, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"intuit-tid", transaction_id())]})
    await send({"type": "http.response.body", "body": body})
