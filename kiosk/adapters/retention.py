"""Retention: which old records may be deleted, and by which clock (the rule: :mod:`kiosk.domain.clock_trust`).

Old journal days and rollup months are deleted only under a synchronised, RTC or staff-set clock, only when
they are older than the retention by that clock AND older than the newest trusted record (moved on by the
real time since start) by more than the retention, and never the records written under an untrusted clock
(``clock_ok`` false or missing): a day file or month holding some keeps those, rewritten without the rest.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.domain.clock_trust import ClockBasis, newest_trusted_after, retention_cutoff
from kiosk.domain.ports import Clock

log = logging.getLogger(__name__)

_TAIL_BYTES = 16 * 1024


def clock_basis(clock: Clock) -> ClockBasis:
    """The clock's basis; a clock that cannot say (a stand-in) counts as the off-Pi fallback: never prunes."""
    basis = getattr(clock, "basis", None)
    if callable(basis):
        return ClockBasis(basis())
    return ClockBasis.PLAUSIBLE if clock.trusted() else ClockBasis.UNTRUSTED


def _parse_at(value: Any) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _trusted_times(lines: Iterable[bytes]) -> Iterable[datetime]:
    for raw in lines:
        try:
            event = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(event, dict) and event.get("clock_ok") is True:
            at = _parse_at(event.get("at"))
            if at is not None:
                yield at


def _day_files(events_dir: Path) -> list[Path]:
    out = []
    for path in Path(events_dir).glob("*.jsonl"):
        try:
            date.fromisoformat(path.stem)
        except ValueError:
            continue
        out.append(path)
    return sorted(out)


def newest_trusted_event(events_dir: Path) -> datetime | None:
    """The newest ``at`` written with ``clock_ok: true`` in the journal: the newest-dated day file that holds
    one (its tail first, the whole file only when the tail has none)."""
    for path in reversed(_day_files(events_dir)):
        try:
            with path.open("rb") as fh:
                size = fh.seek(0, os.SEEK_END)
                fh.seek(max(0, size - _TAIL_BYTES))
                tail = fh.read()
                times = list(_trusted_times(tail.split(b"\n")))
                if not times and size > _TAIL_BYTES:
                    fh.seek(0)
                    times = list(_trusted_times(fh))
        except OSError:
            continue
        if times:
            return max(times)
    return None


def newest_trusted_rollup(data_dir: Path, after: datetime | None = None) -> datetime | None:
    """The newest ``ended_at`` of a trusted session in the rollup months newer than ``after``'s month (the
    journal normally answers first, so usually no month is read)."""
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.rollups import RollupStore

    store = RollupStore(DataFolder(data_dir))
    for name in reversed(store.months()):
        if after is not None and name[len("rollups-") :] < after.strftime("%Y-%m"):
            return None
        best = None
        for doc in store.data.read(name).table("sessions").all():
            if doc.get("clock_ok") is True:
                at = _parse_at(doc.get("ended_at") or doc.get("started_at"))
                if at is not None and (best is None or at > best):
                    best = at
        if best is not None:
            return best
    return None


def newest_trusted_record(data_dir: Path) -> datetime | None:
    """The newest time any stored record was written under a trusted clock (journal, then rollups)."""
    newest = newest_trusted_event(Path(data_dir) / "events")
    try:
        rollup = newest_trusted_rollup(Path(data_dir), newest)
    except (OSError, ValueError):
        rollup = None
    if rollup is not None and (newest is None or rollup > newest):
        return rollup
    return newest


class Retention:
    """When old records may go: :meth:`cutoff` is the first day kept, or None when nothing may be pruned now.

    ``newest_record`` gives the newest trusted record stored before this run (called once, lazily).
    """

    def __init__(
        self, clock: Clock, retention_days: int, newest_record: Callable[[], datetime | None]
    ) -> None:
        self.clock = clock
        self.retention_days = retention_days
        self._newest_record = newest_record
        self._start: tuple[datetime | None, float] | None = None

    def cutoff(self, retention_days: int | None = None) -> date | None:
        days = self.retention_days if retention_days is None else retention_days
        if not clock_basis(self.clock).may_prune:
            return None
        if self._start is None:
            self._start = (self._newest_record(), self.clock.monotonic())
        newest = newest_trusted_after(self._start[0], self.clock.monotonic() - self._start[1])
        return retention_cutoff(self.clock.now().date(), newest.date() if newest else None, days)


def prune_journal_days(events_dir: Path, cutoff: date) -> int:
    """Delete the journal's day files dated before ``cutoff``; lines written under an untrusted clock stay
    (their file is rewritten with only them). Returns how many files were deleted or rewritten."""
    changed = 0
    for path in _day_files(events_dir):
        if date.fromisoformat(path.stem) >= cutoff:
            break
        raw = path.read_bytes()
        keep = [line for line in raw.split(b"\n") if line.strip() and not _trusted_line(line)]
        if not keep:
            path.unlink(missing_ok=True)
        elif len(keep) < len([x for x in raw.split(b"\n") if x.strip()]):
            atomic_write_bytes(path, b"\n".join(keep) + b"\n")
        else:
            continue
        changed += 1
    return changed


def _trusted_line(raw: bytes) -> bool:
    """A whole event written under a trusted clock (torn lines are not worth keeping either)."""
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return True
    return not isinstance(event, dict) or event.get("clock_ok") is True
