"""The residents store and photos as a residents import sees them (implements
:class:`kiosk.app.ports.ResidentRecords`): the stored documents as they are, and one locked, all-or-nothing
change written once.

New photos are staged beside their final names and recorded in their profiles
(:mod:`kiosk.adapters.photo_staging`) in the same atomic write; only once that is on disk are they moved into
place. A kill after the commit is settled (completed or rolled back) at the next start or import.

Speed (issue 16): the table is read and written as one dict (no per-row ``upsert`` with a query, which made
10,000 rows quadratic); a row that changes nothing is recognised on the stored document in its stored form, so
no profile is built for it; a photo whose file stamp (name, size, mtime) or bytes match the stored one is not
decoded again; new photos are written, then fsync'd together. Old lists (one item holding ``;``) are split in
memory before anything is compared (:mod:`kiosk.adapters.residents_migrate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters import profile_history
from kiosk.adapters import residents as store
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.photo_staging import finish_staged_photos, mark_pending
from kiosk.adapters.photos import reencode_photo, resolve_photo
from kiosk.adapters.residents_migrate import is_current, mark_current, split_in_table, tell_staff
from kiosk.domain.models import Consent, Resident, Song
from kiosk.domain.profile_changes import PhotoPlan
from kiosk.domain.schedule import format_schedule

Decision = Any  # kiosk.app.ports.ImportDecision (adapters never import the app layer)


class ResidentRecords:
    """The residents of one data folder, for :mod:`kiosk.app.residents_import`."""

    def __init__(self, data: DataFolder):
        self.data = data

    @property
    def root(self) -> Path:
        return self.data.root

    def photo_ref(self, resident_id: str) -> str:
        return store.photo_relpath(resident_id)

    def reencode(self, src: Path) -> bytes:
        return reencode_photo(src)

    def photo_plan(
        self, base: Path, name: str, stored: Mapping[str, Any] | None, real_dirs: dict[str, str]
    ) -> PhotoPlan:
        src = resolve_photo(base, name, real_dirs)
        st = src.stat()
        stamp = [name, st.st_size, st.st_mtime_ns]
        extra = dict(stored.get("extra") or {}) if stored and stored.get("photo") else {}
        if extra.get("photo_src_stamp") == stamp:
            return PhotoPlan(src, stamp, str(extra.get("photo_sha256")), None)
        sha = hashlib.sha256(src.read_bytes()).hexdigest()
        if sha in (extra.get("photo_sha256"), extra.get("photo_stored_sha256")):
            return PhotoPlan(src, stamp, sha, None)
        return PhotoPlan(src, stamp, sha, reencode_photo(src))

    def stored_docs(self) -> dict[str, Any]:
        finish_staged_photos(self.data)  # an import cut off after its commit: settled before planning on it
        raw = dict(self.data.read(store.STORE).storage.read() or {})
        table = dict(raw.get(store.TABLE, {}))
        if not is_current(raw):
            split_in_table(table, datetime.now(UTC))
        return table

    def resident_of(self, doc: Mapping[str, Any]) -> Resident | None:
        try:
            return store.resident_from_doc(dict(doc))
        except ValueError:
            return None

    def unchanged(
        self, doc: Mapping[str, Any], fields: Mapping[str, Any], given: bool, photo: PhotoPlan | None
    ) -> bool:
        for name, value in fields.items():
            have = doc.get(name)
            if name == "schedule":
                if have != format_schedule(value):
                    return False
            elif isinstance(value, tuple):
                if have != list(value):
                    return False
            elif have != value:
                return False
        if not given:
            return not (fields.get("consent", doc.get("consent")) == Consent.NO and doc.get("photo"))
        if photo is None:
            return doc.get("photo") is None
        extra = doc.get("extra") or {}
        return photo.jpeg is None and bool(doc.get("photo")) and extra.get("photo_src_stamp") == photo.stamp

    def songs(self) -> Sequence[Song]:
        return TinyCatalogue(self.data).songs()

    def change(self, decide: Decision, source: str, now: datetime) -> None:
        data = self.data
        staged: list[tuple[Path, Path]] = []
        with data.locked():
            finish_staged_photos(data)  # an earlier import cut off after its commit
            try:
                with data.write(store.STORE) as db:
                    raw = db.storage.read() or {}
                    table = dict(raw.get(store.TABLE, {}))
                    split: list[str] = []
                    history: list[dict[str, Any]] = []
                    if not is_current(raw):
                        split, history = split_in_table(table, now)
                    write, applied, added = decide(table)
                    if write or not is_current(raw):
                        staged = _put(data, table, write)
                        raw[store.TABLE] = table
                        mark_current(raw)
                        db.storage.write(raw)
            except BaseException:
                for tmp, _ in staged:
                    tmp.unlink(missing_ok=True)
                raise
            finish_staged_photos(data)  # move the new photos into place, clear their marks
            for resident, _jpeg in write:
                if resident.photo is None:
                    store.delete_photo(data, store.photo_relpath(resident.resident_id))
            for resident_id in added:
                history += profile_history.added(resident_id, source, now)
            for resident_id, changes in applied:
                history += profile_history.entries(resident_id, list(changes), source, now)
            profile_history.record(data, history)
        tell_staff(data, split)


def _put(
    data: DataFolder, table: dict[str, Any], write: list[tuple[Resident, bytes | None]]
) -> list[tuple[Path, Path]]:
    """Put the profiles into the table (in memory) and stage their new photos."""
    new_photos = [(r, jpeg) for r, jpeg in write if jpeg is not None]
    staged = store.stage_photos(data, [(r.resident_id, jpeg) for r, jpeg in new_photos])
    for (resident, jpeg), (tmp, _final) in zip(new_photos, staged, strict=True):
        mark_pending(resident.extra, tmp, jpeg)  # the photo is part of the committed profile
    key_of = {str(doc.get("resident_id")): key for key, doc in table.items()}
    next_id = max((int(k) for k in table), default=0) + 1
    for resident, _jpeg in write:
        key = key_of.get(resident.resident_id)
        if key is None:
            key, next_id = str(next_id), next_id + 1
        table[key] = store.resident_to_doc(resident)
    return staged
