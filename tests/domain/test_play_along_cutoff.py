"""Play along's figures survive a power cut: presses reach the resume point within seconds, a resumed session
journals them all at its end, and a session closed as ``shutdown`` at the next start journals them too."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Mode
from kiosk.domain.playback import PolicyNow
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from tests.domain.test_play_along import GRID_SONGS, Drums, Grids
from tests.domain.test_session_resume import MemoryStore
from tests.fakes import FakeClock, FakeJournal


class Books:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, doc: dict[str, Any]) -> None:
        self.docs.append(doc)


def engine(store: MemoryStore, clock: FakeClock, journal: FakeJournal, books: Books, quiet: bool = False):
    from tests.fakes import FakePlayer

    return SessionEngine(
        player=FakePlayer(),
        clock=clock,
        journal=journal,
        songs=ShuffleSource(GRID_SONGS, seed=1),
        settings=EngineSettings(fade_ms=0, resume_window_s=600),
        policy=lambda _at: PolicyNow(True, 30, False) if quiet else PolicyNow(),
        rollups=books,
        resume_store=store,
        percussion=Drums(),
        beat_grids=Grids(),
    )


def drummed(presses: int) -> tuple[MemoryStore, FakeClock, FakeJournal, Books]:
    """A drumming circle: ``presses`` presses a second apart, the pump running; then the power goes."""
    store, clock, journal, books = MemoryStore(), FakeClock(), FakeJournal(), Books()
    first = engine(store, clock, journal, books)
    first.post(Intent.CHOOSE_MODE, Source.TOUCH, Mode.PLAY_ALONG)
    first.post(Intent.MORE_MUSIC, Source.TOUCH)
    first.pump()
    assert first.view().status is Status.PLAYING
    for _ in range(presses):
        clock.advance(1.0)
        first.post(Intent.PLAY_INSTRUMENT, Source.BUTTON, "drum")
        first.pump()
    clock.advance(5.0)  # within press_save_s of the last press, long before the 30 s autosave
    first.pump()
    return store, clock, journal, books


def test_presses_reach_the_resume_point_within_seconds_not_at_the_autosave() -> None:
    store, _clock, _journal, _books = drummed(3)
    assert store.state is not None
    assert store.state["presses"][0] == 3 and store.state["song_play_along"] is True


def test_a_session_closed_as_shutdown_at_the_next_start_journals_its_presses() -> None:
    store, clock, journal, books = drummed(4)
    clock.advance(60)
    second = engine(store, clock, journal, books, quiet=True)  # quiet hours: no resume, the books close
    assert second.start_up() is False
    (event,) = journal.of_type("play_along")
    assert event["detail"]["presses"] == 4 and event["detail"]["by_instrument"] == {"drum": 4}
    assert event["detail"]["music_min"] > 0  # the cut-off song's minutes count (it was a Play along song)
    types = [e["type"] for e in journal.events]
    assert types.index("play_along") < types.index("session_end")
    assert journal.of_type("session_end")[0]["detail"]["reason"] == "shutdown"
    assert books.docs[0]["play_along"] == event["detail"]


def test_a_resumed_session_journals_the_presses_before_and_after_the_cut_once() -> None:
    store, clock, journal, books = drummed(3)
    clock.advance(60)
    second = engine(store, clock, journal, books)
    assert second.start_up() is True
    assert second.view().presses == 3
    clock.advance(1.0)
    second.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "bell")
    clock.advance(10.0)
    second.post(Intent.STOP, Source.TOUCH)
    (event,) = journal.of_type("play_along")
    assert event["detail"]["presses"] == 4
    assert event["detail"]["by_instrument"] == {"bell": 1, "drum": 3}
    assert event["detail"]["music_min"] == pytest.approx((3 + 5 + 1 + 10) / 60, abs=0.02)


def test_a_clean_stop_saves_the_last_presses_at_once() -> None:
    store, clock, journal, books = MemoryStore(), FakeClock(), FakeJournal(), Books()
    first = engine(store, clock, journal, books)
    first.post(Intent.CHOOSE_MODE, Source.TOUCH, Mode.PLAY_ALONG)
    first.post(Intent.MORE_MUSIC, Source.TOUCH)
    first.pump()
    clock.advance(1.0)
    first.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, "shaker")
    assert store.state is not None and store.state["presses"][0] == 0  # not yet: a tap never writes a file
    first.save_resume_now()  # what `kiosk run` does on SIGTERM
    assert store.state["presses"][0] == 1
