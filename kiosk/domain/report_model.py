"""The figures a report is made of (plain dataclasses) and the small time and naming helpers they share.

See :mod:`kiosk.domain.report` for how they are computed, and the engagement score.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from kiosk.domain.events import OBSERVATION_SCALES
from kiosk.domain.report_play_along import PlayAlongFigures
from kiosk.domain.report_voice import IntroComparison

POSITIVE_REACTIONS = frozenset({"smiled", "sang", "tapped", "moved", "talked_memories", "calm"})
NEGATIVE_REACTIONS = frozenset({"restless", "tearful", "distressed"})
W_LIKE, W_COMPLETED, W_REPLAY, W_POSITIVE = 3, 2, 1, 1
W_SKIP, W_NEGATIVE, W_DISTRESS = 1, 2, 5
TOP_N = 5
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_time(iso: str) -> datetime:
    """An ISO time from the journal (``...Z`` or ``+00:00``) -> aware datetime (naive is taken as UTC)."""
    t = datetime.fromisoformat(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t


def local(iso: str, tz: tzinfo | None) -> datetime:
    return parse_time(iso).astimezone(tz)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def pseudonym(secret: bytes, resident_id: str, length: int = 6) -> str:
    """A stable code for a resident that reveals nothing without the install's secret: ``"R-7F3A2C"``."""
    digest = hmac.new(secret, resident_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "R-" + digest[:length].upper()


@dataclass(frozen=True)
class Period:
    """Local dates, both inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class SongStat:
    """One song's figures (for one resident, or home-wide)."""

    song_id: str
    title: str
    artist: str = ""
    decade: str = ""
    started: int = 0
    completed: int = 0
    skipped: int = 0
    distress: int = 0
    likes: int = 0
    positive: int = 0
    negative: int = 0
    residents: set[str] = field(default_factory=set)

    @property
    def replays(self) -> int:
        return max(0, self.started - 1)

    @property
    def score(self) -> int:
        return (
            W_LIKE * self.likes
            + W_COMPLETED * self.completed
            + W_REPLAY * self.replays
            + W_POSITIVE * self.positive
            - W_SKIP * self.skipped
            - W_NEGATIVE * self.negative
            - W_DISTRESS * self.distress
        )


@dataclass(frozen=True)
class ObservationPoint:
    at: datetime  # local time
    scales: dict[str, int]
    reactions: tuple[str, ...]
    by: str
    before: str = ""
    after: str = ""
    maybe_untouched: bool = False  # from the first form: its 50s may be sliders nobody moved


@dataclass(frozen=True)
class AvoidChange:
    at: datetime  # local time
    action: str  # added | dismissed
    song: str


@dataclass(frozen=True)
class Finding:
    """One "what works" sentence and the numbers behind it (``kind``: mode_time, works, review, both, trend,
    observations, gap, changes, calm_ahead, not_recorded)."""

    kind: str
    text: str
    numbers: tuple[tuple[str, float | int | str], ...] = ()


@dataclass
class ResidentFigures:
    resident_id: str
    label: str
    sessions: int = 0
    minutes: float = 0.0
    sessions_by_day: dict[date, int] = field(default_factory=dict)
    minutes_by_day: dict[date, float] = field(default_factory=dict)
    minutes_by_week: dict[date, float] = field(default_factory=dict)  # key: the week's Monday
    songs_started: int = 0
    songs_completed: int = 0
    songs_skipped: int = 0
    songs_failed: int = 0
    songs_stopped: int = 0
    songs_distress: int = 0
    songs_liked: int = 0
    top_songs: list[SongStat] = field(default_factory=list)
    troubled_songs: list[SongStat] = field(default_factory=list)
    decades: dict[str, int] = field(default_factory=dict)  # plays per decade
    modes: dict[str, int] = field(default_factory=dict)  # sessions per mode
    minutes_by_hour: list[float] = field(default_factory=lambda: [0.0] * 24)
    heatmap: list[list[float]] = field(default_factory=lambda: [[0.0] * 24 for _ in range(7)])
    untrusted_sessions: int = 0
    untrusted_minutes: float = 0.0
    observations: list[ObservationPoint] = field(default_factory=list)
    reactions: dict[str, int] = field(default_factory=dict)
    avoid_changes: list[AvoidChange] = field(default_factory=list)
    last_session: date | None = None  # local date of the latest trusted session
    slots: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # (mode, hour) -> [sessions, min]
    week_plays: dict[date, list[int]] = field(default_factory=dict)  # week -> [started, completed, liked]
    songs: list[SongStat] = field(default_factory=list)  # every song they heard in the period
    restless_notes: list[datetime] = field(default_factory=list)  # "Restless now" notes (local time)
    not_recorded: bool = False  # consent "no": nothing is recorded about them, by their choice
    what_works: list[Finding] = field(default_factory=list)  # filled by kiosk.domain.insight
    intros: IntroComparison | None = None  # their songs with and without the voice's introduction
    play_along: PlayAlongFigures = field(default_factory=PlayAlongFigures)  # one-resident sessions only

    def add_slot(self, mode: str, hour: int, sessions: int, minutes: float) -> None:
        """Count trusted-clock sessions by mode and local starting hour."""
        cell = self.slots.get((mode, hour))
        if cell is None:
            self.slots[(mode, hour)] = [float(sessions), minutes]
        else:
            cell[0] += sessions
            cell[1] += minutes

    def add_week_plays(self, week: date, started: int, completed: int, liked: int) -> None:
        cell = self.week_plays.get(week)
        if cell is None:
            self.week_plays[week] = [started, completed, liked]
        else:
            cell[0] += started
            cell[1] += completed
            cell[2] += liked

    def scale_change(self) -> dict[str, tuple[float, float]]:
        """Per scale: mean of the earlier half of the observations, mean of the later half (needs >= 2)."""
        obs = self.observations
        if len(obs) < 2:
            return {}
        half = len(obs) // 2
        early, late = obs[:half], obs[len(obs) - half :]
        out = {}
        for name in OBSERVATION_SCALES:
            a = [o.scales[name] for o in early if name in o.scales]
            b = [o.scales[name] for o in late if name in o.scales]
            if a and b:
                out[name] = (sum(a) / len(a), sum(b) / len(b))
        return out


@dataclass
class HomeFigures:
    period: Period
    idle_days: int
    residents_active: int = 0
    residents_known: int = 0
    sessions: int = 0
    minutes: float = 0.0
    minutes_by_day: dict[date, float] = field(default_factory=dict)
    minutes_by_week: dict[date, float] = field(default_factory=dict)
    minutes_by_hour: list[float] = field(default_factory=lambda: [0.0] * 24)
    heatmap: list[list[float]] = field(default_factory=lambda: [[0.0] * 24 for _ in range(7)])
    busiest_hours: list[tuple[int, float]] = field(default_factory=list)  # (local hour, minutes), top 3
    most_loved: list[SongStat] = field(default_factory=list)
    idle_residents: list[tuple[str, str, date | None]] = field(default_factory=list)  # id, label, last day
    untrusted_sessions: int = 0
    untrusted_minutes: float = 0.0
    not_recorded: set[str] = field(default_factory=set)  # consent "no": nothing recorded, by their choice
    time_zone: str = ""  # the local time zone's name and offset, e.g. "Europe/London, UTC+01:00"
    intros: IntroComparison | None = None  # songs with and without the voice's introduction (report_voice)
    play_along: PlayAlongFigures = field(default_factory=PlayAlongFigures)  # all sessions (report_play_along)


@dataclass
class Report:
    home: HomeFigures
    residents: list[ResidentFigures]  # sorted by label


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _minutes(doc: Mapping[str, Any]) -> float:
    try:
        return float(doc.get("listened_s") or 0.0) / 60.0
    except (TypeError, ValueError):
        return 0.0
