"""Residents files shaped byte for byte as spreadsheets write them (issue 16): lists, dates, dates of birth.

Each file imitates one application's "Save as CSV" (named with its version below): byte order mark or not,
delimiter, quoting (a cell holding the delimiter, a quote or a line break is quoted; quotes are doubled),
line endings (CRLF/LF, with LF inside multi-line cells), a final line break or not, and the date format the
application re-saves the template's ISO dates in. The real `kiosk` CLI imports each into a real data folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain.models import Consent
from tests.cli.residents_support import Run, kiosk, store

__all__ = ["kiosk"]  # the fixture

# Microsoft Excel for Microsoft 365 (16.0), Windows, English (United Kingdom) with the list separator ';'
# (as the care worker had it), "CSV UTF-8": BOM, ';', CRLF, dates re-saved as dd/mm/yyyy, an Alt+Enter
# line break inside a cell written as LF inside quotes.
EXCEL_UK = (
    b"\xef\xbb\xbfid;first_name;preferred_name;birth_year;favourite_songs;avoid_keywords;schedule;"
    b"volume_cap_pct;consent;consent_date\r\n"
    b'R-001;Margaret;Peggy;14/03/1938;"Danny Boy; Galway Bay";"war songs; Vera Lynn";'
    b'"16:00-18:00 relax; 10:00-11:00 sing";70;yes;01/03/2025\r\n'
    b'R-002;Harold;;1935;"""Swing"" Tunes";"hymns\nfunerals";;60;no;14/03/2025\r\n'
)

# Microsoft Excel 2019 (16.0), Windows, English (United States), "CSV (Comma delimited)": Windows-1252, no BOM,
# ',', CRLF, dates re-saved as m/d/yyyy, cells holding a comma quoted.
EXCEL_US = (
    "id,first_name,birth_year,favourite_songs,avoid_artists,consent,consent_date\r\n"
    'R-010,Renée,3/14/1938,"Oh, What a Beautiful Mornin\'; Danny Boy","Peter, Paul and Mary",yes,3/1/2025\r\n'
).encode("cp1252")

# Microsoft Excel with the "sep=;" first line (Excel reads it, and some templates carry it), UTF-8 BOM, CRLF.
EXCEL_SEP_LINE = (
    b'\xef\xbb\xbfsep=;\r\nid;first_name;birth_year;avoid_genres\r\nR-020;Edith;1931;"hymns; brass band"\r\n'
)

# LibreOffice Calc 24.2, "Text CSV (.csv)", UTF-8, field delimiter ',', string delimiter '"', "Quote all text
# cells" off: no BOM, LF line endings, a final LF, multi-line cells with LF inside quotes, ISO dates kept.
LIBREOFFICE = (
    b"id,first_name,birth_year,favourite_artists,avoid_keywords,schedule,consent,consent_date\n"
    b'R-030,Albert,1940,"Vera Lynn\nGlenn Miller","war; funeral","16:00-18:00 relax\n10:00-11:00 sing",yes,'
    b"2025-03-01\n"
)

# Google Sheets (File > Download > Comma-separated values), sheet locale United Kingdom: no BOM, ',', CRLF
# between rows, LF inside multi-line cells, no line break after the last row, dates as the sheet shows them.
GOOGLE_SHEETS = (
    b"id,first_name,birth_year,languages,avoid_songs,consent,consent_date\r\n"
    b'R-040,Doris,1938-05-02,"English\nWelsh","We\'ll Meet Again; Danny Boy",yes,14/03/2025\r\n'
    b"R-041,Stanley,1936,,,,"
)


