"""Play along's adapters: beat grids of synthesised metronomes, the mixer's captured samples, the buttons."""

from __future__ import annotations

import json
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.adapters.beat_analysis import RATE_HZ, analyse_samples
from kiosk.adapters.beat_store import SideFileGrids, analyse_library, side_path
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.gpio import MainQueue, start_gpio
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.mixer import Mixer, NullOutput, open_percussion
from kiosk.adapters.percussion import load_sounds, synthesise
from kiosk.config import Config
from kiosk.domain.beats import BeatSummary, regular_grid
from kiosk.domain.intents import Intent, SessionView, SongView, Source, Status
from kiosk.domain.models import Mode
from kiosk.domain.play_along import INSTRUMENTS

pytest.importorskip("aubio")


def metronome(bpm: float, seconds: float = 30.0, first_s: float = 0.37, swing: float = 0.5):
    """Clicks on every beat (and softer ones at ``swing`` of the beat when swung), over light noise."""
    rng = np.random.default_rng(int(bpm))
    x = (0.01 * rng.standard_normal(int(seconds * RATE_HZ))).astype(np.float32)
    t = np.arange(int(0.03 * RATE_HZ)) / RATE_HZ
    click = np.sin(2 * np.pi * 1000 * t) * np.exp(-t * 150)
    soft = 0.4 * np.sin(2 * np.pi * 1500 * t) * np.exp(-t * 200)
    period, beats, b = 60.0 / bpm, [], first_s
    while b < seconds - 0.1:
        for at, sound in ((b, click), (b + swing * period, soft if swing != 0.5 else None)):
            if sound is not None:
                i = int(round(at * RATE_HZ))
                seg = x[i : i + len(sound)]
                seg += sound[: len(seg)].astype(np.float32)
        beats.append(b)
        b += period
    return x, np.asarray(beats)


@pytest.mark.parametrize("bpm", [60, 84, 110, 136, 160])
@pytest.mark.parametrize("swing", [0.5, 0.667])
def test_metronome_grids_are_found_within_20_ms(bpm: int, swing: float) -> None:
    x, truth = metronome(bpm, swing=swing)
    analysis = analyse_samples(x)
    assert analysis is not None and analysis.summary.usable()
    s = analysis.summary
    assert s.tempo_bpm == pytest.approx(bpm, rel=0.005)
    assert abs(s.first_beat_s - truth[0]) <= 0.020
    assert s.swing == pytest.approx(swing, abs=0.05)
    for grid in (np.asarray(analysis.beats), np.asarray(regular_grid(s, 30.0).beats)):
        errors = [float(np.min(np.abs(grid - b))) for b in truth]
        assert max(errors) <= 0.020  # every beat, side file and steady grid alike


def test_music_without_a_beat_gets_no_grid() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(30 * RATE_HZ) / RATE_HZ
    drone = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.2 * np.sin(2 * np.pi * 0.13 * t))).astype(np.float32)
    for x in (drone, (0.2 * rng.standard_normal(len(t))).astype(np.float32)):
        analysis = analyse_samples(x)
        assert analysis is None or not analysis.summary.usable()


