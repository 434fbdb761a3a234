"""The history of resident profiles: every field changed (old -> new), when, and from where (an import file's
name, the staff screen, an upgrade), for coordinators' "changes since the last review".

Store ``"profile-history"``, table ``"changes"``: documents ``{"resident_id", "field", "old", "new", "at",
"source"}`` keyed by the opaque resident id (no staff id or name: the values are the profile's own). Erasing a
resident removes their history (:func:`erase_history`). Written with one storage-level write per batch, so a
10,000-row import costs one file write, not one per entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erase_rows import erase_rows
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


def erase_history(data: DataFolder, *resident_ids: str) -> int:
    """Remove every history entry of these residents (erasure), from the store and its rotating copies; how
    many entries were removed from the store. Cheap when none is mentioned (called at every start)."""
    return erase_rows(data, STORE, (TABLE,), resident_ids)


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
