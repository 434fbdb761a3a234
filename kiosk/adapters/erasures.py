"""Erasures that survive a restore: ``kiosk residents remove`` records the opaque id here, and every restore
re-applies the list, so restoring an older backup cannot bring an erased resident back.

Store ``"erasures"``, table ``"erasures"``: documents ``{"resident_id", "at"}`` (no names: the id is opaque).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from tinydb import Query

from kiosk.adapters.calm_ahead_store import CalmAheadStore
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.profile_history import erase_history

STORE = "erasures"
TABLE = "erasures"
RESIDENTS_STORE = "residents"
RESIDENTS_TABLE = "residents"


def record_erasure(data: DataFolder, resident_id: str) -> None:
    """Remember that ``resident_id`` was erased (idempotent)."""
    with data.write(STORE) as db:
        table = db.table(TABLE)
        if not table.search(Query().resident_id == resident_id):
            table.insert({"resident_id": resident_id, "at": datetime.now(UTC).isoformat()})


def erased_ids(data: DataFolder) -> set[str]:
    """Every resident_id ever erased."""
    return {str(d.get("resident_id")) for d in data.read(STORE).table(TABLE).all()}


def _unlink_photo(data: DataFolder, photo: object) -> None:
    if not isinstance(photo, str) or not photo:
        return
    root = data.root.resolve()
    target = (data.root / photo).resolve()
    if target.is_relative_to(root) and target != root:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            Path(target).unlink()


def apply_erasures(data: DataFolder) -> int:
    """Delete residents-store documents (and their photos) whose id was erased; how many were deleted."""
    with data.locked():
        erased = erased_ids(data)
        if not erased:
            return 0
        with data.write(RESIDENTS_STORE) as db:
            table = db.table(RESIDENTS_TABLE)
            doomed = [d for d in table.all() if d.get("resident_id") in erased]
            for doc in doomed:
                _unlink_photo(data, doc.get("photo"))
            if doomed:
                table.remove(doc_ids=[d.doc_id for d in doomed])
        erase_history(data, *erased)
        CalmAheadStore(data).erase(*erased)
        return len(doomed)
