"""A small percussion mixer that keeps one output stream open beside libvlc (implements ``ports.Percussion``).

Why: starting a libvlc media per press takes tens of milliseconds and more; Play along needs a sound at the
press. The mixer's stream stays open; a press only appends a voice (a sound, its start time, its level) under a
lock, and the output's callback mixes the voices due in each block. Blocks are 256 frames (5.8 ms at 44.1 kHz),
so a press reaches the samples handed to the audio API within about one block.

Level: each voice's peak is the level the engine gives (the music's level: volume and every cap, at most the
kiosk's max), and the mixed block is clipped to the highest level of the voices sounding, so several
instruments at once never pass the ceiling either.

Outputs:

- :class:`SoundDeviceOutput`: PortAudio through ``sounddevice``, on the same ALSA device as libvlc
  (``[audio] device``, the installer's ``encore`` dmix device, which mixes both streams).
- :class:`NullOutput`: no sound card (tests, CI, a kiosk whose device cannot open): a thread pulls blocks at the
  real pace through the same mixing code; a ``capture(block, mono_s)`` callback gets every block handed on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.adapters.percussion import RATE_HZ, load_sounds

log = logging.getLogger(__name__)

BLOCK_FRAMES = 256
Capture = Callable[[np.ndarray, float], None]  # (int16 stereo block, monotonic time handed on)


@dataclass(eq=False)  # compared by identity (the sound is an array)
class _Voice:
    sound: np.ndarray
    start_s: float  # monotonic time its first sample is due
    level: float
    pressed_s: float  # monotonic time of the press (for the latency figures)
    pos: int = 0  # frames already mixed


class Mixer:
    """Mixes percussion voices into blocks; :meth:`render` is called by an output for every block."""

    def __init__(
        self,
        sounds: dict[str, np.ndarray],
        *,
        max_level: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_first_block: Callable[[float, float], None] | None = None,
    ):
        self.sounds = sounds
        self.max_level = max(0.0, min(1.0, max_level))
        self.monotonic = monotonic
        self.on_first_block = on_first_block  # (pressed_s, handed_s): a voice's first samples went out
        self._voices: list[_Voice] = []
        self._pending: list[_Voice] = []
        self._lock = threading.Lock()

    def play(self, instrument: str, delay_s: float, level: float) -> None:
        sound = self.sounds.get(instrument)
        if sound is None:
            return
        now = self.monotonic()
        voice = _Voice(sound, now + max(0.0, delay_s), max(0.0, min(level, self.max_level)), now)
        with self._lock:
            self._pending.append(voice)

    def render(self, frames: int, block_start_s: float) -> np.ndarray:
        """The next ``frames`` frames (float32 stereo), starting at ``block_start_s`` on the monotonic clock.

        A voice due before the block starts (a press at once) begins at the block's first frame.
        """
        with self._lock:
            if self._pending:
                self._voices.extend(self._pending)
                self._pending.clear()
            voices = list(self._voices)
        mono = np.zeros(frames, dtype=np.float32)
        ceiling = 0.0
        done: list[_Voice] = []
        for v in voices:
            offset = 0 if v.pos else int(round((v.start_s - block_start_s) * RATE_HZ))
            if offset >= frames:
                continue  # due in a later block
            offset = max(0, offset)
            chunk = v.sound[v.pos : v.pos + frames - offset]
            if v.pos == 0 and self.on_first_block is not None:
                self.on_first_block(v.pressed_s, self.monotonic())
            mono[offset : offset + len(chunk)] += chunk * v.level
            v.pos += len(chunk)
            ceiling = max(ceiling, v.level)
            if v.pos >= len(v.sound):
                done.append(v)
        if done:
            with self._lock:
                self._voices = [v for v in self._voices if all(v is not d for d in done)]
        if ceiling > 0:
            np.clip(mono, -ceiling, ceiling, out=mono)
        return np.repeat(mono[:, None], 2, axis=1)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._voices or self._pending)


def to_int16(block: np.ndarray) -> np.ndarray:
    """Float samples -> the S16 the outputs hand on (rounded towards zero, so a peak never grows)."""
    return np.trunc(np.clip(block, -1.0, 1.0) * 32767.0).astype(np.int16)


class NullOutput:
    """No sound card: a thread renders blocks at the real pace and gives each to ``capture`` (if any)."""

    def __init__(self, mixer: Mixer, capture: Capture | None = None, block_frames: int = BLOCK_FRAMES):
        self.mixer = mixer
        self.capture = capture
        self.block_frames = block_frames
        self.latency_s = block_frames / RATE_HZ
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="percussion-null", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = self.block_frames / RATE_HZ
        due = self.mixer.monotonic()
        while not self._stop.is_set():
            now = self.mixer.monotonic()
            if now < due:
                self._stop.wait(due - now)
                continue
            block = to_int16(self.mixer.render(self.block_frames, now))
            if self.capture is not None and np.any(block):
                self.capture(block, now)
            due += period
            if now - due > 0.5:  # asleep for long (a loaded machine): carry on from now
                due = now

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


class SoundDeviceOutput:
    """PortAudio (sounddevice) output stream kept open; the callback mixes each block."""

    def __init__(self, mixer: Mixer, device: str = "", block_frames: int = BLOCK_FRAMES):
        import sounddevice

        self.mixer = mixer
        self._stream: Any = sounddevice.OutputStream(
            samplerate=RATE_HZ,
            channels=2,
            dtype="int16",
            blocksize=block_frames,
            latency="low",
            device=device or None,
            callback=self._callback,
        )
        self.latency_s = float(self._stream.latency)
        self._stream.start()

    def _callback(self, out: Any, frames: int, _time: Any, _status: Any) -> None:
        out[:] = to_int16(self.mixer.render(frames, self.mixer.monotonic()))

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            log.debug("percussion: closing the stream failed", exc_info=True)


class PercussionPlayer:
    """The mixer and its output, built once: what the session engine gets as ``percussion``."""

    def __init__(self, mixer: Mixer, output: NullOutput | SoundDeviceOutput, description: str):
        self.mixer = mixer
        self.output = output
        self.description = description

    def play(self, instrument: str, delay_s: float, level: float) -> None:
        self.mixer.play(instrument, delay_s, level)

    def close(self) -> None:
        self.output.close()


def open_percussion(
    *,
    output: str,
    device: str,
    max_level: float,
    sounds_dir: Path | None,
    capture: Capture | None = None,
) -> PercussionPlayer:
    """The percussion player for this machine. Never raises: without a usable device it runs the null output
    (silent, and says so), so presses are still counted and the kiosk never stops for a sound card.

    ``output`` is ``[audio] output`` as libvlc resolved it: ``dummy`` (or a ``capture`` asked for) gives the
    null output; otherwise PortAudio on ``device`` (``[audio] device``; empty: the system's default).
    """
    mixer = Mixer(load_sounds(sounds_dir), max_level=max_level)
    if output != "dummy" and capture is None:
        try:
            out = SoundDeviceOutput(mixer, device)
            return PercussionPlayer(mixer, out, f"percussion on {device or 'the default device'}")
        except Exception as exc:  # no PortAudio, no device, device busy: silent but counting
            log.warning("percussion: no sound output (%s); presses are counted but silent", exc)
    return PercussionPlayer(mixer, NullOutput(mixer, capture), "percussion: no sound output (null)")
