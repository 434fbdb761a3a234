"""The resume point: one small JSON file in the data folder, replaced atomically, mode 0600.

Written by the session engine at every song start, pause and resume, and every few seconds while playing, so a
crash, ``kill -9`` or power cut loses at most those few seconds of position.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import atomic_write_bytes, fsync_dir

log = logging.getLogger(__name__)

RESUME_FILE = "resume.json"


class ResumeFile:
    """Implements :class:`kiosk.domain.ports.ResumeStore`."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / RESUME_FILE
        self.failing = False  # the last save failed (disk full, read-only): logged once, not every save

    def save(self, state: Mapping[str, Any]) -> None:
        """Replace the resume point. A disk that refuses it costs only the resume point: one log line when
        saving starts failing and one when it works again, never a traceback every few seconds."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write_bytes(self.path, json.dumps(dict(state), separators=(",", ":")).encode("utf-8"))
        except OSError as exc:
            if not self.failing:
                self.failing = True
                log.warning(
                    "resume: cannot save the resume point (%s); will keep trying", exc.strerror or exc
                )
            return
        if self.failing:
            self.failing = False
            log.warning("resume: saving the resume point again")

    def load(self) -> dict[str, Any] | None:
        """The saved state, or None (no file, or a damaged one: then the kiosk simply starts clean)."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
            fsync_dir(self.path.parent)
