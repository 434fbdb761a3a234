"""A small, soft synthesiser for the demo library: melody, chords and bass from note lists, with numpy.

Notation (kiosk/demo/data/songs.toml): ``melody`` is a list of ``NOTE:BEATS`` tokens (``G4:3``, ``F#4:0.5``,
``Bb3:1``, ``R:1`` for a rest; ``|`` bar lines are ignored), ``chords`` one chord name per bar (``C``, ``G7``,
``Am``, ``F#dim``, ``Cmaj7``, ``-`` = no chord). Everything is deterministic: same input, same samples.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050  # plenty for these soft tones (harmonics stay below 10 kHz), and twice as fast
_TABLE_SIZE = 4096
_TABLES: dict[tuple[float, ...], np.ndarray] = {}
_NOTE = re.compile(r"^([A-Ga-g])([#b]?)(-?\d)$")
_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_CHORD = re.compile(r"^([A-G])([#b]?)(maj7|m7|m|7|dim|aug|6|sus4)?$")
_CHORD_SHAPES = {
    None: (0, 4, 7),
    "m": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
    "dim": (0, 3, 6, 9),
    "aug": (0, 4, 8),
    "6": (0, 4, 7, 9),
    "sus4": (0, 5, 7),
}


class NotationError(ValueError):
    """A note or chord the synthesiser does not understand (message names the token)."""


def midi_of(name: str) -> int:
    """``"A4"`` -> 69, ``"C4"`` -> 60, ``"Bb3"`` -> 58."""
    m = _NOTE.match(name)
    if not m:
        raise NotationError(f"not a note: {name!r} (write it like C4, F#4, Bb3 or R for a rest)")
    letter, accidental, octave = m.groups()
    value = _SEMITONES[letter.upper()] + (1 if accidental == "#" else -1 if accidental == "b" else 0)
    return 12 * (int(octave) + 1) + value


def freq_of(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def parse_melody(text: str) -> list[tuple[int | None, float]]:
    """``"G4:3 E4:3 | R:1"`` -> ``[(67, 3.0), (64, 3.0), (None, 1.0)]``."""
    notes: list[tuple[int | None, float]] = []
    for token in text.replace("|", " ").split():
        name, _, beats = token.partition(":")
        try:
            length = float(beats) if beats else 1.0
        except ValueError:
            raise NotationError(f"not a length in beats: {token!r}") from None
        if length <= 0:
            raise NotationError(f"a note must last more than 0 beats: {token!r}")
        notes.append((None if name.upper() == "R" else midi_of(name), length))
    return notes


def chord_notes(name: str) -> tuple[int, ...]:
    """Semitones above C (root first) of a chord name; ``"-"`` -> ``()``."""
    if name in ("-", "N", ""):
        return ()
    m = _CHORD.match(name)
    if not m:
        raise NotationError(f"not a chord: {name!r} (write it like C, G7, Am, F#dim, Cmaj7, or - for none)")
    letter, accidental, kind = m.groups()
    root = _SEMITONES[letter] + (1 if accidental == "#" else -1 if accidental == "b" else 0)
    return tuple((root + i) for i in _CHORD_SHAPES[kind])


@dataclass(frozen=True)
class Voice:
    """A timbre: harmonic amplitudes, attack/release in seconds, decay rate (per second; 0 = sustained)."""

    harmonics: tuple[float, ...]
    attack_s: float
    release_s: float
    decay_per_s: float
    vibrato_cents: float = 0.0


VOICES = {
    "piano": Voice((1.0, 0.45, 0.2, 0.1, 0.05), 0.006, 0.12, 2.2),
    "flute": Voice((1.0, 0.18, 0.06), 0.06, 0.15, 0.15, vibrato_cents=9.0),
    "clarinet": Voice((1.0, 0.05, 0.35, 0.04, 0.15, 0.02, 0.06), 0.03, 0.1, 0.25, vibrato_cents=4.0),
    "organ": Voice((1.0, 0.6, 0.3, 0.0, 0.15, 0.0, 0.0, 0.08), 0.02, 0.08, 0.05),
    "vibes": Voice((1.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.08), 0.004, 0.3, 1.4, vibrato_cents=6.0),
    "strings": Voice((1.0, 0.5, 0.33, 0.25, 0.2, 0.15), 0.18, 0.3, 0.1, vibrato_cents=7.0),
    "synth": Voice((1.0, 0.5, 0.33, 0.25, 0.2, 0.16, 0.14), 0.01, 0.08, 0.6),
    "bass": Voice((1.0, 0.35, 0.12), 0.01, 0.08, 1.5),
}


def _wavetable(harmonics: tuple[float, ...], f0: float) -> np.ndarray:
    """One cycle of the voice's waveform (harmonics above Nyquist left out), cached: one lookup per sample
    instead of one sine per harmonic."""
    usable = tuple(a if f0 * k < SAMPLE_RATE / 2.2 else 0.0 for k, a in enumerate(harmonics, 1))
    table = _TABLES.get(usable)
    if table is None:
        x = np.arange(_TABLE_SIZE) * (2 * math.pi / _TABLE_SIZE)
        table = np.zeros(_TABLE_SIZE)
        for k, amp in enumerate(usable, 1):
            if amp:
                table += amp * np.sin(k * x)
        _TABLES[usable] = table
    return table


def render_note(
    out: np.ndarray, start_s: float, dur_s: float, midi: float, voice: Voice, gain: float
) -> None:
    """Add one note to ``out`` (in place), with a gentle envelope so nothing clicks."""
    start = int(start_s * SAMPLE_RATE)
    release = voice.release_s
    n = int((dur_s + release) * SAMPLE_RATE)
    n = min(n, len(out) - start)
    if n <= 0:
        return
    t = np.arange(n) / SAMPLE_RATE
    f0 = freq_of(midi)
    phase = 2 * math.pi * f0 * t
    if voice.vibrato_cents:
        depth = (2 ** (voice.vibrato_cents / 1200) - 1) * f0
        onset = np.clip((t - 0.25) / 0.3, 0.0, 1.0)
        phase = phase + onset * (depth / 5.5) * np.sin(2 * math.pi * 5.5 * t)
    wave = _wavetable(voice.harmonics, f0)[
        (phase * (_TABLE_SIZE / (2 * math.pi))).astype(np.int64) & (_TABLE_SIZE - 1)
    ]
    env = np.minimum(1.0, t / voice.attack_s) * np.exp(-voice.decay_per_s * t)
    held = t <= dur_s
    tail = np.exp(-(t - dur_s) / (release / 4)) * np.exp(-voice.decay_per_s * dur_s)
    env = np.where(held, env, tail * np.minimum(1.0, t / voice.attack_s))
    out[start : start + n] += gain * wave * env


def render_noise_tick(out: np.ndarray, start_s: float, gain: float, rng: np.random.Generator) -> None:
    """A soft brushed hi-hat tick (short filtered noise)."""
    start = int(start_s * SAMPLE_RATE)
    n = min(int(0.05 * SAMPLE_RATE), len(out) - start)
    if n <= 0:
        return
    noise = rng.standard_normal(n)
    noise = np.diff(noise, prepend=0.0)  # brighter, thinner
    env = np.exp(-np.arange(n) / (0.012 * SAMPLE_RATE))
    out[start : start + n] += gain * noise * env


@dataclass(frozen=True)
class Arrangement:
    """How to play a tune: tempo, metre, voices and accompaniment style."""

    tempo_bpm: float
    meter: int  # beats per bar
    lead: str = "piano"
    comp: str = "piano"
    style: str = "pad"  # "waltz", "stride", "march", "pad", "swing", "disco", "rock"
    swing: float = 0.0  # 0 = straight; 0.33 = triplet swing on eighths
    ticks: bool = False  # soft hi-hat
    transpose: int = 0  # semitones, applied to tune and chords


def render(
    melody: list[tuple[int | None, float]],
    chords: list[str],
    arr: Arrangement,
    *,
    min_duration_s: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Render the tune (repeated until ``min_duration_s``), with a bar of intro and an ending chord.

    Returns ``(mono float samples in -1..1, seconds from the start to the first melody note)``.
    """
    beat_s = 60.0 / arr.tempo_bpm
    bar_s = beat_s * arr.meter
    melody = [(None if m is None else m + arr.transpose, length) for m, length in melody]
    tune_beats = sum(length for _, length in melody)
    bars = max(len(chords), math.ceil(tune_beats / arr.meter))
    tune_s = bars * bar_s
    intro_s = bar_s
    repeats = 1
    while intro_s + repeats * tune_s + 2 * bar_s < min_duration_s:
        repeats += 1
    total_s = intro_s + repeats * tune_s + 2.5 * bar_s
    out = np.zeros(int(total_s * SAMPLE_RATE) + SAMPLE_RATE)
    rng = np.random.default_rng(seed)
    lead = VOICES[arr.lead]
    comp = VOICES[arr.comp]
    bass = VOICES["bass"]

    def swung(beat: float) -> float:
        if not arr.swing:
            return beat
        whole, frac = divmod(beat, 1.0)
        if abs(frac - 0.5) < 1e-6:
            return whole + 0.5 + arr.swing / 2
        return beat

    # intro: one bar of the first chord, so the tune does not start cold
    intro = [chords[0] if chords else "-"]
    for r in range(repeats):
        t0 = intro_s + r * tune_s
        beat = 0.0
        for midi, length in melody:
            if midi is not None:
                start = t0 + swung(beat) * beat_s
                nxt = beat + length
                dur = (swung(nxt) - swung(beat)) * beat_s * 0.92
                accent = 1.0 if abs(beat % arr.meter) < 1e-6 else 0.85
                render_note(
                    out, start, dur, midi + (12 if r % 2 and arr.lead == "vibes" else 0), lead, 0.30 * accent
                )
            beat += length
        _accompany(out, chords, arr, t0, beat_s, comp, bass, rng)
    _accompany(out, intro, arr, 0.0, beat_s, comp, bass, rng)
    end_t = intro_s + repeats * tune_s
    final = [pc + arr.transpose for pc in chord_notes(chords[-1] if chords else "-")]
    for pc in final:
        render_note(out, end_t, bar_s * 1.5, 55 + (pc - 55) % 12, comp, 0.09)
    if final:
        render_note(out, end_t, bar_s * 1.5, 36 + final[0] % 12, bass, 0.22)
        render_note(out, end_t, bar_s * 1.5, 60 + final[0] % 12, lead, 0.2)
    peak = float(np.max(np.abs(out))) or 1.0
    out *= 0.89 / peak  # about -1 dBFS
    # soft fade at the very end
    fade = int(0.4 * SAMPLE_RATE)
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    return out, intro_s


