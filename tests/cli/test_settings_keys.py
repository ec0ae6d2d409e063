"""`qbtui settings set keymap.ID KEYS` refuses an unknown binding id and a key another binding has;
`qbtui settings unset KEY` forgets a setting (its default applies again)."""

from __future__ import annotations

from pathlib import Path

from tests.support.profiles import Qbtui


def test_keymap_refusals_and_unset(tmp_path: Path):
    q = Qbtui(tmp_path / "data")
    r = q("settings", "set", "keymap.upload_everything", "ctrl+u")
    assert r.exit_code == 2 and "'upload_everything' is not a binding id" in r.output
    r = q("settings", "set", "keymap.upload_al", "ctrl+u")
    assert r.exit_code == 2 and "did you mean 'upload_all'" in r.output

    r = q("settings", "set", "keymap.upload_all", "u")  # u is "Upload" (upload_selected)
    assert r.exit_code == 2 and "'u' is already bound to upload_selected (Upload)" in r.output
    assert q("settings", "set", "keymap.upload_all", "ctrl+u").exit_code == 0
    r = q("settings", "set", "keymap.filter", "f5,ctrl+u")  # taken by the remap just made
    assert r.exit_code == 2 and "already bound to upload_all" in r.output
    assert q.json("settings")["settings"]["keymap.upload_all"] == "ctrl+u"
    # the key upload_all gave up is free again for another binding
    assert q("settings", "set", "keymap.sync_everything", "U").exit_code == 0

    r = q("settings", "unset", "keymap.upload_all")
    assert r.exit_code == 0 and "unset" in r.output
    assert "keymap.upload_all" not in q.json("settings")["settings"]
    r = q("settings", "unset", "keymap.upload_all")
    assert r.exit_code == 0 and "was not set" in r.output

    assert q("settings", "set", "export_quotes", "on").exit_code == 0
    assert q.json("settings")["settings"]["export_quotes"] is True
    assert q("settings", "unset", "export_quotes").exit_code == 0
    assert q.json("settings")["settings"]["export_quotes"] is False  # the default again
    r = q("settings", "unset", "export_quote")
    assert r.exit_code == 2 and "did you mean 'export_quotes'" in r.output
