"""`kiosk report` shows whether the gentle voice's introductions change completion and likes: a real journal
(JsonlJournal) rebuilt into rollups by `kiosk report --rebuild`, then the report as text, CSV and PDF from a
real `kiosk` process; the same figures whether a month is read in full or from its digest."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from tests.fakes import FakeClock

VERA, ALF = "0a0a0a0a-vera", "0b0b0b0b-alf"
WEEK = ["--from", "2026-06-01", "--to", "2026-06-07"]
WIDE = ["--from", "2026-05-01", "--to", "2026-07-31"]  # June lies wholly inside: read as its digest


def _kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TZ="UTC")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "report", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _journal_sessions(data_dir: Path, plays: dict[str, list[tuple[str, bool, bool]]]) -> None:
    """One session per resident; each play (outcome, liked, introduced) journaled as the engine does."""
    clock = FakeClock(datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
    journal = JsonlJournal(data_dir / "events", "lounge-1", clock)
    for n, (rid, songs) in enumerate(plays.items()):
        sid = f"sess-{n}"
        journal.append(
            "session_start", session_id=sid, resident_id=rid, detail={"mode": "listen", "residents": [rid]}
        )
        total = 0
        for i, (outcome, liked, intro) in enumerate(songs):
            song = f"song-{i % 5}"
            if intro:
                journal.append(
                    "intro", session_id=sid, resident_id=rid, song_id=song, detail={"duration_s": 3.1}
                )
                clock.advance(3)
            detail = {"title": f"Song {i % 5}", "artist": "Artist", "decade": "1940s", "mode": "listen"}
            journal.append("song_start", session_id=sid, resident_id=rid, song_id=song,
                           detail={**detail, **({"intro": True} if intro else {})})  # fmt: skip
            if liked:
                journal.append("like", session_id=sid, resident_id=rid, song_id=song, detail={"at_s": 5})
            clock.advance(60)
            total += 60
            journal.append("song_end", session_id=sid, resident_id=rid, song_id=song,
                           detail={"outcome": outcome, "listened_s": 60, "at_s": 60})  # fmt: skip
        journal.append(
            "session_end", session_id=sid, resident_id=rid, detail={"reason": "length", "listened_s": total}
        )
        clock.advance(3600)
    journal.close()


@pytest.fixture
def voice_home(data_dir: Path) -> Path:
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        for rid, staff, name in ((VERA, "V1", "Vera"), (ALF, "A2", "Alf")):
            db.table("residents").insert(
                {
                    "resident_id": rid,
                    "staff_id": staff,
                    "first_name": name,
                    "preferred_name": "",
                    "birth_year": 1930,
                }
            )
    # Vera has the voice on: 3 introduced songs (2 heard to the end, 1 liked) and 1 without;
    # Alf has it off: 4 songs without (1 heard to the end); one failed play counts nowhere
    _journal_sessions(
        data_dir,
        {
            VERA: [("completed", True, True), ("completed", False, True), ("skipped", False, True),
                   ("completed", False, False), ("failed", False, True)],
            ALF: [("completed", False, False), ("skipped", False, False), ("skipped", True, False),
                  ("distress", False, False)],
        },
    )  # fmt: skip
    done = _kiosk(data_dir, "--rebuild")
    assert done.returncode == 0, done.stderr
    return data_dir


def test_the_report_compares_songs_with_and_without_an_introduction(voice_home: Path) -> None:
    week = _kiosk(voice_home, *WEEK)
    assert week.returncode == 0, week.stderr
    home = week.stdout.split("\nAlf (A2)\n")[0]
    assert "Song introductions by the voice:" in home
    assert "  introduced: 3 plays, 2 heard to the end (67%), 1 liked (33%)" in home
    assert "  not introduced: 5 plays, 2 heard to the end (40%), 1 liked (20%)" in home
    assert "Too few plays to tell whether introductions help" in home  # 3 and 5 plays say nothing yet
    assert "not a trial" in home
    alf = week.stdout.split("\nAlf (A2)\n")[1].split("\nVera (V1)\n")[0]
    assert "Song introductions" not in alf  # nothing was introduced for him
    vera = week.stdout.split("\nVera (V1)\n")[1]
    assert "  not introduced: 1 play, 1 heard to the end (100%), 0 liked (0%)" in vera
    wide = _kiosk(voice_home, *WIDE)  # June from its digest (the cache): the same comparison
    assert wide.returncode == 0, wide.stderr
    assert (voice_home / "report-cache" / "rollups-2026-06.json").exists()
    lines = [ln for ln in week.stdout.splitlines() if "introduced:" in ln]
    assert lines and [ln for ln in wide.stdout.splitlines() if "introduced:" in ln] == lines


def test_csv_marks_introduced_plays_and_pdf_shows_the_comparison(voice_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    done = _kiosk(voice_home, *WEEK, "--csv", str(target))
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out-plays.csv").open(encoding="utf-8-sig", newline="") as fh:
        plays = list(csv.DictReader(fh))
    marked = [(p["resident"], p["outcome"], p["introduced"]) for p in plays]
    assert marked.count(("Vera (V1)", "completed", "yes")) == 2
    assert ("Vera (V1)", "completed", "no") in marked and ("Vera (V1)", "failed", "yes") in marked
    assert all(p["introduced"] == "no" for p in plays if p["resident"] == "Alf (A2)")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed: the PDF's text cannot be read back")
    pdf = tmp_path / "out.pdf"
    done = _kiosk(voice_home, *WEEK, "--pdf", str(pdf))
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "introduced: 3 plays, 2 heard to the end (67%)" in text.stdout
    assert "Too few plays to tell" in text.stdout
