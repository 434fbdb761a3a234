"""Durable TinyDB documents shared by several processes.

The kiosk, a staff member's ``kiosk residents import`` and the nightly backup all write the same data folder.
Every write is a read-modify-write under an exclusive ``flock`` on ``<data>/.lock``: the file is read fresh
inside the lock, changed in memory, and written back atomically (:mod:`kiosk.adapters.atomic`) once, when the
block ends without an exception. So an import is all-or-nothing, and nobody loses another's change.

Readers (:meth:`DataFolder.read`) reload when the file changed on disk (inode, size, mtime).

After each successful write a copy goes to ``<data>/.backups/<name>.json.1`` (older ones shift to .2, .3):
one extra write, not fsync'd (cheap on an SD card; a torn backup is simply skipped). A store file found
damaged when it is opened (truncated, NUL-filled, not JSON, not a document dict) is renamed aside as
``<name>.json.damaged-YYYYMMDDTHHMMSSZ``, the newest good backup is put back, and a note for staff goes to
``<data>/attention.json`` (:mod:`kiosk.adapters.attention`). Both the write and the read path recover.
Every document is checked when a file is opened: a table whose entries are not objects is damage too.

A folder where a store file belongs is left alone (it is not ours to move): staff get a note, the store reads
as its newest good backup (or empty) and writes to it fail with an ``OSError`` the caller reports. A folder
where ``.lock`` belongs is locked instead (``flock`` works on a folder), so the kiosk still starts and plays.

Which files are stores is a registry (:data:`STORE_NAMES`, :data:`STORE_PATTERNS`, :func:`is_store`).
Other JSON files in the folder (``resume.json``, ``clock-set.json``, ``attention.json``) are not stores and
are left alone by the start-up check.

Usage::

    data = DataFolder(path)
    with data.write("residents") as db:          # locked read-modify-write, one atomic write at the end
        db.table("residents").insert({...})
    db = data.read("residents")                   # always current; writing through it raises
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from kiosk.adapters import attention
from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes
from kiosk.adapters.resume import RESUME_FILE

log = logging.getLogger(__name__)

# The registry of document stores: only these names are TinyDB document files. Other ``*.json`` files in the
# data folder (``resume.json``, ``attention.json``, anything a person left there) are not stores, so the
# start-up check leaves them alone instead of "repairing" them. A new store is added here (a test checks that
# every store constant in the code is registered).
STORE_NAMES = frozenset(
    {
        "residents",
        "catalogue",
        "reviews",
        "erasures",
        "report-state",
        "profile-history",
        "settings",
        "calm-ahead",
        "beat-summaries",
    }
)
STORE_PATTERNS = (re.compile(r"rollups-\d{4}-\d{2}"),)  # one store per month

BACKUP_DIR = ".backups"
BACKUPS_KEPT = 3
DAMAGED_KEPT = 5  # damaged copies kept per store (oldest deleted), so repeated trouble cannot fill the disk


class DamagedStore(ValueError):
    """A store file that cannot be a TinyDB document file; ``reason`` says how, in plain words. ``folder``:
    a folder sits where the file belongs (left alone, not repaired)."""

    def __init__(self, path: Path, reason: str, folder: bool = False):
        super().__init__(f"{path}: damaged ({reason})")
        self.path = path
        self.reason = reason
        self.folder = folder


def is_store(name: str) -> bool:
    """True for the name of a registered document store (``residents``, ``rollups-2026-06``...)."""
    return name in STORE_NAMES or any(p.fullmatch(name) for p in STORE_PATTERNS)


def _encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _decode(path: Path, raw: bytes) -> dict[str, Any]:
    """The document dict in ``raw``, or :class:`DamagedStore`."""
    if not raw.strip():
        raise DamagedStore(path, "empty")
    if b"\x00" in raw:
        raise DamagedStore(path, "NUL bytes: cut short by a power failure?")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DamagedStore(path, "not JSON: truncated or overwritten") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise DamagedStore(path, "not a document file")
    for table in data.values():
        if not all(isinstance(doc, dict) for doc in table.values()):
            raise DamagedStore(path, "a document that is not an object")
    return data


def _load(path: Path) -> dict[str, Any]:
    """The store's content; a missing file is an empty store; a damaged one raises :class:`DamagedStore`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise DamagedStore(path, "a folder is where this file belongs", folder=True) from None
    return _decode(path, raw)


def load_store_file(path: Path) -> dict[str, Any]:
    """Read one store file without repairing it (``kiosk doctor``); raises :class:`DamagedStore`."""
    return _load(Path(path))


def backup_paths(path: Path) -> list[Path]:
    """The rotating backups of a store file, newest first."""
    folder = path.parent / BACKUP_DIR
    return [folder / f"{path.name}.{i}" for i in range(1, BACKUPS_KEPT + 1)]


