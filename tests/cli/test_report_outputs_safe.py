"""`kiosk report --csv/--pdf/--png` write only where asked: an existing target that is a link or not a regular
file is refused (what it points to stays untouched), and files are written through a temp file and a rename."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.rollups import RollupStore
from kiosk.cli import main

PERIOD = ["--from", "2026-06-01", "--to", "2026-06-02"]
VICTIM = b"the care home's own file: must never be overwritten\n"


@pytest.fixture
def home(data_dir: Path) -> Path:
    with DataFolder(data_dir).write("residents") as db:
        db.table("residents").insert(
            {"resident_id": "r1", "staff_id": "A-1", "first_name": "Ada", "birth_year": 1931}
        )
    RollupStore(DataFolder(data_dir)).add(
        {
            "session_id": "s1",
            "started_at": "2026-06-01T10:00:00+00:00",
            "ended_at": "2026-06-01T10:20:00+00:00",
            "resident_ids": ["r1"],
            "clock_ok": True,
            "listened_s": 1200,
            "plays": [{"song_id": "x", "title": "Daisy Bell", "artist": "Anon", "outcome": "completed"}],
        }
    )
    return data_dir


def _report(data_dir: Path, *args: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["--data-dir", str(data_dir), "report", *PERIOD, *args])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "target"),
    [
        ("--csv", "out.csv"),
        ("--csv", "out-plays.csv"),
        ("--pdf", "out.pdf"),
        ("--png", "charts/home-minutes.png"),
    ],
)
def test_a_link_at_the_target_is_refused_and_what_it_points_to_is_untouched(
    home, tmp_path, capsys, option, target
):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    (tmp_path / "charts").mkdir()
    (tmp_path / target).symlink_to(victim)
    value = str(tmp_path / ("charts" if option == "--png" else target.replace("-plays", "")))
    rc, err = _report(home, option, value, capsys=capsys)
    assert rc == 1 and "Traceback" not in err
    assert f"{tmp_path / target}: is a link" in err
    assert victim.read_bytes() == VICTIM
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_a_target_that_is_not_a_regular_file_is_refused(home, tmp_path, capsys):
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    rc, err = _report(home, "--pdf", str(fifo), capsys=capsys)
    assert rc == 1 and f"{fifo}: not a regular file" in err


def test_outputs_replace_regular_files_atomically_0600(home, tmp_path, capsys):
    out = tmp_path / "out.csv"
    out.write_text("old")
    rc, err = _report(
        home,
        "--csv",
        str(out),
        "--pdf",
        str(tmp_path / "r.pdf"),
        "--png",
        str(tmp_path / "png"),
        capsys=capsys,
    )
    assert rc == 0, err
    for path in [out, tmp_path / "out-plays.csv", tmp_path / "r.pdf", *(tmp_path / "png").iterdir()]:
        assert path.is_file() and not path.is_symlink() and path.stat().st_size > 10
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    assert "Ada" in out.read_text(encoding="utf-8-sig")
    assert not [p for p in tmp_path.rglob(".*.tmp")]
