"""What the gentle voice says: words for numbers and dates, introductions, orientation, cue timing, scripts;
and the rule that the lounge never hears a name or an age (a property over residents, songs and modes)."""

from __future__ import annotations

import re
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.intents import Intent, Source
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.playback import VOICE_SLOT
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_sources import ShuffleSource
from kiosk.domain.session_voice import VoiceParts
from kiosk.domain.voice import (
    IntroEvery,
    VoiceSettings,
    cue_timing,
    decade_words,
    intro_text,
    number_words,
    ordinal_words,
    orientation_text,
    year_words,
)
from kiosk.domain.voice_scripts import Pause, Say, parse_script
from tests.fakes import FakeClock, FakeJournal, FakePlayer, FakeSpeech


def test_numbers_years_and_dates_in_words() -> None:
    assert [number_words(n) for n in (0, 7, 17, 20, 42, 99)] == [
        "zero",
        "seven",
        "seventeen",
        "twenty",
        "forty-two",
        "ninety-nine",
    ]
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 20, 22, 30, 31)] == [
        "first",
        "second",
        "third",
        "twelfth",
        "twentieth",
        "twenty-second",
        "thirtieth",
        "thirty-first",
    ]
    assert year_words(1942) == "nineteen forty-two"
    assert year_words(1905) == "nineteen oh five"
    assert year_words(1900) == "nineteen hundred"
    assert decade_words(1942) == "the nineteen-forties"
    assert decade_words(1962) == "the nineteen-sixties"
    assert (
        orientation_text(datetime(2026, 12, 1, 15, 0))
        == "Good afternoon. It's Tuesday, the first of December."
    )
    assert orientation_text(datetime(2026, 12, 1, 8, 0)).startswith("Good morning.")
    assert orientation_text(datetime(2026, 12, 1, 19, 0)).startswith("Good evening.")


def test_introductions() -> None:
    vera = Song("v", "/m/v.mp3", "We'll Meet Again", artist="Vera Lynn", year=1942, era_source="tag:TDOR")
    assert intro_text(vera) == "Here is Vera Lynn, from nineteen forty-two."
    edie = Resident("r", "E-1", "Edith", 1925, preferred_name="Edie")
    assert intro_text(vera, listener=edie, with_age=True) == (
        "Here is Vera Lynn, from nineteen forty-two, when you were seventeen."
    )
    guessed = Song("g", "/m/g.mp3", "Song", artist="Vera Lynn", year=1940, era_source="folder")
    assert (
        intro_text(guessed, listener=edie, with_age=True) == "Here is Vera Lynn, from the nineteen-forties."
    )
    assert intro_text(Song("t", "/m/t.mp3", "Moonlight Serenade")) == "Here is Moonlight Serenade."
    assert intro_text(Song("n", "/m/n.mp3", "")) == ""
    baby = Resident("b", "B-1", "Bea", 1950)
    assert "when you were" not in intro_text(vera, listener=baby, with_age=True)  # before she was born
    long = Song("l", "/m/l.mp3", "x", artist=" ".join(["Orchestra"] * 30), year=1950, era_source="tag:TDRC")
    assert len(intro_text(long).split()) <= 17


def test_cue_timing() -> None:
    assert cue_timing(10_000, 0, 1.0) == cue_timing(10_000, 5_000, 1.0)
    timing = cue_timing(10_000, 5_000, 1.0)
    assert timing is not None and timing.start_ms == 8_500  # 1.5 s ahead
    timing = cue_timing(10_000, 5_000, 2.0)
    assert timing is not None and timing.start_ms == 7_700  # a long cue: ends 0.3 s before the line
    assert cue_timing(10_000, 8_000, 2.0) is None  # the gap (2 s) is shorter than 2.0 + 0.3
    assert cue_timing(10_000, 8_700, 1.0) is None  # shorter than the 1.5 s lead


def test_scripts_parse_with_file_lines_for_problems() -> None:
    script, problems = parse_script(
        "sea",
        "# By the sea\n# a note\nHello.\n[pause 4]\n[breathe 2]\n[pause x]\n[sing 3]\n[pause 999]\n[oops\n",
    )
    assert script.title == "By the sea"
    assert script.parts[:2] == (Say("Hello."), Pause(4.0))
    assert [p for p in script.parts[2:]] == [Say("Breathe in, slowly.", 5.0), Say("And out.", 5.0)] * 2
    assert [line for line, _ in problems] == [6, 7, 8, 9]
    assert script.texts() == ["Hello.", "Breathe in, slowly.", "And out."]
    _, empty = parse_script("x", "# nothing\n[pause 3]\n")
    assert empty and "nothing to say" in empty[-1][1]


NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
RESIDENT = st.builds(
    lambda i, first, preferred, born: Resident(
        f"r-{i}",
        f"S-{i}",
        "Zq" + first,
        born,
        preferred_name=("Xq" + preferred) if preferred else "",
        voice=True,
    ),
    st.integers(0, 10_000),
    NAMES,
    st.one_of(st.just(""), NAMES),
    st.integers(1915, 1960),
)
SONG = st.builds(
    lambda i, year, exact, artist: Song(
        f"s-{i}",
        f"/m/{i}.mp3",
        f"Title {i}",
        artist=artist,
        year=year,
        era_source="tag:TDOR" if exact else "folder",
    ),
    st.integers(0, 10**6),
    st.one_of(st.none(), st.integers(1920, 1990)),
    st.booleans(),
    st.sampled_from(["Vera Lynn", "Glenn Miller", "", "The Beatles"]),
)


def _age_phrases(person: Resident) -> list[str]:
    return [f"you were {number_words(a)}" for a in range(5, 100)]


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(RESIDENT, min_size=1, max_size=4, unique_by=lambda r: r.resident_id),
    songs=st.lists(SONG, min_size=3, max_size=8, unique_by=lambda s: s.song_id),
    mode=st.sampled_from([None, *Mode]),
    every=st.sampled_from(list(IntroEvery)),
)
def test_the_lounge_never_hears_a_name_or_an_age(
    people: list[Resident], songs: list[Song], mode: Mode | None, every: IntroEvery
) -> None:
    speech = FakeSpeech()
    clock = FakeClock(basis=ClockBasis.SYNCHRONISED.value)
    player = FakePlayer(slots=3)
    settings_ = VoiceSettings(
        enabled=True, intros=every, intro_age=True, orientation=True, personal=False, home_mix=True
    )
    by_id = {p.resident_id: p for p in people}
    engine = SessionEngine(
        player=player,
        clock=clock,
        journal=FakeJournal(),
        songs=ShuffleSource(songs, seed=1),
        residents=by_id.get,
        voice=VoiceParts(speech=speech, settings=settings_, clock_basis=lambda: ClockBasis.SYNCHRONISED),
    )
    engine.mode = mode
    for ids in ([p.resident_id for p in people[:1]], [p.resident_id for p in people]):
        clock.advance(1.0)
        engine.post(Intent.CHOOSE_RESIDENTS, Source.TOUCH, ids)
        for _ in range(len(songs) + 1):
            for _ in range(40):
                clock.advance(0.05)
                engine.pump()
            player.finish(VOICE_SLOT)
            engine.pump()
            if engine.play is not None:
                player.finish(engine.play.slot)
                engine.pump()
    said = " ".join(speech.texts())
    assert speech.texts(), "the voice was asked to say something"
    for person in people:
        for name in (person.first_name, person.preferred_name):
            if name:
                assert not re.search(re.escape(name), said, re.IGNORECASE)
    assert "you were" not in said
    assert not any(p in said for p in _age_phrases(people[0]))


def test_personal_mode_says_the_age_only_when_staff_switched_it_on() -> None:
    edie = Resident("r-e", "E-1", "Edith", 1925, voice=True)
    vera = Song("v", "/m/v.mp3", "We'll Meet Again", artist="Vera Lynn", year=1942, era_source="tag:TDOR")

    def said(personal: bool, intro_age: bool) -> str:
        speech = FakeSpeech()
        voice = VoiceSettings(enabled=True, intros=IntroEvery.EVERY, intro_age=intro_age, personal=personal)
        engine = SessionEngine(
            player=FakePlayer(slots=3),
            clock=FakeClock(),
            journal=FakeJournal(),
            songs=ShuffleSource([vera], seed=1),
            residents={"r-e": edie}.get,
            voice=VoiceParts(speech=speech, settings=voice),
        )
        engine.post(Intent.CHOOSE_RESIDENTS, Source.TOUCH, ["r-e"])
        return " ".join(speech.texts())

    assert "when you were seventeen" in said(personal=True, intro_age=True)
    assert "you were" not in said(personal=True, intro_age=False)
    assert "you were" not in said(personal=False, intro_age=True)
