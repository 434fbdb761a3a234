"""The history of resident profiles: every field changed (old -> new), when, and from where (an import file's
name, the staff screen, an upgrade), for coordinators' "changes since the last review".

Store ``"profile-history"``, table ``"changes"``: documents ``{"resident_id", "field", "old", "new", "at",
"source"}`` keyed by the opaque resident id (no staff id or name: the values are the profile's own). Erasing a
resident removes their history (:func:`erase_history`). Written with one storage-level write per batch, so a
10,000-row import costs one file write, not one per entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.docstore import DataFolder, backup_paths
from kiosk.domain.profile_changes import FieldChange

STORE = "profile-history"
TABLE = "changes"


def entries(
    resident_id: str, changes: Iterable[FieldChange], source: str, at: datetime
) -> list[dict[str, Any]]:
    """History documents for ``changes`` to one resident."""
    when = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return [
        {
            "resident_id": resident_id,
            "field": c.field,
            "old": c.old,
            "new": c.new,
            "at": when,
            "source": source,
        }
        for c in changes
    ]


def added(resident_id: str, source: str, at: datetime) -> list[dict[str, Any]]:
    """The history document of a profile created (its fields are in the profile itself)."""
    return entries(resident_id, [FieldChange("profile", "(none)", "added")], source, at)


def record(data: DataFolder, docs: Sequence[dict[str, Any]]) -> None:
    """Append ``docs`` to the history (under the folder's lock; one write)."""
    if not docs:
        return
    with data.write(STORE) as db:
        raw = db.storage.read() or {}
        table = dict(raw.get(TABLE, {}))
        next_id = max((int(k) for k in table), default=0) + 1
        for offset, doc in enumerate(docs):
            table[str(next_id + offset)] = dict(doc)
        raw[TABLE] = table
        db.storage.write(raw)


def _mentions(path: Path, ids: set[str]) -> bool:
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    return any(rid.encode() in raw for rid in ids)


def _scrub_copy(path: Path, ids: set[str]) -> None:
    """Rewrite one rotating copy of the history without these residents (or delete it if unreadable)."""
    try:
        content = json.loads(path.read_bytes().decode("utf-8"))
        table = content[TABLE]
        kept = {k: d for k, d in table.items() if not (isinstance(d, dict) and d.get("resident_id") in ids)}
        atomic_write_bytes(path, json.dumps({**content, TABLE: kept}, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        path.unlink(missing_ok=True)


def erase_history(data: DataFolder, *resident_ids: str) -> int:
    """Remove every history entry of these residents (erasure), from the store and its rotating copies; how
    many entries were removed from the store. Cheap when none is mentioned (called at every start)."""
    erased = set(resident_ids)
    path = data.path(STORE)
    copies = [c for c in backup_paths(path) if c.exists() and _mentions(c, erased)]
    removed = 0
    if erased and _mentions(path, erased):
        with data.write(STORE) as db:
            raw = db.storage.read() or {}
            table = dict(raw.get(TABLE, {}))
            doomed = [k for k, doc in table.items() if doc.get("resident_id") in erased]
            for key in doomed:
                del table[key]
            raw[TABLE] = table
            db.storage.write(raw)
            removed = len(doomed)
        copies = [c for c in backup_paths(path) if c.exists() and _mentions(c, erased)]
    for copy in copies:
        _scrub_copy(copy, erased)
    return removed


def history(
    data: DataFolder, since: datetime | None = None, resident_id: str | None = None
) -> list[dict[str, Any]]:
    """History entries (oldest first), from ``since`` on and of one resident when given."""
    docs = [dict(d) for d in data.read(STORE).table(TABLE).all()]
    if resident_id is not None:
        docs = [d for d in docs if d.get("resident_id") == resident_id]
    if since is not None:
        cutoff = since.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        docs = [d for d in docs if str(d.get("at", "")) >= cutoff]
    return sorted(docs, key=lambda d: str(d.get("at", "")))
