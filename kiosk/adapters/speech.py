"""The gentle voice's renderer: implements :class:`kiosk.domain.ports.Speech` over a :class:`SpeechEngine`.

- One worker thread renders what the engine asks for (``prepare``); the main loop only looks up finished
  clips (``ready``), so speaking never waits on rendering and a failure only means that line is not said.
- Clips are cached in ``<data>/speech-cache/<sha256(voice + text)>.wav`` (0600), size-capped: the least
  recently used go first. Cached text is what the kiosk says aloud (an introduction may hold an age); the
  cache is derived data and safe to delete. Nothing about the text goes to the log.
- Each clip is levelled: speech at about -20 dBFS RMS (near ReplayGain's music reference), peaks at most
  -1 dBFS. The player then applies the same volume and caps as for music.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import threading
import wave
from pathlib import Path

import numpy as np

from kiosk.adapters.atomic import fsync_dir
from kiosk.adapters.speech_engines import SpeechEngine
from kiosk.domain.playback import SpeechClip

log = logging.getLogger(__name__)

CACHE_DIR = "speech-cache"
TARGET_RMS_DBFS = -20.0
PEAK_DBFS = -1.0
SILENCE_DBFS = -45.0  # frames quieter than this do not count towards the speech level


def cache_key(voice_id: str, text: str) -> str:
    return hashlib.sha256(f"{voice_id}\n{text}".encode()).hexdigest()[:40]


def wav_duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


def level_wav(src: Path, dst: Path) -> float:
    """Write ``src`` (16-bit PCM, mono or stereo) levelled into ``dst`` as mono; returns its duration (s)."""
    with wave.open(str(src), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{width * 8}-bit speech is not supported")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if samples.size == 0:
        raise ValueError("the engine rendered no audio")
    block = max(1, rate // 50)  # 20 ms
    usable = samples[: samples.size // block * block].reshape(-1, block) if samples.size >= block else None
    if usable is not None:
        rms = np.sqrt(np.mean(usable**2, axis=1))
        active = rms[rms > 10 ** (SILENCE_DBFS / 20)]
    else:
        active = np.array([])
    if active.size == 0:
        raise ValueError("the engine rendered silence")
    level = float(np.sqrt(np.mean(active**2)))
    gain = 10 ** (TARGET_RMS_DBFS / 20) / level
    peak = float(np.max(np.abs(samples)))
    gain = min(gain, 10 ** (PEAK_DBFS / 20) / peak)
    out = np.clip(samples * gain, -1.0, 1.0)
    pcm = (out * 32767.0).astype("<i2").tobytes()
    with wave.open(str(dst), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return samples.size / float(rate)


class SpeechService:
    """Implements :class:`kiosk.domain.ports.Speech`. ``engine`` None: the kiosk does not speak (``reason``)."""

    def __init__(self, engine: SpeechEngine | None, data_dir: Path, *, reason: str = "", cache_mb: int = 64):
        self.engine = engine
        self.reason = "" if engine is not None else (reason or "no voice")
        self.folder = Path(data_dir) / CACHE_DIR
        self.cap_bytes = max(1, cache_mb) * 1024 * 1024
        self._lock = threading.Lock()
        self._clips: dict[str, SpeechClip] = {}
        self._queued: set[str] = set()
        self._failed: set[str] = set()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.rendered = 0  # counters for the bench and tests
        self.cache_hits = 0
        self.render_s: list[tuple[float, float]] = []  # (render seconds, audio seconds) per rendered clip

    # --- the main loop: never waits -------------------------------------------------------------------------

    def unavailable(self) -> str:
        return self.reason

    def prepare(self, text: str) -> None:
        if self.engine is None or not text.strip():
            return
        with self._lock:
            if text in self._clips or text in self._queued or text in self._failed:
                return
            self._queued.add(text)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
                self._thread.start()
        self._queue.put(text)

    def ready(self, text: str) -> SpeechClip | None:
        with self._lock:
            clip = self._clips.get(text)
        if clip is None:
            self.prepare(text)  # asked without being prepared: it will be there next time
        return clip

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Tests and benches: wait until everything asked for is rendered (or failed)."""
        import time

        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            with self._lock:
                if not self._queued:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=5.0)
        self._thread = None

    # --- the worker thread ----------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            clip: SpeechClip | None = None
            try:
                clip = self._render(text)
            except Exception as exc:  # that line is not said; the music plays
                log.warning("speech: a line could not be rendered (%s)", type(exc).__name__)
            with self._lock:
                if clip is not None:
                    self._clips[text] = clip
                else:
                    self._failed.add(text)
                self._queued.discard(text)

    def _render(self, text: str) -> SpeechClip:
        import time

        assert self.engine is not None
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / f"{cache_key(self.engine.voice_id, text)}.wav"
        if path.is_file():
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept longest
                self.cache_hits += 1
                return SpeechClip(str(path), wav_duration_s(path))
        raw = self.folder / f".{path.stem}.{os.getpid()}.raw.wav"
        part = self.folder / f".{path.stem}.{os.getpid()}.part.wav"
        try:
            started = time.perf_counter()
            self.engine.render(text, raw)
            duration = level_wav(raw, part)
            self.render_s.append((time.perf_counter() - started, duration))
            part.chmod(0o600)
            part.replace(path)
            fsync_dir(self.folder)
        finally:
            raw.unlink(missing_ok=True)
            part.unlink(missing_ok=True)
        self.rendered += 1
        self._trim(keep=path)
        return SpeechClip(str(path), duration)

    def _trim(self, keep: Path) -> None:
        """Delete the least recently used clips while the cache is over its cap."""
        try:
            files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*.wav")]
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.cap_bytes:
                break
            if path == keep:
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
                with self._lock:
                    for text in [t for t, c in self._clips.items() if c.path == str(path)]:
                        del self._clips[text]
        # temp files of a killed worker
        for stale in self.folder.glob(".*.wav"):
            if f".{os.getpid()}." not in stale.name:
                with contextlib.suppress(OSError):
                    stale.unlink()
