"""`kiosk report` end to end on a real data folder: real journal files (JsonlJournal), real TinyDB rollups,
real CSV/PDF/PNG files read back (csv module, pdfinfo/pdftotext from poppler-utils)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.rollups import RollupStore
from kiosk.cli import main
from tests.fakes import FakeClock

NAMES = ("Winifred", "Archibald", "Dorothea")
A, B, C = "0a0a0a0a-rid-a", "0b0b0b0b-rid-b", "0c0c0c0c-rid-c"
PERIOD = ["--from", "2026-06-01", "--to", "2026-06-07"]
pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _play(song, title, outcome, listened_s, liked, at):
    return {
        "song_id": song,
        "title": title,
        "artist": "Artist",
        "decade": "1950s",
        "outcome": outcome,
        "listened_s": listened_s,
        "liked": liked,
        "at": at,
    }


def _session(journal, clock, sid, rid, mode, songs):
    """Journal one session through the real JsonlJournal; return the rollup the engine would store."""
    started = clock.now().isoformat(timespec="milliseconds")
    ok = clock.trusted()
    journal.append(
        "session_start", session_id=sid, resident_id=rid, detail={"mode": mode, "residents": [rid]}
    )
    plays, total = [], 0.0
    for song, title, outcome, secs, liked in songs:
        at = clock.now().isoformat(timespec="milliseconds")
        journal.append(
            "song_start",
            session_id=sid,
            resident_id=rid,
            song_id=song,
            detail={"title": title, "artist": "Artist", "decade": "1950s", "mode": mode},
        )
        if liked:
            journal.append("like", session_id=sid, resident_id=rid, song_id=song, detail={"at_s": 5})
        clock.advance(secs)
        journal.append(
            "song_end",
            session_id=sid,
            resident_id=rid,
            song_id=song,
            detail={"outcome": outcome, "listened_s": secs, "at_s": secs},
        )
        plays.append(_play(song, title, outcome, float(secs), liked, at))
        total += secs
    ended = clock.now().isoformat(timespec="milliseconds")
    journal.append(
        "session_end", session_id=sid, resident_id=rid, detail={"reason": "length", "listened_s": total}
    )
    count = {o: sum(p["outcome"] == o for p in plays) for o in ("completed", "skipped", "failed", "distress")}
    return {
        "session_id": sid,
        "kiosk_id": "lounge-1",
        "resident_ids": [rid],
        "mode": mode,
        "started_at": started,
        "ended_at": ended,
        "clock_ok": ok,
        "end_reason": "length",
        "listened_s": total,
        "songs_started": len(plays),
        "songs_completed": count["completed"],
        "songs_skipped": count["skipped"],
        "songs_failed": count["failed"],
        "likes": sum(p["liked"] for p in plays),
        "distress_stops": count["distress"],
        "plays": plays,
    }


@pytest.fixture
def home(data_dir: Path) -> dict:
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        for rid, staff, name in ((A, "A1", NAMES[0]), (B, "B2", NAMES[1]), (C, "C3", NAMES[2])):
            db.table("residents").insert(
                {
                    "resident_id": rid,
                    "staff_id": staff,
                    "first_name": name,
                    "preferred_name": "",
                    "birth_year": 1940,
                    "photo": f"photos/{name}.jpg",
                }
            )
    clock = FakeClock(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    journal = JsonlJournal(data_dir / "events", "lounge-1", clock)
    originals = [
        _session(
            journal,
            clock,
            "sess-1",
            A,
            "listen",
            [("s1", "Moon River", "completed", 180, True), ("s2", "Sh-Boom", "skipped", 10, False)],
        )
    ]
    journal.append(
        "observation",
        session_id="sess-1",
        resident_id=A,
        detail={
            "session_id": "sess-1",
            "resident_ids": [A],
            "at": clock.now().isoformat(),
            "scales": {"interest": 60, "response": 50, "initiation": 40, "involvement": 70, "enjoyment": 80},
            "reactions": ["smiled", "sang"],
            "by": "care assistant",
        },
    )
    journal.append(
        "avoid_change", resident_id=A, song_id="s2", source="staff", detail={"action": "added", "song": "s2"}
    )
    clock.advance(29 * 3600)  # 2 June 15:03
    originals.append(
        _session(journal, clock, "sess-2", B, "sing", [("s1", "Moon River", "completed", 200, False)])
    )
    clock.advance(12 * 3600)
    clock._trusted = False  # the clock jumped: 3 June 03:06, not trusted
    originals.append(
        _session(journal, clock, "sess-3", A, "relax", [("s2", "Sh-Boom", "completed", 150, False)])
    )
    journal.close()
    store = RollupStore(data)
    for r in originals:
        store.add(r)
    store.add_observation(
        originals[0]["started_at"],
        {
            "session_id": "sess-1",
            "resident_ids": [A],
            "at": "2026-06-01T10:03:10+00:00",
            "scales": {"interest": 60, "response": 50, "initiation": 40, "involvement": 70, "enjoyment": 80},
            "reactions": ["smiled", "sang"],
            "by": "care assistant",
        },
    )
    return {"dir": data_dir, "originals": originals}


def kiosk(home, *args):
    return main(["--data-dir", str(home["dir"]), "report", *args])


def test_text_summary(home, capsys):
    assert kiosk(home, *PERIOD) == 0
    out = capsys.readouterr().out
    assert "Residents who listened: 2 of 3 known" in out
    assert "Sessions: 3   Music played: 9 min" in out  # 190 + 200 + 150 s = 9 min
    assert "Clock not reliable: 1 session (2 min)" in out
    assert "Dorothea (C3): last session none on record" in out
    assert "Winifred (A1)" in out and "Archibald (B2)" in out
    assert "2026-06-01 added: Sh-Boom (Artist)" in out  # the avoid-list change, from the journal
    assert "Reactions seen: smiled 1, sang 1" in out


def test_csv_parses_back(home, tmp_path, capsys):
    target = tmp_path / "out.csv"
    assert kiosk(home, *PERIOD, "--csv", str(target)) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [
        "session_id",
        "resident",
        "staff_id",
        "date",
        "start_time",
        "end_time",
        "clock_ok",
        "mode",
        "minutes",
        "songs_started",
        "songs_completed",
        "songs_skipped",
        "songs_failed",
        "likes",
        "distress_stops",
        "end_reason",
        "residents_in_session",
        "kiosk_id",
        "time_zone",
        "observed_interest",
        "observed_response",
        "observed_initiation",
        "observed_involvement",
        "observed_enjoyment",
        "reactions_seen",
        "observation_forms",
        "old_form",
    ]
    body = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(body) == {"sess-1", "sess-2", "sess-3"}
    s1 = body["sess-1"]
    assert (s1["resident"], s1["staff_id"], s1["date"], s1["start_time"]) == (
        "Winifred (A1)",
        "A1",
        "2026-06-01",
        "2026-06-01T10:00:00+00:00",
    )
    assert (s1["minutes"], s1["songs_started"], s1["likes"], s1["clock_ok"]) == ("3.2", "2", "1", "yes")
    assert body["sess-3"]["clock_ok"] == "no"
    assert date.fromisoformat(s1["date"]) and datetime.fromisoformat(s1["end_time"])
    with (tmp_path / "out-plays.csv").open(encoding="utf-8-sig", newline="") as fh:
        plays = list(csv.DictReader(fh))
    assert [(p["session_id"], p["title"], p["outcome"], p["liked"]) for p in plays] == [
        ("sess-1", "Moon River", "completed", "yes"),
        ("sess-1", "Sh-Boom", "skipped", "no"),
        ("sess-2", "Moon River", "completed", "no"),
        ("sess-3", "Sh-Boom", "completed", "no"),
    ]
    assert "3 session rows" in capsys.readouterr().out


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


@pdf_tools
def test_pdf_has_home_page_then_one_page_per_resident(home, tmp_path):
    target = tmp_path / "r.pdf"
    assert kiosk(home, *PERIOD, "--pdf", str(target)) == 0
    assert _pdf_pages(target) == 3  # home + Winifred + Archibald (Dorothea had no session: listed as idle)
    text = _pdf_text(target)
    pages = text.split("\f")
    assert "music engagement in the home" in pages[0] and "Minutes of music per day" in pages[0]
    assert "When music is played" in pages[0] and "Dorothea" in pages[0]
    assert pages[1].lstrip().startswith("Archibald") and "Winifred" in pages[2]
    assert "Week by week" in pages[2] and "Enjoyment (0-100)" in pages[2] and "Moon River" in pages[2]


@pdf_tools
def test_one_resident(home, tmp_path):
    target = tmp_path / "r.pdf"
    assert kiosk(home, *PERIOD, "--resident", "A1", "--pdf", str(target)) == 0
    assert _pdf_pages(target) == 1  # that resident's page only: no home page naming others (issue 18)
    text = _pdf_text(target)
    assert "Winifred" in text and "Archibald" not in text and "Dorothea" not in text


@pdf_tools
def test_pseudonymised_outputs_hold_no_name(home, tmp_path):
    out = tmp_path / "share"
    out.mkdir()
    args = [
        *PERIOD,
        "--pseudonymise",
        "--csv",
        str(out / "r.csv"),
        "--pdf",
        str(out / "r.pdf"),
        "--png",
        str(out / "png"),
    ]
    assert kiosk(home, *args) == 0
    texts = [
        (out / "r.csv").read_text("utf-8-sig"),
        (out / "r-plays.csv").read_text("utf-8-sig"),
        _pdf_text(out / "r.pdf"),
    ]
    names = [p.name for p in (out / "png").iterdir()]
    assert len(names) >= 6 and any(n.startswith("R-") for n in names)
    for blob in [*texts, " ".join(names)]:
        for name in NAMES:
            assert name not in blob
        assert ".jpg" not in blob
        # staff ids as whole words: a random code such as R-FCCA13 may hold the letters "A1"
        assert not re.search(r"\b(A1|B2|C3)\b", blob.split("session_id")[0])
    codes = {row["resident"] for row in csv.DictReader((out / "r.csv").open(encoding="utf-8-sig"))}
    assert all(c.startswith("R-") and len(c) == 8 for c in codes) and len(codes) == 2
    assert {row["staff_id"] for row in csv.DictReader((out / "r.csv").open(encoding="utf-8-sig"))} == {""}
    secret = home["dir"] / "report-secret"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    # the same codes next time (stable), and the export log says who/what without personal data
    assert kiosk(home, *PERIOD, "--pseudonymise", "--csv", str(out / "again.csv")) == 0
    again = {row["resident"] for row in csv.DictReader((out / "again.csv").open(encoding="utf-8-sig"))}
    assert again == codes
    log = [json.loads(line) for line in (home["dir"] / "export-log.jsonl").read_text().splitlines()]
    assert [(e["kind"], e["residents"], e["pseudonymised"]) for e in log] == [
        ("csv", 2, True),
        ("pdf", 2, True),
        ("png", 2, True),
        ("csv", 2, True),
    ]
    assert all(e["by"] and e["at"] and e["period"] == "2026-06-01..2026-06-07" for e in log)
    raw = (home["dir"] / "export-log.jsonl").read_text()
    assert not any(n in raw for n in NAMES) and A not in raw


def test_png_charts(home, tmp_path):
    assert kiosk(home, *PERIOD, "--png", str(tmp_path / "png")) == 0
    files = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert "home-minutes.png" in files and "home-when-music-is-played.png" in files
    assert "Winifred-A1-observations.png" in files
    for name in files:
        assert (tmp_path / "png" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "--from: '2026-13-01' is not a date; write it as YYYY-MM-DD"),
        (["--to", "yesterday"], "--to: 'yesterday' is not a date"),
        (["--from", "2026-06-08", "--to", "2026-06-01"], "--from 2026-06-08 is after --to 2026-06-01"),
        (["--resident", "ZZ9"], "--resident: no resident with the staff id 'ZZ9'"),
        (["--csv", "/nonexistent/folder/x.csv"], "--csv: the folder /nonexistent/folder does not exist"),
        (["--idle-days", "0"], "--idle-days: must be 1 or more"),
    ],
)
def test_bad_input_is_a_clear_message_and_exit_1(home, capsys, args, message):
    assert kiosk(home, *args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _instants(value):
    """Times compared as instants: the journal writes "...Z", the engine's rollups "+00:00" (same moment)."""
    if isinstance(value, dict):
        return {k: _instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_instants(v) for v in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        return datetime.fromisoformat(value)
    return value


def _sessions(data_dir):
    return sorted(
        (_instants(dict(s)) for s in RollupStore(DataFolder(data_dir)).sessions()),
        key=lambda s: s["session_id"],
    )


def test_rebuild_gives_the_same_rollups(home, capsys):
    before = _sessions(home["dir"])
    assert before == _instants(home["originals"])
    for f in home["dir"].glob("rollups-*.json"):
        data = json.loads(f.read_text())
        data["sessions"] = {}  # lose the session rollups and the stored observation forms
        data["observations"] = {}
        f.write_text(json.dumps(data))
    for log in home["dir"].glob("rollups-*.jsonl"):
        log.unlink()  # the month's appended session rollups too
    assert _sessions(home["dir"]) == []
    assert kiosk(home, "--rebuild") == 0
    assert "Rebuilt 3 session rollups" in capsys.readouterr().out
    assert _sessions(home["dir"]) == _instants(home["originals"])
    obs = list(RollupStore(DataFolder(home["dir"])).observations())
    assert [(o["session_id"], o["at"], o["reactions"], o["scales"]["enjoyment"]) for o in obs] == [
        ("sess-1", "2026-06-01T10:03:10+00:00", ["smiled", "sang"], 80)
    ]  # from the journal's observation event
    # rebuilding twice changes nothing (observations are not doubled)
    assert kiosk(home, "--rebuild") == 0
    assert _sessions(home["dir"]) == _instants(home["originals"])
    assert len(list(RollupStore(DataFolder(home["dir"])).observations())) == 1


def test_dashboard_for_the_staff_screen(home, tmp_path):
    from kiosk.adapters.dashboard_charts import DashboardFiles
    from kiosk.app.dashboard import dashboard_figures, render_dashboard

    files = DashboardFiles(home["dir"])
    paths = render_dashboard(files, "7d", tmp_path / "dash", today=date(2026, 6, 3))
    assert [p.name for p in paths] == ["dash-7d-home-minutes.png", "dash-7d-home-when.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
    mine = render_dashboard(files, "today", tmp_path / "dash", resident_id=B, today=date(2026, 6, 2))
    assert [p.name for p in mine] == ["dash-today-resident-songs.png", "dash-today-resident-hours.png"]
    figs = dashboard_figures(files, "7d", resident_id=A, today=date(2026, 6, 3))
    assert (figs.sessions, figs.residents_active, figs.not_seen) == (3, 2, ["Dorothea (C3)"])
    assert figs.resident is not None
    assert figs.resident.sessions == 2 and figs.resident.songs_liked == 1
    with pytest.raises(ValueError):
        dashboard_figures(files, "month")  # type: ignore[arg-type]


def test_files_are_private(home, tmp_path):
    assert kiosk(home, *PERIOD, "--png", str(tmp_path / "png")) == 0
    assert all(os.stat(p).st_mode & 0o077 == 0 for p in (tmp_path / "png").iterdir())


def test_whole_months_are_read_from_a_digest_that_follows_changes(home, capsys):
    wide = ["--from", "2026-05-01", "--to", "2026-07-31"]  # June lies wholly inside: read as a digest
    assert kiosk(home, *wide) == 0
    first = capsys.readouterr().out
    cache = home["dir"] / "report-cache" / "rollups-2026-06.json"
    assert cache.exists() and b'"plays"' not in cache.read_bytes()
    assert kiosk(home, *wide) == 0
    assert capsys.readouterr().out == first  # from the cache
    assert kiosk(home, *PERIOD) == 0  # the week: June is an edge month, read in full
    week = capsys.readouterr().out

    # the same resident figures whether June was read as a digest or in full (all sessions are in that week)
    # (the "what works" sentences differ: they compare with the period before, which differs)
    def figures(text: str) -> str:
        return text.split("\nArchibald (B2)\n")[1].split("Figures:")[1].split("\n\n")[0]

    assert figures(first) == figures(week)
    extra = dict(home["originals"][1], session_id="sess-9", started_at="2026-06-20T09:00:00.000+00:00")
    RollupStore(DataFolder(home["dir"])).add(extra)  # the month changed: the digest is remade
    assert kiosk(home, *wide) == 0
    assert "Sessions: 4   Music played: 12 min" in capsys.readouterr().out


def test_rescanning_today_for_avoid_changes_does_not_rewrite_the_month(home):
    from kiosk.adapters.report_build import load_inputs
    from kiosk.domain.report import Period

    data = DataFolder(home["dir"])
    week = Period(date(2026, 6, 1), date(2026, 6, 7))
    first = load_inputs(data, week, 7, today=date(2026, 6, 1))  # "today" is the avoid change's day
    assert [e["detail"]["action"] for e in first.avoid_changes] == ["added"]
    path = data.path("rollups-2026-06")
    stamp = path.stat().st_mtime_ns, path.stat().st_ino
    again = load_inputs(data, week, 7, today=date(2026, 6, 1))  # today's journal is scanned again
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == stamp
    assert len(again.avoid_changes) == 1  # not doubled


def test_csv_from_the_month_cache_matches_the_direct_export(home, tmp_path):
    from kiosk.adapters.report_build import load_sessions, make_labels
    from kiosk.adapters.report_csv import write_csv, write_csv_from_store
    from kiosk.domain.report import Period

    data = DataFolder(home["dir"])
    labels = make_labels(data, pseudonymised=False)
    week = Period(date(2026, 6, 1), date(2026, 6, 7))
    kw = {"label": labels.label, "staff_id": labels.staff_id}
    from kiosk.adapters.report_build import load_inputs

    forms = load_inputs(data, week, 7, use_cache=False).observations
    direct = write_csv(tmp_path / "d.csv", load_sessions(data, week, 7), week, observations=forms, **kw)
    first = write_csv_from_store(tmp_path / "c1.csv", data, week, **kw)  # makes the cache
    again = write_csv_from_store(tmp_path / "c2.csv", data, week, **kw)  # reads it
    assert direct == first == again == (3, 4)
    for name in ("c1.csv", "c2.csv", "c1-plays.csv", "c2-plays.csv"):
        twin = "d-plays.csv" if "plays" in name else "d.csv"
        assert sorted((tmp_path / name).read_text("utf-8-sig").splitlines()) == sorted(
            (tmp_path / twin).read_text("utf-8-sig").splitlines()
        )
    cache = (home["dir"] / "report-cache" / "csv-rollups-2026-06.json").read_text()
    assert not any(n in cache for n in NAMES)  # the cache holds ids and markers, never names


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand files to another owner")
def test_files_written_as_root_go_to_the_data_folders_owner(home, tmp_path):
    os.chown(
        home["dir"], 4321, 4321
    )  # the kiosk's user owns the data folder; an admin runs `sudo kiosk report`
    wide = ["--from", "2026-05-01", "--to", "2026-07-31", "--pseudonymise", "--csv", str(tmp_path / "x.csv")]
    assert kiosk(home, *wide) == 0
    written = [
        home["dir"] / "report-secret",
        home["dir"] / "export-log.jsonl",
        home["dir"] / "report-state.json",
        home["dir"] / "rollups-2026-06.json",  # rewritten to index the avoid-list change
        home["dir"] / "report-cache",
        home["dir"] / "report-cache" / "csv-rollups-2026-06.json",
        home["dir"] / "report-cache" / "rollups-2026-06.json",
    ]
    assert [(p.name, p.stat().st_uid) for p in written] == [(p.name, 4321) for p in written]
