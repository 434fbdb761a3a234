"""The engagement journal: append-only JSON Lines, one file per day (``<data>/events/YYYY-MM-DD.jsonl``).

Each event is written to the file at once with one ``write`` (a crashed or killed process loses nothing) and
fsync'd in groups, so a power cut loses at most the last second while the SD card sees about one fsync per
group, not one per event:

- at most ``sync_interval_s`` after the first unsynced event (:meth:`JsonlJournal.maybe_sync`, which the main
  loop may call as often as it likes: when nothing is due it is one attribute test);
- at once for a song start and a session end; a session start or song end is due at once too, but synced at
  the next pump or event, which is nearly always the (next) song's start or the session's end, so a song
  change costs one fsync, not two.

``seq`` continues across restarts (read from the tail of the newest day file). A torn last line left by a
power cut is ended with a newline before appending, so it stays one bad line that readers skip and count.
Trouble (disk full, read-only) stops journaling with a note for staff; it never raises into the music.
Residents whose consent is "no" are not journaled (``excluded_residents``). Day files older than the
retention are deleted (:meth:`JsonlJournal.prune`, also run once a day). Format: :mod:`kiosk.domain.events`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kiosk.adapters import attention
from kiosk.domain.events import SCHEMA_VERSION, EventType
from kiosk.domain.ports import Clock

log = logging.getLogger(__name__)

BOUNDARY_TYPES = frozenset(
    {EventType.SESSION_START, EventType.SESSION_END, EventType.SONG_START, EventType.SONG_END}
)
_SYNC_AT_ONCE = frozenset({EventType.SESSION_END, EventType.SONG_START})
_SYNC_AT_NEXT_PUMP = frozenset({EventType.SESSION_START, EventType.SONG_END})
DEFAULT_RETENTION_DAYS = 3 * 365
ATTENTION_KIND = "journal-stopped"
_TAIL_BYTES = 64 * 1024


class JsonlJournal:
    """Implements :class:`kiosk.domain.ports.Journal`.

    ``excluded_residents(resident_id)`` is True for a resident who must not be journaled (consent "no"); their
    events are dropped and their id is taken out of ``detail["residents"]``, except ``consent_withdrawn``: the
    one record that says recording stopped for them mid-session (so a rebuild leaves them out of it too). ``data_root`` is where the staff
    note goes (default: the parent of ``events_dir``).
    """

    def __init__(
        self,
        events_dir: Path,
        kiosk_id: str,
        clock: Clock,
        sync_interval_s: float = 1.0,
        *,
        excluded_residents: Callable[[str], bool] | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        data_root: Path | None = None,
    ):
        self.events_dir = Path(events_dir)
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.sync_interval_s = sync_interval_s
        self.excluded_residents = excluded_residents
        self.retention_days = retention_days
        self.data_root = Path(data_root) if data_root is not None else self.events_dir.parent
        self.problem: str | None = None
        self.dropped = 0  # events not written: excluded residents, or after journaling stopped
        self._fd: int | None = None
        self._day: str | None = None
        self._seq: int | None = None
        self._unsynced = False
        self._sync_due: float | None = None  # monotonic time by which the written events must be fsync'd
        self._pruned_day: str | None = None

    # -- writing ---------------------------------------------------------------------------------------

    def _open(self, day: str) -> int:
        if self._fd is not None and self._day == day:
            return self._fd
        self.sync()
        self._close()
        self.events_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self._seq is None:
            self._seq = last_seq(self.events_dir)
        fd = os.open(self.events_dir / f"{day}.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                os.write(fd, b"\n")  # end a torn line, so the next event starts on a line of its own
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._day = fd, day
        if self._pruned_day != day:
            self._pruned_day = day
            self.prune()
        return fd

    def _excluded(self, resident_id: str) -> bool:
        if self.excluded_residents is None:
            return False
        try:
            return bool(self.excluded_residents(resident_id))
        except Exception:  # consent unknown: err on the side of not recording
            log.warning("journal: consent check failed; event not recorded", exc_info=True)
            return True

    def append(
        self,
        type: str,
        *,
        session_id: str | None = None,
        resident_id: str | None = None,
        song_id: str | None = None,
        source: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one event now. Never raises."""
        if self.problem:
            self.dropped += 1
            return
        try:
            if (
                resident_id is not None
                and type != EventType.CONSENT_WITHDRAWN
                and self._excluded(resident_id)
            ):
                self.dropped += 1
                return
            detail = dict(detail or {})
            if isinstance(detail.get("residents"), list | tuple):
                detail["residents"] = [r for r in detail["residents"] if not self._excluded(str(r))]
            now = self.clock.now()
            mono = self.clock.monotonic()
            fd = self._open(now.date().isoformat())
            assert self._seq is not None
            self._seq += 1
            record = {
                "v": SCHEMA_VERSION,
                "at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "clock_ok": bool(self.clock.trusted()),
                "mono": round(mono, 3),
                "seq": self._seq,
                "kiosk": self.kiosk_id,
                "session": session_id,
                "resident": resident_id,
                "type": str(type),
                "song": song_id,
                "source": None if source is None else str(source),
                "detail": detail,
            }
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
            os.write(fd, line.encode("utf-8"))
            self._unsynced = True
            if type in _SYNC_AT_ONCE:
                self.sync()
            elif type in _SYNC_AT_NEXT_PUMP:
                self._sync_due = mono  # due now: synced by the next pump or event (often a song start)
            else:
                if self._sync_due is None:
                    self._sync_due = mono + self.sync_interval_s
                self.maybe_sync()
        except OSError as exc:
            self._stop(exc)
        except Exception:  # a bug must not stop the music either
            log.exception("journal: event not recorded")

    def maybe_sync(self) -> None:
        """fsync if written events have waited their time. Cheap: call it from the main loop ~20 times a second."""
        if self._sync_due is not None and self.clock.monotonic() >= self._sync_due:
            self.sync()

    def sync(self) -> None:
        """Force the written events to storage (song and session boundaries). Never raises."""
        if self._fd is not None and self._unsynced:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._stop(exc)
                return
        self._unsynced = False
        self._sync_due = None

    def _stop(self, exc: OSError) -> None:
        """Stop journaling for good (until restart) and tell staff; the music goes on."""
        self.problem = f"the engagement journal stopped: {exc.strerror or exc}"
        self._unsynced = False
        self._sync_due = None
        self._close()
        attention.note(
            self.data_root,
            ATTENTION_KIND,
            f"The engagement journal stopped writing ({exc.strerror or exc}). Music still plays, but "
            "reactions are not being recorded. Free disk space (run 'kiosk doctor'), then restart the kiosk.",
        )

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            self._day = None

    def close(self) -> None:
        self.sync()
        self._close()

    # -- retention -------------------------------------------------------------------------------------

    def prune(self, older_than_days: int | None = None) -> int:
        """Delete day files older than the retention; returns how many. Skipped while the clock is untrusted."""
        days = self.retention_days if older_than_days is None else older_than_days
        try:
            if not self.clock.trusted():
                return 0
            return prune_days(self.events_dir, self.clock.now().date(), days)
        except OSError as exc:
            log.warning("journal: pruning old days failed (%s)", exc)
            return 0


