"""The library scan on real folders: era rules end to end, junk, incremental rescans, pruning, renames."""

from __future__ import annotations

import gc
import os
import shutil

import pytest

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.tags import MutagenTagReader
from kiosk.errors import UserError
from tests.audiofiles import make_audio


def _files(data: DataFolder):
    return sorted((data.root / "catalogue").glob("*.json"))


def _stamps(data: DataFolder):
    """(name, inode, mtime) of every catalogue file: a write (atomic rename) changes the inode."""
    return [(p.name, p.stat().st_ino, p.stat().st_mtime_ns) for p in _files(data)]


def _bytes(data: DataFolder):
    return [(p.name, p.read_bytes()) for p in _files(data)]


def by_title(data: DataFolder):
    return {s.title: s for s in TinyCatalogue(data).songs()}


@pytest.fixture
def library(tmp_path):
    """A small, realistic, messy music folder."""
    music = tmp_path / "music"
    make_audio(music / "1950s" / "01 - Tennessee Waltz.mp3", freq=300)  # no tags: folder + file name
    make_audio(music / "Fifties" / "Rock.ogg", freq=310, title="Rock Around", date="1998", genre="Rock")
    make_audio(music / "Beatles" / "She Loves You.flac", freq=320, title="She Loves You", date="1963-08-23")
    make_audio(
        music / "Hits of the 60s (2005)" / "Moon.m4a",
        freq=330,
        title="Moon River",
        date="2005",
        originaldate="1961",
        albumartist="Various Artists",
    )
    make_audio(
        music / "Hits of the 60s (2005)" / "Sugar.opus", freq=340, title="Sugar", date="2005", compilation="1"
    )
    make_audio(music / "Mum's CDs" / "Danny Boy.wav", freq=350, title="Danny Boy", date="1965-00-00")
    make_audio(music / "Mum's CDs" / "Unknown.mp3", freq=360, title="Mystery")
    (music / "Mum's CDs" / "Danny Boy.lrc").write_text("[00:01.00]Oh Danny boy\n", encoding="utf-8")
    (music / "Mum's CDs" / "era.toml").write_text('mood = "calm"\n[files."Unknown.mp3"]\nyear = 1944\n')
    (music / "Mum's CDs" / "cover.jpg").write_bytes(b"\xff\xd8 not scanned")
    return music


def test_every_era_rule_on_real_files(library, data_dir):
    data = DataFolder(data_dir)
    report = scan_library(data, library)
    songs = by_title(data)
    assert report.songs == 7 and report.unreadable == []
    assert (songs["Tennessee Waltz"].year, songs["Tennessee Waltz"].era_source) == (1950, "folder")
    rock = songs["Rock Around"]
    assert (rock.year, rock.era_source, rock.mood) == (1950, "folder", "upbeat")
    assert "1998 ignored" in rock.era_note
    assert (songs["She Loves You"].year, songs["She Loves You"].era_source) == (1963, "tag:DATE")
    assert (songs["Moon River"].year, songs["Moon River"].era_source) == (1961, "tag:ORIGINALDATE")
    assert (songs["Sugar"].year, songs["Sugar"].era_source) == (1960, "folder")  # compilation: 2005 ignored
    danny = songs["Danny Boy"]
    assert (danny.year, danny.era_source, danny.mood, danny.has_lyrics) == (1965, "tag:TDRC", "calm", True)
    assert danny.lyrics_path and danny.lyrics_path.endswith("Danny Boy.lrc")
    assert (songs["Mystery"].year, songs["Mystery"].era_source) == (1944, "sidecar:file")
    assert report.per_decade == {"1940s": 1, "1950s": 2, "1960s": 4}
    assert report.unknown_era == 0
    assert all(os.path.isabs(s.path) and os.path.exists(s.path) for s in songs.values())


@pytest.mark.parametrize(
    ("fmt", "date", "year"),
    [
        ("ogg", "'65", 1965),
        ("flac", "c. 1960", 1960),
        ("opus", "1965/1966", 1965),
        ("mp3", "1965-00-00", 1965),
    ],
)
def test_messy_date_tags_in_real_files(tmp_path, data_dir, fmt, date, year):
    make_audio(tmp_path / "m" / "Misc" / f"x.{fmt}", title="Messy", date=date)
    scan_library(DataFolder(data_dir), tmp_path / "m")
    assert by_title(DataFolder(data_dir))["Messy"].year == year


