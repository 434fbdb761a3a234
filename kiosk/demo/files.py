"""The demo library's files besides the audio: real tags per format, LRC lyrics, the era.toml example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIDECAR_FOLDER = "Wartime Favourites (1998 reissue)"
_RIGHTS = "Public domain melody; synthesised by the Encore demo generator"
_RIGHTS_DEMO = "Invented demo tune; synthesised by the Encore demo generator (free to use)"


def tag_file(
    path: Path, song: dict[str, Any], defaults: dict[str, Any], duration_tags: dict[str, str]
) -> None:
    """Real tags in each format's own way (ID3 frames, Vorbis comments)."""
    title = song["title"]
    artist = song.get("artist", defaults.get("artist", "Encore Demo Players"))
    place = song["place"]
    album = song.get("album", SIDECAR_FOLDER.split(" (")[0] if place == "sidecar" else "Encore Demo Library")
    date = duration_tags.get("date")
    original = duration_tags.get("original")
    rights = _RIGHTS_DEMO if "seed" in song else _RIGHTS
    writers = song.get("writers", "Encore demo generator")
    if song["format"] == "mp3":
        from mutagen.id3 import (
            COMM,
            ID3,
            TALB,
            TBPM,
            TCMP,
            TCOM,
            TCON,
            TDOR,
            TDRC,
            TIT2,
            TLAN,
            TPE1,
            TPE2,
            TRCK,
            USLT,
        )

        tags = ID3()
        tags.add(TIT2(encoding=3, text=title))
        tags.add(TPE1(encoding=3, text=artist))
        tags.add(TALB(encoding=3, text=album))
        tags.add(TCON(encoding=3, text=song.get("genre", "")))
        tags.add(TCOM(encoding=3, text=writers))
        tags.add(COMM(encoding=3, lang="eng", desc="", text=rights))
        if place == "reissue":
            tags.add(TPE2(encoding=3, text="Various Artists"))
            tags.add(TCMP(encoding=3, text="1"))
            tags.add(TRCK(encoding=3, text=duration_tags.get("track", "1")))
        if song.get("language"):
            tags.add(TLAN(encoding=3, text=song["language"]))
        if song.get("bpm"):
            tags.add(TBPM(encoding=3, text=str(song["bpm"])))
        if date:
            tags.add(TDRC(encoding=3, text=date))
        if original:
            tags.add(TDOR(encoding=3, text=original))
        if song.get("embedded_lyrics"):
            tags.add(USLT(encoding=3, lang="eng", desc="", text=song["embedded_lyrics"]))
        tags.save(str(path), v2_version=int(song.get("id3", 4)))
        return
    from mutagen.flac import FLAC
    from mutagen.oggvorbis import OggVorbis

    audio = FLAC(str(path)) if song["format"] == "flac" else OggVorbis(str(path))
    audio["TITLE"] = title
    audio["ARTIST"] = artist
    audio["ALBUM"] = album
    audio["GENRE"] = song.get("genre", "")
    audio["COMPOSER"] = writers
    audio["COMMENT"] = rights
    if place == "reissue":
        audio["ALBUMARTIST"] = "Various Artists"
        audio["COMPILATION"] = "1"
        audio["TRACKNUMBER"] = duration_tags.get("track", "1")
    if song.get("language"):
        audio["LANGUAGE"] = song["language"]
    if song.get("bpm"):
        audio["BPM"] = str(song["bpm"])
    if date:
        audio["DATE"] = date
    if original:
        audio[song.get("original_tag", "ORIGINALDATE")] = original
    if song.get("embedded_lyrics"):
        audio["LYRICS"] = song["embedded_lyrics"]
    audio.save()


def lrc_text(song: dict[str, Any], intro_s: float, bar_s: float, artist: str) -> str:
    lines = [f"[ti:{song['title']}]", f"[ar:{artist}]", "[by:Encore demo generator; public-domain words]"]
    for bar, text in song["lrc"]:
        t = intro_s + float(bar) * bar_s
        minutes, seconds = divmod(t, 60)
        lines.append(f"[{int(minutes):02d}:{seconds:05.2f}]{text}")
    return "\n".join(lines) + "\n"


def sidecar_texts(songs: list[dict[str, Any]], paths: dict[str, str]) -> dict[str, str]:
    """The ``era.toml`` of each folder that needs one (folder inside music/ -> text): the era example in
    the wartime reissue folder, and ``themes`` for songs whose themes no genre or folder word gives."""
    texts: dict[str, list[str]] = {}
    if any(song["place"] == "sidecar" for song in songs):
        texts[SIDECAR_FOLDER] = [
            "# Staff correction (an example of how to fix eras): these songs came from a 1998 CD reissue, so",
            "# their date tags say 1998. Each entry below gives the song's real year, and the kiosk files it",
            "# under the right decade. `kiosk scan` applies changes to this file without re-reading the music.",
            "# The folder name says 'Wartime', so every song here has the theme war without saying so.",
            'language = "en"',
            "",
        ]
    for song in songs:
        themes = song.get("sidecar_themes", [])
        if song["place"] != "sidecar" and not themes:
            continue
        folder, name = paths[song["id"]].rsplit("/", 1)
        lines = texts.setdefault(
            folder, ["# What these songs are about, for residents' avoid lists (see content/README.md).", ""]
        )
        lines.append(f"[files.{json.dumps(name)}]")
        if song["place"] == "sidecar":
            lines.append(f"year = {song['year']}")
        if song.get("sidecar_mood"):
            lines.append(f'mood = "{song["sidecar_mood"]}"')
        if themes:
            lines.append(f"themes = {json.dumps(themes)}")
        lines.append("")
    return {folder: "\n".join(lines) for folder, lines in texts.items()}
