"""``KIOSK_TEST_AUDIO_CAPTURE=FILE``: the decoded sound written to a file, so a test can hear the real kiosk.

Observation only: the player's level, fades and caps are exactly as without it. The one difference is where
the sound goes: libvlc hands every decoded buffer to this file instead of the sound card (libvlc's audio
callbacks replace the output; the tests run with ``output = "dummy"`` anyway). Never set on a real kiosk.

Format (simple on purpose):

- ``FILE``: raw PCM, signed 16-bit little-endian, 2 channels interleaved, 44,100 frames a second, every
  buffer appended in the order libvlc delivered it (both players, one after the other);
- ``FILE.jsonl``: one line per buffer, written after its samples::

      {"slot": 0, "offset": 0, "frames": 8192, "mono_s": 123.456, "pts_s": 124.742}

  ``offset`` is the buffer's first byte in ``FILE``; ``mono_s`` is when it was decoded and ``pts_s`` when it is
  due at the speaker, both on ``CLOCK_MONOTONIC`` (Python's ``time.monotonic()`` in any process on the same
  machine). libvlc decodes ~1.3 s ahead, so a change made at time T is heard in buffers with ``pts_s`` > T.

Written on libvlc's audio threads: a lock and two ``os.write`` calls, never a libvlc call.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

ENV = "KIOSK_TEST_AUDIO_CAPTURE"
RATE_HZ = 44_100
CHANNELS = 2
BYTES_PER_FRAME = 2 * CHANNELS


class CaptureFile:
    """An :data:`kiosk.adapters.player.AudioCapture` writing ``FILE`` and ``FILE.jsonl`` (see the module)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.index_path = self.path.with_name(self.path.name + ".jsonl")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
        self._pcm = os.open(self.path, flags, 0o600)
        self._index = os.open(self.index_path, flags, 0o600)
        self._lock = threading.Lock()
        self._offset = 0

    def __call__(self, slot: int, data: bytes, pts_us: int) -> None:
        mono_s = time.monotonic()
        with self._lock:
            if self._pcm < 0:
                return
            offset = self._offset
            _write_all(self._pcm, data)
            self._offset += len(data)
            line = {
                "slot": slot,
                "offset": offset,
                "frames": len(data) // BYTES_PER_FRAME,
                "mono_s": round(mono_s, 6),
                "pts_s": round(pts_us / 1e6, 6),
            }
            _write_all(self._index, (json.dumps(line) + "\n").encode("ascii"))

    def close(self) -> None:
        with self._lock:
            for fd in (self._pcm, self._index):
                if fd >= 0:
                    os.close(fd)
            self._pcm = self._index = -1


def capture_from_env(environ: Mapping[str, str] = os.environ) -> CaptureFile | None:
    """The capture asked for by ``KIOSK_TEST_AUDIO_CAPTURE``, or None (the normal case)."""
    path = environ.get(ENV, "").strip()
    return CaptureFile(Path(path)) if path else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
