"""The one chart list: every writer (PNG export, PDF, staff screen) shows what :data:`CHARTS` says and nothing
else, so a throwaway chart added to the list alone appears everywhere the list puts it; the staff screen's
dashboard builds its report once per request. Real rollups in a real data folder, real matplotlib files."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.adapters import charts, report_charts
from kiosk.adapters.dashboard_charts import DashboardFiles
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.report_build import compute, make_labels
from kiosk.adapters.report_charts import CHARTS, PDF, PNG, TODAY, WEEK, ChartSpec
from kiosk.adapters.report_pdf import write_pdf
from kiosk.adapters.report_png import write_pngs
from kiosk.adapters.rollups import RollupStore
from kiosk.app.dashboard import build_dashboard, figures_of
from kiosk.app.staff_api import Dashboard
from kiosk.domain.report import Period, Report

RID = "0a0a0a0a-rid-charts"
TODAY_D = date(2026, 6, 7)


@pytest.fixture
def folder(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        db.table("residents").insert({"resident_id": RID, "staff_id": "W1", "first_name": "Winifred"})
    store = RollupStore(data)
    for day in range(7):
        start = datetime(2026, 6, 1, 10, tzinfo=UTC) + timedelta(days=day)
        store.add(
            {
                "session_id": f"s-{day}", "kiosk_id": "k", "resident_ids": [RID], "mode": "listen",
                "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=5)).isoformat(),
                "clock_ok": True, "end_reason": "length", "listened_s": 300.0, "songs_started": 1,
                "songs_completed": 1, "songs_skipped": 0, "songs_failed": 0, "likes": 0, "distress_stops": 0,
                "plays": [{"song_id": "x", "title": "Daisy Bell", "outcome": "completed", "listened_s": 300.0,
                           "liked": False, "at": start.isoformat()}],
            }
        )  # fmt: skip
    return data_dir


THROWAWAY = ChartSpec(
    "throwaway", "Throwaway chart of the hours", "resident", lambda f: f.minutes_by_hour, charts.hours,
    frozenset({PNG, PDF, WEEK}), pdf_h=0.1,
)  # fmt: skip


def _report(folder: Path) -> Report:
    data = DataFolder(folder)
    return compute(data, Period(date(2026, 6, 1), TODAY_D), make_labels(data, pseudonymised=False))


def test_a_chart_added_to_the_list_alone_appears_in_every_writer_it_names(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(folder)
    (tmp_path / "before").mkdir()
    before = write_pngs(tmp_path / "before", report, lambda rid: "W1")
    monkeypatch.setattr(report_charts, "CHARTS", (*CHARTS, THROWAWAY))
    (tmp_path / "png").mkdir()
    after = write_pngs(tmp_path / "png", report, lambda rid: "W1")
    assert [p.name for p in after] == [p.name for p in before] + ["W1-throwaway.png"]
    assert (tmp_path / "png" / "W1-throwaway.png").stat().st_size > 1000
    shown = DashboardFiles(folder).charts(report, "7d", tmp_path / "dash", RID)
    assert shown[-1].name == "dash-7d-resident-throwaway.png"
    assert "throwaway" not in str(DashboardFiles(folder).charts(report, "today", tmp_path / "dash", RID))
    if shutil.which("pdftotext"):
        write_pdf(tmp_path / "r.pdf", report, pseudonymised=False)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "Throwaway chart of the hours" in text


def test_a_chart_the_list_takes_away_is_gone_from_every_writer(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(folder)
    monkeypatch.setattr(report_charts, "CHARTS", tuple(c for c in CHARTS if c.name != "songs"))
    (tmp_path / "png").mkdir()
    assert not [p for p in write_pngs(tmp_path / "png", report, lambda rid: "W1") if "songs" in p.name]
    names = [p.name for p in DashboardFiles(folder).charts(report, "today", tmp_path / "d", RID)]
    assert names == ["dash-today-resident-hours.png"]


def test_the_list_is_well_formed() -> None:
    for spec in CHARTS:
        assert spec.writers and spec.writers <= {PNG, PDF, TODAY, WEEK}, spec
        assert spec.page in ("home", "resident")
    for page in ("home", "resident"):  # one file name per chart and page, for each writer
        for writer in (PNG, TODAY, WEEK):
            names = [
                s.dash_name if writer != PNG else s.name
                for s in CHARTS
                if s.page == page and writer in s.writers
            ]
            assert len(names) == len(set(names)), (page, writer)


class CountingSource:
    """The real dashboard source, counting how often a report is built."""

    def __init__(self, folder: Path) -> None:
        self.files = DashboardFiles(folder)
        self.builds = 0

    def report(self, period: Period, resident_id: str | None, today: date | None) -> Report:
        self.builds += 1
        return self.files.report(period, resident_id, today)

    def label(self, resident_id: str) -> str:
        return self.files.label(resident_id)

    def charts(self, report: Report, period: str, out_dir: Path, resident_id: str | None) -> list[Path]:
        return self.files.charts(report, period, out_dir, resident_id)


@pytest.mark.parametrize(("period", "resident"), [("today", None), ("7d", None), ("7d", RID)])
def test_a_dashboard_request_builds_the_report_once(folder: Path, tmp_path: Path, period, resident) -> None:
    source = CountingSource(folder)
    seen = []

    def present(figures, paths, period, resident_id) -> Dashboard:
        seen.append((figures, paths))
        return Dashboard(period, resident_id, "", (), tuple(paths))

    shown = build_dashboard(source, present, period, resident, tmp_path / "dash", today=TODAY_D)
    assert source.builds == 1
    figures, paths = seen[0]
    assert shown.charts and all(p.exists() for p in paths)
    # the same numbers as a report built on its own
    expect = figures_of(source.files.report(Period(TODAY_D - timedelta(days=6 if period == "7d" else 0), TODAY_D),
                                            resident, TODAY_D), period, resident)  # fmt: skip
    assert figures == expect
    assert figures.sessions == (7 if period == "7d" else 1)
    if resident:
        assert figures.resident is not None and figures.resident.sessions == 7


def test_a_resident_without_music_is_still_named(folder: Path, tmp_path: Path) -> None:
    source = CountingSource(folder)
    shown = build_dashboard(
        source, lambda f, p, per, r: Dashboard(per, r, f.resident.label, (), tuple(p)), "today", RID,
        tmp_path / "dash", today=date(2026, 7, 1),
    )  # fmt: skip
    assert shown.heading == "Winifred (W1)" and shown.charts == () and source.builds == 1
