"""A document's status, from its link: one rule for the cache (``Cache.status_of``, ``status_counts``)
and the dashboard (``tui.model``). Pure and cheap: it runs once per row at load (100,000 rows).

- ``synced``: the link says synced and the document has not changed since (same revision);
  a synced document changed since is ``pending`` again (``changed`` in ``Cache.status_info``);
- ``summarized``: posted in a summary of its sales channel's period (qbtui.ledger.summaries): the link names the
  summary (its reference and QBO Id); changed since, it is ``pending`` again (a correction posts the change);
- ``voided``: voided in QBO;
- ``skipped``: voided in the inventory system before it was ever sent (nothing to void in QBO);
- ``failed``: the last attempt failed;
- ``conflict``: an update held back, QuickBooks' copy changed since qbtui last wrote or accepted it (until resolved:
  ``qbtui discrepancies resolve``);
- ``pending``: everything else (never sent, or being sent). ``blocked`` is the gates' overlay.
"""

from __future__ import annotations


def document_status(link_status: str | None, synced_rev: int | None, ever_synced: bool, rev: int | None,
                    voided: bool) -> str:
    """``link_status``/``synced_rev``/``ever_synced``: from the link (None, None, False without one);
    ``rev``: the document's revision (None: the document is gone, only its link is left);
    ``voided``: the document says ``voided: true``."""
    if link_status == "synced":
        return "synced" if rev is None or synced_rev == rev else "pending"
    if link_status == "summarized":
        return "summarized" if rev is None or synced_rev == rev else "pending"
    if link_status == "voided":
        return "voided"
    if voided and rev is not None and not ever_synced:
        return "skipped"
    if link_status == "conflict":
        return "conflict"
    if link_status == "failed":
        return "failed"
    return "pending"
