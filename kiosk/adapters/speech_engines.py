"""Text-to-speech engines behind :class:`kiosk.adapters.speech.SpeechService`: Piper (the residents' voice) and
espeak-ng (tests only).

- **Piper** (``piper-tts``, GPL-3.0-or-later, with ONNX Runtime, MIT): a natural neural voice that runs on a
  Pi 4/5 CPU. It is an optional extra (``pip install 'encore-kiosk[voice]'``) and imported only when the first
  line is rendered, on the speech worker thread, so a kiosk without it starts exactly as before.
- **espeak-ng** (Debian package, GPL-3.0): a robotic formant voice, used by the tests because it is small and
  fast. A robotic voice must never be what residents hear: the kiosk uses it only when
  ``KIOSK_TEST_VOICE=espeak-ng`` is set (tests), never by itself.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import threading
import wave
from pathlib import Path
from typing import Any, Protocol

from kiosk.adapters.voices import InstalledVoice, choose_voice

TEST_VOICE_ENV = "KIOSK_TEST_VOICE"  # tests only: "espeak-ng"
RENDER_TIMEOUT_S = 60.0


class SpeechEngine(Protocol):
    """Renders text to a WAV file (called on the speech worker thread only)."""

    voice_id: str  # names the voice and its settings: part of the cache key

    def render(self, text: str, out: Path) -> None: ...


class EspeakEngine:
    """espeak-ng through its command line (tests only: see the module)."""

    def __init__(self, voice: str = "en-gb", words_per_minute: int = 140, binary: str = "espeak-ng"):
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.binary = binary
        self.voice_id = f"espeak-ng:{voice}:{words_per_minute}"

    def render(self, text: str, out: Path) -> None:
        subprocess.run(
            [self.binary, "-v", self.voice, "-s", str(self.words_per_minute), "-w", str(out), "--", text],
            check=True,
            timeout=RENDER_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


def piper_installed() -> bool:
    """Whether the optional Piper engine can be imported (without importing it)."""
    return importlib.util.find_spec("piper") is not None


class PiperEngine:
    """A Piper voice (``.onnx`` + ``.onnx.json``), loaded on first use. ``length_scale`` > 1 speaks slower."""

    def __init__(self, model: Path, config: Path, *, length_scale: float = 1.15, sha256: str = ""):
        self.model = Path(model)
        self.config = Path(config)
        self.length_scale = length_scale
        tag = sha256[:12] or hashlib.sha256(str(self.model).encode()).hexdigest()[:12]
        self.voice_id = f"piper:{self.model.stem}:{tag}:{length_scale:g}"
        self._voice: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._voice is None:
                from piper import PiperVoice  # optional extra, GPL-3.0: imported here only

                self._voice = PiperVoice.load(self.model, config_path=self.config)
            return self._voice

    def render(self, text: str, out: Path) -> None:
        from piper import SynthesisConfig

        voice = self._load()
        with wave.open(str(out), "wb") as wav:
            voice.synthesize_wav(text, wav, syn_config=SynthesisConfig(length_scale=self.length_scale))


def engine_for(
    data_dir: Path, wanted: str = "", *, length_scale: float = 1.15, environ: dict[str, str] | None = None
) -> tuple[SpeechEngine | None, str]:
    """The engine the kiosk speaks with, or None and why not (plain words for staff)."""
    env = os.environ if environ is None else environ
    if env.get(TEST_VOICE_ENV, "").strip() == "espeak-ng":
        if shutil.which("espeak-ng") is None:
            return None, "the test voice (espeak-ng) is not installed"
        return EspeakEngine(), ""
    voice: InstalledVoice | None = choose_voice(data_dir, wanted)
    if voice is None:
        if wanted:
            return None, f"the voice {wanted!r} ([voice] voice) is not installed (kiosk voice list)"
        return None, "no natural voice is installed (kiosk voice install FILE; see docs/guide/voice.md)"
    if not piper_installed():
        return None, "the Piper speech engine is not installed (pip install 'encore-kiosk[voice]')"
    engine = PiperEngine(
        voice.model(data_dir), voice.config(data_dir), length_scale=length_scale, sha256=voice.sha256
    )
    return engine, ""
