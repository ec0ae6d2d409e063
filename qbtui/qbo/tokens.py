"""Tokens of one profile on disk: 0600, atomic replace, and a lock file for one refresh at a time.

Files in the store's directory: `tokens.json`, `client_secret`, `tokens.lock` (flock'd).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from qbtui.private import open_private, private_dir, write_private

TOKENS_FILE = "tokens.json"
SECRET_FILE = "client_secret"
LOCK_FILE = "tokens.lock"


@dataclass
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float  # epoch seconds
    refresh_expires_at: float
    realm_id: str
    client_id: str

    def __repr__(self) -> str:
        return (f"Tokens(access_token='***', refresh_token='***', expires_at={self.expires_at!r}, "
                f"refresh_expires_at={self.refresh_expires_at!r}, realm_id={self.realm_id!r}, "
                f"client_id={self.client_id!r})")

    __str__ = __repr__

    def access_expired(self, leeway: float = 60.0, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at - leeway

    @classmethod
    def from_token_response(cls, data: dict[str, Any], *, realm_id: str, client_id: str,
                            now: float | None = None) -> Tokens:
        """From Intuit's token answer (`expires_in`, `x_refresh_token_expires_in`)."""
        now = time.time() if now is None else now
        return cls(access_token=str(data["access_token"]), refresh_token=str(data["refresh_token"]),
                   expires_at=now + float(data.get("expires_in") or 3600),
                   refresh_expires_at=now + float(data.get("x_refresh_token_expires_in") or 100 * 86400),
                   realm_id=realm_id, client_id=client_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tokens:
        return cls(access_token=str(d["access_token"]), refresh_token=str(d["refresh_token"]),
                   expires_at=float(d["expires_at"]), refresh_expires_at=float(d["refresh_expires_at"]),
                   realm_id=str(d["realm_id"]), client_id=str(d["client_id"]))


class TokenStore:
    """One profile's tokens and client secret, in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._task_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"TokenStore({str(self.directory)!r})"

    @property
    def tokens_path(self) -> Path:
        return self.directory / TOKENS_FILE

    @property
    def secret_path(self) -> Path:
        return self.directory / SECRET_FILE

    @property
    def lock_path(self) -> Path:
        return self.directory / LOCK_FILE

    # --- tokens -------------------------------------------------------------------------
    def load(self) -> Tokens | None:
        try:
            raw = self.tokens_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return Tokens.from_dict(orjson.loads(raw))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise ValueError(f"the token file {self.tokens_path} is damaged: run `qbtui connect` again") from None

    def save(self, tokens: Tokens) -> None:
        write_private(self.tokens_path, orjson.dumps(tokens.to_dict(), option=orjson.OPT_INDENT_2))

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.tokens_path.unlink()

    # --- client secret ------------------------------------------------------------------
    def save_client_secret(self, secret: str) -> None:
        if not secret:
            raise ValueError("the client secret is empty")
        write_private(self.secret_path, secret.encode())

    def client_secret(self) -> str | None:
        try:
            value = self.secret_path.read_text().strip()
        except FileNotFoundError:
            return None
        return value or None

    # --- one refresh at a time ----------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cross-process lock (blocking); for scripts and tests."""
        fd = open_private(private_dir(self.directory) / LOCK_FILE, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the flock

    @contextlib.asynccontextmanager
    async def refresh_lock(self, poll: float = 0.02) -> AsyncIterator[None]:
        """One refresher across this process's tasks (asyncio.Lock) and across processes (flock)."""
        if self._task_lock is None:
            self._task_lock = asyncio.Lock()
        async with self._task_lock:
            fd = open_private(private_dir(self.directory) / LOCK_FILE, os.O_RDWR)
            try:
                while True:  # non-blocking tries: the event loop keeps running, cancellation stays clean
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        await asyncio.sleep(poll)
                yield
            finally:
                os.close(fd)
