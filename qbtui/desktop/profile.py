"""A QuickBooks Desktop profile: the Web Connector's password (stored like the QBO client secret: the profile's
``auth/`` folder, mode 0600, written atomically), its user name, and the OwnerID and FileID GUIDs its .qwc file
carries (made once, kept: the Web Connector knows an application by them)."""

from __future__ import annotations

import hmac
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from qbtui.cache import Cache
from qbtui.private import write_private

PASSWORD_FILE = "desktop_password"
BACKEND = "desktop"
DEFAULT_USER = "qbtui"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})
"""The hosts a .qwc file may name with http:// (a service on the Web Connector's own machine); any other needs https."""


def password_path(profile_path: Path) -> Path:
    return Path(profile_path) / "auth" / PASSWORD_FILE


def save_password(profile_path: Path, password: str) -> None:
    if not password:
        raise ValueError("the Web Connector password is empty")
    write_private(password_path(profile_path), password.encode())


def check_login(profile_path: Path, expected_user: str, user: str, password: str) -> bool:
    """Whether ``user`` and ``password`` are the profile's, compared in constant time (both always compared)."""
    try:
        stored = password_path(profile_path).read_bytes()
    except FileNotFoundError:
        return False
    user_ok = hmac.compare_digest(user.encode(), expected_user.encode())
    password_ok = hmac.compare_digest(password.encode(), stored)
    return bool(stored) and user_ok and password_ok


def _guid() -> str:
    return "{" + str(uuid.uuid4()).upper() + "}"


def connect(cache: Cache, profile_path: Path, password: str, username: str | None = None) -> dict[str, Any]:
    """Make the profile a Desktop profile: the password stored, the user name and the GUIDs kept (made the first
    time only). Returns the profile's Desktop settings."""
    save_password(profile_path, password)
    cache.set_setting("backend", BACKEND)
    cache.set_setting("desktop_username", username or cache.get_setting("desktop_username") or DEFAULT_USER)
    for key in ("desktop_owner_id", "desktop_file_id"):
        if not cache.get_setting(key):
            cache.set_setting(key, _guid())
    return settings(cache)


def settings(cache: Cache) -> dict[str, Any]:
    return {key: cache.get_setting(key) for key in ("backend", "desktop_username", "desktop_owner_id",
                                                     "desktop_file_id")}


def is_desktop(cache: Cache) -> bool:
    return cache.get_setting("backend") == BACKEND


def check_url(url: str) -> None:
    """An AppURL the Web Connector accepts: https, or http on localhost / 127.0.0.1 (ValueError otherwise)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValueError(f"the Web Connector needs an https:// address (http:// only on localhost or 127.0.0.1): {url}")


def qwc(cache: Cache, profile_name: str, url: str, every_min: int | None = None) -> str:
    """The .qwc file of the profile for a service at ``url`` (AppURL exactly as given)."""
    if not is_desktop(cache):
        raise ValueError("this profile is not a QuickBooks Desktop profile: run `qbtui connect --desktop` first")
    check_url(url)
    if every_min is not None and every_min < 1:
        raise ValueError("--every-min must be at least 1")
    parts = urlsplit(url)
    support = f"{parts.scheme}://{parts.netloc}/qbwc/support"
    s = settings(cache)
    lines = [
        '<?xml version="1.0"?>',
        "<QBWCXML>",
        f"  <AppName>{escape(f'qbtui ({profile_name})')}</AppName>",
        "  <AppID></AppID>",
        f"  <AppURL>{escape(url)}</AppURL>",
        "  <AppDescription>qbtui sends inventory documents to QuickBooks Desktop</AppDescription>",
        f"  <AppSupport>{escape(support)}</AppSupport>",
        f"  <UserName>{escape(str(s['desktop_username']))}</UserName>",
        f"  <OwnerID>{s['desktop_owner_id']}</OwnerID>",
        f"  <FileID>{s['desktop_file_id']}</FileID>",
        "  <QBType>QBFS</QBType>",
    ]
    if every_min is not None:
        lines += ["  <Scheduler>", f"    <RunEveryNMinutes>{every_min}</RunEveryNMinutes>", "  </Scheduler>"]
    lines += ["  <IsReadOnly>false</IsReadOnly>", "</QBWCXML>"]
    return "\n".join(lines) + "\n"
