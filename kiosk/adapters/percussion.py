"""Play along's five instruments, synthesised by the project with numpy: no recordings, no licences to track.

Each sound is built from noise and sine partials with simple envelopes (seeded, so every kiosk has the same
sounds), then normalised to the same peak (:data:`PEAK`) so that no instrument is louder than another. The
mixer scales that peak to the music's level, so a press is never louder than the music's ceiling. The
sounds are written once to ``<data>/.sounds/<name>.wav`` (16-bit mono at the mixer's rate) at first run,
so staff can listen to them, and read back from there later.
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

import numpy as np

from kiosk.domain.play_along import INSTRUMENTS

log = logging.getLogger(__name__)

RATE_HZ = 44_100
PEAK = 1.0  # every sound's peak before the level is applied (the level is at most the music's ceiling)
SOUND_VERSION = 1  # bump when a recipe changes: the cached files are rebuilt


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE_HZ)) / RATE_HZ


def _drum(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.45)
    pitch = 55 + 70 * np.exp(-t * 30)  # a soft floor-tom thump: the pitch drops as it rings
    body = np.sin(2 * np.pi * np.cumsum(pitch) / RATE_HZ) * np.exp(-t * 9)
    skin = rng.standard_normal(len(t)) * np.exp(-t * 60) * 0.25
    return body + skin


def _tambourine(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.35)
    jingles = sum(np.sin(2 * np.pi * f * t) for f in (5200, 6800, 8300, 9700))
    noise = rng.standard_normal(len(t))
    return (0.5 * noise + 0.3 * jingles) * np.exp(-t * 14) * (1 - np.exp(-t * 900))


def _shaker(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.18)
    noise = np.diff(rng.standard_normal(len(t) + 1))  # brighter than white noise (a first difference)
    envelope = np.sin(np.pi * np.clip(t / 0.18, 0, 1)) ** 2  # swells and fades: a shake, not a click
    return noise * envelope


def _woodblock(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.16)
    tone = np.sin(2 * np.pi * 880 * t) + 0.4 * np.sin(2 * np.pi * 1410 * t)
    return tone * np.exp(-t * 38) + rng.standard_normal(len(t)) * np.exp(-t * 400) * 0.2


def _bell(_rng: np.random.Generator) -> np.ndarray:
    t = _t(1.4)
    partials = ((1.0, 1.0, 2.2), (2.76, 0.45, 3.5), (5.4, 0.25, 5.0), (8.93, 0.12, 7.0))
    base = 660.0
    return sum(a * np.sin(2 * np.pi * base * r * t) * np.exp(-t * d) for r, a, d in partials) * (
        1 - np.exp(-t * 600)
    )


_RECIPES = {
    "drum": _drum,
    "tambourine": _tambourine,
    "shaker": _shaker,
    "woodblock": _woodblock,
    "bell": _bell,
}


def synthesise(name: str, seed: int = 7) -> np.ndarray:
    """One instrument as float32 mono at :data:`RATE_HZ`, peak exactly :data:`PEAK`, ending in silence."""
    raw = np.asarray(_RECIPES[name](np.random.default_rng(seed)), dtype=np.float64)
    fade = min(len(raw), int(0.01 * RATE_HZ))  # no click at the end
    raw[-fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(raw))) or 1.0
    return (raw * (PEAK / peak)).astype(np.float32)


def load_sounds(folder: Path | None) -> dict[str, np.ndarray]:
    """Every instrument, read from ``folder`` when its file is there and current, else synthesised and
    written there (never raises for a folder problem: the sounds are kept in memory only)."""
    sounds: dict[str, np.ndarray] = {}
    for name in INSTRUMENTS:
        path = None if folder is None else folder / f"{name}-v{SOUND_VERSION}.wav"
        if path is not None and path.is_file():
            try:
                sounds[name] = _read_wav(path)
                continue
            except (OSError, ValueError, wave.Error, EOFError):
                log.warning("percussion: %s unreadable; made again", path.name)
        sounds[name] = synthesise(name)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_wav(path, sounds[name])
            except OSError as exc:
                log.warning("percussion: could not keep %s: %s", path.name, exc)
    return sounds


def _write_wav(path: Path, samples: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(pcm.tobytes())
    tmp.replace(path)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as src:
        if src.getnchannels() != 1 or src.getsampwidth() != 2 or src.getframerate() != RATE_HZ:
            raise ValueError("unexpected format")
        pcm = np.frombuffer(src.readframes(src.getnframes()), dtype="<i2")
    if not len(pcm):
        raise ValueError("empty")
    return (pcm.astype(np.float32) / 32767.0).astype(np.float32)
