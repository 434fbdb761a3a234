"""Partial re-imports, changes that lower safety, the profile history and the upgrade of old lists (issue 16).

The property test imports random subsets of columns into a real data folder; the promises a coordinator
relies on run the real `kiosk` command in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.adapters import attention
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, record_erasure
from kiosk.adapters.profile_history import history
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.residents_migrate import NOTE_KIND, named_note, split_old_lists
from kiosk.app.residents_import import import_file
from kiosk.domain.models import Consent, Resident
from kiosk.domain.residents import COLUMNS, to_row
from tests.cli.residents_support import photo

FIELD_OF = {"id": "staff_id"}
FULL = Resident(
    resident_id="x",
    staff_id="R-1",
    first_name="Margaret",
    birth_year=1938,
    preferred_name="Peggy",
    hometown="Leeds",
    languages=("English",),
    favourite_artists=("Vera Lynn",),
    favourite_songs=("Danny Boy", "Galway Bay"),
    favourite_genres=("swing",),
    avoid_artists=("Gracie Fields",),
    avoid_songs=("We'll Meet Again",),
    avoid_genres=("hymns",),
    avoid_keywords=("funeral",),
    avoid_themes=("war",),
    volume_cap_pct=70,
    session_minutes=45,
    room="Room 12",
    notes="Loved dancing",
    consent=Consent.YES,
    consent_date="2025-03-01",
    consent_by="J. Smith",
)
# A second, different valid value for every column (what a re-import may bring).
OTHER = {
    "first_name": "Maggie",
    "preferred_name": "",
    "birth_year": "1939",
    "photo": "",
    "hometown": "York",
    "languages": "English; Welsh",
    "favourite_artists": "",
    "favourite_songs": "Moon River",
    "favourite_genres": "jazz",
    "avoid_artists": "",
    "avoid_songs": "",
    "avoid_genres": "brass band",
    "avoid_keywords": "",
    "avoid_themes": "",
    "volume_cap_pct": "",
    "session_minutes": "20",
    "room": "",
    "schedule": "09:00-10:00 move",
    "notes": "",
    "consent": "",
    "consent_date": "",
    "consent_by": "",
    "voice": "yes",
}


def _csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=st.sets(st.sampled_from([c for c in COLUMNS if c != "id"])), seed=st.integers(0, 3))
def test_a_column_absent_from_the_file_never_changes_its_field(columns: set[str], seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo(folder / "photos" / "p.jpg")
        data = DataFolder(folder / "data")
        first = {**to_row(FULL, photo="photos/p.jpg"), "schedule": "16:00-18:00 relax"}
        (folder / "full.csv").write_bytes(_csv([first], list(COLUMNS)))
        import_file(folder / "full.csv", ResidentRecords(data), accept_safety=True, today=date(2026, 6, 1))
        (before,) = ResidentsStore(data).all()
        assert before.photo and before.avoid_themes == ("war",)
        chosen = ["id", *sorted(columns, key=COLUMNS.index)]
        row = {"id": "R-1", **{c: OTHER[c] if (seed + COLUMNS.index(c)) % 2 else first[c] for c in columns}}
        (folder / "part.csv").write_bytes(_csv([row], chosen))
        import_file(folder / "part.csv", ResidentRecords(data), accept_safety=True, today=date(2026, 6, 1))
        (after,) = ResidentsStore(data).all()
        assert after.resident_id == before.resident_id
        for column in COLUMNS:
            name = FIELD_OF.get(column, column)
            if column not in chosen:
                assert getattr(after, name) == getattr(before, name), column  # absent: untouched
        if "photo" in columns and row["photo"] == "":
            assert after.photo is None  # an empty cell clears
        if "volume_cap_pct" in columns:
            assert after.volume_cap_pct == (70 if row["volume_cap_pct"] == "70" else 100)


KIOSK = [sys.executable, "-m", "kiosk"]


def _kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=120, env=env)


def test_the_issues_care_worker_outside_in(tmp_path: Path) -> None:
    """A 3-column re-import keeps everything else; lowering safety stops until accepted; history; erasure."""
    data_dir = tmp_path / "data"
    full = tmp_path / "full.csv"
    full.write_bytes(
        b"\xef\xbb\xbfid;first_name;preferred_name;birth_year;avoid_keywords;volume_cap_pct;consent;notes\r\n"
        b'R-1;Margaret;Peggy;1938;"war songs; Vera Lynn";70;yes;Loved dancing\r\nR-2;Harold;;1935;;60;yes;\r\n'
    )
    done = _kiosk(data_dir, "residents", "import", str(full))
    assert done.returncode == 0, done.stderr
    three = tmp_path / "three.csv"
    three.write_text("id,first_name,birth_year\r\nR-1,Margaret,1938\r\nR-2,Harold,1935\r\n")
    done = _kiosk(data_dir, "residents", "import", str(three))
    assert done.returncode == 0, done.stderr
    assert "unchanged (2)" in done.stdout and "every other field is left as it is" in done.stdout
    peggy = ResidentsStore(DataFolder(data_dir)).by_staff_id("R-1")
    assert (
        peggy is not None
        and peggy.volume_cap_pct == 70
        and peggy.avoid_keywords == ("war songs", "Vera Lynn")
    )
    assert peggy.preferred_name == "Peggy" and peggy.notes == "Loved dancing" and peggy.consent is Consent.YES

    lower = tmp_path / "lower.csv"
    lower.write_text("id,avoid_keywords,volume_cap_pct,consent\r\nR-1,war songs,,\r\nR-2,,60,no\r\n")
    dry = _kiosk(data_dir, "residents", "import", "--dry-run", str(lower))
    assert dry.returncode == 0 and "Dry run: nothing was changed." in dry.stdout
    assert "    volume_cap_pct: 70 -> 100 (no limit of its own)" in dry.stdout
    assert "    avoid_keywords: war songs; Vera Lynn -> war songs" in dry.stdout
    before = (data_dir / "residents.json").read_bytes()
    stopped = _kiosk(data_dir, "residents", "import", str(lower))
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert "R-1 (Peggy): avoid_keywords: no longer avoids 'Vera Lynn'" in stopped.stdout
    assert "R-1 (Peggy): volume limit of 70 cleared (no limit of its own)" in stopped.stdout
    assert "R-1 (Peggy): consent changed from yes to not recorded" in stopped.stdout
    assert "--accept-safety-changes" in stopped.stderr and "consent withdrawn above" in stopped.stderr
    after = {r.staff_id: r for r in ResidentsStore(DataFolder(data_dir)).all()}
    assert after["R-1"].volume_cap_pct == 70 and after["R-1"].avoid_keywords == ("war songs", "Vera Lynn")
    assert after["R-2"].consent is Consent.NO  # withdrawing consent never waits
    assert (data_dir / "residents.json").read_bytes() != before
    accepted = _kiosk(data_dir, "residents", "import", "--accept-safety-changes", str(lower))
    assert accepted.returncode == 0, accepted.stderr
    after = {r.staff_id: r for r in ResidentsStore(DataFolder(data_dir)).all()}
    assert after["R-1"].volume_cap_pct == 100 and after["R-1"].avoid_keywords == ("war songs",)

    shown = _kiosk(data_dir, "residents", "history", "R-1")
    assert shown.returncode == 0
    assert "R-1  avoid_keywords: war songs; Vera Lynn -> war songs  [import lower.csv]" in shown.stdout
    assert "R-1  profile: (none) -> added  [import full.csv]" in shown.stdout
    assert "R-2" not in shown.stdout
    everyone = _kiosk(data_dir, "residents", "history", "--since", "2000-01-01").stdout
    assert "R-2  consent: yes -> no  [import lower.csv]" in everyone
    peggy_id = after["R-1"].resident_id
    assert _kiosk(data_dir, "residents", "remove", "--yes", "R-1").returncode == 0
    assert history(DataFolder(data_dir), resident_id=peggy_id) == []  # erasure removes the history
    assert peggy_id not in (data_dir / "profile-history.json").read_text()
    copies = list((data_dir / ".backups").glob("profile-history.json.*"))
    assert copies and all(peggy_id not in c.read_text() for c in copies)  # rotating copies scrubbed too


def _old_store(data_dir: Path) -> ResidentsStore:
    """Profiles as a kiosk before issue 16 stored them from a ';'-separated file: lists as ONE item."""
    residents = ResidentsStore(DataFolder(data_dir))
    residents.upsert(
        Resident(
            "u-1",
            "R-1",
            "Margaret",
            1938,
            avoid_keywords=("war songs; Vera Lynn",),
            favourite_songs=("Danny Boy",),
        )
    )
    residents.upsert(Resident("u-2", "R-2", "Harold", 1935, avoid_keywords=("hymns",)))
    raw = json.loads((data_dir / "residents.json").read_text())
    assert "meta" not in raw
    return residents


def test_lists_stored_the_old_way_are_split_once_with_a_note(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    residents = _old_store(data_dir)
    listed = _kiosk(data_dir, "residents", "list")
    assert listed.returncode == 0, listed.stderr
    assert "note: lists stored the old way were split at ';' for: R-1" in listed.stdout
    assert residents.by_staff_id("R-1").avoid_keywords == ("war songs", "Vera Lynn")  # type: ignore[union-attr]
    assert residents.by_staff_id("R-2").avoid_keywords == ("hymns",)  # type: ignore[union-attr]
    (entry,) = history(DataFolder(data_dir))
    assert (entry["resident_id"], entry["field"], entry["source"]) == (
        "u-1",
        "avoid_keywords",
        "upgrade: lists split at ';'",
    )
    (note,) = [n for n in attention.notes(data_dir) if n["kind"] == NOTE_KIND]
    assert "1 resident(s)" in note["message"] and "R-1" not in note["message"]  # no personal data at rest
    assert "R-1" in (named_note(DataFolder(data_dir)) or "")  # named where staff read it
    assert split_old_lists(DataFolder(data_dir)) == []  # once per data folder
    residents.upsert(Resident("u-3", "R-3", "Cyril", 1930, avoid_songs=("Love; Me",)))  # after the upgrade
    assert _kiosk(data_dir, "residents", "list").returncode == 0
    assert residents.by_staff_id("R-3").avoid_songs == ("Love; Me",)  # type: ignore[union-attr]


def test_an_import_into_an_old_store_splits_first_and_compares_like_with_like(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _old_store(data_dir)
    path = tmp_path / "r.csv"
    path.write_text('id,avoid_keywords\r\nR-1,"war songs; Vera Lynn"\r\n')
    plan, outcome = import_file(path, ResidentRecords(DataFolder(data_dir)))
    assert outcome.unchanged == ["R-1 (Margaret)"] and not outcome.updated and not outcome.stopped
    assert json.loads((data_dir / "residents.json").read_text())["meta"]["1"]["lists"] == 2


def test_restore_reapplies_erasures_to_the_history(tmp_path: Path) -> None:
    data = DataFolder(tmp_path / "data")
    path = tmp_path / "r.csv"
    path.write_text("id,first_name,birth_year\r\nR-1,Ada,1938\r\nR-2,Bob,1940\r\n")
    import_file(path, ResidentRecords(data))
    ada = ResidentsStore(data).by_staff_id("R-1")
    assert ada is not None and len(history(data)) == 2
    record_erasure(data, ada.resident_id)  # as if restored from a backup taken before the erasure
    apply_erasures(data)
    assert [e["resident_id"] for e in history(data)] != [] and all(
        e["resident_id"] != ada.resident_id for e in history(data)
    )


def test_new_resident_needs_name_and_year_but_a_partial_row_for_someone_known_does_not(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    path = tmp_path / "r.csv"
    path.write_text("id,volume_cap_pct\r\nR-9,50\r\n")
    done = _kiosk(data_dir, "residents", "import", str(path))
    assert done.returncode == 1
    assert f"{path}:2: first_name: is required for someone not in the kiosk yet" in done.stderr
    assert f"{path}:2: birth_year: is required for someone not in the kiosk yet" in done.stderr


def test_dry_run_shows_what_avoid_entries_remove_and_import_warns_of_entries_matching_nothing(
    tmp_path: Path, capsys: object
) -> None:
    from kiosk.cli import main
    from tests.audiofiles import make_audio

    music = tmp_path / "music"
    make_audio(music / "Wartime" / "tipp.mp3", freq=300, title="It's a Long Way to Tipperary", date="1914")
    make_audio(music / "Fifties" / "moon.mp3", freq=310, title="Moon River", date="1961")
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "scan", "--music-dir", str(music)]) == 0
    path = tmp_path / "r.csv"
    path.write_text("id,first_name,birth_year,avoid_keywords\r\nR-1,Ada,1938,Tipperary; Vera Lynn\r\n")
    capsys.readouterr()  # type: ignore[attr-defined]
    assert main(["--data-dir", data, "residents", "import", "--dry-run", str(path)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "'Tipperary' (word) removes 1 song: It's a Long Way to Tipperary" in out
    assert "'Vera Lynn' matches no song" in out
    assert "first songs they would hear:" in out and "1. Moon River" in out
    assert main(["--data-dir", data, "residents", "import", str(path)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "warning: R-1 (Ada): 'Vera Lynn' matches no song" in out and "removes 1 song" not in out


def test_the_staff_screen_names_whose_lists_were_split(tmp_path: Path) -> None:
    from kiosk.wiring import _attention_notes

    data_dir = tmp_path / "data"
    _old_store(data_dir)
    assert split_old_lists(DataFolder(data_dir)) == ["R-1"]
    notes = [n for n in _attention_notes(data_dir) if "split at ';'" in n]
    assert len(notes) == 1 and "for R-1:" in notes[0]
    assert _kiosk(data_dir, "residents", "remove", "--yes", "R-1").returncode == 0
    assert not [n for n in _attention_notes(data_dir) if "for R-1" in n]  # erased: no longer named
