"""The session engine over the kiosk's real parts, where they meet: the residents store changing under a
running session (volume limit, consent), and a song stopped as upsetting (review store, selection, restart).

Real libvlc (dummy output, decoded samples through its audio callbacks), real TinyDB files, the real journal,
selection and rollups; `kiosk residents import` runs as another process. Clocks are real: the engine checks the
residents store about once a second, which these tests wait for.
"""

from __future__ import annotations

import array
import contextlib
import dataclasses
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.mainloop import HeadlessLoop
from kiosk.adapters.report_source import rebuild_rollups
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.rollups import RollupStore
from kiosk.app.residents_import import import_file
from kiosk.app.staff import KioskStaff
from kiosk.config import AudioConfig, Config, KioskConfig, LibraryConfig
from kiosk.domain.intents import Intent, Source, Status
from kiosk.wiring import KioskParts, build_running_kiosk
from tests.audiofiles import write_tags

REPO = Path(__file__).resolve().parents[2]
FULL = 32767 * 0.944  # the files' peak (-0.5 dB)
HEADER = "id,first_name,birth_year,consent,volume_cap_pct"


@dataclass
class Kiosk:
    """A running kiosk's engine parts, staff actions and a tap on the decoded samples."""

    parts: KioskParts
    staff: KioskStaff
    residents: ResidentsStore
    data_dir: Path
    loop: HeadlessLoop
    peaks: list[tuple[float, int]] = field(default_factory=list)  # (monotonic s, peak of one buffer)

    @property
    def engine(self) -> Any:
        return self.parts.engine

    def rid(self, staff_id: str) -> str:
        found = self.residents.by_staff_id(staff_id)
        assert found is not None
        return found.resident_id

    def peak_since(self, t: float) -> int:
        return max((p for at, p in list(self.peaks) if at >= t), default=-1)


