"""Durable TinyDB documents shared by several processes.

The kiosk, a staff member's ``kiosk residents import`` and the nightly backup all write the same data folder.
Every write is a read-modify-write under an exclusive ``flock`` on ``<data>/.lock``: the file is read fresh
inside the lock, changed in memory, and written back atomically (:mod:`kiosk.adapters.atomic`) once, when the
block ends without an exception. So an import is all-or-nothing, and nobody loses another's change.

Readers (:meth:`DataFolder.read`) reload when the file changed on disk (inode, size, mtime).

Usage::

    data = DataFolder(path)
    with data.write("residents") as db:          # locked read-modify-write, one atomic write at the end
        db.table("residents").insert({...})
    db = data.read("residents")                   # always current; writing through it raises
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from kiosk.adapters.atomic import atomic_write_bytes


def _encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    if not raw.strip():
        return {}
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a TinyDB document file")
    return data


class BufferedAtomicStorage(Storage):
    """TinyDB storage for one locked transaction: read once, write once (atomically) at commit."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._data: dict[str, Any] = _load(self.path)
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self.dirty = True

    def commit(self) -> None:
        if self.dirty:
            atomic_write_bytes(self.path, _encode(self._data))
            self.dirty = False


class ReloadingReadStorage(Storage):
    """Read-only TinyDB storage that rereads the file only when it changed on disk."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._stamp: tuple[int, int, int] | None = None
        self._data: dict[str, Any] = {}

    def read(self) -> dict[str, Any] | None:
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            stamp = (0, 0, 0)
        if stamp != self._stamp:
            self._data = _load(self.path)
            self._stamp = stamp
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        raise PermissionError("read-only view: write through DataFolder.write()")


class DataFolder:
    """The data folder: a lock shared by every process, and named TinyDB document files in it."""

    LOCK_NAME = ".lock"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._depth = 0

    def path(self, name: str) -> Path:
        """The file behind a store name (``"residents"`` -> ``<data>/residents.json``)."""
        return self.root / f"{name}.json"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's exclusive lock (re-entrant within this object)."""
        with self._mutex:
            if self._depth == 0:
                fd = os.open(self.root / self.LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._lock_fd = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    @contextmanager
    def write(self, name: str) -> Iterator[TinyDB]:
        """A locked read-modify-write of one store; written once, atomically, if the block succeeds."""
        with self.locked():
            db = TinyDB(self.path(name), storage=BufferedAtomicStorage)
            yield db
            db.storage.commit()

    def read(self, name: str) -> TinyDB:
        """A read-only view of one store that follows changes made by other processes."""
        return TinyDB(self.path(name), storage=ReloadingReadStorage)
