"""Play along in the domain: no-fail timing, the pulse, the engine's instrument presses and their figures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from kiosk.domain.beats import BeatGrid, BeatSummary, grid_from_side, pulse, quantise, regular_grid
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Consent, Mode, Resident, Song
from kiosk.domain.play_along import instrument_for_button
from kiosk.domain.rollup import fold_events
from kiosk.domain.selection import select_playlist
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from tests.fakes import FakeClock, FakeJournal, FakePlayer

GRID = regular_grid(BeatSummary(120.0, 0.25), 60.0)  # beats at 0.25, 0.75, 1.25...


def test_a_press_up_to_150_ms_before_a_beat_sounds_on_the_beat() -> None:
    for early in (0.0, 0.01, 0.1, 0.149):
        t = quantise(GRID, 0.75 - early)
        assert t.delay_s == pytest.approx(early) and t.on_beat


def test_every_other_press_sounds_at_once() -> None:
    assert quantise(GRID, 0.75 - 0.16) == quantise(GRID, 0.59)
    t = quantise(GRID, 0.59)
    assert t.delay_s == 0.0 and not t.on_beat  # mid-way: at once, never "wrong", just not on the beat
    late = quantise(GRID, 0.80)
    assert late.delay_s == 0.0 and late.on_beat  # just after a beat: at once, and counted on the beat
    assert quantise(None, 3.0).delay_s == 0.0  # no grid: at once


def test_past_the_last_beat_the_grid_runs_on_at_its_tempo() -> None:
    grid = BeatGrid((1.0, 2.0, 3.0, 4.0), 60.0)
    t = quantise(grid, 6.9)
    assert t.delay_s == pytest.approx(0.1) and t.on_beat


def test_the_pulse_swells_on_the_beat_and_fades_smoothly() -> None:
    assert pulse(GRID, 0.75) == pytest.approx(1.0)
    values = [pulse(GRID, 0.75 + k * 0.05) for k in range(8)]
    assert values == sorted(values, reverse=True) and values[-1] == 0.0
    assert pulse(None, 1.0) == 0.0


def test_side_file_beats_are_used_when_sound_else_the_summary_grid() -> None:
    summary = BeatSummary(100.0, 0.5)
    good = grid_from_side({"beats": [0.5, 1.1, 1.7, 2.3, 2.9]}, summary, 10.0)
    assert good is not None and good.beats[:2] == (0.5, 1.1)
    for damaged in ({"beats": [1, "x", 3, 4]}, {"beats": [3.0, 2.0, 1.0, 0.5]}, "junk", None):
        grid = grid_from_side(damaged, summary, 10.0)
        assert grid is not None and grid.beats[:2] == (0.5, 1.1)  # the steady grid from the summary
    assert grid_from_side(None, None, 10.0) is None
    assert grid_from_side(None, BeatSummary(100.0, 0.5, confidence=0.1), 10.0) is None  # not usable


def test_stop_and_distress_buttons_keep_their_actions() -> None:
    assert instrument_for_button("stop") is None and instrument_for_button("distress") is None
    played = [instrument_for_button(a) for a in ("volume_down", "play_pause", "next", "like", "volume_up")]
    assert played == ["drum", "tambourine", "shaker", "woodblock", "bell"]


GRID_SONGS = [
    Song(f"g-{i}", f"/m/g{i}.mp3", f"Beat {i}", duration_s=120.0, beat_tempo_bpm=120.0, beat_first_s=0.25)
    for i in range(3)
]
PLAIN_SONGS = [Song(f"p-{i}", f"/m/p{i}.mp3", f"Plain {i}", duration_s=120.0) for i in range(6)]


def test_the_mode_plays_only_songs_with_a_grid() -> None:
    at = {"rng": random.Random(1), "now": datetime(2026, 6, 1, 10, tzinfo=UTC)}
    pl = select_playlist(GRID_SONGS + PLAIN_SONGS, [], mode=Mode.PLAY_ALONG, count=9, **at)
    assert {c.song.song_id for c in pl} == {s.song_id for s in GRID_SONGS}
    assert not list(select_playlist(PLAIN_SONGS, [], mode=Mode.PLAY_ALONG, count=3, **at))


@dataclass
class Drums:
    plays: list[tuple[str, float, float]] = field(default_factory=list)

    def play(self, instrument: str, delay_s: float, level: float) -> None:
        self.plays.append((instrument, delay_s, level))


class Grids:
    def grid_for(self, song: Song) -> BeatGrid | None:
        return regular_grid(BeatSummary(song.beat_tempo_bpm or 60, song.beat_first_s or 0), song.duration_s)


def make(
    people: dict[str, Resident] | None = None,
) -> tuple[SessionEngine, FakeClock, FakeJournal, Drums, list]:
    clock, journal, drums, rollups = FakeClock(), FakeJournal(), Drums(), []
    engine = SessionEngine(
        player=FakePlayer(),
        clock=clock,
        journal=journal,
        songs=ShuffleSource(GRID_SONGS, seed=1),
        settings=EngineSettings(fade_ms=0, max_volume_pct=70, start_volume_pct=50),
        residents=(people or {}).get,
        rollups=type("R", (), {"add": lambda _self, doc: rollups.append(doc)})(),
        percussion=drums,
        beat_grids=Grids(),
    )
    return engine, clock, journal, drums, rollups


def start(engine: SessionEngine, clock: FakeClock, residents: tuple[str, ...] = ()) -> None:
    engine.post(Intent.CHOOSE_MODE, Source.TOUCH, Mode.PLAY_ALONG)
    if residents:
        engine.post(Intent.CHOOSE_RESIDENTS, Source.TOUCH, residents)
    else:
        engine.post(Intent.MORE_MUSIC, Source.TOUCH)
    engine.pump()
    assert engine.view().status is Status.PLAYING


def test_presses_sound_on_the_beat_or_at_once_never_above_the_music() -> None:
    engine, clock, _journal, drums, _ = make()
    start(engine, clock)
    assert engine.play is not None
    clock.advance(0.75 - 0.1 - engine.play.position_s(clock.monotonic()))  # 100 ms before the beat at 0.75
    engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "drum")
    clock.advance(0.30)  # 0.95: mid-way between beats
    engine.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "bell")
    assert [(i, round(d, 3)) for i, d, _ in drums.plays] == [("drum", 0.1), ("bell", 0.0)]
    ceiling = min(engine.volume_pct, engine.cap_pct()) / 100
    assert all(0 < level <= ceiling for _, _, level in drums.plays)
    assert engine.view().presses == 2


def test_two_instruments_at_once_both_sound_but_a_bounce_is_one_press() -> None:
    engine, clock, _journal, drums, _ = make()
    start(engine, clock)
    engine.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "drum")
    engine.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "shaker")  # another resident, same instant
    clock.advance(0.05)
    engine.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "drum")  # contact bounce / tremor
    clock.advance(0.2)
    engine.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "drum")  # a real second stroke, 250 ms later
    assert [p[0] for p in drums.plays] == ["drum", "shaker", "drum"]


def test_no_sound_outside_play_along_or_while_paused() -> None:
    engine, clock, _journal, drums, _ = make()
    engine.post(Intent.MORE_MUSIC, Source.TOUCH)
    engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "drum")  # listen mode
    start(engine, clock)
    clock.advance(1)
    engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
    engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "drum")  # paused
    engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "banjo")  # not an instrument
    assert drums.plays == []


def test_the_session_journals_presses_per_minute_and_share_on_the_beat_for_its_one_resident() -> None:
    ada = Resident("r-ada", "A1", "Ada", 1938)
    engine, clock, journal, _drums, rollups = make({"r-ada": ada})
    start(engine, clock, ("r-ada",))
    assert engine.play is not None
    base = engine.play.position_s(clock.monotonic())
    for k in range(10):  # 10 presses over 60 s: 5 right on a beat, 5 mid-way
        target = 0.75 + 6 * k + (0.0 if k % 2 == 0 else 0.25)
        clock.advance(target - base - (engine.play.position_s(clock.monotonic()) - base))
        engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "drum")
    clock.advance(60.75 - engine.play.position_s(clock.monotonic()))  # one minute of music
    engine.post(Intent.STOP, Source.TOUCH)
    (event,) = journal.of_type("play_along")
    assert event["resident_id"] == "r-ada"
    detail = event["detail"]
    assert detail["presses"] == 10 and detail["on_beat"] == 5 and detail["on_beat_share"] == 0.5
    assert detail["presses_per_min"] == pytest.approx(10 / detail["music_min"], rel=0.01)
    assert 0.99 <= detail["music_min"] <= 1.02
    assert rollups[0]["play_along"] == detail
    folded = [doc for kind, doc in fold_events(journal_lines(journal)) if kind == "session"]
    assert folded[0]["play_along"] == detail  # kiosk report --rebuild agrees


def test_a_group_session_journals_presses_without_naming_anyone() -> None:
    people = {r: Resident(r, r, "N", 1940, consent=Consent.YES) for r in ("r-1", "r-2")}
    engine, clock, journal, _drums, _ = make(people)
    start(engine, clock, ("r-1", "r-2"))
    engine.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "bell")
    clock.advance(10)
    engine.post(Intent.STOP, Source.TOUCH)
    (event,) = journal.of_type("play_along")
    assert event["resident_id"] is None and event["detail"]["presses"] == 1


def journal_lines(journal: FakeJournal) -> list[dict[str, object]]:
    """The fake journal's events as the JSON Lines file holds them (what the rollup fold reads)."""
    return [
        {"type": e["type"], "session": e["session_id"], "resident": e["resident_id"], "song": e["song_id"],
         "source": e["source"], "detail": e["detail"], "kiosk": "kiosk-1", "at": f"2026-06-01T10:{i // 60:02d}:"
         f"{i % 60:02d}Z", "clock_ok": True}
        for i, e in enumerate(journal.events)
    ]  # fmt: skip
