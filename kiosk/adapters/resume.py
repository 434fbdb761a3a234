"""The resume point: small JSON files in the data folder, replaced atomically, mode 0600.

The session engine saves at every song start, pause, resume and like, and every ``autosave_s`` (30 s) while
playing. To spare the SD card, what is written depends on what changed since the last save:

- anything but the position (a new song, a pause, a like, the plays so far): ``resume.json``, with fsync
  (:func:`kiosk.adapters.atomic.atomic_write_bytes`): a power cut never loses it;
- only the position moved: ``resume-position.json`` (a few bytes: session, song, position), renamed into place
  *without* fsync. A power cut may lose the last of these: the kiosk then resumes from an earlier position
  (up to a song's start), which is fine for a listener;
- nothing changed: nothing is written.

:meth:`ResumeFile.load` reads ``resume.json`` and takes the position from ``resume-position.json`` when that
belongs to the same session and song (a torn or stale one is ignored).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.adapters.atomic import FILE_MODE, atomic_write_bytes, fsync_dir

log = logging.getLogger(__name__)

RESUME_FILE = "resume.json"
POSITION_FILE = "resume-position.json"
POSITION_KEYS = ("saved_at", "position_ms", "song_listened_s")  # what moves while a song plays
_MATCH_KEYS = ("session_id", "song_at")  # a position belongs to this session's current song


def _song_key(state: Mapping[str, Any]) -> tuple[Any, ...]:
    song = state.get("song") if isinstance(state.get("song"), dict) else {}
    return (*(state.get(k) for k in _MATCH_KEYS), (song or {}).get("song_id"))


def _quick_replace(path: Path, raw: bytes) -> None:
    """Temp file + rename, no fsync: the old or the new content after a crash (a power cut may keep the old)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class ResumeFile:
    """Implements :class:`kiosk.domain.ports.ResumeStore`."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / RESUME_FILE
        self.position_path = Path(data_dir) / POSITION_FILE
        self.failing = False  # the last save failed (disk full, read-only): logged once, not every save
        self._durable: dict[str, Any] | None = None  # the last state written to resume.json
        self._last: dict[str, Any] | None = None  # the last state written anywhere
        self.writes = {"durable": 0, "position": 0, "skipped": 0}  # what the saves did (bench/wear.py)

    def save(self, state: Mapping[str, Any]) -> None:
        """Replace the resume point (see the module docstring for which file). A disk that refuses it costs
        only the resume point: one log line when saving starts failing and one when it works again."""
        state = dict(state)
        try:
            if self._unchanged(state):
                self.writes["skipped"] += 1
                return  # nothing changed: nothing written
            if self._durable is not None and self._strip(state) == self._strip(self._durable):
                position = {k: state.get(k) for k in (*_MATCH_KEYS, *POSITION_KEYS)}
                position["song_id"] = _song_key(state)[-1]
                _quick_replace(
                    self.position_path, json.dumps(position, separators=(",", ":")).encode("utf-8")
                )
                self.writes["position"] += 1
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                atomic_write_bytes(self.path, json.dumps(state, separators=(",", ":")).encode("utf-8"))
                self._durable = state
                self.writes["durable"] += 1
            self._last = state
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

    def _unchanged(self, state: dict[str, Any]) -> bool:
        last = self._last
        if last is None or self._strip(state) != self._strip(last):
            return False
        return all(state.get(k) == last.get(k) for k in POSITION_KEYS if k != "saved_at")

    @staticmethod
    def _strip(state: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in state.items() if k not in POSITION_KEYS}

    def load(self) -> dict[str, Any] | None:
        """The saved state with the newest position, or None (no file, or a damaged one: then the kiosk simply
        starts clean)."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            position = json.loads(self.position_path.read_bytes())
        except (OSError, ValueError):
            position = None
        if (
            isinstance(position, dict)
            and (*(position.get(k) for k in _MATCH_KEYS), position.get("song_id")) == _song_key(data)
            and str(position.get("saved_at", "")) > str(data.get("saved_at", ""))
        ):
            data.update({k: position[k] for k in POSITION_KEYS if k in position})
        return data

    def clear(self) -> None:
        self._durable = self._last = None
        for path in (self.position_path, self.path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                fsync_dir(path.parent)
