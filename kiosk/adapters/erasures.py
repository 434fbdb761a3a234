"""Erasures that outlive backups: a resident removed from the kiosk stays removed after any restore.

The list lives in the store "erasures" (``<data>/erasures.json``), which backups leave out and restores keep.
It holds only opaque resident ids and dates: nothing that names anyone.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from kiosk.adapters.docstore import DataFolder

STORE = "erasures"
RESIDENTS_STORE = "residents"


def record_erasure(data: DataFolder, resident_id: str) -> None:
    """Remember that ``resident_id`` was erased (idempotent)."""
    with data.write(STORE) as db:
        table = db.table("erasures")
        if not any(doc.get("resident_id") == resident_id for doc in table.all()):
            table.insert({"resident_id": resident_id, "at": datetime.now(UTC).isoformat(timespec="seconds")})


def erased_ids(data: DataFolder) -> set[str]:
    return {str(doc["resident_id"]) for doc in data.read(STORE).table("erasures").all()}


def apply_erasures(data: DataFolder) -> int:
    """Delete every erased resident's profile and photo that a restore brought back; returns how many."""
    ids = erased_ids(data)
    if not ids:
        return 0
    removed = 0
    with data.write(RESIDENTS_STORE) as db:
        table = db.table("residents")
        for doc in table.all():
            if doc.get("resident_id") in ids:
                photo = doc.get("photo")
                if photo:
                    target = (data.root / str(photo)).resolve()
                    if data.root.resolve() in target.parents:
                        with contextlib.suppress(FileNotFoundError):
                            target.unlink()
                table.remove(doc_ids=[doc.doc_id])
                removed += 1
    return removed