def test_unknown_era_is_counted(tmp_path, data_dir):
    make_audio(tmp_path / "m" / "Misc" / "x.flac", title="Nobody knows")
    report = scan_library(DataFolder(data_dir), tmp_path / "m")
    assert report.unknown_era == 1
    assert by_title(DataFolder(data_dir))["Nobody knows"].era_source == "unknown"


def test_junk_is_reported_and_skipped_never_fatal(library, data_dir):
    (library / "empty.mp3").write_bytes(b"")
    (library / "letter.mp3").write_text("not music at all\n" * 50)
    (library / "Beatles" / "loop").symlink_to("..")
    (library / "self.mp3").symlink_to(library / "self.mp3")
    bad_name = os.fsencode(str(library)) + b"/caf\xe9.mp3"
    shutil.copyfile(library / "Beatles" / "She Loves You.flac", bad_name)
    make_audio(library / "art.mp3", title="Huge art", picture_bytes=b"\xff\xd8" + bytes(3_000_000))
    reader = MutagenTagReader(max_tag_bytes=1_000_000)
    report = scan_library(DataFolder(data_dir), library, reader=reader)
    reasons = dict(report.unreadable)
    assert report.songs == 7
    assert "empty file" in reasons["empty.mp3"]
    assert "not a readable audio file" in reasons["letter.mp3"]
    assert "loop" in reasons["Beatles/loop"]
    assert "link" in reasons["self.mp3"]
    assert "UTF-8" in reasons["caf\ufffd.mp3"]
    assert "cover art too large" in reasons["art.mp3"]
    # a rescan does not open the same junk again
    reads = reader.reads
    again = scan_library(DataFolder(data_dir), library, reader=reader)
    assert reader.reads == reads
    assert dict(again.unreadable) == reasons


def test_incremental_rescan_reads_only_changed_files(library, data_dir):
    data = DataFolder(data_dir)
    reader = MutagenTagReader()
    first = scan_library(data, library, reader=reader)
    assert reader.reads == 7 and first.written
    stamp = _stamps(data)
    second = scan_library(data, library, reader=reader)
    assert reader.reads == 7, "unchanged files must not be opened again"
    assert (second.read, second.unchanged, second.written) == (0, 7, False)
    assert _stamps(data) == stamp  # nothing written
    song = library / "Beatles" / "She Loves You.flac"
    make_audio(song, freq=320, title="She Loves You (mono)", date="1963")
    third = scan_library(data, library, reader=reader)
    assert reader.reads == 8 and third.read == 1
    assert "She Loves You (mono)" in by_title(data)


def test_sidecar_edit_applies_without_rereading_audio(library, data_dir):
    data = DataFolder(data_dir)
    reader = MutagenTagReader()
    scan_library(data, library, reader=reader)
    reads = reader.reads
    (library / "Fifties" / "era.toml").write_text('[files."Rock.ogg"]\nyear = 1955\nmood = "calm"\n')
    report = scan_library(data, library, reader=reader)
    assert reader.reads == reads
    rock = by_title(data)["Rock Around"]
    assert (rock.year, rock.era_source, rock.mood) == (1955, "sidecar:file", "calm")
    assert report.written


def test_bad_sidecar_is_reported_not_fatal(library, data_dir):
    (library / "Beatles" / "era.toml").write_text("year = \n")
    report = scan_library(DataFolder(data_dir), library)
    assert report.songs == 7
    assert len(report.sidecar_problems) == 1 and report.sidecar_problems[0].startswith("Beatles/era.toml:1")


def test_removed_files_are_pruned(library, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, library)
    (library / "Beatles" / "She Loves You.flac").unlink()
    report = scan_library(data, library)
    assert report.removed == 1 and report.songs == 6
    assert "She Loves You" not in by_title(data)


def test_rename_and_move_keep_identity_and_flags(library, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, library)
    catalogue = TinyCatalogue(data)
    before = by_title(data)["She Loves You"]
    catalogue.mark_suspect(before.song_id, "ended early")
    (library / "Sixties").mkdir()
    os.rename(
        library / "Beatles" / "She Loves You.flac", library / "Sixties" / "03 She Loves You (1963).flac"
    )
    report = scan_library(data, library)
    after = by_title(data)["She Loves You"]
    assert after.song_id == before.song_id
    assert after.path.endswith("Sixties/03 She Loves You (1963).flac")
    assert after.suspect == "ended early"
    assert (report.moved, report.added, report.removed) == (1, 0, 0)


