"""`qbtui demo --reset` in a real terminal (a pty): the demo profile itself is reset without a question, and the
dashboard opens on the fresh demo company."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

from qbtui.cache import Cache
from tests.sync.test_private_files import modes

MARKER = {"type": "customer", "ref": "ZZ-NOT-IN-THE-SAMPLE", "name": "Left over from before the reset"}


def read_until(fd: int, needle: bytes, limit_s: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit_s  # a guard against hanging, not a timing assertion
    while needle not in seen:
        assert time.monotonic() < deadline, f"never saw {needle!r}; got {seen[-2000:]!r}"
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_demo_reset_of_the_demo_profile_does_not_ask(tmp_path):
    data = tmp_path / "data"
    with Cache.open(data / "profiles" / "demo", writer=True) as cache:
        cache.upsert_documents([MARKER])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "QBTUI_DATA_DIR": str(data)}
    env.pop("QBTUI_PROFILE", None)
    umask = os.umask(0o022)  # the usual umask, inherited by the demo: its files must still be private
    try:
        proc = subprocess.Popen([sys.executable, "-m", "qbtui", "demo", "--reset"], stdin=slave, stdout=slave,
                                stderr=slave, env=env, start_new_session=True)
    finally:
        os.umask(umask)
    os.close(slave)
    try:
        screen = read_until(master, b"Invoices")  # the dashboard is up: nothing was asked on the way
        assert b"[y/N]" not in screen and b"starting the demo company (profile demo)" in screen
        os.write(master, b"\x11")  # ctrl+q
        proc.wait(timeout=60)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    with Cache.open(data / "profiles" / "demo", writer=False) as cache:
        assert cache.get("customer", MARKER["ref"]) is None  # reset: what was there before is gone
        assert cache.count() > 10 and cache.get_setting("realm_id")  # the sample data, connected to the sandbox
    demo = data / "profiles" / "demo"
    assert {"sandbox.log", "sandbox-company.json", "auth"} <= {p.name for p in demo.iterdir()}
    assert modes(demo) == {}  # 0600 files, 0700 folders: the sandbox's log and company state too
