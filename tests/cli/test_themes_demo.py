"""Themes and favourites on the real demo library, through real `kiosk` processes: generated audio files,
era.toml sidecars, a real scan into catalogue.json, the fictional residents imported from their CSV."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.residents import ResidentsStore
from kiosk.app.residents_import import import_file
from kiosk.demo.generate import default_songs_file, generate_demo, load_songs
from kiosk.demo.setup import write_demo_residents
from kiosk.domain.preview import preview_residents


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the whole demo library (short tracks) scanned and its residents imported."""
    root = tmp_path_factory.mktemp("themes-demo")
    data_dir = root / "data"
    data_dir.mkdir(mode=0o700)
    report = generate_demo(root / "demo", min_duration_s=2.0)
    scan = scan_library(DataFolder(data_dir), report.music_dir)
    assert scan.unreadable == [] and scan.sidecar_problems == []
    import_file(write_demo_residents(root / "residents"), ResidentRecords(DataFolder(data_dir)))
    return data_dir


def kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120, env=env
    )


def expected(theme: str) -> set[str]:
    """The demo's own statement of which songs have ``theme`` (kiosk/demo/data/songs.toml)."""
    _, songs = load_songs(default_songs_file())
    return {s["title"] for s in songs if theme in s.get("themes", [])}


def test_scan_finds_every_demo_songs_themes_from_sidecar_genre_and_folder(demo_data: Path) -> None:
    _, wanted = load_songs(default_songs_file())
    songs = {s.title: s for s in TinyCatalogue(DataFolder(demo_data)).songs()}
    assert len(songs) == len(wanted)
    for spec in wanted:
        assert set(songs[spec["title"]].themes) == set(spec.get("themes", [])), spec["title"]
    assert expected("war") == {
        "It's a Long Way to Tipperary",  # folder "Wartime Favourites"
        "Keep the Home Fires Burning",  # folder, and genre "Wartime song"
        "Pack Up Your Troubles in Your Old Kit-Bag",  # folder
        "Home Front Swing (demo)",  # era.toml in 1940s/
    }


def test_library_list_theme(demo_data: Path) -> None:
    out = kiosk(demo_data, "library", "list", "--theme", "war", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["title"] for r in rows} == expected("war")
    assert all("war" in r["themes"] for r in rows)
    text = kiosk(demo_data, "library", "list", "--theme", "Lullaby")
    assert text.returncode == 0 and "Blue Lamp Lullaby (demo)" in text.stdout and "1 songs" in text.stdout
    assert "themes: lullabies" in text.stdout
    none = kiosk(demo_data, "library", "list", "--theme", "hymns")
    assert none.returncode == 0 and "No songs with the theme 'religion'" in none.stdout
    bad = kiosk(demo_data, "library", "list", "--theme", "wrr")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "'wrr' is not a theme" in bad.stderr and "themes: war, religion" in bad.stderr


def test_avoiding_war_removes_exactly_the_wartime_songs(demo_data: Path) -> None:
    """D-01 (Edie) avoids the theme war: over many sessions she hears every other song, never a war song."""
    heard: set[str] = set()
    for seed in range(3):
        out = kiosk(demo_data, "playlist", "D-01", "--count", "25", "--seed", str(seed), "--json")
        assert out.returncode == 0, out.stderr
        heard |= {s["title"] for s in json.loads(out.stdout)["songs"]}
    everything = {s.title for s in TinyCatalogue(DataFolder(demo_data)).songs()}
    assert heard == everything - expected("war")


def test_playlist_explain_speaks_of_edie_by_name_and_opens_with_her_favourite(demo_data: Path) -> None:
    out = kiosk(demo_data, "playlist", "D-01", "--count", "6", "--seed", "2", "--explain")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1].startswith("  1. Let Me Call You Sweetheart")  # her favourite that is in the library
    assert lines[2].strip().startswith("One of Edie's favourites, played early in the session.")
    assert "when Edie was" in out.stdout and "weight" not in out.stdout
    # the library is small: it says so, and which decades to add (she was 10-30 in 1918-1938)
    assert "from Edie's youth (1918 to 1938): adding songs from the 1920s" in out.stdout
    debug = kiosk(demo_data, "playlist", "D-01", "--count", "6", "--seed", "2", "--explain", "--debug")
    assert debug.stdout.count("[weight ") == 6


def test_dry_run_preview_of_the_demo_residents(demo_data: Path) -> None:
    data = DataFolder(demo_data)
    songs = list(TinyCatalogue(data).songs())
    residents = {r.staff_id: r for r in ResidentsStore(data).all()}
    now = datetime(2026, 3, 1, tzinfo=UTC)
    edie, bert, ken = preview_residents([residents[k] for k in ("D-01", "D-02", "D-06")], songs, now=now)
    war = next(e for e in edie.effects if e.field == "avoid_themes")
    assert war.entry == "war" and war.removed == 4 and len(war.titles) == 3
    assert set(war.titles) <= expected("war")
    assert edie.removed_total == 4 and edie.warnings == []
    assert edie.first_songs[0].song.title == "Let Me Call You Sweetheart"
    assert all(c.song.title not in expected("war") for c in edie.first_songs)
    # Bert names two favourites, both in the library: one of them opens (they take turns, session by session)
    assert bert.first_songs[0].song.title in {
        "It's a Long Way to Tipperary",
        "Pack Up Your Troubles in Your Old Kit-Bag",
    }
    # Ken avoids the word "funeral": no demo song has it, and it names the theme bereavement, which Danny Boy has
    funeral = ken.effects[0]
    assert funeral.entry == "funeral" and funeral.by_themes == ("bereavement",)
    assert funeral.removed == 1 and funeral.titles == ("Danny Boy",)
    text = "\n".join(edie.lines())
    assert "'war' (theme) removes 4 songs: " in text and "and 1 more" in text
    assert "note: Only" in text and "Edie's youth" in text


def test_edited_era_toml_themes_take_effect_on_rescan(demo_data: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    shutil.copytree(demo_data.parent / "demo" / "music", music)
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    assert kiosk(data_dir, "scan", "--music-dir", str(music)).returncode == 0
    (music / "1950s" / "era.toml").write_text('themes = ["heartbreak"]\n', encoding="utf-8")
    rescan = kiosk(data_dir, "scan", "--music-dir", str(music))
    assert rescan.returncode == 0, rescan.stderr
    out = json.loads(kiosk(data_dir, "library", "list", "--theme", "heartbreak", "--json").stdout)
    assert {r["title"] for r in out} == {"Sock Hop Stroll (demo)", "Sweetheart Doo-Wop (demo)"}
    (music / "1950s" / "era.toml").write_text('themes = ["heartbrake"]\n', encoding="utf-8")
    bad = kiosk(data_dir, "scan", "--music-dir", str(music))
    assert bad.returncode == 0  # a bad era.toml never stops a scan; it is reported
    assert "1950s/era.toml: themes: 'heartbrake' is not a theme (did you mean 'heartbreak'?" in bad.stdout
