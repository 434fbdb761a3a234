"""The residents store's document format (a contract other parts read) and erasures, on real TinyDB files."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, erased_ids, record_erasure
from kiosk.adapters.residents import ResidentsStore, resident_from_doc, resident_to_doc, write_photo
from kiosk.domain.models import Consent, Mode, Resident, ScheduleSlot

ADA = Resident(
    resident_id="0b4f7e2a-0000-4000-8000-000000000001",
    staff_id="R-1",
    first_name="Ada",
    birth_year=1931,
    languages=("English", "Welsh"),
    avoid_songs=("Danny Boy",),
    schedule=(ScheduleSlot(960, 1080, Mode.RELAX),),
    consent=Consent.YES,
    photo="photos/0b4f7e2a-0000-4000-8000-000000000001.jpg",
)


def test_document_format_is_the_contract(data_dir: Path) -> None:
    doc = resident_to_doc(ADA)
    assert doc["languages"] == ["English", "Welsh"]
    assert doc["schedule"] == "16:00-18:00 relax"
    assert doc["consent"] == "yes"
    assert doc["photo"] == f"photos/{ADA.resident_id}.jpg"
    json.dumps(doc)  # plain JSON
    assert resident_from_doc({**doc, "some_future_key": 1}) == ADA
    store = ResidentsStore(DataFolder(data_dir))
    store.upsert(ADA)
    raw = json.loads((data_dir / "residents.json").read_text())
    (stored,) = raw["residents"].values()
    assert stored["staff_id"] == "R-1" and stored["resident_id"] == ADA.resident_id
    assert store.get(ADA.resident_id) == ADA and store.by_staff_id("r-1") == ADA
    assert store.get("nope") is None


def test_erasure_is_recorded_once_and_reapplied(data_dir: Path) -> None:
    data = DataFolder(data_dir)
    store = ResidentsStore(data)
    store.upsert(ADA)
    write_photo(data, ADA.resident_id, b"\xff\xd8fake")
    assert apply_erasures(data) == 0
    assert store.remove(ADA.resident_id) is True
    assert store.remove(ADA.resident_id) is False  # already gone: still recorded, no error
    assert erased_ids(data) == {ADA.resident_id}
    assert len(data.read("erasures").table("erasures").all()) == 1
    record_erasure(data, ADA.resident_id)
    assert len(data.read("erasures").table("erasures").all()) == 1
    store.upsert(ADA)  # as if an old backup came back
    assert apply_erasures(data) == 1
    assert store.all() == []


def test_add_avoid_song_unknown_resident_is_harmless(data_dir: Path) -> None:
    store = ResidentsStore(DataFolder(data_dir))
    store.upsert(ADA)
    store.add_avoid_song("someone-else", "Tipperary")
    store.add_avoid_song(ADA.resident_id, "  ")
    assert store.get(ADA.resident_id) == ADA