def _accompany(
    out: np.ndarray,
    chords: list[str],
    arr: Arrangement,
    t0: float,
    beat_s: float,
    comp: Voice,
    bass: Voice,
    rng: np.random.Generator,
) -> None:
    """Chords and bass under the tune, one chord per bar, in the arrangement's style."""
    bar_s = beat_s * arr.meter
    for b, name in enumerate(chords):
        pcs = tuple(pc + arr.transpose for pc in chord_notes(name))
        bar_t = t0 + b * bar_s
        if arr.ticks:
            for k in range(arr.meter * 2):
                off = k / 2 + (arr.swing / 2 if k % 2 else 0)
                render_noise_tick(out, bar_t + off * beat_s, 0.035 if k % 2 else 0.05, rng)
        if not pcs:
            continue
        root = pcs[0] % 12
        fifth = (root + 7) % 12
        bass_root = 36 + root if root < 8 else 24 + root  # E2..G2 range, never too low
        bass_fifth = bass_root + ((fifth - root) % 12)
        voicing = [55 + ((pc - 55) % 12) for pc in pcs]  # close voicing from G3 upwards
        if arr.style == "waltz":
            render_note(out, bar_t, beat_s * 0.9, bass_root, bass, 0.26)
            for beat in (1, 2):
                for m in voicing:
                    render_note(out, bar_t + beat * beat_s, beat_s * 0.5, m, comp, 0.07)
        elif arr.style in ("stride", "march", "swing"):
            for beat in range(arr.meter):
                if beat % 2 == 0:
                    note = bass_root if beat % 4 == 0 else bass_fifth
                    render_note(out, bar_t + beat * beat_s, beat_s * 0.8, note, bass, 0.26)
                    if arr.style == "swing":
                        walk = note + (2 if beat % 4 == 0 else -1)
                        render_note(out, bar_t + (beat + 1) * beat_s, beat_s * 0.8, walk, bass, 0.2)
                else:
                    for m in voicing:
                        render_note(out, bar_t + beat * beat_s, beat_s * 0.45, m, comp, 0.065)
        elif arr.style == "disco":
            for k in range(arr.meter * 2):
                note = bass_root + (12 if k % 2 else 0)
                render_note(out, bar_t + k * beat_s / 2, beat_s * 0.4, note, bass, 0.22)
            for beat in range(1, arr.meter, 2):
                for m in voicing:
                    render_note(out, bar_t + beat * beat_s, beat_s * 0.35, m + 12, comp, 0.05)
        elif arr.style == "rock":
            for k in range(arr.meter * 2):
                render_note(out, bar_t + k * beat_s / 2, beat_s * 0.45, bass_root, bass, 0.2)
            for beat in range(arr.meter):
                for m in voicing:
                    render_note(out, bar_t + beat * beat_s, beat_s * 0.6, m, comp, 0.05)
        else:  # "pad": a held chord and a soft bass on beat one (calm songs)
            render_note(out, bar_t, bar_s * 0.95, bass_root, bass, 0.2)
            for m in voicing:
                render_note(out, bar_t, bar_s * 0.97, m, comp, 0.06)
            if arr.meter >= 4:
                render_note(out, bar_t + 2 * beat_s, beat_s * 1.8, bass_fifth, bass, 0.12)


