"""Reading ``KIOSK_TEST_AUDIO_CAPTURE`` files (format: :mod:`kiosk.adapters.audio_capture`): what was heard, when.

::

    heard = read_capture(path)                       # every buffer, in the order libvlc delivered it
    loud = [b for b in heard if b.pts_s > changed_at + 0.5 and b.peak > 0]
    max(b.peak for b in loud) <= 0.30                # peaks as a fraction of full scale
"""

from __future__ import annotations

import array
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

BYTES_PER_FRAME = 4


@dataclass(frozen=True)
class Heard:
    """One decoded buffer: which player, when decoded and when due at the speaker (CLOCK_MONOTONIC s), and its
    loudness as a fraction of full scale (peak and RMS over both channels)."""

    slot: int
    mono_s: float
    pts_s: float
    frames: int
    peak: float
    rms: float


def read_capture(path: Path) -> list[Heard]:
    """Every complete buffer in the capture (a line whose samples are not all written yet is left out)."""
    path = Path(path)
    try:
        pcm = path.read_bytes()
        lines = path.with_name(path.name + ".jsonl").read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # the last line, half written
        start, size = int(entry["offset"]), int(entry["frames"]) * BYTES_PER_FRAME
        if start + size > len(pcm):
            continue
        samples = array.array("h")
        samples.frombytes(pcm[start : start + size])
        if sys.byteorder == "big":
            samples.byteswap()
        peak = max((abs(s) for s in samples), default=0) / 32767.0
        rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32767.0 if samples else 0.0
        out.append(
            Heard(
                int(entry["slot"]), float(entry["mono_s"]), float(entry["pts_s"]), entry["frames"], peak, rms
            )
        )
    return out


def loudest(heard: list[Heard], *, after_s: float = float("-inf"), before_s: float = float("inf")) -> float:
    """The highest peak among buffers due at the speaker between ``after_s`` and ``before_s`` (0 if none)."""
    return max((h.peak for h in heard if after_s < h.pts_s < before_s), default=0.0)
