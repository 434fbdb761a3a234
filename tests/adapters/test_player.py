"""The real player: libvlc with --aout=dummy (or the amem capture) on real short files made with sox."""

from __future__ import annotations

import array
import json
import random
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.adapters.clock import SystemClock
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.mainloop import HeadlessLoop
from kiosk.adapters.player import VlcPlayer
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Mode, Song
from kiosk.domain.playback import PlayerEventKind
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from tests.domain.test_session_invariants import check_event

FULL = 32767


def sox(path: Path, seconds: float, wave: str = "sine") -> Path:
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "44100",
            "-c",
            "2",
            str(path),
            "synth",
            str(seconds),
            wave,
            "440",
            "gain",
            "-0.5",
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    files = {
        "wav": sox(d / "tone.wav", 2),
        "ogg": sox(d / "tone.ogg", 2),
        "mp3": sox(d / "tone.mp3", 2),
        "square": sox(d / "square.wav", 3, "square"),
        "long": sox(d / "long.wav", 6),
        "blip": sox(d / "blip.wav", 0.2),
    }
    (d / "text.mp3").write_text("this is not music\n")
    (d / "zero.mp3").write_bytes(b"")
    (d / "trunc.mp3").write_bytes(files["mp3"].read_bytes()[:2000])
    (d / "junk.ogg").write_bytes(random.Random(1).randbytes(4096))
    files.update(text=d / "text.mp3", zero=d / "zero.mp3", trunc=d / "trunc.mp3", junk=d / "junk.ogg")
    files["missing"] = d / "missing.mp3"
    return files


def song(path: Path, i: int, duration_s: float = 2.0, year: int = 1955) -> Song:
    return Song(
        f"id-{i}-{path.stem}", str(path), f"Song {i}", artist="Band", year=year, duration_s=duration_s
    )


def wait_events(player: VlcPlayer, kinds: set[PlayerEventKind], timeout_s: float = 5.0) -> list[object]:
    seen: list[object] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in player.poll():
            seen.append(event)
            if event.kind in kinds:
                return seen
        time.sleep(0.01)
    raise AssertionError(f"no {kinds} within {timeout_s} s: {seen}")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["wav", "ogg", "mp3"])
def test_player_plays_each_format_to_its_end(media: dict[str, Path], kind: str) -> None:
    player = VlcPlayer("dummy")
    try:
        token = player.start(0, str(media[kind]), 0.5)
        events = wait_events(player, {PlayerEventKind.ENDED})
        assert [e.kind for e in events] == [PlayerEventKind.PLAYING, PlayerEventKind.ENDED]  # type: ignore[attr-defined]
        assert all(e.token == token for e in events)  # type: ignore[attr-defined]
        assert 1900 <= events[-1].length_ms <= 2100  # type: ignore[attr-defined]
    finally:
        player.close()


@pytest.mark.timeout(30)
def test_pause_holds_and_resume_continues(media: dict[str, Path]) -> None:
    import vlc

    player = VlcPlayer("dummy")
    try:
        player.start(0, str(media["long"]), 0.5)
        wait_events(player, {PlayerEventKind.PLAYING})
        player.pause(0)
        time.sleep(0.2)
        mp = player._players[0]
        assert mp.get_state() == vlc.State.Paused
        held = mp.get_time()
        time.sleep(0.3)
        assert mp.get_time() == held
        player.resume(0)
        time.sleep(0.3)
        assert mp.get_state() == vlc.State.Playing
        player.stop(0)
        assert player.poll() == [] or all(e.token != player._tokens[0] for e in player.poll())
    finally:
        player.close()


@pytest.mark.timeout(30)
def test_volume_ceiling_holds_on_the_very_first_decoded_buffer(media: dict[str, Path]) -> None:
    buffers: list[int] = []

    def capture(_slot: int, data: bytes, _pts_us: int) -> None:
        samples = array.array("h")
        samples.frombytes(data)
        buffers.append(max(abs(x) for x in samples))

    player = VlcPlayer("dummy", capture=capture, max_level=0.5)
    try:
        player.start(0, str(media["square"]), 0.3)
        deadline = time.monotonic() + 5
        while len(buffers) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert buffers, "no audio captured"
        assert 0.25 * FULL < buffers[0] <= 0.3 * FULL * 1.01  # really playing, and within the cap at once
        player.stop(0)
        buffers.clear()
        player.start(1, str(media["square"]), 1.0)  # asked for full volume: the kiosk's max still holds
        while len(buffers) < 3 and time.monotonic() < deadline + 5:
            time.sleep(0.01)
        assert 0.45 * FULL < buffers[0] <= 0.5 * FULL * 1.01
    finally:
        player.close()


