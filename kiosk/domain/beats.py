"""Beat grids and the no-fail timing of play-along presses. Pure standard library.

A song's grid is stored in two places: the catalogue keeps its summary (tempo, first-beat offset, swing), so a
regular grid can always be rebuilt, and a per-song side file keeps every beat the analysis found (a band that
drifts keeps its drift). ``swing`` is where the off-beat falls inside a beat, as a share of the beat: 0.5 is
straight, about 0.67 a triplet swing; it describes the feel, and the grid's beats are the main beats either way.

No-fail timing (:func:`quantise`): a press up to :data:`EARLY_WINDOW_S` before a beat sounds on that beat;
every other press sounds at once. A press is never "wrong"; ``on_beat`` only feeds the engagement figures.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

EARLY_WINDOW_S = 0.150  # a press this close before a beat waits for it
ON_BEAT_S = 0.100  # a press within this of a beat (after it, or snapped to it) counts as on the beat
MIN_TEMPO_BPM = 40.0
MAX_TEMPO_BPM = 220.0
MIN_CONFIDENCE = 0.35  # below this the analysis is not trusted (see kiosk.adapters.beat_analysis)
PULSE_DECAY_S = 0.35  # the on-screen pulse swells on the beat and fades over this long


@dataclass(frozen=True)
class BeatSummary:
    """What the catalogue keeps per song: enough for a regular grid. ``source``: ``"analysis"`` or
    ``"sidecar"`` (the file's bpm with a first beat found in the audio)."""

    tempo_bpm: float
    first_beat_s: float
    swing: float = 0.5
    confidence: float = 1.0
    source: str = "analysis"

    @property
    def period_s(self) -> float:
        return 60.0 / self.tempo_bpm

    def usable(self) -> bool:
        return (
            MIN_TEMPO_BPM <= self.tempo_bpm <= MAX_TEMPO_BPM
            and self.first_beat_s >= 0
            and self.confidence >= MIN_CONFIDENCE
        )

    def to_dict(self) -> dict[str, float | str]:
        return {
            "tempo_bpm": round(self.tempo_bpm, 3),
            "first_beat_s": round(self.first_beat_s, 4),
            "swing": round(self.swing, 3),
            "confidence": round(self.confidence, 3),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, doc: object) -> BeatSummary | None:
        """The summary stored in ``doc``, or None when it is missing or damaged."""
        if not isinstance(doc, dict):
            return None
        try:
            out = cls(
                float(doc["tempo_bpm"]),
                float(doc["first_beat_s"]),
                float(doc.get("swing", 0.5)),
                float(doc.get("confidence", 1.0)),
                str(doc.get("source", "analysis")),
            )
        except (KeyError, TypeError, ValueError):
            return None
        ok = all(math.isfinite(v) for v in (out.tempo_bpm, out.first_beat_s, out.swing, out.confidence))
        return out if ok else None


@dataclass(frozen=True)
class BeatGrid:
    """Beat times in song seconds, ascending (from the side file, or rebuilt from the summary)."""

    beats: tuple[float, ...]
    tempo_bpm: float
    swing: float = 0.5

    def next_beat(self, position_s: float) -> float | None:
        """The first beat at or after ``position_s``; past the last one the grid runs on at the tempo."""
        i = bisect.bisect_left(self.beats, position_s)
        if i < len(self.beats):
            return self.beats[i]
        if not self.beats:
            return None
        period = 60.0 / self.tempo_bpm
        last = self.beats[-1]
        return last + math.ceil((position_s - last) / period) * period

    def previous_beat(self, position_s: float) -> float | None:
        i = bisect.bisect_right(self.beats, position_s)
        return self.beats[i - 1] if i > 0 else None


def regular_grid(summary: BeatSummary, duration_s: float) -> BeatGrid:
    """Every beat of a steady tempo from the first beat to the end of the song."""
    period = summary.period_s
    count = max(0, int((max(duration_s, summary.first_beat_s) - summary.first_beat_s) / period) + 1)
    beats = tuple(round(summary.first_beat_s + k * period, 4) for k in range(count))
    return BeatGrid(beats, summary.tempo_bpm, summary.swing)


def grid_from_side(doc: object, summary: BeatSummary | None, duration_s: float) -> BeatGrid | None:
    """The side file's beats when they are sound (ascending, numbers), else the summary's regular grid."""
    if isinstance(doc, dict):
        raw = doc.get("beats")
        if isinstance(raw, list) and len(raw) >= 4:
            try:
                beats = tuple(float(b) for b in raw)
            except (TypeError, ValueError):
                beats = ()
            ordered = all(b2 > b1 for b1, b2 in zip(beats, beats[1:], strict=False))
            if beats and ordered and all(math.isfinite(b) for b in beats):
                tempo = summary.tempo_bpm if summary else 60.0 * (len(beats) - 1) / (beats[-1] - beats[0])
                return BeatGrid(beats, tempo, summary.swing if summary else 0.5)
    if summary is not None and summary.usable():
        return regular_grid(summary, duration_s)
    return None


@dataclass(frozen=True)
class Timing:
    """When a press sounds: ``delay_s`` after the press (0: at once), and whether it counts as on the beat."""

    delay_s: float
    on_beat: bool


def quantise(grid: BeatGrid | None, position_s: float, early_s: float = EARLY_WINDOW_S) -> Timing:
    """No-fail timing for a press at song position ``position_s``.

    Up to ``early_s`` before a beat: wait for the beat (on the beat). Otherwise at once; on the beat when it
    falls within :data:`ON_BEAT_S` after one. Without a grid: at once, not on a beat.
    """
    if grid is None:
        return Timing(0.0, False)
    ahead = grid.next_beat(position_s)
    if ahead is not None and 0.0 <= ahead - position_s <= early_s:
        return Timing(round(ahead - position_s, 6), True)
    behind = grid.previous_beat(position_s)
    return Timing(0.0, behind is not None and position_s - behind <= ON_BEAT_S)


def pulse(grid: BeatGrid | None, position_s: float, decay_s: float = PULSE_DECAY_S) -> float:
    """The on-screen pulse, 0-1: 1 on a beat, fading smoothly (a cosine) to 0 over ``decay_s``."""
    if grid is None:
        return 0.0
    beat = grid.previous_beat(position_s)
    if beat is None:
        return 0.0
    since = position_s - beat
    if since >= decay_s:
        return 0.0
    return (1 + math.cos(math.pi * since / decay_s)) / 2
