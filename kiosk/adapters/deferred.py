"""Store writes the UI thread hands off, so it never waits for the data folder's lock.

The kiosk's main loop (Kivy's UI thread) flags a song that would not play and keeps a song to review after a
distress stop. Both are locked read-modify-writes of a store, and the lock can be held for seconds by another
process (``kiosk backup`` copying photos, an import): a wait on the UI thread would freeze the screen and trip
the systemd watchdog. :class:`DeferredWriter` runs such writes, in order, on one thread of its own; reads that
must see them call :meth:`flush` (off the UI thread). A write still queued when the process is killed is lost:
each is a hint the kiosk re-learns (the song fails again; the review is kept by the engine until staff decide).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class DeferredWriter:
    """One thread that runs queued store writes in order."""

    def __init__(self, name: str = "store-writer"):
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                fn, args = item
                try:
                    fn(*args)
                except Exception:
                    log.warning("a deferred store write failed", exc_info=True)
            finally:
                self._queue.task_done()

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the writer thread (returns at once)."""
        if not self._thread.is_alive():
            fn(*args)  # closed: write in the caller's thread
            return
        self._queue.put((fn, args))

    def flush(self) -> None:
        """Wait until every queued write is done (never call it on the UI thread)."""
        if self._thread.is_alive():
            self._queue.join()

    def close(self, timeout_s: float = 60.0) -> None:
        """Finish the queued writes and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=timeout_s)
