"""Resume decisions and books in the domain (fake store, fake clock); the SIGKILL test is in tests/adapters."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.playback import PolicyNow
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from tests.domain.test_session import SONGS, Rollups
from tests.fakes import FakeClock, FakeJournal, FakePlayer


class MemoryStore:
    def __init__(self) -> None:
        self.state: dict[str, Any] | None = None
        self.saves = 0

    def save(self, state: Any) -> None:
        self.state = dict(state)
        self.saves += 1

    def load(self) -> dict[str, Any] | None:
        return None if self.state is None else dict(self.state)

    def clear(self) -> None:
        self.state = None


def engine(store: MemoryStore, clock: FakeClock, journal: FakeJournal, quiet: bool = False) -> SessionEngine:
    return SessionEngine(
        player=FakePlayer(),
        clock=clock,
        journal=journal,
        songs=ShuffleSource(SONGS, 1),
        settings=EngineSettings(resume_window_s=600),
        policy=lambda _at: PolicyNow(True, 30, False) if quiet else PolicyNow(),
        rollups=Rollups(),
        resume_store=store,
    )


def crashed_midway(paused: bool = False) -> tuple[MemoryStore, FakeClock, FakeJournal, str]:
    store, clock, journal = MemoryStore(), FakeClock(), FakeJournal()
    first = engine(store, clock, journal)
    first.post(Intent.PLAY_PAUSE, Source.TOUCH)
    for _ in range(40):  # 40 s in, saved every 5 s
        clock.advance(1.0)
        first.pump()
    clock.advance(0.5)
    first.post(Intent.LIKE, Source.TOUCH)
    if paused:
        first.post(Intent.PLAY_PAUSE, Source.BUTTON)
    first.pump()
    assert first.play is not None
    return store, clock, journal, first.play.song.song_id  # ...and the process dies here


def test_resumes_song_position_like_and_pause_with_balanced_books() -> None:
    store, clock, journal, song_id = crashed_midway(paused=True)
    clock.advance(120)
    second = engine(store, clock, journal)
    assert second.start_up() is True
    view = second.view()
    assert view.status is Status.PAUSED and view.song is not None and view.song.song_id == song_id
    assert view.song.liked and 38_000 <= view.position_ms <= 40_500
    second.post(Intent.PLAY_PAUSE, Source.TOUCH)
    clock.advance(10)
    second.post(Intent.STOP, Source.TOUCH)
    counts = Counter(e["type"] for e in journal.events)
    assert counts["song_start"] == counts["song_end"] == 1
    end = journal.of_type("song_end")[0]
    assert end["detail"]["listened_s"] == pytest.approx(50.5, abs=0.6)  # 40.5 before the crash + 10 after
    assert [e["detail"]["resumed"] for e in journal.of_type("session_start")] == [False, True]


@pytest.mark.parametrize("why", ["untrusted", "quiet", "too_late", "clock_behind"])
def test_no_resume_and_the_cut_off_session_is_closed(why: str) -> None:
    store, clock, journal, song_id = crashed_midway()
    clock.advance(601 if why == "too_late" else 60)
    if why == "untrusted":
        clock._trusted = False
    if why == "clock_behind":
        clock.advance(-3600)
    second = engine(store, clock, journal, quiet=why == "quiet")
    assert second.start_up() is False
    assert second.view().status is Status.IDLE and store.state is None
    end = journal.of_type("song_end")[-1]
    assert end["song_id"] == song_id and end["detail"]["outcome"] == "stopped"
    assert journal.of_type("session_end")[-1]["detail"]["reason"] == "shutdown"
    (rollup,) = second.rollups.docs  # type: ignore[attr-defined]
    assert rollup["end_reason"] == "shutdown" and rollup["likes"] == 1


def test_a_cut_before_the_first_resume_save_is_closed_from_the_journal() -> None:
    """Killed after session_start (and song_start) were journaled, before the pump saved a resume point: the
    next start closes that session as shutdown, with its song, and one rollup (crash loop, issue 14)."""
    store, clock, journal = MemoryStore(), FakeClock(), FakeJournal()
    first = engine(store, clock, journal)
    first.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("R-1",))
    first.post(Intent.LIKE, Source.TOUCH)
    assert store.state is None  # ...and the process dies here, before any pump
    (start,) = journal.of_type("session_start")
    song_id = journal.of_type("song_start")[0]["song_id"]
    clock.advance(30)
    second = engine(store, clock, journal)
    assert second.start_up() is False and second.view().status is Status.IDLE
    (end,) = journal.of_type("session_end")
    assert end["session_id"] == start["session_id"] and end["detail"]["reason"] == "shutdown"
    (song_end,) = journal.of_type("song_end")
    assert song_end["song_id"] == song_id and song_end["detail"]["outcome"] == "stopped"
    (rollup,) = second.rollups.docs  # type: ignore[attr-defined]
    assert rollup["session_id"] == start["session_id"] and rollup["end_reason"] == "shutdown"
    assert rollup["resident_ids"] == ["R-1"] and rollup["songs_started"] == 1 and rollup["likes"] == 1
    third = engine(store, clock, journal)  # a further start closes nothing twice
    assert third.start_up() is False and len(journal.of_type("session_end")) == 1


def test_the_session_the_resume_point_names_continues_and_is_not_also_closed() -> None:
    store, clock, journal, _song_id = crashed_midway()
    clock.advance(60)
    second = engine(store, clock, journal)
    assert second.start_up() is True
    assert journal.of_type("session_end") == [] and second.rollups.docs == []  # type: ignore[attr-defined]


def test_saves_happen_in_the_pump_not_in_the_tap() -> None:
    store, clock, journal = MemoryStore(), FakeClock(), FakeJournal()
    e = engine(store, clock, journal)
    e.post(Intent.PLAY_PAUSE, Source.TOUCH)
    assert store.saves == 0
    e.pump()
    assert store.saves == 1 and store.state is not None and store.state["song"]["song_id"]
    e.post(Intent.STOP, Source.TOUCH)
    e.pump()
    assert store.state is None  # a finished session leaves nothing to resume