def write_people(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("music")
    for i, freq in enumerate(
        (330, 440, 550, 660)
    ):  # stereo at 44.1 kHz, as libvlc hands it back: peaks compare
        path = folder / f"song{i}.wav"
        subprocess.run(["sox", "-q", "-R", "-n", "-r", "44100", "-c", "2", str(path), "synth", "20", "sine",
                        str(freq), "gain", "-0.5"], check=True, timeout=60)  # fmt: skip
        write_tags(path, "wav", title=f"Tune {i}", artist=f"Band {i}", date="1955")
    return folder


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    return write_people(tmp_path / "people.csv", ["A1,Alma,1938,yes,100", "B2,Bert,1940,yes,100"])


@contextlib.contextmanager
def open_kiosk(data_dir: Path, music: Path) -> Iterator[Kiosk]:
    config = Config(
        audio=AudioConfig(output="dummy", fade_ms=200, start_volume_pct=60, max_volume_pct=100),
        library=LibraryConfig(music_dir=music),
        kiosk=KioskConfig(mode="lounge"),
    )
    peaks: list[tuple[float, int]] = []
    lock = threading.Lock()

    def capture(_slot: int, raw: bytes, _pts_us: int) -> None:  # libvlc's thread: measure, return
        samples = array.array("h")
        samples.frombytes(raw)
        with lock:
            peaks.append((time.monotonic(), max((abs(x) for x in samples), default=0)))

    running = build_running_kiosk(config, data_dir, capture=capture)  # what `kiosk run` builds
    parts = running.parts
    kiosk = Kiosk(parts, running.staff, running.residents, data_dir, HeadlessLoop(parts.engine), peaks)
    try:
        yield kiosk
    finally:
        running.close()


@pytest.fixture
def kiosk(data_dir: Path, music: Path, people_csv: Path) -> Iterator[Kiosk]:
    data = DataFolder(data_dir)
    assert scan_library(data, music).songs == 4
    import_file(people_csv, ResidentRecords(data))
    with open_kiosk(data_dir, music) as running:
        yield running


def cli_import(data_dir: Path, csv: Path) -> None:
    """`kiosk residents import` in another process, as a care worker's laptop or a console would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "residents", "import", str(csv)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def events(data_dir: Path) -> list[dict[str, Any]]:
    return list(read_events(data_dir / "events"))


def names(event: dict[str, Any], rid: str) -> bool:
    return event.get("resident") == rid or rid in (event.get("detail") or {}).get("residents", [])


def withdraw_alma_then_go_on(kiosk: Kiosk, tmp_path: Path, songs_after: int) -> list[dict[str, Any]]:
    """Alma's consent becomes "no" by an import from another process; the music goes on, then staff stop."""
    cli_import(
        kiosk.data_dir, write_people(tmp_path / "no.csv", ["A1,Alma,1938,no,100", "B2,Bert,1940,yes,100"])
    )
    kiosk.loop.run_for(1.3)  # the engine looks at the store about once a second
    for _ in range(songs_after):
        kiosk.engine.post(Intent.NEXT, Source.TOUCH)
        kiosk.loop.run_for(0.5)
    kiosk.engine.post(Intent.STOP, Source.STAFF)
    kiosk.loop.run_for(0.5)
    kiosk.parts.rollups.flush()
    return events(kiosk.data_dir)


@pytest.mark.timeout(60)
def test_staff_lower_a_volume_limit_mid_song_and_the_output_drops_at_once(kiosk: Kiosk) -> None:
    alma = kiosk.rid("A1")
    kiosk.engine.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, (alma,))
    assert kiosk.loop.run_until(lambda: kiosk.peak_since(0) > 0.5 * FULL, 10), "no sound at 60 %"
    assert kiosk.peak_since(0) <= 0.61 * FULL
    changed_at = time.monotonic()
    kiosk.staff.set_volume_cap(alma, 20)  # the staff screen's "Save volume limit"
    assert kiosk.loop.run_until(lambda: kiosk.engine.view().volume_pct == 20, 2.0)
    noticed_s = time.monotonic() - changed_at
    assert noticed_s <= 1.3  # checked at most once a second: never much later
    settled = time.monotonic() + 0.6  # audio already decoded at the old level drains (libvlc's buffer)
    for _ in range(4):  # Louder cannot pass the new limit
        kiosk.engine.post(Intent.VOLUME_UP, Source.TOUCH)
        kiosk.loop.run_for(0.45)
    kiosk.loop.run_for(1.0)
    view = kiosk.engine.view()
    assert view.volume_pct == 20 and view.volume_cap_pct == 20 and view.status is Status.PLAYING
    heard = kiosk.peak_since(settled)
    assert 0.15 * FULL < heard <= 0.201 * FULL, heard / FULL
    volume = [e for e in events(kiosk.data_dir) if e["type"] == "volume"]
    assert volume and volume[0]["detail"] == {"volume_pct": 20, "capped": True}


@pytest.mark.timeout(60)
def test_consent_withdrawn_by_an_import_from_another_process_stops_recording_them(
    kiosk: Kiosk, tmp_path: Path
) -> None:
    alma = kiosk.rid("A1")
    kiosk.engine.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, (alma,))
    kiosk.loop.run_for(1.0)
    kiosk.engine.post(Intent.LIKE, Source.TOUCH)
    kiosk.loop.run_for(0.2)
    got = withdraw_alma_then_go_on(kiosk, tmp_path, songs_after=2)
    types = [e["type"] for e in got]
    assert types[:3] == ["session_start", "song_start", "like"]  # earlier events stay (not an erasure)
    last = max(i for i, e in enumerate(got) if names(e, alma))
    assert got[last]["type"] == "consent_withdrawn" and got[last]["session"] == got[0]["session"]
    assert all(e["resident"] is None or e["resident"] != alma for e in got[last + 1 :])
    assert "session_end" not in types and types.count("song_start") == 1  # nothing more about her
    assert list(RollupStore(DataFolder(kiosk.data_dir)).sessions()) == []  # no rollup carries her
    rebuild_rollups(DataFolder(kiosk.data_dir))
    assert list(RollupStore(DataFolder(kiosk.data_dir)).sessions()) == []  # nor does a rebuild


