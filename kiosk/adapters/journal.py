"""The engagement journal: append-only JSON Lines, one file per day (``<data>/events/YYYY-MM-DD.jsonl``).

Each event is written to the file at once (a killed process loses nothing) and fsync'd in groups: at least
once a second (:meth:`JsonlJournal.maybe_sync`, called from the main loop) and at every song and session
boundary, so a power cut loses at most the last second while the SD card sees ~1 fsync a second, not one per
event. Trouble (disk full, read-only) stops journaling with a note for staff; it never raises into the music.
Format: see :mod:`kiosk.domain.events`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.domain.events import SCHEMA_VERSION, EventType
from kiosk.ports import Clock

log = logging.getLogger(__name__)

BOUNDARY_TYPES = frozenset(
    {EventType.SESSION_START, EventType.SESSION_END, EventType.SONG_START, EventType.SONG_END}
)


class JsonlJournal:
    """Implements :class:`kiosk.ports.Journal`."""

    def __init__(self, events_dir: Path, kiosk_id: str, clock: Clock, sync_interval_s: float = 1.0):
        self.events_dir = Path(events_dir)
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.sync_interval_s = sync_interval_s
        self.problem: str | None = None
        self._fd: int | None = None
        self._day: str | None = None
        self._seq = 0
        self._unsynced = False
        self._last_sync = clock.monotonic()

    def _open(self, day: str) -> int:
        if self._fd is not None and self._day == day:
            return self._fd
        self._close()
        self.events_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd = os.open(self.events_dir / f"{day}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._day = day
        return self._fd

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
        if self.problem:
            return
        now = self.clock.now()
        self._seq += 1
        record = {
            "v": SCHEMA_VERSION,
            "at": now.isoformat(timespec="milliseconds"),
            "clock_ok": self.clock.trusted(),
            "mono": round(self.clock.monotonic(), 3),
            "seq": self._seq,
            "kiosk": self.kiosk_id,
            "session": session_id,
            "resident": resident_id,
            "type": str(type),
            "song": song_id,
            "source": None if source is None else str(source),
            "detail": dict(detail or {}),
        }
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            fd = self._open(now.date().isoformat())
            os.write(fd, line)
            self._unsynced = True
            if type in BOUNDARY_TYPES:
                self.sync()
            else:
                self.maybe_sync()
        except OSError as exc:
            self.problem = f"the engagement journal stopped: {exc.strerror or exc}"
            log.warning("journal: %s", self.problem)
            self._close()

    def maybe_sync(self) -> None:
        """fsync if the last one was at least ``sync_interval_s`` ago and something is unsynced."""
        if self._unsynced and self.clock.monotonic() - self._last_sync >= self.sync_interval_s:
            self.sync()

    def sync(self) -> None:
        if self._fd is not None and self._unsynced:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self.problem = f"the engagement journal stopped: {exc.strerror or exc}"
                self._close()
                return
        self._unsynced = False
        self._last_sync = self.clock.monotonic()

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            self._day = None

    def close(self) -> None:
        self.sync()
        self._close()


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
    """Stream events of the days [start, end]; a torn or garbled line is skipped and counted, never fatal."""
    stats = stats if stats is not None else ReadStats()
    for path in journal_days(events_dir, start, end):
        stats.files += 1
        with path.open("rb") as fh:
            for raw in fh:
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
