"""Tag reading with mutagen: MP3 (ID3v1, v2.3, v2.4), FLAC, Ogg Vorbis, Opus, M4A/AAC, WAV.

Memory stays flat whatever the file size: the audio is never read (mutagen reads headers, tags and, for Ogg,
the last page); before mutagen runs, the size of the tag block is read from the container's headers, and a file
whose tags are huge (giant embedded cover art) is skipped with a reason instead of being loaded. Cover art is
never decoded.

:func:`read_file` also returns a content fingerprint, the song's engagement identity: a hash of the first and
last blocks of the AUDIO (after the ID3/FLAC/Ogg header tags, before an ID3v1 trailer) plus the duration in
whole seconds, so a renamed, moved or retagged MP3 or FLAC keeps its identity.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import mutagen
from mutagen.id3 import ID3

from kiosk.domain.era import parse_bpm, parse_track_no
from kiosk.domain.library import TagInfo, UnreadableFile

AUDIO_EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".wav"})
BLOCK_BYTES = 64 * 1024
MAX_TAG_BYTES = 16 * 1024 * 1024  # tags (mostly cover art) larger than this: skip the file, do not load it

_FORMATS = {
    "MP3": "mp3",
    "EasyMP3": "mp3",
    "FLAC": "flac",
    "OggVorbis": "ogg",
    "OggOpus": "opus",
    "OggFLAC": "ogg",
    "MP4": "m4a",
    "EasyMP4": "m4a",
    "WAVE": "wav",
    "AAC": "aac",
}


@dataclass(frozen=True)
class FileScan:
    """What reading one file gives: its tags and its content fingerprint."""

    tags: TagInfo
    content_id: str


def _syncsafe(b: bytes) -> int:
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def _read_at(fh: BinaryIO, offset: int, n: int) -> bytes:
    fh.seek(offset)
    return fh.read(n)


def tag_span(fh: BinaryIO, head: bytes, size: int, limit: int) -> tuple[int, int]:
    """``(tag bytes, audio start offset)`` from the container headers, reading a few bytes at a time.

    Stops counting once past ``limit`` (the answer is then "too big" whatever the exact size)."""
    if head[:3] == b"ID3" and len(head) >= 10:
        tag = _syncsafe(head[6:10]) + 10 + (10 if head[5] & 0x10 else 0)
        return tag, min(tag, size)
    if head[:4] == b"fLaC":
        offset, total = 4, 0
        while offset + 4 <= size:
            hdr = head[offset : offset + 4] if offset + 4 <= len(head) else _read_at(fh, offset, 4)
            if len(hdr) < 4:
                break
            length = int.from_bytes(hdr[1:4], "big")
            total += 4 + length
            offset += 4 + length
            if hdr[0] & 0x80:
                break
        return total, min(offset, size)
    if head[:4] == b"OggS":
        offset, total = 0, 0
        while total <= limit:
            hdr = _read_at(fh, offset, 27)
            if len(hdr) < 27 or hdr[:4] != b"OggS":
                break
            granule = struct.unpack("<q", hdr[6:14])[0]
            if granule > 0:
                break  # the first audio page
            segments = _read_at(fh, offset + 27, hdr[26])
            body = sum(segments)
            total += body
            offset += 27 + hdr[26] + body
        return total, offset
    if head[4:8] == b"ftyp":
        offset, moov = 0, 0
        while offset + 8 <= size:
            hdr = _read_at(fh, offset, 16)
            atom = int.from_bytes(hdr[:4], "big")
            if atom == 1 and len(hdr) >= 16:
                atom = int.from_bytes(hdr[8:16], "big")
            elif atom == 0:
                atom = size - offset
            if atom < 8:
                break
            if hdr[4:8] == b"moov":
                moov = atom
            offset += atom
        return moov, 0
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        offset, tag, start = 12, 0, 0
        while offset + 8 <= size:
            hdr = _read_at(fh, offset, 8)
            if len(hdr) < 8:
                break
            length = int.from_bytes(hdr[4:8], "little")
            if hdr[:4].lower() == b"id3 ":
                tag = length
            if hdr[:4] == b"data" and not start:
                start = offset + 8
            offset += 8 + length + (length & 1)
        return tag, start
    return 0, 0


def _first(tags: Any, *keys: str) -> str:
    for key in keys:
        try:
            value = tags.get(key)
        except (KeyError, ValueError, TypeError):
            value = None
        if value is None:
            continue
        text = _text(value)
        if text:
            return text
    return ""


def _text(value: Any) -> str:
    """Plain text of a tag value: lists joined, ID3 frames' text, MP4 freeform bytes decoded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if hasattr(value, "text") and not isinstance(value, bytes):
        value = value.text
    if isinstance(value, list | tuple):
        parts = [_text(v) for v in value]
        return "; ".join(p for p in parts if p)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace").strip("\x00").strip()
    return str(value).strip()


