"""Play along's beat analysis inside ``kiosk run``: one background thread, at the lowest CPU priority.

Songs scanned by the staff screen's "Rescan music", or present from before an upgrade, have no beat grid until
they are analysed. :class:`BeatAnalyser` runs :func:`kiosk.adapters.beat_store.analyse_library` on a daemon
thread after the first screen shows and after each staff rescan: one run at a time (a request while one runs
means one more run after it), never on the UI thread. The thread asks the kernel for the idle class and nice
19 (on Linux both belong to the thread, and the decoder processes it starts inherit them), so the music, the
screen and the buttons always go first. The catalogue serves each new grid at its next read (it follows the
``beat-summaries`` store's stamp), so the Play along tile appears without a restart. :meth:`close` asks the
run to stop between songs and waits a moment; a song's analysis in progress is simply abandoned (every store
write is atomic).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.adapters.beat_store import AnalysisReport, analyse_library
from kiosk.adapters.docstore import DataFolder

log = logging.getLogger(__name__)

PAUSE_BETWEEN_SONGS_S = 0.2  # a breath between songs: the UI thread gets the interpreter lock back


def lowest_priority() -> None:
    """This thread (and what it starts) runs only when nothing else wants the CPU (Linux: per thread)."""
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
        self.runs = 0  # finished runs (tests, the log)
        self._lock = threading.Lock()
        self._again = False
        self._running = False
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

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
        lowest_priority()
        while True:
            with self._lock:
                if not self._again or self._stop.is_set():
                    self._running = False
                    self._idle.set()
                    return
                self._again = False
            try:
                report = analyse_library(
                    DataFolder(self.data_dir),  # this thread's own (one thread owns each store object)
                    self.music_dir(),
                    progress=self._breathe,
                    should_stop=self._stop.is_set,
                    batch=10,  # grids reach the catalogue every few songs, not only at the end
                )
            except Exception:  # a library or store problem: the kiosk plays on; the next request tries again
                log.warning("beats: background analysis failed", exc_info=True)
                continue
            self.runs += 1
            if report.analysed:
                log.info("beats: %d songs analysed, %d with a steady beat", report.analysed, report.usable)
            if self.on_done is not None:
                with contextlib.suppress(Exception):
                    self.on_done(report)

    def _breathe(self, _done: int, _total: int) -> None:
        self._stop.wait(PAUSE_BETWEEN_SONGS_S)

    def wait_idle(self, timeout_s: float) -> bool:
        """Whether no run is going on (within ``timeout_s``)."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop between songs; wait up to ``timeout_s`` (a daemon thread never holds the process open)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
