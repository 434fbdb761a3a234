"""The library scan: walk the music folder, read new or changed files, store the catalogue.

Incremental: a file whose size and modification time are unchanged is not opened again; its stored tags are
reused, and era, mood and language are recomputed from them (so an edited ``era.toml`` takes effect on the next
scan without re-reading any audio). Removed files are pruned. A song's ``song_id`` is its content fingerprint
(:mod:`kiosk.adapters.tags`), so a renamed or moved file keeps its engagement history.

Junk never stops a scan: empty files, non-audio files named ``.mp3``, damaged files, giant cover art, folder
link loops, broken links and file names that are not UTF-8 are reported (path and reason) and skipped.

The expensive part runs without the data folder's lock; the lock is held only for the final merge-and-write,
so the kiosk can keep flagging songs meanwhile (their ``suspect`` marks are kept).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.adapters.catalogue_store import (
    CONTEXT,
    ID,
    LEGACY_STORE,
    MTIME,
    REL,
    SIZE,
    SUSPECT,
    TAGS,
    YEAR,
    CatalogueFiles,
    Entry,
    gc_paused,
    shard_of,
    song_row,
    tag_row,
    tags_of,
)
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_walk import FileRef, Walker, printable
from kiosk.adapters.tags import MutagenTagReader
from kiosk.domain import era as _era
from kiosk.domain import library as _library
from kiosk.domain import models as _models
from kiosk.domain import sidecar as _sidecar
from kiosk.domain import themes as _themes
from kiosk.domain.library import UnreadableFile, build_song
from kiosk.errors import UserError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
STORE = LEGACY_STORE  # the single-file catalogue of earlier versions: a registered store, migrated when found


@dataclass
class ScanReport:
    """What a scan found and did (the CLI prints it; the staff screen shows it)."""

    music_dir: str
    songs: int = 0
    read: int = 0  # files opened and parsed this time
    unchanged: int = 0  # files skipped because size and mtime were unchanged
    added: int = 0
    removed: int = 0
    moved: int = 0  # same audio, new path: identity kept
    per_decade: dict[str, int] = field(default_factory=dict)
    unknown_era: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path inside music_dir, reason)
    sidecar_problems: list[str] = field(default_factory=list)
    written: bool = False  # False when nothing changed (no write: the SD card is spared)
    elapsed_s: float = 0.0
    phases_s: dict[str, float] = field(default_factory=dict)  # walk, read (tags), write: where time went


@functools.cache
def _rules_stamp() -> str:
    """Changes whenever the era/mood rules change, so stored results computed by older rules are redone."""
    digest = hashlib.sha1(usedforsecurity=False)
    for module in (_era, _library, _models, _sidecar, _themes):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:12]


def _context(ref: FileRef) -> str:
    """Everything besides the tags that decides a song's record; equal context + unchanged file = same doc."""
    key = repr(
        (
            _rules_stamp(),
            ref.abs_path,
            ref.folder_names,
            ref.folder_sidecar,
            ref.file_sidecar,
            ref.lyrics_path,
            ref.cover_path,
        )
    )
    return hashlib.md5(key.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()[:16]


def scan_library(
    data: DataFolder,
    music_dir: Path,
    progress: Progress | None = None,
    reader: MutagenTagReader | None = None,
    *,
    allow_empty: bool = False,
) -> ScanReport:
    """Scan ``music_dir`` into the ``catalogue`` store; ``progress(done, total)`` after each file.

    Raises :class:`UserError` (and changes nothing) when the music folder does not exist, or when it holds no
    music at all while the catalogue has songs (an unplugged USB stick must not empty the kiosk) unless
    ``allow_empty``.
    """
    with gc_paused() as resume_gc:
        return _scan(data, music_dir, progress, reader, allow_empty, resume_gc)


def _scan(
    data: DataFolder,
    music_dir: Path,
    progress: Progress | None,
    reader: MutagenTagReader | None,
    allow_empty: bool,
    resume_gc: Callable[[], None],
) -> ScanReport:
    started = time.perf_counter()
    music_dir = Path(music_dir).expanduser()
    if not music_dir.is_dir():
        raise UserError(f"{music_dir}: music folder not found (set [library] music_dir in kiosk.toml)")
    music_dir = music_dir.resolve()
    reader = reader or MutagenTagReader()
    report = ScanReport(music_dir=str(music_dir))
    files = Walker(music_dir, report).walk()
    report.phases_s["walk"] = time.perf_counter() - started
    read_s = 0.0

    store = CatalogueFiles(data)
    old_shards = store.load()
    loaded = {name: store.stamp(name) for name in old_shards}
    by_rel = {f[REL]: (s, f) for entries in old_shards.values() for s, f in entries}
    old_ids = {s[ID]: (s, f) for s, f in by_rel.values()}
    if not files and by_rel and not allow_empty:
        raise UserError(
            f"{music_dir}: no music found, but the catalogue has {len(by_rel)} songs; kept them "
            "(is the USB stick or disk plugged in?)"
        )
    old_info = store.read_info()
    old_skips = old_info.get("skip_stamps", {})
    resume_gc()  # the walk and the catalogue are in memory: collect again, without traversing them
    skip_stamps: dict[str, list[Any]] = {}

    entries: list[Entry] = []
    used: dict[str, str] = {}
    total = len(files)
    for done, ref in enumerate(files, 1):
        old = by_rel.get(ref.rel)
        context = _context(ref)
        if old and old[1][SIZE] == ref.size and old[1][MTIME] == ref.mtime_ns and old[1][TAGS] is not None:
            content_id = str(old[0][ID])
            report.unchanged += 1
            if old[1][CONTEXT] == context and content_id not in used:
                used[content_id] = ref.rel  # unchanged file, unchanged folder context: the record stands
                entries.append(old)
                if progress:
                    progress(done, total)
                continue
            tags = tags_of(old[1][TAGS])
        elif (skip := old_skips.get(ref.rel)) and skip[0] == ref.size and skip[1] == ref.mtime_ns:
            report.unreadable.append((ref.rel, str(skip[2])))  # still the same junk: not read again
            skip_stamps[ref.rel] = skip
            report.unchanged += 1
            if progress:
                progress(done, total)
            continue
        else:
            try:
                t_read = time.perf_counter()
                scanned = reader.read_file(ref.abs_path)
                read_s += time.perf_counter() - t_read
            except UnreadableFile as exc:
                read_s += time.perf_counter() - t_read
                report.unreadable.append((printable(ref.rel), str(exc)))
                skip_stamps[ref.rel] = [ref.size, ref.mtime_ns, str(exc)]
                if progress:
                    progress(done, total)
                continue
            tags, content_id = scanned.tags, scanned.content_id
            report.read += 1
        if content_id in used:
            report.unreadable.append((ref.rel, f"same audio as '{used[content_id]}': listed once"))
            if progress:
                progress(done, total)
            continue
        used[content_id] = ref.rel
        previous = old_ids.get(content_id)
        song = build_song(
            song_id=content_id,
            path=ref.abs_path,
            file_stem=ref.stem,
            tags=tags,
            folder_names=ref.folder_names,
            file_sidecar=ref.file_sidecar,
            folder_sidecar=ref.folder_sidecar,
            lyrics_path=ref.lyrics_path,
            cover_path=ref.cover_path,
            suspect=previous[0][SUSPECT] if previous else None,
        )
        entries.append((song_row(song), [ref.rel, ref.size, ref.mtime_ns, context, tag_row(tags)]))
        if previous is None:
            report.added += 1
        elif previous[1][REL] != ref.rel:
            report.moved += 1
        if progress:
            progress(done, total)

    new_ids = {s[ID] for s, _f in entries}
    report.removed = sum(1 for sid in old_ids if sid not in new_ids)
    report.songs = len(entries)
    years = [s[YEAR] for s, _f in entries]
    decades = Counter(y // 10 * 10 for y in years if y is not None)
    report.per_decade = {f"{k}s": decades[k] for k in sorted(decades)}
    report.unknown_era = sum(1 for y in years if y is None)
    info = {
        "music_dir": report.music_dir,
        "unreadable": [list(p) for p in report.unreadable],
        "sidecar_problems": list(report.sidecar_problems),
        "skip_stamps": skip_stamps,
    }
    new_shards: dict[str, list[Entry]] = {name: [] for name in old_shards}
    for entry in entries:
        new_shards.setdefault(shard_of(entry[1][REL]), []).append(entry)
    changed = {name: e for name, e in new_shards.items() if e != old_shards.get(name, [])}
    info_changed = info != {k: old_info.get(k) for k in info}
    if changed or info_changed:
        t_write = time.perf_counter()
        _write(store, changed, loaded, info)
        report.phases_s["write"] = time.perf_counter() - t_write
        report.written = True
    report.phases_s["read"] = read_s
    report.elapsed_s = time.perf_counter() - started
    return report


def _write(
    store: CatalogueFiles,
    changed: dict[str, list[Entry]],
    loaded: dict[str, tuple[int, int, int] | None],
    info: dict[str, Any],
) -> None:
    """Write the changed shards under the lock, keeping ``suspect`` marks made while the scan ran (in shards
    that changed on disk since the scan read them)."""
    with store.data.locked():
        marks: dict[str, Any] = {}
        for name in store.shard_names():
            if store.stamp(name) != loaded.get(name):
                marks.update((s[ID], s[SUSPECT]) for s, _f in store.read_shard(name) if s[SUSPECT])
        if marks:
            for entries in changed.values():
                for i, (song, file) in enumerate(entries):
                    if not song[SUSPECT] and song[ID] in marks:
                        song = list(song)
                        song[SUSPECT] = marks[song[ID]]
                        entries[i] = (song, file)
        store.write(changed, info)
