"""Many documents for a Desktop profile, and the Web Connector's side in process: for the chaos test and the benchmark.

:func:`documents` makes ``n`` documents (customers, products, then invoices and a payment on each); :func:`mapped`
gives a Desktop profile those documents, the simulated company's accounts and the roles mapped from them (as
`qbtui map --auto` does); :class:`Server` is qbtui's Web Connector service in this process, each call a real SOAP
request and answer (qbtui.desktop.soap), restartable as a process is (its session gone, the profile's lock freed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qbtui.cache import Cache
from qbtui.desktop import soap
from qbtui.desktop.service import DesktopService
from qbtui.desktop.simulator import Company
from qbtui.ledger.roles import auto_map
from tests.support import documents as D

CUSTOMERS, PRODUCTS = 20, 10


def documents(n: int) -> list[dict[str, Any]]:
    """``n`` documents: 20 customers, 10 products, then invoices and their payments, in pairs."""
    docs = [D.customer(f"C-{i:03}", f"Customer {i:03}") for i in range(CUSTOMERS)]
    docs += [D.product(f"SKU-{i:03}", f"Product {i:03}") for i in range(PRODUCTS)]
    i = 0
    while len(docs) < n:
        ref = f"SO-{i:05}"
        docs.append(D.invoice(ref, f"C-{i % CUSTOMERS:03}", lines=[D.line(sku=f"SKU-{i % PRODUCTS:03}", quantity=2,
                                                                           unit_price="10.00")]))
        if len(docs) < n:
            docs.append(D.payment(f"PAY-{i:05}", ref, amount="20.00"))
        i += 1
    return docs[:n]


def mapped(profile: Path, company: Company, docs: list[dict[str, Any]]) -> None:
    """The profile after its first session and `qbtui map --auto`: the company's accounts, terms and tax codes as
    the service pulls them, the roles mapped from them, ``docs`` imported."""
    import xml.etree.ElementTree as ET

    from qbtui.desktop.service import _row
    from qbtui.desktop.simulator import _ret

    rows = {kind: [_row(ET.fromstring(_ret(o))) for o in company.lists(lst)]
            for kind, lst in (("accounts", "accounts"), ("terms", "terms"), ("tax_codes", "tax_codes"))}
    with Cache.open(profile, writer=True) as cache:
        for kind, r in rows.items():
            cache.put_reference(kind, r)
        cache.set_setting("mapping", auto_map(rows["accounts"]))
        cache.upsert_documents(docs)


class Server:
    """qbtui's service as ``qbtui desktop serve`` runs it, in this process: ``post`` for the simulated Web Connector;
    :meth:`restart` is the server process stopped and started again (nothing of it kept but the profile)."""

    def __init__(self, profile: Path, clock: list[float], open_work: Any) -> None:
        self.profile, self.clock, self.open_work = profile, clock, open_work
        self.restarts = 0
        self.service = self._start()

    def _start(self) -> DesktopService:
        return DesktopService(self.profile, username="qbtui", open_work=self.open_work, clock=lambda: self.clock[0],
                              idle_timeout=60)

    def restart(self) -> None:
        self.service.close()  # a process that dies frees its lock with it
        self.service = self._start()
        self.restarts += 1

    def post(self, method: str, body: bytes) -> bytes:
        name, params = soap.parse_call(body)
        assert name == method
        return soap.response(name, self.service.dispatch(name, params))
