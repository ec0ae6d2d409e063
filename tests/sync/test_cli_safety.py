"""The command line against a real sandbox, where a mistake costs data: the realmId pasted back from the
browser, confirmations before deleting or voiding, JSON errors, Ctrl+C in the middle of a sync."""

from __future__ import annotations

import json
import re

import httpx2

from qbtui.cache import Cache, profile_dir
from qbtui.sandbox import SandboxConfig, serve_in_thread
from tests.conftest import Qbtui

from .conftest import CLIENT_ID, SECRET, SECRET_ENV


def test_a_realm_id_that_is_not_digits_is_refused_before_it_is_stored_or_used(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    q = Qbtui(tmp_path / "data")
    with serve_in_thread(SandboxConfig(company="demo", throttle="off", time_scale=60)) as sb:
        r = q("connect", "--environment", sb.url, "--client-id", CLIENT_ID, "--client-secret-env", SECRET_ENV,
              "--print-auth-url")
        assert r.exit_code == 0, r.output
        landed = httpx2.get(r.stdout.strip(), follow_redirects=False).headers["location"]
        assert re.search(r"realmId=\d+", landed)
        for bad in ("9341%2F..%2F..%2Fv3%2Fcompany%2F1", "1%3Fminorversion%3D75", "abc"):
            r = q("connect", "--redirect-url", re.sub(r"realmId=\d+", f"realmId={bad}", landed))
            assert r.exit_code == 2, r.output
            assert "is not a QuickBooks company id (digits only)" in r.stderr and "Traceback" not in r.output
        profile = profile_dir(q.data_dir, "default")
        assert not (profile / "auth" / "tokens.json").exists()  # the code was never traded for tokens
        with Cache.open(profile, writer=False) as cache:
            assert cache.get_setting("realm_id") is None
        r = q("connect", "--redirect-url", landed)  # the real address still connects: nothing was spent
        assert r.exit_code == 0, r.output
        with Cache.open(profile, writer=False) as cache:
            assert cache.get_setting("realm_id") == sb.app.state.company.realm_id
    assert json.loads(q("status", "--json").stdout)["connection"]["connected"] is True
