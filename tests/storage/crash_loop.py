"""The crash loop: seeded SIGKILLs over the composed kiosk (:func:`kiosk.wiring.build_running_kiosk`) writing
into a real data folder, with real ``kiosk residents import`` and ``kiosk backup`` commands running meanwhile.

Used by tests/storage/test_crash_loop.py (a short seeded run in ``make test``) and bench/crashloop.py (>= 200
kills, figures). After every kill it checks what a kill may cost: nothing. Figures: kills, corrupt stores,
acknowledged events lost, duplicate seq numbers, unclosed sessions (a start with no end: neither resumed nor
closed with end reason ``shutdown`` at the next start), failed backups and imports.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.storage.kit import REPO, child_env, prepare_data, write_people


@dataclass
class Figures:
    kills: int = 0
    acknowledged: int = 0  # the highest seq the killed kiosks acknowledged
    corrupt: int = 0
    lost: int = 0
    duplicates: int = 0
    sessions: int = 0
    unclosed: int = 0
    closed_shutdown: int = 0
    resumed: int = 0
    backups: int = 0
    failed_backups: int = 0
    imports: int = 0
    failed_imports: int = 0
    problems: list[str] = field(default_factory=list)
    damaged: set[str] = field(default_factory=set)  # damaged copies and unreadable stores seen, each once

    def line(self) -> str:
        return (
            f"kills {self.kills}, corrupt {self.corrupt}, lost {self.lost}, duplicate seq {self.duplicates}, "
            f"unclosed {self.unclosed} of {self.sessions} sessions ({self.resumed} resumed, "
            f"{self.closed_shutdown} closed 'shutdown'), failed backups {self.failed_backups} of {self.backups}, "
            f"failed imports {self.failed_imports} of {self.imports}"
        )


def _cli(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = child_env()
    env["KIOSK_CONFIG"] = str(data_dir.parent / "no-such-kiosk.toml")
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _events(data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((data_dir / "events").glob("*.jsonl")):
        for raw in path.read_bytes().split(b"\n"):
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if isinstance(event, dict):
                out.append(event)
    return out


def _check_stores(data_dir: Path, figures: Figures) -> None:
    from kiosk.adapters.docstore import DamagedStore, is_store, load_store_file

    damaged = sorted(p.name for p in data_dir.glob("*.damaged-*"))
    for path in sorted(data_dir.glob("*.json")):
        if is_store(path.stem):
            try:
                load_store_file(path)
            except DamagedStore as exc:
                damaged.append(f"{path.name} ({exc.reason})")
    new = set(damaged) - figures.damaged
    if new:
        figures.damaged |= new
        figures.corrupt = len(figures.damaged)
        figures.problems.append(f"damaged: {sorted(new)}")


def run_crash_loop(work: Path, kills: int, seed: int, say: Any = print) -> Figures:
    """``kills`` seeded SIGKILLs of the kiosk in ``work/data``; returns the figures."""
    rng = random.Random(seed)
    data_dir = work / "data"
    data_dir.mkdir(parents=True, mode=0o700)
    music = prepare_data(data_dir, work)
    people = [write_people(work / f"people-{c}", colour=c) for c in ("green", "blue")]
    figures = Figures()
    acked_max = 0
    for n in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.storage.kiosk_child", str(data_dir), str(music), "--sync", "yes",
             "--pi", "yes", "--loop", str(seed * 1000 + n)],
            cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        acks: list[int] = []
        ready = threading.Event()

        def read(out: Any = child.stdout, acks: list[int] = acks, ready: threading.Event = ready) -> None:
            for line in out:
                if line.startswith("READY"):
                    ready.set()
                elif line.startswith("ACK"):
                    acks.append(int(line.split()[1]))
            ready.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        ready.wait(60)
        others = []
        if rng.random() < 0.5:
            others.append(("import", _cli(data_dir, "residents", "import", str(people[n % 2]))))
        if rng.random() < 0.5:
            others.append(("backup", _cli(data_dir, "backup", str(work / "backups" / f"b{n:04d}"))))
        threading.Event().wait(rng.uniform(0.05, 2.0))  # the moment itself
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        reader.join(10)
        stderr = child.stderr.read() if child.stderr else ""
        if child.returncode != -signal.SIGKILL:
            figures.problems.append(
                f"kill {n}: the kiosk exited {child.returncode} before the kill: {stderr[-800:]}"
            )
        figures.kills += 1
        for kind, proc in others:
            out, err = proc.communicate(timeout=120)
            if kind == "backup":
                figures.backups += 1
                if proc.returncode != 0:
                    figures.failed_backups += 1
                    figures.problems.append(f"kill {n}: backup failed: {err.strip()[-300:]}")
            else:
                figures.imports += 1
                if proc.returncode != 0:
                    figures.failed_imports += 1
                    figures.problems.append(f"kill {n}: import failed: {err.strip()[-300:]}")
        acked_max = max([acked_max, *acks])
        seqs = [e["seq"] for e in _events(data_dir) if isinstance(e.get("seq"), int)]
        have = set(seqs)
        figures.lost = sum(1 for s in range(1, acked_max + 1) if s not in have)
        figures.duplicates = sum(c - 1 for c in Counter(seqs).values() if c > 1)
        _check_stores(data_dir, figures)
        if n % 20 == 19:
            say(f"  after {n + 1} kills: {figures.line()}")
    # one clean start and stop settles the last cut-off session
    from tests.storage.kit import run_kiosk

    run_kiosk(data_dir, music, sync=True, pi=True, play_s=0.5)
    figures.acknowledged = acked_max
    events = _events(data_dir)
    starts = {e["session"] for e in events if e["type"] == "session_start"}
    ends = {e["session"]: e for e in events if e["type"] == "session_end"}
    figures.sessions = len(starts)
    figures.unclosed = len(starts - set(ends))
    figures.closed_shutdown = sum(
        1 for e in ends.values() if (e.get("detail") or {}).get("reason") == "shutdown"
    )
    figures.resumed = len(
        {
            e["session"]
            for e in events
            if e["type"] == "session_start" and (e.get("detail") or {}).get("resumed")
        }
    )
    _check_stores(data_dir, figures)
    return figures
