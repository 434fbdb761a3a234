"""What the kiosk may do at a given minute of the day: which mode, how loud at most, may music start by itself.

Rules (issue 2, in priority order):

- Quiet hours win over everything: no music starts by itself, and the volume cap drops to the quiet-hours cap.
  If quiet hours name a mode (e.g. ``relax``), that mode applies while they last.
- Otherwise a resident's own schedule wins over the kiosk's default schedule.
- The volume cap is always ``min(kiosk max, resident cap, quiet-hours cap while quiet)``.

Times are minutes after local midnight (0-1439); every window may wrap past midnight (``22:00-06:00``).
Pure standard library: the engine and the UI call :func:`resolve_policy` with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.models import Mode, ScheduleSlot
from kiosk.domain.schedule import mode_at

MINUTES_PER_DAY = 24 * 60


def in_window(minute_of_day: int, start_min: int, end_min: int) -> bool:
    """Whether ``minute_of_day`` lies in ``[start_min, end_min)``, wrapping past midnight; empty if equal."""
    minute = minute_of_day % MINUTES_PER_DAY
    start = start_min % MINUTES_PER_DAY
    end = end_min % MINUTES_PER_DAY
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


@dataclass(frozen=True)
class QuietHours:
    """The kiosk's quiet hours: ``start_min`` to ``end_min`` (may wrap midnight), with a lower volume cap."""

    start_min: int
    end_min: int
    max_volume_pct: int
    mode: Mode | None = None  # the mode while quiet (None: keep the schedule's)

    def contains(self, minute_of_day: int) -> bool:
        return in_window(minute_of_day, self.start_min, self.end_min)


@dataclass(frozen=True)
class Policy:
    """The answer for one minute of the day."""

    mode: Mode | None  # the scheduled mode, or None when no schedule covers this minute
    volume_cap_pct: int  # never play louder than this
    may_start_by_itself: bool  # False in quiet hours: only a person (resident or staff) starts music
    quiet: bool  # inside quiet hours

    @property
    def reason(self) -> str:
        """A short plain-words reason for staff screens and logs."""
        return "quiet hours" if self.quiet else "normal hours"


def _pct(value: int) -> int:
    return max(0, min(100, int(value)))


def resolve_policy(
    minute_of_day: int,
    *,
    kiosk_max_volume_pct: int,
    resident_schedule: tuple[ScheduleSlot, ...] = (),
    kiosk_schedule: tuple[ScheduleSlot, ...] = (),
    quiet_hours: QuietHours | None = None,
    resident_volume_cap_pct: int = 100,
) -> Policy:
    """Combine the resident's schedule, the kiosk's schedule and quiet hours for ``minute_of_day``.

    ``minute_of_day`` is taken modulo one day. Volume caps are clamped to 0-100.
    """
    minute = minute_of_day % MINUTES_PER_DAY
    cap = min(_pct(kiosk_max_volume_pct), _pct(resident_volume_cap_pct))
    mode = mode_at(minute, resident_schedule, kiosk_schedule)
    quiet = quiet_hours is not None and quiet_hours.contains(minute)
    if quiet and quiet_hours is not None:
        cap = min(cap, _pct(quiet_hours.max_volume_pct))
        if quiet_hours.mode is not None:
            mode = quiet_hours.mode
    return Policy(mode=mode, volume_cap_pct=cap, may_start_by_itself=not quiet, quiet=quiet)
