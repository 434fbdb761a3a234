"""The gentle voice in the session engine, in isolation (fake player, speech, clock): what is said, when, and
what is never said. The real sound: tests/adapters/test_voice_timeline.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.events import EventType
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.lyrics import LyricLine
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.playback import VOICE_SLOT, PolicyNow
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.domain.session_voice import VoiceParts
from kiosk.domain.voice import IntroEvery, VoiceSettings
from kiosk.domain.voice_scripts import parse_script
from tests.fakes import FakeClock, FakeJournal, FakePlayer, FakeSpeech

SONGS = [
    Song(
        f"song-{i}",
        f"/music/{i}.mp3",
        f"Song {i}",
        artist=f"Singer {i}",
        year=1940 + 3 * i,
        era_source="tag:TDOR",
        duration_s=0.0,  # unknown: a song the test ends after a second is not "ended early"
        lyrics_path=f"/music/{i}.lrc",
    )
    for i in range(8)
]
EDIE = Resident("r-edie", "E-1", "Edith", 1930, preferred_name="Edie", voice=True)
LINES = (
    LyricLine(5000, "We'll meet again"),
    LyricLine(6000, "Don't know where"),
    LyricLine(12000, "Don't know when"),
)


@dataclass
class Kit:
    engine: SessionEngine
    player: FakePlayer
    clock: FakeClock
    journal: FakeJournal
    speech: FakeSpeech

    def tap(self, intent: Intent = Intent.MORE_MUSIC, arg: object = None) -> None:
        self.clock.advance(0.5)
        self.engine.post(intent, Source.TOUCH, arg)
        self.engine.pump()

    def run(self, seconds: float, step_s: float = 0.05) -> None:
        for _ in range(round(seconds / step_s)):
            self.clock.advance(step_s)
            self.engine.pump()

    def end_voice(self) -> None:
        """The voice's clip is heard to its end (the player reports it; its length has passed)."""
        speaking = self.engine._speaking
        if speaking is not None and speaking.token and speaking.ends_at > self.clock.monotonic():
            self.clock.advance(speaking.ends_at - self.clock.monotonic())
        self.player.finish(VOICE_SLOT)
        self.engine.pump()

    def events(self, kind: EventType) -> list[dict[str, Any]]:
        return self.journal.of_type(kind.value)

    def voice_starts(self) -> list[tuple[int, str, float, int]]:
        return [s for s in self.player.starts if s[0] == VOICE_SLOT]


def make(
    *,
    residents: dict[str, Resident] | None = None,
    speech: FakeSpeech | None = None,
    basis: ClockBasis = ClockBasis.SYNCHRONISED,
    policy: PolicyNow | None = None,
    scripts: list[Any] | None = None,
    **settings: Any,
) -> Kit:
    clock = FakeClock(basis=basis.value, trusted=basis.trusted)
    journal, player, speech = FakeJournal(), FakePlayer(slots=3), speech or FakeSpeech()
    values: dict[str, Any] = {"enabled": True, "intros": IntroEvery.EVERY, "home_mix": True}
    values.update(settings)
    parts = VoiceParts(
        speech=speech,
        settings=VoiceSettings(**values),
        clock_basis=lambda: ClockBasis(clock.basis()),
        lyrics=lambda song: LINES,
        scripts=lambda: scripts or [],
    )
    people = residents or {}
    engine = SessionEngine(
        player=player,
        clock=clock,
        journal=journal,
        songs=ShuffleSource(SONGS, seed=3),
        settings=EngineSettings(),
        policy=lambda _at: policy or PolicyNow(),
        residents=people.get,
        voice=parts,
    )
    return Kit(engine, player, clock, journal, speech)


def test_the_voice_introduces_the_song_then_the_song_plays() -> None:
    kit = make()
    kit.run(0.2)  # idle: the first song is picked ahead and its introduction rendered
    kit.tap()
    assert kit.player.sounding() == [VOICE_SLOT]  # the voice first, no music under it
    intro = kit.events(EventType.INTRO)
    assert len(intro) == 1 and intro[0]["detail"]["age"] is False
    assert kit.engine.view().song is not None  # the screen already shows the song being introduced
    said = kit.voice_starts()[-1]
    assert said[2] == kit.engine._level(1.0) > 0  # speech at the music's own level
    kit.end_voice()
    assert kit.player.sounding() == [0]
    start = kit.events(EventType.SONG_START)[-1]
    assert start["detail"]["intro"] is True
    assert kit.engine.view().song is not None and kit.engine.view().song.song_id == start["song_id"]
    text = next(t for t in kit.speech.prepared if t.startswith("Here is"))
    assert text.startswith(f"Here is {start['detail']['artist']}, from nineteen")


