from __future__ import annotations

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, record_erasure


def test_erased_resident_is_removed_again_after_a_restore(data_dir):
    data = DataFolder(data_dir)
    (data_dir / "photos").mkdir()
    (data_dir / "photos" / "r1.jpg").write_bytes(b"x")
    with data.write("residents") as db:
        db.table("residents").insert({"resident_id": "r1", "photo": "photos/r1.jpg"})
        db.table("residents").insert({"resident_id": "r2"})
    record_erasure(data, "r1")
    record_erasure(data, "r1")
    assert apply_erasures(data) == 1
    assert [d["resident_id"] for d in data.read("residents").table("residents").all()] == ["r2"]
    assert not (data_dir / "photos" / "r1.jpg").exists()
    assert apply_erasures(data) == 0
