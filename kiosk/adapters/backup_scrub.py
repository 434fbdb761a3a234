"""Erased residents out of backups already made: the nightly root run rewrites the local backups.

``scrub_backups(folder, erasures)`` looks at every backup folder in ``folder`` (the root-only
``/var/backups/kiosk``). A backup holding an erased id is rebuilt beside itself without that resident (hard
links for the unchanged files, a new ``residents.json`` and manifest) and swapped in with two renames; a kill
between them is finished by the next run. A backup too damaged to rewrite that mentions an erased id is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes, fsync_dir
from kiosk.adapters.backup import FILES_DIR, MANIFEST, RESIDENTS_FILE, BackupError, makedirs
from kiosk.adapters.erasures import without_erased
from kiosk.adapters.restore import read_manifest

SCRUB_SUFFIX = ".scrub"
OLD_SUFFIX = ".old"


@dataclass
class ScrubResult:
    rewritten: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    unchanged: int = 0


def _mentions(folder: Path, ids: set[str]) -> bool:
    needles = [i.encode() for i in ids]
    for sub, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(sub) / name
            if any(n in name.encode() for n in needles):
                return True
            try:
                if path.is_file() and not path.is_symlink():
                    raw = path.read_bytes()
                    if any(n in raw for n in needles):
                        return True
            except OSError:
                continue
    return False


def _finish_interrupted(folder: Path) -> None:
    """Complete a swap a kill interrupted: ``.X.scrub`` (complete) without ``X`` goes into place; ``.X.old``
    and unfinished ``.X.scrub`` folders go."""
    for tmp in folder.glob(f".*{SCRUB_SUFFIX}"):
        final = folder / tmp.name[1 : -len(SCRUB_SUFFIX)]
        if not final.exists() and (tmp / MANIFEST).is_file():
            os.rename(tmp, final)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for old in folder.glob(f".*{OLD_SUFFIX}"):
        shutil.rmtree(old, ignore_errors=True)


def _rebuild(backup: Path, manifest: dict[str, Any], erasures: dict[str, str]) -> None:
    """Make ``.<name>.scrub`` without the erased residents, then swap it in."""
    erased = set(erasures)
    tmp = backup.with_name(f".{backup.name}{SCRUB_SUFFIX}")
    shutil.rmtree(tmp, ignore_errors=True)
    makedirs(tmp / FILES_DIR)
    files = []
    for entry in manifest["files"]:
        rel = entry["path"]
        source, target = backup / FILES_DIR / rel, tmp / FILES_DIR / rel
        parts = rel.split("/")
        if parts[0] == "photos" and any(rid in parts[-1] for rid in erased):
            continue
        makedirs(target.parent)
        if rel == RESIDENTS_FILE:
            content = json.loads(source.read_bytes().decode("utf-8"))
            kept, _n = without_erased(content, erased)
            raw = json.dumps(kept, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
            atomic_write_bytes(target, raw, FILE_MODE)
            entry = {"path": rel, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
        else:
            os.link(source, target)
        files.append(entry)
    known = {e["resident_id"] for e in manifest.get("erasures", [])}
    new_manifest = {
        **manifest,
        "files": files,
        "resident_ids": sorted(set(manifest.get("resident_ids") or []) - erased),
        "erasures": [
            *manifest.get("erasures", []),
            *({"resident_id": rid, "at": at} for rid, at in sorted(erasures.items()) if rid not in known),
        ],
    }
    atomic_write_bytes(tmp / MANIFEST, json.dumps(new_manifest, indent=1).encode("utf-8"))
    old = backup.with_name(f".{backup.name}{OLD_SUFFIX}")
    os.rename(backup, old)
    os.rename(tmp, backup)
    fsync_dir(backup.parent)
    shutil.rmtree(old, ignore_errors=True)


def _holds(backup: Path, manifest: dict[str, Any], erased: set[str]) -> bool:
    if "resident_ids" in manifest:
        listed = set(manifest["resident_ids"]) & erased
        photos = any(
            e["path"].startswith("photos/") and any(rid in e["path"] for rid in erased)
            for e in manifest["files"]
        )
        return bool(listed) or photos
    return _mentions(backup / FILES_DIR, erased)  # a backup from before the manifest listed residents


def scrub_backups(folder: Path, erasures: dict[str, str]) -> ScrubResult:
    """Rewrite (or, when damaged, delete) every backup in ``folder`` that holds an erased resident.

    ``erasures``: resident_id -> when it was erased (ISO 8601)."""
    folder = Path(folder)
    result = ScrubResult()
    if not folder.is_dir():
        return result
    _finish_interrupted(folder)
    erased = set(erasures)
    for backup in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if backup.is_symlink():
            continue
        try:
            manifest = read_manifest(backup)
        except BackupError:
            if erased and _mentions(backup, erased):
                shutil.rmtree(backup)
                result.deleted.append(backup)
            continue
        if not erased or not _holds(backup, manifest, erased):
            result.unchanged += 1
            continue
        try:
            _rebuild(backup, manifest, erasures)
            result.rewritten.append(backup)
        except (OSError, ValueError, UnicodeDecodeError, AttributeError):
            shutil.rmtree(backup.with_name(f".{backup.name}{SCRUB_SUFFIX}"), ignore_errors=True)
            shutil.rmtree(backup)
            result.deleted.append(backup)
    return result
