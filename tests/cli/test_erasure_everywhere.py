"""`kiosk residents remove` erases everywhere: store, rotating copies, photos and staged photos, report cache,
dashboard charts; a repair, a restart or a restore never brings the resident back (real CLI processes)."""

from __future__ import annotations

import json

from kiosk.adapters.docstore import DataFolder, backup_paths
from kiosk.adapters.erasures import erased_ids, record_erasure
from kiosk.adapters.residents import ResidentsStore
from tests.cli.erasure_support import NAME, STAFF_ID, find_needles, kiosk_cli, seed


def test_remove_leaves_no_trace_of_name_staff_id_or_photo_in_the_data_folder(tmp_path, data_dir):
    seeded = seed(tmp_path, data_dir)
    # before: she is everywhere the issue found her
    assert find_needles(data_dir / ".backups", {"name": NAME.encode()})
    (data_dir / "photos" / f".{seeded.resident_id}.jpg.new").write_bytes(seeded.photo_bytes)  # a staged photo
    assert list((data_dir / "dashboard").rglob("*.png"))

    done = kiosk_cli(data_dir, "residents", "remove", STAFF_ID, "--yes")
    assert done.returncode == 0, done.stderr

    assert find_needles(data_dir, seeded.needles()) == []
    assert not list((data_dir / "photos").glob(f"*{seeded.resident_id}*"))
    assert not list((data_dir / "report-cache").rglob("*")) if (data_dir / "report-cache").exists() else True
    assert not list((data_dir / "dashboard").rglob("*.png")) if (data_dir / "dashboard").exists() else True
    # the other resident is untouched, and the rotating copies still repair the store
    store = ResidentsStore(DataFolder(data_dir))
    assert [r.staff_id for r in store.all()] == ["B-2"]
    copies = [json.loads(p.read_bytes()) for p in backup_paths(data_dir / "residents.json") if p.exists()]
    assert copies and all([d["staff_id"] for d in c["residents"].values()] == ["B-2"] for c in copies)
    # and the output says what remains, in the right words
    assert "anonymous statistics" not in done.stdout
    assert "pseudonymous, not anonymous" in done.stdout


def test_a_repair_after_a_damaged_store_never_brings_an_erased_resident_back(tmp_path, data_dir):
    seeded = seed(tmp_path, data_dir)
    data = DataFolder(data_dir)
    # the erasure was recorded, then the process died before it changed anything else
    record_erasure(data, seeded.resident_id)
    # damage the store and its newest copy: the repair takes an older copy, which still holds her
    (data_dir / "residents.json").write_bytes(b"\x00" * 40)
    backup_paths(data_dir / "residents.json")[0].write_bytes(b"{trunc")
    listed = kiosk_cli(data_dir, "residents", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert STAFF_ID not in listed.stdout and "B-2" in listed.stdout
    assert NAME.encode() not in (data_dir / "residents.json").read_bytes()


def test_every_start_reapplies_erasures(tmp_path, data_dir):
    from kiosk.adapters.erasures import apply_at_start

    seeded = seed(tmp_path, data_dir)
    record_erasure(DataFolder(data_dir), seeded.resident_id)  # killed right after recording
    apply_at_start(DataFolder(data_dir))
    assert find_needles(data_dir, seeded.needles()) == []


def test_restore_onto_an_empty_folder_keeps_erasures(tmp_path, data_dir):
    seeded = seed(tmp_path, data_dir)
    older = tmp_path / "older"  # taken while she was still a resident
    assert kiosk_cli(data_dir, "backup", str(older)).returncode == 0
    assert kiosk_cli(data_dir, "residents", "remove", STAFF_ID, "--yes").returncode == 0
    newer = tmp_path / "newer"
    assert kiosk_cli(data_dir, "backup", str(newer)).returncode == 0

    card = tmp_path / "new-sd-card"  # a new, empty data folder
    done = kiosk_cli(card, "restore", str(newer))
    assert done.returncode == 0, done.stderr
    assert seeded.resident_id in erased_ids(DataFolder(card))
    assert find_needles(card, seeded.needles()) == []
    # the erasure list came along, so restoring the older backup later still keeps her erased
    done = kiosk_cli(card, "restore", str(older))
    assert done.returncode == 0, done.stderr
    assert find_needles(card, seeded.needles()) == []
    assert [r.staff_id for r in ResidentsStore(DataFolder(card)).all()] == ["B-2"]


def test_a_backup_made_after_remove_and_its_restored_copy_hold_nothing_of_her(tmp_path, data_dir):
    seeded = seed(tmp_path, data_dir)
    assert kiosk_cli(data_dir, "residents", "remove", STAFF_ID, "--yes").returncode == 0
    copy = tmp_path / "copy"
    assert kiosk_cli(data_dir, "backup", str(copy)).returncode == 0
    assert find_needles(copy, seeded.needles()) == []
    restored = tmp_path / "restored"
    assert kiosk_cli(restored, "restore", str(copy)).returncode == 0
    assert find_needles(restored, seeded.needles()) == []


def test_remove_erases_her_calm_ahead_notes_and_log_everywhere(tmp_path, data_dir):
    from datetime import datetime, timedelta, timezone

    from kiosk.adapters.calm_ahead_store import CalmAheadStore

    seeded = seed(tmp_path, data_dir)
    calm = CalmAheadStore(DataFolder(data_dir))
    at = datetime(2026, 6, 1, 15, 0, tzinfo=timezone(timedelta(hours=1)))
    for day in range(3):  # several writes: the rotating copies hold her too
        calm.add_note(seeded.resident_id, at + timedelta(days=day))
        calm.add_note(seeded.other_id, at + timedelta(days=day))
    calm.accepted(seeded.resident_id, "14:30-15:30 relax", at, "staff screen")
    calm.accepted(seeded.other_id, "14:30-15:30 relax", at, "staff screen")
    store_file = data_dir / "calm-ahead.json"
    copies = [p for p in backup_paths(store_file) if p.exists()]
    assert copies and any(seeded.resident_id.encode() in p.read_bytes() for p in copies)

    done = kiosk_cli(data_dir, "residents", "remove", STAFF_ID, "--yes")
    assert done.returncode == 0, done.stderr

    for path in [store_file, *backup_paths(store_file)]:
        if path.exists():
            assert seeded.resident_id.encode() not in path.read_bytes(), path
    assert len(calm.notes(seeded.other_id)) == 3 and len(calm.log(seeded.other_id)) == 1
    assert calm.notes(seeded.resident_id) == [] and calm.log(seeded.resident_id) == []
    assert calm.erase(seeded.resident_id) == 0  # again, at the next start: nothing to do, nothing written
