"""Installed Piper voices: ``<data>/voices/<name>.onnx`` + ``<name>.onnx.json`` + ``<name>.voice.json``.

A home's IT volunteer downloads a Piper voice on another computer (the model ``.onnx``, its ``.onnx.json``
and, ideally, its ``MODEL_CARD``) and copies it in from a USB stick with ``kiosk voice install FILE``. The
install checks the model's JSON (the fields Piper needs), records the voice's licence (from the MODEL_CARD
beside it, or ``--licence``) and copies atomically: the record is written last, so a half-copied voice is
never listed. Voices have their own licences (many are CC BY 4.0 or CC0; some forbid commercial use): the
record keeps it so ``kiosk voice list`` and the staff checks show it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes, fsync_dir
from kiosk.errors import UserError

VOICES_DIR = "voices"
RECORD_SUFFIX = ".voice.json"
MAX_CONFIG_BYTES = 2 * 1024 * 1024
MAX_MODEL_BYTES = 400 * 1024 * 1024  # Piper's "high" voices are ~110 MB
_LICENCE = re.compile(r"^\W*licen[cs]e\s*[:=]\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    licence: str
    language: str
    sample_rate: int
    quality: str
    sha256: str
    installed_at: str
    source: str  # the file name it was installed from

    def model(self, data_dir: Path) -> Path:
        return Path(data_dir) / VOICES_DIR / f"{self.name}.onnx"

    def config(self, data_dir: Path) -> Path:
        return Path(data_dir) / VOICES_DIR / f"{self.name}.onnx.json"


def check_voice_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """A Piper voice's ``.onnx.json`` and every problem with it (``FILE:LINE: message`` / ``FILE: message``)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, [f"{path}: missing (a Piper voice is two files: NAME.onnx and NAME.onnx.json)"]
    except OSError as exc:
        return {}, [f"{path}: cannot be read ({exc.strerror or exc})"]
    if len(raw) > MAX_CONFIG_BYTES:
        return {}, [f"{path}: too large for a voice's settings ({len(raw)} bytes)"]
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [f"{path}: not UTF-8 text"]
    except json.JSONDecodeError as exc:
        return {}, [f"{path}:{exc.lineno}: not valid JSON ({exc.msg})"]
    if not isinstance(doc, dict):
        return {}, [f"{path}: not a Piper voice's settings (a JSON object is expected)"]
    problems = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            problems.append(f"{path}: {what}")

    audio = doc.get("audio")
    rate = audio.get("sample_rate") if isinstance(audio, dict) else None
    need(isinstance(rate, int) and 8000 <= rate <= 48000, "audio.sample_rate: a number 8000-48000 is needed")
    symbols = doc.get("num_symbols")
    need(isinstance(symbols, int) and symbols > 0, "num_symbols: a positive number is needed")
    speakers = doc.get("num_speakers")
    need(isinstance(speakers, int) and speakers >= 1, "num_speakers: a number of at least 1 is needed")
    id_map = doc.get("phoneme_id_map")
    need(isinstance(id_map, dict) and bool(id_map), "phoneme_id_map: missing or empty")
    if doc.get("phoneme_type", "espeak") == "espeak":
        espeak = doc.get("espeak")
        voice = espeak.get("voice") if isinstance(espeak, dict) else None
        need(
            isinstance(voice, str) and bool(voice),
            "espeak.voice: the voice's language is needed (e.g. en-gb)",
        )
    return doc, problems


def _licence_near(model: Path) -> str:
    for name in ("MODEL_CARD", "MODEL_CARD.md", f"{model.name}.MODEL_CARD", "LICENSE", "LICENCE"):
        card = model.parent / name
        try:
            text = card.read_text(encoding="utf-8", errors="replace")[:20000]
        except OSError:
            continue
        found = _LICENCE.search(text)
        if found:
            return found.group(1).strip("*_` ")[:120]
    return ""


def _model_pair(src: Path) -> tuple[Path, Path]:
    name = src.name
    if name.endswith(".onnx.json"):
        model = src.with_name(name[: -len(".json")])
    elif name.endswith(".onnx"):
        model = src
    else:
        raise UserError(f"{src}: give the voice's .onnx file (or its .onnx.json)")
    return model, model.with_name(model.name + ".json")


