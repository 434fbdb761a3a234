"""``kiosk run``'s background beat analysis (BeatAnalyser): the work happens in a child process at the lowest
CPU priority, one run at a time (a request meanwhile means one more run), and close() ends it at once."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kiosk.adapters.beat_worker import BeatAnalyser
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from tests.adapters.test_play_along_adapters import metronome, write_wav

pytest.importorskip("aubio")


def library(music: Path, tempos: tuple[int, ...], seconds: float = 12) -> None:
    music.mkdir(parents=True, exist_ok=True)
    for bpm in tempos:
        x, _ = metronome(bpm, seconds=seconds)
        write_wav(music / f"beat-{bpm}.wav", x)


def disk_wait(what, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if what():
                return True
        except ProcessLookupError:
            return False
        time.sleep(0.005)
    return False


def wait_for_child(analyser: BeatAnalyser, timeout_s: float = 10.0) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        child = analyser._child
        if child is not None:
            return child.pid
        time.sleep(0.005)
    raise AssertionError("no analysis process started")


def test_songs_get_grids_in_a_low_priority_child_and_a_request_meanwhile_runs_once_more(
    tmp_path: Path,
) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music, (80, 100))
    scan_library(DataFolder(data_dir), music)
    running = TinyCatalogue(DataFolder(data_dir))
    assert not any(s.has_beat_grid for s in running.songs())
    reports = []
    analyser = BeatAnalyser(data_dir, lambda: music, on_done=reports.append)
    try:
        analyser.request()
        pid = wait_for_child(analyser)
        assert pid != os.getpid()
        low = disk_wait(
            lambda: os.getpriority(os.PRIO_PROCESS, pid) == 19 and os.sched_getscheduler(pid) == 5
        )
        assert low, "the analysis process is not at nice 19 in the idle class"  # 5: SCHED_IDLE
        assert os.getpriority(os.PRIO_PROCESS, 0) == 0  # the kiosk itself is left as it was
        library(music, (140,))  # a staff rescan finds a new song while the first run goes on
        scan_library(DataFolder(data_dir), music)
        analyser.request()
        analyser.request()  # twice: still one more run, not two
        assert analyser.wait_idle(120)
    finally:
        analyser.close()
    assert analyser.runs == 2
    assert sum(r.analysed for r in reports) == 3  # each song once
    tempos = sorted(round(s.beat_tempo_bpm or 0) for s in running.songs() if s.has_beat_grid)
    assert tempos == [80, 100, 140]  # served by the catalogue that was open all along


def test_close_ends_the_analysis_at_once_and_a_later_run_finishes_it(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music, (70, 90, 110, 130, 150))
    scan_library(DataFolder(data_dir), music)
    analyser = BeatAnalyser(data_dir, lambda: music)
    analyser.request()
    pid = wait_for_child(analyser)
    analyser.close()
    assert analyser.wait_idle(1.0)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # no analysis process left behind
    analyser.request()  # after close: ignored
    assert analyser._child is None and analyser.runs == 0

    again = BeatAnalyser(data_dir, lambda: music)  # the next start
    again.request()
    assert again.wait_idle(120)
    songs = TinyCatalogue(DataFolder(data_dir)).songs()
    assert sum(1 for s in songs if s.has_beat_grid) == 5


KIOSK_LIKE = """
import sys, time
from pathlib import Path
from kiosk.adapters.beat_worker import BeatAnalyser
analyser = BeatAnalyser(Path(sys.argv[1]), lambda: Path(sys.argv[2]))
analyser.request()
while analyser._child is None:
    time.sleep(0.005)
print(analyser._child.pid, flush=True)
time.sleep(60)
"""


def test_a_crashed_kiosk_leaves_no_analysis_running(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music, (70, 90, 110, 130, 150, 75, 95, 115), seconds=90)  # many seconds of work
    scan_library(DataFolder(data_dir), music)
    kiosk = subprocess.Popen(
        [sys.executable, "-c", KIOSK_LIKE, str(data_dir), str(music)], stdout=subprocess.PIPE
    )
    try:
        assert kiosk.stdout is not None
        child = int(kiosk.stdout.readline())
        time.sleep(0.5)  # the child has set its death signal (it runs its imports meanwhile)
        kiosk.send_signal(signal.SIGKILL)  # the watchdog, or a crash
        kiosk.wait(10)
        assert disk_wait(lambda: not _alive(child), timeout_s=2), "the analysis outlived the kiosk"
        summaries = data_dir / "beat-summaries.json"
        assert not summaries.exists() or len(json.loads(summaries.read_bytes())["beats"]) < 8  # cut short
    finally:
        kiosk.kill()
        kiosk.wait(10)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"  # a zombie is gone in all but name
    except FileNotFoundError:
        return False
