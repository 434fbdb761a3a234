"""Cover art on demand: the picture embedded in one audio file, for the now-playing screen.

Never used by the scan (which never decodes or even keeps art). Bytes are returned as stored, not decoded.
"""

from __future__ import annotations

import base64
import os

import mutagen
from mutagen.flac import Picture
from mutagen.id3 import ID3

from kiosk.adapters.tags import BLOCK_BYTES, MAX_TAG_BYTES, format_class, tag_span


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
