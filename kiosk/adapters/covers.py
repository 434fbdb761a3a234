"""Cover art on demand, for the now-playing screen: the picture embedded in one audio file
(:func:`embedded_cover`), and :class:`CoverCache`, which turns a cover beside the song or embedded art into a
small picture file in the data folder.

Never used by the scan (which never decodes or even keeps art).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import os
from collections.abc import Callable
from pathlib import Path

import mutagen
from mutagen.flac import Picture
from mutagen.id3 import ID3

from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.tags import BLOCK_BYTES, MAX_TAG_BYTES, format_class, tag_span

log = logging.getLogger(__name__)


def embedded_cover(path: str, max_bytes: int = 4_000_000) -> tuple[bytes, str] | None:
    """The picture embedded in an audio file, front cover first, as ``(bytes, mime type)``; ``None`` if none.

    For the now-playing screen, one song at a time (never during a scan). The bytes are returned as stored,
    not decoded; files whose tags are over :data:`MAX_TAG_BYTES`, and pictures over ``max_bytes``, give ``None``.
    """
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(BLOCK_BYTES)
            tag_bytes, _ = tag_span(fh, head, size, MAX_TAG_BYTES)
            if tag_bytes > min(MAX_TAG_BYTES, size):
                return None
            fh.seek(0)
            kind = format_class(head, os.path.splitext(path)[1].lower())
            audio = kind(fh) if kind is not None else mutagen.File(fh)
    except Exception:  # noqa: BLE001 - no picture is a normal answer
        return None
    if audio is None or audio.tags is None and not getattr(audio, "pictures", None):
        return None
    found: list[tuple[int, bytes, str]] = []  # (picture type, data, mime)
    tags = audio.tags
    if isinstance(tags, ID3):
        found = [(int(f.type), bytes(f.data), str(f.mime)) for f in tags.getall("APIC")]
    elif getattr(audio, "pictures", None):
        found = [(int(p.type), bytes(p.data), str(p.mime)) for p in audio.pictures]
    elif tags is not None and type(tags).__name__ == "MP4Tags":
        for cover in tags.get("covr", []):
            mime = "image/png" if getattr(cover, "imageformat", 0) == 14 else "image/jpeg"
            found.append((3, bytes(cover), mime))
    elif tags is not None:
        for raw in tags.get("metadata_block_picture", []):
            try:
                pic = Picture(base64.b64decode(raw))
            except Exception:  # noqa: BLE001 - a damaged picture block is just no picture
                continue
            found.append((int(pic.type), bytes(pic.data), str(pic.mime)))
    found = [f for f in found if 0 < len(f[1]) <= max_bytes]
    if not found:
        return None
    _, data, mime = min(found, key=lambda f: (f[0] != 3, f[0]))  # type 3 = front cover
    return data, mime or "image/jpeg"


MAX_PICTURE_BYTES = 20_000_000
COVERS_DIR = ".covers"  # under the data folder: derived data (hidden: backups leave it out), safe to delete


class CoverCache:
    """Cover pictures ready for the now-playing screen: a ``cover.jpg`` (or ``folder.png``...) beside the song,
    else the art embedded in the file, decoded once, shrunk to ``size_px`` and kept as a small JPEG in
    ``<data>/.covers/``. Call :meth:`cover_file` off the UI thread (it reads tags and decodes pictures).

    Kept files are named by where the picture came from (path, size, mtime) or, for embedded art, by its bytes,
    so an album's songs share one file; the ``max_files`` least recently shown are deleted.
    """

    def __init__(self, data_dir: Path, size_px: int = 600, max_files: int = 400):
        self.folder = Path(data_dir) / COVERS_DIR
        self.size_px = size_px
        self.max_files = max_files

    def cover_file(self, song_path: str, beside: str | None = None) -> str | None:
        """The cached picture for a song (a path to show), or None when it has no readable art."""
        if beside:
            try:
                st = os.stat(beside)
                if st.st_size > MAX_PICTURE_BYTES:
                    raise OSError("cover picture too large")
                key = _key(f"file:{os.path.abspath(beside)}:{st.st_size}:{st.st_mtime_ns}:{self.size_px}")
                found = self._cached(key) or self._store(key, lambda: Path(beside).read_bytes())
            except OSError:
                found = None
            if found:
                return found
        embedded = embedded_cover(song_path) if song_path else None
        if embedded is None:
            return None
        data = embedded[0]
        key = _key(f"bytes:{hashlib.sha256(data).hexdigest()}:{self.size_px}")
        return self._cached(key) or self._store(key, lambda: data)

    def _cached(self, key: str) -> str | None:
        path = self.folder / f"{key}.jpg"
        try:
            os.utime(path)  # most recently shown: pruned last
        except OSError:
            return None
        return str(path)

    def _store(self, key: str, read: Callable[[], bytes]) -> str | None:
        from PIL import Image, UnidentifiedImageError

        try:
            raw = read()
            with Image.open(io.BytesIO(raw)) as img:
                img.thumbnail((self.size_px, self.size_px))
                out = io.BytesIO()
                img.convert("RGB").save(out, "JPEG", quality=90)
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
            log.info("cover art could not be read")
            return None
        path = self.folder / f"{key}.jpg"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(path, out.getvalue())
            self._prune()
        except OSError:
            log.warning("could not keep cover art in %s", self.folder, exc_info=True)
            return None
        return str(path)

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.jpg"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[: max(0, len(files) - self.max_files)]:
            with contextlib.suppress(OSError):
                old.unlink()


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]
