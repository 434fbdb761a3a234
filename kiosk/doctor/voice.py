"""The gentle voice's check: whether the kiosk speaks, and if not, why (shown to staff under "needs attention")."""

from __future__ import annotations

from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.speech_engines import engine_for
from kiosk.adapters.voice_setup import read_scripts, scripts_folder
from kiosk.adapters.voice_switches import effective_config, stored_switches
from kiosk.adapters.voices import choose_voice
from kiosk.config import Config
from kiosk.doctor.rows import OK, WARN, Check

HINT = "docs/guide/voice.md: get a natural voice on another computer, then kiosk voice install FILE"


def check_voice(config: Config, data_dir: Path) -> list[Check]:
    voice = effective_config(config.voice, stored_switches(DataFolder(Path(data_dir))))
    if not voice.enabled:
        return [Check(OK, "voice", "off (staff's Voice panel or [voice] enabled): the kiosk does not speak")]
    engine, why = engine_for(Path(data_dir), voice.voice, length_scale=voice.pace)
    if engine is None:
        return [Check(WARN, "voice", f"switched on, but the kiosk does not speak: {why}", HINT)]
    installed = choose_voice(Path(data_dir), voice.voice)
    licence = f", licence {installed.licence}" if installed is not None else " (test voice)"
    rows = [Check(OK, "voice", f"speaks with {engine.voice_id}{licence}")]
    if voice.imagery:
        _scripts, problems = read_scripts(scripts_folder(voice, Path(data_dir)))
        if problems:
            rows.append(Check(WARN, "voice scripts", "; ".join(problems[:3]), "fix the script lines named"))
    return rows
