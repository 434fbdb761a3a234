"""Calm ahead: when "Restless now" notes about a resident recur at the same time of day, propose a Relax slot
that starts before it (music offered before an expected agitation peak is the pattern in the literature).

Rule (issue 18): within the last :data:`LOOKBACK_DAYS` days, at least :data:`MIN_NOTES` notes on at least
:data:`MIN_DAYS` different days fall inside one :data:`WINDOW_MIN`-minute window of the day. The proposal starts
:data:`LEAD_MIN` minutes before the window's first note (rounded down to a quarter hour) and lasts
:data:`PROPOSAL_MIN` minutes, in mode ``relax``. Only "Restless now" notes count: forms filled in after a session
follow music, they do not precede agitation. Pure: times in, a proposal out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.domain.models import Mode, ScheduleSlot
from kiosk.domain.schedule import format_schedule

LOOKBACK_DAYS = 28
WINDOW_MIN = 60
MIN_NOTES = 3
MIN_DAYS = 3
LEAD_MIN = 30
PROPOSAL_MIN = 60
ROUND_MIN = 15


@dataclass(frozen=True)
class Proposal:
    """A proposed relax slot: ``slot`` (minutes of the day), the window of notes it answers, and its evidence."""

    slot: ScheduleSlot
    window_start_min: int  # the first note's minute of the day
    notes: int  # notes inside the window
    days: int  # different days among them
    first_day: str  # ISO dates of the first and last of those notes
    last_day: str

    @property
    def text(self) -> str:
        """``"14:30-15:30 relax"``: what ``kiosk residents schedule ID TEXT`` takes."""
        return format_schedule((self.slot,))


def clock_text(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def propose(
    notes: Iterable[datetime],
    now: datetime,
    *,
    schedule: Sequence[ScheduleSlot] = (),
    duration_min: int = PROPOSAL_MIN,
) -> Proposal | None:
    """The relax slot the recent ``notes`` (local times) call for, or None.

    None also when ``schedule`` already has a relax slot covering the proposal's start (it is in place).
    Of several qualifying windows, the one with the most days wins (then the most notes, then the earliest).
    """
    since = now - timedelta(days=LOOKBACK_DAYS)
    recent = sorted(
        (t.hour * 60 + t.minute, t.date().isoformat()) for t in notes if since <= t <= now
    )  # by minute of the day
    best: tuple[int, int, int] | None = None  # (-days, -notes, start minute)
    chosen: list[tuple[int, str]] = []
    for i, (start, _day) in enumerate(recent):
        inside = [n for n in recent[i:] if n[0] < start + WINDOW_MIN]
        days = {d for _m, d in inside}
        if len(inside) < MIN_NOTES or len(days) < MIN_DAYS:
            continue
        key = (-len(days), -len(inside), start)
        if best is None or key < best:
            best, chosen = key, inside
    if best is None:
        return None
    window = best[2]
    begin = max(0, (window - LEAD_MIN) // ROUND_MIN * ROUND_MIN)
    end = min(24 * 60, begin + duration_min)
    slot = ScheduleSlot(begin, end, Mode.RELAX)
    if any(s.mode is Mode.RELAX and s.contains(begin) for s in schedule):
        return None
    days_seen = sorted({d for _m, d in chosen})
    return Proposal(slot, window, len(chosen), len(days_seen), days_seen[0], days_seen[-1])


def with_slot(schedule: Sequence[ScheduleSlot], slot: ScheduleSlot) -> tuple[ScheduleSlot, ...]:
    """``schedule`` with ``slot`` added; slots it overlaps are replaced by it (sorted by start)."""
    kept = [s for s in schedule if s.end_min <= slot.start_min or s.start_min >= slot.end_min]
    return tuple(sorted([*kept, slot], key=lambda s: s.start_min))
