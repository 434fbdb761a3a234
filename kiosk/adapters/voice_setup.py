"""The gentle voice's outside-world parts, put together for the composition root (:mod:`kiosk.wiring`).

:func:`build_voice` returns the engine's :class:`VoiceParts` (speech, settings, the clock's basis, the home's
local time, a song's lyrics, the imagery scripts) and the :class:`SpeechService` to close. Without a natural
voice the service says why and the engine never speaks. Also the readers for lyrics and scripts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.speech import SpeechService
from kiosk.adapters.speech_engines import engine_for
from kiosk.adapters.voice_switches import effective_config, stored_switches
from kiosk.config import VoiceConfig
from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.lyrics import LyricLine, parse_lrc
from kiosk.domain.models import Song
from kiosk.domain.ports import Clock
from kiosk.domain.session_voice import VoiceParts
from kiosk.domain.voice import IntroEvery, VoiceSettings
from kiosk.domain.voice_scripts import Say, Script, parse_script

log = logging.getLogger(__name__)

SHIPPED_SCRIPTS = Path(__file__).resolve().parents[2] / "content" / "scripts"
MAX_SCRIPT_BYTES = 64 * 1024
MAX_LYRICS_BYTES = 256 * 1024


def voice_settings(config: VoiceConfig, *, personal: bool) -> VoiceSettings:
    return VoiceSettings(
        enabled=config.enabled,
        intros=IntroEvery(config.intros),
        intro_age=config.intro_age,
        orientation=config.orientation,
        lyric_coach=config.lyric_coach,
        imagery=config.imagery,
        imagery_script=config.imagery_script,
        home_mix=config.home_mix,
        personal=personal,
        duck_db=config.duck_db,
    )


def scripts_folder(config: VoiceConfig, data_dir: Path) -> Path:
    """``[voice] scripts_dir``, else ``<data>/scripts`` when it exists, else the scripts shipped with Encore."""
    if config.scripts_dir:
        return Path(config.scripts_dir)
    own = Path(data_dir) / "scripts"
    return own if own.is_dir() else SHIPPED_SCRIPTS


def read_scripts(folder: Path) -> tuple[list[Script], list[str]]:
    """Every ``*.txt`` script in ``folder`` and the problems found (``FILE:LINE: message``)."""
    scripts, problems = [], []
    for path in sorted(Path(folder).glob("*.txt")):
        try:
            raw = path.read_bytes()[:MAX_SCRIPT_BYTES]
            text = raw.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read as UTF-8 text ({exc})")
            continue
        script, found = parse_script(path.stem, text)
        problems += [f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in found]
        if any(isinstance(p, Say) for p in script.parts):
            scripts.append(script)
    return scripts, problems


def lyrics_reader(music_dir: Path) -> Callable[[Song], tuple[LyricLine, ...]]:
    """A song's timed LRC lines (a plain-text lyrics file has no times: no cues)."""

    def lyrics(song: Song) -> tuple[LyricLine, ...]:
        if not song.lyrics_path or not song.lyrics_path.lower().endswith(".lrc"):
            return ()
        path = Path(song.lyrics_path)
        if not path.is_absolute():
            path = Path(music_dir) / path
        try:
            with path.open("rb") as f:
                text = f.read(MAX_LYRICS_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return ()
        return parse_lrc(text)

    return lyrics


def build_voice(
    config: VoiceConfig,
    data_dir: Path,
    clock: Clock,
    *,
    personal: bool,
    music_dir: Path,
    environ: dict[str, str] | None = None,
) -> tuple[VoiceParts | None, SpeechService | None]:
    """The engine's voice parts and the service to close; (None, None) when the kiosk's voice is off and no
    voice is installed. Staff's switches (:mod:`kiosk.adapters.voice_switches`) win over kiosk.toml; with a
    voice installed the parts are built even while switched off, so staff can switch it on at once."""
    config = effective_config(config, stored_switches(DataFolder(data_dir)))
    engine, reason = engine_for(data_dir, config.voice, length_scale=config.pace, environ=environ)
    if not config.enabled and engine is None:
        return None, None
    speech = SpeechService(engine, data_dir, reason=reason, cache_mb=config.cache_mb)
    folder = scripts_folder(config, data_dir)

    def scripts() -> list[Script]:
        found, problems = read_scripts(folder)
        for problem in problems:
            log.warning("imagery script: %s", problem)
        return found

    basis: Callable[[], ClockBasis] = getattr(clock, "basis", lambda: ClockBasis.UNTRUSTED)

    def local_time(at: datetime) -> datetime:
        return at.astimezone()

    parts = VoiceParts(
        speech=speech,
        settings=voice_settings(config, personal=personal),
        clock_basis=basis,
        local_time=local_time,
        lyrics=lyrics_reader(music_dir),
        scripts=scripts,
    )
    return parts, speech