def write_wav(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def test_a_scanned_song_gets_its_grid_in_the_catalogue_and_a_side_file(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    music.mkdir()
    x, truth = metronome(120, seconds=20)
    write_wav(music / "beat.wav", x)
    subprocess.run(["sox", str(music / "beat.wav"), str(music / "beat.flac")], check=True)
    (music / "beat.wav").unlink()
    t = np.arange(20 * RATE_HZ) / RATE_HZ
    write_wav(music / "drone.wav", (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    data = DataFolder(data_dir)
    scan_library(data, music)
    report = analyse_library(data, music)
    assert (report.analysed, report.usable, report.failed) == (2, 1, 0)
    songs = {s.title or s.path: s for s in TinyCatalogue(data).songs()}
    beat = next(s for s in songs.values() if s.path.endswith("beat.flac"))
    drone = next(s for s in songs.values() if s.path.endswith("drone.wav"))
    assert beat.has_beat_grid and beat.beat_tempo_bpm == pytest.approx(120, rel=0.005)
    assert not drone.has_beat_grid
    side = side_path(data_dir, beat.song_id)
    assert side is not None and side.stat().st_mode & 0o777 == 0o600
    grid = SideFileGrids(data_dir).grid_for(beat)
    assert grid is not None
    errors = [float(np.min(np.abs(np.asarray(grid.beats) - b))) for b in truth]
    assert max(errors) <= 0.020
    assert analyse_library(data, music).analysed == 0  # done once: not again at the next scan
    scan_library(data, music)  # a rescan keeps the grids (their own table)
    assert next(s for s in TinyCatalogue(data).songs() if s.song_id == beat.song_id).has_beat_grid
    side.write_text("{damaged", encoding="utf-8")
    again = SideFileGrids(data_dir).grid_for(beat)
    assert again is not None and again.beats[0] == pytest.approx(beat.beat_first_s)  # the summary's grid


def test_sounds_are_made_once_normalised_and_kept(tmp_path: Path) -> None:
    sounds = load_sounds(tmp_path)
    assert set(sounds) == set(INSTRUMENTS)
    for name, sound in sounds.items():
        assert float(np.max(np.abs(sound))) == pytest.approx(1.0, abs=1e-3), name
        assert abs(float(sound[-1])) < 1e-3  # ends in silence: no click
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 5
    again = load_sounds(tmp_path)
    assert np.allclose(again["bell"], synthesise("bell"), atol=1 / 32767)


class Captured:
    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, float]] = []

    def __call__(self, block: np.ndarray, mono_s: float) -> None:
        self.blocks.append((block.copy(), mono_s))

    def wait(self, count: int, timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.blocks) < count and time.monotonic() < deadline:
            time.sleep(0.01)


def test_every_press_is_heard_at_or_under_the_ceiling() -> None:
    captured = Captured()
    mixer = Mixer(load_sounds(None), max_level=0.8)
    out = NullOutput(mixer, captured)
    try:
        for level in (0.5, 0.25):
            for name in INSTRUMENTS:
                before = len(captured.blocks)
                pressed = time.monotonic()
                mixer.play(name, 0.0, level)
                captured.wait(before + 1)
                while mixer.busy():
                    time.sleep(0.01)
                blocks = captured.blocks[before:]
                peak = max(int(np.max(np.abs(b))) for b, _ in blocks)
                assert 0.9 * level * 32767 <= peak <= level * 32767, (name, level, peak)
                assert blocks[0][1] - pressed < 0.25  # heard in the first blocks after the press
        before = len(captured.blocks)
        for name in INSTRUMENTS:  # five residents at once: the mix stays under the ceiling too
            mixer.play(name, 0.0, 0.5)
        captured.wait(before + 1)
        while mixer.busy():
            time.sleep(0.01)
        assert max(int(np.max(np.abs(b))) for b, _ in captured.blocks[before:]) <= 0.5 * 32767
        mixer.play("drum", 0.0, 1.0)  # above the kiosk's max (80 %): held at the max
        while mixer.busy():
            time.sleep(0.01)
        assert int(np.max(np.abs(captured.blocks[-1][0]))) <= 0.8 * 32767
    finally:
        out.close()


def test_a_press_before_the_beat_starts_on_the_beat() -> None:
    captured = Captured()
    mixer = Mixer(load_sounds(None))
    out = NullOutput(mixer, captured)
    try:
        pressed = time.monotonic()
        mixer.play("woodblock", 0.12, 0.5)
        captured.wait(1)
        while mixer.busy():
            time.sleep(0.01)
        block, handed = captured.blocks[0]
        first = int(np.argmax(np.abs(block[:, 0]) > 0))
        sounded = handed + first / 44_100
        assert sounded - pressed == pytest.approx(0.12, abs=0.012)  # within two blocks of the beat
    finally:
        out.close()


def test_without_a_sound_card_the_null_output_still_counts(tmp_path: Path) -> None:
    player = open_percussion(output="dummy", device="", max_level=0.8, sounds_dir=tmp_path)
    try:
        assert "null" in player.description
        player.play("bell", 0.0, 0.3)
    finally:
        player.close()


class Control:
    """A session control showing a song in ``mode`` and keeping what is posted."""

    def __init__(self, mode: Mode) -> None:
        song = SongView("s", "Song", "Band", 1950, "1950s", 100.0)
        self._view = SessionView(Status.PLAYING, mode=mode, song=song)
        self.posted: list[tuple[Intent, Source, object]] = []

    def post(self, intent: Intent, source: Source, arg: object = None) -> None:
        self.posted.append((intent, source, arg))

    def view(self) -> SessionView:
        return self._view

    def subscribe(self, _listener: object) -> None:
        pass


PINS = {
    17: "play_pause",
    27: "next",
    22: "like",
    23: "volume_up",
    24: "volume_down",
    5: "stop",
    6: "distress",
}


@pytest.mark.parametrize("mode", [Mode.PLAY_ALONG, Mode.LISTEN])
def test_arcade_buttons_play_instruments_in_play_along(mode: Mode) -> None:
    factory = MockFactory()
    main = MainQueue()
    control = Control(mode)
    handle = start_gpio(Config(gpio=dict(PINS)), control, main.post, pin_factory=factory)  # type: ignore[arg-type]
    try:
        for pin in (24, 17, 27, 22, 23, 5, 6):
            factory.pin(pin).drive_low()
            factory.pin(pin).drive_high()
        main.drain()
        if mode is Mode.PLAY_ALONG:
            played = [arg for intent, _s, arg in control.posted if intent is Intent.PLAY_INSTRUMENT]
            assert played == ["drum", "tambourine", "shaker", "woodblock", "bell"]
            assert [i for i, _s, _a in control.posted[5:]] == [Intent.STOP, Intent.DISTRESS]
        else:
            assert not any(i is Intent.PLAY_INSTRUMENT for i, _s, _a in control.posted)
        assert all(s is Source.BUTTON for _i, s, _a in control.posted)
    finally:
        handle.close()
        factory.reset()
        factory.close()


def test_side_file_is_small_json(tmp_path: Path) -> None:
    grid = regular_grid(BeatSummary(120, 0.5), 180)
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"v": 1, "beats": list(grid.beats)}))
    assert path.stat().st_size < 4000  # a 3-minute song's beats: a few KB, read once per song