def _gain_db(text: str) -> float | None:
    try:
        return float(text.lower().replace("db", "").strip())
    except ValueError:
        return None


def _from_id3(tags: ID3) -> dict[str, Any]:
    # One pass over the frames: ID3 keys are "TIT2" for single frames, "TXXX:desc", "USLT:desc:lang"...
    plain: dict[str, str] = {}
    txxx: dict[str, tuple[str, str]] = {}
    uslt_text = False
    uslt_lang = ""
    genre = ""
    for key, f in tags.items():
        fid = key[:4]
        if fid == "TXXX":
            text = _text(f)
            if text:
                txxx.setdefault(str(f.desc).lower(), (f"TXXX:{f.desc}", text))
        elif fid == "USLT":
            uslt_text = uslt_text or bool(_text(f))
            uslt_lang = uslt_lang or str(getattr(f, "lang", "") or "")
        elif fid == "TCON":
            genre = "; ".join(getattr(f, "genres", []) or [])
        elif fid[0] == "T" and fid not in plain:
            plain[fid] = _text(f)

    def extra(*names: str) -> tuple[str, str] | None:
        return next((txxx[n] for n in names if n in txxx), None)

    original = [(fid, plain[fid]) for fid in ("TDOR", "TORY") if plain.get(fid)]
    for found in (extra("originaldate", "original date"), extra("originalyear", "original year")):
        if found:
            original.append(found)
    recording = [(fid, plain[fid]) for fid in ("TDRC", "TYER", "TDRL") if plain.get(fid)]
    gain = extra("replaygain_track_gain")
    language = plain.get("TLAN", "")
    if not language and uslt_lang not in ("", "XXX", "xxx"):
        language = uslt_lang
    return {
        "title": plain.get("TIT2", ""),
        "artist": plain.get("TPE1", ""),
        "album": plain.get("TALB", ""),
        "album_artist": plain.get("TPE2", ""),
        "genre": genre,
        "track_no": parse_track_no(plain.get("TRCK") or None),
        "bpm": parse_bpm(plain.get("TBPM") or None),
        "has_lyrics": uslt_text or bool(extra("lyrics", "unsyncedlyrics")),
        "language": language,
        "original_dates": tuple(original),
        "recording_dates": tuple(recording),
        "compilation": plain.get("TCMP", "") in ("1", "true"),
        "replaygain_db": _gain_db(gain[1]) if gain else None,
    }


def _from_vorbis(tags: Any) -> dict[str, Any]:
    original = [
        (key.upper(), _first(tags, key))
        for key in ("originaldate", "originalyear", "original_date", "original_year", "origyear")
        if _first(tags, key)
    ]
    recording = [
        (key.upper(), _first(tags, key)) for key in ("date", "year", "releasedate") if _first(tags, key)
    ]
    return {
        "title": _first(tags, "title"),
        "artist": _first(tags, "artist"),
        "album": _first(tags, "album"),
        "album_artist": _first(tags, "albumartist", "album artist", "album_artist"),
        "genre": _first(tags, "genre"),
        "track_no": parse_track_no(_first(tags, "tracknumber") or None),
        "bpm": parse_bpm(_first(tags, "bpm", "tempo") or None),
        "has_lyrics": bool(_first(tags, "lyrics", "unsyncedlyrics", "unsynced lyrics")),
        "language": _first(tags, "language"),
        "original_dates": tuple(original),
        "recording_dates": tuple(recording),
        "compilation": _first(tags, "compilation").lower() in ("1", "true", "yes"),
        "replaygain_db": _gain_db(_first(tags, "replaygain_track_gain"))
        if _first(tags, "replaygain_track_gain")
        else None,
    }


def _from_mp4(tags: Any) -> dict[str, Any]:
    def free(*names: str) -> str:
        for name in names:
            for prefix in ("----:com.apple.iTunes:", "----:com.apple.iTunes:".lower()):
                text = _first(tags, prefix + name)
                if text:
                    return text
        return ""

    original = []
    for label, names in (
        ("ORIGINALDATE", ("ORIGINALDATE", "originaldate")),
        ("ORIGINALYEAR", ("ORIGINALYEAR", "originalyear")),
    ):
        text = free(*names)
        if text:
            original.append((label, text))
    trkn = tags.get("trkn")
    tmpo = tags.get("tmpo")
    gain = free("replaygain_track_gain", "REPLAYGAIN_TRACK_GAIN")
    return {
        "title": _first(tags, "\xa9nam"),
        "artist": _first(tags, "\xa9ART"),
        "album": _first(tags, "\xa9alb"),
        "album_artist": _first(tags, "aART"),
        "genre": _first(tags, "\xa9gen", "gnre"),
        "track_no": parse_track_no(trkn[0][0] if trkn else None),
        "bpm": parse_bpm(tmpo[0] if tmpo else None),
        "has_lyrics": bool(_first(tags, "\xa9lyr")),
        "language": free("LANGUAGE", "language"),
        "original_dates": tuple(original),
        "recording_dates": (("\xa9day", _first(tags, "\xa9day")),) if _first(tags, "\xa9day") else (),
        "compilation": bool(tags.get("cpil")),
        "replaygain_db": _gain_db(gain) if gain else None,
    }


