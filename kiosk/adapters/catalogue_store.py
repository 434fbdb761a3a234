"""The catalogue on disk: the scanned library in shards, so a scan rewrites only the shards whose folders changed.

Layout (``<data>/catalogue/``, files 0600):

- ``shard-XX.json`` (``XX`` = 00..3f): the songs of the music folders whose path hashes to ``XX`` (a whole album
  folder is in one shard, so adding an album rewrites one small file, not the whole catalogue);
- ``scan.json``: the last scan's music folder and problems, and the junk files not to read again.

A shard holds rows, not documents, with the field names once at the top::

    {"format": "encore-catalogue", "v": 2, "song_fields": [...], "tag_fields": [...],
     "songs": [[song_id, path, title, ...], ...], "files": [[rel, size, mtime_ns, context, [tags...]], ...]}

``songs[i]`` and ``files[i]`` describe the same file; ``files`` is the scan's memory (size and mtime to skip
unchanged files, the folder context, the raw tags to rebuild a record without reading audio again). Rows parse
in a fraction of the time of keyed documents: 20,000 songs load in ~0.1 s CPU (see bench/library.py).

Every write is atomic (:func:`kiosk.adapters.atomic.atomic_write_bytes`) under the data folder's lock, and leaves
a rotating copy in ``catalogue/.backups/``. A damaged shard is set aside as ``shard-XX.json.damaged-<UTC>``, its
newest good copy put back (or nothing: the next scan reads those files again) and staff are told.

Earlier versions kept the whole catalogue in one TinyDB file, ``catalogue.json``. It is migrated whenever it is
found (the first start after an upgrade, and after restoring an older backup): the shards are written first, the
old file removed last, so a kill at any point leaves either the old file (migrated again next time) or the
finished shards.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from sys import intern
from typing import Any

from kiosk.adapters import attention
from kiosk.adapters.atomic import atomic_write_bytes, fsync_dir
from kiosk.adapters.docstore import DataFolder, _set_aside, backup_paths, recover, write_backup
from kiosk.domain.library import TagInfo
from kiosk.domain.models import Song
from kiosk.domain.themes import infer_themes

log = logging.getLogger(__name__)

FOLDER = "catalogue"
LEGACY_STORE = "catalogue"  # <data>/catalogue.json, the single TinyDB file of earlier versions
SCAN_FILE = "scan.json"
SHARDS = 64
FORMAT = "encore-catalogue"
VERSION = 2
# A song's beat grid (the last fields of Song) lives in the beat-summaries store (kiosk.adapters.beat_store),
# not in the shards: a rescan rewrites shards and must never lose a grid that took seconds of CPU to find.
SONG_FIELDS = tuple(f.name for f in fields(Song) if not f.name.startswith("beat_"))
TAG_FIELDS = tuple(f.name for f in fields(TagInfo))
_SONG_DEFAULTS = {f.name: f.default for f in fields(Song)}
_TAG_DEFAULTS = {f.name: f.default for f in fields(TagInfo)}
ID, SUSPECT, THEMES, YEAR = (SONG_FIELDS.index(n) for n in ("song_id", "suspect", "themes", "year"))
_SHARED = tuple(
    SONG_FIELDS.index(n)
    for n in (
        "artist",
        "album",
        "album_artist",
        "genre",
        "era_source",
        "mood",
        "language",
        "era_note",
        "suspect",
    )
)
REL, SIZE, MTIME, CONTEXT, TAGS = range(5)  # a file row: [rel, size, mtime_ns, context, tag row or None]

Row = list[Any]
Entry = tuple[Row, Row]  # (song row, file row)


class DamagedShard(ValueError):
    """A shard file that cannot be read as one."""


_gc_lock = threading.Lock()
_gc_pauses = 0  # pauses open now, in any thread (the collector is process-wide)
_gc_enable_after = False  # whether the collector was on when the first of them began
_gc_frozen = False


@contextlib.contextmanager
def gc_paused() -> Iterator[Callable[[], None]]:
    """Keep Python's cyclic garbage collector off the catalogue while it is built in memory (scan and load).

    Both allocate millions of long-lived lists and tuples (every shard's rows; a scan's file list too) and no
    cyclic garbage, yet each collection the allocations trigger traverses everything tracked so far: CPU per
    song grew with the library (at 100,000 songs against 20,000: a rescan 1.4x, a load 1.5x). The collector is
    off inside; calling the yielded ``resume()`` turns it back on (when no other pause is open) with everything
    allocated so far frozen (never traversed), so a scan reading new files still collects their garbage.

    The collector is process-wide and the kiosk loads the catalogue from more than one thread, so pauses are
    counted under a lock: the last one to end puts the collector back as the first found it (a kiosk that runs
    for months must never be left with it off)."""
    global _gc_pauses, _gc_enable_after, _gc_frozen
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_enable_after = gc.isenabled()
        _gc_pauses += 1
        gc.disable()

    def resume() -> None:
        global _gc_frozen
        with _gc_lock:
            gc.freeze()
            _gc_frozen = True
            if _gc_pauses == 1 and _gc_enable_after:
                gc.enable()

    try:
        yield resume
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                if _gc_frozen:
                    gc.unfreeze()
                    _gc_frozen = False
                if _gc_enable_after:
                    gc.enable()
            else:
                gc.disable()  # another pause is still open (its resume() may have turned it on: it will again)


def shard_of(rel: str) -> str:
    """The shard of a file by its folder inside the music folder (``"1950s/Album/x.mp3"`` -> ``"shard-1c"``)."""
    folder = rel.rpartition("/")[0]
    return f"shard-{zlib.crc32(folder.encode('utf-8', 'surrogateescape')) % SHARDS:02x}"


def song_of(row: Row) -> Song:
    """The :class:`Song` of a song row (themes stored as a list; a Song holds a tuple).

    Fields that repeat across songs (artist, album, genre, era source...) are interned: JSON gives every row
    its own copy, and 20,000 songs held ~6 MB of duplicates in the running kiosk."""
    values = list(row)
    for i in _SHARED:
        value = values[i]
        if value.__class__ is str:
            values[i] = intern(value)
    themes = values[THEMES]
    values[THEMES] = tuple(map(intern, themes)) if themes else ()
    return Song(*values)


def song_row(song: Song) -> Row:
    row = [getattr(song, name) for name in SONG_FIELDS]
    row[THEMES] = list(song.themes)
    return row


def tag_row(tags: TagInfo) -> Row:
    doc = tags.to_dict()
    return [doc[name] for name in TAG_FIELDS]


def tags_of(row: Row) -> TagInfo:
    return TagInfo.from_dict(dict(zip(TAG_FIELDS, row, strict=True)))


def _reorder(rows: Any, names: Any, wanted: Sequence[str], defaults: dict[str, Any]) -> list[Row]:
    """Rows written with other field names (an older or newer version) in today's field order."""
    if not isinstance(rows, list) or not isinstance(names, list):
        raise DamagedShard("rows or field names missing")
    if tuple(names) == tuple(wanted):
        return rows
    out: list[Row] = []
    for row in rows:
        given = dict(zip(names, row, strict=False))
        out.append([given.get(name, defaults.get(name)) for name in wanted])
    return out


