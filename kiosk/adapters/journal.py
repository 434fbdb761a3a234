"""The engagement journal: append-only JSON Lines, one file per day (``<data>/events/YYYY-MM-DD.jsonl``).

Each event is written to the file at once with one ``write`` (a crashed or killed process loses nothing) and
fsync'd in groups, so a power cut loses at most the last second while the SD card sees about one fsync per
group, not one per event:

- at most ``sync_interval_s`` after the first unsynced event (:meth:`JsonlJournal.maybe_sync`, which the main
  loop may call as often as it likes: when nothing is due it is one attribute test);
- at once for a song start and a session end; a session start or song end is due at once too, but synced at
  the next pump or event, which is nearly always the (next) song's start or the session's end, so a song
  change costs one fsync, not two.

``seq`` continues across restarts and clock steps: at start the tails of all day files are read and numbering
goes on from the highest (no side file: it would add SD writes). A torn last line left by a power cut is ended
with a newline before appending, so it stays one bad line that readers skip and count.

Trouble (disk full, read-only) never raises into the music: a short write is completed or the partial line
truncated away, events are kept in memory (up to ``MAX_PENDING_EVENTS``), staff get a note, and about once a
minute (``retry_s``) the journal tries again; when it can write, the kept events go out in order, it resumes
by itself and the note says so. One log line per change of state, no tracebacks.
Residents whose consent is "no" are not journaled (``excluded_residents``). Old day files are deleted by the
retention rule (:mod:`kiosk.adapters.retention`: only under a trusted clock, never lines written under an
untrusted one), on the first event of each day. Format: :mod:`kiosk.domain.events`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters import attention
from kiosk.adapters.retention import Retention, newest_trusted_record, prune_journal_days
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
_TAIL_BYTES = 8 * 1024
MAX_PENDING_EVENTS = 20_000  # events kept in memory while the disk is full (~8 MB at most)
RETRY_S = 60.0


class JsonlJournal:
    """Implements :class:`kiosk.domain.ports.Journal`.

    ``excluded_residents(resident_id)`` is True for a resident who must not be journaled (consent "no"); their
    events are dropped and their id is taken out of ``detail["residents"]``, except ``consent_withdrawn``: the
    one record that says recording stopped for them mid-session (so a rebuild leaves them out of it too).
    ``data_root`` is where the staff note goes (default: the parent of ``events_dir``). ``retention`` decides
    what old days may go (default: the rule over ``clock`` and the newest trusted record under ``data_root``).
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
        retention: Retention | None = None,
        retry_s: float = RETRY_S,
    ):
        self.events_dir = Path(events_dir)
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.sync_interval_s = sync_interval_s
        self.excluded_residents = excluded_residents
        self.retention_days = retention_days
        self.data_root = Path(data_root) if data_root is not None else self.events_dir.parent
        root = self.data_root

        def newest() -> datetime | None:
            return newest_trusted_record(root)

        self.retention = retention or Retention(clock, retention_days, newest)
        self.retry_s = retry_s
        self.problem: str | None = None  # set while the journal cannot write (what staff should know)
        self.dropped = 0  # events not written: excluded residents, or beyond the in-memory limit
        self._fd: int | None = None
        self._day: str | None = None
        self._seq: int | None = None
        self._unsynced = False
        self._sync_due: float | None = None  # monotonic time by which the written events must be fsync'd
        self._pruned_day: str | None = None
        self._pending: deque[tuple[str, bytes]] = deque()  # (day, line) kept while the disk refuses them
        self._retry_at = 0.0
        self._note = ""
        self._note_saved = True

    # -- writing ---------------------------------------------------------------------------------------

    def _open(self, day: str) -> int:
        if self._fd is not None and self._day == day:
            return self._fd
        self.sync()
        self._close()
        self.events_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.events_dir / f"{day}.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                _write_all(fd, b"\n", size)  # end a torn line, so the next event starts on a line of its own
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._day = fd, day
        if self._pruned_day != day:
            self._pruned_day = day
            self.prune()
        return fd

    def _next_seq(self) -> int:
        if self._seq is None:
            self._seq = last_seq(self.events_dir)
        self._seq += 1
        return self._seq

    @property
    def acknowledged_seq(self) -> int:
        """The highest ``seq`` written to the day files by this run (events kept in memory not counted)."""
        return 0 if self._seq is None else self._seq - len(self._pending)

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
        """Write one event now (kept in memory while the disk refuses it). Never raises."""
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
            record = {
                "v": SCHEMA_VERSION,
                "at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "clock_ok": bool(self.clock.trusted()),
                "mono": round(mono, 3),
                "seq": self._next_seq(),
                "kiosk": self.kiosk_id,
                "session": session_id,
                "resident": resident_id,
                "type": str(type),
                "song": song_id,
                "source": None if source is None else str(source),
                "detail": detail,
            }
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
            day = now.date().isoformat()
            if self._pending:  # the disk refused earlier events: keep order, try again when due
                self._keep(day, line.encode("utf-8"))
                self._retry_if_due(mono)
                return
            try:
                self._write_line(day, line.encode("utf-8"))
            except OSError as exc:
                self._keep(day, line.encode("utf-8"))
                self._outage(exc)
                return
            self._unsynced = True
            if type in _SYNC_AT_ONCE:
                self.sync()
            elif type in _SYNC_AT_NEXT_PUMP:
                self._sync_due = mono  # due now: synced by the next pump or event (often a song start)
            else:
                if self._sync_due is None:
                    self._sync_due = mono + self.sync_interval_s
                self.maybe_sync()
        except Exception:  # a bug must not stop the music either
            log.exception("journal: event not recorded")

    def _write_line(self, day: str, data: bytes) -> None:
        """Append one whole line, or nothing: a short write is completed; if the disk refuses the rest, the
        partial line is cut off again (so no torn line is ever counted as written)."""
        fd = self._open(day)
        size = os.fstat(fd).st_size
        _write_all(fd, data, size)

    def _keep(self, day: str, data: bytes) -> None:
        self._pending.append((day, data))
        while len(self._pending) > MAX_PENDING_EVENTS:
            self._pending.popleft()
            self.dropped += 1

    def maybe_sync(self) -> None:
        """fsync if written events have waited their time; while the disk refuses events, try again about
        once a minute. Cheap: call it from the main loop ~20 times a second."""
        if self._sync_due is not None and self.clock.monotonic() >= self._sync_due:
            self.sync()
        elif self._pending:
            self._retry_if_due(self.clock.monotonic())

    def sync(self) -> None:
        """Force the written events to storage (song and session boundaries). Never raises."""
        if self._fd is not None and self._unsynced:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._unsynced = False
                self._sync_due = None
                self._outage(exc)
                return
        self._unsynced = False
        self._sync_due = None

    def _outage(self, exc: OSError) -> None:
        """The disk refused a write: keep events in memory, tell staff once, try again later."""
        self._close()
        self._retry_at = self.clock.monotonic() + self.retry_s
        if self.problem is not None:
            return
        reason = exc.strerror or str(exc)
        self.problem = f"the engagement journal cannot write: {reason}"
        self._note = (
            f"The engagement journal cannot write ({reason}). Music still plays; reactions are kept in memory "
            "and written as soon as there is room (checked every minute). Free disk space: run 'kiosk doctor'."
        )
        self._note_saved = attention.note(self.data_root, ATTENTION_KIND, self._note)

    def _retry_if_due(self, mono: float) -> None:
        if mono < self._retry_at:
            return
        self._retry_at = mono + self.retry_s
        if not self._note_saved:  # the note itself could not be saved: try it again too, quietly
            self._note_saved = attention.note(self.data_root, ATTENTION_KIND, self._note, quiet=True)
        written = 0
        try:
            while self._pending:
                day, data = self._pending[0]
                self._write_line(day, data)
                self._pending.popleft()
                written += 1
            if self._fd is not None:
                os.fsync(self._fd)
        except OSError:
            self._close()
            return  # still refused: stay quiet until it works (one log line per change of state)
        self._unsynced = False
        self._sync_due = None
        self.problem = None
        attention.note(
            self.data_root,
            ATTENTION_KIND,
            f"The engagement journal could not write for a while (disk full?) and has resumed by itself; "
            f"{written} event(s) kept in memory meanwhile were written"
            + (f", {self.dropped} beyond the memory limit were lost" if self.dropped else "")
            + ". Check free space with 'kiosk doctor'.",
        )

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            self._day = None

    def close(self) -> None:
        """Write what is kept in memory if the disk now takes it, sync and close."""
        if self._pending:
            self._retry_if_due(float("inf"))
        self.sync()
        self._close()

    def unended_sessions(self) -> list[list[dict[str, Any]]]:
        """See :func:`kiosk.adapters.journal_tail.unended_sessions` (events kept in memory not included)."""
        from kiosk.adapters.journal_tail import unended_sessions  # the tail reader imports this module

        return unended_sessions(self.events_dir)

    def session_ended(self, session_id: str) -> bool:
        """See :func:`kiosk.adapters.journal_tail.session_ended` (the day files, as at start-up)."""
        from kiosk.adapters.journal_tail import session_ended

        return session_ended(self.events_dir, session_id)

    # -- retention -------------------------------------------------------------------------------------

    def prune(self, older_than_days: int | None = None) -> int:
        """Delete old day files by the retention rule (:mod:`kiosk.adapters.retention`); returns how many
        files were deleted or rewritten. Nothing goes while the clock is not synchronised, RTC or staff-set."""
        try:
            cutoff = self.retention.cutoff(older_than_days)
            if cutoff is None:
                return 0
            return prune_journal_days(self.events_dir, cutoff)
        except OSError as exc:
            log.warning("journal: pruning old days failed (%s)", exc)
            return 0


