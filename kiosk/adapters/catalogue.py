"""The scanned music library as a :class:`kiosk.domain.ports.Catalogue`, over the ``catalogue`` TinyDB store.

Reads go through :meth:`DataFolder.read` (a view that rereads the file only when it changed on disk, e.g. after
a scan by another process); the :class:`Song` objects built from it are cached until then, so asking for 10,000
songs again costs one ``stat``. ``mark_suspect`` flags the song in memory at once; the locked
read-modify-write of the store goes through a :class:`~kiosk.adapters.deferred.DeferredWriter` when one is given
(the running kiosk: the UI thread never waits for the folder lock), else it is done in the caller's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from tinydb import Query

from kiosk.adapters.deferred import DeferredWriter
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import SCAN_INFO, SONGS, STORE
from kiosk.domain.models import Song
from kiosk.domain.themes import infer_themes

log = logging.getLogger(__name__)


_FIELDS = frozenset(f.name for f in fields(Song))


def song_from_doc(doc: dict[str, Any]) -> Song:
    """``Song.from_dict`` with the field names computed once (10,000 songs load in a fraction of the time).

    A document stored before songs had themes gets those its genre, album and folders give (the next scan
    adds what era.toml files say), so an avoided theme protects residents from the moment of the upgrade."""
    values = {k: v for k, v in doc.items() if k in _FIELDS}
    themes = values.get("themes")
    if isinstance(themes, list | tuple):
        values["themes"] = tuple(str(t) for t in themes)  # a JSON list; a Song holds a tuple (hashable)
    else:  # stored before themes existed (or damaged): what genre, album and folders say
        folders = tuple(reversed(str(doc.get("rel") or "").split("/")[:-1]))
        values["themes"] = infer_themes(
            genre=str(doc.get("genre") or ""), album=str(doc.get("album") or ""), folder_names=folders
        )
    return Song(**values)


class TinyCatalogue:
    """The catalogue, cached in memory and refreshed when the store's file changes."""

    def __init__(self, data: DataFolder, writer: DeferredWriter | None = None):
        self._data = data
        self._writer = writer
        self._flags: dict[str, str] = {}  # suspect flags not yet written to the store
        self._view = data.read(STORE)
        self._raw: Any = None
        self._songs: tuple[Song, ...] = ()
        self._by_id: dict[str, Song] = {}

    def _refresh(self) -> None:
        try:
            raw = self._view.storage.read()
        except (ValueError, UnicodeDecodeError) as exc:
            # A damaged file: keep serving what we had; the next scan sets it aside and rebuilds it.
            log.warning("catalogue unreadable (%s); run `kiosk scan`", exc)
            return
        if raw is self._raw:
            return
        songs = tuple(song_from_doc(doc) for doc in (raw or {}).get(SONGS, {}).values())
        if self._flags:
            flags = dict(self._flags)
            songs = tuple(replace(s, suspect=flags[s.song_id]) if s.song_id in flags else s for s in songs)
        self._songs = songs
        self._by_id = {s.song_id: s for s in songs}
        self._raw = raw

    def songs(self) -> Sequence[Song]:
        self._refresh()
        return self._songs

    def get(self, song_id: str) -> Song | None:
        self._refresh()
        return self._by_id.get(song_id)

    def mark_suspect(self, song_id: str, reason: str) -> None:
        """Flag a song the player could not play. Unknown ids are ignored (the file may have been rescanned)."""
        self._refresh()
        song = self._by_id.get(song_id)
        if song is None:
            log.info("mark_suspect: no song %s in the catalogue", song_id)
            return
        if song.suspect != reason:  # serve the flag at once, before (and whatever) the store says
            flagged = replace(song, suspect=reason)
            self._by_id[song_id] = flagged
            self._songs = tuple(flagged if s.song_id == song_id else s for s in self._songs)
        self._flags[song_id] = reason
        if self._writer is None:
            self._store_suspect(song_id, reason)
        else:
            self._writer.submit(self._store_suspect, song_id, reason)

    def _store_suspect(self, song_id: str, reason: str) -> None:
        data = self._data if self._writer is None else DataFolder(self._data.root)  # one per thread
        with data.write(STORE) as db:
            db.table(SONGS).update({"suspect": reason}, Query().song_id == song_id)
        self._flags.pop(song_id, None)

    def scan_info(self) -> dict[str, Any]:
        """The last scan's music folder and problems (unreadable files, sidecar mistakes)."""
        self._refresh()
        return dict(next(iter((self._raw or {}).get(SCAN_INFO, {}).values()), {}))
