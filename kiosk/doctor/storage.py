"""Storage checks: data folder and disk space, config, music folder, journal, "needs attention" notes."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.doctor.rows import FAIL, OK, WARN, Check

GB = 1024**3
MB = 1024**2


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_dir(data_dir: Path) -> list[Check]:
    rows = []
    if data_dir.is_dir():
        try:
            with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-") as fh:
                fh.write(b"ok")
                fh.flush()
                os.fsync(fh.fileno())
            rows.append(Check(OK, "data folder", f"{data_dir} writable"))
        except OSError as exc:
            rows.append(
                Check(
                    FAIL, "data folder", f"{data_dir} not writable: {exc.strerror}", "check owner: kiosk user"
                )
            )
    elif data_dir.exists():
        rows.append(Check(FAIL, "data folder", f"{data_dir} is not a folder", "move it away"))
    else:
        parent = _existing(data_dir)
        if os.access(parent, os.W_OK):
            rows.append(Check(OK, "data folder", f"{data_dir} not created yet (made on first use)"))
        else:
            rows.append(
                Check(FAIL, "data folder", f"{data_dir} missing and {parent} not writable", "run install.sh")
            )
    free = shutil.disk_usage(_existing(data_dir)).free
    text = f"{free / GB:.1f} GB free" if free >= GB else f"{free / MB:.0f} MB free"
    hint = "delete old files or use a bigger SD card; the journal stops when the disk is full"
    if free < 100 * MB:
        rows.append(Check(FAIL, "disk space", text, hint))
    elif free < GB:
        rows.append(Check(WARN, "disk space", text, hint))
    else:
        rows.append(Check(OK, "disk space", text))
    return rows


def check_stores(data_dir: Path) -> list[Check]:
    """The data folder's files: a folder where a file belongs (FAIL), a damaged store (WARN: the kiosk
    repairs it from its backups at start), a damaged pseudonym secret (FAIL). Reads only."""
    from kiosk.adapters.docstore import (
        DamagedStore,
        DataFolder,
        folder_where_file_belongs,
        is_store,
        load_store_file,
    )

    if not data_dir.is_dir():
        return []
    rows = []
    folders = folder_where_file_belongs(data_dir)
    if folders:
        rows.append(Check(FAIL, "data files", f"folder(s) where a file belongs: {', '.join(folders)}",
                          f"move them out of {data_dir}; the kiosk runs without them meanwhile"))  # fmt: skip
    damaged = []
    for path in sorted(data_dir.glob("*.json")):
        if not is_store(path.stem) or path.is_dir():
            continue
        try:
            load_store_file(path)
        except DamagedStore as exc:
            damaged.append(f"{path.name} ({exc.reason})")
        except OSError as exc:
            damaged.append(f"{path.name} ({exc.strerror})")
    if damaged:
        rows.append(Check(WARN, "stores", "damaged: " + "; ".join(damaged),
                          "the kiosk puts back the newest good backup at its next start"))  # fmt: skip
    secret = data_dir / "report-secret"
    if secret.is_file():
        from kiosk.adapters.report_source import install_secret
        from kiosk.errors import UserError

        try:
            install_secret(DataFolder(data_dir))
        except UserError as exc:
            rows.append(Check(FAIL, "report secret", str(exc), "restore report-secret from a backup"))
        except OSError as exc:
            rows.append(Check(FAIL, "report secret", f"{secret}: {exc.strerror}", "check file owner"))
    if not rows:
        rows.append(Check(OK, "stores", "every store opens"))
    return rows


def check_config(config: Config, config_path: Path | None = None) -> Check:
    where = str(config_path) if config_path else "kiosk.toml"
    if config.problems:
        count = len(config.problems)
        detail = f"{count} problem{'s' if count > 1 else ''}:\n" + "\n".join(config.problems)
        return Check(FAIL, "config", detail, f"fix {where}; the kiosk uses defaults for these settings")
    if config_path is not None and not config_path.exists():
        return Check(OK, "config", f"no {where}: defaults apply")
    return Check(OK, "config", f"{where} valid")


def check_staff_pin(config: Config) -> Check:
    refused = [p for p in config.problems if "kiosk.staff_pin_hash" in p]
    if refused:  # the hash in kiosk.toml was refused (too weak or damaged): staff mode is locked
        return Check(
            FAIL,
            "staff pin",
            refused[0],
            'run `kiosk hash-pin`, put the new staff_pin_hash = "scrypt$..." under [kiosk]',
        )
    if not config.kiosk.staff_pin_hash:
        return Check(
            WARN,
            "staff pin",
            "no staff PIN set",
            'run `kiosk hash-pin`, put staff_pin_hash = "scrypt$..." under [kiosk]',
        )
    return Check(OK, "staff pin", "set (stored as a scrypt hash)")


def scanned_music_dir(data_dir: Path) -> Path | None:
    """The folder the catalogue was last scanned from (``kiosk scan --music-dir DIR`` remembers it), read
    without locking or creating anything; None when there is no catalogue yet."""
    try:  # catalogue/scan.json; catalogue.json of earlier versions until the kiosk has moved it
        info: dict[str, Any] = json.loads((Path(data_dir) / "catalogue" / "scan.json").read_text("utf-8"))
        folder = info.get("music_dir")
    except (OSError, ValueError, AttributeError):
        try:
            raw = json.loads((Path(data_dir) / "catalogue.json").read_text(encoding="utf-8"))
            info = next(iter(raw.get("scan", {}).values()), {})
            folder = info.get("music_dir")
        except (OSError, ValueError, AttributeError):
            return None
    return Path(folder) if isinstance(folder, str) and folder else None


def check_music_dir(config: Config, data_dir: Path | None = None) -> Check:
    """The music folder the kiosk plays from: the one last scanned, else kiosk.toml's [library] music_dir."""
    configured = config.library.music_dir
    scanned = scanned_music_dir(data_dir) if data_dir is not None else None
    folder = scanned if scanned is not None and scanned != configured.resolve() else configured
    if not folder.is_dir():
        where = "last scanned" if folder == scanned else "[library] music_dir"
        return Check(
            WARN,
            "music folder",
            f"{folder} missing ({where})",
            "copy music there, or set [library] music_dir",
        )
    if not os.access(folder, os.R_OK | os.X_OK):
        return Check(FAIL, "music folder", f"{folder} not readable", "give the kiosk user read access")
    if folder != configured:
        if configured.is_dir():
            return Check(OK, "music folder", f"{folder} (last scanned; kiosk.toml names {configured})")
        return Check(
            WARN,
            "music folder",
            f"{folder} (last scanned; kiosk.toml names {configured}, which is missing)",
            f'set [library] music_dir = "{folder}" so a rescan from the staff screen finds it',
        )
    return Check(OK, "music folder", str(folder))