def build(
    songs: list[Song],
    data_dir: Path,
    capture: object = None,
    **settings: object,
) -> tuple[SessionEngine, VlcPlayer, JsonlJournal, list[tuple[str, str]]]:
    clock = SystemClock()
    player = VlcPlayer("dummy", capture=capture)  # type: ignore[arg-type]
    journal = JsonlJournal(data_dir / "events", "test-kiosk", clock)
    suspects: list[tuple[str, str]] = []
    engine = SessionEngine(
        player=player,
        clock=clock,
        journal=journal,
        songs=ShuffleSource(songs, seed=7),
        settings=EngineSettings(**{"fade_ms": 200, "skip_fade_ms": 100, **settings}),  # type: ignore[arg-type]
        on_suspect=lambda sid, why: suspects.append((sid, why)),
    )
    return engine, player, journal, suspects


def events(data_dir: Path) -> list[dict[str, object]]:
    out = []
    for path in sorted((data_dir / "events").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text().splitlines()]
    return out


@pytest.mark.timeout(60)
def test_engine_play_pause_next_and_end_of_song_advance_all_journaled(
    media: dict[str, Path], data_dir: Path
) -> None:
    songs = [song(media[k], i) for i, k in enumerate(["wav", "ogg", "mp3", "wav"])]
    songs[3] = song(media["long"], 3, duration_s=6.0)
    engine, player, journal, _ = build(songs, data_dir)
    loop = HeadlessLoop(engine)
    try:
        engine.post(Intent.CHOOSE_MODE, Source.STAFF, Mode.LISTEN)
        engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        assert engine.view().status is Status.PLAYING
        loop.run_for(0.3)
        engine.post(Intent.PLAY_PAUSE, Source.BUTTON)
        assert engine.view().status is Status.PAUSED
        loop.run_for(0.5)  # the same button again after 400 ms: a new tap
        engine.post(Intent.PLAY_PAUSE, Source.BUTTON)
        engine.post(Intent.LIKE, Source.TOUCH)
        engine.post(Intent.VOLUME_DOWN, Source.BUTTON)
        engine.post(Intent.NEXT, Source.TOUCH)
        assert loop.run_until(lambda: len([e for e in events(data_dir) if e["type"] == "song_end"]) >= 3, 15)
        engine.post(Intent.STOP, Source.STAFF)
        loop.run_for(0.3)
    finally:
        journal.close()
        player.close()
    got = events(data_dir)
    types = [e["type"] for e in got]
    for needed in ("mode", "session_start", "song_start", "pause", "resume", "like", "volume", "song_end"):
        assert needed in types
    assert types[-1] == "session_end" and got[-1]["detail"] == {
        "reason": "stop",
        "listened_s": pytest.approx(
            got[-1]["detail"]["listened_s"]  # type: ignore[index]
        ),
    }
    outcomes = [e["detail"]["outcome"] for e in got if e["type"] == "song_end"]  # type: ignore[index]
    assert outcomes[0] == "skipped" and "completed" in outcomes and outcomes[-1] == "stopped"
    session_ids = {e["session"] for e in got if e["type"] != "mode"}
    assert len(session_ids) == 1 and None not in session_ids
    pause = next(e for e in got if e["type"] == "pause")
    assert pause["source"] == "button" and 0.1 < pause["detail"]["at_s"] < 1.0  # type: ignore[index,operator]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", ["missing", "text", "zero", "trunc", "junk", "early"])
def test_bad_media_is_reported_flagged_and_skipped_within_a_second(
    media: dict[str, Path], data_dir: Path, bad: str
) -> None:
    path = media["wav"] if bad == "early" else media[bad]
    broken = song(path, 0, duration_s=60.0 if bad == "early" else 2.0)  # early: tagged 60 s, plays ~1
    good = song(media["long"], 1, duration_s=6.0)
    engine, player, journal, suspects = build([broken], data_dir)
    engine.songs = ShuffleSource([broken, good])  # the broken one first: ShuffleSource below picks it
    engine._source = _Ordered([broken, good])  # type: ignore[assignment]
    loop = HeadlessLoop(engine)
    try:
        engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        t0 = time.monotonic()
        assert loop.run_until(lambda: engine.play is not None and engine.play.song is good, 5)
        took_s = time.monotonic() - t0
    finally:
        journal.close()
        player.close()
    assert took_s < (2.0 if bad == "early" else 1.0)
    (end,) = [e for e in events(data_dir) if e["type"] == "song_end"]
    assert end["detail"]["outcome"] == "failed" and end["detail"]["error"]  # type: ignore[index]
    assert suspects == [(broken.song_id, end["detail"]["error"])]  # type: ignore[index]


