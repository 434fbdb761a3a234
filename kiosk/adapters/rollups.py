"""Session rollups and staff observations, stored by month.

A report over a year reads 12 months of per-session summaries instead of a year of raw events. A month is
``rollups-YYYY-MM.json`` (a document store: observations, avoid-list changes) and ``rollups-YYYY-MM.jsonl``
(the session rollups, one line each, appended: :mod:`kiosk.adapters.month_store`), by the session's start
month. Adding a rollup costs the same on the first day of a month as on the last, and reading a month streams.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from tinydb import where

from kiosk.adapters import month_store
from kiosk.adapters.docstore import DataFolder, ReloadingReadStorage, backup_paths

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(rollups-(\d{4})-(\d{2}))\.jsonl?$")


def store_name(iso_time: str) -> str:
    """``"2026-06-01T10:00:00+00:00"`` -> ``"rollups-2026-06"``."""
    return f"rollups-{iso_time[:7]}"


def month_stamp(data: DataFolder, name: str) -> tuple[int, ...]:
    """Changes whenever the month changes (its store or its sessions log): for caches of derived data."""
    return month_store.stamp(data.path(name))


class RollupStore:
    """Implements :class:`kiosk.domain.ports.SessionRollups` over the monthly files."""

    def __init__(self, data: DataFolder):
        self.data = data

    def add(self, rollup: Mapping[str, Any]) -> None:
        """Store one session's rollup (replacing an earlier one with the same session_id): one appended line,
        or, for the month's first session, the month's store created with it."""
        name = store_name(str(rollup["started_at"]))
        with self.data.locked():
            if self.data.path(name).exists():
                doc = rollup if isinstance(rollup, month_store.EncodedRollup) else dict(rollup)
                month_store.append(self.data, self.data.path(name), doc)
                return
            with self.data.write(name) as db:
                table = db.table("sessions")
                table.remove(lambda d: d.get("session_id") == rollup["session_id"])
                table.insert(dict(rollup))

    def add_observation(self, session_started_at: str, observation: Mapping[str, Any]) -> None:
        """Store a staff observation form (scales, reactions) with the session it belongs to."""
        with self.data.write(store_name(session_started_at)) as db:
            db.table("observations").insert(dict(observation))

    def months(self, start: date | None = None, end: date | None = None) -> list[str]:
        """Store names whose month overlaps [start, end], oldest first."""
        names = set()
        for path in self.data.root.glob("rollups-*.json*"):
            m = _NAME.match(path.name)
            if not m:
                continue
            first = date(int(m.group(2)), int(m.group(3)), 1)
            if start and (first.year, first.month) < (start.year, start.month):
                continue
            if end and first > end:
                continue
            names.add(m.group(1))
        return sorted(names)

    def _stored(self, name: str) -> dict[str, Any]:
        """The month's ``.json`` content as stored (no sessions log folded in), repaired if damaged."""
        return ReloadingReadStorage(self.data.path(name), self.data).read() or {}

    def month_sessions(self, name: str) -> Iterator[dict[str, Any]]:
        """Every session rollup of one month, streamed."""
        stored = self._stored(name).get("sessions") or {}
        yield from month_store.month_sessions(self.data.path(name), stored)

    def sessions(self, start: date | None = None, end: date | None = None) -> Iterator[dict[str, Any]]:
        """Rollups of sessions that started within [start, end] (dates inclusive, compared on the ISO date)."""
        for name in self.months(start, end):
            for doc in self.month_sessions(name):
                day = str(doc.get("started_at", ""))[:10]
                if start and day < start.isoformat():
                    continue
                if end and day > end.isoformat():
                    continue
                yield dict(doc)

    def observations(self, start: date | None = None, end: date | None = None) -> Iterator[dict[str, Any]]:
        for name in self.months(start, end):
            for doc in (self._stored(name).get("observations") or {}).values():
                yield dict(doc)

    def migrate(self) -> int:
        """Move the sessions of months stored before the sessions log (or restored from an older backup) into
        their logs, so reading them streams. Safe to kill at any point; returns how many months moved."""
        moved = 0
        for name in self.months():
            try:
                moved += month_store.migrate_month(self.data, name)
            except OSError as exc:  # a full or read-only disk: the month stays readable as it is
                log.warning("rollups: could not move %s to the sessions log (%s)", name, exc.strerror or exc)
        return moved

    def _keep_only(self, name: str, session_ids: set[str]) -> None:
        dropped = where("session_id").test(lambda sid: str(sid) not in session_ids)
        missing = ~where("session_id").exists()  # an observation without a session id goes with its month

        with self.data.write(name) as db:
            db.table("sessions").remove(dropped | missing)
            db.table("observations").remove(dropped | missing)

    def prune(self, today: date, older_than_days: int) -> int:
        """:meth:`prune_before` ``today - older_than_days``."""
        return self.prune_before(today - timedelta(days=max(0, older_than_days)))

    def prune_before(self, cutoff: date) -> int:
        """Delete whole months that ended before ``cutoff`` (and their rotating backups), so rollups follow the
        journal's retention. Sessions recorded under an untrusted clock (``clock_ok`` not true) are never
        deleted: a month holding some keeps them (and their observations). Returns how many months changed.
        Call only under a clock that may prune (:class:`kiosk.adapters.retention.Retention`)."""
        removed = 0
        with self.data.locked():
            for name in self.months(end=cutoff):
                year, month = int(name[8:12]), int(name[13:15])
                last_day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
                if last_day >= cutoff:
                    continue
                sessions = list(self.month_sessions(name))
                kept = {str(d.get("session_id")) for d in sessions if d.get("clock_ok") is not True}
                if len(kept) == len(sessions) and sessions:
                    continue  # only untrusted sessions: all kept
                if kept:
                    self._keep_only(name, kept)
                else:
                    path = self.data.path(name)
                    for p in [month_store.log_path(path), path, *backup_paths(path)]:
                        p.unlink(missing_ok=True)
                removed += 1
        return removed


