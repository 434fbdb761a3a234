"""`kiosk simulate` end to end: real engine, real libvlc (dummy output), generated tones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.mark.timeout(90)
def test_simulate_plays_and_prints_a_summary(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["--data-dir", str(data_dir), "simulate", "--intents", "12", "--rate", "20", "--seed", "4"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "generated test tones" in out
    started = int(re.search(r"songs started (\d+)", out).group(1))  # type: ignore[union-attr]
    journaled = int(re.search(r"events journaled (\d+)", out).group(1))  # type: ignore[union-attr]
    assert started >= 1 and journaled > started
    assert re.search(r"p95 \d+\.\d ms", out)
    assert not (data_dir / "events").exists()  # the care home's journal is never touched


def test_simulate_rejects_a_bad_rate(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "simulate", "--rate", "0"]) == 1
    assert "--rate" in capsys.readouterr().err


@pytest.mark.timeout(90)
def test_simulate_listens_as_a_resident_with_their_consent(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id,first_name,birth_year,consent\nS-1,Ada,1940,no\nS-2,Bea,1941,yes\n", encoding="utf-8"
    )
    assert main(["--data-dir", str(data_dir), "residents", "import", str(people)]) == 0
    capsys.readouterr()
    args = ["--data-dir", str(data_dir), "simulate", "--intents", "4", "--rate", "20", "--seed", "2"]
    assert main([*args, "--resident", "S-1"]) == 0
    assert "events journaled 0" in capsys.readouterr().out  # consent "no": music, but nothing recorded
    assert main([*args, "--resident", "S-2"]) == 0
    journaled = int(re.search(r"events journaled (\d+)", capsys.readouterr().out).group(1))  # type: ignore[union-attr]
    assert journaled > 0
    assert main([*args, "--resident", "NOPE"]) == 1
    assert "--resident NOPE: no resident with that id" in capsys.readouterr().err
