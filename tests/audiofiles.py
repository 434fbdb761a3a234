"""Real audio files for tests, in every format the library reads, made with sox and ffmpeg.

One short base file per format and length is made once per test session and copied, so tests stay fast.
Tags are written with mutagen in each format's own way.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

_CACHE = Path(tempfile.mkdtemp(prefix="encore-audio-"))
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
FORMATS = ("mp3", "flac", "ogg", "opus", "m4a", "wav")


def _base(fmt: str, seconds: float, freq: int) -> Path:
    path = _CACHE / f"base-{seconds}-{freq}.{fmt}"
    if path.exists():
        return path
    if fmt in ("m4a", "opus"):
        codec = "aac" if fmt == "m4a" else "libopus"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=f={freq}:d={seconds}",
                "-c:a",
                codec,
                str(path),
            ],
            check=True,
            timeout=60,
        )
    else:
        subprocess.run(
            [
                "sox",
                "-q",
                "-R",
                "-n",
                "-r",
                "22050",
                "-c",
                "1",
                str(path),
                "synth",
                str(seconds),
                "sine",
                str(freq),
            ],
            check=True,
            timeout=60,
        )
    return path


def make_audio(
    path: Path, fmt: str | None = None, seconds: float = 1.0, freq: int = 440, **tags: Any
) -> Path:
    """Copy a generated file of ``seconds`` to ``path`` and write ``tags`` (see :func:`write_tags`)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_base(fmt, seconds, freq), path)
    if tags:
        write_tags(path, fmt, **tags)
    return path


def write_tags(path: Path, fmt: str, id3_version: int = 4, **tags: Any) -> None:
    """Write tags given by neutral names: title, artist, album, albumartist, genre, date, originaldate,
    originalyear, bpm, lyrics, language, track, compilation, picture_bytes (embedded cover art)."""
    if fmt in ("mp3", "wav"):
        _write_id3(path, fmt, id3_version, tags)
    elif fmt == "m4a":
        _write_mp4(path, tags)
    else:
        _write_vorbis(path, fmt, tags)


def _write_id3(path: Path, fmt: str, version: int, tags: dict[str, Any]) -> None:
    from mutagen import id3

    frames = id3.ID3()
    simple = {
        "title": id3.TIT2,
        "artist": id3.TPE1,
        "album": id3.TALB,
        "albumartist": id3.TPE2,
        "genre": id3.TCON,
        "date": id3.TDRC,
        "originaldate": id3.TDOR,
        "bpm": id3.TBPM,
        "language": id3.TLAN,
        "track": id3.TRCK,
        "compilation": id3.TCMP,
    }
    for key, value in tags.items():
        if key in simple:
            frames.add(simple[key](encoding=3, text=str(value)))
        elif key == "originalyear":
            frames.add(id3.TXXX(encoding=3, desc="ORIGINALYEAR", text=str(value)))
        elif key == "lyrics":
            frames.add(id3.USLT(encoding=3, lang="eng", desc="", text=str(value)))
        elif key == "picture_bytes":
            frames.add(id3.APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=value))
        else:
            raise KeyError(key)
    if fmt == "wav":
        from mutagen.wave import WAVE

        audio = WAVE(str(path))
        audio.add_tags()
        for frame in frames.values():
            audio.tags.add(frame)
        audio.save(v2_version=version)
    else:
        frames.save(str(path), v2_version=version)


def _write_vorbis(path: Path, fmt: str, tags: dict[str, Any]) -> None:
    import base64

    from mutagen.flac import FLAC, Picture
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[fmt](str(path))
    for key, value in tags.items():
        if key == "picture_bytes":
            pic = Picture()
            pic.type, pic.mime, pic.data = 3, "image/jpeg", value
            if fmt == "flac":
                audio.add_picture(pic)
            else:
                audio["METADATA_BLOCK_PICTURE"] = base64.b64encode(pic.write()).decode("ascii")
        elif key == "track":
            audio["TRACKNUMBER"] = str(value)
        else:
            audio[key.upper()] = str(value)
    audio.save()


def _write_mp4(path: Path, tags: dict[str, Any]) -> None:
    from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

    audio = MP4(str(path))
    names = {
        "title": "\xa9nam",
        "artist": "\xa9ART",
        "album": "\xa9alb",
        "albumartist": "aART",
        "genre": "\xa9gen",
        "date": "\xa9day",
        "lyrics": "\xa9lyr",
    }
    for key, value in tags.items():
        if key in names:
            audio[names[key]] = [str(value)]
        elif key in ("originaldate", "originalyear", "language"):
            audio[f"----:com.apple.iTunes:{key.upper()}"] = [MP4FreeForm(str(value).encode("utf-8"))]
        elif key == "bpm":
            audio["tmpo"] = [int(value)]
        elif key == "track":
            audio["trkn"] = [(int(value), 0)]
        elif key == "compilation":
            audio["cpil"] = bool(int(value))
        elif key == "picture_bytes":
            audio["covr"] = [MP4Cover(value, imageformat=MP4Cover.FORMAT_JPEG)]
        else:
            raise KeyError(key)
    audio.save()
