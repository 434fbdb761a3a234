"""A month of session rollups on disk: ``rollups-YYYY-MM.json`` (a document store) + ``rollups-YYYY-MM.jsonl``.

Adding a session rollup is an append of one line to the month's ``.jsonl`` (constant time however full the
month is; the last line for a ``session_id`` wins, so a replaced rollup is simply appended again). The ``.json``
store keeps the staff observations and avoid-list changes, and the sessions of months stored before this layout
(or the month's first session, which creates the store).

Every reader sees one month: the ``.json`` sessions overlaid by the ``.jsonl`` lines (:func:`month_sessions`
streams them; a TinyDB view of a month store, ``DataFolder.read("rollups-2026-06")``, shows them in its
``sessions`` table, so reports and learning read both without knowing). A locked TinyDB write of a month
(``DataFolder.write``) sees the same merged table; when it changes the sessions, they are all written to a new
``.jsonl`` first (with a tombstone line for each session the ``.json`` still holds but the write removed), then the
``.json`` without sessions: a kill between the two leaves the ``.json``'s old sessions overlaid by the new truth.
So moving an old month's sessions into its ``.jsonl`` (:func:`migrate_month`, at start-up and after restoring an
older backup) survives a kill at any point.

A torn last line (power cut mid-append) is ended before the next append and skipped by readers, as are lines
that are not JSON objects.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes, fsync_dir
from kiosk.adapters.docstore import BufferedAtomicStorage, DataFolder, ReloadingReadStorage

SESSIONS = "sessions"
DELETED = "_deleted"  # a tombstone line: {"session_id": ..., "_deleted": true}


def log_path(store_path: Path) -> Path:
    """``rollups-2026-06.json`` -> ``rollups-2026-06.jsonl``."""
    return store_path.with_suffix(".jsonl")


def _stat(path: Path) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return (0, 0, 0)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def stamp(store_path: Path) -> tuple[int, ...]:
    """Changes whenever the month changes (either file): a cache key."""
    return (*_stat(store_path), *_stat(log_path(store_path)))


def read_log(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of a month's ``.jsonl``, in order (tombstones included); torn or garbled lines skipped."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                return  # a torn last line: not (yet) a record
            try:
                doc = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(doc, dict) and doc.get("session_id") is not None:
                yield doc


def merged(stored: dict[str, Any], lines: Iterator[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """session_id -> rollup: the ``.json`` sessions table overlaid by the log (last wins; tombstones remove)."""
    out: dict[str, dict[str, Any]] = {}
    for doc in stored.values():
        if isinstance(doc, dict):
            out[str(doc.get("session_id"))] = doc
    for doc in lines:
        sid = str(doc["session_id"])
        out.pop(sid, None)  # a replaced rollup moves to where it was last written
        if not doc.get(DELETED):
            out[sid] = doc
    return out


def month_sessions(store_path: Path, stored: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Stream a month's sessions: ``stored`` (the ``.json``'s sessions table, usually empty or one) and the log.

    Two passes over the log: the first keeps only each session's last line number (ints, not documents), the
    second yields; memory stays small however many sessions the month holds."""
    path = log_path(store_path)
    last: dict[str, int] = {}
    for n, doc in enumerate(read_log(path)):
        last[str(doc["session_id"])] = n
    for doc in stored.values():
        if isinstance(doc, dict) and str(doc.get("session_id")) not in last:
            yield doc
    for n, doc in enumerate(read_log(path)):
        if last.get(str(doc["session_id"])) == n and not doc.get(DELETED):
            yield doc


class EncodedRollup(dict[str, Any]):
    """A rollup with its log line already encoded (by the thread that made it: see :class:`RollupWriter`)."""

    def __init__(self, rollup: dict[str, Any]):
        super().__init__(rollup)
        self.line = encode_line(rollup)