def prune_days(events_dir: Path, today: date, older_than_days: int) -> int:
    """Delete the day files of ``events_dir`` dated before ``today - older_than_days``."""
    cutoff = today - timedelta(days=max(0, older_than_days))
    removed = 0
    for path in journal_days(events_dir, end=cutoff - timedelta(days=1)):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def last_seq(events_dir: Path) -> int:
    """The highest ``seq`` in the tail of the newest day file (0 when there is none): where numbering resumes."""
    for path in reversed(journal_days(events_dir)):
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL_BYTES))
            lines = fh.read().split(b"\n")
        best = 0
        for raw in lines[1:] if size > _TAIL_BYTES else lines:
            try:
                seq = json.loads(raw).get("seq")
            except (ValueError, UnicodeDecodeError, AttributeError):
                continue
            if isinstance(seq, int) and seq > best:
                best = seq
        if best:
            return best
    return 0


@dataclass
class ReadStats:
    """What a read met besides good events."""

    files: int = 0
    events: int = 0
    torn: int = 0  # lines that were not complete JSON objects (e.g. the last line after a power cut)


def journal_days(events_dir: Path, start: date | None = None, end: date | None = None) -> list[Path]:
    """The day files within [start, end], oldest first."""
    paths = []
    for path in sorted(Path(events_dir).glob("*.jsonl")):
        try:
            day = date.fromisoformat(path.stem)
        except ValueError:
            continue
        if (start and day < start) or (end and day > end):
            continue
        paths.append(path)
    return paths


def read_events(
    events_dir: Path, start: date | None = None, end: date | None = None, stats: ReadStats | None = None
) -> Iterator[dict[str, Any]]:
    """Stream events of the days [start, end] line by line (constant memory); a torn or garbled line is
    skipped and counted, never fatal. Empty lines are ignored."""
    stats = stats if stats is not None else ReadStats()
    for path in journal_days(events_dir, start, end):
        stats.files += 1
        with path.open("rb") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                try:
                    event = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    stats.torn += 1
                    continue
                if not isinstance(event, dict) or "type" not in event:
                    stats.torn += 1
                    continue
                stats.events += 1
                yield event


def consent_refused(data: Any, store: str = "residents", table: str = "residents") -> Callable[[str], bool]:
    """An ``excluded_residents`` predicate over the residents store (a :class:`DataFolder`): True for a
    resident whose ``consent`` is "no". The view reloads only when the store changed, so it is cheap."""
    view = data.read(store)

    def refused(resident_id: str) -> bool:
        return any(
            doc.get("resident_id") == resident_id and doc.get("consent") == "no"
            for doc in view.table(table).all()
        )

    return refused
