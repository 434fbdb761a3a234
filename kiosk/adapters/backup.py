"""`kiosk backup` / `kiosk restore`: a consistent copy of the data folder, and putting one back.

A backup folder holds ``manifest.json`` (format, version, time, and every file with its size and sha256) and
``data/`` (the files). Stores, rollups and photos are copied under the data folder's lock, so no store is
caught mid-write; then the journal's day files (append-only, the bulk of the data: no need to hold up the
kiosk's writes meanwhile) are copied up to their last complete line. Left out: the lock files, ``.backups/`` (rotating store
copies), temp files, damaged copies, ``attention.json`` (this kiosk's own notes) and ``erasures.json``: the
list of erased residents stays with the kiosk, so a restore can never bring an erased resident back.

A restore first copies and checks every file into a folder beside the data (nothing changed yet if the backup
is damaged or incomplete), then swaps the files in one by one under the lock, keeping the old ones until the
end: a failure midway puts the old data back. Then it re-applies the erasures.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk import __version__
from kiosk.adapters import attention
from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes, fsync_dir
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import STORE as ERASURES_STORE
from kiosk.adapters.erasures import apply_erasures

MANIFEST = "manifest.json"
FILES_DIR = "data"
FORMAT = "encore-backup"
VERSION = 1
DIR_MODE = 0o700
_KEPT_LOCAL = {f"{ERASURES_STORE}.json", attention.FILE_NAME}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


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


@dataclass
class RestoreResult:
    files: int
    removed: int  # files in the data folder that the backup did not have
    erased_again: int  # residents erased after the backup was taken, removed again
    created_at: str


def _included(rel: PurePosixPath) -> bool:
    if any(part.startswith(".") for part in rel.parts):
        return False  # locks, .backups/, temp files, restore folders
    if len(rel.parts) == 1 and rel.name in _KEPT_LOCAL:
        return False
    return ".damaged-" not in rel.name


def data_files(root: Path) -> list[str]:
    """The files of the data folder a backup holds, as sorted relative POSIX paths (symlinks left out)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(folder) / name
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if _included(rel) and not path.is_symlink() and path.is_file():
                found.append(str(rel))
    return sorted(found)


