"""The backup log: which backups were made, when, where, and which residents (opaque ids) each one holds.

``<data>/backup-log.jsonl``, one JSON object per line::

    {"name": "encore-pi-20260601T020000Z", "made_at": "2026-06-01T02:00:00Z", "where": "usb",
     "path": "/media/kiosk-backup/encore-backups/encore-pi-20260601T020000Z.tar.gpg", "resident_ids": [...]}

``where`` is ``"usb"`` (the encrypted copy on the backup stick), ``"local"`` (the root-only folder on this
Pi) or ``"other"`` (a ``kiosk backup DIR`` made by hand). ``kiosk backup`` and ``deploy/kiosk-backup.sh``
append to it; a later line for the same path replaces an earlier one (a backup rewritten without an erased
resident). ``kiosk residents remove`` reads it to say which backups still hold a resident and when they age out;
``kiosk doctor`` warns when the newest off-Pi backup is old. Ids only, no names; 0600; kept out of backups.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

LOG_NAME = "backup-log.jsonl"
WHERE = ("usb", "local", "other")
KEEP_DEFAULT = 14  # kiosk-backup.service keeps the newest 14 (one a night)
LINES_KEPT = 500  # the log is trimmed to this many lines when it passes twice as many


@dataclass(frozen=True)
class LoggedBackup:
    name: str
    made_at: str
    where: str
    path: str
    resident_ids: tuple[str, ...]
    keep: int = KEEP_DEFAULT

    def made_on(self) -> date | None:
        try:
            return datetime.fromisoformat(self.made_at.replace("Z", "+00:00")).date()
        except ValueError:
            return None


def _line(entry: LoggedBackup) -> bytes:
    doc: dict[str, Any] = {
        "name": entry.name,
        "made_at": entry.made_at,
        "where": entry.where,
        "path": entry.path,
        "resident_ids": list(entry.resident_ids),
    }
    if entry.keep != KEEP_DEFAULT:
        doc["keep"] = entry.keep
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _keep_owner(root: Path, path: Path) -> None:
    """Run as root (the nightly backup), give the file to the data folder's owner, so the kiosk can read it."""
    if os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        st = root.stat()
        os.chown(path, st.st_uid, st.st_gid)


def append(root: Path, entry: LoggedBackup) -> None:
    """Add one line (O_APPEND, 0600); trim the oldest lines when the log grows long."""
    if entry.where not in WHERE:
        raise ValueError(f"where must be one of {', '.join(WHERE)}, not {entry.where!r}")
    path = Path(root) / LOG_NAME
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, _line(entry))
        os.fsync(fd)
    finally:
        os.close(fd)
    _keep_owner(Path(root), path)
    with contextlib.suppress(OSError):
        lines = path.read_bytes().splitlines(keepends=True)
        if len(lines) > 2 * LINES_KEPT:
            from kiosk.adapters.atomic import atomic_write_bytes

            atomic_write_bytes(path, b"".join(lines[-LINES_KEPT:]))
            _keep_owner(Path(root), path)


def _parse(raw: bytes) -> LoggedBackup | None:
    try:
        doc = json.loads(raw)
        ids = doc.get("resident_ids") or []
        keep = doc.get("keep", KEEP_DEFAULT)
        if doc.get("where") not in WHERE or not isinstance(ids, list):
            return None
        return LoggedBackup(
            name=str(doc["name"]),
            made_at=str(doc["made_at"]),
            where=str(doc["where"]),
            path=str(doc["path"]),
            resident_ids=tuple(str(i) for i in ids),
            keep=int(keep) if isinstance(keep, int) and keep > 0 else KEEP_DEFAULT,
        )
    except (ValueError, KeyError, AttributeError, TypeError):
        return None


def entries(root: Path) -> list[LoggedBackup]:
    """Every logged backup, the latest line per path, oldest first (damaged lines skipped)."""
    try:
        raw = (Path(root) / LOG_NAME).read_bytes()
    except OSError:
        return []
    latest: dict[str, LoggedBackup] = {}
    for line in raw.splitlines():
        entry = _parse(line)
        if entry is not None:
            latest.pop(entry.path, None)
            latest[entry.path] = entry
    return sorted(latest.values(), key=lambda e: e.made_at)


def ages_out(entry: LoggedBackup, logged: Iterable[LoggedBackup], today: date) -> date:
    """When a rotated backup (stick or local) is deleted: after ``keep`` newer ones in the same place, one a
    night. A backup made by hand (``other``) never ages out by itself: returned as ``date.max``."""
    if entry.where == "other":
        return date.max
    newer = sum(1 for e in logged if e.where == entry.where and e.made_at > entry.made_at)
    return today + timedelta(days=max(0, entry.keep - newer))


def holding(root: Path, resident_id: str) -> list[LoggedBackup]:
    """Logged backups that hold ``resident_id``, oldest first."""
    return [e for e in entries(root) if resident_id in e.resident_ids]


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
