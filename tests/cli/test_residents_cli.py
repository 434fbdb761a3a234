"""`kiosk residents import/list/export/remove` on real files: photos, all-or-nothing, re-import, erasure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, erased_ids
from kiosk.cli import main
from kiosk.domain.models import Consent, Resident
from tests.cli.residents_support import HEADER, REPO, Run, kiosk, photo, store, write

__all__ = ["kiosk"]  # the fixture


# --- happy paths ------------------------------------------------------------------------------------------


def test_demo_residents_import_list_and_photos(kiosk: Run, data_dir: Path) -> None:
    rc, out, err = kiosk("residents", "import", str(REPO / "kiosk/demo/data/residents.csv"))
    assert rc == 0, err
    assert "new (7)" in out
    residents = store(data_dir).all()
    assert [r.staff_id for r in residents] == [f"D-0{i}" for i in range(1, 8)]
    edie = residents[0]
    assert edie.favourite_songs == ("Let Me Call You Sweetheart", "In the Good Old Summertime")
    assert edie.photo == f"photos/{edie.resident_id}.jpg"
    stored = data_dir / edie.photo
    assert stored.stat().st_mode & 0o777 == 0o600
    assert (data_dir / "residents.json").stat().st_mode & 0o777 == 0o600
    harold = next(r for r in residents if r.staff_id == "D-04")
    assert harold.consent is Consent.NO and harold.photo is None
    rc, out, _ = kiosk("residents", "list")
    assert rc == 0 and "consent not recorded" in out and "Room 12" in out
    rc, out, _ = kiosk("residents", "list", "--json")
    docs = json.loads(out)
    assert len(docs) == 7 and {d["consent_recorded"] for d in docs} == {True, False}


def test_template_imports(kiosk: Run, data_dir: Path) -> None:
    rc, _, err = kiosk("residents", "import", str(REPO / "content/residents-template.csv"))
    assert rc == 0, err
    (r,) = store(data_dir).all()
    assert r.display_name == "Peggy" and r.avoid_themes == ("war",) and len(r.schedule) == 2


def test_photo_is_resized_reencoded_and_stripped(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    src = photo(tmp_path / "in" / "photos" / "big.jpg", size=(2400, 1200), exif=True)
    csv = write(tmp_path / "in" / "r.csv", f"{HEADER},photo\nR-1,Ada,1940,photos/big.jpg\n")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    (r,) = store(data_dir).all()
    with Image.open(data_dir / r.photo) as im:  # type: ignore[operator]
        assert im.format == "JPEG" and max(im.size) == 800
        assert len(im.getexif()) == 0
    src.unlink()  # the USB stick is gone: the kiosk keeps its own copy
    assert (data_dir / r.photo).is_file()  # type: ignore[operator]


def test_json_import_with_lists_and_numbers(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    doc = [
        {
            "id": "R-1",
            "first_name": "Ada",
            "birth_year": 1938,
            "favourite_genres": ["swing", "jazz"],
            "consent": True,
        },
        {"id": "R-2", "first_name": "Bob", "birth_year": "1945", "volume_cap_pct": 60},
    ]
    path = write(tmp_path / "r.json", json.dumps(doc, indent=2))
    rc, _, err = kiosk("residents", "import", str(path))
    assert rc == 0, err
    ada, bob = store(data_dir).all()
    assert ada.favourite_genres == ("swing", "jazz") and ada.consent is Consent.YES
    assert bob.volume_cap_pct == 60


# --- all or nothing, every error at once ------------------------------------------------------------------


def test_bad_row_in_the_middle_changes_nothing(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", f"{HEADER}\nR-1,Ada,1938\n")
    assert kiosk("residents", "import", str(first))[0] == 0
    before = (data_dir / "residents.json").read_bytes()
    photo(tmp_path / "p.jpg")
    bad = write(
        tmp_path / "b.csv",
        f"{HEADER},volume_cap_pct,photo\nR-1,Adelaide,1938,80,p.jpg\nR-2,,1800,5,\nR-3,Cy,1950,,\nR-3,Dup,1950,,\n",
    )
    rc, out, err = kiosk("residents", "import", str(bad))
    assert rc == 1
    lines = err.strip().splitlines()
    assert f"kiosk: {bad}:3: first_name: is required" in lines
    assert any(f"{bad}:3: birth_year: 1800 is out of range" in line for line in lines)
    assert any(f"{bad}:3: volume_cap_pct: 5 is out of range" in line for line in lines)
    assert any(f"{bad}:5: id: 'R-3' is also on line 4" in line for line in lines)
    assert "nothing was imported" in lines[-1]
    assert (data_dir / "residents.json").read_bytes() == before
    assert not (data_dir / "photos").exists()


def test_dry_run_changes_nothing(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = write(tmp_path / "a.csv", f"{HEADER}\nR-1,Ada,1938\n")
    rc, out, _ = kiosk("residents", "import", "--dry-run", str(csv))
    assert rc == 0 and "new (1): R-1" in out and "Dry run" in out
    assert store(data_dir).all() == []


def test_reimport_updates_by_id_and_says_what_changed(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    photo(tmp_path / "a.jpg")
    photo(tmp_path / "b.jpg", size=(50, 50))
    csv = write(tmp_path / "a.csv", f"{HEADER},photo,avoid_songs\nR-1,Ada,1938,a.jpg,\nR-2,Bob,1940,,\n")
    assert kiosk("residents", "import", str(csv))[0] == 0
    ada_id = store(data_dir).by_staff_id("R-1").resident_id  # type: ignore[union-attr]
    write(csv, f"{HEADER},photo,avoid_songs\nR-1,Ada,1939,b.jpg,Danny Boy\nR-2,Bob,1940,,\n")
    rc, out, _ = kiosk("residents", "import", str(csv))
    assert rc == 0
    assert "R-1 (Ada):\n    birth_year: 1938 -> 1939\n    avoid_songs: (empty) -> Danny Boy\n" in out
    assert "    photo: a photo -> a new photo\n" in out
    assert "unchanged (1): R-2" in out
    ada = store(data_dir).by_staff_id("r-1")
    assert ada is not None and ada.resident_id == ada_id and ada.birth_year == 1939
    with Image.open(data_dir / ada.photo) as im:  # type: ignore[operator]
        assert im.size == (50, 50)
    write(csv, f"{HEADER}\nR-3,Cy,1950\n")
    rc, out, _ = kiosk("residents", "import", str(csv))
    assert "not in this file, left as they are (2): R-1 (Ada), R-2 (Bob)" in out
    assert len(store(data_dir).all()) == 3


def test_consent_no_keeps_no_photo(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    photo(tmp_path / "a.jpg")
    csv = write(tmp_path / "a.csv", f"{HEADER},photo,consent\nR-1,Ada,1938,a.jpg,yes\n")
    assert kiosk("residents", "import", str(csv))[0] == 0
    stored = data_dir / str(store(data_dir).all()[0].photo)
    assert stored.is_file()
    write(csv, f"{HEADER},photo,consent\nR-1,Ada,1938,a.jpg,no\n")
    rc, out, _ = kiosk("residents", "import", str(csv))
    assert rc == 0 and "not kept, because consent is 'no'" in out
    assert store(data_dir).all()[0].photo is None and not stored.exists()


# --- export round trip, remove --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.csv", "out.json"])
def test_export_round_trips(kiosk: Run, data_dir: Path, tmp_path: Path, name: str) -> None:
    assert kiosk("residents", "import", str(REPO / "kiosk/demo/data/residents.csv"))[0] == 0
    dest = tmp_path / "export" / name
    dest.parent.mkdir()
    rc, out, _ = kiosk("residents", "export", str(dest))
    assert rc == 0 and "7 residents exported" in out
    assert dest.stat().st_mode & 0o777 == 0o600
    assert kiosk("residents", "export", str(dest))[0] == 1  # no silent overwrite
    rc, out, _ = kiosk("residents", "import", str(dest))
    assert rc == 0 and "unchanged (7)" in out
    other = tmp_path / "other-data"
    assert main(["--data-dir", str(other), "residents", "import", str(dest)]) == 0
    a, b = store(data_dir).all(), store(other).all()

    def strip(r: Resident) -> tuple[object, ...]:
        return (
            r.staff_id,
            r.first_name,
            r.birth_year,
            r.favourite_songs,
            r.schedule,
            r.consent,
            r.notes,
            r.room,
            bool(r.photo),
        )

    assert [strip(r) for r in a] == [strip(r) for r in b]


def test_remove_erases_profile_photo_and_survives_restore(kiosk: Run, data_dir: Path) -> None:
    assert kiosk("residents", "import", str(REPO / "kiosk/demo/data/residents.csv"))[0] == 0
    edie = store(data_dir).by_staff_id("D-01")
    assert edie is not None and edie.photo
    backup = (data_dir / "residents.json").read_bytes()
    photo_bytes = (data_dir / edie.photo).read_bytes()
    rc, out, _ = kiosk("residents", "remove", "D-01")
    assert rc == 0 and "erased" in out
    assert store(data_dir).get(edie.resident_id) is None
    assert not (data_dir / edie.photo).exists()
    assert "Edith" not in (data_dir / "residents.json").read_text()
    assert edie.resident_id in erased_ids(DataFolder(data_dir))
    assert "Edith" not in (data_dir / "erasures.json").read_text()
    # an older backup is restored: the erasure is applied again
    (data_dir / "residents.json").write_bytes(backup)
    (data_dir / edie.photo).write_bytes(photo_bytes)
    assert store(data_dir).get(edie.resident_id) is not None
    assert apply_erasures(DataFolder(data_dir)) == 1
    assert store(data_dir).get(edie.resident_id) is None and not (data_dir / edie.photo).exists()
    assert len(store(data_dir).all()) == 6
    rc, _, err = kiosk("residents", "remove", "D-01")
    assert rc == 1 and "no resident with id 'D-01'" in err


def test_add_avoid_song_from_the_kiosk(data_dir: Path, tmp_path: Path) -> None:
    shutil.copy(REPO / "content/residents-template.csv", tmp_path / "t.csv")
    assert main(["--data-dir", str(data_dir), "residents", "import", str(tmp_path / "t.csv")]) == 0
    s = store(data_dir)
    (r,) = s.all()
    s.add_avoid_song(r.resident_id, "Danny Boy")
    s.add_avoid_song(r.resident_id, "danny boy")  # already there, whatever the case
    assert s.get(r.resident_id).avoid_songs == ("We'll Meet Again", "Danny Boy")  # type: ignore[union-attr]


def test_residents_without_action_is_usage(data_dir: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(data_dir), "residents"])
    assert exc.value.code == 2


def test_failure_while_writing_leaves_no_photos_behind(
    kiosk: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.adapters import docstore

    photo(tmp_path / "a.jpg")
    csv = write(tmp_path / "a.csv", f"{HEADER},photo\nR-1,Ada,1938,a.jpg\n")

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docstore, "atomic_write_bytes", disk_full)  # the residents table's one write
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and "No space left on device); nothing was imported" in err
    assert list((data_dir / "photos").iterdir()) == []
    assert not (data_dir / "residents.json").exists()


def test_damaged_document_does_not_hide_the_others(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    assert kiosk("residents", "import", str(write(tmp_path / "a.csv", f"{HEADER}\nR-1,Ada,1938\n")))[0] == 0
    with DataFolder(data_dir).write("residents") as db:
        db.table("residents").insert({"staff_id": "broken"})
    s = store(data_dir)
    assert [r.staff_id for r in s.all()] == ["R-1"] and s.skipped == 1
    rc, out, _ = kiosk("residents", "list")
    assert rc == 0 and "R-1" in out


def test_json_object_with_residents_key(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    text = '{\n  "residents": [\n    {"id": "R-1", "first_name": "Ada", "birth_year": 1938},\n    {"id": "R-2", "first_name": "Bo", "birth_year": 2020}\n  ]\n}\n'
    path = write(tmp_path / "r.json", text)
    rc, _, err = kiosk("residents", "import", str(path))
    assert rc == 1 and f"{path}:4: birth_year: 2020 is out of range" in err


def test_remove_asks_at_a_terminal(kiosk: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert kiosk("residents", "import", str(REPO / "kiosk/demo/data/residents.csv"))[0] == 0
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    rc, out, _ = kiosk("residents", "remove", "D-02")
    assert rc == 1 and "Nothing was erased" in out
    assert store(data_dir).by_staff_id("D-02") is not None
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert kiosk("residents", "remove", "D-02")[0] == 0
    assert store(data_dir).by_staff_id("D-02") is None
