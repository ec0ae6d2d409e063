"""Disabling the integration, and changing organisation (the QBO company a profile sends to).

Disable = "From QuickBooks only": the sync engine, autosync and every maintenance write refuse;
reading (pull, reconcile, duplicates listing) still works. Change of organisation = disconnect
(tokens and connection settings removed, the mapping and reference data of the old company
forgotten) and every link to the old company reset, so that each document is sent again to the
next company; the old links are kept in a file of the profile and named in the audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qbtui.cache import Cache
from qbtui.maintenance.audit import end_maintenance, now_iso, start_maintenance
from qbtui.private import write_private

CONNECTION_SETTINGS = ("realm_id", "environment", "client_id", "redirect_uri", "oauth_pending", "last_pull")
FORGOTTEN_REFERENCE = ("accounts", "tax_codes", "tax_rates", "terms", "classes", "departments", "customers",
                       "vendors", "items", "preferences", "company_info", "discrepancies")


def disable(cache: Cache) -> dict[str, Any]:
    previous = cache.get_setting("integration_mode")
    run_id = start_maintenance(cache, "disable_integration", previous_mode=previous)
    if previous != "from_quickbooks":
        cache.set_setting("integration_previous_mode", previous or "both_ways")
    cache.set_setting("integration_mode", "from_quickbooks")
    return end_maintenance(cache, run_id)


def enable(cache: Cache) -> dict[str, Any]:
    run_id = start_maintenance(cache, "enable_integration")
    cache.set_setting("integration_mode", "both_ways")
    return end_maintenance(cache, run_id)


def change_organisation(cache: Cache, profile_path: Path) -> dict[str, Any]:
    from qbtui.sync.connection import token_store

    realm = cache.get_setting("realm_id")
    company = (cache.reference("company_info") or {}).get("CompanyName")
    run_id = start_maintenance(cache, "change_organisation", previous_realm=realm, previous_company=company)
    links = [link for link in cache.links() if link.get("qbo") and link.get("status") in ("synced", "failed", "sending")]
    archive = Path(profile_path) / f"links-{realm or 'none'}-{run_id}.json"
    write_private(archive, json.dumps({"realm_id": realm, "company": company, "at": now_iso(), "links": links},
                                      indent=1, default=str).encode("utf-8"))
    outcomes = [{"type": link["type"], "ref": link["ref"], "status": "failed", "qbo": [], "synced_rev": None,
                 "run": run_id, "error": {"code": "organisation.changed",
                                          "message": "the profile was moved to another QuickBooks company",
                                          "detail": f"it was {','.join(q['entity'] + ' ' + q['id'] for q in link['qbo'] if q.get('id'))} "
                                                    f"in company {realm}",
                                          "hint": "connect the new company; the next sync sends it there"}}
                for link in links]
    for start in range(0, len(outcomes), 5000):
        cache.record_outcomes(outcomes[start:start + 5000])
    token_store(Path(profile_path)).clear()
    for key in CONNECTION_SETTINGS:
        if cache.get_setting(key) is not None:
            cache.set_setting(key, None)
    for key in ("mapping", "tax_mapping", "terms_mapping"):
        if cache.get_setting(key):
            cache.set_setting(key, {})
    for kind in FORGOTTEN_REFERENCE:
        if cache.reference(kind) is not None:
            cache.put_reference(kind, {} if kind in ("preferences", "company_info") else [])
    return end_maintenance(cache, run_id, counts={"links_reset": len(outcomes)}, archive=str(archive))
