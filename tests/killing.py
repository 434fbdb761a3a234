"""Attacks for the kill-safety tests: start a child process and SIGKILL it at a seeded moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_and_kill(code: str, *args: str, rng: random.Random, within_s: tuple[float, float]) -> bool:
    """Run ``python -c code args`` (this checkout importable) and SIGKILL it after a seeded delay in
    ``within_s``; True when the kill landed before the child finished by itself."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL)
    time.sleep(rng.uniform(*within_s))
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    child.wait(30)
    return killed


def child_seconds(code: str, *args: str) -> float:
    """How long ``python -c code args`` takes when nobody kills it (to aim the kills inside that time)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL, check=True)
    return time.monotonic() - start
