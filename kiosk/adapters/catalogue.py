"""The scanned music library as a :class:`kiosk.domain.ports.Catalogue`, over the catalogue's shards.

The songs are read from ``<data>/catalogue/shard-*.json`` (:mod:`kiosk.adapters.catalogue_store`) and cached;
each call checks the shards' (inode, size, mtime) and rereads only those that changed (after a scan by another
process; a scan rewrites only the shards whose folders changed). ``mark_suspect`` flags the song in memory at
once; the locked read-modify-write of its shard goes through a :class:`~kiosk.adapters.deferred.DeferredWriter`
when one is given (the running kiosk: the UI thread never waits for the folder lock), else it is done in the
caller's thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kiosk.adapters.beat_store import STORE as BEAT_STORE
from kiosk.adapters.beat_store import read_summaries
from kiosk.adapters.catalogue_store import (
    ID,
    SUSPECT,
    CatalogueFiles,
    Entry,
    gc_paused,
    song_from_doc,
    song_of,
)
from kiosk.adapters.deferred import DeferredWriter
from kiosk.adapters.docstore import DataFolder
from kiosk.domain.beats import BeatSummary
from kiosk.domain.models import Song

log = logging.getLogger(__name__)

__all__ = ["TinyCatalogue", "song_from_doc"]


def _with_beats(song: Song, summary: BeatSummary) -> Song:
    return replace(
        song, beat_tempo_bpm=summary.tempo_bpm, beat_first_s=summary.first_beat_s, beat_swing=summary.swing
    )


class TinyCatalogue:
    """The catalogue, cached in memory and refreshed shard by shard when the files change."""

    def __init__(self, data: DataFolder, writer: DeferredWriter | None = None):
        self._data = data
        self._writer = writer
        self._flags: dict[str, str] = {}  # suspect flags not yet written to the store
        self._files = CatalogueFiles(data)
        self._stamps: dict[str, tuple[int, int, int] | None] = {}
        self._shards: dict[str, tuple[Song, ...]] = {}
        self._songs: tuple[Song, ...] = ()
        self._by_id: dict[str, Song] = {}
        self._beats: dict[str, BeatSummary] = {}
        self._beats_stamp: tuple[int, int, int] | None = None

    def _refresh_beats(self) -> bool:
        """Reread the beat summaries when their store changed (Play along's analysis runs after a scan)."""
        try:
            st = os.stat(self._data.path(BEAT_STORE))
            stamp: tuple[int, int, int] | None = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
        if stamp == self._beats_stamp:
            return False
        try:
            self._beats = read_summaries(self._data) if stamp is not None else {}
        except (OSError, ValueError) as exc:  # damaged: songs are served without grids until it is repaired
            log.warning("catalogue: beat summaries unreadable (%s)", exc)
            self._beats = {}
        self._beats_stamp = stamp
        return True

    def _refresh(self) -> None:
        with gc_paused():  # off while the shards' rows become Songs (linear load time at 100,000 songs)
            self._reload()

    def _reload(self) -> None:
        migrated = self._files.migrate_legacy()  # an old catalogue.json (upgrade, or an old backup restored)
        if migrated is not None:
            self._stamps = {}
            if self._files.legacy_path.is_file():  # could not be migrated (read-only, disk full): serve it
                self._set({n: tuple(song_of(s) for s, _f in e) for n, e in sorted(migrated.items())})
                return
        beats_changed = self._refresh_beats()
        names = self._files.shard_names()
        stamps = {name: self._files.stamp(name) for name in names}
        if stamps == self._stamps and not beats_changed:
            return
        shards = {}
        for name in names:
            if stamps[name] == self._stamps.get(name) and name in self._shards:
                shards[name] = self._shards[name]
                continue
            try:
                shards[name] = tuple(song_of(song) for song, _file in self._files.read_shard(name))
            except (TypeError, ValueError) as exc:  # rows of the right shape but wrong values
                log.warning("catalogue: %s unreadable (%s); run `kiosk scan`", name, exc)
                shards[name] = ()
            stamps[name] = self._files.stamp(name)  # a repair may have replaced it
        self._stamps = stamps
        self._set(shards)

    def _set(self, shards: dict[str, tuple[Song, ...]]) -> None:
        if self._flags:
            flags = dict(self._flags)
            shards = {
                name: tuple(replace(s, suspect=flags[s.song_id]) if s.song_id in flags else s for s in songs)
                for name, songs in shards.items()
            }
        self._shards = shards
        if self._beats:  # Play along: the grid summaries analysed after the scan (kiosk.adapters.beat_store)
            beats = self._beats
            shards = {
                name: tuple(_with_beats(s, beats[s.song_id]) if s.song_id in beats else s for s in songs)
                for name, songs in shards.items()
            }
        self._songs = tuple(song for songs in shards.values() for song in songs)
        self._by_id = {s.song_id: s for s in self._songs}

    def _shard_of(self, song_id: str) -> str | None:
        """The shard holding ``song_id`` (a search: it is only wanted when a song fails to play; a dict of every
        song's shard held ~1 MB at 20,000 songs)."""
        for name, songs in self._shards.items():
            for song in songs:
                if song.song_id == song_id:
                    return name
        return None

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
        name = self._shard_of(song_id)
        if song is None or name is None:
            log.info("mark_suspect: no song %s in the catalogue", song_id)
            return
        if song.suspect != reason:  # serve the flag at once, before (and whatever) the store says
            flagged = replace(song, suspect=reason)
            self._by_id[song_id] = flagged
            self._songs = tuple(flagged if s.song_id == song_id else s for s in self._songs)
        self._flags[song_id] = reason
        if self._writer is None:
            self._store_suspect(name, song_id, reason)
        else:
            self._writer.submit(self._store_suspect, name, song_id, reason)

    def _store_suspect(self, name: str, song_id: str, reason: str) -> None:
        """The flag into the song's shard (only when it changes it: an unchanged file is never rewritten)."""
        data = self._data if self._writer is None else DataFolder(self._data.root)  # one per thread
        files = CatalogueFiles(data)
        with data.locked():
            entries = files.read_shard(name)
            for i, (song, file) in enumerate(entries):
                if song[ID] == song_id and song[SUSPECT] != reason:
                    flagged = list(song)
                    flagged[SUSPECT] = reason
                    changed: list[Entry] = [*entries[:i], (flagged, file), *entries[i + 1 :]]
                    files.write({name: changed})
                    break
        self._flags.pop(song_id, None)

    def scan_info(self) -> dict[str, Any]:
        """The last scan's music folder and problems (unreadable files, sidecar mistakes)."""
        return self._files.read_info()
