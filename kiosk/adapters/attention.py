"""Notes for staff: problems the kiosk met that a person should look at ("needs attention").

``<data>/attention.json`` is a JSON list of ``{"at": ISO UTC, "kind": str, "message": str}``, newest last.
The doctor and the staff screen read it. Messages never hold personal data (store names and file names only).
One note per kind: noting a kind again replaces its earlier note, and the list is capped, so the file stays
small. Writing never raises: a note is best effort (the disk may be the very problem).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

FILE_NAME = "attention.json"
LOCK_NAME = ".attention.lock"
MAX_NOTES = 50


def _path(data_root: Path) -> Path:
    return Path(data_root) / FILE_NAME


@contextlib.contextmanager
def _locked(data_root: Path) -> Iterator[None]:
    """A lock of its own (not the data folder's), so a note can be taken while the folder lock is held."""
    fd = os.open(Path(data_root) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read(data_root: Path) -> list[dict[str, Any]]:
    try:
        raw = _path(data_root).read_bytes()
        items = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, UnicodeDecodeError):
        log.warning("attention: %s is unreadable; starting a new list", _path(data_root))
        return []
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and {"at", "kind", "message"} <= i.keys()]


def _write(data_root: Path, items: list[dict[str, Any]]) -> None:
    data = json.dumps(items[-MAX_NOTES:], ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(_path(data_root), data)


def note(data_root: Path, kind: str, message: str, *, quiet: bool = False) -> bool:
    """Record a problem for staff (replacing an earlier note of the same kind). False if it could not be saved.
    ``quiet``: no log lines (a caller trying again to save a note it already logged)."""
    if not quiet:
        log.warning("needs attention (%s): %s", kind, message)
    try:
        Path(data_root).mkdir(parents=True, exist_ok=True, mode=0o700)
        with _locked(data_root):
            items = [i for i in _read(data_root) if i["kind"] != kind]
            at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            items.append({"at": at, "kind": kind, "message": message})
            _write(data_root, items)
        return True
    except OSError as exc:
        if not quiet:
            log.warning("attention: could not save the note (%s)", exc)
        return False


def note_once(data_root: Path, kind: str, message: str) -> bool:
    """:func:`note`, unless the same note is already there (a standing problem met again and again)."""
    if any(i["kind"] == kind and i["message"] == message for i in _read(data_root)):
        return True
    return note(data_root, kind, message)


def notes(data_root: Path) -> list[dict[str, Any]]:
    """The current notes, oldest first (an unreadable file reads as no notes)."""
    return _read(data_root)


def clear(data_root: Path, kind: str) -> bool:
    """Remove the note of ``kind`` (staff dealt with it). True if there was one."""
    try:
        with _locked(data_root):
            items = _read(data_root)
            kept = [i for i in items if i["kind"] != kind]
            if len(kept) == len(items):
                return False
            _write(data_root, kept)
        return True
    except OSError as exc:
        log.warning("attention: could not clear %s (%s)", kind, exc)
        return False
