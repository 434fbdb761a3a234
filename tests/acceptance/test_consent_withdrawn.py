"""Journey 5: consent is set to "no" during a resident's session, by a CSV import run from another process
(the care home's office): nothing more is journaled about her, and the session's rollup does not carry her."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.acceptance import disk
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_staff

Start = Callable[..., KioskProcess]
REPO = Path(__file__).resolve().parents[2]


def names(event: dict, rid: str) -> bool:
    return event.get("resident") == rid or rid in (event.get("detail") or {}).get("residents", [])


def test_consent_withdrawn_by_an_import_from_another_process_mid_session(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    from kiosk.demo.setup import write_demo_residents

    edie = disk.resident_id(prepared_data, "D-01")
    csv = write_demo_residents(tmp_path / "office")
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines = [
        ln.replace(",yes,2026-01-12,", ",no,2026-01-12,") if ln.startswith("D-01,") else ln for ln in lines
    ]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    kiosk = start_kiosk(prepared_data, config=journey_config)
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    kiosk.touch("I like this")
    assert disk.wait_until(lambda: disk.events(prepared_data, "like"))
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(prepared_data), "residents", "import", str(csv)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert disk.wait_until(lambda: disk.events(prepared_data, "consent_withdrawn"), timeout_s=5)
    kiosk.touch("Another song")
    kiosk.pause(0.8)
    open_staff(kiosk)
    kiosk.touch("Stop session")
    kiosk.pause(0.5)
    assert kiosk.stop() == 0

    got = disk.events(prepared_data)
    session = next(e["session"] for e in got if e["type"] == "session_start")
    assert [e["type"] for e in got[:3]] == ["session_start", "song_start", "like"]  # earlier events stay
    last = max(i for i, e in enumerate(got) if names(e, edie))
    assert got[last]["type"] == "consent_withdrawn" and got[last]["session"] == session
    assert not [e for e in got[last + 1 :] if e["session"] == session]  # nothing more about her session
    assert not [
        r for r in disk.rollups(prepared_data) if edie in r["resident_ids"] or r["session_id"] == session
    ]
    rebuilt = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(prepared_data), "report", "--rebuild"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert not [
        r for r in disk.rollups(prepared_data) if edie in r["resident_ids"] or r["session_id"] == session
    ]
