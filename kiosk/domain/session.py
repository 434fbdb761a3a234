"""The session engine: where a tap becomes music. Pure, single-threaded, driven by the main loop.

It implements :class:`kiosk.domain.ports.SessionControl`: the UI, the GPIO buttons and the headless driver
``post`` intents (each with its source), read ``view()`` snapshots and call ``pump()`` often (about 20 times a
second, and whenever the waker fires): pump drains the player's events and runs fades and timers on the
injected clock. States: idle (or choosing, in the lounge), playing, paused, ended.

Rules kept here: taps on one control closer than 400 ms count once (the dial is exempt; the rule itself is
``kiosk.domain.controls.RepeatFilter``); the volume never exceeds the kiosk's max, any listening resident's
cap or the quiet-hours cap; a song that fails is reported, flagged and replaced at once, and a run of failures
stops with a message for staff; every intent and player outcome is journaled (never for a resident who said
no), and journal trouble never stops the music.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from kiosk.domain.beats import quantise
from kiosk.domain.events import EventType, SongOutcome
from kiosk.domain.intents import Intent, SessionView, SongView, Source, Status
from kiosk.domain.models import Mode, Song
from kiosk.domain.play_along import INSTRUMENTS, PAD_TREMOR_S
from kiosk.domain.session_cutoff import CutOff, cut_off_from_events
from kiosk.domain.session_record import Play, SessionRecord
from kiosk.domain.session_voice import SessionVoice

log = logging.getLogger(__name__)

DECADES = tuple(f"{y}s" for y in range(1900, 2030, 10))
TAP_EXEMPT = frozenset({Source.DIAL, Source.AUTO, Source.STAFF})
CALM_IGNORES = frozenset(
    {
        Intent.PLAY_PAUSE,
        Intent.MORE_MUSIC,
        Intent.NEXT,
        Intent.TUNE_DECADE,
        Intent.LIKE,
        Intent.CHOOSE_MODE,
        Intent.PLAY_INSTRUMENT,
    }
)


class SessionEngine(SessionVoice):
    """Implements :class:`kiosk.domain.ports.SessionControl` (and the staff screen's review list)."""

    def set_waker(self, waker: Callable[[], None]) -> None:
        self.player.set_waker(waker)

    def subscribe(self, listener: Callable[[SessionView], None]) -> None:
        self._listeners.append(listener)

    def post(self, intent: Intent, source: Source, arg: object = None) -> None:
        pad = intent is Intent.PLAY_INSTRUMENT  # an instrument: one bounce window per instrument, not 400 ms
        key = ("pad", str(arg), source) if pad else (intent, source)
        tap = pad or (source not in TAP_EXEMPT and intent is not Intent.TUNE_DECADE)
        if tap and not self._repeats.accept(key, PAD_TREMOR_S if pad else None):
            return  # the same control again within 400 ms (a pad: within its bounce): one tap (tremor)
        if self.status is Status.CALM and source is not Source.STAFF and intent in CALM_IGNORES:
            return  # stopped as upsetting: no music by itself or by a stray press until the calm screen ends
        self._refresh_policy()
        self._voice_interrupt()
        self.HANDLERS[intent](self, source, arg)
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
        self._check_profiles(now)
        ceiling = self._level(1.0)
        for slot, level, then in self._fader.step(now):
            self._set_level(slot, min(level, ceiling))
            if then == "stop":
                self.player.stop(slot)
            elif then == "pause":
                self.player.pause(slot)
        self._check_timers(now)
        self._voice_pump(now)
        if self._save_due:
            self._write_resume()
        try:
            self.journal.maybe_sync()
        except Exception:  # journal trouble never stops the music
            log.warning("journal sync failed", exc_info=True)
        self._publish()

    def view(self) -> SessionView:
        now = self.clock.monotonic()
        song = None
        position_ms = 0
        s = self.play.song if self.play is not None else self._intro_song()  # introduced: shown already
        if s is not None:
            song = SongView(
                s.song_id,
                s.title,
                s.artist,
                s.year,
                s.decade,
                s.duration_s,
                s.lyrics_path,
                self.play.liked if self.play is not None else False,
                art_path=s.cover_path,
                path=s.path,
            )
        if self.play is not None:
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
            beat_grid=self._beat_grid(),
            presses=self.session.tally.presses if self.session is not None else 0,
        )

    def start_up(self) -> bool:
        """At kiosk start: resume the last session when allowed (True), else close its books and rest idle.

        Allowed only on a trusted clock, outside quiet hours, within ``resume_window_s`` of the last save.
        """
        store = self.resume_store
        state = store.load() if store is not None else None
        if state and state.get("session_id") and self._ended(str(state["session_id"])):
            state = None  # cut between its session_end and the resume point's removal: it ended; never resume
            self._clear_resume()
        self._close_unended(state.get("session_id") if state else None)
        if not state or not state.get("session_id"):
            return False
        if not self._may_resume(state):
            self._close_stale(state)
            self._clear_resume()
            return False
        session = SessionRecord.from_resume(state, self.clock.monotonic())
        self.session, self.resident_ids, self.mode = session, session.resident_ids, session.mode
        self.listeners.forget()
        for rid in session.journaled_ids:  # consent may have been withdrawn while the kiosk was off
            person = self._person(rid)
            if person is not None and not person.journaled:
                self._withdraw(session, rid)
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
        reason = str(state.get("song_reason", ""))
        self._start_song(song, reason, Source.AUTO, 0, start_ms, str(state["song_at"]), continued=True)
        assert self.play is not None
        self.play.carried_s = float(state.get("song_listened_s", 0.0))
        self.play.liked = bool(state.get("liked", False))
        if state.get("paused"):
            self._pause(Source.AUTO)
        self._publish()
        return True

    def _ended(self, session_id: str) -> bool:
        try:
            return self.journal.session_ended(session_id)
        except Exception:  # the journal's trouble never stops the kiosk starting
            log.warning("could not read the journal's ended sessions", exc_info=True)
            return False

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
        play = None
        song_doc = state.get("song")
        if song_doc:  # the song cut off mid-play ends in the books too
            play = Play(
                Song.from_dict(dict(song_doc)),
                str(state.get("song_reason", "")),
                0,
                0,
                str(state.get("song_at", "")),
            )
            play.liked = bool(state.get("liked", False))
            play.play_along = bool(state.get("song_play_along", session.mode is Mode.PLAY_ALONG))
        at_s = round(int(state.get("position_ms", 0)) / 1000.0, 1)
        self._close_cut_off(CutOff(session, play, float(state.get("song_listened_s", 0.0))), at_s)

    def _close_unended(self, resumable: object) -> None:
        """Sessions the journal shows started and never ended, that the resume point does not name (a cut
        before the first resume save): closed as ``shutdown`` now, so no session is left open (issue 13)."""
        try:
            unended = self.journal.unended_sessions()
        except Exception:  # the journal's trouble never stops the kiosk starting
            log.warning("could not read the journal's unended sessions", exc_info=True)
            return
        for events in unended:
            cut = cut_off_from_events(events, self.clock.monotonic())
            if cut is not None and cut.session.session_id != resumable:
                self._close_cut_off(cut, round(cut.listened_s, 1))

    def _close_cut_off(self, cut: CutOff, at_s: float) -> None:
        """End a cut-off session in the books: its song (if one was playing), ``session_end`` with reason
        ``shutdown``, and its one rollup."""
        session, play = cut.session, cut.play
        if not session.journal_on:
            return
        self.session = session
        if play is not None:
            self._log(
                EventType.SONG_END,
                Source.AUTO,
                song=play.song,
                outcome="stopped",
                listened_s=round(cut.listened_s, 1),
                at_s=at_s,
            )
            play.outcome = "stopped"
            session.add_play(play, cut.listened_s)
        play_along = session.play_along_detail()  # the presses kept in the resume point
        if play_along is not None:
            self._log(EventType.PLAY_ALONG, Source.AUTO, **play_along)
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

    def pending_reviews(self) -> list[dict[str, Any]]:
        """Distress stops awaiting a staff decision (add the song to the resident's avoid list, or dismiss)."""
        return list(self._pending)

    def resolve_review(self, song_id: str) -> None:
        self._pending = [p for p in self._pending if p["song_id"] != song_id]
        self._source = None  # staff decided: the song may come back (or is now on an avoid list)

    def _check_profiles(self, now: float) -> None:
        """Re-read the listeners' profiles when the residents store changed on disk (at most once a second).

        Consent withdrawn: nothing more names them, the rollup leaves them out. A lower volume limit: the
        level comes down in this same pump (:meth:`_check_timers`), and Louder cannot pass it. Avoid lists,
        favourites and session length: from the next song.
        """
        changes = self.listeners.changed(self.resident_ids, now)
        if not changes:
            return
        session = self.session
        if session is not None:
            for change in changes:
                if change.consent_withdrawn:
                    self._withdraw(session, change.resident_id)
            minutes = [p.session_minutes for r in self.resident_ids if (p := self._person(r)) is not None]
            if minutes:
                session.length_s = min(minutes) * 60.0
        self._source = None

    def _withdraw(self, session: SessionRecord, resident_id: str) -> None:
        """Consent withdrawn mid-session: one last event names them, then nothing does (earlier events stay)."""
        if resident_id not in session.journaled_ids:
            return
        if session.journal_on:
            try:
                self.journal.append(
                    EventType.CONSENT_WITHDRAWN.value,
                    session_id=session.session_id,
                    resident_id=resident_id,
                    source=Source.AUTO.value,
                    detail={},
                )
            except Exception:
                log.warning("journal append failed", exc_info=True)
        session.journaled_ids = tuple(r for r in session.journaled_ids if r != resident_id)
        if session.resident_ids and not session.journaled_ids:
            session.journal_on = False  # nobody left who agreed: no more events, no rollup
        self._save(force=True)

    def current_session(self) -> tuple[str, tuple[str, ...], str] | None:
        """(session_id, resident_ids, started_at ISO) of the session running now, or None (for staff
        observation forms)."""
        if self.session is None:
            return None
        return self.session.session_id, tuple(self.session.resident_ids), self.session.started_at

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
        self._save(force=True)

    def _on_volume_up(self, source: Source, _arg: object) -> None:
        self._set_volume(self.volume_pct + self.settings.volume_step_pct, source)

    def _on_volume_down(self, source: Source, _arg: object) -> None:
        self._set_volume(self.volume_pct - self.settings.volume_step_pct, source)

    def _on_stop(self, source: Source, _arg: object) -> None:
        if self.session is not None:
            self._end_session("stop", source, SongOutcome.STOPPED, self.settings.fade_ms)

    def _on_distress(self, source: Source, _arg: object) -> None:
        """Stop now (fast fade), end the session, show the calm screen, and put the song up for review.

        The review names everyone present, whatever their consent: it is a safety record, not a listening
        record. Until staff decide, the song is left out for any session one of them is in.
        """
        session = self.session
        if session is None:
            return
        play = self.play
        if play is not None:
            self._log(EventType.DISTRESS, source, song=play.song, at_s=self._at_s())
            at = self.clock.now().isoformat(timespec="seconds")
            for rid in session.resident_ids or (None,):
                self._pending.append(
                    {
                        "song_id": play.song.song_id,
                        "title": play.song.title,
                        "artist": play.song.artist,
                        "resident_id": rid,
                        "session_id": session.session_id,
                        "at": at,
                    }
                )
        self._end_session("distress", source, SongOutcome.DISTRESS, self.settings.distress_fade_ms)
        self.status = Status.CALM
        self._calm_until = self.clock.monotonic() + self.settings.calm_screen_s
        self._source = None  # the next choice of songs leaves the song under review out

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
        self.listeners.forget()  # fresh profiles (caps, session length, consent) for this choice
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

    def _on_play_instrument(self, source: Source, arg: object) -> None:
        """Play along: sound the instrument on the next beat when it is at most 150 ms away, else at once.

        Only while a song plays in Play along mode; a press is never wrong, and never louder than the music.
        """
        play, session = self.play, self.session
        instrument = str(arg)
        if (
            play is None
            or session is None
            or self.status is not Status.PLAYING
            or self.mode is None
            or not self.mode.spec.plays_instruments
            or instrument not in INSTRUMENTS
        ):
            return
        timing = quantise(self._beat_grid(), play.position_s(self.clock.monotonic()))
        if self.percussion is not None:
            try:
                self.percussion.play(instrument, timing.delay_s, self._level(1.0))
            except Exception:  # the mixer never stops the music
                log.warning("percussion failed", exc_info=True)
        session.tally.add(instrument, timing.on_beat)
        self._presses_due = True  # saved with the resume point within press_save_s (pump)

    # what each intent does: one handler per intent (tests/domain/test_session.py checks every intent has one)
    HANDLERS: ClassVar[dict[Intent, Callable[[SessionEngine, Source, object], None]]] = {
        Intent.PLAY_PAUSE: _on_play_pause,
        Intent.MORE_MUSIC: _on_more_music,
        Intent.NEXT: _on_next,
        Intent.LIKE: _on_like,
        Intent.VOLUME_UP: _on_volume_up,
        Intent.VOLUME_DOWN: _on_volume_down,
        Intent.STOP: _on_stop,
        Intent.DISTRESS: _on_distress,
        Intent.TUNE_DECADE: _on_tune_decade,
        Intent.CHOOSE_RESIDENTS: _on_choose_residents,
        Intent.CHOOSE_MODE: _on_choose_mode,
        Intent.PLAY_INSTRUMENT: _on_play_instrument,
    }

    def _publish(self) -> None:
        view = self.view()
        last = self._last_view
        if last is not None and last == _replace_position(view, last.position_ms, view.position_ms):
            return
        self._last_view = view
        for listener in list(self._listeners):
            listener(view)


def _replace_position(view: SessionView, old_ms: int, new_ms: int) -> SessionView:
    """``view`` with the previous position when both fall in the same second (no publish per pump)."""
    from dataclasses import replace

    return replace(view, position_ms=old_ms) if old_ms // 1000 == new_ms // 1000 else view
