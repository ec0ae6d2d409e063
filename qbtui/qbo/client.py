"""The async QuickBooks Online client: OAuth bearer with one refresh on 401, throttle, retries that
never duplicate (same requestid), typed faults, query paging, batch and CDC.

Transports are the testing seam: pass `httpx2.ASGITransport(app=sandbox_app)`.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx2
import orjson

from qbtui.limits import BATCH_MAX_ITEMS

from .environment import MINOR_VERSION, Environment, require_secure
from .errors import (
    FAULT_NO_ACCESS,
    FAULT_THROTTLED,
    READ_ONLY_MESSAGE,
    CompanyUnavailable,
    QBOFault,
    ReconnectRequired,
    UnknownOutcome,
    WritesRefused,
    company_fault,
    fault_for_response,
    fault_from_dict,
    network_words,
)
from .oauth import check_realm_id, refresh_tokens
from .throttle import Limits, Throttle
from .tokens import Tokens, TokenStore

log = logging.getLogger(__name__)

Operation = Literal["create", "update", "delete"]

#: entities QBO voids with `?operation=void`; the others listed void with a sparse update + include=void
VOID_BY_OPERATION = {"Invoice"}
VOID_BY_UPDATE = {"Payment", "SalesReceipt", "BillPayment"}

_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout, httpx2.UnsupportedProtocol)


@dataclass
class BatchItem:
    bid: str
    operation: Operation
    entity: str
    body: dict[str, Any]


@dataclass
class BatchResult:
    bid: str
    entity_object: dict[str, Any] | None = None
    fault: QBOFault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None and self.entity_object is not None


@dataclass
class ClientStats:
    requests: int = 0  # sent over the wire (retries included)
    throttled: int = 0  # 429 answers
    retries: int = 0  # resends after a 429, a 5xx or a connection that never opened
    refreshes: int = 0  # token refreshes this client did or picked up
    batches: int = 0
    waited_s: float = 0.0  # seconds spent waiting on the client-side throttle and backoff


def request_id(*parts: Any) -> str:
    """The one way qbtui derives a ``requestid``: 36 characters (a UUID) hashed from ``parts`` (JSON values,
    keys sorted), so that an identical request, resent, carries the same id and QBO replays its first answer
    instead of doing the work twice. 36 fits both QBO's caps (50 for a single request, 36 for a batch)."""
    canon = orjson.dumps(list(parts), option=orjson.OPT_SORT_KEYS)
    return str(uuid.UUID(bytes=hashlib.sha256(canon).digest()[:16]))


def batch_request_id(items: list[BatchItem]) -> str:
    """The requestid of a batch, derived from its items: an identical retried batch replays (36 chars)."""
    return request_id(*([i.bid, i.operation, i.entity, i.body] for i in items))


def _entity_path(entity: str) -> str:
    return entity.lower()


def _qbo_datetime(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.isoformat(timespec="seconds")


class _Bearer(httpx2.Auth):
    """Adds the access token at send time, so that no local variable of the client holds it as a str."""

    def __init__(self, tokens: Tokens) -> None:
        self._tokens = tokens

    def __repr__(self) -> str:
        return "_Bearer(***)"

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._tokens.access_token}"
        yield request