def encode_line(rollup: dict[str, Any]) -> bytes:
    return (json.dumps(rollup, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


def append(data: DataFolder, store_path: Path, rollup: dict[str, Any]) -> None:
    """Append one rollup line (the caller holds the folder lock). A torn last line is ended first; a failed
    write (disk full) is cut back, so the file never keeps half a line; OSError is raised."""
    path = log_path(store_path)
    line = rollup.line if isinstance(rollup, EncodedRollup) else encode_line(rollup)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if size == 0:
        fsync_dir(path.parent)


def _overlay(content: dict[str, Any], store_path: Path) -> dict[str, Any]:
    """The month's content with the log folded into its sessions table (for TinyDB views)."""
    if not log_path(store_path).exists():
        return content
    table = content.get(SESSIONS) or {}
    sessions = merged(table, read_log(log_path(store_path)))
    next_id = max((int(k) for k in table if str(k).isdigit()), default=0) + 1
    by_sid = {str(d.get("session_id")): k for k, d in table.items() if isinstance(d, dict)}
    out: dict[str, Any] = {}
    for sid, doc in sessions.items():
        key = by_sid.get(sid)
        if key is None or table.get(key) is not doc:
            key, next_id = str(next_id), next_id + 1
        out[key] = doc
    return {**content, SESSIONS: out}


class MonthReadStorage(ReloadingReadStorage):
    """A read-only view of a month store with its log folded in; rereads when either file changes."""

    def __init__(self, path: Path, folder: DataFolder | None = None):
        super().__init__(path, folder)
        self._base: Any = None
        self._log_key: tuple[int, int, int] | None = None
        self._merged: dict[str, Any] = {}

    def read(self) -> dict[str, Any] | None:
        log_key = _stat(log_path(self.path))
        base = super().read()
        if base is not self._base or log_key != self._log_key:
            self._merged = _overlay(base or {}, self.path)
            self._base, self._log_key = base, log_key
        return self._merged


class MonthWriteStorage(BufferedAtomicStorage):
    """One locked transaction on a month store, its log folded into the sessions table while it lasts."""

    def __init__(self, path: Path, folder: DataFolder | None = None):
        super().__init__(path, folder)
        self._stored_sessions = dict(self._data.get(SESSIONS) or {})
        self._has_log = log_path(self.path).exists()
        self._data = _overlay(self._data, self.path)
        self._before = json.dumps(self._data.get(SESSIONS) or {}, sort_keys=True, default=str)
        self.force_move = False  # migrate_month: move the .json's sessions into the log

    def commit(self) -> None:
        if not self.dirty and not self.force_move:
            return
        sessions = self._data.get(SESSIONS) or {}
        changed = json.dumps(sessions, sort_keys=True, default=str) != self._before
        rest = {k: v for k, v in self._data.items() if k != SESSIONS}
        if not changed and not self.force_move:
            self._data = {**rest, SESSIONS: self._stored_sessions} if self._stored_sessions else rest
        elif not self._has_log and not self.force_move and len(sessions) <= 1:
            self._data = {**rest, SESSIONS: sessions} if sessions else rest  # a new month's first session
        else:
            kept = {str(d.get("session_id")) for d in sessions.values() if isinstance(d, dict)}
            gone = {str(d.get("session_id")) for d in self._stored_sessions.values() if isinstance(d, dict)}
            lines = [d for d in sessions.values() if isinstance(d, dict)]
            lines += [{"session_id": sid, DELETED: True} for sid in sorted(gone - kept)]
            raw = b"".join(
                (json.dumps(d, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")
                for d in lines
            )
            atomic_write_bytes(log_path(self.path), raw)  # the new truth first (see the module docstring)
            self._data = rest
        self.dirty = True
        super().commit()


def migrate_month(data: DataFolder, name: str) -> bool:
    """Move an old-layout month's sessions (more than one in its ``.json``) into its log. True when moved."""
    path = data.path(name)
    with data.locked():
        try:
            raw = json.loads(path.read_bytes())
        except (OSError, ValueError, UnicodeDecodeError):
            return False  # missing, or damaged: the docstore's repair sees to it first
        if not isinstance(raw, dict) or len(raw.get(SESSIONS) or {}) <= 1:
            return False
        with data.write(name) as db:
            storage = db.storage
            assert isinstance(storage, MonthWriteStorage)
            storage.force_move = True
    return True
