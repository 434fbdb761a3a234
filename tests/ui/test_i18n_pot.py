"""The gettext template is current: every string the touch UI translates is in ``encore.pot`` (run
``make i18n-extract`` after adding or changing one)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POT = REPO / "kiosk" / "ui" / "locale" / "encore.pot"


def msgids(pot_text: str) -> set[str]:
    """The msgids of a .pot file (continuation lines joined)."""
    ids, current = set(), None
    for line in pot_text.splitlines():
        if line.startswith("msgid "):
            current = [line[6:]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            ids.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', " ".join(current))))
            current = None
    return ids - {""}


def test_the_pot_template_holds_every_translated_string(tmp_path: Path) -> None:
    if not shutil.which("xgettext"):
        pytest.skip("gettext (xgettext) not installed: scripts/apt-packages.txt")
    fresh = tmp_path / "fresh.pot"
    ui = REPO / "kiosk" / "ui"
    sources = sorted([*ui.glob("*.py"), *ui.glob("screens/*.py"), *ui.glob("*.kv"), *ui.glob("screens/*.kv")])
    done = subprocess.run(  # the Makefile's i18n-extract, into a temporary file (no .po file is touched)
        ["xgettext", "--language=Python", "--keyword=_", "--keyword=N_", "--keyword=ngettext:1,2",
         "--from-code=UTF-8", "-o", str(fresh), *map(str, sources)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    missing = msgids(fresh.read_text(encoding="utf-8")) - msgids(POT.read_text(encoding="utf-8"))
    assert not missing, f"not in encore.pot (run `make i18n-extract`): {sorted(missing)[:10]}"
    assert {"Start a drumming circle", "Play along", "Wood block"} <= msgids(POT.read_text(encoding="utf-8"))
