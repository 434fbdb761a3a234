"""A `kiosk restore` killed (SIGKILL, real child process) at seeded random moments never brings an erased
resident back: the backup's residents file and photos are filtered while they are staged, before anything is
swapped in, so no moment of the restore has her in the data folder."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import erased_ids
from kiosk.adapters.residents import ResidentsStore
from tests.cli.erasure_support import REPO, STAFF_ID, find_needles, kiosk_cli, seed

TRIES = 50
SEED = 1415
FILLER_DAYS = (
    150  # journal days: staged after the stores and photos, so a restore lasts long enough to be cut
)
# at many points after the residents file is staged (where an unfiltered copy of it would sit in the data folder)


def _restore(data_dir: Path, backup: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "restore", str(backup)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=str(REPO),
    )


@pytest.mark.timeout(400)  # many restores, each a child process: ~90 s alone, minutes on a loaded machine
def test_a_kill_at_any_moment_of_a_restore_never_brings_an_erased_resident_back(tmp_path, data_dir):
    seeded = seed(tmp_path, data_dir)
    rng = random.Random(SEED)
    (data_dir / "events").mkdir(exist_ok=True)
    start = date(2025, 1, 1)
    for i in range(FILLER_DAYS):
        lines = "".join(f'{{"v":1,"seq":{j},"pad":"{rng.randbytes(40).hex()}"}}\n' for j in range(200))
        (data_dir / "events" / f"{start + timedelta(days=i)}.jsonl").write_text(lines)
    older = tmp_path / "older"  # taken while she was still a resident
    assert kiosk_cli(data_dir, "backup", str(older)).returncode == 0
    assert kiosk_cli(data_dir, "residents", "remove", STAFF_ID, "--yes").returncode == 0
    pristine = tmp_path / "pristine"
    shutil.copytree(data_dir, pristine)

    # how long a whole restore takes here, start-up included: the kills fall across that span
    t0 = time.monotonic()
    assert _restore(data_dir, older).wait(timeout=120) == 0
    span_s = time.monotonic() - t0
    assert find_needles(data_dir, seeded.needles()) == []

    cut_mid_restore = 0
    for n in range(TRIES):
        folder = tmp_path / f"try-{n}"
        shutil.copytree(pristine, folder)
        proc = _restore(folder, older)
        delay = rng.uniform(0.3 * span_s, 1.05 * span_s)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        if list(folder.glob(".restore-*")):
            cut_mid_restore += 1  # killed while staging or swapping: the cases that matter most
        hits = find_needles(folder, seeded.needles())
        assert hits == [], f"try {n} (killed after {delay:.2f} s): {hits}"
        assert seeded.resident_id in erased_ids(DataFolder(folder))
        assert STAFF_ID not in [r.staff_id for r in ResidentsStore(DataFolder(folder)).all()]
        shutil.rmtree(folder)
    print(f"{TRIES} kills over a {span_s:.2f} s restore; {cut_mid_restore} cut it while staging or swapping")
    assert cut_mid_restore >= 3  # the seeded kills did reach the restore itself, not only the start-up
