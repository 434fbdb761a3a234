"""The scanned music library as a :class:`kiosk.domain.ports.Catalogue`, over the ``catalogue`` TinyDB store.

Reads go through :meth:`DataFolder.read` (a view that rereads the file only when it changed on disk, e.g. after
a scan by another process); the :class:`Song` objects built from it are cached until then, so asking for 10,000
songs again costs one ``stat``. ``mark_suspect`` is a locked read-modify-write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from tinydb import Query

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

    def __init__(self, data: DataFolder):
        self._data = data
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
        with self._data.write(STORE) as db:
            changed = db.table(SONGS).update({"suspect": reason}, Query().song_id == song_id)
        if not changed:
            log.info("mark_suspect: no song %s in the catalogue", song_id)
            return
        # Serve the flag at once, even within the file's mtime granularity.
        self._refresh()
        song = self._by_id.get(song_id)
        if song is not None and song.suspect != reason:
            flagged = replace(song, suspect=reason)
            self._by_id[song_id] = flagged
            self._songs = tuple(flagged if s.song_id == song_id else s for s in self._songs)

    def scan_info(self) -> dict[str, Any]:
        """The last scan's music folder and problems (unreadable files, sidecar mistakes)."""
        self._refresh()
        return dict(next(iter((self._raw or {}).get(SCAN_INFO, {}).values()), {}))
