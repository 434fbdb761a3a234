"""Two processes writing the same store at once (an import and the kiosk) lose no change: the lock works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.adapters.docstore import DataFolder

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from pathlib import Path
from kiosk.adapters.docstore import DataFolder

root, who, rounds, batch = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = DataFolder(root)
print("ready", flush=True)
sys.stdin.readline()  # both start together
for i in range(rounds):
    with data.write("residents") as db:
        counter = db.table("counter")
        doc = counter.get(doc_id=1)
        if doc is None:
            counter.insert({"n": 1})
        else:
            counter.update({"n": doc["n"] + 1}, doc_ids=[1])
        db.table("residents").insert_multiple(
            [{"who": who, "round": i, "row": r, "pad": "p" * 200} for r in range(batch)]
        )
print("done", flush=True)
"""


def test_two_writers_at_once_lose_no_change(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    root = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # "import": few transactions of many rows; "kiosk": many small ones.
    plan = {"import": (10, 50), "kiosk": (60, 1)}
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(root), who, str(rounds), str(batch)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who, (rounds, batch) in plan.items()
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0 and out.strip() == "done"

    db = DataFolder(root).read("residents")
    assert db.table("counter").get(doc_id=1)["n"] == sum(r for r, _ in plan.values())
    rows = db.table("residents").all()
    for who, (rounds, batch) in plan.items():
        mine = {(d["round"], d["row"]) for d in rows if d["who"] == who}
        assert mine == {(i, r) for i in range(rounds) for r in range(batch)}
    assert len(rows) == sum(r * b for r, b in plan.values())
