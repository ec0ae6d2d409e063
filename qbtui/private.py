"""Private files and folders: every file qbtui creates in a profile is 0600 and every folder 0700,
whatever the umask, and a file is written atomically (wholly old or wholly new after a crash).

One place for the modes: the cache (documents, links, journal, state, writer lock), the tokens,
the demo sandbox's state and log, archives and exports all create their files through here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
TMP_MARK = ".tmp-"


def private_dir(path: os.PathLike[str] | str, *, tighten: bool = False) -> Path:
    """Create ``path`` and any missing parent as 0700 folders; folders that were there are left as they
    are, except ``path`` itself with ``tighten`` (a profile folder made by an older qbtui). Returns it."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    if tighten and not missing:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode) and st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, DIR_MODE)
    return path


def open_private(path: os.PathLike[str] | str, flags: int) -> int:
    """``os.open`` that creates the file 0600 and makes an existing one 0600 too."""
    fd = os.open(path, flags | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def fsync_dir(path: os.PathLike[str] | str) -> None:
    """Make a rename in ``path`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_private(path: os.PathLike[str] | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600: a temp file (0600) in the same folder,
    fsync, ``os.replace``, fsync of the folder. The folder is created 0700 when missing."""
    path = Path(path)
    private_dir(path.parent)
    tmp = path.with_name(f"{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    fd = open_private(tmp, os.O_WRONLY | os.O_EXCL)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk or a file-size limit names the file it hit
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