def test_speech_not_ready_means_the_music_simply_plays() -> None:
    kit = make(speech=FakeSpeech(instant=False))
    kit.tap()  # a session's start: the song (on screen already) waits at most 1.5 s for its introduction
    assert kit.player.sounding() == [] and kit.engine.view().song is not None
    kit.run(1.6)
    assert kit.player.sounding() == [0] and not kit.voice_starts()
    assert "intro" not in kit.events(EventType.SONG_START)[-1]["detail"]
    kit.run(1.0)
    kit.player.finish(0)
    kit.engine.pump()  # between songs: not rendered ahead -> the next song at once, no gap
    assert kit.player.sounding() == [1] and not kit.voice_starts()


def test_no_natural_voice_means_no_speech_at_all() -> None:
    speech = FakeSpeech(unavailable="no natural voice is installed")
    kit = make(speech=speech, orientation=True, lyric_coach=True)
    kit.engine.mode = Mode.SING
    kit.tap()
    for _ in range(3):
        kit.run(1.6)
        kit.player.finish(kit.engine.play.slot if kit.engine.play else 0)
        kit.engine.pump()
    assert not kit.voice_starts() and not speech.prepared and not speech.asked
    assert not any(e["type"] in ("intro", "orientation", "cue", "imagery") for e in kit.journal.events)


def test_a_resident_without_voice_hears_none_even_with_the_kiosk_on() -> None:
    quiet = Resident("r-q", "Q-1", "Quinn", 1935, voice=False)
    kit = make(residents={"r-q": quiet, "r-edie": EDIE})
    kit.tap(Intent.CHOOSE_RESIDENTS, ["r-q", "r-edie"])  # one of them said no: nobody hears the voice
    assert kit.player.sounding() == [0] and not kit.voice_starts()
    kit2 = make(residents={"r-edie": EDIE}, home_mix=False)
    kit2.tap()  # the home's mix, home_mix off
    assert not kit2.voice_starts()
    kit2.tap(Intent.CHOOSE_RESIDENTS, ["r-edie"])
    assert kit2.voice_starts()


def test_every_third_and_start_only() -> None:
    def introduced(every: IntroEvery) -> list[bool]:
        kit = make(intros=every)
        kit.run(0.2)
        kit.tap()
        out = []
        for _ in range(6):
            if kit.engine._intro is not None:
                kit.end_voice()
            out.append(bool(kit.events(EventType.SONG_START)[-1]["detail"].get("intro")))
            kit.run(1.0)
            kit.player.finish(kit.engine.play.slot)
            kit.engine.pump()
        return out

    assert introduced(IntroEvery.EVERY) == [True] * 6
    assert introduced(IntroEvery.THIRD) == [True, False, False, True, False, False]
    assert introduced(IntroEvery.START) == [True, False, False, False, False, False]
    assert introduced(IntroEvery.OFF) == [False] * 6


def test_a_press_during_the_introduction_starts_the_song_and_then_acts() -> None:
    kit = make()
    kit.run(0.2)
    kit.tap()
    assert kit.engine._intro is not None
    kit.tap(Intent.PLAY_PAUSE)  # pause: the song it introduced is what pauses
    assert kit.engine.status is Status.PAUSED and kit.player.state[VOICE_SLOT] == "stopped"
    assert kit.events(EventType.SONG_START) and kit.events(EventType.PAUSE)
    kit2 = make()
    kit2.tap()
    kit2.tap(Intent.DISTRESS)
    assert kit2.player.state[VOICE_SLOT] == "stopped" and kit2.engine.status is Status.CALM


def test_the_next_song_is_picked_ahead_and_rechecked_before_it_plays() -> None:
    kit = make()
    kit.tap()
    kit.end_voice()
    ahead = kit.engine._ahead
    assert ahead is not None
    ahead_song = ahead[0][0]
    assert any(t.startswith(f"Here is {ahead_song.artist}") for t in kit.speech.prepared)  # rendered ahead
    kit.player.finish(kit.engine.play.slot)
    kit.engine.pump()
    assert kit.engine._intro is not None and kit.engine._intro.song == ahead_song
    kit.end_voice()
    # staff changed something that affects the choice (an avoid list, a review decided): the engine drops
    # its song source, and the song picked ahead with the old one is not played
    assert kit.engine._ahead is not None
    kit.engine._source = None
    assert kit.engine._take_ahead() is None
    # a song put under review meanwhile is never the one played
    kit3 = make()
    kit3.tap()
    kit3.end_voice()
    held = kit3.engine._ahead[0][0]
    kit3.engine._pending.append({"song_id": held.song_id, "resident_id": None})
    kit3.player.finish(kit3.engine.play.slot)
    kit3.engine.pump()
    now = kit3.engine._intro.song if kit3.engine._intro else kit3.engine.play.song
    assert now.song_id != held.song_id


