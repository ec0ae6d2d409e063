"""Every key of the dashboard, declared once with an id (footer, help, palette and the
``keymap.<id>`` settings all read them from here). Defaults: the README's key table (README.md#keys)."""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS: list[Binding] = [
    Binding("1", "top_tab(0)", "Sales", show=False, id="tab_sales"),
    Binding("2", "top_tab(1)", "Purchases", show=False, id="tab_purchases"),
    Binding("3", "top_tab(2)", "Adjustments & COGS", show=False, id="tab_adjustments"),
    Binding("4", "top_tab(3)", "Retail", show=False, id="tab_retail"),
    Binding("5", "top_tab(4)", "Errors", show=False, id="tab_errors"),
    Binding("6", "top_tab(5)", "Discrepancies", show=False, id="tab_discrepancies"),
    Binding("left_square_bracket", "sub_tab(-1)", "Previous sub-tab", show=False, id="subtab_previous"),
    Binding("right_square_bracket", "sub_tab(1)", "Next sub-tab", show=False, id="subtab_next"),
    Binding("space", "toggle_select", "Select", id="select_toggle", tooltip="Toggle the row, move down"),
    Binding("a", "select_all", "All", show=False, id="select_all", tooltip="Select every row shown"),
    Binding("exclamation_mark", "invert_selection", "Invert", show=False, id="select_invert"),
    Binding("escape", "clear", "Clear", show=False, id="clear", tooltip="Clear the selection, then the filter"),
    Binding("u", "upload_selected", "Upload", id="upload_selected", tooltip="Upload the selected documents"),
    Binding("U", "upload_all", "Upload all", id="upload_all", tooltip="Upload every document shown"),
    Binding("S", "sync_everything", "Sync every tab", show=False, id="sync_everything",
            tooltip="Upload what waits on every tab, in dependency order"),
    Binding("enter", "open_document", "Open", show=False, id="open_document"),
    Binding("slash", "filter", "Filter", id="filter", tooltip="status:failed date:2026-11 or text"),
    Binding("p", "toggle_pending", "Pend/all", id="toggle_pending"),
    Binding("e", "fix", "Fix", id="fix", tooltip="Fix the document (Errors)"),
    Binding("r", "resync", "Re-sync", id="resync", tooltip="Re-sync the selection (Errors)"),
    Binding("y", "copy_ref", "Copy ref", show=False, id="copy_reference"),
    Binding("Y", "copy_qbo_id", "Copy QBO Id", show=False, id="copy_qbo_id"),
    Binding("ctrl+p,colon", "command_palette", "Commands", show=False, id="command_palette"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("q", "back", "Back", show=False, id="back"),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
]
