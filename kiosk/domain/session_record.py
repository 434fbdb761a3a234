"""What a session has done so far: its plays, and the rollup and resume documents built from them.

Pure bookkeeping for :mod:`kiosk.domain.session`; no timers, no player.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.events import SongOutcome
from kiosk.domain.models import Mode, Song
from kiosk.domain.play_along import PressTally

RESUME_VERSION = 1


@dataclass(frozen=True)
class EngineSettings:
    """The engine's knobs (wiring fills them from kiosk.toml). Times in seconds, volumes in percent."""

    start_volume_pct: int = 40
    max_volume_pct: int = 80
    volume_step_pct: int = 10
    min_volume_pct: int = 10
    fade_ms: int = 1500
    skip_fade_ms: int = 600  # "another song": the old one fades out this fast under the new one
    resume_fade_ms: int = 300
    distress_fade_ms: int = 300  # distress: stop now, fade out fast
    calm_screen_s: float = 10.0  # after a distress stop: the calm screen shows this long, then idle
    tap_debounce_s: float = 0.4  # taps on the same control closer than this count once (tremor)
    idle_pause_end_s: float = 20 * 60
    default_session_s: float = 30 * 60  # the home's mix (no resident chosen)
    failures_before_stop: int = 5
    resume_window_s: float = 30 * 60
    start_timeout_s: float = 3.0  # a song that has not started playing by then failed
    early_end_slack_s: float = 1.5  # outputs end a little early (dummy: ~1 s); never flag within this
    autosave_s: float = 30.0  # position-only saves (song starts, pauses and likes are saved at once)
    press_save_s: float = 5.0  # Play along presses reach the resume point within this of the last save
    tuned_display_s: float = 4.0
    replaygain: bool = True


@dataclass
class Play:
    """One song played in this session."""

    song: Song
    reason: str
    slot: int
    token: int
    at: str  # wall time (ISO) it started
    start_offset_s: float = 0.0  # where in the song it started (resume)
    carried_s: float = 0.0  # listened before a crash, when resumed
    listened_s: float = 0.0  # completed listening runs (pauses excluded)
    run_since: float | None = None  # monotonic start of the current run, None while paused
    paused_since: float | None = None
    playing_confirmed: bool = False
    liked: bool = False
    outcome: str = ""
    play_along: bool = False  # started in Play along mode (its listening counts for presses per minute)
    intro: bool = False  # the gentle voice introduced it (reports compare songs with and without)

    def _run(self, now: float) -> float:
        return self.listened_s + (now - self.run_since if self.run_since is not None else 0.0)

    def listened(self, now: float) -> float:
        return self.carried_s + self._run(now)

    def position_s(self, now: float) -> float:
        return self.start_offset_s + self._run(now)


