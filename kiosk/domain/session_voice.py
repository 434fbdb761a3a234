"""The gentle voice inside the session engine: introductions, orientation, lyric cues, guided imagery (pure).

It speaks on the player's voice slot (:data:`kiosk.domain.playback.VOICE_SLOT`) at the music's own level (the
volume and every cap), through the :class:`kiosk.domain.ports.Speech` port, which renders ahead on a worker.
Nothing here ever waits for speech: a clip that is not ready is simply not said, and the music plays.

- The next song is picked one ahead (when a song starts, or while idle for the first one), so that its
  introduction is rendered by the time it is due; before it plays it is re-checked: a changed song source
  (avoid lists, reviews decided, listeners, mode) or a song now excluded (under review...) means a fresh pick.
- Intro: the old song ends, the voice speaks (orientation first at a session's start), then the song starts.
  Any press while it speaks starts the song at once and then does what it does.
- Lyric cue (Sing-along): each LRC line is spoken before it is sung, the music ducked under it.
- Imagery (Relax): a script's lines over the music (ducked while speaking), its pauses left to the music.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.events import EventType
from kiosk.domain.intents import Source, Status
from kiosk.domain.lyrics import LyricLine
from kiosk.domain.models import Song
from kiosk.domain.playback import VOICE_SLOT, PlayerEvent, PlayerEventKind, SpeechClip
from kiosk.domain.ports import SongSource, Speech
from kiosk.domain.session_core import SessionCore
from kiosk.domain.voice import (
    VoiceSettings,
    cue_timing,
    intro_due,
    intro_text,
    may_say_date,
    orientation_text,
    voice_allowed,
)
from kiosk.domain.voice_scripts import Pause, Say, Script

CLIP_SLACK_S = 2.0  # a clip that has not ended this long after its length is given up (music goes on)
CUE_LATE_MS = 300  # a cue that would start later than this after its time is not said
IMAGERY_WAIT_S = 10.0
START_WAIT_S = 1.5  # at a session's start, how long the song waits for its introduction to be rendered  # an imagery line not rendered this long after its time is left out
DUCK_DOWN_MS = 150
DUCK_UP_MS = 400


def _untrusted() -> ClockBasis:
    return ClockBasis.UNTRUSTED


def _same(at: datetime) -> datetime:
    return at


def _no_lyrics(_song: Song) -> Sequence[LyricLine]:
    return ()


def _no_scripts() -> Sequence[Script]:
    return ()


@dataclass
class VoiceParts:
    """What the engine needs to speak (built by the composition root; None = no voice at all)."""

    speech: Speech
    settings: VoiceSettings
    clock_basis: Callable[[], ClockBasis] = _untrusted  # why the clock is trusted (orientation)
    local_time: Callable[[datetime], datetime] = _same  # UTC -> the home's local time
    lyrics: Callable[[Song], Sequence[LyricLine]] = _no_lyrics  # a song's timed LRC lines (sing-along)
    scripts: Callable[[], Sequence[Script]] = _no_scripts  # the imagery scripts (relax)


@dataclass
class _Intro:
    song: Song
    reason: str
    source: Source
    pending: list[tuple[EventType, str, dict[str, Any]]]  # what to say, in order
    wait_until: float  # a text not rendered by then is left out
    introduced: bool = False


@dataclass
class _Speaking:
    """A clip being said (or about to be: the music dips first, see :meth:`SessionVoice._speak`)."""

    kind: EventType
    clip: SpeechClip
    detail: dict[str, Any]
    start_at: float  # when the voice starts (after the dip has had time to be heard)
    ducked: bool
    token: int = 0  # 0 until started
    ends_at: float = math.inf  # when its last sample is heard (start + its length)
    decoded: bool = False  # the player reported its end (libvlc: the decoding, ~1 s before it is heard)

    @property
    def deadline(self) -> float:
        return self.ends_at + CLIP_SLACK_S


@dataclass
class _Imagery:
    script: Script
    due: float
    index: int = 0
    waiting_since: float | None = None
    after_speech: list[float] = field(default_factory=list)  # the slot of the part being spoken


class SessionVoice(SessionCore):
    """:class:`SessionCore` with the gentle voice (a no-op unless ``voice`` parts are given and switched on)."""

    def __init__(self, *, voice: VoiceParts | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.voice = voice
        self._ahead: tuple[tuple[Song, str], SongSource] | None = None
        self._intro: _Intro | None = None
        self._speaking: _Speaking | None = None
        self._voice_level = 0.0
        self._introduced = False
        self._oriented: str | None = None  # the session id orientation was considered for
        self._cue_lines: tuple[LyricLine, ...] = ()
        self._cue_next = 0
        self._imagery: _Imagery | None = None
        self._imagery_turn = 0
        self._idle_key: object = None
        self._lyrics_cache: dict[str, tuple[LyricLine, ...]] = {}

    # --- whether to speak -----------------------------------------------------------------------------------

    def _voice_on(self) -> bool:
        parts = self.voice
        if parts is None or not parts.settings.enabled or parts.speech.unavailable():
            return False
        return voice_allowed(parts.settings, [self._person(r) for r in self.resident_ids])

    def _intro_wanted(self, index: int) -> bool:
        assert self.voice is not None
        settings = self.voice.settings
        if self.mode is not None and self.mode.spec.voice_imagery and settings.imagery:
            return False  # one voice at a time: the imagery script speaks in Relax
        return intro_due(settings.intros, index)

    def _intro_words(self, song: Song) -> str:
        assert self.voice is not None
        settings = self.voice.settings
        listener = None
        if settings.personal and settings.intro_age and len(self.resident_ids) == 1:
            listener = self._person(self.resident_ids[0])  # personal mode only: never in the lounge
        return intro_text(song, listener=listener, with_age=listener is not None)

    def _orientation_words(self) -> str:
        assert self.voice is not None
        parts = self.voice
        if not parts.settings.orientation or not may_say_date(parts.clock_basis()):
            return ""
        return orientation_text(parts.local_time(self.clock.now()))

    # --- hooks called by the core -----------------------------------------------------------------------------

    def _take_ahead(self) -> tuple[Song, str] | None:
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        choice, source = ahead
        if self._source is not source or choice[0].song_id in self._exclude():
            return None  # avoid lists, reviews, listeners or mode changed since: pick afresh
        return choice

    def _before_song(self, choice: tuple[Song, str], source: Source, fade_out_ms: int) -> bool:
        session = self.session
        if session is None or not self._voice_on():
            return False
        assert self.voice is not None
        speech = self.voice.speech
        pending: list[tuple[EventType, str, dict[str, Any]]] = []
        first = not session.plays
        if self._oriented != session.session_id and first:
            self._oriented = session.session_id
            words = self._orientation_words()
            if words:
                pending.append((EventType.ORIENTATION, words, {}))
        if self._intro_wanted(len(session.plays)):
            words = self._intro_words(choice[0])
            if words:
                pending.append((EventType.INTRO, words, {"age": "when you were" in words}))
        now = self.clock.monotonic()
        if first:  # a session's start: wait a moment for a line not rendered yet (the song is on screen)
            for _kind, words, _detail in pending:
                speech.prepare(words)
            wait_until = now + START_WAIT_S
        else:  # between songs: only what is ready (it was rendered ahead); never a gap in the music
            pending = [p for p in pending if speech.ready(p[1]) is not None]
            wait_until = now
        if not pending:
            return False
        old = self._slot  # the old song goes as it would for the new one
        self._fader.cancel(old)
        if fade_out_ms > 0 and self.status is Status.PLAYING:
            level = self._levels.get(old, 0.0)
            self._fader.fade(old, level, 0.0, fade_out_ms, now, then="stop")
        else:
            self.player.stop(old)
        self._intro = _Intro(choice[0], choice[1], source, pending, wait_until)
        self.status = Status.PLAYING
        self._next_intro_clip()
        return True

    def _song_start_detail(self) -> dict[str, Any]:
        if not self._introduced:
            return {}
        self._introduced = False
        if self.play is not None:
            self.play.intro = True
        return {"intro": True}

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
        super()._start_song(song, reason, source, fade_out_ms, start_ms, at, continued)
        if self.voice is None or not self._voice_on():
            return
        self._cue_lines, self._cue_next = (), 0
        settings = self.voice.settings
        if self.mode is not None and self.mode.spec.voice_lyric_coach and settings.lyric_coach:
            self._cue_lines = self._lyrics_of(song)
            for line in self._cue_lines:
                self.voice.speech.prepare(line.text)
        session = self.session
        if (
            self.mode is not None
            and self.mode.spec.voice_imagery
            and settings.imagery
            and self._imagery is None
            and session is not None
            and not session.plays
        ):
            self._start_imagery()
        self._pick_ahead()

    def _on_player_event(self, event: PlayerEvent) -> None:
        if event.slot != VOICE_SLOT:
            super()._on_player_event(event)
            return
        speaking = self._speaking
        if speaking is None or event.token != speaking.token or event.kind is PlayerEventKind.PLAYING:
            return
        if event.kind is PlayerEventKind.ERROR:
            self._voice_done()
            return
        # The end of decoding: the rest of the clip (about the player's level lag) is still to be heard. The
        # music comes back up now, so that it is heard back up as the voice stops; what follows waits.
        speaking.decoded = True
        if speaking.ducked:
            speaking.ducked = False
            self._set_duck(False)

    def _pause(self, source: Source) -> None:
        self._hush()
        super()._pause(source)

    def _end_song(self, outcome: Any, source: Source, error: str = "") -> None:
        if self._speaking is not None and self._speaking.kind is EventType.CUE:
            self._hush()
        self._cue_lines, self._cue_next = (), 0
        super()._end_song(outcome, source, error)

    def _end_session(self, reason: str, source: Source, outcome: Any, fade_ms: int) -> None:
        self._hush()
        self._intro = None
        self._imagery = None
        self._ahead = None
        super()._end_session(reason, source, outcome, fade_ms)

    # --- the engine's pump and intents ------------------------------------------------------------------------

    def _voice_interrupt(self) -> None:
        """A press while an introduction speaks: the song starts now, then the press does what it does."""
        if self._intro is not None:
            self._hush()
            self._finish_intro()

    def _voice_pump(self, now: float) -> None:
        if self.voice is None:
            return
        speaking = self._speaking
        if speaking is not None:
            if not speaking.token:
                if now >= speaking.start_at:
                    self._start_voice(speaking, now)
                return
            level = self._level(1.0)
            if abs(level - self._voice_level) > 1e-4:  # the volume or a cap changed while speaking
                self._voice_level = level
                self.player.set_level(VOICE_SLOT, level)
            if (speaking.decoded and now >= speaking.ends_at) or now > speaking.deadline:
                self._voice_done()  # heard to the end (or never ended: a stuck output; the music goes on)
            return
        if self._intro is not None:
            self._next_intro_clip()
            return
        if self.session is None and self.status in (Status.IDLE, Status.ENDED):
            self._prepare_idle()
            return
        if self.status is not Status.PLAYING or self.play is None or self._intro is not None:
            return
        if self._cue_lines:
            self._cue_tick(now)
        if self._imagery is not None and self._speaking is None:
            self._imagery_tick(now)

    def _intro_song(self) -> Song | None:
        return self._intro.song if self._intro is not None else None

    # --- speaking ---------------------------------------------------------------------------------------------

    def _speak(
        self, kind: EventType, clip: SpeechClip, duck: bool, lead_s: float | None = None, **detail: Any
    ) -> None:
        """Say ``clip``. With ``duck`` the music dips first and the voice starts ``duck_lead_s`` later: a level
        change on a playing song is heard that much later (libvlc decodes ahead), while a clip starting
        fresh is heard at once."""
        assert self.voice is not None
        now = self.clock.monotonic()
        lead = (self.voice.settings.duck_lead_s if lead_s is None else lead_s) if duck else 0.0
        speaking = _Speaking(kind, clip, detail, now + lead, duck)
        self._speaking = speaking
        if duck:
            self._set_duck(True)
        if lead <= 0:
            self._start_voice(speaking, now)

    def _start_voice(self, speaking: _Speaking, now: float) -> None:
        self._voice_level = self._level(1.0)
        speaking.token = self.player.start(VOICE_SLOT, speaking.clip.path, self._voice_level)
        speaking.ends_at = now + speaking.clip.duration_s
        duration_s = round(speaking.clip.duration_s, 2)
        self._log(speaking.kind, Source.AUTO, duration_s=duration_s, **speaking.detail)

    def _voice_done(self) -> None:
        """The clip ended (or failed, or never ended): what comes next."""
        speaking, self._speaking = self._speaking, None
        if speaking is None:
            return
        if speaking.ducked:
            self._set_duck(False)
        if self._intro is not None:
            self._next_intro_clip()
        elif speaking.kind is EventType.IMAGERY and self._imagery is not None:
            run = self._imagery
            slot_end = run.after_speech.pop() if run.after_speech else 0.0
            run.due = max(self.clock.monotonic(), slot_end)

    def _hush(self) -> None:
        """Stop speaking now (a pause, a stop, a skipped song); an imagery line is said again later."""
        speaking, self._speaking = self._speaking, None
        if speaking is None:
            return
        self.player.stop(VOICE_SLOT)
        self._set_duck(False)
        run = self._imagery
        if speaking.kind is EventType.IMAGERY and run is not None:
            run.index = max(0, run.index - 1)
            run.after_speech.clear()
            run.due = self.clock.monotonic() + 2.0

    def _next_intro_clip(self) -> None:
        """Say the next ready line of the introduction; wait while one may still come; else start the song."""
        intro = self._intro
        assert intro is not None and self.voice is not None
        while intro.pending:
            kind, words, detail = intro.pending[0]
            clip = self.voice.speech.ready(words)
            if clip is None and self.clock.monotonic() < intro.wait_until:
                return  # the pump asks again
            intro.pending.pop(0)
            if clip is None or (
                kind is EventType.INTRO and clip.duration_s > self.voice.settings.intro_max_s
            ):
                continue  # not rendered in time, or too long: not said
            intro.introduced = intro.introduced or kind is EventType.INTRO
            self._speak(kind, clip, duck=False, **detail)
            return
        self._finish_intro()

    def _finish_intro(self) -> None:
        intro, self._intro = self._intro, None
        if intro is None:
            return
        self._introduced = intro.introduced
        self._start_song(intro.song, intro.reason, intro.source, fade_out_ms=0)

    def _set_duck(self, on: bool) -> None:
        assert self.voice is not None
        self._duck = 10 ** (self.voice.settings.duck_db / 20.0) if on else 1.0
        play = self.play
        if play is None:
            return
        target = self._song_level()
        if self._fader.active(play.slot):
            self._fader.retarget(play.slot, target)
        elif self.status is Status.PLAYING:
            start = self._levels.get(play.slot, 0.0)
            ramp = DUCK_DOWN_MS if on else DUCK_UP_MS
            self._fader.fade(play.slot, start, target, ramp, self.clock.monotonic(), then=None)

    # --- one ahead --------------------------------------------------------------------------------------------

    def _pick_ahead(self) -> None:
        assert self.voice is not None
        settings = self.voice.settings
        session = self.session
        index = len(session.plays) + 1 if session is not None else 0
        coach = self.mode is not None and self.mode.spec.voice_lyric_coach and settings.lyric_coach
        if not (self._intro_wanted(index) or coach):
            return
        source = self._song_source()
        choice = source.next_song(self._exclude())
        if choice is None:
            return
        self._ahead = (choice, source)
        if self._intro_wanted(index):
            words = self._intro_words(choice[0])
            if words:
                self.voice.speech.prepare(words)
        if coach:
            for line in self._lyrics_of(choice[0]):
                self.voice.speech.prepare(line.text)

    def _prepare_idle(self) -> None:
        """While nothing plays: render today's orientation and the first song's introduction ahead."""
        if not self._voice_on():
            return
        assert self.voice is not None
        words = self._orientation_words()
        key = (self.resident_ids, self.mode, self._source, words)
        if key == self._idle_key and self._ahead is not None:
            return
        self._idle_key = key
        if words:
            self.voice.speech.prepare(words)
        if self._ahead is None or self._ahead[1] is not self._source:
            self._pick_ahead()

    def _lyrics_of(self, song: Song) -> tuple[LyricLine, ...]:
        assert self.voice is not None
        if song.song_id not in self._lyrics_cache:
            if len(self._lyrics_cache) >= 4:
                self._lyrics_cache.clear()
            try:
                lines = tuple(line for line in self.voice.lyrics(song) if line.text.strip())
            except Exception:  # a damaged lyrics file: no cues, the music plays
                lines = ()
            self._lyrics_cache[song.song_id] = lines
        return self._lyrics_cache[song.song_id]

    # --- lyric cues and imagery ---------------------------------------------------------------------------

    def _cue_tick(self, now: float) -> None:
        assert self.voice is not None and self.play is not None
        settings = self.voice.settings
        lines = self._cue_lines
        position_ms = self.play.position_s(now) * 1000.0
        i = self._cue_next
        while i < len(lines):
            line = lines[i]
            previous_ms = lines[i - 1].at_ms if i > 0 else 0
            clip = self.voice.speech.ready(line.text)
            if clip is None:
                if position_ms >= line.at_ms - settings.cue_lead_s * 1000:
                    i += 1  # not rendered in time: this line goes unspoken
                    continue
                break
            timing = cue_timing(
                line.at_ms,
                previous_ms,
                clip.duration_s,
                lead_s=settings.cue_lead_s,
                margin_s=settings.cue_margin_s,
            )
            if timing is None or position_ms > timing.start_ms + CUE_LATE_MS:
                i += 1  # no room before the line, or too late for it
                continue
            if position_ms >= timing.start_ms - settings.duck_lead_s * 1000:  # the dip first, then the voice
                lead_s = max(0.0, (timing.start_ms - position_ms) / 1000.0)
                self._speak(EventType.CUE, clip, duck=True, lead_s=lead_s, line=i, line_ms=line.at_ms)
                i += 1
            break
        self._cue_next = i

    def _start_imagery(self) -> None:
        assert self.voice is not None
        settings = self.voice.settings
        try:
            scripts = list(self.voice.scripts())
        except Exception:
            scripts = []
        if settings.imagery_script:
            scripts = [s for s in scripts if s.name == settings.imagery_script]
        if not scripts:
            return
        script = scripts[self._imagery_turn % len(scripts)]
        self._imagery_turn += 1
        for text in script.texts():
            self.voice.speech.prepare(text)
        self._imagery = _Imagery(script, due=self.clock.monotonic() + settings.imagery_delay_s)

    def _imagery_tick(self, now: float) -> None:
        assert self.voice is not None
        run = self._imagery
        assert run is not None
        if now < run.due:
            return
        if run.index >= len(run.script.parts):
            self._imagery = None  # the script is over; the music goes on
            return
        part = run.script.parts[run.index]
        if isinstance(part, Pause):
            run.index += 1
            run.due = now + part.seconds
            return
        assert isinstance(part, Say)
        clip = self.voice.speech.ready(part.text)
        if clip is None:
            run.waiting_since = run.waiting_since if run.waiting_since is not None else now
            if now - run.waiting_since > IMAGERY_WAIT_S:
                run.index += 1  # not rendered: left out
                run.waiting_since = None
            return
        run.waiting_since = None
        index = run.index
        run.index += 1
        run.due = math.inf  # until the line ends
        run.after_speech = [now + part.slot_s] if part.slot_s > 0 else []
        self._speak(EventType.IMAGERY, clip, duck=True, script=run.script.name, part=index)