def _write_all(fd: int, data: bytes, size_before: int) -> None:
    """Write all of ``data`` at the end of ``fd`` (O_APPEND); on an error, cut the file back to
    ``size_before`` and raise."""
    view = memoryview(data)
    try:
        while view:
            n = os.write(fd, view)
            if n <= 0:
                raise OSError(28, "No space left on device")
            view = view[n:]
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size_before)
        raise


def last_seq(events_dir: Path) -> int:
    """The highest ``seq`` in any day file (0 when there is none): where numbering resumes. Every file's tail
    is read, not only the newest-dated one: after the clock stepped back, a higher number may sit in a file
    dated later than today's."""
    best = 0
    for path in journal_days(events_dir):
        best = max(best, _tail_seq(path))
    return best


def tail_lines(path: Path, size_read: int) -> tuple[list[bytes], int] | None:
    """The lines in the last ``size_read`` bytes of ``path`` (the first one left out when the tail cuts it)
    and the file's size; None when it cannot be read."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - size_read))
            lines = fh.read().split(b"\n")
    except OSError:
        return None
    return (lines[1:] if size > size_read else lines), size


def _tail_seq(path: Path) -> int:
    """The highest ``seq`` in the last lines of one day file (all of it if the tail holds none)."""
    size_read = _TAIL_BYTES
    while True:
        tail = tail_lines(path, size_read)
        if tail is None:
            return 0
        lines, size = tail
        best = 0
        for raw in lines:
            try:
                seq = json.loads(raw).get("seq")
            except (ValueError, UnicodeDecodeError, AttributeError):
                continue
            if isinstance(seq, int) and seq > best:
                best = seq
        if best or size <= size_read:
            return best
        size_read *= 8


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
