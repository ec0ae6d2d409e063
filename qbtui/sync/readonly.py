"""The read-only rule in one place: in "From QuickBooks only" mode (``integration_mode`` =
``from_quickbooks``) qbtui writes nothing to QuickBooks. Everything that writes (the sync, undo, the
wizard's stock and opening steps, fixes in QuickBooks, COGS, history export, products, duplicates)
calls :func:`check_writes_allowed` first, and the QBO client of such a profile refuses writes too
(:func:`is_read_only` opens it read-only). One exception (:class:`qbtui.qbo.errors.WritesRefused`), one
message (:data:`qbtui.qbo.errors.READ_ONLY_MESSAGE`)."""

from __future__ import annotations

from qbtui.cache import Cache
from qbtui.qbo.errors import READ_ONLY_MESSAGE, WritesRefused
from qbtui.settings import is_read_only

__all__ = ["check_writes_allowed", "is_read_only"]


def check_writes_allowed(cache: Cache, what: str | None = None) -> None:
    """WritesRefused (nothing sent) when the profile is read-only; ``what`` names what was refused."""
    if is_read_only(cache):
        raise WritesRefused(f"cannot {what}: {READ_ONLY_MESSAGE}" if what else READ_ONLY_MESSAGE)
