"""A report (status, errors) on a profile name that does not exist (a typo in --profile or QBTUI_PROFILE) says so and exits 2,
naming the profiles there are, instead of answering "nothing failed"; a fresh install (no profile at all) still
reads as empty, and a writer still makes the profile."""

from __future__ import annotations

import json

from tests.support import documents as D
from tests.support.profiles import Qbtui


def test_a_reader_on_a_profile_that_does_not_exist_says_so(tmp_path):
    q = Qbtui(tmp_path / "data")
    assert q("status").exit_code == 0  # nothing there yet: empty, not an error
    path = tmp_path / "docs.json"
    path.write_text(json.dumps({"documents": [D.customer()]}))
    assert q("import", str(path), profile="shop").exit_code == 0
    for args in (("errors",), ("status",), ("errors", "--json"), ("status", "--json")):
        r = q(*args, profile="shopp")
        assert r.exit_code == 2, (args, r.output)
        assert "no profile 'shopp'" in r.output and "profiles: shop" in r.output
    error = json.loads(q("errors", "--json", profile="shopp").stdout)["error"]
    assert error["code"] == "no_such_profile"
    assert q("errors", profile="shop").exit_code == 0
    assert "settings" in json.loads(q("settings", "--json", profile="fresh").stdout)  # a new profile's defaults
