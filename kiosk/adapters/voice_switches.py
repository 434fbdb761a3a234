"""Staff's kiosk-wide voice switches (the staff screen's Voice panel), kept in the data folder.

``[voice]`` in kiosk.toml gives the starting values (the installer's choice). A switch staff flip on the staff
screen is stored in the document store ``settings`` (table ``voice``, one document: the switched values, when,
from where) and wins over kiosk.toml from then on, across restarts and backups. The kiosk cannot write
kiosk.toml (``/etc/kiosk`` is read-only to the service), so staff choices live beside the residents.

:class:`KioskVoice` (what :class:`kiosk.app.ports.VoiceControl` needs) also applies a change to the running
engine's voice at once (its ``VoiceParts.settings``; the engine reads them at every decision), and says why
the kiosk does not speak when it cannot (no natural voice installed, the Piper extra missing...).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.docstore import DamagedStore, DataFolder
from kiosk.adapters.speech_engines import engine_for
from kiosk.adapters.voices import choose_voice
from kiosk.config import VoiceConfig
from kiosk.domain.session_voice import VoiceParts
from kiosk.domain.voice import SWITCH_NAMES, IntroEvery, VoiceSwitches

log = logging.getLogger(__name__)

STORE = "settings"
TABLE = "voice"
SOURCE = "staff screen"


def _valid(name: str, value: Any) -> bool:
    if name == "intros":
        return value in {e.value for e in IntroEvery}
    return isinstance(value, bool)


def stored_switches(data: DataFolder) -> dict[str, Any]:
    """Staff's stored switches (only well-formed ones; a damaged store reads as none: kiosk.toml's values)."""
    try:
        docs = data.read(STORE).table(TABLE).all()
    except (OSError, DamagedStore, ValueError):
        log.warning("voice switches could not be read: kiosk.toml's values apply")
        return {}
    doc = dict(docs[0]) if docs else {}
    return {k: doc[k] for k in SWITCH_NAMES if k in doc and _valid(k, doc[k])}


def save_switches(data: DataFolder, changes: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """Store ``changes`` (names in :data:`SWITCH_NAMES`) over the stored switches, under the folder's lock."""
    bad = [k for k, v in changes.items() if k not in SWITCH_NAMES or not _valid(k, v)]
    if bad:
        raise ValueError(f"not a voice switch: {', '.join(bad)}")
    with data.write(STORE) as db:
        table = db.table(TABLE)
        docs = table.all()
        doc = dict(docs[0]) if docs else {}
        doc.update(changes)
        doc["changed_at"] = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        doc["source"] = SOURCE
        table.truncate()
        table.insert(doc)
    return {k: doc[k] for k in SWITCH_NAMES if k in doc}


def effective_config(config: VoiceConfig, switches: Mapping[str, Any]) -> VoiceConfig:
    """kiosk.toml's ``[voice]`` with staff's stored switches over it."""
    return dataclasses.replace(config, **{k: v for k, v in switches.items() if k in SWITCH_NAMES})


class KioskVoice:
    """The Voice panel's view of the kiosk: the switches, why it is silent, and changing them (main loop)."""

    def __init__(
        self,
        config: VoiceConfig,
        data_dir: Path,
        parts: VoiceParts | None,
        *,
        personal: bool,
        environ: dict[str, str] | None = None,
    ):
        self.config = config
        self.data = DataFolder(Path(data_dir))
        self.parts = parts
        self.personal = personal
        self.environ = environ

    def switches(self) -> VoiceSwitches:
        cfg = effective_config(self.config, stored_switches(self.data))
        engine, why = engine_for(self.data.root, cfg.voice, length_scale=cfg.pace, environ=self.environ)
        speaks_with = ""
        if engine is not None:
            installed = choose_voice(self.data.root, cfg.voice)
            licence = f" (licence {installed.licence})" if installed is not None else " (test voice)"
            speaks_with = f"{installed.name if installed else 'espeak-ng'}{licence}"
        if engine is not None and self.parts is None:  # the engine was built without a voice slot
            why = "a voice was installed since the kiosk started: restart the kiosk to use it"
        return VoiceSwitches(
            enabled=cfg.enabled,
            intros=IntroEvery(cfg.intros),
            orientation=cfg.orientation,
            lyric_coach=cfg.lyric_coach,
            imagery=cfg.imagery,
            silent_because=why,
            speaks_with=speaks_with,
        )

    def set_switches(self, changes: Mapping[str, Any], at: datetime) -> VoiceSwitches:
        """Store the change, then apply it to the running engine (the next thing it would say)."""
        save_switches(self.data, changes, at)
        if self.parts is not None:
            from kiosk.adapters.voice_setup import voice_settings

            cfg = effective_config(self.config, stored_switches(self.data))
            self.parts.settings = voice_settings(cfg, personal=self.personal)
        return self.switches()
