"""Every validation rule of a resident row, and export rows that validate back to the same profile."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.models import Consent, Mode, Resident, ScheduleSlot
from kiosk.domain.profile_changes import diff
from kiosk.domain.residents import COLUMNS, LIST_FIELDS, split_list, to_row, validate_row

TODAY = date(2026, 6, 1)
GOOD = {"id": "R-001", "first_name": "Margaret", "birth_year": "1938"}


def problems(**changes: object) -> dict[str, str]:
    row = {**GOOD, **changes}
    return {p.field: p.message for p in validate_row(row, today=TODAY).problems}


def test_a_row_gives_only_the_fields_of_its_columns() -> None:
    check = validate_row(GOOD, today=TODAY)
    assert check.problems == []
    assert check.fields == {"staff_id": "R-001", "first_name": "Margaret", "birth_year": 1938}


def test_empty_cells_clear_to_the_defaults() -> None:
    row = {"id": "R-1", "volume_cap_pct": "", "session_minutes": "", "consent": "", "photo": "", "room": ""}
    row |= {name: "" for name in LIST_FIELDS}
    check = validate_row(row, today=TODAY)
    assert check.problems == []
    assert check.fields["volume_cap_pct"] == 100 and check.fields["session_minutes"] == 30
    assert check.fields["consent"] is Consent.UNKNOWN and check.fields["photo"] is None
    assert all(check.fields[name] == () for name in LIST_FIELDS)


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
        check = validate_row({**GOOD, "consent": value}, today=TODAY)
        assert check.problems == [] and check.fields["consent"] is expected


def test_consent_date_read_by_the_date_order_and_iso_always() -> None:
    def read(value: str, order: str) -> tuple[str, str]:
        check = validate_row({**GOOD, "consent_date": value}, today=TODAY, date_order=order)
        return check.fields["consent_date"], " ".join(p.message for p in check.problems)

    assert read("14/03/2025", "dmy") == ("2025-03-14", "")
    assert read("01/03/2025", "dmy") == ("2025-03-01", "")  # UK Excel re-saving the template's ISO date
    assert read("3/1/2025", "mdy") == ("2025-03-01", "")  # US Excel
    assert read("14.03.2025", "dmy") == ("2025-03-14", "")
    assert read("2025-03-14", "mdy") == ("2025-03-14", "")
    assert read("2025-03-14 00:00:00", "dmy") == ("2025-03-14", "")  # Google Sheets' date-time
    _, message = read("14/03/2025", "mdy")
    assert "'14/03/2025'" in message and "14 March 2025" in message and "2025-03-14" in message
    _, message = read("31/02/2025", "dmy")
    assert "'31/02/2025'" in message and "day/month/year" in message
    assert "year in full" in read("14/03/25", "dmy")[1]
    assert "future" in problems(consent_date="2027-01-01")["consent_date"]
    assert "consent_date" not in problems(consent_date="2025-03-31")


@pytest.mark.parametrize("value", ["14/03/1938", "1938-03-14", "3/14/1938", "14.03.1938"])
def test_a_full_date_of_birth_keeps_only_the_year_with_a_note(value: str) -> None:
    check = validate_row({**GOOD, "birth_year": value}, today=TODAY)
    assert check.problems == [] and check.fields["birth_year"] == 1938
    assert [n.field for n in check.notes] == ["birth_year"] and repr(value) in check.notes[0].message


def test_a_full_date_of_birth_out_of_range_echoes_the_value() -> None:
    assert "'14/03/2001'" in problems(birth_year="14/03/2001")["birth_year"]


def test_schedule() -> None:
    assert "not a mode" in problems(schedule="16:00-18:00 nap")["schedule"]
    assert "not like" in problems(schedule="teatime relax")["schedule"]
    check = validate_row({**GOOD, "schedule": "16:00-18:00 relax; 08:00-09:00 move"}, today=TODAY)
    assert check.problems == []
    assert check.fields["schedule"] == (
        ScheduleSlot(960, 1080, Mode.RELAX),
        ScheduleSlot(480, 540, Mode.MOVE),
    )
    check = validate_row({**GOOD, "schedule": "16:00-18:00 relax\r\n08:00-09:00 move"}, today=TODAY)
    assert check.problems == [] and len(check.fields["schedule"]) == 2


def test_lists_split_at_semicolons_and_line_breaks_never_commas() -> None:
    assert split_list(" Vera Lynn ; ;Glenn Miller;Vera Lynn") == ["Vera Lynn", "Glenn Miller"]
    assert split_list("war songs\nVera Lynn\r\nhymns") == ["war songs", "Vera Lynn", "hymns"]
    assert split_list(["a", " b ", "c; d"]) == ["a", "b", "c", "d"]
    check = validate_row({**GOOD, "avoid_songs": "Oh, What a Beautiful Mornin'; Danny Boy"}, today=TODAY)
    assert check.fields["avoid_songs"] == ("Oh, What a Beautiful Mornin'", "Danny Boy")
    assert "too long" in problems(favourite_songs="x" * 201)["favourite_songs"]
    assert "at most" in problems(languages=";".join(f"l{i}" for i in range(101)))["languages"]
    assert "list" in problems(favourite_artists=[{"a": 1}])["favourite_artists"]


def test_notes_may_span_lines_but_are_capped() -> None:
    assert "notes" not in problems(notes="Likes tea.\nDislikes loud noise.")
    assert "too long" in problems(notes="n" * 501)["notes"]


def test_room_lounge_means_empty() -> None:
    assert validate_row({**GOOD, "room": "Lounge"}, today=TODAY).fields["room"] == ""


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
    check = validate_row(to_row(r), today=TODAY)
    assert check.problems == []
    fields = check.fields
    fields.pop("photo")
    again = Resident(resident_id="u1", **fields)
    assert diff(r, again) == []
    changes = diff(r, Resident(resident_id="u1", **{**fields, "birth_year": 1932}))
    assert [(c.field, c.old, c.new) for c in changes] == [("birth_year", "1931", "1932")]


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
    check = validate_row(row, today=TODAY)
    assert all(p.field in COLUMNS and p.message for p in check.problems)
    if not check.problems:
        fields = {"first_name": "X", "birth_year": 1940, **check.fields}
        fields.pop("photo", None)
        Resident(resident_id="x", **fields)  # a valid row always makes a Resident
