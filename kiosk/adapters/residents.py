"""The residents store: one TinyDB document per resident, the only place names, photos and staff ids live.

Store ``"residents"``, table ``"residents"``. A document holds the :class:`~kiosk.domain.models.Resident`
fields: tuples as lists, the schedule in its text form (``"16:00-18:00 relax"``), consent as text, the photo
as a path relative to the data folder (``"photos/<resident_id>.jpg"``). Implements
:class:`kiosk.domain.ports.ResidentStore`, plus what ``kiosk residents`` needs (by staff id, upsert, remove).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query
from tinydb.table import Table

from kiosk.adapters import profile_history
from kiosk.adapters.atomic import atomic_write_bytes, fsync_dir
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import erase_resident
from kiosk.domain.matching import norm
from kiosk.domain.models import Consent, Resident
from kiosk.domain.profile_changes import FieldChange, diff
from kiosk.domain.schedule import format_schedule, parse_schedule

STORE = "residents"
TABLE = "residents"
PHOTO_DIR = "photos"
_FIELDS = {f.name for f in dataclasses.fields(Resident)}
STAFF_SCREEN = "staff screen"


def _now() -> datetime:
    return datetime.now(UTC)


def resident_to_doc(resident: Resident) -> dict[str, Any]:
    """The stored document of ``resident``."""
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(Resident):
        value = getattr(resident, f.name)
        if f.name == "schedule":
            value = format_schedule(value)
        elif isinstance(value, Consent):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        doc[f.name] = value
    return doc


def resident_from_doc(doc: dict[str, Any]) -> Resident:
    """The :class:`Resident` of a stored document (unknown keys are ignored, so the schema can grow).

    ValueError when the document is not a resident (a damaged store); a bad schedule or consent value falls
    back to none / not recorded rather than hiding the resident.
    """
    values = {k: v for k, v in doc.items() if k in _FIELDS}
    for key, value in list(values.items()):
        if isinstance(value, list):
            values[key] = tuple(str(v) for v in value)
    try:
        values["schedule"] = parse_schedule(str(values.get("schedule") or ""))
    except ValueError:
        values["schedule"] = ()
    try:
        values["consent"] = Consent(values.get("consent") or "")
    except ValueError:
        values["consent"] = Consent.UNKNOWN
    values["extra"] = dict(values.get("extra") or {})
    try:
        return Resident(**values)
    except TypeError as exc:
        raise ValueError(f"not a resident document: {exc}") from None


def photo_relpath(resident_id: str) -> str:
    """Where a resident's photo lives, relative to the data folder."""
    return f"{PHOTO_DIR}/{resident_id}.jpg"


def write_photo(data: DataFolder, resident_id: str, jpeg: bytes) -> str:
    """Store an already re-encoded photo (0600) and return its path relative to the data folder."""
    folder = data.root / PHOTO_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    rel = photo_relpath(resident_id)
    atomic_write_bytes(data.root / rel, jpeg)
    return rel


def stage_photos(data: DataFolder, photos: Sequence[tuple[str, bytes]]) -> list[tuple[Path, Path]]:
    """Write many photos (0600) beside their final names, then make them durable together: all written,
    then each fsync'd, then the folder once (one fsync each costs ~2 writes' worth of waiting when done
    photo by photo). Returns (staged, final) pairs for the caller to move into place after its commit; on
    failure the staged files written so far are removed."""
    if not photos:
        return []
    folder = data.root / PHOTO_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for resident_id, jpeg in photos:
            tmp = folder / f".{resident_id}.jpg.new"
            staged.append((tmp, data.root / photo_relpath(resident_id)))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(jpeg)
                while view:
                    view = view[os.write(fd, view) :]
                os.fchmod(fd, 0o600)
            finally:
                os.close(fd)
        for tmp, _ in staged:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if staged:
            fsync_dir(folder)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    return staged


def delete_photo(data: DataFolder, rel: str | None) -> None:
    """Remove a stored photo (only ever inside the data folder)."""
    if not rel:
        return
    root = data.root.resolve()
    target = (data.root / rel).resolve()
    if target.is_relative_to(root) and target != root:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(target)


