"""The avoid_themes column: read from CSV and JSON files, checked against the vocabulary, exported back."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.domain.themes import THEME_NAMES
from tests.cli.residents_support import HEADER, Run, kiosk, store, write

__all__ = ["kiosk"]  # the fixture


def test_csv_avoid_themes_are_stored_by_their_names(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = write(
        tmp_path / "r.csv",
        f"{HEADER},avoid_themes,avoid_keywords\r\n"
        'R-1,Ada,1940,"War; Hymns; home & family; war",funeral\r\n'
        "R-2,Bob,1945,,\r\n",
    )
    rc, out, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    ada, bob = sorted(store(data_dir).all(), key=lambda r: r.staff_id)
    assert ada.avoid_themes == ("war", "religion", "home and family") and ada.avoid_keywords == ("funeral",)
    assert bob.avoid_themes == ()
    out_path = tmp_path / "export.csv"
    assert kiosk("residents", "export", str(out_path))[0] == 0
    exported = out_path.read_text(encoding="utf-8-sig")
    assert "avoid_themes" in exported.splitlines()[0]
    assert "war; religion; home and family" in exported
    rc, out, err = kiosk("residents", "import", str(out_path))
    assert rc == 0 and "unchanged (2)" in out, out + err  # the export reads back the same


def test_unknown_themes_stop_the_import_with_file_line_and_a_suggestion(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    csv = write(
        tmp_path / "r.csv", f"{HEADER},avoid_themes\nR-1,Ada,1940,war\nR-2,Bob,1945,war songs; religon\n"
    )
    rc, out, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and "Traceback" not in err
    names = ", ".join(THEME_NAMES)
    assert (
        f"{csv}:3: avoid_themes: 'religon' is not a theme (did you mean 'religion'? themes: {names})" in err
    )
    assert "'war songs'" not in err  # an everyday word for a theme is accepted
    assert store(data_dir).all() == []  # all or nothing


def test_json_avoid_themes_as_a_list(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    doc = [{"id": "R-1", "first_name": "Ada", "birth_year": 1938, "avoid_themes": ["Lullabies", "drink"]}]
    rc, _, err = kiosk("residents", "import", str(write(tmp_path / "r.json", json.dumps(doc))))
    assert rc == 0, err
    (ada,) = store(data_dir).all()
    assert ada.avoid_themes == ("lullabies", "drinking")
    bad = [{"id": "R-1", "first_name": "Ada", "birth_year": 1938, "avoid_themes": ["politics"]}]
    rc, _, err = kiosk("residents", "import", str(write(tmp_path / "bad.json", json.dumps(bad, indent=1))))
    assert rc == 1 and "bad.json:2: avoid_themes: 'politics' is not a theme" in err