def test_same_audio_twice_is_listed_once(library, data_dir):
    shutil.copyfile(library / "Beatles" / "She Loves You.flac", library / "Fifties" / "copy.flac")
    report = scan_library(DataFolder(data_dir), library)
    assert report.songs == 7
    assert any("same audio as 'Beatles/She Loves You.flac'" in r for _, r in report.unreadable)


def test_missing_music_folder_changes_nothing(library, data_dir, tmp_path):
    data = DataFolder(data_dir)
    scan_library(data, library)
    before = _bytes(data)
    with pytest.raises(UserError, match="music folder not found"):
        scan_library(data, tmp_path / "unplugged-usb")
    assert _bytes(data) == before


def test_empty_music_folder_keeps_the_catalogue(library, data_dir, tmp_path):
    data = DataFolder(data_dir)
    scan_library(data, library)
    before = _bytes(data)
    (tmp_path / "empty-mount").mkdir()
    with pytest.raises(UserError, match="no music found"):
        scan_library(data, tmp_path / "empty-mount")
    assert _bytes(data) == before
    report = scan_library(data, tmp_path / "empty-mount", allow_empty=True)
    assert report.songs == 0 and report.removed == 7


def test_rescan_of_many_unchanged_files_writes_nothing(tmp_path, data_dir):
    """The store sorts document keys ("1", "10", "2"...): comparing in stored order would rewrite every time."""
    for i in range(12):
        make_audio(tmp_path / "m" / "1960s" / f"{i:02d}.ogg", freq=300 + 10 * i, title=f"Song {i}")
    data = DataFolder(data_dir)
    assert scan_library(data, tmp_path / "m").written
    stamp = _stamps(data)
    again = scan_library(data, tmp_path / "m")
    assert not again.written and again.unchanged == 12
    assert _stamps(data) == stamp


class _GcWatchingReader(MutagenTagReader):
    """The real reader, noting whether the garbage collector was on while each file was read."""

    def __init__(self) -> None:
        super().__init__()
        self.gc_on: list[bool] = []

    def read_file(self, path):
        self.gc_on.append(gc.isenabled())
        return super().read_file(path)


def test_scan_collects_while_reading_and_leaves_the_collector_as_found(library, data_dir, tmp_path):
    """The scan pauses the cyclic collector for the walk and the catalogue load (speed at 100,000 songs); files
    are read with it on, and it is left as found (by the kiosk's load too), also after a refused scan and when
    it was off already."""
    data = DataFolder(data_dir)
    reader = _GcWatchingReader()
    assert scan_library(data, library, reader=reader).read == 7
    assert reader.gc_on == [True] * 7
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert len(by_title(data)) == 7  # the catalogue's load pauses it too
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (tmp_path / "empty-mount").mkdir()
    with pytest.raises(UserError, match="no music found"):
        scan_library(data, tmp_path / "empty-mount")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        (library / "1950s" / "01 - Tennessee Waltz.mp3").unlink()
        reader = _GcWatchingReader()
        make_audio(library / "1950s" / "New.mp3", freq=370, title="New")
        assert scan_library(data, library, reader=reader).read == 1
        assert reader.gc_on == [False] and not gc.isenabled() and gc.get_freeze_count() == 0
        assert "New" in by_title(data) and not gc.isenabled()
    finally:
        gc.enable()


