"""`kiosk backup`: a consistent copy of the data folder (putting one back: :mod:`kiosk.adapters.restore`).

A backup folder holds ``manifest.json`` (format, version, time, every file with its size and sha256, the
residents it holds as opaque ids, and the erasure list: ids and times only) and ``data/`` (the files). Stores,
rollups and photos are copied under the data folder's lock, so no store is caught mid-write; then the journal's
day files (append-only, the bulk of the data: no need to hold up the kiosk's writes meanwhile) are copied up to
their last complete line. A file other than a store that vanishes during the copy (a photo replaced by an
import) is skipped and named; any file that cannot be copied is named in the error. Left out: the lock files,
``.backups/`` (rotating store copies), temp files, damaged copies, derived data (``report-cache/``,
``dashboard/``) and this kiosk's own state: ``attention.json``, ``resume.json``, the PIN lockout, the backup
log, and ``erasures.json`` (its content travels in the manifest instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk import __version__
from kiosk.adapters import attention
from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes, fsync_dir
from kiosk.adapters.backup_log import LOG_NAME as BACKUP_LOG_NAME
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import (
    DERIVED_DIRS,
    RESIDENTS_STORE,
    RESIDENTS_TABLE,
    erasure_list,
)
from kiosk.adapters.erasures import STORE as ERASURES_STORE
from kiosk.adapters.pin_lockout import LOCKOUT_FILE as PIN_LOCKOUT_FILE
from kiosk.adapters.resume import POSITION_FILE, RESUME_FILE  # replaced while music plays

MANIFEST = "manifest.json"
FILES_DIR = "data"
FORMAT = "encore-backup"
VERSION = 1
DIR_MODE = 0o700
_KEPT_LOCAL = {
    f"{ERASURES_STORE}.json",
    attention.FILE_NAME,
    RESUME_FILE,
    POSITION_FILE,
    PIN_LOCKOUT_FILE,
    BACKUP_LOG_NAME,
}
RESIDENTS_FILE = f"{RESIDENTS_STORE}.json"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK_BYTES = 1 << 20


class BackupError(Exception):
    """A backup could not be made or used; ``problems`` are messages for a person, one per problem."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class BackupResult:
    files: int
    size_bytes: int
    created_at: str
    resident_ids: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that vanished during the copy


@dataclass
class RestoreResult:
    files: int
    removed: int  # files in the data folder that the backup did not have
    erased_again: int  # residents erased after the backup was taken, left out again
    created_at: str


def safe_relpath(rel: PurePosixPath) -> bool:
    """A relative path that stays inside the folder and names no hidden file (locks, temp, restore folders)."""
    return not rel.is_absolute() and ".." not in rel.parts and not any(p.startswith(".") for p in rel.parts)


def included(rel: PurePosixPath) -> bool:
    if not safe_relpath(rel):
        return False
    if len(rel.parts) == 1 and rel.name in _KEPT_LOCAL:
        return False
    if len(rel.parts) > 1 and rel.parts[0] in DERIVED_DIRS:
        return False
    return ".damaged-" not in rel.name


def _is_store(rel: str) -> bool:
    return "/" not in rel and rel.endswith(".json")


def data_files(root: Path) -> list[str]:
    """The files of the data folder a backup holds, as sorted relative POSIX paths (symlinks left out)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and not (Path(folder) == Path(root) and d in DERIVED_DIRS)
        ]
        for name in files:
            path = Path(folder) / name
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if included(rel) and not path.is_symlink() and path.is_file():
                found.append(str(rel))
    return sorted(found)


def makedirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700 (not just the last one, as mkdir does)."""
    if folder.is_dir():
        return
    makedirs(folder.parent)
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=DIR_MODE)


def _is_journal(rel: str) -> bool:
    return rel.startswith("events/") and rel.endswith(".jsonl")


def _complete_lines_size(fd: int, size: int) -> int:
    """The length of a JSON Lines file up to its last newline (a line being written stays out)."""
    tail = os.pread(fd, min(size, 64 * 1024), max(0, size - 64 * 1024))
    cut = tail.rfind(b"\n")
    return size if cut < 0 else size - len(tail) + cut + 1


def _copy(src: Path, dst: Path, *, complete_lines: bool = False) -> tuple[int, str]:
    """Copy ``src`` to a new file ``dst`` (0600, fsync'd); returns its size and sha256."""
    digest = hashlib.sha256()
    makedirs(dst.parent)
    with open(src, "rb") as fin:
        size = os.fstat(fin.fileno()).st_size
        left = _complete_lines_size(fin.fileno(), size) if complete_lines and size else size
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as fout:
            while left > 0:
                chunk = fin.read(min(CHUNK_BYTES, left))
                if not chunk:
                    break
                left -= len(chunk)
                digest.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
            written = fout.tell()
    return written, digest.hexdigest()


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, _files in os.walk(root):
        fsync_dir(Path(folder))


def _residents_in(data: DataFolder) -> list[str]:
    table = (data.read(RESIDENTS_STORE).storage.read() or {}).get(RESIDENTS_TABLE) or {}
    return sorted(
        {str(d["resident_id"]) for d in table.values() if isinstance(d, dict) and d.get("resident_id")}
    )


def create_backup(data: DataFolder, dest: Path) -> BackupResult:
    """Copy the data folder into the new or empty folder ``dest``; the manifest is written last."""
    dest = Path(dest).absolute()
    root = data.root.resolve()
    if dest.resolve() == root or root in dest.resolve().parents:
        raise BackupError(f"{dest}: the backup folder cannot be inside the data folder {root}")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest}: not an empty folder; give a new folder name (e.g. with the date in it)")
    created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    files: list[dict[str, Any]] = []
    skipped: list[str] = []
    current = ""
    try:
        makedirs(dest / FILES_DIR)
        os.chmod(dest, DIR_MODE)
        with data.locked():  # stores, rollups, photos: as one consistent moment
            names = data_files(root)
            erasures = erasure_list(data)
            resident_ids = _residents_in(data)
            for rel in names:
                if _is_journal(rel):
                    continue
                current = rel
                try:
                    size, sha = _copy(root / rel, dest / FILES_DIR / rel)
                except FileNotFoundError:
                    if _is_store(rel):
                        raise
                    skipped.append(rel)  # a photo replaced meanwhile, a file removed by hand: not a failure
                    continue
                files.append({"path": rel, "size": size, "sha256": sha})
        # The journal (the bulk) is append-only and needs no lock: each day file is copied up to its last
        # complete line, after the stores, so it holds at least every event the stores reflect.
        for rel in names:
            if _is_journal(rel):
                current = rel
                try:
                    size, sha = _copy(root / rel, dest / FILES_DIR / rel, complete_lines=True)
                except FileNotFoundError:
                    continue  # a day past the retention, deleted meanwhile
                files.append({"path": rel, "size": size, "sha256": sha})
        current = ""
        _fsync_tree(dest / FILES_DIR)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created_at,
            "kiosk_version": __version__,
            "files": files,
            "resident_ids": resident_ids,
            "erasures": erasures,
        }
        atomic_write_bytes(dest / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    except OSError as exc:
        shutil.rmtree(dest / FILES_DIR, ignore_errors=True)
        what = f"could not copy {root / current}: " if current else ""
        raise BackupError(
            f"{dest}: the backup failed ({what}{exc.strerror or exc}); nothing usable was left"
        ) from None
    return BackupResult(len(files), sum(f["size"] for f in files), created_at, resident_ids, skipped)
