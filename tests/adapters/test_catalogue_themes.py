"""A catalogue stored before songs had themes: avoided themes protect residents from the upgrade on."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.cli import main


def old_doc(i: int, title: str, rel: str, genre: str = "", album: str = "") -> dict[str, object]:
    """A song document as scans wrote it before themes existed (no "themes" key)."""
    return {
        "song_id": f"s{i}",
        "path": f"/srv/kiosk/music/{rel}",
        "title": title,
        "artist": "Someone",
        "genre": genre,
        "album": album,
        "year": 1940 + i,
        "rel": rel,
    }


def test_old_documents_get_themes_from_genre_album_and_folders(data_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    docs = [
        old_doc(0, "We'll Meet Again", "Wartime Favourites/We'll Meet Again.mp3"),
        old_doc(1, "Abide with Me", "1940s/Abide with Me.mp3", genre="Hymn"),
        old_doc(2, "Lili Marlene", "1940s/Lili Marlene.mp3", album="The War Years"),
        old_doc(3, "Moonlight Serenade", "1940s/Moonlight Serenade.mp3", genre="Swing"),
        {**old_doc(4, "Tagged Later", "x/Tagged Later.mp3"), "themes": ["heartbreak"]},
        {**old_doc(5, "Damaged", "Wartime/Damaged.mp3"), "themes": 7},  # not a list: as if unset
    ]
    with DataFolder(data_dir).write("catalogue") as db:
        db.table("songs").insert_multiple(docs)
    themes = {s.title: s.themes for s in TinyCatalogue(DataFolder(data_dir)).songs()}
    assert themes == {
        "We'll Meet Again": ("war",),
        "Abide with Me": ("religion",),
        "Lili Marlene": ("war",),
        "Moonlight Serenade": (),
        "Tagged Later": ("heartbreak",),
        "Damaged": ("war",),  # its folder "Wartime"
    }
    assert main(["--data-dir", str(data_dir), "residents", "import", str(residents(data_dir.parent))]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "playlist", "R-1", "--count", "10", "--json"]) == 0
    titles = {s["title"] for s in json.loads(capsys.readouterr().out)["songs"]}
    assert titles == {"Moonlight Serenade", "Tagged Later", "Abide with Me"}


def residents(folder: Path) -> Path:
    path = folder / "residents.csv"
    path.write_text("id,first_name,birth_year,avoid_themes\nR-1,Ada,1930,war\n", encoding="utf-8")
    return path
