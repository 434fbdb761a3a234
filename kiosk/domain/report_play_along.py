"""Play along in a report: presses per minute of play-along music and the share of presses on the beat. Pure.

Read from the session rollups' ``play_along`` detail (:mod:`kiosk.domain.play_along`: presses, on_beat,
music_min). The home counts every session; a resident only the sessions they were alone in (in a group nobody
can tell who pressed). Per-day figures come from trusted-clock sessions only, like every time chart.

What the figures are: a simple proxy for initiation and involvement (how often someone pressed, and how often
in time), never a clinical measure; they cannot say who pressed in a group nor whether it was enjoyed. The
wording here says so wherever the figures are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

PROXY = "a simple proxy for initiation and involvement, not a clinical measure"
PROXY_NOTE = (
    f"Play along counts presses: {PROXY} (it cannot tell who pressed in a group, nor whether it was enjoyed)."
)


def _num(value: Any) -> float:
    try:
        return max(0.0, float(value or 0))
    except (TypeError, ValueError):
        return 0.0


@dataclass
class PlayAlongFigures:
    """Play along over a period: sessions that played along, presses, presses on the beat, minutes of
    play-along music; ``by_day`` (local day -> [presses, on_beat, music_min]) from trusted-clock sessions."""

    sessions: int = 0
    presses: int = 0
    on_beat: int = 0
    music_min: float = 0.0
    by_day: dict[date, list[float]] = field(default_factory=dict)

    @property
    def used(self) -> bool:
        """Whether Play along was used in the period (what decides if a report shows it)."""
        return self.sessions > 0

    @property
    def presses_per_min(self) -> float | None:
        return self.presses / self.music_min if self.music_min > 0 else None

    @property
    def on_beat_share(self) -> float | None:
        return self.on_beat / self.presses if self.presses else None

    def add(self, detail: Mapping[str, Any], day: date | None) -> None:
        """Count one session's ``play_along`` detail (``day``: its local day, None when the clock is unsure)."""
        presses = int(_num(detail.get("presses")))
        on_beat = min(int(_num(detail.get("on_beat"))), presses)
        music = _num(detail.get("music_min"))
        self.sessions += 1
        self.presses += presses
        self.on_beat += on_beat
        self.music_min += music
        if day is not None:
            cell = self.by_day.setdefault(day, [0.0, 0.0, 0.0])
            cell[0] += presses
            cell[1] += on_beat
            cell[2] += music

    def series(self, keys: list[date], weekly: bool) -> tuple[list[float | None], list[float | None]]:
        """(presses per minute, % on the beat) for each day (or each week starting at a key): None where
        nothing was played along."""
        ppm: list[float | None] = []
        share: list[float | None] = []
        span = 7 if weekly else 1
        for key in keys:
            p = b = m = 0.0
            for i in range(span):
                cell = self.by_day.get(key + timedelta(days=i))
                if cell:
                    p, b, m = p + cell[0], b + cell[1], m + cell[2]
            ppm.append(p / m if m > 0 else None)
            share.append(100.0 * b / p if p > 0 else None)
        return ppm, share


def play_along_lines(figures: PlayAlongFigures, *, resident: bool) -> list[str]:
    """The report's lines about Play along; none when it was not used in the period."""
    if not figures.used:
        return []
    ppm, share = figures.presses_per_min, figures.on_beat_share
    sessions = f"{figures.sessions} session" + ("" if figures.sessions == 1 else "s")
    whose = " on their own" if resident else ""
    rate = f"{ppm:.1f} presses per minute" if ppm is not None else "no play-along music timed"
    beat = f", {100 * share:.0f}% on the beat" if share is not None else ""
    return [
        f"Play along: {sessions}{whose}: {rate}{beat} ({figures.presses} presses in "
        f"{figures.music_min:.0f} min of music)",
        f"  {PROXY_NOTE}",
    ]
