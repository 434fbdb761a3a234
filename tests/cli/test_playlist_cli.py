"""`kiosk playlist`: real residents store, a catalogue written as the library stores it, rollups as history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.history import load_history
from kiosk.cli import main
from kiosk.domain.models import Song

REPO = Path(__file__).resolve().parents[2]


def catalogue(data_dir: Path) -> list[Song]:
    songs = []
    for i, year in enumerate(range(1900, 1990)):
        songs.append(
            Song(
                song_id=f"s{i}",
                path=f"/music/{i}.ogg",
                title=f"Tune {i}" if i != 12 else "Keep the Home Fires Burning",
                artist=f"Band {i % 9}",
                genre=["waltz", "music hall", "swing", "pop"][i % 4],
                year=year,
                mood=["calm", "upbeat", None][i % 3],
                has_lyrics=i % 2 == 0,
            )
        )
    with DataFolder(data_dir).write("catalogue") as db:
        table = db.table("songs")
        for s in songs:
            table.insert({**s.to_dict(), "scanned_at": "2026-01-01T00:00:00Z", "size_bytes": 1234})
    return songs


@pytest.fixture
def ready(data_dir: Path) -> Path:
    assert (
        main(
            ["--data-dir", str(data_dir), "residents", "import", str(REPO / "kiosk/demo/data/residents.csv")]
        )
        == 0
    )
    catalogue(data_dir)
    return data_dir


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--data-dir", str(data_dir), "playlist", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_playlist_json_is_deterministic_and_respects_avoid(
    ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(ready, capsys, "D-01", "--count", "30", "--seed", "5", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["residents"] == ["D-01"] and len(doc["songs"]) == 30
    assert all(s["title"] != "Keep the Home Fires Burning" for s in doc["songs"])
    assert all(s["reason"] for s in doc["songs"])
    again = json.loads(run(ready, capsys, "D-01", "--count", "30", "--seed", "5", "--json")[1])
    assert again == doc


def test_playlist_text_explain_and_mode(ready: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(
        ready, capsys, "D-05", "D-06", "--mode", "move", "--count", "5", "--seed", "1", "--explain"
    )
    assert rc == 0
    assert out.startswith("Playlist for D-05, D-06: 5 songs, mode move (chosen)")
    # plain sentences with the preferred names (D-06 is "Ken"), no weights unless --debug
    assert "when Joan was" in out and "Ken" in out and "weight" not in out
    rc, debug, _ = run(
        ready, capsys, "D-05", "D-06", "--mode", "move", "--count", "5", "--seed", "1", "--explain", "--debug"
    )
    assert rc == 0 and debug.count("[weight ") == 5


def test_playlist_unknown_ids_and_empty_library(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(data_dir, capsys, "X-1", "X-2")
    assert rc == 1 and "no resident with id 'X-1'" in err and "no resident with id 'X-2'" in err
    assert (
        main(
            ["--data-dir", str(data_dir), "residents", "import", str(REPO / "kiosk/demo/data/residents.csv")]
        )
        == 0
    )
    rc, _, err = run(data_dir, capsys, "D-01")
    assert rc == 1 and "music library is empty" in err
    rc, _, err = run(data_dir, capsys, "D-01", "--count", "0")
    assert rc == 1 and "--count 0" in err


def test_history_from_rollups_moves_a_liked_song_up(ready: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = DataFolder(ready)
    rid = next(
        d["resident_id"] for d in data.read("residents").table("residents").all() if d["staff_id"] == "D-04"
    )

    def appearances() -> int:
        hits = 0
        for seed in range(15):
            out = run(ready, capsys, "D-04", "--count", "8", "--seed", str(seed), "--json")[1]
            hits += sum(1 for song in json.loads(out)["songs"] if song["song_id"] == "s45")
        return hits

    before = appearances()
    now = datetime.now(UTC)
    at = (now - timedelta(days=5)).isoformat().replace("+00:00", "Z")
    plays = [{"song_id": "s45", "outcome": "completed", "listened_s": 180.0, "liked": True, "at": at}] * 6
    with data.write(f"rollups-{now:%Y-%m}") as db:
        db.table("rollups").insert({"session_id": "x", "resident_ids": [rid], "plays": plays})
    assert len(load_history(data, [rid], now)[rid]) == 6
    after = appearances()
    assert after >= 9 and after > 2 * before + 3, (before, after)
    reasons = []
    for seed in range(15):
        out = run(ready, capsys, "D-04", "--count", "8", "--seed", str(seed), "--json")[1]
        reasons += [song["reason"] for song in json.loads(out)["songs"] if song["song_id"] == "s45"]
    assert reasons and all("They enjoyed it before" in r for r in reasons)  # JSON reasons carry no names
