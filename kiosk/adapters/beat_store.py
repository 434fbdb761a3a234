"""Where beat grids live: a summary per song in their own store (table ``beats``), every beat in a side file.

- the ``beat-summaries`` store (``<data>/beat-summaries.json``, a registered document store with the data
  folder's atomic writes, backups and repair): one document per analysed song, keyed by ``song_id`` (the
  content's identity, so a moved or renamed file keeps its grid): ``BeatSummary`` fields plus ``usable`` and
  ``version``. A song analysed without a usable grid is kept too (``usable: false``), so it is not analysed
  again at every scan. The scan's shards (:mod:`kiosk.adapters.catalogue_store`) never carry grids, so a
  rescan cannot lose them; :class:`kiosk.adapters.catalogue.TinyCatalogue` merges usable summaries into
  ``Song.beat_*``.
- ``<data>/beats/<song_id>.json``: ``{"v": 1, "beats": [...]}`` written atomically, read when a song starts
  in Play along mode (:class:`SideFileGrids`); the catalogue stays small.

:func:`analyse_library` is the background work after a scan: songs without a current entry are decoded and
analysed one by one (niced; ``kiosk scan`` runs it after the scan, ``kiosk run`` on a low-priority thread
after start-up and after a staff rescan: :mod:`kiosk.adapters.beat_worker`). Grids are about music, never a
person: backed up with the data folder, left alone by erasure.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import Query

from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.beat_analysis import DecodeError, analyse_file
from kiosk.adapters.catalogue_store import CatalogueFiles, song_of
from kiosk.adapters.docstore import DataFolder
from kiosk.domain.beats import BeatGrid, BeatSummary, grid_from_side
from kiosk.domain.models import Song

log = logging.getLogger(__name__)

STORE = "beat-summaries"  # the document store of grid summaries
BEATS = "beats"  # its table
ANALYSIS_VERSION = 1  # bump when the analysis changes: songs are analysed again
SIDE_DIR = "beats"
_SAFE_ID = re.compile(r"[0-9A-Za-z_.-]{1,128}")


def side_path(data_dir: Path, song_id: str) -> Path | None:
    """The side file of ``song_id`` (None for an id that is no safe file name)."""
    if not _SAFE_ID.fullmatch(song_id) or song_id.startswith("."):
        return None
    return Path(data_dir) / SIDE_DIR / f"{song_id}.json"


def read_beats_table(raw: dict[str, Any] | None) -> dict[str, BeatSummary]:
    """song_id -> usable summary, from a catalogue document as TinyDB stores it."""
    out: dict[str, BeatSummary] = {}
    for doc in ((raw or {}).get(BEATS) or {}).values():
        if not isinstance(doc, dict) or not doc.get("usable"):
            continue
        summary = BeatSummary.from_dict(doc)
        if summary is not None and summary.usable():
            out[str(doc.get("song_id"))] = summary
    return out


class SideFileGrids:
    """Implements ``ports.BeatGrids``: the side file's beats, else the regular grid of the song's summary."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)

    def grid_for(self, song: Song) -> BeatGrid | None:
        summary = None
        if song.beat_tempo_bpm is not None and song.beat_first_s is not None:
            summary = BeatSummary(song.beat_tempo_bpm, song.beat_first_s, song.beat_swing or 0.5)
        doc: object = None
        path = side_path(self.data_dir, song.song_id)
        if path is not None:
            try:
                with path.open("rb") as fh:
                    doc = json.loads(fh.read(2_000_000))
            except (OSError, ValueError):
                doc = None  # missing or damaged: the summary's steady grid
        return grid_from_side(doc, summary, song.duration_s)


@dataclass
class AnalysisReport:
    analysed: int = 0
    usable: int = 0
    failed: int = 0


def read_summaries(data: DataFolder) -> dict[str, BeatSummary]:
    """song_id -> usable summary from the store (empty when there is none yet)."""
    return read_beats_table(data.read(STORE).storage.read())


def pending_songs(data: DataFolder) -> list[dict[str, Any]]:
    """Catalogue songs with no current beat entry (new, or analysed by an older version)."""
    raw = data.read(STORE).storage.read() or {}
    done = {
        str(d.get("song_id"))
        for d in (raw.get(BEATS) or {}).values()
        if isinstance(d, dict) and d.get("version") == ANALYSIS_VERSION
    }
    songs = [song_of(row) for entries in CatalogueFiles(data).load().values() for row, _file in entries]
    return [
        {"song_id": s.song_id, "path": s.path, "bpm": s.bpm}
        for s in songs
        if s.song_id not in done and not s.suspect
    ]


def analyse_library(
    data: DataFolder,
    music_dir: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    batch: int = 50,
    nice: bool = False,
) -> AnalysisReport:
    """Analyse every pending song; store side files at once and catalogue entries every ``batch`` songs."""
    if nice:
        with contextlib.suppress(OSError):
            os.nice(10)  # this process (kiosk scan): the UI and the music go first
    report = AnalysisReport()
    todo = pending_songs(data)
    entries: list[dict[str, Any]] = []
    for n, doc in enumerate(todo, 1):
        if should_stop():
            break
        entries.append(_analyse_one(data.root, Path(music_dir), doc, report))
        if len(entries) >= batch:
            _store(data, entries)
            entries = []
        if progress is not None:
            progress(n, len(todo))
    if entries:
        _store(data, entries)
    return report


def _analyse_one(
    data_dir: Path, music_dir: Path, doc: dict[str, Any], report: AnalysisReport
) -> dict[str, Any]:
    song_id = str(doc.get("song_id"))
    path = Path(str(doc.get("path") or ""))
    if not path.is_absolute():
        path = music_dir / path
    bpm = doc.get("bpm")
    entry: dict[str, Any] = {"song_id": song_id, "version": ANALYSIS_VERSION, "usable": False}
    report.analysed += 1
    try:
        analysis = analyse_file(path, float(bpm) if isinstance(bpm, int | float) and bpm > 0 else None)
    except (DecodeError, OSError, ValueError) as exc:
        log.info("beats: %s not analysed: %s", song_id[:12], exc)
        report.failed += 1
        entry["error"] = str(exc)[:200]
        return entry
    if analysis is None or not analysis.summary.usable():
        return entry
    side = side_path(data_dir, song_id)
    if side is not None:
        side.parent.mkdir(mode=0o700, exist_ok=True)
        body = json.dumps({"v": 1, "beats": list(analysis.beats)}, separators=(",", ":"))
        atomic_write_bytes(side, body.encode("ascii"))
    entry.update(analysis.summary.to_dict(), usable=True)
    report.usable += 1
    return entry


def _store(data: DataFolder, entries: Iterable[dict[str, Any]]) -> None:
    with data.write(STORE) as db:
        table = db.table(BEATS)
        for entry in entries:
            table.upsert(entry, Query().song_id == entry["song_id"])
