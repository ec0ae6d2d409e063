"""Every key of the dashboard, declared once with an id (footer, help, palette and the
``keymap.<id>`` settings all read them from here). They are bound on the App, so that the footer shows them
on every screen, and run on the Dashboard screen (the ``dashboard.`` action namespace). Defaults: the README's key table (README.md#keys)."""

from __future__ import annotations

from textual.binding import Binding

#: why a key that sends is greyed on a read-only profile (integration mode "From QuickBooks only"): said by the
#: dashboard and by the maintenance screens when such a key is pressed anyway
READ_ONLY_WHY = ("Nothing is sent: this profile is read-only (From QuickBooks only). qbtui integration enable "
                 "turns sending back on.")

APP_BINDINGS: list[Binding] = [
    Binding("1", "dashboard.top_tab(0)", "Sales", show=False, id="tab_sales"),
    Binding("2", "dashboard.top_tab(1)", "Purchases", show=False, id="tab_purchases"),
    Binding("3", "dashboard.top_tab(2)", "Adjustments & COGS", show=False, id="tab_adjustments"),
    Binding("4", "dashboard.top_tab(3)", "Retail", show=False, id="tab_retail"),
    Binding("5", "dashboard.top_tab(4)", "Errors", show=False, id="tab_errors"),
    Binding("6", "dashboard.top_tab(5)", "Discrepancies", show=False, id="tab_discrepancies"),
    Binding("7", "dashboard.top_tab(6)", "Summaries", show=False, id="tab_summaries"),
    Binding("left_square_bracket", "dashboard.sub_tab(-1)", "Previous sub-tab", show=False, id="subtab_previous"),
    Binding("right_square_bracket", "dashboard.sub_tab(1)", "Next sub-tab", show=False, id="subtab_next"),
    Binding("space", "dashboard.toggle_select", "Select", id="select_toggle", tooltip="Toggle the row, move down"),
    Binding("a", "dashboard.select_all", "All", show=False, id="select_all", tooltip="Select every row shown"),
    Binding("exclamation_mark", "dashboard.invert_selection", "Invert", show=False, id="select_invert"),
    Binding("escape", "dashboard.clear", "Clear", show=False, id="clear", tooltip="Clear the selection, then the filter"),
    Binding("u", "dashboard.upload_selected", "Upload", id="upload_selected", tooltip="Upload the selected documents"),
    Binding("U", "dashboard.upload_all", "Upload all", id="upload_all", tooltip="Upload every document shown"),
    Binding("S", "dashboard.sync_everything", "Sync every tab", show=False, id="sync_everything",
            tooltip="Upload what waits on every tab, in dependency order"),
    Binding("enter", "dashboard.open_document", "Open", show=False, id="open_document"),
    Binding("slash", "dashboard.filter", "Filter", id="filter", tooltip="status:failed date:2026-11 or text"),
    Binding("p", "dashboard.toggle_pending", "Pend/all", id="toggle_pending"),
    Binding("e", "dashboard.fix", "Fix", id="fix", tooltip="Fix the document (Errors)"),
    Binding("r", "dashboard.resync", "Re-sync", id="resync", tooltip="Re-sync the selection (Errors)"),
    Binding("o", "dashboard.resolve('push')", "Push ours", id="resolve_push",
            tooltip="Discrepancies: send our version over QuickBooks' changes"),
    Binding("t", "dashboard.resolve('accept')", "Take QBO's", id="resolve_accept",
            tooltip="Discrepancies: take QuickBooks' version as the truth"),
    Binding("s", "dashboard.resolve('resend')", "Re-send", id="resolve_resend",
            tooltip="Discrepancies: send a document deleted in QuickBooks again"),
    Binding("d", "dashboard.resolve('dismiss')", "Dismiss", id="resolve_dismiss",
            tooltip="Discrepancies: leave both as they are, with a note"),
    Binding("w", "dashboard.summaries_planned", "Would post", id="summaries_planned",
            tooltip="Summaries: what a full sync would post (its dry run: each summary's payload, its documents)"),
    Binding("P", "dashboard.pull", "Pull", show=False, id="pull",
            tooltip="Pull from QuickBooks: changes, payments, documents created there"),
    Binding("greater_than_sign", "dashboard.sort_next", "Sort by next column", show=False, id="sort_next",
            tooltip="Sort by the next column (the sorted column's title is marked)"),
    Binding("less_than_sign", "dashboard.sort_reverse", "Reverse the sort", show=False, id="sort_reverse"),
    Binding("x", "dashboard.export_csv", "Export CSV", show=False, id="export_csv",
            tooltip="Write the rows shown to a CSV file (as qbtui list --csv)"),
    Binding("y", "dashboard.copy_ref", "Copy ref", show=False, id="copy_reference"),
    Binding("Y", "dashboard.copy_qbo_id", "Copy QBO Id", show=False, id="copy_qbo_id"),
    Binding("A", "dashboard.alerts", "Alerts", show=False, id="alerts",
            tooltip="Failing scheduled syncs (autosync), newest first, with their runs"),
    Binding("ctrl+p,colon", "command_palette", "Commands", show=False, id="command_palette"),
    Binding("question_mark", "dashboard.help", "Help", id="help"),
    Binding("q", "dashboard.back", "Back", show=False, id="back"),
    Binding("ctrl+q", "dashboard.quit", "Quit", id="quit", priority=True),
]


def keymap_refusal(remapped: dict[str, str], binding_id: str, keys: str) -> tuple[str, str, str] | None:
    """Why remapping ``binding_id`` to ``keys`` is refused, as (error code, message, hint), given the other keys
    remapped (``remapped``: {binding id: keys}); None when it is fine. Refused: an id that is not a binding of the
    dashboard, and a key another binding already has (either would leave a key that silently does something else).
    ``qbtui settings set keymap.ID`` refuses with it; the dashboard leaves out, and names, a stored remap it refuses."""
    import difflib

    defaults = {b.id: b for b in APP_BINDINGS if b.id}
    if binding_id not in defaults:
        close = difflib.get_close_matches(binding_id, defaults, n=1, cutoff=0.6)
        return ("setting.unknown_binding", f"{binding_id!r} is not a binding id" + (
            f" (did you mean {close[0]!r}?)" if close else ""), "`?` in the dashboard lists every binding id with its key")
    current = {bid: b.key for bid, b in defaults.items()}
    current.update(remapped)
    for new_key in keys.split(","):
        for other, bound in current.items():
            if other != binding_id and new_key in bound.split(","):
                return ("setting.key_taken", f"{new_key!r} is already bound to {other} ({defaults[other].description})",
                        f"remap {other} first (qbtui settings set keymap.{other} KEY), or choose another key")
    return None


def usable_keymap(remapped: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The stored remaps the dashboard applies, and a sentence for each it leaves out (one stored before the
    refusals existed, or written by hand): an unknown binding id, or a key another binding has."""
    usable, refused = {}, []
    for binding_id, keys in remapped.items():
        why = keymap_refusal({k: v for k, v in remapped.items() if k != binding_id}, binding_id, keys)
        if why is None:
            usable[binding_id] = keys
        else:
            refused.append(f"keymap.{binding_id} = {keys} is not applied: {why[1]}. Fix: {why[2]}, or "
                           f"qbtui settings unset keymap.{binding_id}.")
    return usable, refused
