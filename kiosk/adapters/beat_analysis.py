"""Beat grids from the audio: aubio's beat tracker, then a steady grid fitted to the onsets, and the swing.

Steps (all on a background thread or the ``kiosk scan`` process, never on the UI thread):

1. decode to mono 22,050 Hz float with ``ffmpeg`` (or ``sox`` when ffmpeg is missing), streamed through a pipe;
2. aubio's ``tempo`` tracker (hop 128) gives beats; their median spacing is the first guess of the period;
3. an onset envelope (rise of short-frame log energy, 2.9 ms steps) is folded at periods near that guess and
   its octaves in the 55-170 BPM range; the period and phase that gather most onset energy give the steady
   grid (``tempo_bpm``, ``first_beat_s``); ``confidence`` is how much the grid stands out (0-1);
4. the side file's beats are aubio's beats moved onto the steady grid when it fits them (within 70 ms), else
   aubio's own beats (a drifting band keeps its drift);
5. ``swing``: the strongest onset peak inside the beat (folded), as a share of the beat; 0.5 when none stands out.

A file with a ``bpm`` (tag or sidecar) whose analysis is not confident keeps a grid at that tempo with the
first beat found in the onsets (``source = "sidecar"``).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.domain.beats import BeatSummary, regular_grid

RATE_HZ = 22_050
ENV_HOP = 64  # onset envelope step (2.9 ms)
ENV_FRAME = 256
MIN_BPM, MAX_BPM = 55.0, 170.0
MAX_SECONDS = 20 * 60  # longer files are read up to here


class DecodeError(Exception):
    """The audio could not be decoded (no decoder, damaged file)."""


@dataclass(frozen=True)
class Analysis:
    summary: BeatSummary
    beats: tuple[float, ...]


def decode(path: Path, rate_hz: int = RATE_HZ) -> np.ndarray:
    """Mono float32 samples of ``path`` at ``rate_hz`` (ffmpeg, else sox)."""
    if shutil.which("ffmpeg"):
        cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-t", str(MAX_SECONDS), "-ac", "1",
               "-ar", str(rate_hz), "-f", "f32le", "-"]  # fmt: skip
    elif shutil.which("sox"):
        cmd = ["sox", "-V1", str(path), "-t", "f32", "-c", "1", "-r", str(rate_hz), "-", "trim", "0",
               str(MAX_SECONDS)]  # fmt: skip
    else:
        raise DecodeError("neither ffmpeg nor sox is installed")
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DecodeError(str(exc)) from exc
    if done.returncode != 0 or not done.stdout:
        raise DecodeError(done.stderr.decode("utf-8", "replace").strip()[-200:] or "no audio")
    return np.frombuffer(done.stdout[: len(done.stdout) // 4 * 4], dtype="<f4").astype(np.float32)


def onset_envelope(x: np.ndarray) -> np.ndarray:
    """Half-wave rectified rise of log energy in 256-sample frames every 64 samples (2.9 ms)."""
    if len(x) < ENV_FRAME * 2:
        return np.zeros(0, dtype=np.float64)
    total = np.zeros(0)
    hp = np.diff(x, prepend=x[:1])  # clicks, snares and hi-hats stand out of sustained tones here
    for band in (x.astype(np.float64), hp.astype(np.float64)):  # ... and a bass drum in the full band
        frames = np.lib.stride_tricks.sliding_window_view(band, ENV_FRAME)[::ENV_HOP]
        energy = np.log1p(1e4 * np.mean(frames * frames, axis=1))
        rise = np.maximum(0.0, np.diff(energy, prepend=energy[:1]))
        total = rise if not len(total) else total + rise
    return total


def _env_time(i: np.ndarray | float) -> np.ndarray | float:
    """Time of envelope step ``i``: the frame's end, where a rise is first seen, less half a step."""
    return (np.asarray(i) * ENV_HOP + ENV_FRAME - ENV_HOP / 2) / RATE_HZ


def aubio_beats(x: np.ndarray) -> np.ndarray:
    import aubio

    hop, win = 128, 1024
    tracker = aubio.tempo("default", win, hop, RATE_HZ)
    beats = []
    usable = len(x) // hop * hop
    for i in range(0, usable, hop):
        if tracker(x[i : i + hop])[0]:
            beats.append(tracker.get_last_s())
    return np.asarray(beats, dtype=np.float64)