def compose_demo_tune(
    chords: list[str], meter: int, seed: int, *, phrase_bars: int = 4, octave: int = 5
) -> list[tuple[int | None, float]]:
    """An invented melody over ``chords`` (for the clearly labelled "demo" tunes): chord tones on strong
    beats, steps between, a repeated rhythm per phrase, a long note at each phrase end. Deterministic."""
    rng = random.Random(seed)
    patterns = {
        3: [[1.0, 1.0, 1.0], [2.0, 1.0], [1.5, 0.5, 1.0], [3.0]],
        4: [
            [1.0, 1.0, 1.0, 1.0],
            [1.5, 0.5, 1.0, 1.0],
            [2.0, 1.0, 1.0],
            [0.5, 0.5, 1.0, 2.0],
            [1.0, 0.5, 0.5, 2.0],
        ],
    }[3 if meter == 3 else 4]
    base = 12 * (octave - 1)
    melody: list[tuple[int | None, float]] = []
    last = base + 7 + 12 * 0
    phrase_rhythms = [rng.choice(patterns) for _ in range(phrase_bars)]
    for b, name in enumerate(chords):
        pcs = chord_notes(name) or (0, 4, 7)
        tones = sorted({base + (pc % 12) + o for pc in pcs for o in (0, 12)})
        end_of_phrase = b % phrase_bars == phrase_bars - 1
        rhythm = (
            [float(meter)]
            if end_of_phrase and b % (2 * phrase_bars) == 2 * phrase_bars - 1
            else ([float(meter - 1), 1.0] if end_of_phrase else phrase_rhythms[b % phrase_bars])
        )
        for k, length in enumerate(rhythm):
            if k == 0:
                target = min(tones, key=lambda m: (abs(m - last), m))
                if rng.random() < 0.35:
                    target = tones[min(len(tones) - 1, max(0, tones.index(target) + rng.choice((-1, 1))))]
            else:
                step = rng.choice((-2, -1, 1, 2, 2, -2))
                target = last + step
                scale = {0, 2, 4, 5, 7, 9, 11}
                while (target % 12) not in scale:
                    target += 1 if step > 0 else -1
            target = max(base + 2, min(base + 21, target))
            melody.append((target, length))
            last = target
    return melody