def test_orientation_only_on_a_clock_known_to_be_right() -> None:
    for basis, spoken in [
        (ClockBasis.SYNCHRONISED, True),
        (ClockBasis.RTC, True),
        (ClockBasis.STAFF_SET, True),
        (ClockBasis.PLAUSIBLE, False),  # the off-Pi fallback: never say a date on it
        (ClockBasis.UNTRUSTED, False),
    ]:
        kit = make(basis=basis, orientation=True)
        kit.run(0.2)
        kit.tap()
        said = kit.events(EventType.ORIENTATION)
        assert bool(said) is spoken, basis
        texts = [t for t in kit.speech.texts() if t.startswith("Good ")]
        assert bool(texts) is spoken, basis
        if spoken:
            assert (
                texts[0] == "Good morning. It's Monday, the first of June."
            )  # FakeClock: 2026-06-01 10:00 UTC
            kit.end_voice()
            assert len(kit.voice_starts()) == 2 and kit.events(EventType.INTRO)  # then the introduction


def test_lyric_cues_come_before_their_lines_with_the_music_ducked() -> None:
    kit = make(intros=IntroEvery.OFF, lyric_coach=True)
    kit.engine.mode = Mode.SING
    kit.tap()
    song_started = kit.clock.monotonic()
    level = kit.player.levels[0]
    kit.run(2.0)  # after the fade-in
    full = kit.player.levels[0]
    assert full > 0 and full >= level
    cues: list[tuple[float, int]] = []
    ducked: list[float] = []
    for _ in range(int(14 / 0.05)):
        kit.clock.advance(0.05)
        kit.engine.pump()
        if kit.player.state[VOICE_SLOT] == "playing" and (
            not cues or cues[-1][1] != kit.player.tokens[VOICE_SLOT]
        ):
            cues.append((kit.clock.monotonic() - song_started, kit.player.tokens[VOICE_SLOT]))
        if kit.engine._speaking is not None:
            ducked.append(kit.player.levels[0])
            speaking = kit.engine._speaking
            if speaking.token and kit.clock.monotonic() >= speaking.ends_at:  # heard to its end
                kit.player.finish(VOICE_SLOT)
    events = kit.events(EventType.CUE)
    # line 0 at 5 s: 3 words = 1.2 s -> starts 1.5 s before; line 1 at 6 s: only 1 s after line 0: no room;
    # line 2 at 12 s: starts 1.5 s before
    assert [e["detail"]["line"] for e in events] == [0, 2]
    assert abs(cues[0][0] - 3.5) < 0.11 and abs(cues[1][0] - 10.5) < 0.11
    assert min(ducked) == pytest_approx(full * 10 ** (-8 / 20))
    assert kit.player.levels[0] == pytest_approx(full)  # restored after


def pytest_approx(value: float) -> Any:
    import pytest

    return pytest.approx(value, rel=0.02)


def test_imagery_speaks_the_script_with_its_pauses_over_ducked_music() -> None:
    script, problems = parse_script("sea", "# The sea\nHello there.\n[pause 3]\nListen to the waves.\n")
    assert not problems
    kit = make(intros=IntroEvery.EVERY, imagery=True, imagery_delay_s=2.0, scripts=[script])
    kit.engine.mode = Mode.RELAX
    kit.tap()
    assert not kit.voice_starts()  # in Relax with imagery: no introductions, one voice at a time
    started: list[float] = []
    for _ in range(int(14 / 0.05)):
        kit.clock.advance(0.05)
        kit.engine.pump()
        speaking = kit.engine._speaking
        if speaking is not None:
            assert kit.engine._duck < 1.0 or speaking.decoded  # the music dips while a line is said
        if len(kit.voice_starts()) > len(started):
            started.append(kit.clock.monotonic())
        if speaking is not None and speaking.token and kit.clock.monotonic() >= speaking.ends_at:
            kit.player.finish(VOICE_SLOT)
    parts = [e["detail"]["part"] for e in kit.events(EventType.IMAGERY)]
    assert parts == [0, 2]
    # "Hello there." 0.8 s, 3 s of quiet, then the music's dip (1.2 s) before the voice: 5.0 s between starts
    assert 4.9 <= started[1] - started[0] <= 5.3
    assert kit.engine._duck == 1.0


def test_speech_follows_the_volume_ceiling() -> None:
    kit = make(policy=PolicyNow(quiet_hours=True, volume_cap_pct=20))
    kit.run(0.2)
    kit.tap()
    assert kit.voice_starts()[-1][2] <= 0.20 + 1e-9
    assert kit.player.max_level_heard <= 0.20 + 1e-9


def test_the_song_waits_until_the_introduction_is_heard_to_its_end() -> None:
    """libvlc reports a clip's end when it has decoded it, about a second before its last words are heard:
    the song starts when the clip's own length has passed, not at that report."""
    kit = make()
    kit.run(0.2)
    kit.tap()
    speaking = kit.engine._speaking
    assert speaking is not None and speaking.token
    kit.player.finish(VOICE_SLOT)  # decoded already
    kit.engine.pump()
    assert kit.player.sounding() == [] and kit.engine.play is None
    kit.clock.advance(speaking.ends_at - kit.clock.monotonic() - 0.1)
    kit.engine.pump()
    assert kit.engine.play is None
    kit.clock.advance(0.1)
    kit.engine.pump()
    assert kit.player.sounding() == [0]