class _Ordered:
    """A song source that hands songs out in order (the bad-media tests need the bad one first)."""

    def __init__(self, songs: list[Song]):
        self.songs = songs

    def next_song(self, exclude_ids: set[str]) -> tuple[Song, str] | None:
        pool = [s for s in self.songs if s.song_id not in exclude_ids]
        return (pool[0], "ordered") if pool else None

    def song_for_decade(self, decade: str, exclude_ids: set[str]) -> tuple[Song, str] | None:
        return None


@pytest.mark.timeout(60)
def test_back_to_back_very_short_songs_never_deadlock(media: dict[str, Path], data_dir: Path) -> None:
    songs = [song(media["blip"], i, duration_s=0.2) for i in range(40)]
    engine, player, journal, _ = build(songs, data_dir)
    loop = HeadlessLoop(engine)
    try:
        engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        assert loop.run_until(lambda: engine.session is not None and len(engine.session.plays) >= 40, 40)
    finally:
        journal.close()
        player.close()
    assert all(p["outcome"] == "completed" for p in engine.session.plays)  # type: ignore[union-attr]


@pytest.mark.timeout(60)
def test_fade_in_on_real_samples_starts_quiet_and_rises(media: dict[str, Path], data_dir: Path) -> None:
    peaks: list[int] = []

    def capture(_slot: int, data: bytes, _pts_us: int) -> None:
        samples = array.array("h")
        samples.frombytes(data)
        peaks.append(max(abs(x) for x in samples))

    engine, player, journal, _ = build([song(media["long"], 0, 6.0)], data_dir, capture=capture, fade_ms=1000)
    loop = HeadlessLoop(engine)
    try:
        engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        loop.run_for(1.5)
    finally:
        journal.close()
        player.close()
    assert peaks[0] < 0.1 * FULL  # the fade starts from (near) silence
    assert 0.3 * 0.944 * FULL * 0.9 < max(peaks) <= 0.40 * FULL  # reaches the start volume (40 %), no more


@pytest.mark.timeout(90)
def test_about_100_random_intents_against_real_libvlc(media: dict[str, Path], data_dir: Path) -> None:
    songs = [song(media[k], i, year=1940 + 10 * (i % 4)) for i, k in enumerate(["wav", "ogg", "mp3"] * 3)]
    engine, player, journal, _ = build(songs, data_dir)
    loop = HeadlessLoop(engine)
    rng = random.Random(5)
    intents = [i for i in Intent if i not in (Intent.CHOOSE_RESIDENTS,)]
    try:
        for _ in range(100):
            intent = rng.choice(intents)
            arg: object = rng.choice([1, -1]) if intent is Intent.TUNE_DECADE else None
            if intent is Intent.CHOOSE_MODE:
                arg = rng.choice(list(Mode))
            engine.post(intent, rng.choice(list(Source)), arg)
            loop.run_for(rng.choice([0.0, 0.02, 0.1]))
            view = engine.view()
            assert (view.song is not None) == (view.status in (Status.PLAYING, Status.PAUSED))
            assert view.volume_pct <= view.volume_cap_pct
        engine.post(Intent.STOP, Source.STAFF)
        loop.run_for(0.3)
    finally:
        journal.close()
        player.close()
    got = events(data_dir)
    for event in got:
        check_event(event)  # the journal's own format, every field as events.py lists it
        assert {"v", "at", "clock_ok", "mono", "seq", "kiosk", "session", "resident", "type", "song"} <= set(
            event
        )
    starts = sum(1 for e in got if e["type"] == "song_start")
    ends = sum(1 for e in got if e["type"] == "song_end")
    assert starts == ends and starts > 5


def test_output_choice_and_preamp_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.adapters.player import UNITY_PREAMP_DB, preamp_for, resolve_output

    assert resolve_output("dummy") == "dummy"
    assert resolve_output("pipewire") == "pulse"
    assert resolve_output("auto", "plughw:CARD=Headphones") == "alsa"
    monkeypatch.setenv("PULSE_SERVER", "unix:/run/user/1000/pulse/native")
    assert resolve_output("auto") == "pulse"
    assert preamp_for(1.0) == UNITY_PREAMP_DB
    assert preamp_for(2.0) == UNITY_PREAMP_DB  # never a boost
    assert preamp_for(0.5) == pytest.approx(UNITY_PREAMP_DB - 6.02, abs=0.01)
    assert preamp_for(0.0) == -20.0
