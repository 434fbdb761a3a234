"""Issue 18 outside in: `kiosk report` and `kiosk residents schedule` as real subprocesses over a real data folder
holding the synthetic history of tests/insight_history.py (real TinyDB stores, PDF read back with pdftotext)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from tests import insight_history as h
from tests.domain.test_insight import MARY

PERIOD = ["--from", "2026-06-01", "--to", "2026-06-28"]
pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    h.write_folder(DataFolder(data))
    return data


def kiosk(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": "UTC", "KIOSK_DATA_DIR": str(folder)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, timeout=120
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def test_text_report_one_resident_names_nobody_else(folder):
    out = kiosk(folder, "report", "--resident", "M1", *PERIOD)
    assert out.returncode == 0, out.stderr
    for sentence in MARY:
        assert f"- {sentence}" in out.stdout
    for other in ("Albert", "Nora", "A2", "N3"):
        assert other not in out.stdout
    assert "Residents who listened" not in out.stdout  # no home figures
    assert "times are local, UTC+00:00" in out.stdout


def test_whole_home_text_says_not_recorded_by_choice(folder):
    out = kiosk(folder, "report", *PERIOD)
    assert out.returncode == 0, out.stderr
    assert "Music not recorded, by choice: Nora (N3)" in out.stdout
    assert "Nora (N3): last session" not in out.stdout  # not "no session on record"
    assert "1 likes" not in out.stdout and "resident(s)" not in out.stdout
    assert "No session in the last 7 days: 2 residents" in out.stdout
    assert "Modes: Relax 6 sessions, Listen 4 sessions" in out.stdout


def _font_sizes(pdf: Path) -> list[float]:
    """Every text size set in the PDF's page streams (matplotlib writes '/Fn SIZE Tf' in Flate streams)."""
    raw = pdf.read_bytes()
    sizes = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            body = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        sizes += [float(x) for x in re.findall(rb"/F\d+ ([\d.]+) Tf", body)]
    return sizes


@pdf_tools
def test_pdf_holds_the_sentences_at_10_pt_and_one_resident_only(folder, tmp_path):
    pdf = tmp_path / "mary.pdf"
    out = kiosk(folder, "report", "--resident", "M1", *PERIOD, "--pdf", str(pdf))
    assert out.returncode == 0, out.stderr
    assert "1 page" in out.stdout
    text = _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    for sentence in MARY[:5]:  # what works comes first on the page: never cut
        assert _flat(sentence) in text
    for other in ("Albert", "Nora"):
        assert other not in text
    sizes = _font_sizes(pdf)
    assert sizes and min(sizes) >= 10
    assert "Week by week" in text and "Enjoyment (0-100)" in text


@pdf_tools
def test_whole_home_pdf_pages_and_consent_no(folder, tmp_path):
    pdf = tmp_path / "home.pdf"
    out = kiosk(folder, "report", *PERIOD, "--pdf", str(pdf))
    assert out.returncode == 0, out.stderr
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    assert "Music not recorded, by choice: Nora (N3)" in _flat(pages[0])
    assert not any(p.startswith("Nora") for p in pages)  # no page of her own in the home's report
    assert min(_font_sizes(pdf)) >= 10
    one = tmp_path / "nora.pdf"
    assert kiosk(folder, "report", "--resident", "N3", *PERIOD, "--pdf", str(one)).returncode == 0
    nora = subprocess.run(["pdftotext", str(one), "-"], capture_output=True, text=True).stdout
    assert "not recorded, by choice" in _flat(nora) and "Week by week" not in nora
    assert "Mary" not in nora and "Albert" not in nora


def test_csv_one_resident_with_observations_and_time_zone(folder, tmp_path):
    target = tmp_path / "mary.csv"
    out = kiosk(folder, "report", "--resident", "M1", *PERIOD, "--csv", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert {r["resident"] for r in rows} == {"Mary (M1)"} and len(rows) == 10
    first = next(r for r in rows if r["session_id"] == "relax-1")
    assert first["time_zone"] == "UTC+00:00"
    assert first["observed_enjoyment"] == "80" and first["observed_interest"] == ""  # unset: empty, never 50
    assert first["reactions_seen"] == "smiled" and first["old_form"] == "no"
    old = next(r for r in rows if r["session_id"] == "relax-3")
    assert old["old_form"] == "yes"
    plays = (tmp_path / "mary-plays.csv").read_text(encoding="utf-8-sig")
    assert "Albert" not in plays and "Nora" not in plays


def test_png_one_resident_only(folder, tmp_path):
    out_dir = tmp_path / "png"
    out = kiosk(folder, "report", "--resident", "M1", *PERIOD, "--png", str(out_dir))
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in out_dir.iterdir())
    assert names and all(n.startswith("Mary-M1-") for n in names)
    assert "Mary-M1-week-by-week.png" in names


def test_schedule_accepts_the_proposal_and_logs_it(folder):
    out = kiosk(folder, "residents", "schedule", "M1", "14:30-15:30 relax")
    assert out.returncode == 0, out.stderr
    assert "M1: schedule (none) -> 14:30-15:30 relax" in out.stdout
    stored = json.loads((folder / "residents.json").read_text())
    mary = next(d for d in stored["residents"].values() if d["staff_id"] == "M1")
    assert mary["schedule"] == "14:30-15:30 relax"
    log = json.loads((folder / "calm-ahead.json").read_text())["log"]
    assert [(d["action"], d["slot"], d["source"]) for d in log.values()] == [
        ("accepted", "14:30-15:30 relax", "command line")
    ]
    history = json.loads((folder / "profile-history.json").read_text())["changes"]
    assert any(d["field"] == "schedule" and d["new"] == "14:30-15:30 relax" for d in history.values())
    after = kiosk(folder, "report", "--resident", "M1", *PERIOD)
    assert "is proposed" not in after.stdout  # in place now: no longer proposed


def test_schedule_bad_input_is_one_clear_line(folder):
    bad = kiosk(folder, "residents", "schedule", "M1", "14:30-15:30 relx")
    assert bad.returncode == 1
    assert "did you mean 'relax'" in bad.stderr and "Traceback" not in bad.stderr
    nobody = kiosk(folder, "residents", "schedule", "ZZ", "14:30-15:30 relax")
    assert nobody.returncode == 1 and "no resident with the id 'ZZ'" in nobody.stderr
    stored = json.loads((folder / "residents.json").read_text())
    assert all(d["schedule"] == "" for d in stored["residents"].values())  # nothing changed
