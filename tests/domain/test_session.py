"""The session engine in isolation: fake player, fake clock, fake journal (the real player: tests/adapters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from kiosk.domain.events import ROLLUP_KEYS, EventType
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Consent, Mode, Resident, Song
from kiosk.domain.playback import PolicyNow
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from tests.fakes import FakeClock, FakeJournal, FakePlayer

SONGS = [
    Song(f"song-{i}", f"/music/{i}.mp3", f"Song {i}", artist="Band", year=1940 + 7 * i, duration_s=180.0)
    for i in range(12)
]


@dataclass
class Rollups:
    docs: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rollup: Any) -> None:
        self.docs.append(dict(rollup))


@dataclass
class Kit:
    engine: SessionEngine
    player: FakePlayer
    clock: FakeClock
    journal: FakeJournal
    rollups: Rollups
    suspects: list[tuple[str, str]]

    def tap(
        self, intent: Intent, source: Source = Source.TOUCH, arg: object = None, gap_s: float = 0.5
    ) -> None:
        self.clock.advance(gap_s)
        self.engine.post(intent, source, arg)
        self.engine.pump()

    def run(self, seconds: float, step_s: float = 0.05) -> None:
        t = 0.0
        while t < seconds:
            self.clock.advance(step_s)
            self.engine.pump()
            t += step_s

    def types(self) -> list[str]:
        return [e["type"] for e in self.journal.events]


def make(
    residents: dict[str, Resident] | None = None,
    policy: PolicyNow | None = None,
    songs: list[Song] | None = None,
    **settings: Any,
) -> Kit:
    clock, journal, player, rollups = FakeClock(), FakeJournal(), FakePlayer(), Rollups()
    suspects: list[tuple[str, str]] = []
    people = residents or {}
    engine = SessionEngine(
        player=player,
        clock=clock,
        journal=journal,
        songs=ShuffleSource(songs or SONGS, seed=3),
        settings=EngineSettings(**settings),
        policy=lambda _at: policy or PolicyNow(),
        residents=people.get,
        rollups=rollups,
        on_suspect=lambda sid, why: suspects.append((sid, why)),
    )
    return Kit(engine, player, clock, journal, rollups, suspects)


def resident(rid: str = "r-1", **kw: Any) -> Resident:
    return Resident(resident_id=rid, staff_id="S1", first_name="Ada", birth_year=1940, **kw)


def test_every_intent_has_exactly_one_handler() -> None:
    handlers = SessionEngine.HANDLERS
    assert set(handlers) == set(Intent)
    assert len(set(handlers.values())) == len(Intent)  # no handler serves two intents
    defined = {name for name in vars(SessionEngine) if name.startswith("_on_")}
    assert defined == {h.__name__ for h in handlers.values()}  # no handler left out of the table


def test_play_starts_a_session_and_a_song_within_the_cap() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    view = kit.engine.view()
    assert view.status is Status.PLAYING and view.song is not None
    assert kit.types()[:2] == ["session_start", "song_start"]
    start = kit.journal.of_type("song_start")[0]
    assert start["source"] == "touch" and start["song_id"] == view.song.song_id
    assert {"title", "artist", "year", "decade", "mode", "reason"} <= set(start["detail"])
    assert kit.player.starts[0][2] == 0.0  # starts silent, fades in
    kit.run(2.0)
    assert kit.player.levels[kit.engine.play.slot] == pytest.approx(0.40)  # type: ignore[union-attr]


def test_pause_resume_and_listening_time_excludes_pauses() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(10.0)
    kit.tap(Intent.PLAY_PAUSE)  # pause (0.5 s later)
    assert kit.engine.view().status is Status.PAUSED
    assert kit.player.sounding() == []
    kit.clock.advance(60)
    kit.engine.pump()
    kit.tap(Intent.PLAY_PAUSE)  # resume
    assert kit.engine.view().status is Status.PLAYING
    kit.run(5.0)
    kit.tap(Intent.NEXT)
    pause = kit.journal.of_type("pause")[0]
    resume = kit.journal.of_type("resume")[0]
    end = kit.journal.of_type("song_end")[0]
    assert pause["detail"]["at_s"] == pytest.approx(10.5, abs=0.1)
    assert resume["detail"]["paused_s"] == pytest.approx(60.5, abs=0.1)
    assert end["detail"]["outcome"] == "skipped"
    assert end["detail"]["listened_s"] == pytest.approx(16.0, abs=0.2)


def test_taps_within_400_ms_count_once_but_dial_steps_all_count() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    kit.tap(Intent.PLAY_PAUSE, gap_s=0.5)  # pause
    kit.tap(Intent.PLAY_PAUSE, gap_s=0.1)  # tremor: ignored
    kit.tap(Intent.PLAY_PAUSE, gap_s=0.1)  # still within 400 ms of the last counted tap
    assert kit.engine.view().status is Status.PAUSED
    kit.tap(Intent.PLAY_PAUSE, gap_s=0.3)  # 0.5 s after the counted one
    assert kit.engine.view().status is Status.PLAYING
    # a different control is not debounced against this one
    kit.tap(Intent.PLAY_PAUSE, Source.BUTTON, gap_s=0.05)
    assert kit.engine.view().status is Status.PAUSED
    before = len(kit.journal.of_type("tune"))
    kit.tap(Intent.TUNE_DECADE, Source.DIAL, 1, gap_s=0.05)
    kit.tap(Intent.TUNE_DECADE, Source.DIAL, 1, gap_s=0.05)
    assert len(kit.journal.of_type("tune")) == before + 2


def test_next_crossfades_old_out_and_new_in_on_the_other_player() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(3.0)
    first = kit.engine.play
    assert first is not None
    kit.tap(Intent.NEXT, gap_s=0.0)
    second = kit.engine.play
    assert second is not None and second.slot != first.slot
    assert sorted(kit.player.sounding()) == [0, 1]  # overlapping for the short fade
    kit.run(1.0)
    assert kit.player.sounding() == [second.slot]
    assert second.song.song_id != first.song.song_id


def test_end_of_song_advances_and_early_end_is_a_failure_marked_suspect() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(179.0, step_s=1.0)
    slot = kit.engine.play.slot  # type: ignore[union-attr]
    kit.player.finish(slot)
    kit.engine.pump()
    end = kit.journal.of_type("song_end")[0]
    assert end["detail"]["outcome"] == "completed"
    assert kit.engine.view().status is Status.PLAYING
    kit.run(20.0, step_s=1.0)
    kit.player.finish(kit.engine.play.slot)  # type: ignore[union-attr]  # 20 s of a 180 s song
    kit.engine.pump()
    failed = kit.journal.of_type("song_end")[1]
    assert failed["detail"]["outcome"] == "failed" and "ended after" in failed["detail"]["error"]
    assert kit.suspects and kit.suspects[0][0] == failed["song_id"]
    assert kit.engine.view().status is Status.PLAYING  # moved on at once


def test_run_of_failures_stops_with_a_message_for_staff() -> None:
    kit = make(failures_before_stop=3)
    kit.tap(Intent.PLAY_PAUSE)
    for _ in range(3):
        kit.player.fail(kit.engine.play.slot)  # type: ignore[union-attr]
        kit.engine.pump()
    view = kit.engine.view()
    assert view.status is Status.ENDED
    assert "3 songs in a row could not be played" in view.message
    assert kit.journal.of_type("session_end")[-1]["detail"]["reason"] == "failures"
    assert len(kit.suspects) == 3
    kit.tap(Intent.MORE_MUSIC)  # never a dead end
    assert kit.engine.view().status is Status.PLAYING


def test_song_that_never_starts_is_failed_after_a_timeout() -> None:
    kit = make()
    kit.player.confirm = False
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(3.5)
    assert kit.journal.of_type("song_end")[0]["detail"]["error"].startswith("did not start")


def test_session_ends_after_the_residents_length_at_a_song_boundary_with_a_rollup() -> None:
    kit = make({"r-1": resident(session_minutes=5)})
    kit.tap(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("r-1",))
    for _ in range(2):
        kit.run(179.0, step_s=1.0)
        kit.player.finish(kit.engine.play.slot)  # type: ignore[union-attr]
        kit.engine.pump()
    assert kit.engine.view().status is Status.ENDED
    end = kit.journal.of_type("session_end")[-1]
    assert end["detail"]["reason"] == "length" and end["resident_id"] == "r-1"
    (rollup,) = kit.rollups.docs
    assert set(rollup) == set(ROLLUP_KEYS)
    assert rollup["songs_completed"] == 2 and rollup["resident_ids"] == ["r-1"]
    assert rollup["listened_s"] == pytest.approx(358.0, abs=1.0)
    kit.tap(Intent.MORE_MUSIC)
    assert kit.engine.view().status is Status.PLAYING
    assert len(kit.journal.of_type("session_start")) == 2


def test_long_idle_pause_ends_the_session() -> None:
    kit = make(idle_pause_end_s=60)
    kit.tap(Intent.PLAY_PAUSE)
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(61.0, step_s=1.0)
    assert kit.engine.view().status is Status.ENDED
    assert kit.journal.of_type("session_end")[0]["detail"]["reason"] == "idle"


def test_stop_fades_out_then_ends_and_one_tap_brings_more() -> None:
    kit = make(fade_ms=1000)
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(3.0)
    slot = kit.engine.play.slot  # type: ignore[union-attr]
    kit.tap(Intent.STOP, gap_s=0.0)
    assert kit.engine.view().status is Status.ENDED
    assert kit.player.state[slot] == "playing"  # still fading
    kit.run(0.5)
    assert 0.0 < kit.player.levels[slot] < 0.4
    kit.run(0.6)
    assert kit.player.state[slot] == "stopped"
    assert kit.journal.of_type("song_end")[0]["detail"]["outcome"] == "stopped"
    kit.tap(Intent.PLAY_PAUSE)
    assert kit.engine.view().status is Status.PLAYING


def test_distress_stops_fast_and_flags_the_song_for_staff_review() -> None:
    kit = make({"r-1": resident()})
    kit.tap(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("r-1",))
    kit.run(3.0)
    song_id = kit.engine.play.song.song_id  # type: ignore[union-attr]
    kit.tap(Intent.DISTRESS, Source.BUTTON, gap_s=0.0)
    kit.run(0.35)
    assert kit.player.sounding() == []
    assert kit.engine.view().status is Status.CALM  # its own calm screen, not "That was lovely"
    assert kit.journal.of_type("distress")[0]["song_id"] == song_id
    assert kit.journal.of_type("song_end")[0]["detail"]["outcome"] == "distress"
    assert kit.journal.of_type("session_end")[0]["detail"]["reason"] == "distress"
    (review,) = kit.engine.pending_reviews()
    assert review["song_id"] == song_id and review["resident_id"] == "r-1"
    assert kit.rollups.docs[0]["distress_stops"] == 1
    assert kit.rollups.docs[0]["end_reason"] == "distress"
    kit.tap(Intent.MORE_MUSIC, Source.BUTTON)  # a stray press on the calm screen starts nothing
    kit.tap(Intent.PLAY_PAUSE, Source.TOUCH)
    assert kit.engine.view().status is Status.CALM and kit.player.sounding() == []
    kit.run(EngineSettings().calm_screen_s)
    assert kit.engine.view().status is Status.IDLE
    played = set()
    for _ in range(len(SONGS) - 1):  # every other song, and never the one under review for r-1
        kit.tap(Intent.NEXT, Source.TOUCH)
        assert kit.engine.play is not None
        played.add(kit.engine.play.song.song_id)
    assert song_id not in played and len(played) == len(SONGS) - 1


def test_distress_review_names_everyone_present_even_at_consent_no() -> None:
    kit = make({"r-1": resident(), "r-2": resident("r-2", consent=Consent.NO)})
    kit.tap(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("r-1", "r-2"))
    song_id = kit.engine.play.song.song_id  # type: ignore[union-attr]
    kit.tap(Intent.DISTRESS, Source.STAFF)
    reviews = kit.engine.pending_reviews()
    assert {(r["song_id"], r["resident_id"]) for r in reviews} == {(song_id, "r-1"), (song_id, "r-2")}
    assert kit.rollups.docs[0]["resident_ids"] == ["r-1"]  # the listening record still leaves r-2 out


def test_volume_never_exceeds_the_residents_cap_and_is_journaled() -> None:
    kit = make({"r-1": resident(volume_cap_pct=30)})
    kit.tap(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("r-1",))
    for _ in range(6):
        kit.tap(Intent.VOLUME_UP, Source.BUTTON)
    kit.run(2.0)
    view = kit.engine.view()
    assert view.volume_pct == 30 and view.volume_cap_pct == 30
    assert kit.player.max_level_heard <= 0.30 + 1e-9
    assert kit.journal.of_type("volume")[0]["detail"] == {"volume_pct": 30, "capped": True}


def test_quiet_hours_nothing_starts_by_itself_and_the_cap_is_lower() -> None:
    kit = make(policy=PolicyNow(quiet_hours=True, volume_cap_pct=25, may_autostart=False))
    kit.tap(Intent.MORE_MUSIC, Source.AUTO)
    assert kit.engine.view().status is Status.IDLE
    kit.tap(Intent.MORE_MUSIC, Source.TOUCH)
    kit.run(2.0)
    view = kit.engine.view()
    assert view.status is Status.PLAYING and view.quiet_hours and view.volume_pct <= 25
    assert kit.player.max_level_heard <= 0.25 + 1e-9


def test_a_resident_who_said_no_is_never_journaled() -> None:
    kit = make({"r-no": resident("r-no", consent=Consent.NO)})
    kit.tap(Intent.CHOOSE_RESIDENTS, Source.STAFF, ("r-no",))
    kit.tap(Intent.LIKE)
    kit.tap(Intent.NEXT)
    kit.tap(Intent.CHOOSE_MODE, Source.TOUCH, Mode.RELAX)
    kit.tap(Intent.STOP)
    assert kit.journal.events == [] and kit.rollups.docs == []
    assert kit.engine.view().status is Status.ENDED


def test_tune_decade_crossfades_to_the_next_decade_and_shows_it() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    decade = kit.engine.play.song.decade  # type: ignore[union-attr]
    kit.tap(Intent.TUNE_DECADE, Source.DIAL, 1, gap_s=0.1)
    view = kit.engine.view()
    assert view.decade_tuned is not None and view.decade_tuned > decade  # type: ignore[operator]
    assert view.song is not None and view.song.decade == view.decade_tuned
    assert sorted(kit.player.sounding()) == [0, 1]
    assert kit.journal.of_type("tune")[0]["detail"] == {"decade": view.decade_tuned}
    kit.run(5.0)
    assert kit.engine.view().decade_tuned is None
    assert len(kit.player.sounding()) == 1


def test_like_and_mode_events_carry_their_fields() -> None:
    kit = make()
    kit.tap(Intent.CHOOSE_MODE, Source.STAFF, Mode.SING)
    kit.tap(Intent.PLAY_PAUSE)
    kit.tap(Intent.LIKE, Source.BUTTON)
    kit.tap(Intent.LIKE, Source.BUTTON)  # once per song
    assert kit.engine.view().song.liked  # type: ignore[union-attr]
    (like,) = kit.journal.of_type("like")
    assert like["source"] == "button" and "at_s" in like["detail"]
    assert kit.journal.of_type("mode")[0]["detail"] == {"mode": "sing", "chosen_by": "staff"}
    assert kit.journal.of_type("session_start")[0]["detail"]["mode"] == "sing"


def test_journal_trouble_never_stops_the_music() -> None:
    kit = make()

    def broken(*_a: Any, **_k: Any) -> None:
        raise OSError(28, "No space left on device")

    kit.journal.append = broken  # type: ignore[method-assign]
    kit.tap(Intent.PLAY_PAUSE)
    kit.tap(Intent.NEXT)
    assert kit.engine.view().status is Status.PLAYING


def test_no_songs_at_all_says_so_and_stays_idle() -> None:
    kit = make(songs=[Song("x", "/x.mp3", "X", suspect="failed")])
    kit.tap(Intent.PLAY_PAUSE)
    view = kit.engine.view()
    assert view.status is Status.IDLE and "no songs" in view.message


def test_subscribers_get_a_snapshot_after_each_change() -> None:
    kit = make()
    seen: list[Status] = []
    kit.engine.subscribe(lambda v: seen.append(v.status))
    kit.tap(Intent.PLAY_PAUSE)
    kit.tap(Intent.PLAY_PAUSE)
    assert seen[:2] == [Status.PLAYING, Status.PAUSED]


def test_events_use_the_journal_vocabulary() -> None:
    kit = make()
    for intent in (Intent.PLAY_PAUSE, Intent.LIKE, Intent.VOLUME_UP, Intent.PLAY_PAUSE, Intent.NEXT):
        kit.tap(intent)
    kit.tap(Intent.STOP)
    assert set(kit.types()) <= {t.value for t in EventType}


def test_a_stopped_journal_is_shown_to_staff_while_music_goes_on() -> None:
    kit = make()
    kit.journal.problem = "the engagement journal stopped: No space left on device"  # type: ignore[attr-defined]
    kit.tap(Intent.PLAY_PAUSE)
    view = kit.engine.view()
    assert view.status is Status.PLAYING and "No space left" in view.message


def test_fade_out_starts_from_the_level_actually_playing() -> None:
    quiet_master = [Song("loud", "/l.mp3", "Loud", year=1960, duration_s=180.0, replaygain_db=-6.0)]
    kit = make(songs=quiet_master + SONGS[:1], fade_ms=1000)
    kit.engine._source = _First(quiet_master[0])  # type: ignore[assignment]
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(2.0)
    slot = kit.engine.play.slot  # type: ignore[union-attr]
    steady = kit.player.levels[slot]
    assert steady == pytest.approx(0.40 * 10 ** (-6 / 20), rel=0.01)  # levelled down by its ReplayGain
    kit.tap(Intent.STOP, gap_s=0.0)
    kit.run(0.05)
    assert kit.player.levels[slot] <= steady  # never a jump up when the fade begins


class _First:
    def __init__(self, song: Song) -> None:
        self.song = song

    def next_song(self, exclude_ids: set[str]) -> tuple[Song, str] | None:
        return (self.song, "first")

    def song_for_decade(self, decade: str, exclude_ids: set[str]) -> tuple[Song, str] | None:
        return None


def test_volume_changes_ramp_instead_of_jumping() -> None:
    kit = make()
    kit.tap(Intent.PLAY_PAUSE)
    kit.run(2.0)
    slot = kit.engine.play.slot  # type: ignore[union-attr]
    kit.tap(Intent.VOLUME_UP, gap_s=0.0)
    kit.clock.advance(0.1)
    kit.engine.pump()
    assert 0.40 < kit.player.levels[slot] < 0.50  # on its way
    kit.run(0.3)
    assert kit.player.levels[slot] == pytest.approx(0.50)
