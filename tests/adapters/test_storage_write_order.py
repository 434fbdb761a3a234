"""The write order of a store write, proven by failing at each step: the file is the old or the new version.

SIGKILL keeps the page cache, so the crash test alone cannot show the order is right. Here each step
(the temp file's fsync, the rename, the folder's fsync, the backup after it) raises, or the process exits there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.adapters import atomic
from kiosk.adapters.docstore import DataFolder

REPO = Path(__file__).resolve().parents[2]
OLD = [{"v": "old", "pad": "o" * 3000}]
NEW = [{"v": "new", "pad": "n" * 5000}, {"v": "new2"}]


def _seed(root: Path) -> DataFolder:
    data = DataFolder(root)
    with data.write("residents") as db:
        db.table("r").insert_multiple(OLD)
    return data


def _content(root: Path) -> list[dict]:
    doc = json.loads((root / "residents.json").read_bytes())
    return sorted(doc["r"].values(), key=lambda d: d["v"])


def _write_new(data: DataFolder) -> None:
    with data.write("residents") as db:
        db.table("r").truncate()
        db.table("r").insert_multiple(NEW)


def test_the_steps_happen_in_the_safe_order(data_dir, monkeypatch):
    data = _seed(data_dir)
    trace: list[str] = []
    real_fsync, real_replace, real_fsync_dir = os.fsync, os.replace, atomic.fsync_dir

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        trace.append(f"fsync {Path(target).name}")
        real_fsync(fd)

    def replace(src, dst):
        trace.append(f"replace {Path(src).name} -> {Path(dst).name}")
        real_replace(src, dst)

    def fsync_dir(folder):
        trace.append(f"fsync_dir {Path(folder).name}")
        real_fsync_dir(folder)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(atomic, "fsync_dir", fsync_dir)
    _write_new(data)
    tmp = f".residents.json.{os.getpid()}.tmp"
    assert trace[:4] == [f"fsync {tmp}", f"replace {tmp} -> residents.json", "fsync_dir data", "fsync data"]
    # then the backup rotation (renames only, no fsync: a torn backup is skipped at recovery)
    assert trace[-1].endswith("-> residents.json.1")
    assert _content(data_dir) == sorted(NEW, key=lambda d: d["v"])


@pytest.mark.parametrize("step", ["fsync", "replace", "fsync_dir"])
def test_a_failing_step_leaves_old_or_new_never_a_mix(data_dir, monkeypatch, step):
    data = _seed(data_dir)

    def boom(*_args, **_kwargs):
        raise OSError(5, "Input/output error")

    if step == "fsync_dir":
        monkeypatch.setattr(atomic, "fsync_dir", boom)
    else:
        monkeypatch.setattr(os, step, boom)
    with pytest.raises(OSError):
        _write_new(data)
    monkeypatch.undo()
    expected = NEW if step == "fsync_dir" else OLD  # the folder fsync comes after the rename
    assert _content(data_dir) == sorted(expected, key=lambda d: d["v"])
    assert sorted(d["v"] for d in data.read("residents").table("r").all()) == sorted(d["v"] for d in expected)
    assert not list(data_dir.glob(".residents.json.*.tmp"))  # the temp file is cleaned up
    _write_new(data)  # and the next write works
    assert _content(data_dir) == sorted(NEW, key=lambda d: d["v"])


CHILD = r"""
import os, sys
from pathlib import Path
from kiosk.adapters.docstore import DataFolder

func, nth = sys.argv[2], int(sys.argv[3])
calls = {"fsync": 0, "replace": 0}
real = {"fsync": os.fsync, "replace": os.replace}

def make(name):
    def wrapped(*args):
        calls[name] += 1
        if calls[name] == nth:
            os._exit(7)  # the process dies right here, before the call
        return real[name](*args)
    return wrapped

os.fsync, os.replace = make("fsync"), make("replace")
data = DataFolder(Path(sys.argv[1]))
with data.write("residents") as db:
    db.table("r").truncate()
    db.table("r").insert_multiple([{"v": "new", "pad": "n" * 5000}, {"v": "new2"}])
os._exit(0)
"""

# (function, nth call): before the temp fsync, before the rename, before the folder fsync, in the backup rotation
EXIT_POINTS = [("fsync", 1), ("replace", 1), ("fsync", 2), ("replace", 2), ("replace", 4), ("none", 0)]


@pytest.mark.parametrize(("func", "nth"), EXIT_POINTS)
def test_process_exiting_at_each_step_leaves_old_or_new(tmp_path, func, nth):
    root = tmp_path / "data"
    _seed(root)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    rc = subprocess.run(
        [sys.executable, str(script), str(root), func, str(nth)], env=env, timeout=60
    ).returncode
    assert rc == (0 if func == "none" else 7)
    renamed = (func, nth) not in {("fsync", 1), ("replace", 1)}
    expected = NEW if renamed else OLD
    assert _content(root) == sorted(expected, key=lambda d: d["v"])
    data = DataFolder(root)
    assert len(data.read("residents").table("r").all()) == len(expected)
    _write_new(data)  # a later writer sweeps the dead one's temp file and writes normally
    assert not list(root.glob(".residents.json.*.tmp"))
    assert _content(root) == sorted(NEW, key=lambda d: d["v"])
