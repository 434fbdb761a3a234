"""`kiosk scan` and `kiosk library list` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.cli import main
from tests.audiofiles import make_audio


def _music(tmp_path):
    music = tmp_path / "music"
    make_audio(music / "1950s" / "Waltz.mp3", freq=300, title="Tennessee Waltz", genre="Waltz")
    make_audio(music / "Sixties" / "Moon.flac", freq=310, title="Moon River", date="1961", bpm="80")
    make_audio(music / "Misc" / "Who.ogg", freq=320, title="Who knows")
    (music / "Misc" / "broken.mp3").write_text("oops")
    return music


def test_scan_prints_a_summary(tmp_path, data_dir, capsys):
    music = _music(tmp_path)
    assert main(["--data-dir", str(data_dir), "scan", "--music-dir", str(music)]) == 0
    out = capsys.readouterr()
    assert "Songs: 3 (3 new" in out.out
    assert "1950s: 1" in out.out and "1960s: 1" in out.out
    assert "Unknown era: 1" in out.out
    assert "Misc/broken.mp3: not a readable audio file" in out.out
    assert "\r" not in out.err  # no progress bar when not a terminal
    assert main(["--data-dir", str(data_dir), "scan", "--music-dir", str(music)]) == 0
    assert "0 files read, 4 unchanged" in capsys.readouterr().out  # junk is not re-read either


def test_scan_missing_folder_is_exit_1_with_a_message(tmp_path, data_dir):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(data_dir),
            "scan",
            "--music-dir",
            str(tmp_path / "nope"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "music folder not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_library_list_json_and_decade_filter(tmp_path, data_dir, capsys):
    main(["--data-dir", str(data_dir), "scan", "--music-dir", str(_music(tmp_path))])
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "library", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["title"] for r in rows] == ["Tennessee Waltz", "Moon River", "Who knows"]
    moon = rows[1]
    assert (moon["year"], moon["decade"], moon["era_source"], moon["mood"]) == (
        1961,
        "1960s",
        "tag:DATE",
        "calm",
    )
    assert moon["path"].endswith("Sixties/Moon.flac") and moon["duration_s"] > 0.9
    for decade in ("1950s", "50s", "fifties", "1950"):
        assert main(["--data-dir", str(data_dir), "library", "list", "--json", "--decade", decade]) == 0
        assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Tennessee Waltz"]
    assert main(["--data-dir", str(data_dir), "library", "list", "--json", "--decade", "unknown"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Who knows"]


def test_library_list_table(tmp_path, data_dir, capsys):
    main(["--data-dir", str(data_dir), "scan", "--music-dir", str(_music(tmp_path))])
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "library", "list"]) == 0
    out = capsys.readouterr().out
    assert "1961  1960s    Moon River" in out and "[tag:DATE]" in out and "3 songs" in out


def test_library_list_bad_decade(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "library", "list", "--decade", "swing era"]) == 1
    assert "--decade 'swing era': not a decade" in capsys.readouterr().err


def test_library_list_before_any_scan(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "library", "list"]) == 0
    assert "Run `kiosk scan` first" in capsys.readouterr().out
