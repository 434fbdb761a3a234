"""Odd stores (issue 14 item 5): documents that are not objects, folders where files belong, a garbage
pseudonym secret. Every document is checked on open and repaired like any damage; a folder where a file
belongs is a doctor FAIL and a staff note, and the composed kiosk still starts and plays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.adapters import attention
from kiosk.adapters.journal import read_events
from tests.storage.kit import kiosk_cli, prepare_data, run_kiosk


@pytest.fixture
def kiosk_data(tmp_path: Path, data_dir: Path) -> tuple[Path, Path]:
    return data_dir, prepare_data(data_dir, tmp_path)


@pytest.mark.parametrize(
    "table",
    [{"1": 5}, {"1": [1, 2]}, {"1": "Peggy"}, {"1": None}],
    ids=["number", "list", "text", "null"],
)
def test_a_document_that_is_not_an_object_is_repaired_like_any_damage(kiosk_data, table) -> None:
    data_dir, _music = kiosk_data
    (data_dir / "residents.json").write_text(json.dumps({"residents": table}))
    done = kiosk_cli(data_dir, "residents", "list")
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    assert "R-001" in done.stdout and "R-002" in done.stdout  # the last good backup was put back
    assert list(data_dir.glob("residents.json.damaged-*"))
    assert "store-damaged:residents" in {n["kind"] for n in attention.notes(data_dir)}


def _doctor_fails(data_dir: Path, name: str) -> None:
    done = kiosk_cli(data_dir, "doctor")
    assert "internal error" not in done.stderr + done.stdout
    lines = [line for line in done.stdout.splitlines() if name in line]
    assert any("FAIL" in line for line in lines), done.stdout


@pytest.mark.parametrize("name", ["residents.json", "catalogue.json", ".lock", "export-log.jsonl"])
def test_a_folder_where_a_file_belongs_is_a_doctor_fail_and_the_kiosk_still_plays(kiosk_data, name) -> None:
    data_dir, music = kiosk_data
    target = data_dir / name
    if target.exists():
        target.unlink()
    target.mkdir()
    (target / "someone's file.txt").write_text("kept")
    _doctor_fails(data_dir, name)
    seen = run_kiosk(data_dir, music, sync=True, pi=True)
    assert seen["seq"] > 0 and seen["journal_problem"] is None
    types = [e["type"] for e in read_events(data_dir / "events")]
    assert types[0] == "session_start" and "song_start" in types and types[-1] == "session_end"
    assert (target / "someone's file.txt").read_text() == "kept"  # left as it is: not ours to move
    if name != "export-log.jsonl":
        kinds = {n["kind"] for n in attention.notes(data_dir)}
        assert any(k.startswith("store-folder:") for k in kinds), kinds


def test_an_export_with_a_folder_for_its_log_is_refused_before_any_file_is_written(
    kiosk_data, tmp_path
) -> None:
    data_dir, _music = kiosk_data
    (data_dir / "export-log.jsonl").mkdir()
    out = tmp_path / "out.csv"
    done = kiosk_cli(data_dir, "report", "--csv", str(out))
    assert done.returncode == 1 and "internal error" not in done.stderr
    assert "export-log.jsonl" in done.stderr and "folder" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "content", ["not hex at all\n", "abcd\n", "", "\x00\x00"], ids=["words", "short", "empty", "nul"]
)
def test_a_garbage_report_secret_is_a_clear_message_and_a_doctor_fail(kiosk_data, content) -> None:
    data_dir, _music = kiosk_data
    (data_dir / "report-secret").write_text(content)
    done = kiosk_cli(data_dir, "report", "--pseudonymise")
    assert done.returncode == 1 and "internal error" not in done.stderr, done.stderr
    assert "report-secret" in done.stderr and "backup" in done.stderr
    assert (data_dir / "report-secret").read_text() == content  # never replaced silently: codes would change
    _doctor_fails(data_dir, "report-secret")
