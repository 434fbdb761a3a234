"""Shared set-up for the engine benchmarks: tone files made with sox, an engine over a temp data folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.config import Config
from kiosk.domain.models import Song
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.wiring import KioskParts, build_kiosk


def tones(folder: Path, count: int, seconds: float) -> list[Song]:
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"tone-{seconds}.wav"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(base), "synth", str(seconds), "sine", "440"],
        check=True,
        capture_output=True,
    )
    return [
        Song(f"t{i}", str(base), f"Tone {i}", year=1940 + 10 * (i % 5), duration_s=seconds)
        for i in range(count)
    ]


def engine(data: Path, songs: list[Song], seed: int = 1, **settings: object) -> KioskParts:
    return build_kiosk(
        Config(),
        data,
        song_source=ShuffleSource(songs, seed),
        audio_output="dummy",
        settings=EngineSettings(**settings),  # type: ignore[arg-type]
    )


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0