@pytest.mark.timeout(60)
def test_consent_withdrawn_in_a_group_leaves_only_the_others_in_the_books(
    kiosk: Kiosk, tmp_path: Path
) -> None:
    alma, bert = kiosk.rid("A1"), kiosk.rid("B2")
    kiosk.engine.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, (alma, bert))
    kiosk.loop.run_for(1.0)
    got = withdraw_alma_then_go_on(kiosk, tmp_path, songs_after=1)
    assert got[0]["type"] == "session_start" and set(got[0]["detail"]["residents"]) == {alma, bert}
    withdrawn = [i for i, e in enumerate(got) if e["type"] == "consent_withdrawn"]
    assert len(withdrawn) == 1 and got[withdrawn[0]]["resident"] == alma
    after = got[withdrawn[0] + 1 :]
    assert not any(names(e, alma) for e in after)
    assert [e["type"] for e in after][-1] == "session_end" and after[-1]["resident"] == bert
    (rollup,) = RollupStore(DataFolder(kiosk.data_dir)).sessions()
    assert rollup["resident_ids"] == [bert] and rollup["songs_started"] == 2
    rebuild_rollups(DataFolder(kiosk.data_dir))
    (rebuilt,) = RollupStore(DataFolder(kiosk.data_dir)).sessions()
    assert rebuilt["resident_ids"] == [bert] and rebuilt["songs_started"] == 2


@pytest.mark.timeout(90)
def test_a_song_stopped_as_upsetting_stays_out_for_everyone_present_until_staff_decide(
    data_dir: Path, music: Path, tmp_path: Path
) -> None:
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_people(tmp_path / "p.csv", ["A1,Alma,1938,yes,100", "B2,Bert,1940,no,100",
                                                  "C3,Cora,1939,yes,100"]), ResidentRecords(data))  # fmt: skip
    with open_kiosk(data_dir, music) as kiosk:
        alma, bert, cora = kiosk.rid("A1"), kiosk.rid("B2"), kiosk.rid("C3")
        kiosk.staff.choose([alma, bert], None)
        kiosk.loop.run_for(0.8)
        upsetting = kiosk.engine.view().song
        assert upsetting is not None
        kiosk.staff.distress_current()
        assert kiosk.engine.view().status is Status.CALM
        kiosk.loop.run_for(0.5)
        last_tenth_s = time.monotonic() - 0.1  # silent: stopped, not just paused (audio of the last 0.1 s)
        assert kiosk.peak_since(last_tenth_s) <= 0
        for _ in range(3):  # staff start the music again: never that song for these two
            kiosk.engine.post(Intent.MORE_MUSIC, Source.STAFF)
            kiosk.loop.run_for(0.3)
            assert kiosk.engine.view().song.song_id != upsetting.song_id  # type: ignore[union-attr]
            kiosk.engine.post(Intent.STOP, Source.STAFF)
    with open_kiosk(data_dir, music) as kiosk:  # after a restart
        reviews = kiosk.staff.pending_reviews()
        assert {(r.resident_name, r.song_title) for r in reviews} == {
            ("Alma", upsetting.title),
            ("Bert", upsetting.title),  # consent "no": still named, a review is a safety record
        }
        store = kiosk.residents
        for rid in (alma, bert):  # now their favourite: favourites first still cannot bring it back
            store.upsert(dataclasses.replace(store.get(rid), favourite_songs=(upsetting.title,)))  # type: ignore[arg-type]
        factory = kiosk.engine.songs

        def picks(who: tuple[str, ...], n: int = 40) -> set[str]:
            source = factory(who, None)
            return {source.next_song(set())[0].song_id for _ in range(n)}  # type: ignore[index]

        for who in ((alma,), (bert,), (cora, alma), (bert, cora)):
            assert upsetting.song_id not in picks(who), who
        assert upsetting.song_id in picks((cora,), 60)  # nobody stopped it for Cora
        for review in kiosk.staff.pending_reviews():
            kiosk.staff.resolve_review(review.review_id, add_to_avoid=False)  # staff decide: dismissed
        assert kiosk.staff.pending_reviews() == []
        assert upsetting.song_id in picks((bert,))  # his favourite again
