"""Residents' photos as part of the committed state, and the start-up sweep of what killed writers left.

An import writes each new photo beside its final name (``photos/.<id>.jpg.new``) and records it in the
resident's document (``extra["photo_pending"]``: the staged name and the photo's sha256) in the same atomic
write as the profile. :func:`finish_staged_photos` then moves it into place and clears the mark; it runs again
at every start and import, so a kill at any step ends with either the new photo in place (staged file there,
or already moved) or the photo marks rolled back (staged file lost), so that the next import writes it again
instead of saying "unchanged".

:func:`sweep_leftovers` removes what killed writers left: temp files (``.*.tmp``) of processes that are gone
and staged photos no document waits for.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import fsync_dir
from kiosk.adapters.docstore import BACKUP_DIR, DataFolder

log = logging.getLogger(__name__)

STORE = "residents"
TABLE = "residents"
PHOTO_DIR = "photos"
PENDING = "photo_pending"
_TMP_PID = re.compile(r"\.(\d+)\.tmp$")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def mark_pending(extra: dict[str, Any], staged: Path, jpeg: bytes) -> None:
    """Record in a resident's ``extra`` that ``staged`` waits to become their photo."""
    extra[PENDING] = {"staged": staged.name, "sha256": hashlib.sha256(jpeg).hexdigest()}


def _pending(doc: Any) -> dict[str, Any] | None:
    extra = doc.get("extra") if isinstance(doc, dict) else None
    mark = extra.get(PENDING) if isinstance(extra, dict) else None
    return mark if isinstance(mark, dict) else None


def finish_staged_photos(data: DataFolder) -> int:
    """Move staged photos into place (or roll their marks back when the staged file is lost); returns how
    many documents were settled. Takes the folder lock; call at start-up and after an import's commit."""
    with data.locked():
        if not any(_pending(d) for d in data.read(STORE).table(TABLE).all()):
            return 0
        photos = data.root / PHOTO_DIR
        settled = 0
        with data.write(STORE) as db:
            table = db.table(TABLE)
            for doc in table.all():
                mark = _pending(doc)
                if mark is None:
                    continue
                extra = dict(doc["extra"])
                extra.pop(PENDING, None)
                final = photos / f"{doc.get('resident_id')}.jpg"
                staged = photos / str(mark.get("staged", ""))
                if staged.parent == photos and staged.is_file() and _sha256(staged) == mark.get("sha256"):
                    os.replace(staged, final)
                elif _sha256(final) != mark.get("sha256"):  # lost before it was moved: import it again
                    log.warning("residents: a photo from an interrupted import was lost; re-import to add it")
                    extra.pop("photo_sha256", None)
                    extra.pop("photo_stored_sha256", None)
                    extra.pop("photo_src_stamp", None)
                table.update({"extra": extra}, doc_ids=[doc.doc_id])
                settled += 1
            if photos.is_dir():
                fsync_dir(photos)
        return settled


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(data: DataFolder) -> list[str]:
    """Delete temp files of processes that are gone and staged photos nothing waits for (under the lock, so
    no live import is staging meanwhile). Returns the names removed."""
    removed = []
    with data.locked():
        waiting = {
            str(mark.get("staged")) for d in data.read(STORE).table(TABLE).all() if (mark := _pending(d))
        }
        for folder in (data.root, data.root / PHOTO_DIR, data.root / BACKUP_DIR):
            if not folder.is_dir():
                continue
            for path in folder.glob(".*"):
                tmp = _TMP_PID.search(path.name)
                stale_tmp = tmp is not None and not _process_alive(int(tmp.group(1)))
                stale_new = (
                    folder.name == PHOTO_DIR and path.name.endswith(".new") and path.name not in waiting
                )
                if (stale_tmp or stale_new) and path.is_file():
                    try:
                        path.unlink()
                    except OSError:
                        continue
                    removed.append(path.name)
    if removed:
        log.warning("start-up: removed %d file(s) left by interrupted writes", len(removed))
    return removed
