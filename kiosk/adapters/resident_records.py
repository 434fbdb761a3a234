"""The residents store and photos as a residents import sees them (implements
:class:`kiosk.app.ports.ResidentRecords`): what is stored, and one locked, all-or-nothing change.

New photos are staged beside their final names and recorded in their profiles
(:mod:`kiosk.adapters.photo_staging`), every profile goes in one atomic write, and only once that is on disk
are the photos moved into place (or removed). If anything fails before, the staged photos are deleted and
nothing has changed; a kill after the commit is settled at the next start or import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.adapters import residents as store
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.photo_staging import finish_staged_photos, mark_pending
from kiosk.adapters.photos import reencode_photo, resolve_photo
from kiosk.domain.models import Resident

Stored = tuple[str, str, Resident | None]


def _stored(docs: list[dict[str, Any]]) -> list[Stored]:
    out: list[Stored] = []
    for doc in docs:
        try:
            resident: Resident | None = store.resident_from_doc(doc)
        except ValueError:
            resident = None  # a damaged document: the row is imported as new
        out.append((str(doc.get("staff_id", "")).casefold(), str(doc.get("staff_id")), resident))
    return out


class ResidentRecords:
    """The residents of one data folder, for :mod:`kiosk.app.residents_import`."""

    def __init__(self, data: DataFolder):
        self.data = data

    @property
    def root(self) -> Path:
        return self.data.root

    def photo_ref(self, resident_id: str) -> str:
        return store.photo_relpath(resident_id)

    def load_photo(self, base: Path, name: str) -> tuple[str, bytes]:
        src = resolve_photo(base, name)
        return hashlib.sha256(src.read_bytes()).hexdigest(), reencode_photo(src)

    def stored(self) -> list[Stored]:
        return _stored([dict(d) for d in self.data.read(store.STORE).table(store.TABLE).all()])

    def change(self, decide: Callable[[list[Stored]], list[tuple[Resident, bytes | None]]]) -> None:
        data = self.data
        staged: list[Path] = []
        with data.locked():
            finish_staged_photos(data)  # an earlier import cut off after its commit
            try:
                with data.write(store.STORE) as db:
                    table = db.table(store.TABLE)
                    merged = decide(_stored([dict(d) for d in table.all()]))
                    for resident, jpeg in merged:
                        if jpeg is not None:
                            staged.append(store.stage_photo(data, resident.resident_id, jpeg))
                            mark_pending(resident.extra, staged[-1], jpeg)
                        store.upsert_doc(table, resident)
            except BaseException:
                for tmp in staged:
                    tmp.unlink(missing_ok=True)
                raise
            finish_staged_photos(data)
            for resident, jpeg in merged:
                if jpeg is None and resident.photo is None:
                    store.delete_photo(data, store.photo_relpath(resident.resident_id))