def _import(kiosk: Run, tmp_path: Path, name: str, raw: bytes, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_bytes(raw)
    return kiosk(*extra, "residents", "import", str(path))


def test_excel_uk_semicolon_file_lists_dates_and_full_birth_date(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    rc, out, err = _import(kiosk, tmp_path, "uk.csv", EXCEL_UK)
    assert rc == 0, err
    assert "birth_year: '14/03/1938' is a full date: only the year 1938 is kept" in out
    peggy, harold = store(data_dir).all()
    assert peggy.avoid_keywords == ("war songs", "Vera Lynn")  # was ONE item "war songs; Vera Lynn"
    assert peggy.favourite_songs == ("Danny Boy", "Galway Bay")
    assert len(peggy.schedule) == 2 and peggy.birth_year == 1938
    assert peggy.consent_date == "2025-03-01"  # 01/03/2025 read day first (the default date_order)
    assert harold.favourite_songs == ('"Swing" Tunes',)
    assert harold.avoid_keywords == ("hymns", "funerals")  # a line break inside a list cell separates too
    assert harold.consent is Consent.NO and harold.consent_date == "2025-03-14"


def test_excel_us_file_with_date_order_mdy(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[residents]\ndate_order = "mdy"\n')
    rc, out, err = _import(kiosk, tmp_path, "us.csv", EXCEL_US, "--config", str(config))
    assert rc == 0, err
    assert "read as Windows-1252" in out
    (renee,) = store(data_dir).all()
    assert renee.first_name == "Renée" and renee.birth_year == 1938 and renee.consent_date == "2025-03-01"
    assert renee.favourite_songs == ("Oh, What a Beautiful Mornin'", "Danny Boy")  # the comma is the title's
    assert renee.avoid_artists == ("Peter, Paul and Mary",)


def test_us_dates_under_the_default_day_first_order_are_refused_with_the_persons_value(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    raw = b"id,first_name,birth_year,consent,consent_date\r\nR-010,Ren,1938,yes,3/14/2025\r\n"
    rc, _, err = _import(kiosk, tmp_path, "us.csv", raw)
    assert rc == 1
    assert "'3/14/2025' is not a day/month/year date" in err and "14 March 2025" in err
    assert 'date_order = "mdy"' in err and store(data_dir).all() == []


def test_excel_sep_line(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    rc, _, err = _import(kiosk, tmp_path, "sep.csv", EXCEL_SEP_LINE)
    assert rc == 0, err
    assert store(data_dir).all()[0].avoid_genres == ("hymns", "brass band")


def test_libreoffice_file_with_multiline_cells(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    rc, _, err = _import(kiosk, tmp_path, "lo.csv", LIBREOFFICE)
    assert rc == 0, err
    (albert,) = store(data_dir).all()
    assert albert.favourite_artists == ("Vera Lynn", "Glenn Miller")
    assert albert.avoid_keywords == ("war", "funeral") and len(albert.schedule) == 2


def test_google_sheets_file_without_a_final_line_break(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    rc, out, err = _import(kiosk, tmp_path, "gs.csv", GOOGLE_SHEETS)
    assert rc == 0, err
    doris, stanley = store(data_dir).all()
    assert doris.languages == ("English", "Welsh") and doris.avoid_songs == ("We'll Meet Again", "Danny Boy")
    assert doris.birth_year == 1938 and "'1938-05-02' is a full date" in out
    assert doris.consent_date == "2025-03-14"
    assert stanley.consent is Consent.UNKNOWN and stanley.languages == ()


def test_every_problem_in_one_pass_with_what_to_do(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    raw = (
        b"\xef\xbb\xbfid;first_name;surname;birth_year;colour;consent_date\r\n"
        b"R-1;Ada;Smith;1800;red;31/02/2025\r\nR-2;;Jones;1940;blue;\r\n"
    )
    rc, _, err = _import(kiosk, tmp_path, "bad.csv", raw)
    assert rc == 1
    lines = err.splitlines()
    assert any(
        "bad.csv:1: surname: this column is not stored: delete it or rename it to preferred_name" in x
        for x in lines
    )
    assert any("bad.csv:1: colour: this column is not stored: delete it" in x for x in lines)
    assert any("bad.csv:2: birth_year: 1800 is out of range" in x for x in lines)
    assert any("bad.csv:2: consent_date: '31/02/2025' is not a day/month/year date" in x for x in lines)
    assert any("bad.csv:3: first_name: is required" in x for x in lines)
    assert "nothing was imported" in lines[-1] and not (data_dir / "residents.json").exists()


@pytest.mark.parametrize(
    ("name", "raw"), [("uk.csv", EXCEL_UK), ("lo.csv", LIBREOFFICE), ("gs.csv", GOOGLE_SHEETS)]
)
def test_export_then_reimport_changes_nothing(
    kiosk: Run, data_dir: Path, tmp_path: Path, name: str, raw: bytes
) -> None:
    assert _import(kiosk, tmp_path, name, raw)[0] == 0
    before = store(data_dir).all()
    assert kiosk("residents", "export", str(tmp_path / "out.csv"))[0] == 0
    rc, out, err = kiosk("residents", "import", str(tmp_path / "out.csv"))
    assert rc == 0, err
    assert f"unchanged ({len(before)})" in out and store(data_dir).all() == before
