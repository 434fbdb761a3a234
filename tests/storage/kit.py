"""Shared set-up for the "nothing lost" tests: a small real library, fictional residents, and a way to run
the composed kiosk (:func:`kiosk.wiring.build_running_kiosk`) in a child process, optionally under a faked
clock.

Faked clocks (libfaketime, Debian package ``faketime``), the combination that works here (libfaketime 0.9.10):
``faketime -f OFFSET`` with ``FAKETIME_DONT_FAKE_MONOTONIC=1`` (libvlc and the engine then wait on real
monotonic time; without it the composed kiosk hangs), and NO ``time.sleep`` in the faked process: under that
setting Python's ``time.sleep`` fails with EINVAL (libfaketime shifts its absolute monotonic deadline) for
offsets such as +1500d and -2d, and hangs under ``@1970-01-01``. ``threading.Event.wait``, ``queue`` timeouts and
``select`` work, so the child waits with ``Event.wait``. Offsets are fixed at process start; a clock step
during a run goes through an injected :class:`kiosk.domain.ports.Clock` instead.

Known limit of that combination: libvlc's own timed waits are shifted the same way, so under a faked clock it
decodes at full speed; songs "end" after ~0.1 s, the engine counts them as failures and marks them suspect in
the catalogue. The events, the session and its rollup are still written (which is what these tests check);
:func:`run_kiosk` puts the catalogue's files back after a faked run so that the next run can play again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from tests.audiofiles import make_audio

REPO = Path(__file__).resolve().parents[2]

RESIDENTS_CSV = """id,first_name,preferred_name,birth_year,photo,consent
R-001,Margaret,Peggy,1938,photos/peggy.jpg,yes
R-002,Albert,Bert,1935,photos/bert.jpg,yes
R-003,Edith,,1941,,yes
"""


def make_library(music_dir: Path, count: int = 4, seconds: float = 3.0) -> Path:
    """``count`` short tagged MP3s (different years and pitches) in ``music_dir``."""
    for n in range(count):
        make_audio(
            music_dir / f"song-{n}.mp3",
            seconds=seconds,
            freq=330 + 55 * n,
            title=f"Test Song {n}",
            artist=f"Test Band {n % 2}",
            date=str(1950 + 3 * n),
        )
    return music_dir


def write_people(folder: Path, colour: str = "red", csv: str = RESIDENTS_CSV) -> Path:
    """A residents CSV with two photos (solid ``colour``) beside it; returns the CSV path."""
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for name in ("peggy", "bert"):
        Image.new("RGB", (120, 160), colour).save(folder / "photos" / f"{name}.jpg")
    path = folder / "residents.csv"
    path.write_text(csv, encoding="utf-8")
    return path


def prepare_data(data_dir: Path, tmp: Path) -> Path:
    """Scan a small library and import the fictional residents into ``data_dir``; returns the music folder."""
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.app.residents_import import import_file

    music = make_library(tmp / "music")
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_people(tmp / "people"), ResidentRecords(data))
    return music


def faketime_prefix(offset: str | None) -> list[str]:
    """The command prefix that runs a process under a fixed clock offset (see the module docstring)."""
    if not offset:
        return []
    exe = shutil.which("faketime")
    assert exe, "the faketime package is missing: run `make setup` (scripts/apt-packages.txt)"
    return [exe, "-f", offset]


def child_env(offset: str | None = None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), SDL_VIDEODRIVER="offscreen")
    if offset:
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    return env


def catalogue_files(data_dir: Path) -> list[Path]:
    """The files the catalogue lives in (shards, scan info; the single file of earlier versions)."""
    return sorted([*data_dir.glob("catalogue.json"), *(data_dir / "catalogue").glob("*.json")])


def run_kiosk(
    data_dir: Path,
    music_dir: Path,
    *,
    offset: str | None = None,
    sync: bool = False,
    pi: bool = False,
    play_s: float = 1.5,
    resident: str = "R-001",
    timeout_s: float = 90,
) -> dict[str, Any]:
    """Run the composed kiosk once (a session of ``play_s`` for ``resident``, ended by staff) and return what
    the child reports (clock basis, journal figures)."""
    cmd = [
        *faketime_prefix(offset),
        sys.executable, "-m", "tests.storage.kiosk_child", str(data_dir), str(music_dir),
        "--sync", "yes" if sync else "no", "--pi", "yes" if pi else "no",
        "--play-s", str(play_s), "--resident", resident,
    ]  # fmt: skip
    # the catalogue's files: catalogue/ shards (catalogue.json before the kiosk has migrated it)
    saved = {p: p.read_bytes() for p in catalogue_files(data_dir)} if offset else None
    done = subprocess.run(
        cmd, cwd=REPO, env=child_env(offset), capture_output=True, text=True, timeout=timeout_s
    )
    if saved is not None:  # libvlc under libfaketime marks every song suspect (see the module docstring)
        for path, raw in saved.items():
            path.write_bytes(raw)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def kiosk_cli(data_dir: Path, *args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """The real ``kiosk`` command over ``data_dir`` (no config file: defaults)."""
    env = child_env()
    env["KIOSK_CONFIG"] = str(data_dir.parent / "no-such-kiosk.toml")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout_s,
    )  # fmt: skip
