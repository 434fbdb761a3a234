"""The real audio player: python-vlc, one long-lived libvlc instance, a fixed pair of long-lived players.

Why it looks like this:

- Players are created once and reused for every song (creating and releasing one per song leaks and freezes:
  python-vlc #250). Two players let the radio dial and "another song" crossfade.
- libvlc calls back on its own threads. The callbacks here only append a small :class:`PlayerEvent` to a
  thread-safe deque and call the waker; they never call libvlc (doing so deadlocks: measured). The main loop
  drains them with :meth:`VlcPlayer.poll`.
- Volume: ``audio_set_volume`` is ignored until audio plays (songs would start at full volume, python-vlc
  #220) and reads 0 under the dummy output. So the level lives in the signal path instead: each player has an
  equalizer whose preamp is set BEFORE ``play()`` and changed for fades. The libvlc equalizer's preamp of
  +12 dB is unity gain (measured on decoded samples: 0 dB preamp = -12 dB), its range is -20..+20 dB, so the
  usable range is unity down to -32 dB (2.5 %); fades end in a pause or stop below that.
- Obviously bad files (missing, zero bytes) are reported at once without asking libvlc.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import vlc

from kiosk.domain.playback import PlayerEvent, PlayerEventKind, level_db

log = logging.getLogger(__name__)

UNITY_PREAMP_DB = 12.0  # libvlc equalizer preamp that leaves samples unchanged (measured)
MIN_PREAMP_DB = -20.0  # libvlc's lowest preamp
OUTPUTS = ("auto", "alsa", "pulse", "pipewire", "dummy")


def resolve_output(output: str, device: str = "") -> str:
    """The libvlc audio output module for the configured ``output`` (``auto`` picks what this machine has).

    ``auto``: ALSA when a device is named; PulseAudio/PipeWire when a user session's sound server runs;
    ALSA when the kernel sees a sound card; else ``dummy`` (no sound, so the kiosk still runs; doctor warns).
    """
    if output in ("alsa", "pulse", "dummy"):
        return output
    if output == "pipewire":
        return "pulse"  # PipeWire serves the PulseAudio protocol; libvlc 3 has no native module
    if device:
        return "alsa"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.environ.get("PULSE_SERVER") or (runtime and Path(runtime, "pulse", "native").exists()):
        return "pulse"
    try:
        cards = Path("/proc/asound/cards").read_text(encoding="utf-8", errors="replace")
    except OSError:
        cards = ""
    if cards.strip() and "no soundcards" not in cards:
        return "alsa"
    return "dummy"


def preamp_for(level: float) -> float:
    """Equalizer preamp (dB) giving the linear amplitude ``level`` (clamped to unity .. -32 dB)."""
    if level >= 1.0:
        return UNITY_PREAMP_DB
    return max(MIN_PREAMP_DB, min(UNITY_PREAMP_DB, level_db(level) + UNITY_PREAMP_DB))


# An optional tap on the decoded audio (tests check the very first buffer's peak; KIOSK_TEST_AUDIO_CAPTURE):
# (slot, S16 stereo 44.1 kHz bytes, pts_us: when libvlc plays them, on CLOCK_MONOTONIC in microseconds).
AudioCapture = Callable[[int, bytes, int], None]


class VlcPlayer:
    """Implements :class:`kiosk.domain.ports.Player` with libvlc."""

    def __init__(
        self,
        output: str = "auto",
        device: str = "",
        *,
        slots: int = 2,
        max_level: float = 1.0,
        capture: AudioCapture | None = None,
        extra_args: Sequence[str] = (),
    ):
        self.output = resolve_output(output, device)
        args = ["--no-video", "--quiet", "--intf=dummy", "--no-stats", f"--aout={self.output}"]
        if self.output == "alsa" and device:
            args.append(f"--alsa-audio-device={device}")
        args.extend(extra_args)
        self.max_level = max(0.0, min(1.0, max_level))
        self._instance: Any = vlc.Instance(args)
        if self._instance is None:
            raise RuntimeError("libvlc could not start (are libvlc5 and vlc-plugin-base installed?)")
        self._events: deque[PlayerEvent] = deque()
        self._waker: Callable[[], None] | None = None
        self._tokens = [0] * slots
        self._next_token = 0
        self._players: list[Any] = []
        self._equalizers: list[Any] = []
        self._callbacks: list[Any] = []  # ctypes callbacks must outlive the players
        for slot in range(slots):
            mp = self._instance.media_player_new()
            eq = vlc.AudioEqualizer()
            for band in range(vlc.libvlc_audio_equalizer_get_band_count()):
                eq.set_amp_at_index(0.0, band)
            eq.set_preamp(MIN_PREAMP_DB)
            mp.set_equalizer(eq)
            events = mp.event_manager()
            events.event_attach(
                vlc.EventType.MediaPlayerPlaying, self._on_event, slot, PlayerEventKind.PLAYING
            )
            events.event_attach(
                vlc.EventType.MediaPlayerEndReached, self._on_event, slot, PlayerEventKind.ENDED
            )
            events.event_attach(
                vlc.EventType.MediaPlayerEncounteredError, self._on_event, slot, PlayerEventKind.ERROR
            )
            if capture is not None:
                self._attach_capture(mp, slot, capture)
            self._players.append(mp)
            self._equalizers.append(eq)

    # --- libvlc's threads: post and return, never call libvlc here ------------------------------------------

    def _on_event(self, _event: Any, slot: int, kind: PlayerEventKind) -> None:
        error = "libvlc could not play this file" if kind is PlayerEventKind.ERROR else ""
        self._post(PlayerEvent(slot, self._tokens[slot], kind, error))

    def _post(self, event: PlayerEvent) -> None:
        self._events.append(event)
        waker = self._waker
        if waker is not None:
            waker()

    def _attach_capture(self, mp: Any, slot: int, capture: AudioCapture) -> None:
        @vlc.CallbackDecorators.AudioPlayCb
        def play_cb(_opaque: Any, samples: Any, count: int, pts: int) -> None:
            capture(slot, ctypes.string_at(samples, count * 4), int(pts))

        self._callbacks.append(play_cb)
        mp.audio_set_callbacks(play_cb, None, None, None, None, None)
        mp.audio_set_format("S16N", 44100, 2)

    # --- the main loop ------------------------------------------------------------------------------------

    def set_waker(self, waker: Callable[[], None] | None) -> None:
        self._waker = waker

    def poll(self) -> list[PlayerEvent]:
        out: list[PlayerEvent] = []
        while self._events:
            event = self._events.popleft()
            if event.kind is PlayerEventKind.ENDED and event.token == self._tokens[event.slot]:
                length = int(self._players[event.slot].get_length() or 0)
                event = PlayerEvent(event.slot, event.token, event.kind, event.error, max(0, length))
            out.append(event)
        return out

    def start(self, slot: int, path: str, level: float, start_ms: int = 0) -> int:
        mp = self._players[slot]
        mp.stop()  # synchronous: the old media's events have all been posted (with the old token)
        self._next_token += 1
        token = self._next_token
        self._tokens[slot] = token
        problem = _obvious_problem(path)
        if problem:
            self._post(PlayerEvent(slot, token, PlayerEventKind.ERROR, problem))
            return token
        self._apply_level(slot, level)  # before play(): the ceiling holds from the first sample
        media = self._instance.media_new_path(path)
        if start_ms > 0:
            media.add_option(f":start-time={start_ms / 1000.0:.3f}")
        mp.set_media(media)
        media.release()  # the player keeps its own reference
        if mp.play() == -1:
            self._post(PlayerEvent(slot, token, PlayerEventKind.ERROR, "libvlc refused to play this file"))
        return token

    def set_level(self, slot: int, level: float) -> None:
        self._apply_level(slot, level)

    def _apply_level(self, slot: int, level: float) -> None:
        eq = self._equalizers[slot]
        eq.set_preamp(preamp_for(min(level, self.max_level)))
        self._players[slot].set_equalizer(eq)

    def pause(self, slot: int) -> None:
        self._players[slot].set_pause(1)

    def resume(self, slot: int) -> None:
        self._players[slot].set_pause(0)

    def stop(self, slot: int) -> None:
        self._players[slot].stop()
        self._next_token += 1
        self._tokens[slot] = self._next_token  # late events of what it played are now stale

    def position_ms(self, slot: int) -> int:
        return max(0, int(self._players[slot].get_time() or 0))

    def close(self) -> None:
        """Stop and release everything (the instance last)."""
        for mp in self._players:
            with contextlib.suppress(Exception):
                mp.stop()
                mp.event_manager().event_detach(vlc.EventType.MediaPlayerPlaying)
                mp.event_manager().event_detach(vlc.EventType.MediaPlayerEndReached)
                mp.event_manager().event_detach(vlc.EventType.MediaPlayerEncounteredError)
            with contextlib.suppress(Exception):
                mp.release()
        self._players.clear()
        if self._instance is not None:
            with contextlib.suppress(Exception):
                self._instance.release()
            self._instance = None


def _obvious_problem(path: str) -> str:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return "file missing"
    except OSError as exc:
        return f"file unreadable: {exc.strerror or exc}"
    if size == 0:
        return "file is empty (0 bytes)"
    return ""