def upsert_doc(table: Table, resident: Resident) -> None:
    """Insert or replace ``resident`` (by resident_id) in an open residents table."""
    doc = resident_to_doc(resident)
    table.upsert(doc, Query().resident_id == resident.resident_id)


class ResidentsStore:
    """Resident profiles in the data folder (implements :class:`kiosk.domain.ports.ResidentStore`)."""

    def __init__(self, data: DataFolder):
        self.data = data
        self.skipped = 0  # damaged documents skipped by the last all()

    def _docs(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self.data.read(STORE).table(TABLE).all()]

    def all(self) -> Sequence[Resident]:
        """Every resident, ordered by staff id (a damaged document is skipped and counted in ``skipped``)."""
        residents = []
        self.skipped = 0
        for doc in self._docs():
            try:
                residents.append(resident_from_doc(doc))
            except ValueError:
                self.skipped += 1
        return sorted(residents, key=lambda r: r.staff_id.casefold())

    def stamp(self) -> tuple[int, int, int]:
        """Changes whenever the store's file changed on disk (inode, size, mtime in ns), whoever wrote it: the
        session engine checks it about once a second to re-read the listeners' profiles."""
        try:
            st = os.stat(self.data.path(STORE))
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def get(self, resident_id: str) -> Resident | None:
        for doc in self._docs():
            if doc.get("resident_id") == resident_id:
                try:
                    return resident_from_doc(doc)
                except ValueError:
                    return None
        return None

    def by_staff_id(self, staff_id: str) -> Resident | None:
        """The resident staff know as ``staff_id`` (exact, then ignoring case)."""
        residents = self.all()
        for r in residents:
            if r.staff_id == staff_id:
                return r
        for r in residents:
            if r.staff_id.casefold() == staff_id.casefold():
                return r
        return None

    def photo_path(self, resident: Resident) -> Path | None:
        """The absolute path of the resident's stored photo, when there is one on disk."""
        if not resident.photo:
            return None
        path = self.data.root / resident.photo
        return path if path.is_file() else None

    def add_avoid_song(self, resident_id: str, song_title: str) -> None:
        """Put ``song_title`` on the resident's avoid list (no-op if it is already there, or no such id)."""
        title = song_title.strip()
        if not title:
            return
        with self.data.locked():
            with self.data.write(STORE) as db:
                table = db.table(TABLE)
                docs = table.search(Query().resident_id == resident_id)
                if not docs:
                    return
                doc = docs[0]
                current = [str(s) for s in doc.get("avoid_songs") or []]
                if any(norm(s) == norm(title) for s in current):
                    return
                table.update({"avoid_songs": [*current, title]}, doc_ids=[doc.doc_id])
            change = FieldChange("avoid_songs", "; ".join(current) or "(empty)", "; ".join([*current, title]))
            profile_history.record(
                self.data, profile_history.entries(resident_id, [change], STAFF_SCREEN, _now())
            )

    def edit(self, resident_id: str, source: str = "staff screen", **changes: Any) -> Resident | None:
        """Change some fields of one profile (a single staff edit: no second step) and record it in the
        profile history. None when there is no such resident."""
        with self.data.locked():
            with self.data.write(STORE) as db:
                table = db.table(TABLE)
                docs = table.search(Query().resident_id == resident_id)
                if not docs:
                    return None
                old = resident_from_doc(dict(docs[0]))
                new = dataclasses.replace(old, **changes)
                table.update(resident_to_doc(new), doc_ids=[docs[0].doc_id])
            profile_history.record(
                self.data, profile_history.entries(resident_id, diff(old, new), source, _now())
            )
        return new

    def upsert(self, resident: Resident) -> None:
        with self.data.write(STORE) as db:
            upsert_doc(db.table(TABLE), resident)

    def remove(self, resident_id: str) -> bool:
        """Erase a resident everywhere in the data folder (:func:`kiosk.adapters.erasures.erase_resident`):
        the erasure is recorded first, so a crash halfway still ends erased at the next start. False when there
        was no such resident."""
        with self.data.locked():
            existing = self.get(resident_id)
            needles = []
            if existing is not None:
                names = (existing.staff_id, existing.first_name, existing.preferred_name)
                needles = [n.encode("utf-8") for n in names if n and len(n) >= 3]
            erase_resident(self.data, resident_id, needles=needles)
            return existing is not None