class RollupWriter:
    """:class:`kiosk.domain.ports.SessionRollups` off the main loop: one writer thread owns the rollup writes.

    ``RollupStore.add`` rereads and rewrites the session's month file: 20 ms with 100 sessions in the month,
    110 ms with 600 here, several times that on a Pi. The engine calls ``add`` on the UI thread as a session
    ends (while the music fades out), so the write is queued and done by this thread instead. Reads flush the
    queue first, so a caller always sees its own writes. A rollup still queued when the process is killed is
    not lost for good: ``kiosk report --rebuild`` recomputes rollups from the journal.

    When the disk refuses a write (full, read-only), the rollup is held in memory (reads include it) and
    written again every ``retry_s`` until it goes through: one log line when holding starts, one when done.
    """

    def __init__(self, store: RollupStore, retry_s: float = 60.0):
        self.store = store
        self.retry_s = retry_s
        self._queue: queue.Queue[tuple[str, tuple[Any, ...]] | None] = queue.Queue()
        self._held: list[tuple[str, tuple[Any, ...]]] = []  # writes the disk refused, oldest first
        self._held_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rollup-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.retry_s if self._held else None)
            except queue.Empty:
                self._write_held()
                continue
            try:
                if item is None:
                    self._write_held()
                    return
                if self._held:  # keep the order: older refused writes first
                    self._write_held()
                if self._held:
                    with self._held_lock:
                        self._held.append(item)
                else:
                    self._write(item)
            finally:
                self._queue.task_done()

    def _write(self, item: tuple[str, tuple[Any, ...]]) -> None:
        method, args = item
        try:
            getattr(self.store, method)(*args)
        except OSError as exc:
            with self._held_lock:
                self._held.append(item)
            log.warning(
                "rollups: the disk refused a session rollup (%s); kept in memory, retrying every %.0f s",
                exc.strerror or exc,
                self.retry_s,
            )
        except Exception:
            log.warning("could not store a session rollup", exc_info=True)

    def _write_held(self) -> None:
        while self._held:
            method, args = self._held[0]
            try:
                getattr(self.store, method)(*args)
            except OSError:
                return  # still refused: quiet until it works
            except Exception:
                log.warning("could not store a session rollup", exc_info=True)
            with self._held_lock:
                self._held.pop(0)
            if not self._held:
                log.warning("rollups: the rollups kept in memory are written")

    def held(self) -> int:
        """How many writes wait in memory for the disk."""
        return len(self._held)

    def add(self, rollup: Mapping[str, Any]) -> None:
        # Encoded here, on the caller's thread (~50 us): big strings made by the writer thread live in its own
        # malloc arena, which kept ~4 MB more over a day of sessions (bench/soak.py).
        self._queue.put(("add", (month_store.EncodedRollup(dict(rollup)),)))

    def add_observation(self, session_started_at: str, observation: Mapping[str, Any]) -> None:
        self._queue.put(("add_observation", (session_started_at, dict(observation))))

    def flush(self) -> None:
        """Wait until every queued write is done (or held in memory)."""
        self._queue.join()

    def _held_items(self, method: str) -> list[tuple[Any, ...]]:
        with self._held_lock:
            return [args for m, args in self._held if m == method]

    def sessions(self, start: date | None = None, end: date | None = None) -> Iterator[dict[str, Any]]:
        self.flush()
        held = {str(a[0]["session_id"]): a[0] for a in self._held_items("add")}
        for doc in self.store.sessions(start, end):
            if str(doc.get("session_id")) not in held:
                yield doc
        for doc in held.values():
            day = str(doc.get("started_at", ""))[:10]
            if (not start or day >= start.isoformat()) and (not end or day <= end.isoformat()):
                yield dict(doc)

    def observations(self, start: date | None = None, end: date | None = None) -> Iterator[dict[str, Any]]:
        self.flush()
        yield from self.store.observations(start, end)
        for _at, observation in self._held_items("add_observation"):
            yield dict(observation)

    def prune(self, today: date, older_than_days: int) -> int:
        self.flush()
        return self.store.prune(today, older_than_days)

    def prune_before(self, cutoff: date) -> int:
        self.flush()
        return self.store.prune_before(cutoff)

    def close(self) -> None:
        """Finish the queued writes (one last try for those held in memory) and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=60)
        if self._held:
            log.warning("rollups: %d session rollup(s) could not be written before closing", len(self._held))
