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

import contextlib
import functools
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.tags import AUDIO_EXTENSIONS, MutagenTagReader
from kiosk.domain import era as _era
from kiosk.domain import library as _library
from kiosk.domain import models as _models
from kiosk.domain import sidecar as _sidecar
from kiosk.domain import themes as _themes
from kiosk.domain.era import SidecarEntry
from kiosk.domain.library import TagInfo, UnreadableFile, build_song, song_document
from kiosk.domain.sidecar import SIDECAR_NAMES, Sidecar, merge_folder_entries, parse_sidecar
from kiosk.errors import UserError

log = logging.getLogger(__name__)

STORE = "catalogue"
SONGS = "songs"
SCAN_INFO = "scan"
_STAMP_KEYS = ("rel", "size", "mtime_ns", "content_id", "tags")
MAX_SIDECAR_BYTES = 256 * 1024
# Pictures beside the music that stand for the album (the kiosk shows them while a song plays).
COVER_NAMES = tuple(
    f"{stem}{ext}"
    for stem in ("cover", "folder", "front", "album", "Cover", "Folder", "Front", "Album", "COVER", "FOLDER")
    for ext in (".jpg", ".jpeg", ".png", ".JPG", ".PNG")
)

Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class _FileRef:
    rel: str
    abs_path: str
    stem: str
    size: int
    mtime_ns: int
    folder_names: tuple[str, ...]
    folder_sidecar: SidecarEntry | None
    file_sidecar: SidecarEntry | None
    lyrics_path: str | None
    cover_path: str | None


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(rel: str) -> str:
    """A path that can be printed and stored even when the file system name is not UTF-8."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _Walker:
    """Walks the music folder once, following folder links but never in circles."""

    def __init__(self, root: Path, report: ScanReport):
        self.root = root
        self.report = report
        self.files: list[_FileRef] = []

    def _problem(self, rel: str, reason: str) -> None:
        self.report.unreadable.append((_printable(rel), reason))

    def _sidecar(self, folder: str, rel_folder: str, name: str) -> Sidecar | None:
        path = os.path.join(folder, name)
        shown = os.path.join(rel_folder, name) if rel_folder else name
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_SIDECAR_BYTES + 1)
        except OSError as exc:
            self.report.sidecar_problems.append(f"{shown}: cannot read ({exc.strerror})")
            return None
        if len(raw) > MAX_SIDECAR_BYTES:
            self.report.sidecar_problems.append(f"{shown}: too large for an era file; ignored")
            return None
        # utf-8-sig: Notepad may start the file with a byte-order mark
        sidecar, problems = parse_sidecar(raw.decode("utf-8-sig", "replace"), _printable(shown))
        self.report.sidecar_problems.extend(problems)
        return sidecar

    def walk(self) -> list[_FileRef]:
        root = str(self.root)
        st = os.stat(root)
        seen = {(st.st_dev, st.st_ino): ""}
        # (absolute folder, rel folder, folder names nearest first, folder sidecar entries nearest first)
        stack: list[tuple[str, str, tuple[str, ...], tuple[SidecarEntry, ...]]] = [(root, "", (), ())]
        while stack:
            folder, rel_folder, names, entries = stack.pop()
            try:
                with os.scandir(folder) as it:
                    children = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self._problem(rel_folder or ".", f"cannot open folder ({exc.strerror})")
                continue
            by_name = {e.name for e in children}
            sidecar_name = next((n for n in SIDECAR_NAMES if n in by_name), None)
            sidecar = self._sidecar(folder, rel_folder, sidecar_name) if sidecar_name else None
            if sidecar is not None:
                entries = (sidecar.folder, *entries)
            merged = merge_folder_entries(list(entries))
            cover = next((n for n in COVER_NAMES if n in by_name), None)
            cover_path = os.path.join(folder, cover) if cover else None
            subfolders = []
            for entry in children:
                name = entry.name
                if name.startswith("."):
                    continue
                rel = f"{rel_folder}/{name}" if rel_folder else name
                ext = os.path.splitext(name)[1].lower()
                try:
                    is_dir = entry.is_dir()
                    is_file = not is_dir and entry.is_file()
                except OSError:
                    is_dir = is_file = False
                if not _utf8(name):
                    if is_dir or ext in AUDIO_EXTENSIONS:
                        self._problem(rel, "name is not valid UTF-8 text: rename it to play it")
                    continue
                if is_dir:
                    try:
                        dst = entry.stat()
                    except OSError as exc:
                        self._problem(rel, f"cannot open folder ({exc.strerror})")
                        continue
                    key = (dst.st_dev, dst.st_ino)
                    if key in seen:
                        self._problem(
                            rel, f"folder link loop or repeat (same folder as '{seen[key] or '.'}')"
                        )
                        continue
                    seen[key] = rel
                    subfolders.append((entry.path, rel, (name, *names), entries))
                    continue
                if ext not in AUDIO_EXTENSIONS:
                    continue
                if not is_file:
                    self._problem(rel, "broken link, link loop or not a regular file")
                    continue
                try:
                    fst = entry.stat()
                except OSError as exc:
                    self._problem(rel, f"cannot read ({exc.strerror})")
                    continue
                stem = os.path.splitext(name)[0]
                lrc = next((f"{stem}{x}" for x in (".lrc", ".LRC") if f"{stem}{x}" in by_name), None)
                self.files.append(
                    _FileRef(
                        rel=rel,
                        abs_path=entry.path,
                        stem=stem,
                        size=fst.st_size,
                        mtime_ns=fst.st_mtime_ns,
                        folder_names=names,
                        folder_sidecar=merged,
                        file_sidecar=sidecar.files.get(name) if sidecar else None,
                        lyrics_path=os.path.join(folder, lrc) if lrc else None,
                        cover_path=cover_path,
                    )
                )
            stack.extend(reversed(subfolders))
        return self.files


@functools.cache
def _rules_stamp() -> str:
    """Changes whenever the era/mood rules change, so stored results computed by older rules are redone."""
    digest = hashlib.sha1(usedforsecurity=False)
    for module in (_era, _library, _models, _sidecar, _themes):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:12]


def _context(ref: _FileRef) -> str:
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


def _load_store(data: DataFolder) -> dict[str, Any]:
    """The catalogue file's content; a damaged file is set aside (the catalogue is rebuilt by the scan)."""
    try:
        return dict(data.read(STORE).storage.read() or {})
    except (ValueError, UnicodeDecodeError) as exc:
        path = data.path(STORE)
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        with data.locked(), contextlib.suppress(FileNotFoundError):
            os.replace(path, aside)
        log.warning("catalogue file damaged (%s); set aside as %s and rebuilt", exc, aside.name)
        return {}


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
    started = time.perf_counter()
    music_dir = Path(music_dir).expanduser()
    if not music_dir.is_dir():
        raise UserError(f"{music_dir}: music folder not found (set [library] music_dir in kiosk.toml)")
    music_dir = music_dir.resolve()
    reader = reader or MutagenTagReader()
    report = ScanReport(music_dir=str(music_dir))
    files = _Walker(music_dir, report).walk()
    report.phases_s["walk"] = time.perf_counter() - started
    read_s = 0.0

    old_store = _load_store(data)
    old_docs = list(old_store.get(SONGS, {}).values())
    by_rel = {d.get("rel"): d for d in old_docs}
    old_ids = {d.get("song_id"): d for d in old_docs}
    if not files and old_docs and not allow_empty:
        raise UserError(
            f"{music_dir}: no music found, but the catalogue has {len(old_docs)} songs; kept them "
            "(is the USB stick or disk plugged in?)"
        )
    old_info = next(iter(old_store.get(SCAN_INFO, {}).values()), None) or {}
    old_skips = old_info.get("skip_stamps", {})
    skip_stamps: dict[str, list[Any]] = {}

    docs: list[dict[str, Any]] = []
    used: dict[str, str] = {}
    total = len(files)
    for done, ref in enumerate(files, 1):
        old = by_rel.get(ref.rel)
        context = _context(ref)
        if old and old.get("size") == ref.size and old.get("mtime_ns") == ref.mtime_ns and "tags" in old:
            content_id = str(old["content_id"])
            report.unchanged += 1
            if old.get("context") == context and content_id not in used:
                used[content_id] = ref.rel  # unchanged file, unchanged folder context: the record stands
                docs.append(old)
                if progress:
                    progress(done, total)
                continue
            tags = TagInfo.from_dict(old["tags"])
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
                report.unreadable.append((_printable(ref.rel), str(exc)))
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
            suspect=previous.get("suspect") if previous else None,
        )
        doc = song_document(song)
        doc.update(
            rel=ref.rel,
            size=ref.size,
            mtime_ns=ref.mtime_ns,
            content_id=content_id,
            context=context,
            tags=tags.to_dict(),
        )
        docs.append(doc)
        if previous is None:
            report.added += 1
        elif previous.get("rel") != ref.rel:
            report.moved += 1
        if progress:
            progress(done, total)

    new_ids = {d["song_id"] for d in docs}
    report.removed = sum(1 for sid in old_ids if sid not in new_ids)
    report.songs = len(docs)
    decades = Counter(d["year"] // 10 * 10 for d in docs if d["year"] is not None)
    report.per_decade = {f"{k}s": decades[k] for k in sorted(decades)}
    report.unknown_era = sum(1 for d in docs if d["year"] is None)
    info = {
        "music_dir": report.music_dir,
        "unreadable": [list(p) for p in report.unreadable],
        "sidecar_problems": list(report.sidecar_problems),
        "skip_stamps": skip_stamps,
    }
    # (stored order is not walk order: the store sorts its keys; compare by path)
    if {d["rel"]: d for d in docs} != by_rel or info != {k: old_info.get(k) for k in info}:
        t_write = time.perf_counter()
        _write(data, docs, info)
        report.phases_s["write"] = time.perf_counter() - t_write
        report.written = True
    report.phases_s["read"] = read_s
    report.elapsed_s = time.perf_counter() - started
    return report


def _write(data: DataFolder, docs: list[dict[str, Any]], info: dict[str, Any]) -> None:
    """Replace the catalogue under the lock, keeping ``suspect`` marks made while the scan ran."""
    with data.write(STORE) as db:
        current = db.storage.read() or {}
        marks = {
            d.get("song_id"): d.get("suspect") for d in current.get(SONGS, {}).values() if d.get("suspect")
        }
        for doc in docs:
            if not doc.get("suspect") and doc["song_id"] in marks:
                doc["suspect"] = marks[doc["song_id"]]
        db.drop_table(SONGS)
        db.table(SONGS).insert_multiple(docs)
        db.drop_table(SCAN_INFO)
        db.table(SCAN_INFO).insert(info)
