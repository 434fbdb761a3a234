"""The session engine: where a tap becomes music. Pure, single-threaded, driven by the main loop.

It implements :class:`kiosk.ports.SessionControl`: the UI, the GPIO buttons and the headless driver
``post`` intents (each with its source), read ``view()`` snapshots and call ``pump()`` often (about 20 times a
second, and whenever the waker fires): pump drains the player's events and runs fades and timers on the
injected clock. States: idle (or choosing, in the lounge), playing, paused, ended.

Rules kept here: taps on one control closer than 400 ms count once (the dial is exempt); the volume never
exceeds the kiosk's max, any listening resident's cap or the quiet-hours cap; a song that fails is reported,
flagged and replaced at once, and a run of failures stops with a message for staff; every intent and player
outcome is journaled (never for a resident who said no), and journal trouble never stops the music.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.domain.events import EventType, SongOutcome
from kiosk.domain.intents import Intent, SessionView, SongView, Source, Status
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.playback import PlayerEvent, PlayerEventKind, PolicyNow, level_of
from kiosk.domain.session_fades import Fader
from kiosk.domain.session_record import EngineSettings, Play, SessionRecord
from kiosk.ports import Clock, Journal, Player, ResumeStore, SessionRollups, SongSource, SongSourceFactory

log = logging.getLogger(__name__)

DECADES = tuple(f"{y}s" for y in range(1900, 2030, 10))
TAP_EXEMPT = frozenset({Source.DIAL, Source.AUTO, Source.STAFF})


def _no_policy(_at: datetime) -> PolicyNow:
    return PolicyNow()


class SessionEngine:
    """Implements :class:`kiosk.ports.SessionControl`."""

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
        rollups: SessionRollups | None = None,
        on_suspect: Callable[[str, str], None] | None = None,
        resume_store: ResumeStore | None = None,
        kiosk_id: str = "kiosk-1",
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ):
        self.player = player
        self.clock = clock
        self.journal = journal
        self.songs = songs
        self.settings = settings or EngineSettings()
        self.policy = policy
        self.residents = residents
        self.rollups = rollups
        self.on_suspect = on_suspect
        self.resume_store = resume_store
        self.kiosk_id = kiosk_id
        self.new_id = new_id
        self.status = Status.CHOOSING if self.settings.lounge else Status.IDLE
        self.mode: Mode | None = None
        self.resident_ids: tuple[str, ...] = ()
        self.volume_pct = self.settings.start_volume_pct
        self.message = ""
        self.session: SessionRecord | None = None
        self.play: Play | None = None
        self._source: SongSource | None = None
        self._slot = 1  # the first song goes to slot 0
        self._fader = Fader()
        self._last_tap: dict[tuple[Intent, Source], float] = {}
        self._failures = 0
        self._save_due = False
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
        self._refresh_policy()
        self.volume_pct = min(self.volume_pct, self.cap_pct())

    # --- SessionControl ------------------------------------------------------------------------------------

    def set_waker(self, waker: Callable[[], None]) -> None:
        self.player.set_waker(waker)

    def subscribe(self, listener: Callable[[SessionView], None]) -> None:
        self._listeners.append(listener)

    def post(self, intent: Intent, source: Source, arg: object = None) -> None:
        now = self.clock.monotonic()
        key = (intent, source)
        if source not in TAP_EXEMPT and intent is not Intent.TUNE_DECADE:
            last = self._last_tap.get(key)
            if last is not None and now - last < self.settings.tap_debounce_s:
                return  # the same control again within 400 ms: one tap (tremor)
            self._last_tap[key] = now
        self._refresh_policy()
        handler = getattr(self, f"_on_{intent.value}")
        handler(source, arg)
        self._publish()

    def pump(self) -> None:
        for slot in self._stop_due:
            if slot != self._slot or self.play is None:
                self.player.stop(slot)
        self._stop_due.clear()
        for event in self.player.poll():
            self._on_player_event(event)
        now = self.clock.monotonic()
        self._refresh_policy()
        ceiling = self._level(1.0)
        for slot, level, then in self._fader.step(now):
            self._set_level(slot, min(level, ceiling))
            if then == "stop":
                self.player.stop(slot)
            elif then == "pause":
                self.player.pause(slot)
        self._check_timers(now)
        if self._save_due:
            self._write_resume()
        maybe_sync = getattr(self.journal, "maybe_sync", None)
        if callable(maybe_sync):
            try:
                maybe_sync()
            except Exception:  # journal trouble never stops the music
                log.warning("journal sync failed", exc_info=True)
        self._publish()

    def view(self) -> SessionView:
        now = self.clock.monotonic()
        song = None
        position_ms = 0
        if self.play is not None:
            s = self.play.song
            song = SongView(
                s.song_id, s.title, s.artist, s.year, s.decade, s.duration_s, s.lyrics_path, self.play.liked
            )
            position_ms = int(self.play.position_s(now) * 1000)
        return SessionView(
            status=self.status,
            mode=self.mode,
            resident_ids=self.resident_ids,
            song=song,
            position_ms=position_ms,
            volume_pct=min(self.volume_pct, self.cap_pct()),
            volume_cap_pct=self.cap_pct(),
            quiet_hours=self._policy_now.quiet_hours,
            message=self.message or self._journal_problem(),
            decade_tuned=self._tuned,
        )

    def start_up(self) -> bool:
        """At kiosk start: resume the last session when allowed (True), else close its books and rest idle.

        Allowed only on a trusted clock, outside quiet hours, within ``resume_window_s`` of the last save.
        """
        store = self.resume_store
        state = store.load() if store is not None else None
        if not state or not state.get("session_id"):
            return False
        if not self._may_resume(state):
            self._close_stale(state)
            self._clear_resume()
            return False
        session = SessionRecord.from_resume(state, self.clock.monotonic())
        self.session, self.resident_ids, self.mode = session, session.resident_ids, session.mode
        self.volume_pct = min(self.volume_pct, self.cap_pct())
        self._log(
            EventType.SESSION_START,
            Source.AUTO,
            mode=None if self.mode is None else self.mode.value,
            residents=list(session.journaled_ids),
            resumed=True,
        )
        song_doc = state.get("song")
        if not song_doc:
            self._next_song(Source.AUTO, fade_out_ms=0)
            return True
        song = Song.from_dict(dict(song_doc))
        start_ms = max(0, int(state.get("position_ms", 0)) - 2000)  # back up a little: a gentle re-entry
        self._start_song(
            song, str(state.get("song_reason", "")), Source.AUTO, 0, start_ms, str(state["song_at"])
        )
        assert self.play is not None
        self.play.carried_s = float(state.get("song_listened_s", 0.0))
        self.play.liked = bool(state.get("liked", False))
        if state.get("paused"):
            self._pause(Source.AUTO)
        self._publish()
        return True

    def _may_resume(self, state: dict[str, Any]) -> bool:
        if not self.clock.trusted() or self._policy_now.quiet_hours:
            return False
        try:
            saved = datetime.fromisoformat(str(state["saved_at"]))
        except (KeyError, ValueError):
            return False
        age_s = (self.clock.now() - saved).total_seconds()
        return 0 <= age_s <= self.settings.resume_window_s

    def _close_stale(self, state: dict[str, Any]) -> None:
        """The last session was cut off (crash, power) and will not resume: end it in the books."""
        try:
            session = SessionRecord.from_resume(state, self.clock.monotonic())
        except (KeyError, ValueError, TypeError):
            return
        if not session.journal_on:
            return
        self.session = session
        self._log(
            EventType.SESSION_END, Source.AUTO, reason="shutdown", listened_s=round(session.listened_s(), 1)
        )
        self.session = None
        if self.rollups is not None:
            try:
                now = self.clock.now().isoformat(timespec="seconds")
                self.rollups.add(session.rollup(self.kiosk_id, now, "shutdown", self.clock.trusted()))
            except Exception:
                log.warning("could not store the session rollup", exc_info=True)

    # --- what staff and reports read -----------------------------------------------------------------------

    def pending_reviews(self) -> list[dict[str, Any]]:
        """Distress stops awaiting a staff decision (add the song to the resident's avoid list, or dismiss)."""
        return list(self._pending)

    def resolve_review(self, song_id: str) -> None:
        self._pending = [p for p in self._pending if p["song_id"] != song_id]

    def cap_pct(self) -> int:
        caps = [self.settings.max_volume_pct, self._policy_now.volume_cap_pct]
        for rid in self.resident_ids:
            resident = self.residents(rid) if self.residents else None
            if resident is not None:
                caps.append(resident.volume_cap_pct)
        return max(0, min(caps))

    # --- intents -------------------------------------------------------------------------------------------

    def _on_play_pause(self, source: Source, _arg: object) -> None:
        if self.status is Status.PLAYING:
            self._pause(source)
        elif self.status is Status.PAUSED:
            self._resume(source)
        else:
            self._start_music(source)

    def _on_more_music(self, source: Source, _arg: object) -> None:
        if self.status is Status.PAUSED:
            self._resume(source)
        elif self.status is not Status.PLAYING:
            self._start_music(source)

    def _on_next(self, source: Source, _arg: object) -> None:
        if self.play is None:
            self._start_music(source)
            return
        self._end_song(SongOutcome.SKIPPED, source)
        self._next_song(source, fade_out_ms=self.settings.skip_fade_ms)

    def _on_like(self, source: Source, _arg: object) -> None:
        if self.play is None or self.play.liked:
            return
        self.play.liked = True
        self._log(EventType.LIKE, source, song=self.play.song, at_s=self._at_s())

    def _on_volume_up(self, source: Source, _arg: object) -> None:
        self._set_volume(self.volume_pct + self.settings.volume_step_pct, source)

    def _on_volume_down(self, source: Source, _arg: object) -> None:
        self._set_volume(self.volume_pct - self.settings.volume_step_pct, source)

    def _on_stop(self, source: Source, _arg: object) -> None:
        if self.session is not None:
            self._end_session("stop", source, SongOutcome.STOPPED, self.settings.fade_ms)

    def _on_distress(self, source: Source, _arg: object) -> None:
        if self.session is None:
            return
        play = self.play
        if play is not None:
            self._log(EventType.DISTRESS, source, song=play.song, at_s=self._at_s())
            for rid in self.session.journaled_ids or ("",):
                self._pending.append(
                    {
                        "song_id": play.song.song_id,
                        "title": play.song.title,
                        "artist": play.song.artist,
                        "resident_id": rid or None,
                        "session_id": self.session.session_id,
                        "at": self.clock.now().isoformat(timespec="seconds"),
                    }
                )
        self._end_session("distress", source, SongOutcome.DISTRESS, self.settings.distress_fade_ms)

    def _on_tune_decade(self, source: Source, arg: object) -> None:
        step = 1 if not isinstance(arg, int) or arg >= 0 else -1
        here = self._tuned or (self.play.song.decade if self.play else None) or "1960s"
        index = DECADES.index(here) if here in DECADES else DECADES.index("1960s")
        exclude = self._exclude()
        for hop in range(1, 5):
            i = index + step * hop
            if not 0 <= i < len(DECADES):
                break
            choice = self._song_source().song_for_decade(DECADES[i], exclude)
            if choice is None:
                continue
            self._tuned = DECADES[i]
            self._tuned_until = self.clock.monotonic() + self.settings.tuned_display_s
            self._log(EventType.TUNE, source, decade=DECADES[i])
            if self.play is not None:
                self._end_song(SongOutcome.SKIPPED, source)
            if self.session is None:
                self._open_session(source)
            self._start_song(choice[0], choice[1], source, fade_out_ms=self.settings.fade_ms)
            return

    def _on_choose_residents(self, source: Source, arg: object) -> None:
        ids = tuple(str(x) for x in arg) if isinstance(arg, (tuple, list)) else ()
        if self.session is not None:
            self._end_session("stop", source, SongOutcome.STOPPED, self.settings.fade_ms)
        self.resident_ids = ids
        self._source = None
        self.volume_pct = min(max(self.volume_pct, self.settings.min_volume_pct), self.cap_pct())
        self._start_music(source)

    def _on_choose_mode(self, source: Source, arg: object) -> None:
        try:
            mode = Mode(str(arg))
        except ValueError:
            return
        if mode == self.mode:
            return
        self.mode = mode
        self._source = None
        if self.session is not None:
            self.session.mode = mode
        chosen_by = {Source.STAFF: "staff", Source.AUTO: "schedule"}.get(source, "resident")
        self._log(EventType.MODE, source, mode=mode.value, chosen_by=chosen_by)

    # --- music ---------------------------------------------------------------------------------------------

    def _start_music(self, source: Source) -> None:
        if source is Source.AUTO and not self._policy_now.may_autostart:
            return  # quiet hours: nothing starts by itself
        self._next_song(source, fade_out_ms=0)

    def _next_song(self, source: Source, fade_out_ms: int) -> None:
        choice = self._song_source().next_song(self._exclude())
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
        self._start_song(choice[0], choice[1], source, fade_out_ms)

    def _start_song(
        self, song: Song, reason: str, source: Source, fade_out_ms: int, start_ms: int = 0, at: str = ""
    ) -> None:
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
        self.play.run_since = now
        self.status = Status.PLAYING
        self._fader.fade(new, 0.0, self._level(1.0, gain), self._fade_in_ms(), now, then=None)
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
        )
        self._save(force=True)

    def _fade_in_ms(self) -> int:
        return self.settings.fade_ms

    def _level(self, fade: float, gain_db: float | None = None) -> float:
        return level_of(min(self.volume_pct, self.cap_pct()), fade, gain_db)

    def _song_level(self) -> float:
        if self.play is None:
            return 0.0
        gain = self.play.song.replaygain_db if self.settings.replaygain else None
        return self._level(1.0, gain)

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
        if self.play is not None and not self._fader.active(self.play.slot):
            self._set_level(self.play.slot, self._song_level())
        elif self.play is not None:
            self._fader.retarget(self.play.slot, self._song_level())
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
        people = [self.residents(r) if self.residents else None for r in ids]
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
        if self.play is not None:
            ids.add(self.play.song.song_id)
        return ids

    # --- player outcomes and timers ------------------------------------------------------------------------

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
        if self._save_due or (
            self.status is Status.PLAYING and now - self._last_save >= self.settings.autosave_s
        ):
            self._write_resume()

    def _refresh_policy(self) -> None:
        try:
            self._policy_now = self.policy(self.clock.now())
        except Exception:
            log.warning("time policy failed; keeping the last one", exc_info=True)

    # --- journal, view, resume -----------------------------------------------------------------------------

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
        people = [self.residents(r) if self.residents else None for r in self.resident_ids]
        return any(p is None or p.journaled for p in people)

    def _publish(self) -> None:
        view = self.view()
        last = self._last_view
        if last is not None and last == _replace_position(view, last.position_ms, view.position_ms):
            return
        self._last_view = view
        for listener in list(self._listeners):
            listener(view)

    def _save(self, force: bool = False) -> None:
        """Ask for a resume save: written by the next pump (a file write + fsync has no place in a tap)."""
        if force:
            self._save_due = True

    def _write_resume(self) -> None:
        if self.resume_store is None or self.session is None:
            return
        now = self.clock.monotonic()
        if not self._save_due and now - self._last_save < self.settings.autosave_s:
            return
        self._save_due = False
        self._last_save = now
        state = self.session.resume_state(
            self.play, now, self.clock.now().isoformat(), paused=self.status is Status.PAUSED
        )
        try:
            self.resume_store.save(state)
        except Exception:
            log.warning("could not save the resume point", exc_info=True)

    def _clear_resume(self) -> None:
        self._save_due = False
        if self.resume_store is not None:
            try:
                self.resume_store.clear()
            except Exception:
                log.warning("could not clear the resume point", exc_info=True)


def _replace_position(view: SessionView, old_ms: int, new_ms: int) -> SessionView:
    """``view`` with the previous position when both fall in the same second (no publish per pump)."""
    from dataclasses import replace

    return replace(view, position_ms=old_ms) if old_ms // 1000 == new_ms // 1000 else view
