"""Schedules of modes by time of day, and which one applies now.

Text form (config and the residents CSV): ``"16:00-18:00 relax; 08:00-10:00 move"``. A resident's own
schedule wins over the kiosk's default; the kiosk's quiet hours win over both (see :mod:`kiosk.config`).
"""

from __future__ import annotations

import difflib
import functools
import re

from kiosk.domain import modes
from kiosk.domain.models import Mode, ScheduleSlot

_SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*[ =]\s*([a-zA-Z0-9_]+)\s*$")


def parse_time(text: str) -> int:
    """``"16:30"`` -> minutes after midnight; ValueError with a plain message otherwise."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59 or (int(m.group(1)) == 24 and int(m.group(2))):
        raise ValueError(f"{text!r} is not a time like 16:30")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_schedule(text: str, separator: str = ";") -> tuple[ScheduleSlot, ...]:
    """Parse ``"16:00-18:00 relax; 08:00-10:00 move"``; ValueError naming the bad part."""
    return _parse_schedule(text, separator, modes.generation())


@functools.lru_cache(maxsize=4096)  # pure; a care group's 10,000 residents share a few schedules
def _parse_schedule(text: str, separator: str, _modes_generation: int) -> tuple[ScheduleSlot, ...]:
    """:func:`parse_schedule`, cached per set of registered modes (a mode added or taken out: parsed anew)."""
    slots: list[ScheduleSlot] = []
    for part in (p for p in text.split(separator) if p.strip()):
        m = _SLOT.match(part)
        if not m:
            raise ValueError(f"{part.strip()!r} is not like '16:00-18:00 relax'")
        h1, m1, h2, m2, mode = m.groups()
        start = parse_time(f"{h1}:{m1}")
        end = parse_time(f"{h2}:{m2}")
        try:
            slots.append(ScheduleSlot(start, end, Mode(mode.lower())))
        except ValueError:
            names = [x.value for x in Mode]
            close = difflib.get_close_matches(mode.lower(), names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{mode!r} is not a mode (one of: {', '.join(names)}){hint}") from None
    return tuple(slots)


def format_schedule(slots: tuple[ScheduleSlot, ...]) -> str:
    """The text form of ``slots`` (round-trips through :func:`parse_schedule`)."""
    return "; ".join(
        f"{s.start_min // 60:02d}:{s.start_min % 60:02d}-{s.end_min // 60:02d}:{s.end_min % 60:02d} {s.mode.value}"
        for s in slots
    )


def mode_at(minute_of_day: int, *schedules: tuple[ScheduleSlot, ...]) -> Mode | None:
    """The mode of the first schedule (in priority order) with a slot covering ``minute_of_day``."""
    for slots in schedules:
        for slot in slots:
            if slot.contains(minute_of_day):
                return slot.mode
    return None
