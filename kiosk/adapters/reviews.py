"""Songs stopped with "this song upsets", kept in the store "reviews" until staff decide (so a restart or a
power cut does not lose them). Implements :class:`kiosk.app.ports.ReviewStore`.

One document per resident present, each naming the resident whatever their consent (a safety record, not a
listening record). Selection reads them at every session start, so the song stays out for those residents
until staff decide (:func:`kiosk.domain.selection.under_review`).

New reviews are added by a listener on the UI thread; with a :class:`~kiosk.adapters.deferred.DeferredWriter`
the locked write runs on the writer's thread (the UI never waits for the folder lock); reads flush it first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.adapters.deferred import DeferredWriter
from kiosk.adapters.docstore import DataFolder

REVIEWS = "reviews"


class ReviewFile:
    """The "reviews" store of a data folder (table "reviews", one document per song to review)."""

    def __init__(self, data: DataFolder, writer: DeferredWriter | None = None):
        self.data = data
        self._writer = writer

    def add_new(self, items: Sequence[Mapping[str, Any]]) -> None:
        if self._writer is None:
            self._add_new([dict(i) for i in items])
        else:
            self._writer.submit(self._add_new, [dict(i) for i in items])

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def _add_new(self, items: Sequence[Mapping[str, Any]]) -> None:
        data = self.data if self._writer is None else DataFolder(self.data.root)  # one per thread
        with data.write(REVIEWS) as db:
            table = db.table("reviews")
            known = {d.get("review_id") for d in table.all()}
            for item in items:
                if item["review_id"] not in known:
                    table.insert(dict(item))

    def all(self) -> list[dict[str, Any]]:
        self._flush()
        if not self.data.path(REVIEWS).exists():
            return []
        return [dict(d) for d in self.data.read(REVIEWS).table("reviews").all()]

    def take(self, review_id: str) -> list[dict[str, Any]]:
        self._flush()
        with self.data.write(REVIEWS) as db:
            table = db.table("reviews")
            docs = [d for d in table.all() if d.get("review_id") == review_id]
            table.remove(doc_ids=[d.doc_id for d in docs])
        return [dict(d) for d in docs]
