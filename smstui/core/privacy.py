"""Private by default: what smstui keeps on disk is readable by its owner only.

smstui runs on shared servers where other Unix users can log in, and its files hold customers'
numbers and messages (the store, exports, bulk jobs, the request history, the connection cache).
Files are created 0600 and folders 0700 whatever the umask says, and files left wider by an
older version (or another tool) are tightened when smstui starts.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
#: bits that let the group or others read, write or enter
_SHARED_BITS = 0o077


@dataclass(frozen=True, slots=True)
class LoosePath:
    """A file or folder of ours that the group or others may read."""

    path: Path
    mode: int  # the permission bits found (e.g. 0o644)
    is_dir: bool

    @property
    def wanted(self) -> int:
        return PRIVATE_DIR if self.is_dir else PRIVATE_FILE


def make_private_dirs(path: Path) -> Path:
    """Create ``path`` and any missing parent folders as 0700 (existing ones are left alone:
    a parent such as ``~/.local/share`` is not ours to change)."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # created meanwhile by another process: it owns the mode
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def ensure_private(path: Path) -> bool:
    """Tighten an existing file to 0600 (a folder to 0700) if the group or others have any
    access; True if it was changed. A missing path or a symlink is left alone."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & _SHARED_BITS:
        return False
    os.chmod(path, PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE)
    return True


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (then tighten it). SQLite then
    opens it instead of creating it with the umask's mode, and gives its -wal and -shm files
    the same mode as the database file."""
    make_private_dirs(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    ensure_private(path)


def open_private(
    path: Path, mode: str = "w", *, encoding: str = "utf-8", newline: str | None = None
) -> TextIO:
    """``open(path, mode)`` for writing text, the file being (or becoming) 0600 even if it
    existed."""
    if mode not in ("w", "a", "x"):
        raise ValueError("open_private writes text: mode is 'w', 'a' or 'x'")
    flags = os.O_WRONLY | os.O_CREAT
    flags |= {"w": os.O_TRUNC, "a": os.O_APPEND, "x": os.O_EXCL}[mode[0]]
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        return cast(TextIO, os.fdopen(fd, mode, encoding=encoding, newline=newline))
    except BaseException:
        os.close(fd)
        raise


def _walk(root: Path) -> Iterator[Path]:
    """``root`` and everything under it, not following symlinks."""
    if not root.is_dir() or root.is_symlink():
        return
    yield root
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in (*dirs, *files):
            yield Path(folder) / name


def loose_paths(roots: Iterable[Path]) -> list[LoosePath]:
    """Files and folders under ``roots`` (smstui's own folders) that others may read."""
    found: list[LoosePath] = []
    for root in roots:
        for path in _walk(root):
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            if st.st_mode & _SHARED_BITS:
                found.append(LoosePath(path, stat.S_IMODE(st.st_mode), stat.S_ISDIR(st.st_mode)))
    return found


def tighten(roots: Iterable[Path]) -> list[LoosePath]:
    """Make everything under ``roots`` owner-only; return what was changed. A path that
    cannot be changed (another owner) is skipped: ``loose_paths`` still reports it."""
    changed: list[LoosePath] = []
    for loose in loose_paths(roots):
        try:
            os.chmod(loose.path, loose.wanted)
        except OSError:
            continue
        changed.append(loose)
    return changed
