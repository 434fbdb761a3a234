"""The demo library: synthesise kiosk/demo/data/songs.toml into tagged MP3, Ogg and FLAC files.

``generate_demo(dest)`` writes ``dest/music/...`` (decade folders, compilation folders, a sidecar example, LRC
lyrics), deterministically and without network. The folder is built beside the old one and swapped in at the
end, so an interrupted run never leaves half a library. A stamp (``music/.encore-demo.json``) records which
input made it: running again with the same input does nothing unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
import wave
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.demo import files as files_module
from kiosk.demo import synth
from kiosk.demo.files import SIDECAR_FOLDER, lrc_text, sidecar_texts, tag_file
from kiosk.domain.models import decade_of
from kiosk.domain.themes import THEME_NAMES
from kiosk.errors import UserError

GENERATOR_VERSION = 1
STAMP_NAME = ".encore-demo.json"
FORMATS = ("mp3", "ogg", "flac")
PLACES = ("decade", "reissue", "sidecar", "folder", "unknown")
SIDECAR_RECORDING_YEAR = 1998
_SOX_QUALITY = {"mp3": ["-C", "128"], "ogg": ["-C", "4"], "flac": ["-C", "5"]}


def default_songs_file() -> Path:
    """The demo songs shipped inside the package (so an installed kiosk can make its demo library too)."""
    return Path(__file__).resolve().parent / "data" / "songs.toml"


@dataclass(frozen=True)
class DemoTrack:
    """One generated file, with what the scan should find in it."""

    song_id: str
    title: str
    rel_path: str  # inside dest/music
    format: str
    year: int | None  # the real (original) year; None for traditional
    expected_source: str  # the era evidence the scan should use
    mood: str
    duration_s: float
    lyrics: str  # "lrc", "embedded" or ""


@dataclass
class DemoReport:
    dest: Path
    tracks: list[DemoTrack] = field(default_factory=list)
    skipped: bool = False  # True when an up-to-date library was already there

    @property
    def music_dir(self) -> Path:
        return self.dest / "music"


def load_songs(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read and check songs.toml; every problem at once as ``FILE: song N (id): message``."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: demo song list not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None
    defaults = doc.get("defaults", {})
    songs = doc.get("song", [])
    problems: list[str] = []
    seen: set[str] = set()
    for n, song in enumerate(songs, 1):
        where = f"{path}: song {n} ({song.get('id', '?')})"
        for key in ("id", "title", "format", "place", "tempo", "meter", "chords"):
            if key not in song:
                problems.append(f"{where}: missing {key}")
        if song.get("id") in seen:
            problems.append(f"{where}: id used twice")
        seen.add(song.get("id", ""))
        if song.get("format") not in FORMATS:
            problems.append(f"{where}: format must be one of {', '.join(FORMATS)}")
        if song.get("place") not in PLACES:
            problems.append(f"{where}: place must be one of {', '.join(PLACES)}")
        if song.get("place") != "unknown" and not isinstance(song.get("year"), int):
            problems.append(f'{where}: year missing (only place = "unknown" may have none)')
        for key in ("themes", "sidecar_themes"):
            if not isinstance(song.get(key, []), list):
                problems.append(f'{where}: {key} must be a list like ["war"]')
            elif unknown := [t for t in song.get(key, []) if t not in THEME_NAMES]:
                problems.append(f"{where}: {key}: not a theme: {', '.join(map(str, unknown))}")
        if "melody" not in song and "seed" not in song:
            problems.append(f"{where}: needs a melody, or a seed for an invented demo tune")
        try:
            if "melody" in song:
                synth.parse_melody(song["melody"])
            for chord in str(song.get("chords", "")).split():
                synth.chord_notes(chord)
        except synth.NotationError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise UserError(problems)
    return defaults, songs


def _stamp(songs_file: Path) -> str:
    digest = hashlib.sha256(songs_file.read_bytes())
    for module in (synth.__file__, __file__, files_module.__file__):
        digest.update(Path(module).read_bytes())
    digest.update(str(GENERATOR_VERSION).encode())
    return digest.hexdigest()


def _safe_name(title: str) -> str:
    return "".join("-" if ch in '/\\:*?"<>|' else ch for ch in title).strip()


def _layout(songs: list[dict[str, Any]]) -> dict[str, str]:
    """Relative path (inside music/) of every song, by id."""
    paths: dict[str, str] = {}
    album_tracks: dict[str, int] = {}
    for song in songs:
        name = _safe_name(song["title"])
        ext = song["format"]
        place = song["place"]
        if place == "reissue":
            folder = f"Compilations/{song['album']} ({song['album_year']})"
            album_tracks[folder] = album_tracks.get(folder, 0) + 1
            paths[song["id"]] = f"{folder}/{album_tracks[folder]:02d} {name}.{ext}"
        elif place == "sidecar":
            paths[song["id"]] = f"{SIDECAR_FOLDER}/{name}.{ext}"
        elif place == "unknown":
            paths[song["id"]] = f"Traditional/{name}.{ext}"
        else:
            paths[song["id"]] = f"{decade_of(song['year'])}/{name}.{ext}"
    return paths


def _expected_source(song: dict[str, Any]) -> str:
    place = song["place"]
    fmt = song["format"]
    if place == "reissue":
        if fmt == "mp3":
            return "tag:TDOR"
        return f"tag:{song.get('original_tag', 'ORIGINALDATE')}"
    if place == "sidecar":
        return "sidecar:file"
    if place == "folder":
        return "folder"
    if place == "unknown":
        return "unknown"
    return "tag:TDRC" if fmt == "mp3" else "tag:DATE"


def _write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = np.clip(samples * 32767.0, -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(synth.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def _encode(wav: Path, out: Path, fmt: str) -> None:
    cmd = ["sox", "-q", "-R", str(wav), *_SOX_QUALITY[fmt], str(out)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UserError(
            "sox is not installed: run `make setup` (or apt-get install sox libsox-fmt-all)"
        ) from None
    except subprocess.CalledProcessError as exc:
        err = exc.stderr.decode("utf-8", "replace").strip()
        hint = " (install libsox-fmt-mp3 / libsox-fmt-all)" if fmt == "mp3" else ""
        raise UserError(f"sox could not write {out.name}: {err}{hint}") from None


def _make_track(
    song: dict[str, Any],
    defaults: dict[str, Any],
    rel: str,
    root: Path,
    tmp: Path,
    min_duration_s: float,
    track_no: str,
) -> DemoTrack:
    arr = synth.Arrangement(
        tempo_bpm=float(song["tempo"]),
        meter=int(song["meter"]),
        lead=song.get("lead", "piano"),
        comp=song.get("comp", "piano"),
        style=song.get("style", "pad"),
        swing=float(song.get("swing", 0.0)),
        ticks=bool(song.get("ticks", False)),
        transpose=int(song.get("transpose", 0)),
    )
    chords = str(song["chords"]).split()
    if "melody" in song:
        melody = synth.parse_melody(song["melody"])
    else:
        melody = synth.compose_demo_tune(chords, arr.meter, int(song["seed"]))
    seed = int(hashlib.sha256(song["id"].encode()).hexdigest()[:8], 16)
    samples, intro_s = synth.render(melody, chords, arr, min_duration_s=min_duration_s, seed=seed)
    out = root / rel
    out.parent.mkdir(parents=True, exist_ok=True)
    wav = tmp / f"{song['id']}.wav"
    _write_wav(wav, samples)
    _encode(wav, out, song["format"])
    wav.unlink()
    place = song["place"]
    year = song.get("year")
    date: str | None = None
    original: str | None = None
    if place == "reissue":
        date, original = str(song["album_year"]), str(song.get("original_text", year))
    elif place == "sidecar":
        date = str(SIDECAR_RECORDING_YEAR)
    elif place == "decade":
        date = str(song.get("date", year))
    tag_file(out, song, defaults, {"date": date or "", "original": original or "", "track": track_no})
    lyrics = ""
    if song.get("lrc"):
        bar_s = 60.0 / arr.tempo_bpm * arr.meter
        artist = song.get("artist", defaults.get("artist", ""))
        out.with_suffix(".lrc").write_text(lrc_text(song, intro_s, bar_s, artist), encoding="utf-8")
        lyrics = "lrc"
    elif song.get("embedded_lyrics"):
        lyrics = "embedded"
    return DemoTrack(
        song_id=song["id"],
        title=song["title"],
        rel_path=rel,
        format=song["format"],
        year=year,
        expected_source=_expected_source(song),
        mood=song.get("mood", ""),
        duration_s=round(len(samples) / synth.SAMPLE_RATE, 2),
        lyrics=lyrics,
    )


def generate_demo(
    dest: Path,
    *,
    songs_file: Path | None = None,
    only: Iterable[str] | None = None,
    min_duration_s: float | None = None,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Write the demo library into ``dest/music`` (see the module docstring); ``only`` = a subset of ids
    and ``min_duration_s`` shorter tracks, for tests."""
    songs_file = Path(songs_file) if songs_file else default_songs_file()
    defaults, songs = load_songs(songs_file)
    if only is not None:
        wanted = set(only)
        songs = [s for s in songs if s["id"] in wanted]
    min_s = float(min_duration_s if min_duration_s is not None else defaults.get("min_duration_s", 24.0))
    dest = Path(dest)
    music = dest / "music"
    stamp: dict[str, Any] = {
        "stamp": _stamp(songs_file),
        "only": sorted(only) if only is not None else None,
        "min_s": min_s,
    }
    report = DemoReport(dest=dest)
    stamp_path = music / STAMP_NAME
    if not force and stamp_path.exists():
        try:
            old = json.loads(stamp_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        if {k: old.get(k) for k in stamp} == stamp:
            report.tracks = [DemoTrack(**t) for t in old.get("tracks", [])]
            report.skipped = True
            return report
    dest.mkdir(parents=True, exist_ok=True)
    paths = _layout(songs)
    building = Path(tempfile.mkdtemp(prefix=".music-building-", dir=dest))
    try:
        with tempfile.TemporaryDirectory(prefix="encore-demo-") as tmp_name:
            tmp = Path(tmp_name)
            track_nos = {sid: rel.rsplit("/", 1)[1].split(" ", 1)[0] for sid, rel in paths.items()}
            done = 0
            with ThreadPoolExecutor(max_workers=jobs or max(1, min(4, os.cpu_count() or 1))) as pool:
                futures = [
                    pool.submit(
                        _make_track,
                        s,
                        defaults,
                        paths[s["id"]],
                        building,
                        tmp,
                        min_s,
                        track_nos[s["id"]] if s["place"] == "reissue" else "1",
                    )
                    for s in songs
                ]
                for fut in futures:
                    report.tracks.append(fut.result())
                    done += 1
                    if progress:
                        progress(done, len(songs))
        for folder, text in sidecar_texts(songs, paths).items():
            (building / folder / "era.toml").write_text(text, encoding="utf-8")
        stamp["tracks"] = [t.__dict__ for t in report.tracks]
        (building / STAMP_NAME).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        old_music = None
        if music.exists():
            old_music = dest / f".music-old-{os.getpid()}"
            os.replace(music, old_music)
        os.replace(building, music)
        if old_music is not None:
            shutil.rmtree(old_music, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return report
