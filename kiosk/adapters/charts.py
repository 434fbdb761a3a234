"""Charts of a report with matplotlib (Agg backend, no pyplot: no global state, safe off the main thread).

Every chart reads in black and white on paper: grey fills with black edges and hatching, lines told apart by
marker and dash pattern, never by colour alone; titles in plain words (given by the chart list,
:mod:`kiosk.adapters.report_charts`). Each chart is a :class:`Drawing` made in a figure (the PDF composes them
on a page, refilled per resident); :func:`save_drawing` renders one chart to a PNG file.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; we never do

from collections.abc import Callable, Mapping  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Protocol  # noqa: E402

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from kiosk.adapters.safe_output import output_file  # noqa: E402
from kiosk.domain.events import OBSERVATION_SCALES  # noqa: E402
from kiosk.domain.report import WEEKDAYS, ObservationPoint, Period, ResidentFigures, week_start  # noqa: E402

matplotlib.rcParams.update(
    {
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.edgecolor": "black",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "hatch.linewidth": 0.6,
        "pdf.compression": 6,
    }
)

LINE_STYLES = [
    ("black", "o", "-"),
    ("0.35", "s", "--"),
    ("black", "^", ":"),
    ("0.5", "D", "-."),
    ("0.2", "v", "-"),
]
DAILY_MAX_DAYS = 62  # longer periods are charted per week


def _y_axis(ax: Axes, label: str) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.set_ylabel(label)
    ax.grid(axis="y", color="0.85", linewidth=0.5)
    ax.set_axisbelow(True)


def _title(ax: Axes, title: str) -> Text:
    """A left-aligned bold title above the axes (ax.set_title costs a layout pass per draw: too slow for
    60 pages)."""
    return ax.text(
        0.0, 1.06, title, transform=ax.transAxes, fontsize="large", fontweight="bold", ha="left", va="bottom"
    )


def _bar_polys(xs: list[float], heights: list[float], width: float) -> list[list[tuple[float, float]]]:
    half = width / 2
    return [
        [(x - half, 0.0), (x - half, h), (x + half, h), (x + half, 0.0)]
        for x, h in zip(xs, heights, strict=True)
        if h > 0
    ]


def _empty_note(ax: Axes, text: str) -> Text:
    return ax.text(
        0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.3", visible=False
    )


def _no_data(ax: Axes, title: str, text: str = "No sessions in this period") -> None:
    _title(ax, title)
    _empty_note(ax, text).set_visible(True)
    ax.set_xticks([])
    ax.set_yticks([])


class BarChart:
    """Vertical bars drawn as ONE collection (``ax.bar`` makes an artist per bar: slow for a year of days),
    set up once and :meth:`update`-d with new heights (the PDF reuses one page for every resident)."""

    def __init__(
        self,
        ax: Axes,
        labels: list[str],
        title: str,
        *,
        hatch: str | None,
        ylabel: str = "minutes",
        max_ticks: int = 8,
        xlabel: str = "",
    ) -> None:
        self.ax = ax
        self.xs = [float(i) for i in range(len(labels))]
        self.collection = PolyCollection(
            [], facecolors="0.75", edgecolors="black", linewidths=0.5, hatch=hatch
        )
        ax.add_collection(self.collection)
        step = max(1, -(-len(labels) // max_ticks))
        ticks = list(range(0, len(labels), step))
        ax.set_xticks(ticks, [labels[i] for i in ticks])
        ax.set_xlim(-0.6, len(labels) - 0.4)
        if xlabel:
            ax.set_xlabel(xlabel)
        _y_axis(ax, ylabel)
        self.title = _title(ax, title)
        self.note = _empty_note(ax, "No sessions in this period")

    def update(self, heights: list[float]) -> None:
        self.collection.set_verts(_bar_polys(self.xs, heights, 0.8))
        top = max(heights, default=0.0)
        self.ax.set_ylim(0, top * 1.08 if top > 0 else 1.0)
        self.note.set_visible(top <= 0)


class MinutesChart(BarChart):
    """Minutes of music per day (per week, for periods longer than two months)."""

    def __init__(self, ax: Axes, period: Period, title: str = "Minutes of music per {per}") -> None:
        self.period = period
        self.weekly = period.days > DAILY_MAX_DAYS
        if self.weekly:
            self.keys = []
            d = week_start(period.start)
            while d <= period.end:
                self.keys.append(d)
                d += timedelta(days=7)
            labels = [k.strftime("w/c %d %b") for k in self.keys]
        else:
            self.keys = [period.start + timedelta(days=i) for i in range(period.days)]
            labels = [k.strftime("%d %b") for k in self.keys]
        title = title.format(per="week" if self.weekly else "day")
        super().__init__(ax, labels, title, hatch="///" if len(self.keys) <= 40 else None, max_ticks=7)

    def show(self, by_day: Mapping[date, float], by_week: Mapping[date, float]) -> None:
        source = by_week if self.weekly else by_day
        self.update([source.get(k, 0.0) for k in self.keys])


class HoursChart(BarChart):
    def __init__(self, ax: Axes, title: str = "Time of day music is played") -> None:
        super().__init__(
            ax,
            [f"{h:02d}" for h in range(24)],
            title,
            hatch="...",
            max_ticks=8,
            xlabel="hour of the day",
        )


def draw_heatmap(
    ax: Axes,
    cells: list[list[float]],
    colorbar: Callable[..., object] | None = None,
    title: str = "When music is played (minutes, by weekday and hour)",
) -> None:
    """When music is played: weekday (rows) by hour of the day (columns), darker = more minutes."""
    peak = max(max(row) for row in cells)
    if peak <= 0:
        _no_data(ax, title)
        return
    image = ax.imshow(cells, cmap="Greys", aspect="auto", vmin=0, vmax=peak, interpolation="nearest")
    ax.set_yticks(range(7), list(WEEKDAYS))
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of the day")
    ax.set_xticks([x - 0.5 for x in range(25)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(8)], minor=True)
    ax.grid(which="minor", color="0.8", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(True)
    _title(ax, title)
    if colorbar is not None:
        colorbar(image, ax=ax, label="minutes", fraction=0.04, pad=0.01)


def draw_songs(ax: Axes, f: ResidentFigures, title: str = "What happened to the songs") -> None:
    """What happened to the songs: completed, liked, skipped, stopped in distress (hatched bars, labelled)."""
    rows = [
        ("completed", f.songs_completed, ""),
        ("liked", f.songs_liked, "xx"),
        ("skipped", f.songs_skipped, "//"),
        ("stopped in distress", f.songs_distress, "\\\\"),
    ]
    if not f.songs_started:
        _no_data(ax, title)
        return
    ys = list(range(len(rows)))[::-1]
    fills = ["0.55", "0.85", "white", "white"]
    for y, (_label, n, hatch), fill in zip(ys, rows, fills, strict=True):
        ax.barh(y, n, height=0.6, color=fill, edgecolor="black", linewidth=0.6, hatch=hatch or None)
        ax.text(n, y, f" {n}", va="center")
    ax.set_yticks(ys, [r[0] for r in rows])
    ax.set_xlabel(f"songs (of {f.songs_started} started)")
    ax.set_xlim(0, max(r[1] for r in rows) * 1.2 + 1)
    _title(ax, title)


class ScalesChart:
    """Staff observation scales (0-100) over time: one line per scale, each with its own marker and dashes.

    The x axis is real time (days of the period), so a gap between two forms looks like a gap."""

    def __init__(self, ax: Axes, period: Period, title: str = "Staff observations (0-100)") -> None:
        self.ax = ax
        self.period = period
        self.lines = {}
        for (color, marker, dash), name in zip(LINE_STYLES, OBSERVATION_SCALES, strict=True):
            (self.lines[name],) = ax.plot(
                [],
                [],
                color=color,
                marker=marker,
                linestyle=dash,
                linewidth=1.2,
                markersize=5,
                markerfacecolor="white",
                label=name,
            )
        step = max(1, -(-period.days // 7))
        ticks = list(range(0, period.days, step))
        ax.set_xticks(ticks, [(period.start + timedelta(days=t)).strftime("%d %b") for t in ticks])
        ax.set_xlim(-0.5, period.days - 0.5)
        ax.set_yticks([0, 50, 100])
        ax.set_ylim(0, 108)
        ax.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncol=5,
            fontsize=7,
            frameon=False,
            handlelength=2.6,
            borderaxespad=0.2,
        )
        self.monthly = period.days > DAILY_MAX_DAYS
        _title(ax, title)
        ax.set_ylabel("monthly mean" if self.monthly else "score")
        ax.grid(axis="y", color="0.85", linewidth=0.5)
        self.note = _empty_note(ax, "No staff observations in this period")

    def update(self, observations: list[ObservationPoint]) -> None:
        for name, line in self.lines.items():
            xs, ys = self._points(observations, name)
            line.set_data(xs, ys)
        self.note.set_visible(not observations)

    def _points(self, observations: list[ObservationPoint], name: str) -> tuple[list[float], list[float]]:
        """Each form's score; over long periods, the mean of each month (one point mid-month)."""
        start = self.period.start
        pts: list[tuple[float, float]]
        if not self.monthly:
            pts = [
                ((o.at.date() - start).days + o.at.hour / 24, o.scales[name])
                for o in observations
                if name in o.scales
            ]
        else:
            months: dict[tuple[int, int], list[int]] = {}
            for o in observations:
                if name in o.scales:
                    months.setdefault((o.at.year, o.at.month), []).append(o.scales[name])
            pts = [((date(y, m, 15) - start).days, sum(v) / len(v)) for (y, m), v in sorted(months.items())]
        return [float(p[0]) for p in pts], [float(p[1]) for p in pts]


