"""Shared set-up for the erasure tests: a data folder with two fictional residents (one of them about to be
erased), their photos, rotating store copies, rollups, a report cache and dashboard charts; a byte search."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.rollups import RollupStore
from tests.cli.residents_support import photo, write

REPO = Path(__file__).resolve().parents[2]
# Distinctive, fictional: a byte search for them finds nothing else by chance.
NAME = "Wilhelmina"
PREFERRED = "Quennell"
STAFF_ID = "WQ-7731"
OTHER = "Bartholomew"


@dataclass
class Seeded:
    resident_id: str
    other_id: str
    photo_bytes: bytes

    def needles(self) -> dict[str, bytes]:
        """What must not be found anywhere once the resident is erased."""
        return {
            "name": NAME.encode(),
            "preferred name": PREFERRED.encode(),
            "staff id": STAFF_ID.encode(),
            "photo": self.photo_bytes[len(self.photo_bytes) // 2 :][:64],  # her own pixels (noise)
        }


def noisy_photo(path: Path, seed: int) -> Path:
    """A JPEG of random pixels: its encoded bytes are found in no other file."""
    import random

    from PIL import Image

    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", (120, 100), rng.randbytes(120 * 100 * 3)).save(path, format="JPEG")
    return path


def kiosk_cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `kiosk` command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=str(REPO),
    )


def seed(tmp_path: Path, data_dir: Path) -> Seeded:
    """Import two residents with photos (through the real CLI), write a few more times so the rotating copies
    hold them, add their sessions, and make the report cache and the dashboard charts."""
    people = tmp_path / "people"
    noisy_photo(people / "photos" / "w.jpg", seed=7)
    photo(people / "photos" / "b.jpg", size=(90, 70))
    write(
        people / "residents.csv",
        "id,first_name,preferred_name,birth_year,photo,consent\n"
        f"{STAFF_ID},{NAME},{PREFERRED},1931,photos/w.jpg,yes\n"
        f"B-2,{OTHER},Bart,1929,photos/b.jpg,yes\n",
    )
    done = kiosk_cli(data_dir, "residents", "import", str(people / "residents.csv"))
    assert done.returncode == 0, done.stderr
    data = DataFolder(data_dir)
    store = ResidentsStore(data)
    erased = store.by_staff_id(STAFF_ID)
    other = store.by_staff_id("B-2")
    assert erased is not None and other is not None
    for song in (
        "Daisy Bell",
        "Oh Susanna",
        "Lili Marleen",
    ):  # three more writes: every rotating copy has her
        store.add_avoid_song(erased.resident_id, song)
    rollups = RollupStore(data)
    for i, rid in enumerate((erased.resident_id, other.resident_id)):
        rollups.add(
            {
                "session_id": f"s{i}",
                "started_at": "2026-06-01T10:00:00+00:00",
                "ended_at": "2026-06-01T10:20:00+00:00",
                "resident_ids": [rid],
                "clock_ok": True,
                "listened_s": 1200,
                "plays": [{"song_id": "x", "title": "Daisy Bell", "artist": "Anon", "outcome": "completed"}],
            }
        )
    report = kiosk_cli(
        data_dir, "report", "--from", "2026-06-01", "--to", "2026-06-02", "--csv", str(tmp_path / "r.csv")
    )
    assert report.returncode == 0, report.stderr
    assert (data_dir / "report-cache").is_dir()
    from kiosk.adapters.dashboard_charts import DashboardFiles
    from kiosk.app.dashboard import render_dashboard

    charts = render_dashboard(
        DashboardFiles(data_dir), "7d", data_dir / "dashboard" / "run-1", erased.resident_id, date(2026, 6, 2)
    )
    assert charts
    stored = (data_dir / "photos" / f"{erased.resident_id}.jpg").read_bytes()
    return Seeded(erased.resident_id, other.resident_id, stored)


def files_under(root: Path) -> list[Path]:
    """Every regular file below ``root``, hidden ones included."""
    out = []
    for folder, _dirs, files in os.walk(root):
        out += [Path(folder) / f for f in files if (Path(folder) / f).is_file()]
    return out


def find_needles(root: Path, needles: dict[str, bytes]) -> list[str]:
    """``"<file>: <what>"`` for every needle found in any file below ``root``."""
    hits = []
    for path in files_under(root):
        raw = path.read_bytes()
        hits += [f"{path}: {what}" for what, needle in needles.items() if needle in raw]
    return hits