def install_voice(
    src: Path, data_dir: Path, *, licence: str = "", now: datetime | None = None
) -> InstalledVoice:
    """Check and copy a Piper voice into ``<data>/voices`` (replacing one of the same name). UserError on
    any problem, with nothing changed."""
    model, config = _model_pair(Path(src))
    name = model.name[: -len(".onnx")]
    problems: list[str] = []
    if not _NAME.match(name):
        problems.append(f"{model}: use a plain file name (letters, digits, '-', '_', '.')")
    try:
        size = model.stat().st_size
        with model.open("rb") as f:
            head = f.read(2)
    except FileNotFoundError:
        problems.append(f"{model}: missing (a Piper voice is two files: NAME.onnx and NAME.onnx.json)")
        size, head = 0, b""
    except OSError as exc:
        problems.append(f"{model}: cannot be read ({exc.strerror or exc})")
        size, head = 0, b""
    if head and (size > MAX_MODEL_BYTES or head[:1] != b"\x08"):
        problems.append(f"{model}: not an ONNX model (a Piper voice's .onnx file is expected)")
    doc, config_problems = check_voice_config(config)
    problems += config_problems
    licence = licence.strip() or _licence_near(model)
    if not licence:
        problems.append(
            f"{model}: no licence found: put the voice's MODEL_CARD beside it, or say it with --licence "
            "(e.g. --licence 'CC BY 4.0')"
        )
    if problems:
        raise UserError(problems)
    folder = Path(data_dir) / VOICES_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    staged = folder / f".{name}.onnx.part"
    try:
        with model.open("rb") as fin, staged.open("wb") as fout:
            while block := fin.read(1 << 20):
                digest.update(block)
                fout.write(block)
            fout.flush()
            os.fsync(fout.fileno())
        staged.chmod(0o600)
        record_path = folder / f"{name}{RECORD_SUFFIX}"
        record_path.unlink(missing_ok=True)  # an old voice of this name is not listed while it is replaced
        staged.replace(folder / f"{name}.onnx")
        atomic_write_bytes(folder / f"{name}.onnx.json", config.read_bytes())
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise UserError(f"{folder}: the voice could not be copied ({exc.strerror or exc})") from None
    language = doc.get("language", {})
    voice = InstalledVoice(
        name=name,
        licence=licence,
        language=str(language.get("code", "") if isinstance(language, dict) else "")
        or str(doc.get("espeak", {}).get("voice", "")),
        sample_rate=int(doc["audio"]["sample_rate"]),
        quality=str(doc.get("audio", {}).get("quality", "")),
        sha256=digest.hexdigest(),
        installed_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        source=model.name,
    )
    atomic_write_bytes(record_path, json.dumps(asdict(voice), indent=1).encode("utf-8"))
    fsync_dir(folder)
    return voice


def installed_voices(data_dir: Path) -> list[InstalledVoice]:
    """Every complete installed voice (model, settings and record present), by name."""
    folder = Path(data_dir) / VOICES_DIR
    out = []
    for record in sorted(folder.glob(f"*{RECORD_SUFFIX}")):
        try:
            doc = json.loads(record.read_text(encoding="utf-8"))
            voice = InstalledVoice(**{k: doc[k] for k in InstalledVoice.__dataclass_fields__})
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if voice.model(data_dir).is_file() and voice.config(data_dir).is_file():
            out.append(voice)
    return out


def choose_voice(data_dir: Path, wanted: str = "") -> InstalledVoice | None:
    """The voice named ``wanted`` (``[voice] voice``), else the first installed one; None when none fits."""
    voices = installed_voices(data_dir)
    if wanted:
        return next((v for v in voices if v.name == wanted), None)
    return voices[0] if voices else None


def remove_staged(data_dir: Path) -> None:
    """Sweep copies a killed install left behind."""
    folder = Path(data_dir) / VOICES_DIR
    for part in folder.glob(".*.onnx.part"):
        part.unlink(missing_ok=True)
