"""The token store: 0600 files, atomic replace, secrets hidden, one refresher across processes."""

import multiprocessing
import os
import stat
import time

from qbtui.qbo import Tokens, TokenStore


def make_tokens(n=1):
    return Tokens(access_token=f"access-secret-{n}-xxxxxxxx", refresh_token=f"refresh-secret-{n}-xxxxxxxx",
                  expires_at=time.time() + 3600, refresh_expires_at=time.time() + 86400 * 100,
                  realm_id="9341", client_id="client-1")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_save_load_clear_mode_0600(tmp_path):
    store = TokenStore(tmp_path / "profile")
    assert store.load() is None
    os.umask(0o022)
    tokens = make_tokens()
    store.save(tokens)
    assert mode(store.tokens_path) == 0o600
    assert store.load() == tokens
    store.save(make_tokens(2))
    assert store.load().refresh_token == "refresh-secret-2-xxxxxxxx"
    assert mode(store.tokens_path) == 0o600
    assert [p.name for p in store.directory.iterdir() if ".tmp" in p.name] == []
    store.clear()
    assert store.load() is None
    store.clear()  # twice is fine


def test_client_secret_0600(tmp_path):
    store = TokenStore(tmp_path)
    assert store.client_secret() is None
    store.save_client_secret("very-secret-value")
    assert store.client_secret() == "very-secret-value"
    assert mode(store.secret_path) == 0o600


def test_repr_hides_secrets(tmp_path):
    t = make_tokens()
    for text in (repr(t), str(t), f"{t}", repr(TokenStore(tmp_path))):
        assert "access-secret" not in text and "refresh-secret" not in text
    assert "9341" in repr(t)


def test_replace_is_atomic_for_readers(tmp_path):
    """A reader in another process never sees a half-written file while a writer keeps saving."""
    store = TokenStore(tmp_path)
    store.save(make_tokens(0))
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    reader = ctx.Process(target=_read_forever, args=(str(tmp_path), stop))
    reader.start()
    try:
        for i in range(300):
            store.save(make_tokens(i))
    finally:
        stop.set()
        reader.join(10)
    assert reader.exitcode == 0


def _read_forever(directory, stop):
    store = TokenStore(directory)
    while not stop.is_set():
        t = store.load()  # raises ValueError on a torn file
        assert t is not None and t.access_token.startswith("access-secret-")
    os._exit(0)


def _hold_lock(directory, log, hold):
    store = TokenStore(directory)
    with store.locked():
        with open(log, "a") as f:
            f.write(f"{os.getpid()} in {time.monotonic()}\n")
        time.sleep(hold)
        with open(log, "a") as f:
            f.write(f"{os.getpid()} out {time.monotonic()}\n")


def test_cross_process_lock_excludes(tmp_path):
    log = tmp_path / "log"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hold_lock, args=(str(tmp_path), str(log), 0.2)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(10)
    events = [line.split() for line in log.read_text().splitlines()]
    # strictly alternating in/out: no two holders at once
    assert [e[1] for e in events] == ["in", "out"] * 3
    assert all(events[i][0] == events[i + 1][0] for i in range(0, 6, 2))


async def test_async_lock_waits_for_other_process(tmp_path):
    store = TokenStore(tmp_path)
    ctx = multiprocessing.get_context("fork")
    log = tmp_path / "log"
    p = ctx.Process(target=_hold_lock, args=(str(tmp_path), str(log), 0.5))
    p.start()
    while not log.exists():
        time.sleep(0.01)
    t0 = time.monotonic()
    async with store.refresh_lock():
        waited = time.monotonic() - t0
    p.join(10)
    assert waited > 0.3
