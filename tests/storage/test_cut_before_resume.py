"""A kill in the window between a session's start being journaled and its first resume save (the crash loop's
unclosed session, issue 14): the next start knows the session only from the journal, and must still close it
with end reason ``shutdown`` (journal ``session_end`` + one rollup), never leave it open (issue 13, journey 2).

Real composed kiosk in a child process, real data folder, real SIGKILL; the child says when it is in the
window (after ``session_start``, before any pump), so no sleeps."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.acceptance import disk
from tests.storage.kit import REPO, child_env, prepare_data, run_kiosk


def _events(data_dir: Path, type_: str) -> list[dict[str, Any]]:
    out = []
    for path in sorted((data_dir / "events").glob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            event = json.loads(raw)
            if event["type"] == type_:
                out.append(event)
    return out


def _kill_in_the_window(data_dir: Path, music: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.kiosk_child", str(data_dir), str(music), "--sync", "yes",
         "--pi", "yes", "--hold-after-start"],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child is in the window (or has died)
        assert line.strip() == "STARTED", (child.stderr.read() if child.stderr else "")[-3000:]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL


def test_a_kill_before_the_first_resume_save_is_closed_as_shutdown_at_the_next_start(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    music = prepare_data(data_dir, tmp_path)
    _kill_in_the_window(data_dir, music)
    (cut,) = _events(data_dir, "session_start")
    assert not (data_dir / "resume.json").exists()  # really the window: no resume point names the session
    assert _events(data_dir, "session_end") == []

    out = run_kiosk(data_dir, music, sync=True, pi=True, play_s=0.5)  # trusted clock: resuming is allowed

    assert out["resumed"] is False  # nothing to resume from: the cut-off session is closed instead
    ends = {e["session"]: e for e in _events(data_dir, "session_end")}
    assert ends[cut["session"]]["detail"]["reason"] == "shutdown"
    starts = [e["session"] for e in _events(data_dir, "session_start")]
    assert starts.count(cut["session"]) == 1  # never both: it did not continue as well
    assert set(starts) == set(ends)  # and the clean run's own session was closed too
    # the song cut off with it ends in the books too, once
    cut_songs = [e for e in _events(data_dir, "song_end") if e["session"] == cut["session"]]
    assert [e["detail"]["outcome"] for e in cut_songs] == ["stopped"]
    books = [r for r in disk.rollups(data_dir) if r["session_id"] == cut["session"]]
    assert len(books) == 1 and books[0]["end_reason"] == "shutdown"
    assert books[0]["resident_ids"] == cut["detail"]["residents"]
    assert books[0]["songs_started"] == 1

    run_kiosk(data_dir, music, sync=True, pi=True, play_s=0.5)  # a further start closes nothing twice
    ends_now = [e["session"] for e in _events(data_dir, "session_end")]
    assert ends_now.count(cut["session"]) == 1
    assert len([r for r in disk.rollups(data_dir) if r["session_id"] == cut["session"]]) == 1
