"""Upgrading stored profiles: lists kept the old way are split at ``;``.

Before, a ``;``-separated file (UK Excel) made the importer split lists at ``,``, so an avoid list
"war songs; Vera Lynn" was stored as ONE item that matched nothing. Now ``;`` always separates list items, so
on the first start (or residents command) after an upgrade every stored list item holding ``;`` or a line
break is split, each change goes into the profile history (source "upgrade"), and staff get a note naming
each resident changed. A marker in the residents store (table ``meta``) makes it run once per data folder;
restoring an older backup brings the old store back without the marker, so it runs again then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kiosk.adapters import attention, profile_history
from kiosk.adapters import residents as store
from kiosk.adapters.docstore import DataFolder
from kiosk.domain.profile_changes import diff
from kiosk.domain.residents import LIST_FIELDS, split_list

META_TABLE = "meta"
LISTS_VERSION = 2  # 2: ";" separates list items in every file
SOURCE = "upgrade: lists split at ';'"
NOTE_KIND = "residents-lists-split"


def is_current(raw: dict[str, Any]) -> bool:
    """Whether a residents store's raw data holds lists the current way."""
    return dict(raw.get(META_TABLE, {}).get("1", {})).get("lists") == LISTS_VERSION


def mark_current(raw: dict[str, Any]) -> None:
    """Mark a residents store's raw data (about to be written) as holding lists the current way."""
    meta = dict(raw.get(META_TABLE, {}).get("1", {}))
    raw[META_TABLE] = {"1": {**meta, "lists": LISTS_VERSION}}


def split_in_table(table: dict[str, Any], now: datetime) -> tuple[list[str], list[dict[str, Any]]]:
    """Split old lists in a raw residents table, in place: (staff ids changed, history documents)."""
    changed: list[str] = []
    history: list[dict[str, Any]] = []
    for key, doc in table.items():
        fixed = dict(doc)
        for name in LIST_FIELDS:
            items = doc.get(name)
            if isinstance(items, list) and any(";" in str(i) or "\n" in str(i) for i in items):
                fixed[name] = split_list([str(i) for i in items])
        if fixed == doc:
            continue
        table[key] = fixed
        try:
            before, after = store.resident_from_doc(dict(doc)), store.resident_from_doc(fixed)
        except ValueError:
            continue
        changed.append(after.staff_id)
        history += profile_history.entries(after.resident_id, diff(before, after), SOURCE, now)
    return changed, history


def tell_staff(data: DataFolder, changed: list[str]) -> None:
    """The "needs attention" note after lists were split (a count: attention.json holds no personal data)."""
    if changed:
        attention.note(data.root, NOTE_KIND, _message(f"{len(changed)} resident(s)"))


def split_old_lists(data: DataFolder, now: datetime | None = None) -> list[str]:
    """Split stored list items holding ``;`` (once per data folder); the staff ids of the residents changed."""
    if not data.path(store.STORE).exists() or is_current(data.read(store.STORE).storage.read() or {}):
        return []  # the common case, without taking the lock
    with data.locked():
        with data.write(store.STORE) as db:
            raw = db.storage.read() or {}
            if is_current(raw):
                return []
            table = dict(raw.get(store.TABLE, {}))
            changed, history = split_in_table(table, now or datetime.now(UTC))
            raw[store.TABLE] = table
            mark_current(raw)
            db.storage.write(raw)
        profile_history.record(data, history)
    tell_staff(data, changed)
    return changed


def _message(who: str) -> str:
    return (
        f"Lists stored the old way were split at ';' for {who}: check their avoid and favourite lists "
        "(`kiosk residents history` shows each change)."
    )


def named_note(data: DataFolder) -> str | None:
    """The upgrade note naming each resident whose lists were split (from the profile history, so an erased
    resident is no longer named), or None when there is nothing to say."""
    ids = {str(d.get("resident_id")) for d in profile_history.history(data) if d.get("source") == SOURCE}
    if not ids:
        return None
    names = sorted(r.staff_id for r in store.ResidentsStore(data).all() if r.resident_id in ids)
    return _message(", ".join(names)) if names else None
