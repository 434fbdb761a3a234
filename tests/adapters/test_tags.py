"""The mutagen tag reader on real files in every format (made with sox/ffmpeg, tagged with mutagen)."""

from __future__ import annotations

import shutil
import tracemalloc

import pytest

from kiosk.adapters.tags import MutagenTagReader
from kiosk.domain.library import UnreadableFile
from tests.audiofiles import FORMATS, make_audio, write_tags

ALL_TAGS = dict(
    title="Moon River",
    artist="Andy Williams",
    album="Hits of the 60s",
    albumartist="Various Artists",
    genre="Easy Listening",
    date="2005-03-01",
    originaldate="1961-10-01",
    bpm="84",
    lyrics="Moon river, wider than a mile",
    language="eng",
    track="3",
    compilation="1",
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_every_field_in_every_format(tmp_path, fmt):
    path = make_audio(tmp_path / f"song.{fmt}", seconds=1.0, **ALL_TAGS)
    tags = MutagenTagReader().read(str(path))
    assert tags.format == fmt
    assert (tags.title, tags.artist, tags.album, tags.album_artist) == (
        "Moon River",
        "Andy Williams",
        "Hits of the 60s",
        "Various Artists",
    )
    assert tags.genre == "Easy Listening"
    assert tags.track_no == 3
    assert tags.bpm == 84.0
    assert tags.has_lyrics is True
    assert tags.language == "eng"
    assert tags.compilation is True
    assert any("1961" in raw for _, raw in tags.original_dates), tags.original_dates
    assert any("2005" in raw for _, raw in tags.recording_dates), tags.recording_dates
    assert 0.9 < tags.duration_s < 1.2


def test_id3_v23_tory_tyer_are_read_as_original_and_recording(tmp_path):
    path = make_audio(tmp_path / "a.mp3", id3_version=3, title="Old", date="1998", originaldate="1957")
    tags = MutagenTagReader().read(str(path))
    assert dict(tags.original_dates) == {"TDOR": "1957"}
    assert dict(tags.recording_dates) == {"TDRC": "1998"}


def test_id3v1_only(tmp_path):
    from mutagen import id3

    path = make_audio(tmp_path / "v1.mp3", title="Tennessee Waltz", artist="Patti Page", date="1950")
    id3.ID3(str(path)).save(str(path), v1=2)  # write an ID3v1 trailer as well
    id3.delete(str(path), delete_v1=False, delete_v2=True)  # and drop the v2 header
    with open(path, "rb") as fh:
        assert fh.read(3) != b"ID3"
    tags = MutagenTagReader().read(str(path))
    assert (tags.title, tags.artist) == ("Tennessee Waltz", "Patti Page")
    assert dict(tags.recording_dates)["TDRC"] == "1950"


def test_original_year_in_txxx_and_vorbis_originalyear(tmp_path):
    mp3 = make_audio(tmp_path / "a.mp3", originalyear="1955")
    ogg = make_audio(tmp_path / "a.ogg", originalyear="1956")
    assert MutagenTagReader().read(str(mp3)).original_dates == (("TXXX:ORIGINALYEAR", "1955"),)
    assert MutagenTagReader().read(str(ogg)).original_dates == (("ORIGINALYEAR", "1956"),)


def test_untagged_file_reads_with_empty_fields(tmp_path):
    path = make_audio(tmp_path / "bare.flac")
    tags = MutagenTagReader().read(str(path))
    assert tags.title == "" and tags.original_dates == () and tags.duration_s > 0.9


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("zero.mp3", b"", "empty file"),
        ("letter.mp3", b"Dear family, here are the songs Mum loves.\n" * 20, "not a readable audio file"),
        ("noise.flac", b"fLaC" + bytes(range(256)) * 4, "damaged"),
        ("fake.ogg", b"OggS" + b"\x00" * 200, "audio"),
        ("fake.m4a", b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 100, ""),
        ("liar.mp3", b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + b"\x00" * 100, "claims more bytes"),
    ],
)
def test_junk_is_unreadable_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        MutagenTagReader().read(str(path))
    assert reason in str(err.value)


def test_huge_cover_art_is_skipped_without_loading_it(tmp_path):
    art = b"\xff\xd8\xff\xe0" + bytes(6_000_000)  # 6 MB "JPEG"
    reader = MutagenTagReader(max_tag_bytes=2_000_000)
    for fmt in FORMATS:
        path = make_audio(tmp_path / f"art.{fmt}", title="Big art", picture_bytes=art)
        tracemalloc.start()
        with pytest.raises(UnreadableFile, match="cover art too large"):
            reader.read(str(path))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 1_000_000, (fmt, peak)


def test_normal_cover_art_is_fine(tmp_path):
    path = make_audio(tmp_path / "art.mp3", title="Small art", picture_bytes=b"\xff\xd8" + bytes(50_000))
    assert MutagenTagReader().read(str(path)).title == "Small art"


def test_memory_does_not_grow_with_file_size(tmp_path):
    short = make_audio(tmp_path / "short.wav", seconds=1.0, title="s")
    long = make_audio(tmp_path / "long.wav", seconds=120.0, title="l")  # about 5 MB
    reader = MutagenTagReader()
    peaks = []
    for path in (short, long):
        tracemalloc.start()
        reader.read_file(str(path))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert long.stat().st_size > 4_000_000
    assert peaks[1] < 600_000, peaks  # a few blocks, never the file
    assert peaks[1] < peaks[0] * 2 + 200_000, peaks


def test_fingerprint_follows_the_audio_not_the_name_or_tags(tmp_path):
    reader = MutagenTagReader()
    a = make_audio(tmp_path / "a.mp3", seconds=2.0, title="One")
    moved = tmp_path / "sub" / "renamed.mp3"
    moved.parent.mkdir()
    shutil.copyfile(a, moved)
    first = reader.read_file(str(a)).content_id
    assert reader.read_file(str(moved)).content_id == first
    write_tags(moved, "mp3", title="One (retagged)", artist="Someone", lyrics="la la " * 500)
    assert reader.read_file(str(moved)).content_id == first
    other = make_audio(tmp_path / "b.mp3", seconds=2.0, freq=523, title="One")
    assert reader.read_file(str(other)).content_id != first
    flac = make_audio(tmp_path / "c.flac", seconds=2.0, title="Two")
    flac_id = reader.read_file(str(flac)).content_id
    write_tags(flac, "flac", lyrics="words " * 3000, picture_bytes=b"\xff\xd8" + bytes(20_000))
    assert reader.read_file(str(flac)).content_id == flac_id


def test_reads_are_counted(tmp_path):
    reader = MutagenTagReader()
    reader.read(str(make_audio(tmp_path / "a.ogg")))
    assert reader.reads == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_embedded_cover_on_demand(tmp_path, fmt):
    from kiosk.adapters.covers import embedded_cover

    art = b"\xff\xd8\xff\xe0" + b"cover" * 100
    with_art = make_audio(tmp_path / f"a.{fmt}", title="x", picture_bytes=art)
    without = make_audio(tmp_path / f"b.{fmt}", title="y")
    assert embedded_cover(str(with_art)) == (art, "image/jpeg")
    assert embedded_cover(str(without)) is None
    assert embedded_cover(str(with_art), max_bytes=100) is None
    (tmp_path / "junk.mp3").write_text("no")
    assert embedded_cover(str(tmp_path / "junk.mp3")) is None