Rect = tuple[float, float, float, float]  # left, bottom, width, height as fractions of the figure


class Drawing(Protocol):
    """One chart made in a figure: :meth:`show` fills it with its figure (again for each resident on a
    reused PDF page); ``tight``: a one-axes chart, laid out by ``tight_layout`` when it is a whole PNG."""

    tight: bool

    def show(self, value: Any) -> None: ...

    def place(self, rect: Rect) -> None: ...

    def set_visible(self, visible: bool) -> None: ...


# (figure, rect or None for the whole figure, period, title words) -> the chart (a ChartSpec's ``draw``)
Make = Callable[[Figure, "Rect | None", Period, str], Drawing]


class OnAxes:
    """A chart drawn in one Axes: ``fill(ax)`` sets it up and returns what draws a value into it."""

    tight = True

    def __init__(self, fig: Figure, rect: Rect | None, fill: Callable[[Axes], Callable[[Any], None]]) -> None:
        self.ax = fig.add_subplot(1, 1, 1) if rect is None else fig.add_axes(rect)
        self.fill = fill(self.ax)

    def show(self, value: Any) -> None:
        self.fill(value)

    def place(self, rect: Rect) -> None:
        self.ax.set_position(rect)

    def set_visible(self, visible: bool) -> None:
        self.ax.set_visible(visible)


