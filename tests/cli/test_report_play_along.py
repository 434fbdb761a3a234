"""Play along in reports, end to end: sessions journaled by the real JsonlJournal (the ``play_along`` detail made
by the domain's own PressTally), rollups rebuilt and the report made by the real `kiosk report` command in a
child process; the PDF read back with pdftotext, the PNG folder listed, the staff screen's dashboard rendered.

Per resident only the sessions they were alone in count; the home counts every session; nothing about Play
along is shown in a period without it."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.rollups import RollupStore
from kiosk.domain.play_along import PressTally
from tests.fakes import FakeClock
from tests.storage.kit import kiosk_cli

A, B = "0a0a0a0a-rid-pa", "0b0b0b0b-rid-pb"
DAY = ["--from", "2026-06-01", "--to", "2026-06-01"]
WEEK = ["--from", "2026-06-01", "--to", "2026-06-07"]
pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def _session(journal: JsonlJournal, clock: FakeClock, sid: str, rids: list[str], mode: str, presses) -> None:
    """One session of one 120 s song; ``presses``: (presses, on the beat) or None for no Play along."""
    rid = rids[0] if len(rids) == 1 else None
    journal.append("session_start", session_id=sid, resident_id=rid, detail={"mode": mode, "residents": rids})
    journal.append(
        "song_start", session_id=sid, resident_id=rid, song_id="s1", detail={"title": "Moon River"}
    )
    clock.advance(120)
    journal.append(
        "song_end",
        session_id=sid,
        resident_id=rid,
        song_id="s1",
        detail={"outcome": "completed", "listened_s": 120},
    )
    if presses is not None:
        tally = PressTally()
        for i in range(presses[0]):
            tally.add("drum", on_beat=i < presses[1])
        journal.append("play_along", session_id=sid, resident_id=rid, detail=tally.detail(120.0))
    journal.append(
        "session_end", session_id=sid, resident_id=rid, detail={"reason": "length", "listened_s": 120}
    )
    clock.advance(3600)


@pytest.fixture
def home(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")
    with DataFolder(data_dir).write("residents") as db:
        for rid, staff, name in ((A, "A1", "Winifred"), (B, "B2", "Archibald")):
            db.table("residents").insert({"resident_id": rid, "staff_id": staff, "first_name": name})
    clock = FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    journal = JsonlJournal(data_dir / "events", "lounge-1", clock)
    _session(journal, clock, "pa-alone", [A], "play_along", (30, 18))  # 15 a minute, 60% on the beat
    _session(journal, clock, "pa-group", [A, B], "play_along", (40, 10))  # the home's only
    _session(journal, clock, "listen", [B], "listen", None)
    clock.advance(2 * 86400)  # 3 June: listening only
    _session(journal, clock, "later", [B], "listen", None)
    journal.close()
    return data_dir


def _report(data_dir: Path, *args: str) -> str:
    done = kiosk_cli(data_dir, "report", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_rebuilt_rollups_carry_the_journal_figures_into_the_report(home: Path) -> None:
    out = _report(home, "--rebuild", *DAY)
    assert "Rebuilt 4 session rollups" in out
    stored = {s["session_id"]: s for s in RollupStore(DataFolder(home)).sessions()}
    assert stored["pa-alone"]["play_along"]["presses"] == 30
    home_part, rest = out.split("\nArchibald (B2)\n")  # residents in order of their names
    archibald, winifred = rest.split("\nWinifred (A1)\n")
    # the home: both sessions, 70 presses in 4 minutes, 28 on the beat
    assert (
        "Play along: 2 sessions: 17.5 presses per minute, 40% on the beat (70 presses in 4 min of music)"
        in (home_part)
    )
    assert "not a clinical measure" in home_part
    # Winifred: her session alone only (the group's presses are nobody's own)
    assert (
        "Play along: 1 session on their own: 15.0 presses per minute, 60% on the beat (30 presses" in winifred
    )
    # only a group session: counted among his modes, but no presses of his own
    assert "Play along:" not in archibald and "Modes: Play along 1 session" in archibald


def test_nothing_about_play_along_in_a_period_without_it(home: Path, tmp_path: Path) -> None:
    _report(home, "--rebuild")
    out = _report(home, "--from", "2026-06-02", "--to", "2026-06-04", "--png", str(tmp_path / "png"))
    assert not [p.name for p in (tmp_path / "png").iterdir() if "play-along" in p.name]
    text = _report(home, "--from", "2026-06-02", "--to", "2026-06-04")
    assert "Play along" not in text and "Wrote" in out


def test_a_whole_month_read_from_its_digest_gives_the_same_figures(home: Path) -> None:
    _report(home, "--rebuild")
    week = [line for line in _report(home, *WEEK).splitlines() if line.startswith("Play along:")]
    wide = ["--from", "2026-05-01", "--to", "2026-07-31"]  # June lies inside: read from its digest
    first = [line for line in _report(home, *wide).splitlines() if line.startswith("Play along:")]
    digest = (home / "report-cache" / "rollups-2026-06.json").read_bytes()
    assert b'"plays"' not in digest and b'"play_along"' in digest  # the sessions that played along keep it
    cached = [line for line in _report(home, *wide).splitlines() if line.startswith("Play along:")]
    assert first == cached == week and len(week) == 2  # the home's and Winifred's


@pdf_tools
def test_pdf_and_png_show_the_figures_with_the_caveat(home: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    _report(home, "--rebuild", *DAY, "--pdf", str(pdf), "--png", str(tmp_path / "png"))
    pages = [
        _words(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout)
        for n in (1, 2, 3)
    ]  # fmt: skip
    assert "17.5 presses per minute, 40% on the beat (70 presses in 4 min of music)" in pages[0]
    assert "Play along: 17.5 presses/min" in pages[0]  # the chart's titles: the whole period's figures
    assert "40% on the beat" in pages[0]
    assert "a simple proxy for initiation and involvement, not a clinical measure" in pages[0].lower()
    assert "Archibald" in pages[1] and "Play along:" not in pages[1]  # (his modes line names it)
    assert "Winifred" in pages[2] and "15.0 presses per minute, 60% on the beat" in pages[2]
    assert "Play along: 15.0 presses/min" in pages[2] and "60% on the beat" in pages[2]
    names = sorted(p.name for p in (tmp_path / "png").iterdir() if "play-along" in p.name)
    assert names == ["Winifred-A1-play-along.png", "home-play-along.png"]


def test_the_staff_screen_shows_the_chart_only_when_played_along(home: Path, tmp_path: Path) -> None:
    from kiosk.adapters.dashboard_charts import DashboardFiles
    from kiosk.app.dashboard import render_dashboard

    _report(home, "--rebuild")
    files = DashboardFiles(home)
    week = render_dashboard(files, "7d", tmp_path / "d", resident_id=A, today=date(2026, 6, 3))
    assert [p.name for p in week][-1] == "dash-7d-resident-play-along.png"
    his = render_dashboard(files, "7d", tmp_path / "d", resident_id=B, today=date(2026, 6, 3))
    assert not [p for p in his if "play-along" in p.name]
    today = render_dashboard(files, "today", tmp_path / "d", today=date(2026, 6, 3))
    assert not [p for p in today if "play-along" in p.name]
