"""Erasure that erases everywhere, and stays erased.

``kiosk residents remove`` records the opaque id in store ``"erasures"`` (table ``"erasures"``: documents
``{"resident_id", "at"}``, no names) before anything else, then :func:`apply_erasures` removes the resident
from every place in the data folder that can name or show them:

- the residents store and its rotating copies (``.backups/residents.json.N`` are rewritten without them),
  killed writers' temp copies of it, and damaged copies set aside by a repair that mention them;
- their photo and any staged photo files (``photos/.<id>.jpg.new``, temp files);
- their pending song reviews;
- their profile history and their calm-ahead notes, proposals and acceptances (store and rotating copies);
- the report cache and the staff dashboard's charts (derived data, rebuilt on demand).

The list is re-applied after every repair of the residents store (:func:`filter_repaired`, called by
:mod:`kiosk.adapters.docstore`), at every start (:func:`apply_at_start`) and by every restore (to the staged
copy, before it is swapped in). It travels inside every backup and is merged on restore.

Not touched: the catalogue and the beat grids (``beat-summaries``, ``beats/``): music only, no person in them.

What stays: the journal and the session rollups keep the opaque id with listening and observation records.
They are pseudonymous, not anonymous, until every backup that links that id to a person has aged out.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query

from kiosk.adapters.calm_ahead_store import CalmAheadStore
from kiosk.adapters.docstore import BACKUP_DIR, DamagedStore, DataFolder, backup_paths
from kiosk.adapters.profile_history import erase_history

log = logging.getLogger(__name__)

STORE = "erasures"
TABLE = "erasures"
RESIDENTS_STORE = "residents"
RESIDENTS_TABLE = "residents"
REVIEWS_STORE = "reviews"
PHOTO_DIR = "photos"
DERIVED_DIRS = ("report-cache", "dashboard")  # may hold a resident's figures or charts; rebuilt on demand


def record_erasure(data: DataFolder, resident_id: str, at: str | None = None) -> None:
    """Remember that ``resident_id`` was erased (idempotent)."""
    with data.write(STORE) as db:
        table = db.table(TABLE)
        if not table.search(Query().resident_id == resident_id):
            table.insert({"resident_id": resident_id, "at": at or datetime.now(UTC).isoformat()})


def erasure_list(data: DataFolder) -> list[dict[str, str]]:
    """Every erasure as ``{"resident_id", "at"}``, oldest first (what a backup carries)."""
    docs = [
        {"resident_id": str(d.get("resident_id")), "at": str(d.get("at", ""))}
        for d in data.read(STORE).table(TABLE).all()
        if d.get("resident_id")
    ]
    return sorted(docs, key=lambda d: (d["at"], d["resident_id"]))


def merge_erasures(data: DataFolder, entries: Iterable[Mapping[str, Any]]) -> int:
    """Add erasures from a backup to this kiosk's list; how many were new."""
    wanted = [
        (str(e["resident_id"]), str(e.get("at") or ""))
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("resident_id"), str) and e["resident_id"]
    ]
    if not wanted:
        return 0
    added = 0
    with data.write(STORE) as db:
        table = db.table(TABLE)
        known = {str(d.get("resident_id")) for d in table.all()}
        for rid, at in wanted:
            if rid not in known:
                table.insert({"resident_id": rid, "at": at or datetime.now(UTC).isoformat()})
                known.add(rid)
                added += 1
    return added


def erased_ids(data: DataFolder) -> set[str]:
    """Every resident_id ever erased."""
    return {str(d.get("resident_id")) for d in data.read(STORE).table(TABLE).all()}


def erasures_at(root: Path) -> dict[str, str]:
    """resident_id -> when erased, for the data folder ``root``, read without taking the lock or repairing
    anything (for a process that must not write there, e.g. the nightly backup run as root). A damaged list
    falls back to its newest good rotating copy."""
    path = Path(root) / f"{STORE}.json"
    for candidate in [path, *backup_paths(path)]:
        try:
            table = json.loads(candidate.read_bytes()).get(TABLE, {})
            return {
                str(d["resident_id"]): str(d.get("at", ""))
                for d in table.values()
                if isinstance(d, dict) and d.get("resident_id")
            }
        except FileNotFoundError:
            if candidate == path:
                return {}
        except (OSError, ValueError, AttributeError):
            continue
    return {}


def erased_ids_at(root: Path) -> set[str]:
    """The erased ids of ``root`` (see :func:`erasures_at`)."""
    return set(erasures_at(root))


def without_erased(content: dict[str, Any], erased: set[str]) -> tuple[dict[str, Any], int]:
    """A residents store's content (``{"residents": {doc_id: doc}}``) without erased residents; and how many
    documents went."""
    table = content.get(RESIDENTS_TABLE)
    if not isinstance(table, dict) or not erased:
        return content, 0
    kept = {k: d for k, d in table.items() if not (isinstance(d, dict) and d.get("resident_id") in erased)}
    if len(kept) == len(table):
        return content, 0
    return {**content, RESIDENTS_TABLE: kept}, len(table) - len(kept)