def write_backup(path: Path, raw: bytes) -> None:
    """Shift the backups of ``path`` by one and save ``raw`` as the newest. Best effort, never raises."""
    try:
        backups = backup_paths(path)
        backups[0].parent.mkdir(mode=0o700, exist_ok=True)
        for older, newer in zip(reversed(backups[1:]), reversed(backups[:-1]), strict=True):
            with contextlib.suppress(FileNotFoundError):
                os.replace(newer, older)
        tmp = backups[0].with_name(f".{backups[0].name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, backups[0])
    except OSError as exc:
        log.warning("docstore: could not save a backup of %s (%s)", path.name, exc)


def _utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _set_aside(path: Path) -> Path:
    """Rename a damaged file to ``<name>.damaged-<UTC stamp>`` and drop the oldest such copies."""
    aside = path.with_name(f"{path.name}.damaged-{_utc_stamp()}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.damaged-{_utc_stamp()}-{n}")
        n += 1
    os.replace(path, aside)
    copies = sorted(path.parent.glob(f"{path.name}.damaged-*"), key=lambda p: p.stat().st_mtime_ns)
    for old in copies[:-DAMAGED_KEPT]:
        with contextlib.suppress(OSError):
            old.unlink()
    return aside


def _newest_good_backup(path: Path) -> tuple[Path, bytes, dict[str, Any]] | None:
    for candidate in backup_paths(path):
        try:
            raw = candidate.read_bytes()
            return candidate, raw, _decode(candidate, raw)
        except (OSError, DamagedStore):
            continue
    return None


def _after_repair(path: Path, content: dict[str, Any]) -> dict[str, Any]:
    """Hook run on a store put back from a rotating copy, before it is written: erasures are re-applied, so
    a copy from before an erasure never brings the resident back (:func:`kiosk.adapters.erasures.filter_repaired`)."""
    from kiosk.adapters.erasures import filter_repaired  # erasures builds on this module

    return filter_repaired(path, content)


def recover(path: Path) -> tuple[dict[str, Any], str | None]:
    """Load a store, repairing a damaged file from its newest good backup. The caller holds the folder lock.

    Returns the content and, when something was repaired, the note given to staff. If the folder cannot be
    written (read-only), the backup's content is returned without repairing anything.
    """
    path = Path(path)
    try:
        return _load(path), None
    except DamagedStore as exc:
        damage = exc
    good = _newest_good_backup(path)
    if damage.folder:
        return (good[2] if good else {}), _note_folder(path, good)
    if damage.reason == "empty" and good is None:
        return {}, None  # nothing lost: an empty file and nothing better to offer
    data: dict[str, Any] = _after_repair(path, good[2]) if good else {}
    try:
        aside = _set_aside(path)
        if good is not None:
            atomic_write_bytes(path, _encode(data) if data is not good[2] else good[1])
    except OSError as exc:
        log.error("docstore: %s is damaged (%s) and could not be repaired: %s", path.name, damage.reason, exc)
        return data, None
    if good is not None:
        saved = datetime.fromtimestamp(good[0].stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        message = (
            f"{path.name} was damaged ({damage.reason}). The backup saved {saved} was put back; "
            f"changes made after it are lost. The damaged copy is kept as {aside.name}."
        )
    else:
        message = (
            f"{path.name} was damaged ({damage.reason}) and no good backup was found, so it starts empty. "
            f"The damaged copy is kept as {aside.name}; restore a 'kiosk backup' copy if you have one."
        )
    log.error("docstore: %s", message)
    attention.note(path.parent, f"store-damaged:{path.stem}", message)
    return data, message


def _note_folder(path: Path, good: tuple[Path, bytes, dict[str, Any]] | None) -> str:
    using = "the newest backup of it, read-only," if good else "nothing in its place"
    message = (
        f"{path.name} in the data folder is a folder, where the kiosk keeps a file. The kiosk left it as it is "
        f"and uses {using}; changes to it cannot be saved. Move the folder away (kiosk doctor shows it)."
    )
    attention.note_once(path.parent, f"store-folder:{path.stem}", message)
    return message


def folder_where_file_belongs(data_dir: Path) -> list[str]:
    """Names in the data folder that should be files but are folders (stores, the lock, logs, secrets)."""
    root = Path(data_dir)
    names = [f"{n}.json" for n in sorted(STORE_NAMES)] + [DataFolder.LOCK_NAME, *FILES_NOT_FOLDERS]
    found = [n for n in names if (root / n).is_dir()]
    found += sorted(p.name for p in root.glob("rollups-*.json") if p.is_dir() and is_store(p.stem))
    return found


FILES_NOT_FOLDERS = (
    "export-log.jsonl",
    "backup-log.jsonl",
    "report-secret",
    "attention.json",
    "resume.json",
    "resume-position.json",
    "clock-set.json",
    "pin-lockout.json",
)


class BufferedAtomicStorage(Storage):
    """TinyDB storage for one locked transaction: read once, write once (atomically) at commit."""

    def __init__(self, path: Path, folder: DataFolder | None = None):
        self.path = Path(path)
        self._data: dict[str, Any] = recover(self.path)[0]
        self._loaded = _encode(self._data) if self.path.is_file() else None  # (TinyDB changes _data in place)
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self.dirty = True

    def commit(self) -> None:
        if self.dirty:
            raw = _encode(self._data)
            if raw == self._loaded:  # a write that changed nothing: the file (and the SD card) left alone
                self.dirty = False
                return
            atomic_write_bytes(self.path, raw)
            self.dirty = False
            write_backup(self.path, raw)


class ReloadingReadStorage(Storage):
    """Read-only TinyDB storage that rereads the file only when it changed on disk."""

    def __init__(self, path: Path, folder: DataFolder | None = None):
        self.path = Path(path)
        self.folder = folder
        self._stamp: tuple[int, int, int] | None = None
        self._data: dict[str, Any] = {}

    def _stat(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
            return (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            return (0, 0, 0)

    def read(self) -> dict[str, Any] | None:
        stamp = self._stat()
        if stamp != self._stamp:
            try:
                self._data = _load(self.path)
            except DamagedStore:
                folder = self.folder or DataFolder(self.path.parent)
                try:
                    with folder.locked():
                        self._data = recover(self.path)[0]
                except (
                    OSError
                ):  # cannot even take the lock (read-only folder): read the backup, repair nothing
                    good = _newest_good_backup(self.path)
                    self._data = good[2] if good else {}
                stamp = self._stat()
            self._stamp = stamp
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        raise PermissionError("read-only view: write through DataFolder.write()")


def _storages(name: str) -> tuple[type[ReloadingReadStorage], type[BufferedAtomicStorage]]:
    """(read view, locked write) storage classes of a store: a rollup month also has its appended sessions
    (:mod:`kiosk.adapters.month_store`)."""
    if STORE_PATTERNS[0].fullmatch(name):
        from kiosk.adapters import month_store  # builds on this module

        return month_store.MonthReadStorage, month_store.MonthWriteStorage
    return ReloadingReadStorage, BufferedAtomicStorage


class DataFolder:
    """The data folder: a lock shared by every process, and named TinyDB document files in it."""

    LOCK_NAME = ".lock"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._depth = 0
        self._swept: set[str] = set()

    def path(self, name: str) -> Path:
        """The file behind a store name (``"residents"`` -> ``<data>/residents.json``)."""
        return self.root / f"{name}.json"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's exclusive lock (re-entrant within this object)."""
        with self._mutex:
            if self._depth == 0:
                fd = self._open_lock()
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

    def _open_lock(self) -> int:
        path = self.root / self.LOCK_NAME
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except IsADirectoryError:  # someone made a folder there: flock works on it too, for every process
            attention.note_once(
                self.root,
                "store-folder:lock",
                f"{self.LOCK_NAME} in the data folder is a folder, where the kiosk keeps a small lock file. "
                "The kiosk still works (it locks the folder itself); move it away when convenient.",
            )
            return os.open(path, os.O_RDONLY | os.O_DIRECTORY)

    def _sweep_temp_files(self, name: str) -> None:
        """Delete temp files a killed writer of this store left behind (we hold the lock: none is live)."""
        if name in self._swept:
            return
        self._swept.add(name)
        for tmp in self.root.glob(f".{name}.json.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    @contextmanager
    def write(self, name: str) -> Iterator[TinyDB]:
        """A locked read-modify-write of one store; written once, atomically, if the block succeeds."""
        with self.locked():
            self._sweep_temp_files(name)
            db = TinyDB(self.path(name), storage=_storages(name)[1], folder=self)
            yield db
            storage = db.storage
            assert isinstance(storage, BufferedAtomicStorage)
            storage.commit()

    def read(self, name: str) -> TinyDB:
        """A read-only view of one store that follows changes made by other processes."""
        return TinyDB(self.path(name), storage=_storages(name)[0], folder=self)

    def store_names(self) -> list[str]:
        """Every registered document store present in the folder (``residents``, ``rollups-2026-06``...)."""
        return sorted(p.stem for p in self.root.glob("*.json") if is_store(p.stem))

    def check_all(self) -> list[str]:
        """Open every registered store once, repairing damaged ones (call at start-up); returns the staff
        notes given. Files that are not stores (``resume.json``...) are not touched."""
        messages = []
        with self.locked():
            for name in self.store_names():
                self._sweep_temp_files(name)
                message = recover(self.path(name))[1]
                if message:
                    messages.append(message)
            self._undo_false_alarms()
        return messages

    def _undo_false_alarms(self) -> None:
        """Earlier versions "repaired" files that are not stores (every power cut set ``resume.json`` aside):
        their notes to staff were false, so they go; stale copies of the resume point go too."""
        for item in attention.notes(self.root):
            kind = str(item.get("kind", ""))
            if kind.startswith("store-damaged:") and not is_store(kind.split(":", 1)[1]):
                attention.clear(self.root, kind)
        for stale in self.root.glob(f"{RESUME_FILE}.damaged-*"):
            with contextlib.suppress(OSError):
                stale.unlink()