def minutes(fig: Figure, rect: Rect | None, period: Period, title: str) -> Drawing:
    """Minutes per day (per week over long periods); its value: (minutes by day, minutes by week)."""

    def fill(ax: Axes) -> Callable[[Any], None]:
        chart = MinutesChart(ax, period, title)
        return lambda value: chart.show(*value)

    return OnAxes(fig, rect, fill)


def hours(fig: Figure, rect: Rect | None, period: Period, title: str) -> Drawing:
    """Minutes by hour of the day; its value: 24 minutes."""

    def fill(ax: Axes) -> Callable[[Any], None]:
        chart = HoursChart(ax, title)
        return lambda value: chart.update(list(value))

    return OnAxes(fig, rect, fill)


def heatmap(fig: Figure, rect: Rect | None, period: Period, title: str) -> Drawing:
    """Weekday by hour, with its colour bar; its value: 7 rows of 24 minutes."""
    return OnAxes(fig, rect, lambda ax: lambda value: draw_heatmap(ax, value, fig.colorbar, title))


def songs(fig: Figure, rect: Rect | None, period: Period, title: str) -> Drawing:
    """What happened to the songs; its value: a resident's figures."""
    return OnAxes(fig, rect, lambda ax: lambda value: draw_songs(ax, value, title))


def scales(fig: Figure, rect: Rect | None, period: Period, title: str) -> Drawing:
    """Staff observation scales over time; its value: the observation points."""

    def fill(ax: Axes) -> Callable[[Any], None]:
        return ScalesChart(ax, period, title).update

    return OnAxes(fig, rect, fill)


def save_drawing(
    path: Path,
    draw: Make,
    value: Any,
    period: Period,
    title: str,
    size_in: tuple[float, float] = (8.0, 3.2),
    dpi: int = 100,
) -> Path:
    """Render one chart to a PNG file (mode 0600: it may name a resident)."""
    fig = Figure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    drawing = draw(fig, None, period, title)
    drawing.show(value)
    if drawing.tight:
        fig.tight_layout()
    with output_file(path) as fh:  # 0600, links refused, temp file + rename
        fig.savefig(fh, format="png")
    return path