class QBOClient:
    def __init__(self, env: Environment, store: TokenStore, *, realm_id: str, client_id: str, client_secret: str,
                 transport: httpx2.AsyncBaseTransport | None = None, time_scale: float = 1.0,
                 batch_size: int = 30, timeout: float = 120.0, throttle_wait: float = 60.0,
                 limits: Limits | None = None, max_retries: int = 4, max_throttle_retries: int = 10,
                 backoff_s: float = 2.0, read_only: bool = False) -> None:
        require_secure(env.api_base, "API URL")
        require_secure(env.token_url, "token URL")
        if not 1 <= batch_size <= BATCH_MAX_ITEMS:
            raise ValueError(f"batch_size must be 1..{BATCH_MAX_ITEMS}")
        self.env = env
        self.store = store
        self.realm_id = check_realm_id(realm_id, "the profile's realmId")  # it goes into every API path
        self.client_id = client_id
        self._client_secret = client_secret
        self._transport = transport
        self.time_scale = time_scale
        self.batch_size = batch_size
        self.throttle_wait = throttle_wait
        self.max_retries = max_retries
        self.max_throttle_retries = max_throttle_retries
        self.backoff_s = backoff_s
        #: a read-only connection refuses every write before anything is sent ("From QuickBooks only")
        self.read_only = read_only
        self.throttle = Throttle(limits, time_scale=time_scale, pace=True)
        self.stats = ClientStats()
        self._tokens: Tokens | None = None
        self._http = httpx2.AsyncClient(transport=transport, timeout=timeout,
                                        headers={"Accept": "application/json", "User-Agent": "qbtui"})

    def __repr__(self) -> str:
        return f"QBOClient(env={self.env.name!r}, realm_id={self.realm_id!r})"

    async def __aenter__(self) -> QBOClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- tokens -------------------------------------------------------------------------
    def _secrets(self) -> list[str | None]:
        t = self._tokens
        return [self._client_secret, t.access_token if t else None, t.refresh_token if t else None]

    async def _refresh(self, stale: str | None) -> Tokens:
        tokens = await refresh_tokens(self.env, self.store, client_id=self.client_id,
                                      client_secret=self._client_secret, stale_access_token=stale,
                                      realm_id=self.realm_id, transport=self._transport)
        self._tokens = tokens
        self.stats.refreshes += 1
        return tokens

    async def _current_tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = self.store.load()
            if self._tokens is None:
                raise ReconnectRequired(code="no_tokens")
        # refresh a little before expiry; a token that dies in flight gets a 401 -> one refresh -> retry
        if self._tokens.access_expired(leeway=min(5.0, 60.0 / self.time_scale)):
            await self._refresh(self._tokens.access_token)
        return self._tokens

    # --- the one request loop -----------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.env.api_base}/company/{self.realm_id}/{path}"

    def _backoff(self, attempt: int) -> float:
        base = self.backoff_s * (2 ** attempt) / self.time_scale
        return base * (0.75 + random.random() / 2)

    async def _sleep(self, seconds: float) -> None:
        self.stats.waited_s += seconds
        await self.throttle.sleep(seconds)

    async def _request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                       json: Any = None, content: bytes | None = None, content_type: str | None = None,
                       request_id: str | None = None, batch: bool = False, write: bool = False) -> dict[str, Any]:
        data, _ = await self._exchange(method, path, params=params, json=json, content=content,
                                       content_type=content_type, request_id=request_id, batch=batch, write=write)
        return data

    async def _exchange(self, method: str, path: str, *, params: dict[str, str] | None = None,
                        json: Any = None, content: bytes | None = None, content_type: str | None = None,
                        request_id: str | None = None, batch: bool = False,
                        write: bool = False) -> tuple[dict[str, Any], str]:
        """One request, retried as the rules say: (the answer's JSON, its intuit_tid). Every fault raised carries
        the intuit_tid of the answer it came in; one about the whole company is a CompanyFault."""
        if write and self.read_only:
            raise WritesRefused(READ_ONLY_MESSAGE)
        query = {"minorversion": MINOR_VERSION, **(params or {})}
        if write and request_id is None:
            request_id = str(uuid.uuid4())
        if request_id is not None:
            if len(request_id) > (36 if batch else 50):
                raise ValueError(f"requestid {request_id!r} is too long ({'36' if batch else '50'} max)")
            query["requestid"] = request_id
        headers = {}
        body = content
        if json is not None:
            body = orjson.dumps(json)
            headers["Content-Type"] = "application/json"
        elif content_type:
            headers["Content-Type"] = content_type
        url = self._url(path)
        refreshed = False
        errors = 0
        throttles = 0
        while True:
            tokens = await self._current_tokens()  # kept in a Tokens (its repr hides secrets), not a str
            async with self.throttle.slot(batch=batch) as waited:
                self.stats.waited_s += waited
                self.stats.requests += 1
                if batch:
                    self.stats.batches += 1
                try:
                    resp = await self._http.request(method, url, params=query, content=body, headers=headers,
                                                    auth=_Bearer(tokens))
                except _NOT_SENT as exc:
                    # never reached the server: nothing happened, resending is safe
                    if errors >= self.max_retries:
                        raise QBOFault("network", "could not reach QuickBooks", network_words(exc),
                                       fault_type="network") from None
                    errors += 1
                    self.stats.retries += 1
                    log.warning("QuickBooks not reachable (%s); retrying", network_words(exc))
                    resp = None
                except Exception as exc:  # sent, no answer (timeout, dropped connection)
                    if not write and errors < self.max_retries:
                        errors += 1
                        self.stats.retries += 1
                        log.warning("no answer to %s %s (%s); retrying a read", method, path, network_words(exc))
                        resp = None
                    elif write:
                        raise UnknownOutcome(request_id or "", method, path, network_words(exc)) from exc
                    else:  # a read changes nothing: its lost answer is just a network failure
                        raise QBOFault("network", f"no answer from QuickBooks to {method} {path}",
                                       network_words(exc), fault_type="network") from exc
            if resp is None:
                await self._sleep(self._backoff(errors - 1))
                continue

            status = resp.status_code
            content_bytes = resp.content
            tid = resp.headers.get("intuit-tid", "")
            if 200 <= status < 300:
                try:
                    data = orjson.loads(content_bytes) if content_bytes else {}
                except orjson.JSONDecodeError:
                    fault = fault_for_response(status, content_bytes, self._secrets())
                    fault.intuit_tid = tid
                    raise fault from None
                if isinstance(data, dict) and isinstance(data.get("Fault"), dict):
                    fault = fault_from_dict(data["Fault"], status, self._secrets(), intuit_tid=tid)
                    raise company_fault(fault) or fault
                return data, tid
            fault = fault_for_response(status, content_bytes, self._secrets())
            fault.intuit_tid = tid
            if status == 401 and fault.code == FAULT_NO_ACCESS:  # the user lost access: a new token changes nothing
                raise CompanyUnavailable.of(fault)
            if status == 401:
                if refreshed:
                    raise ReconnectRequired(code=fault.code, status=401, detail=fault.detail, intuit_tid=tid)
                refreshed = True
                log.info("QuickBooks answered 401 (%s); refreshing the token once", fault.code)
                await self._refresh(tokens.access_token)
                continue
            if status == 429 or fault.code == FAULT_THROTTLED:
                self.stats.throttled += 1
                if throttles >= self.max_throttle_retries:
                    raise fault
                throttles += 1
                self.stats.retries += 1
                wait = self.throttle_wait / self.time_scale
                log.warning("QuickBooks throttled the request (3001); waiting %.1f s", wait)
                self.throttle.pause(wait)
                continue  # same requestid: a repeat replays, never duplicates
            if status >= 500 and errors < self.max_retries:
                errors += 1
                self.stats.retries += 1
                log.warning("QuickBooks answered HTTP %d (%s); retrying with the same requestid", status, fault.code)
                await self._sleep(self._backoff(errors - 1))
                continue
            raise company_fault(fault) or fault

    @staticmethod
    def _object(data: dict[str, Any], entity: str) -> dict[str, Any]:
        obj = data.get(entity)
        if isinstance(obj, dict):
            return obj
        for key, value in data.items():  # tolerate a differently cased key
            if key.lower() == entity.lower() and isinstance(value, dict):
                return value
        raise QBOFault("unexpected", f"QuickBooks answered without a {entity}", ", ".join(data)[:200])

    # --- CRUD ---------------------------------------------------------------------------
    async def create(self, entity: str, body: dict, *, request_id: str | None = None) -> dict:
        data = await self._request("POST", _entity_path(entity), json=body, request_id=request_id, write=True)
        return self._object(data, entity)

    async def read(self, entity: str, id: str) -> dict:
        data = await self._request("GET", f"{_entity_path(entity)}/{id}")
        return self._object(data, entity)

    async def update(self, entity: str, body: dict, *, sparse: bool = False,
                     request_id: str | None = None) -> dict:
        if "Id" not in body or "SyncToken" not in body:
            raise ValueError("an update needs Id and SyncToken")
        if sparse:
            body = {**body, "sparse": True}
        data = await self._request("POST", _entity_path(entity), json=body, request_id=request_id, write=True)
        return self._object(data, entity)

    async def delete(self, entity: str, id: str, sync_token: str, *, request_id: str | None = None) -> dict:
        data = await self._request("POST", _entity_path(entity), params={"operation": "delete"},
                                   json={"Id": str(id), "SyncToken": str(sync_token)}, request_id=request_id,
                                   write=True)
        return self._object(data, entity)

    async def void(self, entity: str, id: str, sync_token: str, *, request_id: str | None = None) -> dict:
        if entity in VOID_BY_OPERATION:
            params = {"operation": "void"}
            body: dict[str, Any] = {"Id": str(id), "SyncToken": str(sync_token)}
        elif entity in VOID_BY_UPDATE:
            params = {"operation": "update", "include": "void"}
            body = {"Id": str(id), "SyncToken": str(sync_token), "sparse": True}
        else:
            raise ValueError(f"QuickBooks cannot void a {entity} through the API: delete it instead")
        data = await self._request("POST", _entity_path(entity), params=params, json=body, request_id=request_id,
                                   write=True)
        return self._object(data, entity)

    # --- query --------------------------------------------------------------------------
    async def _query_response(self, sql: str) -> dict[str, Any]:
        data = await self._request("POST", "query", content=sql.encode(), content_type="application/text")
        qr = data.get("QueryResponse")
        return qr if isinstance(qr, dict) else {}

    async def query(self, sql: str) -> list[dict]:
        """One page, the statement as written."""
        qr = await self._query_response(sql)
        for value in qr.values():
            if isinstance(value, list):
                return value
        return []

    async def count(self, entity: str, where: str = "") -> int:
        qr = await self._query_response(f"SELECT COUNT(*) FROM {entity}{_where(where)}")
        return int(qr.get("totalCount", 0))

    async def query_all(self, entity: str, where: str = "", *, page_size: int = 1000) -> list[dict]:
        """Every row: pages of `page_size` (<= 1000) with STARTPOSITION/MAXRESULTS."""
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be 1..1000")
        rows: list[dict] = []
        start = 1
        while True:
            page = await self.query(f"SELECT * FROM {entity}{_where(where)} STARTPOSITION {start} "
                                    f"MAXRESULTS {page_size}")
            rows.extend(page)
            if len(page) < page_size:
                return rows
            start += page_size

    # --- batch --------------------------------------------------------------------------
    async def batch(self, items: list[BatchItem], *, request_id: str | None = None) -> list[BatchResult]:
        """One batch request; a result per item, in item order (`entity_object` or `fault`)."""
        if not items:
            return []
        if len(items) > self.batch_size:
            raise ValueError(f"a batch holds at most {self.batch_size} items, not {len(items)}")
        bids = [i.bid for i in items]
        if len(set(bids)) != len(bids):
            raise ValueError("batch item ids (bId) must be unique")
        for i in items:
            if not i.bid or len(i.bid) > 36:
                raise ValueError(f"bad bId {i.bid!r}: 1..36 characters")
            if i.operation not in ("create", "update", "delete"):
                raise ValueError(f"bad batch operation {i.operation!r}")
        request_id = request_id or batch_request_id(items)
        payload = {"BatchItemRequest": [{"bId": i.bid, "operation": i.operation, i.entity: i.body} for i in items]}
        data, tid = await self._exchange("POST", "batch", json=payload, request_id=request_id, batch=True, write=True)
        answers: dict[str, dict[str, Any]] = {}
        for answer in data.get("BatchItemResponse") or []:
            if isinstance(answer, dict) and "bId" in answer:
                answers[str(answer["bId"])] = answer
        results = []
        for item in items:
            answer = answers.get(item.bid)
            if answer is None:
                results.append(BatchResult(item.bid, fault=QBOFault(
                    "no_result", "QuickBooks returned no result for this batch item", f"bId {item.bid}",
                    status=200, fault_type="Batch", intuit_tid=tid)))
            elif isinstance(answer.get("Fault"), dict):
                fault = fault_from_dict(answer["Fault"], 200, self._secrets(), intuit_tid=tid)
                company = company_fault(fault)
                if company is not None:  # about the whole company, not this item: the batch's answer says so
                    raise company
                results.append(BatchResult(item.bid, fault=fault))
            else:
                obj = answer.get(item.entity)
                if not isinstance(obj, dict):
                    obj = next((v for k, v in answer.items() if k != "bId" and isinstance(v, dict)), None)
                if obj is None:
                    results.append(BatchResult(item.bid, fault=QBOFault(
                        "no_result", "QuickBooks returned no object for this batch item", f"bId {item.bid}",
                        status=200, fault_type="Batch", intuit_tid=tid)))
                else:
                    results.append(BatchResult(item.bid, entity_object=obj))
        return results

    # --- change data capture ------------------------------------------------------------
    async def cdc(self, entities: list[str], changed_since: datetime) -> dict[str, list[dict]]:
        """Objects of `entities` changed since then (deleted ones carry `"status": "Deleted"`)."""
        data = await self._request("GET", "cdc", params={"entities": ",".join(entities),
                                                         "changedSince": _qbo_datetime(changed_since)})
        out: dict[str, list[dict]] = {e: [] for e in entities}
        for cdc in data.get("CDCResponse") or []:
            for qr in (cdc or {}).get("QueryResponse") or []:
                for key, value in (qr or {}).items():
                    if isinstance(value, list):
                        out.setdefault(key, []).extend(value)
        return out

    # --- company ------------------------------------------------------------------------
    async def preferences(self) -> dict:
        return self._object(await self._request("GET", "preferences"), "Preferences")

    async def company_info(self) -> dict:
        return self._object(await self._request("GET", f"companyinfo/{self.realm_id}"), "CompanyInfo")

    async def report(self, name: str, **params: str) -> dict:
        """One report of QBO's Reports API (``GET reports/<name>?<params>``, e.g. ``report("BalanceSheet",
        start_date=..., end_date=..., accounting_method="Accrual")``): its JSON (Header, Columns, Rows)."""
        return await self._request("GET", f"reports/{name}", params=params)

    async def update_preferences(self, sparse_body: dict) -> dict:
        """Sparse update of the preferences; Id and SyncToken are read first when not given."""
        body = {**sparse_body, "sparse": True}
        if "Id" not in body or "SyncToken" not in body:
            current = await self.preferences()
            body.setdefault("Id", current.get("Id", "1"))
            body.setdefault("SyncToken", current.get("SyncToken", "0"))
        data = await self._request("POST", "preferences", json=body, write=True)
        return self._object(data, "Preferences")


def _where(where: str) -> str:
    w = where.strip()
    if not w:
        return ""
    return f" {w}" if w[:6].upper() == "WHERE " else f" WHERE {w}"