def _fold(env: np.ndarray, times: np.ndarray, period: float, bins: int) -> np.ndarray:
    phase = np.floor((times % period) / period * bins).astype(np.int64) % bins
    return np.bincount(phase, weights=env, minlength=bins)


def _best_grid(env: np.ndarray, guesses: list[float]) -> tuple[float, float, float]:
    """(period, phase, confidence) gathering most onset energy, searched near each guessed period."""
    times = np.asarray(_env_time(np.arange(len(env))), dtype=np.float64)
    bins = 240
    best = (0.0, 0.0, -1.0, 0.0)  # period, phase, score, confidence
    total = float(env.sum()) or 1.0
    for guess in guesses:
        for period in guess * (1 + np.linspace(-0.025, 0.025, 101)):
            hist = _fold(env, times, period, bins)
            smooth = hist + np.roll(hist, 1) + np.roll(hist, -1)  # +-1 bin: a beat's rise spans two steps
            k = int(np.argmax(smooth))
            score = float(smooth[k]) / total
            if score > best[2]:
                best = (float(period), (k + 0.5) / bins * period, score, score)
    period, phase, score, _ = best
    chance = 3.0 / bins  # what a grid gathers from onsets with no beat at all
    confidence = max(0.0, min(1.0, (score - chance) / (0.6 - chance)))
    return period, phase, confidence


def _swing(env: np.ndarray, period: float, phase: float) -> float:
    """Where the strongest off-beat onsets fall inside the beat (share of the beat), 0.5 when none stand out."""
    times = np.asarray(_env_time(np.arange(len(env))), dtype=np.float64) - phase
    bins = 60
    hist = _fold(env, times, period, bins)
    beat_peak = max(hist[0], hist[-1], hist[1]) or 1.0
    inner = hist[int(bins * 0.35) : int(bins * 0.8)]
    k = int(np.argmax(inner))
    if inner[k] < 0.15 * beat_peak:
        return 0.5
    return round((int(bins * 0.35) + k + 0.5) / bins, 3)


def _period_guesses(beats: np.ndarray, bpm_hint: float | None) -> list[float]:
    guesses: set[float] = set()
    bases = []
    if len(beats) >= 4:
        bases.append(float(np.median(np.diff(beats))))
    if bpm_hint:
        bases.append(60.0 / bpm_hint)
    for base in bases:
        for factor in (1.0, 2.0, 0.5, 1.5, 2 / 3, 3.0, 1 / 3):
            p = base * factor
            if 60.0 / MAX_BPM <= p <= 60.0 / MIN_BPM:
                guesses.add(round(p, 5))
    return sorted(guesses)


def analyse_samples(x: np.ndarray, bpm_hint: float | None = None) -> Analysis | None:
    """The grid of mono ``x`` at :data:`RATE_HZ`, or None when nothing usable is found."""
    duration = len(x) / RATE_HZ
    if duration < 5:
        return None
    env = onset_envelope(x)
    beats = aubio_beats(x)
    guesses = _period_guesses(beats, None)
    source = "analysis"
    period, phase, confidence = _best_grid(env, guesses) if guesses else (0.0, 0.0, 0.0)
    if confidence < 0.35 and bpm_hint and 40 <= bpm_hint <= 220:
        period, phase, confidence = _best_grid(env, [60.0 / bpm_hint])
        source = "sidecar"
        confidence = max(confidence, 0.35)  # the file says so; the phase comes from the onsets
    if period <= 0:
        return None
    first_env = np.nonzero(env > 0.2 * float(env.max() or 1.0))[0]
    start = float(_env_time(first_env[0])) if len(first_env) else 0.0
    k = np.ceil((start - phase - 0.07) / period)
    first = phase + max(0.0, k) * period
    summary = BeatSummary(60.0 / period, round(first, 4), _swing(env, period, phase), confidence, source)
    steady = regular_grid(summary, duration).beats
    side = steady
    if len(beats) >= 4 and len(steady):
        same_level = abs(float(np.median(np.diff(beats))) - period) / period < 0.05
        nearest = np.abs(beats[:, None] - np.asarray(steady)[None, :]).min(axis=1)
        if same_level and float(np.median(nearest)) > 0.07:
            side = tuple(round(float(b), 4) for b in beats)  # same tempo, drifting: the band's own beats
    return Analysis(summary, tuple(side))


def analyse_file(path: Path, bpm_hint: float | None = None) -> Analysis | None:
    """Decode and analyse one file (raises :class:`DecodeError` when it cannot be decoded)."""
    return analyse_samples(decode(path), bpm_hint)
