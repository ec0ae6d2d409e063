"""Where profiles live on disk."""

from __future__ import annotations

import os
import re
from pathlib import Path

from platformdirs import user_data_dir

_PROFILE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def default_data_dir() -> Path:
    """``$QBTUI_DATA_DIR`` if set (and non-empty), else platformdirs' ``user_data_dir("qbtui")``."""
    env = os.environ.get("QBTUI_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("qbtui"))


def validate_profile_name(profile: str) -> str:
    if not isinstance(profile, str) or not _PROFILE_RE.fullmatch(profile):
        raise ValueError(
            f"invalid profile name {profile!r}: use 1-64 letters, digits, '-' or '_'"
        )
    return profile


def profile_dir(data_dir: Path, profile: str) -> Path:
    """``<data_dir>/profiles/<profile>`` (not created). Raises ValueError on a bad name."""
    validate_profile_name(profile)
    return Path(data_dir) / "profiles" / profile


def list_profiles(data_dir: Path) -> list[str]:
    """The profiles under ``<data_dir>/profiles``, by name (folders with a valid name only)."""
    root = Path(data_dir) / "profiles"
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return []
    return [p.name for p in entries if p.is_dir() and _PROFILE_RE.fullmatch(p.name)]