@dataclass
class SessionRecord:
    """A session's identity and its plays so far."""

    session_id: str
    resident_ids: tuple[str, ...]
    journaled_ids: tuple[str, ...]
    journal_on: bool
    mode: Mode | None
    started_at: str
    started_mono: float
    length_s: float
    clock_ok: bool
    plays: list[dict[str, Any]] = field(default_factory=list)  # finished plays
    listened_before_s: float = 0.0  # from before a resume
    distress_stops: int = 0
    tally: PressTally = field(default_factory=PressTally)  # Play along presses
    play_along_s: float = 0.0  # listening to songs played in Play along mode

    def add_play(self, play: Play, listened_s: float) -> None:
        self.plays.append(
            {
                "song_id": play.song.song_id,
                "title": play.song.title,
                "artist": play.song.artist,
                "decade": play.song.decade,
                "outcome": play.outcome,
                "listened_s": round(listened_s, 1),
                "liked": play.liked,
                "at": play.at,
                **({"intro": True} if play.intro else {}),
            }
        )
        if play.outcome == SongOutcome.DISTRESS:
            self.distress_stops += 1
        if play.play_along:
            self.play_along_s += listened_s

    def play_along_detail(self) -> dict[str, Any] | None:
        """The ``play_along`` event's detail, or None when no Play along music played."""
        if self.play_along_s <= 0 and not self.tally.presses:
            return None
        return self.tally.detail(self.play_along_s)

    def listened_s(self) -> float:
        return self.listened_before_s + sum(float(p["listened_s"]) for p in self.plays)

    def played_ids(self) -> set[str]:
        return {str(p["song_id"]) for p in self.plays}

    def rollup(self, kiosk_id: str, ended_at: str, end_reason: str, clock_ok: bool) -> dict[str, Any]:
        def count(outcome: str) -> int:
            return sum(1 for p in self.plays if p["outcome"] == outcome)

        doc: dict[str, Any] = {
            "session_id": self.session_id,
            "kiosk_id": kiosk_id,
            "resident_ids": list(self.journaled_ids),
            "mode": None if self.mode is None else self.mode.value,
            "started_at": self.started_at,
            "ended_at": ended_at,
            "clock_ok": self.clock_ok and clock_ok,
            "end_reason": end_reason,
            "listened_s": round(self.listened_s(), 1),
            "songs_started": len(self.plays),
            "songs_completed": count(SongOutcome.COMPLETED),
            "songs_skipped": count(SongOutcome.SKIPPED),
            "songs_failed": count(SongOutcome.FAILED),
            "likes": sum(1 for p in self.plays if p["liked"]),
            "distress_stops": self.distress_stops,
            "plays": list(self.plays),
        }
        play_along = self.play_along_detail()
        if play_along is not None:
            doc["play_along"] = play_along
        return doc

    def resume_state(self, play: Play | None, now_mono: float, saved_at: str, paused: bool) -> dict[str, Any]:
        """The document that lets a restarted kiosk carry on (see :meth:`from_resume`)."""
        return {
            "v": RESUME_VERSION,
            "saved_at": saved_at,
            "session_id": self.session_id,
            "resident_ids": list(self.resident_ids),
            "journaled_ids": list(self.journaled_ids),
            "journal_on": self.journal_on,
            "mode": None if self.mode is None else self.mode.value,
            "started_at": self.started_at,
            "length_s": self.length_s,
            "clock_ok": self.clock_ok,
            "plays": list(self.plays),
            "listened_before_s": self.listened_before_s,
            "distress_stops": self.distress_stops,
            "play_along_s": round(self.play_along_s, 1),
            "presses": [self.tally.presses, self.tally.on_beat, dict(self.tally.by_instrument)],
            "song": None if play is None else play.song.to_dict(),
            "song_reason": "" if play is None else play.reason,
            "song_at": "" if play is None else play.at,
            "song_listened_s": 0.0 if play is None else round(play.listened(now_mono), 3),
            "position_ms": 0 if play is None else int(play.position_s(now_mono) * 1000),
            "liked": False if play is None else play.liked,
            "song_play_along": play is not None and play.play_along,  # its minutes count for presses/min
            "paused": paused,
        }

    @classmethod
    def from_resume(cls, state: dict[str, Any], now_mono: float) -> SessionRecord:
        mode = state.get("mode")
        return cls(
            session_id=str(state["session_id"]),
            resident_ids=tuple(str(x) for x in state.get("resident_ids", ())),
            journaled_ids=tuple(str(x) for x in state.get("journaled_ids", ())),
            journal_on=bool(state.get("journal_on", True)),
            mode=Mode(mode) if mode else None,
            started_at=str(state.get("started_at", "")),
            started_mono=now_mono,
            length_s=float(state.get("length_s", 1800.0)),
            clock_ok=bool(state.get("clock_ok", True)),
            plays=[dict(p) for p in state.get("plays", [])],
            listened_before_s=float(state.get("listened_before_s", 0.0)),
            distress_stops=int(state.get("distress_stops", 0)),
            tally=_tally(state.get("presses")),
            play_along_s=float(state.get("play_along_s", 0.0)),
        )


def _tally(saved: object) -> PressTally:
    """The presses kept in a resume file ([presses, on_beat, {instrument: n}]); anything else: none."""
    if not isinstance(saved, list) or len(saved) != 3 or not isinstance(saved[2], dict):
        return PressTally()
    try:
        by = {str(k): int(v) for k, v in saved[2].items()}
        return PressTally(int(saved[0]), int(saved[1]), by)
    except (TypeError, ValueError):
        return PressTally()
