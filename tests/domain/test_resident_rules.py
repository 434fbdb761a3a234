"""Every validation rule of a resident row, and export rows that validate back to the same profile."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.models import Consent, Mode, Resident, ScheduleSlot
from kiosk.domain.residents import COLUMNS, changed_fields, split_list, to_row, validate_row

TODAY = date(2026, 6, 1)
GOOD = {"id": "R-001", "first_name": "Margaret", "birth_year": "1938"}


def problems(**changes: object) -> dict[str, str]:
    row = {**GOOD, **changes}
    _, found = validate_row(row, today=TODAY)
    return {p.field: p.message for p in found}


def test_a_minimal_row_is_valid_with_defaults() -> None:
    fields, found = validate_row(GOOD, today=TODAY)
    assert found == []
    assert fields["staff_id"] == "R-001" and fields["birth_year"] == 1938
    assert fields["volume_cap_pct"] == 100 and fields["session_minutes"] == 30
    assert fields["consent"] is Consent.UNKNOWN and fields["room"] == "" and fields["photo"] is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1899", False),
        ("1900", True),
        ("1986", True),
        ("1987", False),
        ("19x0", False),
        ("", False),
        (1950, True),
    ],
)
def test_birth_year_plausible(value: object, ok: bool) -> None:
    assert ("birth_year" not in problems(birth_year=value)) is ok


def test_required_fields() -> None:
    found = problems(id="", first_name="  ", birth_year=None)
    assert found["id"] == "is required"
    assert found["first_name"] == "is required"
    assert found["birth_year"] == "is required"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("9", False), ("10", True), ("100", True), ("101", False), ("80%", True), ("loud", False)],
)
def test_volume_cap_range(value: str, ok: bool) -> None:
    assert ("volume_cap_pct" not in problems(volume_cap_pct=value)) is ok


def test_session_minutes_range() -> None:
    assert "session_minutes" in problems(session_minutes="0")
    assert "session_minutes" in problems(session_minutes="600")
    assert "session_minutes" not in problems(session_minutes="45")


def test_names_sane() -> None:
    assert "too long" in problems(first_name="M" * 61)["first_name"]
    assert "too long" in problems(preferred_name="P" * 61)["preferred_name"]
    assert "control" in problems(first_name="Mar\x07garet")["first_name"]
    assert "control" in problems(first_name="Mar\ngaret")["first_name"]
    assert "first_name" not in problems(first_name="Zoë-Åsa O'Brien")


def test_id_characters() -> None:
    assert "use letters" in problems(id="../etc")["id"]
    assert "too long" in problems(id="R" * 41)["id"]
    assert "id" not in problems(id="Room 4.b_2-x")


def test_consent_values() -> None:
    assert "write yes, no" in problems(consent="maybe")["consent"]
    for value, expected in [
        ("Yes", Consent.YES),
        ("n", Consent.NO),
        ("", Consent.UNKNOWN),
        (True, Consent.YES),
    ]:
        fields, found = validate_row({**GOOD, "consent": value}, today=TODAY)
        assert found == [] and fields["consent"] is expected


def test_consent_date() -> None:
    assert "2025-03-31" in problems(consent_date="31/03/2025")["consent_date"]
    assert "future" in problems(consent_date="2027-01-01")["consent_date"]
    assert "consent_date" not in problems(consent_date="2025-03-31")


def test_schedule() -> None:
    assert "not a mode" in problems(schedule="16:00-18:00 nap")["schedule"]
    assert "not like" in problems(schedule="teatime relax")["schedule"]
    fields, found = validate_row({**GOOD, "schedule": "16:00-18:00 relax; 08:00-09:00 move"}, today=TODAY)
    assert found == []
    assert fields["schedule"] == (ScheduleSlot(960, 1080, Mode.RELAX), ScheduleSlot(480, 540, Mode.MOVE))
    fields, found = validate_row(
        {**GOOD, "schedule": "16:00-18:00 relax, 08:00-09:00 move"}, today=TODAY, list_sep=","
    )
    assert found == [] and len(fields["schedule"]) == 2


def test_lists() -> None:
    assert split_list(" Vera Lynn ; ;Glenn Miller;Vera Lynn", ";") == ["Vera Lynn", "Glenn Miller"]
    assert split_list(["a", " b "], ";") == ["a", "b"]
    fields, _ = validate_row({**GOOD, "avoid_keywords": "war, funeral"}, today=TODAY, list_sep=",")
    assert fields["avoid_keywords"] == ("war", "funeral")
    assert "too long" in problems(favourite_songs="x" * 201)["favourite_songs"]
    assert "at most" in problems(languages=";".join(f"l{i}" for i in range(101)))["languages"]
    assert "list" in problems(favourite_artists=[{"a": 1}])["favourite_artists"]


def test_notes_may_span_lines_but_are_capped() -> None:
    assert "notes" not in problems(notes="Likes tea.\nDislikes loud noise.")
    assert "too long" in problems(notes="n" * 501)["notes"]


def test_room_lounge_means_empty() -> None:
    fields, _ = validate_row({**GOOD, "room": "Lounge"}, today=TODAY)
    assert fields["room"] == ""


def test_every_problem_reported_at_once() -> None:
    found = problems(birth_year="1800", volume_cap_pct="5", consent="perhaps")
    assert set(found) == {"birth_year", "volume_cap_pct", "consent"}


def test_export_row_round_trips() -> None:
    r = Resident(
        resident_id="u1",
        staff_id="R-9",
        first_name="Ada",
        birth_year=1931,
        preferred_name="Addie",
        languages=("English", "Welsh"),
        favourite_songs=("Oh, What a Beautiful Mornin'",),
        avoid_keywords=("war",),
        volume_cap_pct=70,
        room="Room 3",
        schedule=(ScheduleSlot(960, 1080, Mode.RELAX),),
        notes="Line one\nline two",
        consent=Consent.YES,
        consent_date="2025-01-02",
        consent_by="J. Smith",
    )
    fields, found = validate_row(to_row(r), today=TODAY)
    assert found == []
    fields.pop("photo")
    again = Resident(resident_id="u1", **fields)
    assert changed_fields(r, again) == []
    semicolon = to_row(r, list_sep=",")
    assert semicolon["schedule"] == "16:00-18:00 relax"
    assert changed_fields(r, Resident(resident_id="u1", **{**fields, "birth_year": 1932})) == ["birth_year"]


VALUES = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(row=st.dictionaries(st.sampled_from(COLUMNS), VALUES))
def test_any_row_gives_problems_never_an_exception(row: dict[str, object]) -> None:
    fields, found = validate_row(row, today=TODAY)
    assert all(p.field in COLUMNS and p.message for p in found)
    if not found:
        fields.pop("photo")
        Resident(resident_id="x", **fields)  # a valid row always makes a Resident