def decode_shard(raw: bytes) -> list[Entry]:
    """The entries of a shard file, or :class:`DamagedShard`."""
    if b"\x00" in raw:
        raise DamagedShard("NUL bytes: cut short by a power failure?")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DamagedShard("not JSON: truncated or overwritten") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DamagedShard("not a catalogue shard")
    songs = _reorder(doc.get("songs"), doc.get("song_fields"), SONG_FIELDS, _SONG_DEFAULTS)
    files = doc.get("files")
    if not isinstance(files, list) or len(files) != len(songs):
        raise DamagedShard("songs and files do not match")
    tag_names = doc.get("tag_fields")
    entries: list[Entry] = []
    for song, file in zip(songs, files, strict=True):
        if not (isinstance(song, list) and len(song) == len(SONG_FIELDS) and isinstance(file, list)):
            raise DamagedShard("a row of the wrong shape")
        if len(file) != 5 or not isinstance(file[REL], str):
            raise DamagedShard("a file row of the wrong shape")
        if file[TAGS] is not None:
            file[TAGS] = _reorder([file[TAGS]], tag_names, TAG_FIELDS, _TAG_DEFAULTS)[0]
        entries.append((song, file))
    return entries


def encode_shard(entries: Iterable[Entry]) -> bytes:
    songs, files = [], []
    for song, file in entries:
        songs.append(song)
        files.append(file)
    doc = {
        "format": FORMAT,
        "v": VERSION,
        "song_fields": list(SONG_FIELDS),
        "tag_fields": list(TAG_FIELDS),
        "songs": songs,
        "files": files,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class CatalogueFiles:
    """The ``catalogue/`` folder of a data folder: read shards, write the changed ones, migrate the old file."""

    def __init__(self, data: DataFolder):
        self.data = data
        self.folder = data.root / FOLDER
        self.legacy_path = data.path(LEGACY_STORE)

    def shard_path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def shard_names(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names if n.startswith("shard-") and n.endswith(".json"))

    def stamp(self, name: str) -> tuple[int, int, int] | None:
        """(inode, size, mtime) of a shard file: changes with every write (a write is a rename)."""
        return _stamp(self.shard_path(name))

    # -- reading -----------------------------------------------------------------------------------

    def read_shard(self, name: str) -> list[Entry]:
        """One shard's entries; a damaged shard is repaired from its newest good copy (or emptied), staff told."""
        path = self.shard_path(name)
        try:
            return decode_shard(path.read_bytes())
        except FileNotFoundError:
            return []
        except DamagedShard:
            pass
        with self.data.locked():
            try:
                return decode_shard(path.read_bytes())  # repaired meanwhile by another process
            except FileNotFoundError:
                return []
            except DamagedShard as exc:
                return self._repair(path, str(exc))

    def _repair(self, path: Path, reason: str) -> list[Entry]:
        for copy in backup_paths(path):
            try:
                raw = copy.read_bytes()
                entries = decode_shard(raw)
            except (OSError, DamagedShard):
                continue
            try:
                _set_aside(path)
                atomic_write_bytes(path, raw)
            except OSError as exc:
                log.error(
                    "catalogue: %s is damaged (%s) and could not be repaired: %s", path.name, reason, exc
                )
            self._note(path, reason, "an earlier copy was put back; run a scan to bring it up to date")
            return entries
        try:
            _set_aside(path)
        except OSError as exc:
            log.error("catalogue: %s is damaged (%s) and could not be set aside: %s", path.name, reason, exc)
        self._note(path, reason, "its songs are missing until the next scan; run a scan")
        return []

    def _note(self, path: Path, reason: str, what: str) -> None:
        message = f"The music catalogue file {FOLDER}/{path.name} was damaged ({reason}): {what}."
        log.error("catalogue: %s", message)
        attention.note(self.data.root, f"catalogue-damaged:{path.stem}", message)

    def load(self) -> dict[str, list[Entry]]:
        """Every shard's entries (the old single file migrated first, when there is one)."""
        legacy = self.migrate_legacy()
        if legacy is not None:
            return legacy
        return {name: self.read_shard(name) for name in self.shard_names()}

    def read_info(self) -> dict[str, Any]:
        """The last scan's music folder and problems ({} when there is none or it is damaged)."""
        try:
            info = json.loads((self.folder / SCAN_FILE).read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            log.warning("catalogue: %s unreadable (%s); the next scan rewrites it", SCAN_FILE, exc)
            return {}
        return info if isinstance(info, dict) else {}

    # -- writing -----------------------------------------------------------------------------------

    def write(self, shards: dict[str, list[Entry]], info: dict[str, Any] | None = None) -> None:
        """Write the given shards (an empty list deletes the shard) and the scan info. Takes the folder lock."""
        with self.data.locked():
            self.folder.mkdir(mode=0o700, exist_ok=True)
            for name, entries in sorted(shards.items()):
                path = self.shard_path(name)
                if not entries:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                    continue
                raw = encode_shard(entries)
                atomic_write_bytes(path, raw)
                write_backup(path, raw)
            if info is not None:
                atomic_write_bytes(
                    self.folder / SCAN_FILE, json.dumps(info, ensure_ascii=False).encode("utf-8")
                )
            if any(not e for e in shards.values()):
                fsync_dir(self.folder)

    # -- the single file of earlier versions -------------------------------------------------------

    def migrate_legacy(self) -> dict[str, list[Entry]] | None:
        """Move ``catalogue.json`` into shards if it exists; its shards (None when there is no old file).

        Shards of songs no longer in it are deleted (it is the newer truth: e.g. an older backup restored). If the
        folder cannot be written, the old file's songs are returned without migrating."""
        legacy = self.legacy_path
        if not legacy.is_file():  # (a folder there is an odd store: left alone, staff told by the doctor)
            return None
        try:
            with self.data.locked():
                if not legacy.is_file():
                    return None
                content = recover(legacy)[0]
                shards, info = legacy_entries(content)
                stale: dict[str, list[Entry]] = {
                    name: [] for name in self.shard_names() if name not in shards
                }
                self.write({**stale, **shards}, info)
                for path in [legacy, *backup_paths(legacy)]:
                    path.unlink(missing_ok=True)
                fsync_dir(legacy.parent)
            log.info("catalogue: %s moved into %s/ (%d songs)", legacy.name, FOLDER, _count(shards))
            return shards
        except OSError as exc:
            log.warning("catalogue: could not move %s into shards (%s); read as it is", legacy.name, exc)
            try:
                return legacy_entries(json.loads(legacy.read_bytes()))[0]
            except (OSError, ValueError, UnicodeDecodeError, AttributeError):
                return {}


def _count(shards: dict[str, list[Entry]]) -> int:
    return sum(len(e) for e in shards.values())


def song_from_doc(doc: dict[str, Any]) -> Song:
    """A :class:`Song` from a document of the old single-file catalogue (or any dict of Song fields).

    A document stored before songs had themes gets those its genre, album and folders give (the next scan
    adds what era.toml files say), so an avoided theme protects residents from the moment of the upgrade."""
    values = {k: v for k, v in doc.items() if k in _SONG_DEFAULTS}
    themes = values.get("themes")
    if isinstance(themes, list | tuple):
        values["themes"] = tuple(str(t) for t in themes)  # a JSON list; a Song holds a tuple (hashable)
    else:  # stored before themes existed (or damaged): what genre, album and folders say
        folders = tuple(reversed(str(doc.get("rel") or "").split("/")[:-1]))
        values["themes"] = infer_themes(
            genre=str(doc.get("genre") or ""), album=str(doc.get("album") or ""), folder_names=folders
        )
    return Song(**values)


def legacy_entries(content: dict[str, Any]) -> tuple[dict[str, list[Entry]], dict[str, Any]]:
    """The shards and scan info of an old ``catalogue.json`` (tables ``songs`` and ``scan``)."""
    shards: dict[str, list[Entry]] = {}
    docs = content.get("songs") or {}
    for key in sorted(docs, key=lambda k: int(k) if str(k).isdigit() else 0):  # insertion order = walk order
        doc = docs[key]
        if not isinstance(doc, dict):
            continue
        try:
            song = song_from_doc(doc)
        except (TypeError, ValueError):
            continue
        rel = str(doc.get("rel") or os.path.basename(song.path))
        tags = doc.get("tags")
        try:
            tag_values = tag_row(TagInfo.from_dict(tags)) if isinstance(tags, dict) else None
        except (TypeError, ValueError):
            tag_values = None
        file = [rel, doc.get("size"), doc.get("mtime_ns"), doc.get("context"), tag_values]
        shards.setdefault(shard_of(rel), []).append((song_row(song), file))
    info = next(iter((content.get("scan") or {}).values()), None)
    return shards, dict(info) if isinstance(info, dict) else {}