def _tag_fields(audio: Any) -> dict[str, Any]:
    tags = audio.tags
    if tags is None:
        return {}
    if isinstance(tags, ID3):
        return _from_id3(tags)
    name = type(tags).__name__
    if name in ("MP4Tags",):
        return _from_mp4(tags)
    if hasattr(tags, "keys"):
        return _from_vorbis(tags)
    return {}


def format_class(head: bytes, ext: str) -> Any:
    """The mutagen class for a file whose header we have already read (saves mutagen's format guessing);
    ``None`` when unsure (then :func:`mutagen.File` decides)."""
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        if b"OpusHead" in head[:80]:
            return OggOpus
        if b"\x01vorbis" in head[:80]:
            return OggVorbis
        return None
    if head[4:8] == b"ftyp":
        return MP4
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAVE
    if ext == ".mp3" and (
        head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    ):
        return MP3
    return None


class MutagenTagReader:
    """The :class:`kiosk.domain.ports.TagReader` over mutagen, with a cap on the tag size it will load."""

    def __init__(self, max_tag_bytes: int = MAX_TAG_BYTES, block_bytes: int = BLOCK_BYTES):
        self.max_tag_bytes = max_tag_bytes
        self.block_bytes = block_bytes
        self.reads = 0  # files actually opened and parsed (tests prove incremental rescans skip them)

    def read(self, path: str) -> TagInfo:
        return self.read_file(path).tags

    def read_file(self, path: str) -> FileScan:
        """Tags plus content fingerprint of one file; :class:`UnreadableFile` with a plain reason if not."""
        self.reads += 1
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size == 0:
                    raise UnreadableFile("empty file (0 bytes)")
                head = fh.read(self.block_bytes)
                tag_bytes, audio_start = tag_span(fh, head, size, self.max_tag_bytes)
                if tag_bytes > size:
                    raise UnreadableFile("damaged file (its tag header claims more bytes than the file has)")
                if tag_bytes > self.max_tag_bytes:
                    raise UnreadableFile(
                        f"embedded tags or cover art too large ({tag_bytes / 1e6:.1f} MB; "
                        f"limit {self.max_tag_bytes / 1e6:.0f} MB): remove the picture from the file"
                    )
                fh.seek(0)
                kind = format_class(head, os.path.splitext(path)[1].lower())
                try:
                    audio = kind(fh) if kind is not None else mutagen.File(fh)
                except (mutagen.MutagenError, ValueError, struct.error, EOFError, IndexError) as exc:
                    raise UnreadableFile(f"not a readable audio file ({_short(exc)})") from None
                if audio is None:
                    raise UnreadableFile("not an audio file (unknown format)")
                length = float(getattr(audio.info, "length", 0.0) or 0.0)
                if length <= 0:
                    raise UnreadableFile("no audio in the file (length 0 s)")
                fields = _tag_fields(audio)
                fmt = _FORMATS.get(type(audio).__name__, type(audio).__name__.lower())
                content_id = self._fingerprint(fh, head, size, audio_start, length)
        except UnreadableFile:
            raise
        except PermissionError:
            raise UnreadableFile("cannot open: permission denied") from None
        except OSError as exc:
            raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 - a damaged file must never stop a scan
            raise UnreadableFile(f"damaged or unsupported file ({_short(exc)})") from None
        return FileScan(TagInfo(duration_s=length, format=fmt, **fields), content_id)

    def _fingerprint(self, fh: BinaryIO, head: bytes, size: int, start: int, length: float) -> str:
        whole = len(head) == size  # a small file: everything is in ``head`` already, no more reads
        end = size
        if size >= 128 and (head[-128:-125] if whole else _read_at(fh, size - 128, 3)) == b"TAG":
            end = size - 128  # ID3v1 trailer: tags, not audio
        start = min(start, end)
        want = min(self.block_bytes, end - start)
        first = head[start : start + want]
        if len(first) < want:
            first = _read_at(fh, start, want)
        tail_at = max(start, end - self.block_bytes)
        last = head[tail_at:end] if whole else _read_at(fh, tail_at, end - tail_at)
        digest = hashlib.sha1(first, usedforsecurity=False)
        digest.update(last)
        digest.update(str(round(length)).encode())
        return digest.hexdigest()[:20]


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."
