"""Walking the music folder for the scan: every audio file with its folder context (sidecars, cover, lyrics).

Follows folder links but never in circles (loops are detected by device and inode); junk (names that are not
UTF-8, broken links, unreadable folders or sidecars) is reported in the :class:`ScanReport`, never fatal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.adapters.tags import AUDIO_EXTENSIONS
from kiosk.domain.era import SidecarEntry
from kiosk.domain.sidecar import SIDECAR_NAMES, Sidecar, merge_folder_entries, parse_sidecar

if TYPE_CHECKING:
    from kiosk.adapters.library_scan import ScanReport

MAX_SIDECAR_BYTES = 256 * 1024
# Pictures beside the music that stand for the album (the kiosk shows them while a song plays).
COVER_NAMES = tuple(
    f"{stem}{ext}"
    for stem in ("cover", "folder", "front", "album", "Cover", "Folder", "Front", "Album", "COVER", "FOLDER")
    for ext in (".jpg", ".jpeg", ".png", ".JPG", ".PNG")
)


@dataclass(frozen=True)
class FileRef:
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


def utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(rel: str) -> str:
    """A path that can be printed and stored even when the file system name is not UTF-8."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class Walker:
    """Walks the music folder once, following folder links but never in circles."""

    def __init__(self, root: Path, report: ScanReport):
        self.root = root
        self.report = report
        self.files: list[FileRef] = []

    def _problem(self, rel: str, reason: str) -> None:
        self.report.unreadable.append((printable(rel), reason))

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
        sidecar, problems = parse_sidecar(raw.decode("utf-8-sig", "replace"), printable(shown))
        self.report.sidecar_problems.extend(problems)
        return sidecar

    def walk(self) -> list[FileRef]:
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
                if not utf8(name):
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
                    FileRef(
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
