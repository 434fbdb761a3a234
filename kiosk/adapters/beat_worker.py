"""Play along's beat analysis inside ``kiosk run``: one background thread, the work in a low-priority child.

Songs scanned by the staff screen's "Rescan library", or present from before an upgrade, have no beat grid
until they are analysed. :class:`BeatAnalyser` runs :func:`kiosk.adapters.beat_store.analyse_library` after
the first screen shows and after each staff rescan: one run at a time (a request while one runs means one
more run after it), never on the UI thread. A daemon thread only starts and watches
``python -m kiosk.adapters.beat_worker DATA MUSIC``: a child process that puts itself (and its decoders) in
the idle CPU class at nice 19, so the music, the screen and the buttons always go first, and, being another
process, never holds the UI's interpreter lock (a low-priority thread holding it stalls the screen whenever
the kernel leaves it waiting: ``bench/play_along.py`` measures the frames). With nothing pending the child
finds so and ends (about 0.2 s of CPU at that priority). The catalogue serves each new grid
at its next read (it follows the ``beat-summaries`` store's stamp), so the Play along tile appears without a
restart. :meth:`close` ends the child (every store write is atomic: a song in progress is simply analysed
again next time) and waits a moment for the thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from kiosk.adapters.beat_store import AnalysisReport, analyse_library
from kiosk.adapters.docstore import DataFolder

log = logging.getLogger(__name__)

# the kiosk's own channels, never the child's: systemd's notify socket and watchdog, the tests' hooks
_NOT_INHERITED = (
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "ENCORE_JOURNEY_FD",
    "KIOSK_TEST_AUDIO_CAPTURE",
)


def lowest_priority() -> None:
    """This thread (the child's only one) and what it starts run only when nothing else wants the CPU."""
    tid = threading.get_native_id()
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, tid, 19)


class BeatAnalyser:
    """Background beat analysis of songs without a grid: :meth:`request` after start-up and after a rescan."""

    def __init__(
        self,
        data_dir: Path,
        music_dir: Callable[[], Path],
        *,
        on_done: Callable[[AnalysisReport], None] | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.music_dir = music_dir
        self.on_done = on_done
        self.runs = 0  # runs that finished (not stopped, not failed)
        self._lock = threading.Lock()
        self._again = False
        self._running = False
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._child: subprocess.Popen[bytes] | None = None

    def request(self) -> None:
        """Analyse what is pending, soon, on the background thread (thread-safe, returns at once)."""
        with self._lock:
            if self._stop.is_set():
                return
            self._again = True
            if self._running:
                return  # the running thread does one more run when it finishes this one
            self._running = True
            self._idle.clear()
            self._thread = threading.Thread(target=self._work, name="beat-analysis", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._again or self._stop.is_set():
                    self._running = False
                    self._idle.set()
                    return
                self._again = False
            try:
                report = self._run_child()
            except Exception:  # a library or store problem: the kiosk plays on; the next request tries again
                log.warning("beats: background analysis failed", exc_info=True)
                continue
            if report is None:
                continue
            self.runs += 1
            if report.analysed:
                log.info("beats: %d songs analysed, %d with a steady beat", report.analysed, report.usable)
            if self.on_done is not None:
                with contextlib.suppress(Exception):
                    self.on_done(report)

    def _run_child(self) -> AnalysisReport | None:
        """One run in a child process; None when it was stopped or failed."""
        env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        cmd = [*_low_priority_prefix(), sys.executable, "-m", "kiosk.adapters.beat_worker", str(self.data_dir),
               str(self.music_dir()), str(os.getpid())]  # fmt: skip
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        with self._lock:
            self._child = proc
        try:
            while True:
                try:
                    out, err = proc.communicate(timeout=0.5)  # reads both pipes: neither fills up
                    break
                except subprocess.TimeoutExpired:
                    if self._stop.is_set():
                        _end(proc)
                        return None
        finally:
            with self._lock:
                self._child = None
        if self._stop.is_set():
            return None  # ended by close(): not a failure
        if proc.returncode != 0:
            log.warning("beats: analysis process ended with %s: %s", proc.returncode, err.decode()[-300:])
            return None
        return AnalysisReport(**json.loads(out.decode().strip().splitlines()[-1]))

    def wait_idle(self, timeout_s: float) -> bool:
        """Whether no run is going on (within ``timeout_s``)."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 2.0) -> None:
        """End the analysis (its child process too); wait up to ``timeout_s`` for the thread."""
        self._stop.set()
        with self._lock:
            child = self._child
        if child is not None:
            _end(child)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)


def _low_priority_prefix() -> list[str]:
    """``nice -n 19 chrt --idle 0``: the child starts at the lowest priority, before its imports."""
    prefix = []
    if shutil.which("nice"):
        prefix += ["nice", "-n", "19"]
    if shutil.which("chrt"):
        prefix += ["chrt", "--idle", "0"]
    return prefix


def _end(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after a second (the analysis writes only atomically)."""
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(1.0)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(1.0)


def _die_with(parent_pid: int) -> None:
    """SIGTERM to this process when the kiosk dies (a crash, SIGKILL): no orphan analyses on beside the next
    kiosk. Linux only; elsewhere the orphan simply finishes its (atomic) work."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # it died before that took effect
        sys.exit(0)


def main(argv: list[str]) -> int:
    """The child: analyse what is pending in DATA (music in MUSIC), print the report as one JSON line."""
    data_dir, music_dir = Path(argv[0]), Path(argv[1])
    if len(argv) > 2:
        _die_with(int(argv[2]))
    lowest_priority()  # this process and the decoders it starts (again, when nice or chrt was missing)
    report = analyse_library(DataFolder(data_dir), music_dir, batch=10)  # grids land every few songs
    print(json.dumps(asdict(report)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