def _tail_lines(path: Path, size: int = 16384) -> tuple[list[bytes], bool]:
    """The last whole lines of ``path`` and whether the file ends cleanly (with a newline)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        length = fh.tell()
        fh.seek(max(0, length - size))
        chunk = fh.read()
    lines = chunk.split(b"\n")
    if length > size:
        lines = lines[1:]  # the first piece may start mid-line
    return [line for line in lines if line.strip()], chunk.endswith(b"\n") or not chunk


def check_journal(data_dir: Path) -> Check:
    folder = data_dir / "events"
    if not folder.is_dir():
        return Check(OK, "journal", "no events recorded yet")
    files = sorted(folder.rglob("*.jsonl"))
    if not files:
        return Check(OK, "journal", "no events recorded yet")
    torn = good = 0
    unreadable = []
    for path in files[-31:]:  # the last month is enough to see a problem; old days were checked before
        try:
            lines, _ = _tail_lines(path)
        except OSError as exc:
            unreadable.append(f"{path.name} ({exc.strerror})")
            continue
        for line in lines:
            try:
                json.loads(line)
                good += 1
            except ValueError:
                torn += 1
    detail = f"{len(files)} day file(s), newest {files[-1].name}; {good} recent events read"
    if unreadable:
        return Check(FAIL, "journal", f"{detail}; unreadable: {', '.join(unreadable)}", "check file owner")
    if torn:
        return Check(
            WARN,
            "journal",
            f"{detail}; {torn} torn line(s) skipped",
            "normal after a power cut: torn lines are skipped, the rest is kept",
        )
    return Check(OK, "journal", detail)


def check_attention(data_dir: Path, limit: int = 10) -> list[Check]:
    path = data_dir / "attention.json"
    try:
        notes = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        return [Check(WARN, "needs attention", f"{path} unreadable: {exc}", "see the kiosk log")]
    if not isinstance(notes, list):
        return [Check(WARN, "needs attention", f"{path} is not a list of notes", "see the kiosk log")]
    rows = []
    for note in notes[:limit]:
        note = note if isinstance(note, dict) else {"message": str(note)}
        kind = str(note.get("kind", "") or "note")
        detail = f"{note.get('at', '?')} {kind}: {note.get('message', '')}".strip()
        rows.append(Check(WARN, "needs attention", detail, "see README: needs attention"))
    if len(notes) > limit:
        rows.append(Check(WARN, "needs attention", f"and {len(notes) - limit} more in {path}"))
    return rows
