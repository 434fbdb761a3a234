"""Find resident files (CSV/JSON) on USB sticks, for the staff screen's "import from USB".

On the Pi, ``deploy/kiosk-usb-mount.sh`` (started by a udev rule) mounts every stick read-only at
``/media/kiosk-usb/<label>``: Pi OS Lite has no automounter. This module only looks: it lists candidate files
on mounted sticks under the mount root, newest first within a stick, skipping hidden files (``._x.csv`` from a
Mac, ``System Volume Information``) and not descending past ``max_depth`` folders, so a full stick of music
cannot stall the staff screen.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MOUNT_ROOT = Path("/media/kiosk-usb")
IMPORT_SUFFIXES = frozenset({".csv", ".json"})


def mounted_sticks(mount_root: Path = DEFAULT_MOUNT_ROOT, *, only_mounted: bool = True) -> list[Path]:
    """The folders under ``mount_root`` that are mount points (every folder when ``only_mounted`` is False)."""
    try:
        entries = sorted(os.scandir(mount_root), key=lambda e: e.name.lower())
    except OSError:
        return []
    sticks = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        if only_mounted and not os.path.ismount(path):
            continue
        sticks.append(path)
    return sticks


def find_import_files(
    mount_root: Path = DEFAULT_MOUNT_ROOT,
    *,
    max_depth: int = 2,
    only_mounted: bool = True,
    max_files: int = 200,
) -> list[Path]:
    """CSV and JSON files on the mounted sticks under ``mount_root``.

    ``max_depth`` counts folders below a stick's top (0 = only the top). At most ``max_files`` are returned.
    A stick pulled out while we look is simply skipped.
    """
    found: list[Path] = []
    for stick in mounted_sticks(Path(mount_root), only_mounted=only_mounted):
        on_stick: list[tuple[float, Path]] = []
        _walk(stick, max_depth, on_stick)
        on_stick.sort(key=lambda item: (-item[0], str(item[1]).lower()))
        found.extend(path for _, path in on_stick)
        if len(found) >= max_files:
            return found[:max_files]
    return found


def _walk(folder: Path, depth_left: int, out: list[tuple[float, Path]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.startswith("~$"):
            continue
        try:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth_left > 0 and entry.name != "System Volume Information":
                    _walk(Path(entry.path), depth_left - 1, out)
            elif entry.is_file() and Path(entry.name).suffix.lower() in IMPORT_SUFFIXES:
                out.append((entry.stat().st_mtime, Path(entry.path)))
        except OSError:
            continue
