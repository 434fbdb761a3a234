"""Erase one resident's documents from a document store and from its rotating copies.

For stores whose documents carry ``"resident_id"`` (the profile history, calm ahead): erasure removes them from
the store and rewrites every rotating copy (``.backups/<store>.json.N``) without them; a copy that cannot be
read is deleted. Cheap when no file mentions the ids (it runs at every start, through
:func:`kiosk.adapters.erasures.apply_erasures`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.docstore import DataFolder, backup_paths


def _mentions(path: Path, ids: set[str]) -> bool:
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    return any(rid.encode() in raw for rid in ids)


def _without(table: object, ids: set[str]) -> tuple[dict[str, object], int]:
    if not isinstance(table, dict):
        return {}, 0
    kept = {k: d for k, d in table.items() if not (isinstance(d, dict) and d.get("resident_id") in ids)}
    return kept, len(table) - len(kept)


def _scrub_copy(path: Path, ids: set[str], tables: tuple[str, ...]) -> None:
    """Rewrite one rotating copy without these residents (or delete it if unreadable)."""
    try:
        content = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(content, dict):
            raise ValueError("not a store")
        for name in tables:
            if name in content:
                content[name] = _without(content[name], ids)[0]
        atomic_write_bytes(path, json.dumps(content, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        path.unlink(missing_ok=True)


def erase_rows(data: DataFolder, store: str, tables: Iterable[str], resident_ids: Iterable[str]) -> int:
    """Remove every document of these residents from ``tables`` of ``store`` and its rotating copies; how many
    documents were removed from the store itself."""
    erased = set(resident_ids)
    names = tuple(tables)
    path = data.path(store)
    removed = 0
    if erased and _mentions(path, erased):
        with data.write(store) as db:
            raw = db.storage.read() or {}
            for name in names:
                if name in raw:
                    raw[name], n = _without(raw[name], erased)
                    removed += n
            db.storage.write(raw)
    # after the write: the rotation it made may hold them too
    for copy in backup_paths(path):
        if erased and copy.exists() and _mentions(copy, erased):
            _scrub_copy(copy, erased, names)
    return removed