def filter_repaired(path: Path, content: dict[str, Any]) -> dict[str, Any]:
    """Docstore hook: a residents store put back from a rotating copy loses every erased resident again.

    Called with the folder lock held, so the erasure list is read directly (no second lock)."""
    if Path(path).name != f"{RESIDENTS_STORE}.json":
        return content
    return without_erased(content, erased_ids_at(Path(path).parent))[0]


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False


def _inside(root: Path, rel: object) -> Path | None:
    if not isinstance(rel, str) or not rel:
        return None
    resolved_root = root.resolve()
    target = (root / rel).resolve()
    return target if target.is_relative_to(resolved_root) and target != resolved_root else None


def _scrub_copy(path: Path, erased: set[str], extra: set[bytes]) -> bool:
    """Rewrite one rotating/temp/damaged copy of the residents store without erased residents (atomically).
    A copy that cannot be parsed goes when it mentions an erased id or one of ``extra`` (a name, a staff id
    given at removal). True when the copy changed."""
    ids = {rid.encode() for rid in erased}
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    if not any(n in raw for n in ids | extra):
        return False
    try:
        content = json.loads(raw.decode("utf-8"))
        if not isinstance(content, dict):
            raise ValueError("not a store")
    except (ValueError, UnicodeDecodeError):
        return _unlink(path)
    kept, n = without_erased(content, erased)
    encoded = json.dumps(kept, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    if any(i in encoded for i in ids):  # a copy of odd shape still holding an erased id: it goes
        return _unlink(path)
    if not n:
        return False
    tmp = path.with_name(f".{path.name}.erase.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(encoded)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return True


def _residents_copies(root: Path) -> list[Path]:
    """Every other file that may hold a copy of the residents store: rotating copies, damaged copies set aside,
    temp files of killed writers."""
    store = root / f"{RESIDENTS_STORE}.json"
    found = [p for p in backup_paths(store) if p.exists()]
    found += sorted(root.glob(f"{store.name}.damaged-*"))
    found += sorted(root.glob(f".{store.name}.*"))
    found += sorted((root / BACKUP_DIR).glob(f".{store.name}.*"))
    return found


def _photo_files(root: Path, resident_id: str) -> list[Path]:
    folder = root / PHOTO_DIR
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if resident_id in p.name]


def drop_derived(root: Path) -> None:
    """Delete the report cache and the dashboard charts (they may show an erased resident's figures)."""
    for name in DERIVED_DIRS:
        shutil.rmtree(Path(root) / name, ignore_errors=True)


def apply_erasures(data: DataFolder, *, needles: Iterable[bytes] = ()) -> int:
    """Remove every erased resident from the data folder (see the module docstring); returns how many
    profiles were removed from the residents store. ``needles``: more bytes (a name, a staff id) whose presence
    makes a damaged copy go. Cheap when there is nothing to do (called at every start)."""
    root = data.root
    with data.locked():
        erased = erased_ids(data)
        if not erased:
            return 0
        removed = 0
        photos: list[Any] = []
        content = data.read(RESIDENTS_STORE).storage.read() or {}
        if without_erased(content, erased)[1]:
            with data.write(RESIDENTS_STORE) as db:
                table = db.table(RESIDENTS_TABLE)
                doomed = [d for d in table.all() if d.get("resident_id") in erased]
                photos = [d.get("photo") for d in doomed]
                table.remove(doc_ids=[d.doc_id for d in doomed])
                removed = len(doomed)
        changed = removed > 0
        for rel in photos:
            target = _inside(root, rel)
            if target is not None:
                changed |= _unlink(target)
        extra = {n for n in needles if n}
        for copy in _residents_copies(root):
            changed |= _scrub_copy(copy, erased, extra)
        for rid in erased:
            for path in _photo_files(root, rid):
                changed |= _unlink(path)
        reviews = data.read(REVIEWS_STORE).storage.read() or {}
        if any(
            isinstance(d, dict) and d.get("resident_id") in erased
            for d in (reviews.get("reviews") or {}).values()
        ):
            with data.write(REVIEWS_STORE) as db:
                db.table("reviews").remove(lambda d: d.get("resident_id") in erased)
            changed = True
        changed |= erase_history(data, *erased) > 0  # the profile history and its rotating copies
        changed |= CalmAheadStore(data).erase(*erased) > 0  # "Restless now" notes, proposals, acceptances
        if changed or needles:
            drop_derived(root)
        return removed


def erase_resident(data: DataFolder, resident_id: str, *, needles: Iterable[bytes] = ()) -> None:
    """Erase one resident everywhere in the data folder: the erasure is recorded first (so a crash halfway
    still ends erased at the next start), then :func:`apply_erasures` does the rest."""
    with data.locked():
        record_erasure(data, resident_id)
        apply_erasures(data, needles=[resident_id.encode(), *needles])


def apply_at_start(data: DataFolder) -> int:
    """Re-apply erasures as the kiosk starts (after the data folder's repair). Never raises: a failure is
    logged and the next start tries again."""
    try:
        return apply_erasures(data)
    except (OSError, DamagedStore):
        log.warning("could not re-apply erasures at start", exc_info=True)
        return 0
