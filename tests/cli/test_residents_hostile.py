"""`kiosk residents import` against hostile input: encodings, Excel exports, junk, huge files, paths that try to
leave the import folder. Every case must end in a message and exit 1 (or a clean import), never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.residents_support import HEADER, Run, kiosk, photo, store, write

__all__ = ["kiosk"]  # the fixture


def test_excel_semicolon_csv_with_bom(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    text = (
        "id;first_name;birth_year;favourite_artists;schedule;notes\r\n"
        'R-1;Zoë;1941;"Vera Lynn; Glenn Miller";"16:00-18:00 relax; 09:00-10:00 move";"Likes tea; and cake"\r\n'
        ";;;;;\r\n"
    )
    csv = tmp_path / "excel.csv"
    csv.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    rc, out, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    (r,) = store(data_dir).all()
    assert r.first_name == "Zoë" and r.favourite_artists == ("Vera Lynn", "Glenn Miller")
    assert len(r.schedule) == 2 and r.notes == "Likes tea; and cake"


def test_windows_1252_is_read_and_said(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = write(tmp_path / "old.csv", f"{HEADER},hometown\nR-1,Renée,1941,Düsseldorf\n", encoding="cp1252")
    rc, out, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    assert "read as Windows-1252" in out
    (r,) = store(data_dir).all()
    assert (r.first_name, r.hometown) == ("Renée", "Düsseldorf")


def test_utf16_unicode_text(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = write(tmp_path / "u16.csv", f"{HEADER}\nR-1,Łucja,1941\n", encoding="utf-16")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    assert store(data_dir).all()[0].first_name == "Łucja"


def test_json_errors_carry_line_numbers(kiosk: Run, tmp_path: Path) -> None:
    text = '[\n  {"id": "R-1", "first_name": "Ada", "birth_year": 1938},\n  {"id": "R-2",\n   "first_name": "",\n   "birth_year": 1800, "colour": "red"}\n]\n'
    path = write(tmp_path / "r.json", text)
    rc, _, err = kiosk("residents", "import", str(path))
    assert rc == 1
    assert f"{path}:3: colour: this key is not stored: delete it" in err
    rc, _, err = kiosk("residents", "import", str(write(tmp_path / "bad.json", '[{"id": "R-1",\n "x": }]')))
    assert rc == 1 and f"{tmp_path / 'bad.json'}:2: not valid JSON" in err


def test_columns_unknown_missing_duplicated(kiosk: Run, tmp_path: Path) -> None:
    csv = write(tmp_path / "c.csv", "id,first_name,fav_artists,first_name,colour\nR-1,Ada,x,Ada,red\n")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1
    assert (
        f"{csv}:1: fav_artists: this column is not stored: delete it or rename it to favourite_artists" in err
    )
    assert f"{csv}:1: first_name: column appears twice" in err
    assert f"{csv}:1: colour: this column is not stored: delete it (the columns" in err
    rc, _, err = kiosk(
        "residents", "import", str(write(tmp_path / "d.csv", "first_name,surname\nAda,Smith\n"))
    )
    assert rc == 1
    assert "d.csv:1: surname: this column is not stored: delete it or rename it to preferred_name" in err
    assert "d.csv:1: id: required column is missing" in err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../outside.jpg", "'..' is not allowed"),
        ("photos/../../outside.jpg", "'..' is not allowed"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("C:\\Users\\x.jpg", "absolute paths are not allowed"),
        ("~/x.jpg", "absolute paths are not allowed"),
        ("missing.jpg", "no such file"),
        ("link.jpg", "leads outside"),
        ("dirlink/outside.jpg", "leads outside"),
        ("notes.jpg", "not an image"),
        ("sub", "is not a file"),
    ],
)
def test_photo_paths_stay_inside_the_import_folder(
    kiosk: Run, tmp_path: Path, value: str, message: str
) -> None:
    outside = photo(tmp_path / "outside.jpg")
    folder = tmp_path / "stick"
    (folder / "sub").mkdir(parents=True)
    os.symlink(outside, folder / "link.jpg")
    os.symlink(tmp_path, folder / "dirlink")
    write(folder / "notes.jpg", "this is not a picture")
    csv = write(folder / "r.csv", f'{HEADER},photo\nR-1,Ada,1938,"{value}"\n')
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1
    assert f"{csv}:2: photo:" in err and message in err


def test_image_type_checked(kiosk: Run, tmp_path: Path) -> None:
    img = Image.new("RGB", (16, 16))
    img.save(tmp_path / "icon.ico", format="ICO")
    csv = write(tmp_path / "r.csv", f"{HEADER},photo\nR-1,Ada,1938,icon.ico\n")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and "use a JPEG or PNG photo" in err


def test_huge_file_is_refused_quickly(kiosk: Run, tmp_path: Path) -> None:
    big = tmp_path / "huge.csv"
    with open(big, "wb") as fh:
        fh.write(f"{HEADER}\n".encode())
        fh.truncate(100 * 1024 * 1024)  # 100 MB (sparse)
    rc, _, err = kiosk("residents", "import", str(big))
    assert rc == 1 and "larger than 5 MB" in err  # refused by its size (the time it takes: not a test's job)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 20, "not a text file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x01\x02\x03" * 50, "control characters"),
        (b"", "is empty"),
        (HEADER.encode() + b"\n", "has no residents"),
        (b'id,first_name,birth_year\n"R-1,Ada,1938\n', "not valid CSV"),
    ],
)
def test_junk_gets_a_message_not_a_traceback(
    kiosk: Run, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(content)
    rc, _, err = kiosk("residents", "import", str(path))
    assert rc == 1 and message in err and "Traceback" not in err and "internal error" not in err


def test_missing_file_and_folder(kiosk: Run, tmp_path: Path) -> None:
    rc, _, err = kiosk("residents", "import", str(tmp_path / "nope.csv"))
    assert rc == 1 and "no such file" in err
    rc, _, err = kiosk("residents", "import", str(tmp_path))
    assert rc == 1 and "is a folder" in err


def test_row_with_too_many_values(kiosk: Run, tmp_path: Path) -> None:
    csv = write(tmp_path / "r.csv", f"{HEADER}\nR-1,Ada,1938,oops\n")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and f"{csv}:2: row: has 4 values but the header has 3 columns" in err


def test_photo_with_too_many_pixels_is_refused(kiosk: Run, tmp_path: Path) -> None:
    Image.new("1", (8000, 8000)).save(tmp_path / "huge.png")  # 64 million pixels, a small file
    csv = write(tmp_path / "r.csv", f"{HEADER},photo\nR-1,Ada,1938,huge.png\n")
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and "too large for a photo" in err


def test_deeply_nested_json_gets_a_message(kiosk: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    rc, _, err = kiosk("residents", "import", str(path))
    assert rc == 1 and "nested too deeply" in err


def test_excel_sep_line_and_friendly_headers(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = write(
        tmp_path / "r.csv",
        "sep=;\nID;First Name;Birth-Year;Avoid Keywords\nR-1;Ada;1938;war, funeral\nR-2;;1940;\n",
    )
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 1 and f"{csv}:4: first_name: is required" in err  # line numbers count the sep= line
    write(csv, 'sep=;\nID;First Name;Birth-Year;Avoid Keywords\nR-1;Ada;1938;"war; funeral"\n')
    rc, _, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    assert store(data_dir).all()[0].avoid_keywords == ("war", "funeral")


def test_latin1_bytes_not_in_windows_1252(kiosk: Run, data_dir: Path, tmp_path: Path) -> None:
    csv = tmp_path / "l1.csv"
    csv.write_bytes(f"{HEADER},notes\nR-1,Ada,1938,".encode() + b"odd \x81 byte\n")
    rc, out, err = kiosk("residents", "import", str(csv))
    assert rc == 0, err
    assert "read as Latin-1" in out
    assert store(data_dir).all()[0].first_name == "Ada"