def _makedirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700 (not just the last one, as mkdir does)."""
    if folder.is_dir():
        return
    _makedirs(folder.parent)
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
    _makedirs(dst.parent)
    with open(src, "rb") as fin:
        size = os.fstat(fin.fileno()).st_size
        left = _complete_lines_size(fin.fileno(), size) if complete_lines and size else size
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as fout:
            while left > 0:
                chunk = fin.read(min(_CHUNK, left))
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
    try:
        _makedirs(dest / FILES_DIR)
        os.chmod(dest, DIR_MODE)
        with data.locked():  # stores, rollups, photos: as one consistent moment
            names = data_files(root)
            for rel in names:
                if not _is_journal(rel):
                    size, sha = _copy(root / rel, dest / FILES_DIR / rel)
                    files.append({"path": rel, "size": size, "sha256": sha})
        # The journal (the bulk) is append-only and needs no lock: each day file is copied up to its last
        # complete line, after the stores, so it holds at least every event the stores reflect.
        for rel in names:
            if _is_journal(rel):
                try:
                    size, sha = _copy(root / rel, dest / FILES_DIR / rel, complete_lines=True)
                except FileNotFoundError:
                    continue  # a day past the retention, deleted meanwhile
                files.append({"path": rel, "size": size, "sha256": sha})
        _fsync_tree(dest / FILES_DIR)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created_at,
            "kiosk_version": __version__,
            "files": files,
        }
        atomic_write_bytes(dest / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    except OSError as exc:
        shutil.rmtree(dest / FILES_DIR, ignore_errors=True)
        raise BackupError(
            f"{dest}: the backup failed ({exc.strerror or exc}); nothing usable was left"
        ) from None
    return BackupResult(len(files), sum(f["size"] for f in files), created_at)


def read_manifest(src: Path) -> dict[str, Any]:
    """The checked manifest of the backup in ``src`` (:class:`BackupError` listing every problem)."""
    src = Path(src)
    path = src / MANIFEST
    if not src.is_dir():
        raise BackupError(f"{src}: no such folder")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{path}: missing: {src} is not an Encore backup, or the backup did not finish"
        ) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: unreadable ({exc}); the backup is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not an Encore backup manifest")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise BackupError(f"{path}: backup format version {version!r} is newer than this kiosk understands")
    entries = manifest.get("files")
    if not isinstance(entries, list):
        raise BackupError(f"{path}: no file list; the backup is damaged")
    problems = []
    for i, entry in enumerate(entries, 1):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
            and _SHA256.match(entry["sha256"])
        )
        rel = PurePosixPath(entry["path"]) if ok else None
        if not ok or rel is None or rel.is_absolute() or ".." in rel.parts or not _included(rel):
            problems.append(f"{path}: file entry {i} is not valid")
    if problems:
        raise BackupError(problems)
    return manifest


def _stage(src: Path, stage: Path, entries: list[dict[str, Any]]) -> None:
    """Copy every backed-up file into ``stage``, checking size and sha256; BackupError lists the bad ones."""
    problems = []
    for entry in entries:
        rel = entry["path"]
        source = src / FILES_DIR / rel
        try:
            size, sha = _copy(source, stage / rel)
        except FileNotFoundError:
            problems.append(f"{source}: missing from the backup")
            continue
        if size != entry["size"] or sha != entry["sha256"]:
            problems.append(f"{source}: damaged (its size or checksum differs from the manifest)")
    if problems:
        shown = problems[:20]
        if len(problems) > 20:
            shown.append(f"... and {len(problems) - 20} more damaged or missing files")
        raise BackupError([*shown, "nothing was restored; the data folder is unchanged"])


def _swap(root: Path, stage: Path, old: Path, wanted: list[str], unwanted: list[str]) -> None:
    """Move staged files into place, keeping replaced/removed ones in ``old``; undo everything on failure."""
    done: list[tuple[str, bool]] = []  # (relative path, an old file was kept aside)
    try:
        for rel in wanted:
            target = root / rel
            _makedirs(target.parent)
            kept = target.exists()
            if kept:
                _makedirs((old / rel).parent)
                os.link(target, old / rel)
            os.replace(stage / rel, target)
            done.append((rel, kept))
        for rel in unwanted:
            _makedirs((old / rel).parent)
            os.replace(root / rel, old / rel)
            done.append((rel, True))
        for folder in {(root / rel).parent for rel in wanted + unwanted}:
            if folder.exists():
                fsync_dir(folder)
    except BaseException:
        for rel, kept in reversed(done):
            with contextlib.suppress(OSError):
                if kept:
                    os.replace(old / rel, root / rel)
                else:
                    (root / rel).unlink()
        raise


def restore_backup(data: DataFolder, src: Path) -> RestoreResult:
    """Replace the data folder's content with the backup in ``src``, then remove erased residents again."""
    src = Path(src)
    manifest = read_manifest(src)
    entries: list[dict[str, Any]] = manifest["files"]
    root = data.root
    with data.locked():
        for stale in root.glob(".restore-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = root / f".restore-new-{os.getpid()}"
        old = root / f".restore-old-{os.getpid()}"
        try:
            stage.mkdir(mode=DIR_MODE)
            _stage(src, stage, entries)
            wanted = [e["path"] for e in entries]
            unwanted = sorted(set(data_files(root)) - set(wanted))
            try:
                _swap(root, stage, old, wanted, unwanted)
            except OSError as exc:
                raise BackupError(
                    f"the restore failed midway ({exc.strerror or exc}); the data folder was put back as it was"
                ) from None
        except OSError as exc:
            raise BackupError(
                f"the restore could not start ({exc.strerror or exc}); the data folder is unchanged"
            ) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
        # The rotating store copies belong to the data just replaced: a later repair must not bring it back.
        shutil.rmtree(root / ".backups", ignore_errors=True)
        erased_again = apply_erasures(data)
    return RestoreResult(len(entries), len(unwanted), erased_again, str(manifest.get("created_at", "?")))