def test_progress_reports_every_file(library, data_dir):
    calls = []
    scan_library(DataFolder(data_dir), library, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (7, 7) and len(calls) == 7


def test_damaged_catalogue_is_set_aside_and_rebuilt(library, data_dir):
    data = DataFolder(data_dir)
    data.path("catalogue").write_text('{"songs": {"1": {"title": ')  # the single file of earlier versions
    report = scan_library(data, library)
    assert report.songs == 7
    assert len(TinyCatalogue(data).songs()) == 7
    assert list(data_dir.glob("catalogue.json.damaged-*"))
    for shard in (data_dir / "catalogue").glob("shard-*.json"):
        shard.write_bytes(b"\0" * 100)
    for copy in (data_dir / "catalogue" / ".backups").glob("*"):
        copy.unlink()
    again = scan_library(data, library)
    assert (again.songs, again.read) == (7, 7)  # the songs of damaged shards are read again
    assert len(TinyCatalogue(data).songs()) == 7
    assert list((data_dir / "catalogue").glob("shard-*.json.damaged-*"))


def test_suspect_marks_made_during_a_scan_are_kept(library, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, library)
    song = by_title(data)["Sugar"]
    (library / "Beatles" / "She Loves You.flac").unlink()  # so the next scan writes

    def progress(done, total):
        if done == 1:  # the kiosk flags a song while the scan is running
            TinyCatalogue(DataFolder(data_dir)).mark_suspect(song.song_id, "failed to play")

    scan_library(data, library, progress=progress)
    assert by_title(data)["Sugar"].suspect == "failed to play"


def test_folder_sidecar_reaches_subfolders_and_nearest_wins(tmp_path, data_dir):
    music = tmp_path / "m"
    make_audio(music / "Dad" / "Album A" / "a.mp3", freq=300, title="A")
    make_audio(music / "Dad" / "Album B" / "b.flac", freq=310, title="B")
    (music / "Dad" / "era.toml").write_text('year = 1952\nmood = "calm"\n')
    (music / "Dad" / "Album B" / "era.toml").write_text("year = 1961\n")
    scan_library(DataFolder(data_dir), music)
    songs = by_title(DataFolder(data_dir))
    assert (songs["A"].year, songs["A"].era_source, songs["A"].mood) == (1952, "sidecar", "calm")
    assert (songs["B"].year, songs["B"].mood) == (1961, "calm")
    assert songs["B"].era_note == "Dad/Album B/era.toml"


def test_notepad_sidecar_with_bom_and_txt_extension(tmp_path, data_dir):
    music = tmp_path / "m"
    make_audio(music / "Hymns" / "a.mp3", freq=300, title="Calon Lân")
    (music / "Hymns" / "era.toml.txt").write_bytes(
        '\ufeffyear = 1947\r\nlanguage = "Welsh"\r\n'.encode("utf-8")
    )
    report = scan_library(DataFolder(data_dir), music)
    assert report.sidecar_problems == []
    song = by_title(DataFolder(data_dir))["Calon Lân"]
    assert (song.year, song.era_source, song.language) == (1947, "sidecar", "cy")


def test_folder_picture_is_the_cover(tmp_path, data_dir):
    music = tmp_path / "m"
    make_audio(music / "Album" / "a.ogg", freq=300, title="With art")
    make_audio(music / "Other" / "b.ogg", freq=310, title="Without")
    (music / "Album" / "Folder.jpg").write_bytes(b"\xff\xd8 picture")
    scan_library(DataFolder(data_dir), music)
    songs = by_title(DataFolder(data_dir))
    assert songs["With art"].cover_path == str((music / "Album" / "Folder.jpg").resolve())
    assert songs["Without"].cover_path is None


def test_overlapping_pauses_in_two_threads_leave_the_collector_on() -> None:
    """The kiosk loads the catalogue from the warm-up thread while the UI thread reads it: pauses that end in
    any order must leave the collector as the first found it (months unattended with it off would leak)."""
    import gc
    import threading

    from kiosk.adapters.catalogue_store import gc_paused

    assert gc.isenabled()
    for a_ends_first in (True, False):
        b_in, b_release = threading.Event(), threading.Event()

        def other(b_in: threading.Event = b_in, b_release: threading.Event = b_release) -> None:
            with gc_paused():
                b_in.set()
                b_release.wait(5)

        t = threading.Thread(target=other)
        with gc_paused() as resume:
            t.start()
            assert b_in.wait(5)
            resume()
            assert not gc.isenabled()  # another pause is open: resume() must not turn it on under it
            if not a_ends_first:
                b_release.set()
                t.join(5)
                assert not gc.isenabled()  # this pause is still open
        assert gc.isenabled() is not a_ends_first  # the other pause still open when this one ends first
        b_release.set()
        t.join(5)
        assert gc.isenabled(), a_ends_first
        assert gc.get_freeze_count() == 0
