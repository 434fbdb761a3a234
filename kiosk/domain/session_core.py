"""The session engine's machinery: songs on the two players, fades, outcomes, timers, the books.

:class:`kiosk.domain.session.SessionEngine` adds the public surface (intents, pump, view, resume) on top.
Pure and single-threaded; see that module for the rules.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.domain.beats import BeatGrid
from kiosk.domain.controls import RepeatFilter
from kiosk.domain.events import EventType, SongOutcome
from kiosk.domain.intents import SessionView, Source, Status
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.playback import PlayerEvent, PlayerEventKind, PolicyNow, level_of
from kiosk.domain.ports import (
    BeatGrids,
    Clock,
    Journal,
    Percussion,
    Player,
    ResumeStore,
    SessionRollups,
    SongSource,
    SongSourceFactory,
)
from kiosk.domain.selection import under_review
from kiosk.domain.session_fades import Fader
from kiosk.domain.session_profiles import Listeners
from kiosk.domain.session_record import EngineSettings, Play, SessionRecord

log = logging.getLogger(__name__)


VOLUME_RAMP_MS = 250


def _no_policy(_at: datetime) -> PolicyNow:
    return PolicyNow()


class SessionCore:
    """State and machinery shared by the engine's intents and its pump."""

    def __init__(
        self,
        *,
        player: Player,
        clock: Clock,
        journal: Journal,
        songs: SongSourceFactory,
        settings: EngineSettings | None = None,
        policy: Callable[[datetime], PolicyNow] = _no_policy,
        residents: Callable[[str], Resident | None] | None = None,
        profiles_stamp: Callable[[], object] | None = None,
        rollups: SessionRollups | None = None,
        on_suspect: Callable[[str, str], None] | None = None,
        resume_store: ResumeStore | None = None,
        kiosk_id: str = "kiosk-1",
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        percussion: Percussion | None = None,
        beat_grids: BeatGrids | None = None,
    ):
        self.player = player
        self.clock = clock
        self.journal = journal
        self.songs = songs
        self.settings = settings or EngineSettings()
        self.policy = policy
        self.residents = residents
        self.listeners = Listeners(residents, profiles_stamp)  # profiles, re-read when the store changes
        self.rollups = rollups
        self.on_suspect = on_suspect
        self.resume_store = resume_store
        self.kiosk_id = kiosk_id
        self.new_id = new_id
        self.percussion = percussion
        self.beat_grids = beat_grids
        self._grid_of: tuple[str, BeatGrid | None] | None = None  # (song_id, its grid), read once per song
        self.status = (
            Status.IDLE
        )  # at rest: "Touch for music", nothing personal (the lounge picker comes after a tap)
        self.mode: Mode | None = None
        self.resident_ids: tuple[str, ...] = ()
        self.volume_pct = self.settings.start_volume_pct
        self.message = ""
        self.session: SessionRecord | None = None
        self.play: Play | None = None
        self._source: SongSource | None = None
        self._slot = 1  # the first song goes to slot 0
        self._fader = Fader()
        # the tremor rule: (intent, source) within tap_debounce_s; ("pad", instrument, source) within its bounce
        self._repeats = RepeatFilter(self.settings.tap_debounce_s, now=clock.monotonic)
        self._failures = 0
        self._save_due = False
        self._presses_due = False  # Play along presses not yet in the resume point
        self._stop_due: set[int] = set()
        self._levels: dict[int, float] = {}  # the level last given to each player slot
        self._failed_ids: set[str] = set()
        self._tuned: str | None = None
        self._tuned_until = 0.0
        self._last_save = 0.0
        self._policy_now = PolicyNow()
        self._pending: list[dict[str, Any]] = []
        self._listeners: list[Callable[[SessionView], None]] = []
        self._last_view: SessionView | None = None
        self._calm_until = 0.0
        self._duck = 1.0  # the music's factor under the gentle voice (1.0: not ducked)
        self._refresh_policy()
        self.volume_pct = min(self.volume_pct, self.cap_pct())

    def _person(self, resident_id: str) -> Resident | None:
        """A listening resident's profile (read once per choice, again only when the store changed)."""
        return self.listeners.get(resident_id)

    def cap_pct(self) -> int:
        caps = [self.settings.max_volume_pct, self._policy_now.volume_cap_pct]
        for rid in self.resident_ids:
            resident = self._person(rid)
            if resident is not None:
                caps.append(resident.volume_cap_pct)
        return max(0, min(caps))

    def _start_music(self, source: Source) -> None:
        if source is Source.AUTO and not self._policy_now.may_autostart:
            return  # quiet hours: nothing starts by itself
        self._next_song(source, fade_out_ms=0)

    def _next_song(self, source: Source, fade_out_ms: int) -> None:
        choice = self._take_ahead() or self._song_source().next_song(self._exclude())
        if choice is None:  # everything played once: allow repeats, never of a song that failed
            again = set(self._failed_ids)
            if self.play is not None:
                again.add(self.play.song.song_id)
            choice = self._song_source().next_song(again)
        if choice is None:
            if self.session is not None:
                self._end_session("failures", Source.AUTO, SongOutcome.STOPPED, self.settings.fade_ms)
            self.message = "There are no songs to play. Please ask staff to check the music library."
            return
        if self.session is None:
            self._open_session(source)
        if self._before_song(choice, source, fade_out_ms):
            return  # the gentle voice speaks first; it starts the song when it is done
        self._start_song(choice[0], choice[1], source, fade_out_ms)

    # --- hooks for the gentle voice (kiosk.domain.session_voice); without a voice they do nothing ---------

    def _take_ahead(self) -> tuple[Song, str] | None:
        """The next song picked one ahead (so its introduction is ready), when it may still play."""
        return None

    def _before_song(self, choice: tuple[Song, str], source: Source, fade_out_ms: int) -> bool:
        """True when speech plays before ``choice`` (which then starts later)."""
        return False

    def _song_start_detail(self) -> dict[str, Any]:
        """Extra song_start detail (``intro``)."""
        return {}

    def _start_song(
        self,
        song: Song,
        reason: str,
        source: Source,
        fade_out_ms: int,
        start_ms: int = 0,
        at: str = "",
        continued: bool = False,
    ) -> None:
        """Play ``song`` on the other player; ``continued``: a resumed play (its song_start is journaled)."""
        assert self.session is not None
        old = self._slot
        self._fader.cancel(old)
        if fade_out_ms > 0 and self.status is Status.PLAYING:
            self._fader.fade(
                old, self._levels.get(old, 0.0), 0.0, fade_out_ms, self.clock.monotonic(), then="stop"
            )
        else:
            self.player.stop(old)
        new = 1 - old
        self._fader.cancel(new)
        self._slot = new
        gain = song.replaygain_db if self.settings.replaygain else None
        self._levels[new] = 0.0
        token = self.player.start(new, song.path, 0.0, start_ms)
        now = self.clock.monotonic()
        self.play = Play(
            song, reason, new, token, at or self.clock.now().isoformat(timespec="seconds"), start_ms / 1000.0
        )
        self.play.play_along = self.mode is not None and self.mode.spec.plays_instruments
        self.play.run_since = now
        self.status = Status.PLAYING
        self._fader.fade(new, 0.0, self._level(1.0, gain) * self._duck, self._fade_in_ms(), now, then=None)
        self._save(force=True)
        if continued:
            return
        self._log(
            EventType.SONG_START,
            source,
            song=song,
            title=song.title,
            artist=song.artist,
            year=song.year,
            decade=song.decade,
            mode=None if self.mode is None else self.mode.value,
            reason=reason,
            **self._song_start_detail(),
        )

    def _beat_grid(self) -> BeatGrid | None:
        """The playing song's beat grid in Play along mode (its side file read once per song), else None."""
        play = self.play
        if (
            play is None
            or self.mode is None
            or not self.mode.spec.plays_instruments
            or self.beat_grids is None
        ):
            return None
        song_id = play.song.song_id
        if self._grid_of is None or self._grid_of[0] != song_id:
            try:
                grid = self.beat_grids.grid_for(play.song)
            except Exception:  # a damaged side file: play along without a grid (every press at once)
                log.warning("beat grid unreadable", exc_info=True)
                grid = None
            self._grid_of = (song_id, grid)
        return self._grid_of[1]

    def _fade_in_ms(self) -> int:
        return self.settings.fade_ms

    def _level(self, fade: float, gain_db: float | None = None) -> float:
        return level_of(min(self.volume_pct, self.cap_pct()), fade, gain_db)

    def _song_level(self) -> float:
        if self.play is None:
            return 0.0
        gain = self.play.song.replaygain_db if self.settings.replaygain else None
        return self._level(1.0, gain) * self._duck

    def _pause(self, source: Source) -> None:
        play = self.play
        assert play is not None
        now = self.clock.monotonic()
        self._fader.cancel(play.slot)
        self._silence_other_slot()
        self.player.pause(play.slot)
        if play.run_since is not None:
            play.listened_s += now - play.run_since
        play.run_since = None
        play.paused_since = now
        self.status = Status.PAUSED
        self._log(EventType.PAUSE, source, song=play.song, at_s=self._at_s())
        self._save(force=True)

    def _resume(self, source: Source) -> None:
        play = self.play
        assert play is not None
        now = self.clock.monotonic()
        paused_s = now - play.paused_since if play.paused_since is not None else 0.0
        self._set_level(play.slot, 0.0)
        self.player.resume(play.slot)
        self._fader.fade(play.slot, 0.0, self._song_level(), self.settings.resume_fade_ms, now, then=None)
        play.run_since = now
        play.paused_since = None
        self.status = Status.PLAYING
        self._log(EventType.RESUME, source, song=play.song, paused_s=round(paused_s, 1))
        self._save(force=True)

    def _silence_other_slot(self) -> None:
        """Silence a song still fading out on the other player: pause now (fast), stop at the next pump."""
        other = 1 - self._slot
        if self._fader.active(other):
            self._fader.cancel(other)
            self.player.pause(other)
            self._stop_due.add(other)

    def _set_volume(self, wanted: int, source: Source) -> None:
        cap = self.cap_pct()
        new = max(min(self.settings.min_volume_pct, cap), min(wanted, cap))
        if new == self.volume_pct and wanted <= cap:
            return  # at the floor already
        self.volume_pct = new
        play = self.play
        if play is not None and self.status is Status.PLAYING and not self._fader.active(play.slot):
            now = self.clock.monotonic()  # a short ramp: the volume never jumps
            start = self._levels.get(play.slot, 0.0)
            self._fader.fade(play.slot, start, self._song_level(), VOLUME_RAMP_MS, now, then=None)
        elif play is not None and self._fader.active(play.slot):
            self._fader.retarget(play.slot, self._song_level())
        self._log(EventType.VOLUME, source, volume_pct=new, capped=wanted > cap)

    def _end_song(self, outcome: SongOutcome, source: Source, error: str = "") -> None:
        """Close the current play's books (the caller decides what the player does)."""
        play, session = self.play, self.session
        if play is None or session is None:
            return
        now = self.clock.monotonic()
        listened = play.listened(now)
        play.outcome = outcome.value
        detail: dict[str, Any] = {
            "outcome": outcome.value,
            "listened_s": round(listened, 1),
            "at_s": round(play.position_s(now), 1),
        }
        if error:
            detail["error"] = error
        self._log(EventType.SONG_END, source, song=play.song, **detail)
        session.add_play(play, listened)
        self.play = None

    def _end_session(self, reason: str, source: Source, outcome: SongOutcome, fade_ms: int) -> None:
        session = self.session
        if session is None:
            return
        if self.play is not None:
            slot, was_playing = self.play.slot, self.status is Status.PLAYING
            self._end_song(outcome, source)
            self._fader.cancel(slot)
            if was_playing and fade_ms > 0:
                level = self._levels.get(slot, 0.0)
                self._fader.fade(slot, level, 0.0, fade_ms, self.clock.monotonic(), then="stop")
            else:
                self.player.stop(slot)
        play_along = session.play_along_detail()
        if play_along is not None:
            self._log(EventType.PLAY_ALONG, Source.AUTO, **play_along)
        self._log(EventType.SESSION_END, source, reason=reason, listened_s=round(session.listened_s(), 1))
        if self.rollups is not None and session.journal_on:
            now = self.clock.now().isoformat(timespec="seconds")
            try:
                self.rollups.add(session.rollup(self.kiosk_id, now, reason, self.clock.trusted()))
            except Exception:  # reports lose one session; the music goes on
                log.warning("could not store the session rollup", exc_info=True)
        self.session = None
        self.status = Status.ENDED
        self._clear_resume()

    def _set_level(self, slot: int, level: float) -> None:
        self._levels[slot] = level
        self.player.set_level(slot, level)

    def _open_session(self, source: Source) -> None:
        ids = self.resident_ids
        people = [self._person(r) for r in ids]
        journaled = tuple(r for r, p in zip(ids, people, strict=True) if p is None or p.journaled)
        minutes = [p.session_minutes for p in people if p is not None]
        length_s = min(minutes) * 60.0 if minutes else self.settings.default_session_s
        self.session = SessionRecord(
            session_id=self.new_id(),
            resident_ids=ids,
            journaled_ids=journaled,
            journal_on=not ids or bool(journaled),
            mode=self.mode,
            started_at=self.clock.now().isoformat(timespec="seconds"),
            started_mono=self.clock.monotonic(),
            length_s=length_s,
            clock_ok=self.clock.trusted(),
        )
        self._failures = 0
        self._failed_ids = set()  # the catalogue remembers suspects; a new session tries again
        self._log(
            EventType.SESSION_START,
            source,
            mode=None if self.mode is None else self.mode.value,
            residents=list(journaled),
            resumed=False,
        )

    def _song_source(self) -> SongSource:
        if self._source is None:
            self._source = self.songs(self.resident_ids, self.mode)
        return self._source

    def _exclude(self) -> set[str]:
        ids = (self.session.played_ids() if self.session else set()) | self._failed_ids
        ids |= under_review(self._pending, self.resident_ids)  # also when the song source knows no reviews
        if self.play is not None:
            ids.add(self.play.song.song_id)
        return ids

    def _on_player_event(self, event: PlayerEvent) -> None:
        play = self.play
        if play is None or event.slot != play.slot or event.token != play.token:
            return  # a song already replaced or stopped
        if event.kind is PlayerEventKind.PLAYING:
            play.playing_confirmed = True
            return
        if event.kind is PlayerEventKind.ERROR:
            self._song_failed(event.error or "could not be played")
            return
        now = self.clock.monotonic()
        listened = play.listened(now)
        duration = play.song.duration_s or event.length_ms / 1000.0
        played = play.position_s(now)
        if duration <= 0 and listened < 0.5:
            self._song_failed("no audio could be decoded")
        elif duration > 0 and played < duration / 2 and duration - played > self.settings.early_end_slack_s:
            self._song_failed(f"ended after {played:.1f} s of {duration:.0f} s")
        else:
            self._failures = 0
            self.message = ""
            self._end_song(SongOutcome.COMPLETED, Source.AUTO)
            self._after_song()

    def _song_failed(self, reason: str) -> None:
        play = self.play
        assert play is not None
        self.player.stop(play.slot)
        self._fader.cancel(play.slot)
        self._end_song(SongOutcome.FAILED, Source.AUTO, error=reason)
        self._failed_ids.add(play.song.song_id)
        if self.on_suspect is not None:
            try:
                self.on_suspect(play.song.song_id, reason)
            except Exception:
                log.warning("could not mark a song suspect", exc_info=True)
        self._failures += 1
        if self._failures >= self.settings.failures_before_stop:
            self._end_session("failures", Source.AUTO, SongOutcome.FAILED, 0)
            self.message = (
                f"{self._failures} songs in a row could not be played. Please check the music library "
                "(kiosk scan) and the SD card, or call the IT volunteer."
            )
            return
        self._next_song(Source.AUTO, fade_out_ms=0)

    def _after_song(self) -> None:
        session = self.session
        assert session is not None
        if session.listened_s() >= session.length_s:
            self._end_session("length", Source.AUTO, SongOutcome.COMPLETED, 0)
        else:
            self._next_song(Source.AUTO, fade_out_ms=0)

    def _check_timers(self, now: float) -> None:
        play = self.play
        if self._tuned is not None and now >= self._tuned_until:
            self._tuned = None
        if self.status is Status.CALM and now >= self._calm_until:
            self.status = Status.IDLE  # the calm screen has shown long enough: at rest, nothing personal
        cap = self.cap_pct()
        if self.volume_pct > cap:  # quiet hours began (or a cap came with a resident): come down to it
            self.volume_pct = cap
            if play is not None and not self._fader.active(play.slot):
                self._set_level(play.slot, self._song_level())
            elif play is not None:
                self._fader.retarget(play.slot, self._song_level())
            self._log(EventType.VOLUME, Source.AUTO, volume_pct=cap, capped=True)
        if play is None:
            return
        if (
            self.status is Status.PLAYING
            and not play.playing_confirmed
            and play.listened(now) > self.settings.start_timeout_s
        ):
            self._song_failed("did not start within a few seconds")
            return
        if (
            self.status is Status.PAUSED
            and play.paused_since is not None
            and now - play.paused_since >= self.settings.idle_pause_end_s
        ):
            self._end_session("idle", Source.AUTO, SongOutcome.STOPPED, 0)
            return
        if self._save_due or self.status is Status.PLAYING:
            self._write_resume()

    def _refresh_policy(self) -> None:
        try:
            self._policy_now = self.policy(self.clock.now())
        except Exception:
            log.warning("time policy failed; keeping the last one", exc_info=True)

    def _at_s(self) -> float:
        return round(self.play.position_s(self.clock.monotonic()), 1) if self.play else 0.0

    def _log(self, type: EventType, source: Source, song: Song | None = None, **detail: Any) -> None:
        session = self.session
        if not (session.journal_on if session is not None else self._anyone_journaled()):
            return  # consent "no": never journaled
        ids = session.journaled_ids if session else ()
        try:
            self.journal.append(
                type.value,
                session_id=session.session_id if session else None,
                resident_id=ids[0] if len(ids) == 1 else None,
                song_id=song.song_id if song else None,
                source=source.value,
                detail=detail,
            )
        except Exception:  # a full or read-only disk never stops the music
            log.warning("journal append failed", exc_info=True)

    def _journal_problem(self) -> str:
        problem = getattr(self.journal, "problem", None)
        return f"Music is fine, but {problem}. Please tell the IT volunteer." if problem else ""

    def _anyone_journaled(self) -> bool:
        if not self.resident_ids:
            return True
        people = [self._person(r) for r in self.resident_ids]
        return any(p is None or p.journaled for p in people)

    def _save(self, force: bool = False) -> None:
        """Ask for a resume save: written by the next pump (a file write + fsync has no place in a tap)."""
        if force:
            self._save_due = True

    def _write_resume(self) -> None:
        if self.resume_store is None or self.session is None:
            return
        now = self.clock.monotonic()
        since_s = now - self._last_save
        presses_due = self._presses_due and since_s >= self.settings.press_save_s  # a power cut keeps them
        if not self._save_due and not presses_due and since_s < self.settings.autosave_s:
            return
        self._save_due = self._presses_due = False
        self._last_save = now
        state = self.session.resume_state(
            self.play, now, self.clock.now().isoformat(), paused=self.status is Status.PAUSED
        )
        try:
            self.resume_store.save(state)
        except Exception:
            log.warning("could not save the resume point", exc_info=True)

    def save_resume_now(self) -> None:
        """A clean stop (SIGTERM): the resume point gets the last seconds too (position, Play along presses)."""
        self._save_due = True
        self._write_resume()

    def _clear_resume(self) -> None:
        self._save_due = False
        if self.resume_store is not None:
            try:
                self.resume_store.clear()
            except Exception:
                log.warning("could not clear the resume point", exc_info=True)
