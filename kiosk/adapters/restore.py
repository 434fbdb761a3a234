"""`kiosk restore`: put a backup made by :mod:`kiosk.adapters.backup` back, erasures kept.

A restore first merges the backup's erasures into this kiosk's list, then copies and checks every file into a
folder beside the data, leaving out erased residents on the way (so nothing erased is ever written into the
data folder, not even for a moment), and refuses anything in the backup that is not a regular file (a link
could point anywhere). Nothing is changed if the backup is damaged or incomplete. Then it swaps the files in one
by one under the lock, keeping the old ones until the end: a failure midway puts the old data back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes, fsync_dir
from kiosk.adapters.backup import (
    CHUNK_BYTES,
    DIR_MODE,
    FILES_DIR,
    FORMAT,
    MANIFEST,
    RESIDENTS_FILE,
    SHA256_HEX,
    VERSION,
    BackupError,
    RestoreResult,
    data_files,
    included,
    makedirs,
    safe_relpath,
)
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, drop_derived, erased_ids, merge_erasures, without_erased


def _regular(path: Path, path_desc: str) -> None:
    """OSError unless ``path`` is a regular file (not a link, folder, device or pipe)."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise IsADirectoryError(0, f"{path_desc}: not a regular file")


def read_manifest(src: Path) -> dict[str, Any]:
    """The checked manifest of the backup in ``src`` (:class:`BackupError` listing every problem).

    Entries for files a backup no longer holds (``resume.json`` in an older backup) are dropped."""
    src = Path(src)
    path = src / MANIFEST
    if not src.is_dir():
        raise BackupError(f"{src}: no such folder")
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise BackupError(f"{path}: not a regular file (a link or folder); refused")
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
    kept = []
    for i, entry in enumerate(entries, 1):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
            and SHA256_HEX.match(entry["sha256"])
        )
        rel = PurePosixPath(entry["path"]) if ok else None
        if not ok or rel is None or not safe_relpath(rel):
            problems.append(f"{path}: file entry {i} is not valid")
        elif included(rel):
            kept.append(entry)
    erasures = manifest.get("erasures", [])
    if not isinstance(erasures, list) or not all(
        isinstance(e, dict) and isinstance(e.get("resident_id"), str) for e in erasures
    ):
        problems.append(f"{path}: the erasure list is not valid; the backup is damaged")
    if problems:
        raise BackupError(problems)
    return {**manifest, "files": kept, "erasures": erasures}


def _erased_file(rel: str, erased: set[str]) -> bool:
    """A backed-up file that belongs to an erased resident (their photo): never restored."""
    parts = rel.split("/")
    return len(parts) == 2 and parts[0] == "photos" and any(rid in parts[1] for rid in erased)


def _stage_one(
    source: Path, target: Path, entry: dict[str, Any], erased: set[str], left_out: list[int]
) -> str | None:
    """Copy one backed-up file into the stage, checked against the manifest, leaving out erased residents
    (counted in ``left_out``); a problem for a person, or None."""
    rel = entry["path"]
    try:
        _regular(source, str(source))
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return f"{source}: missing from the backup"
    except OSError:
        return f"{source}: not a regular file (a link, folder or device); refused"
    with os.fdopen(fd, "rb") as fh:
        if rel == RESIDENTS_FILE or _erased_file(rel, erased):
            raw = fh.read()
            if len(raw) != entry["size"] or hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                return f"{source}: damaged (its size or checksum differs from the manifest)"
            if rel != RESIDENTS_FILE:
                return None  # an erased resident's photo: checked, not restored
            try:
                content = json.loads(raw.decode("utf-8"))
                kept, n = without_erased(content, erased) if isinstance(content, dict) else (content, 0)
            except (ValueError, UnicodeDecodeError):
                kept, n = None, 0  # a damaged store: restored as it is; the kiosk repairs it at start
            if n:
                left_out.append(n)
                raw = json.dumps(kept, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
            makedirs(target.parent)
            atomic_write_bytes(target, raw)
            return None
        digest = hashlib.sha256()
        makedirs(target.parent)
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(out, "wb") as fout:
            while chunk := fh.read(CHUNK_BYTES):
                digest.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
            size = fout.tell()
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        return f"{source}: damaged (its size or checksum differs from the manifest)"
    return None


def _inside_backup(files_dir: Path, rel: str) -> bool:
    """Every folder on the way to a backed-up file is a real folder inside the backup (no links out)."""
    folder = files_dir
    for part in rel.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink() or not folder.is_dir():
            return False
    return True


def _stage(
    src: Path, stage: Path, entries: list[dict[str, Any]], erased: set[str], left_out: list[int]
) -> list[str]:
    """Copy every backed-up file into ``stage`` (checked, erased residents left out and counted in
    ``left_out``); the paths staged. BackupError lists the bad files."""
    problems = []
    staged = []
    files_dir = src / FILES_DIR
    if files_dir.is_symlink():
        raise BackupError(
            [
                f"{files_dir}: a link, not a folder; refused",
                "nothing was restored; the data folder is unchanged",
            ]
        )
    for entry in entries:
        rel = entry["path"]
        source = files_dir / rel
        if not _inside_backup(files_dir, rel):
            problems.append(f"{source}: reached through a link or a file, not a folder; refused")
            continue
        problem = _stage_one(source, stage / rel, entry, erased, left_out)
        if problem:
            problems.append(problem)
        elif not _erased_file(rel, erased):
            staged.append(rel)
    if problems:
        shown = problems[:20]
        if len(problems) > 20:
            shown.append(f"... and {len(problems) - 20} more damaged or missing files")
        raise BackupError([*shown, "nothing was restored; the data folder is unchanged"])
    return staged


def _swap(root: Path, stage: Path, old: Path, wanted: list[str], unwanted: list[str]) -> None:
    """Move staged files into place, keeping replaced/removed ones in ``old``; undo everything on failure."""
    done: list[tuple[str, bool]] = []  # (relative path, an old file was kept aside)
    try:
        for rel in wanted:
            target = root / rel
            makedirs(target.parent)
            kept = target.exists()
            if kept:
                makedirs((old / rel).parent)
                os.link(target, old / rel)
            os.replace(stage / rel, target)
            done.append((rel, kept))
        for rel in unwanted:
            makedirs((old / rel).parent)
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
    """Replace the data folder's content with the backup in ``src``; erased residents (this kiosk's and the
    backup's) are left out of the staged copy before anything is swapped in."""
    src = Path(src).resolve()
    manifest = read_manifest(src)
    entries: list[dict[str, Any]] = manifest["files"]
    root = data.root
    with data.locked():
        for stale in root.glob(".restore-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = root / f".restore-new-{os.getpid()}"
        old = root / f".restore-old-{os.getpid()}"
        try:
            # First the erasure list: a kill anywhere after this still leaves every erasure known here.
            merge_erasures(data, manifest["erasures"])
            erased = erased_ids(data)
            left_out: list[int] = []
            stage.mkdir(mode=DIR_MODE)
            wanted = _stage(src, stage, entries, erased, left_out)
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
        drop_derived(root)
        apply_erasures(data)  # belt and braces: a backup from before its own erasures were applied
    return RestoreResult(len(wanted), len(unwanted), sum(left_out), str(manifest.get("created_at", "?")))
