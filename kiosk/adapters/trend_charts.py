"""Weekly trend lines for one resident as small multiples: minutes of music, share of songs heard to the end,
likes, and each staff observation scale in its own small panel (five lines on one chart could not be told
apart). Set up once and refilled per resident (the PDF reuses one page for every resident).

Week values: minutes and plays from trusted-clock sessions; a scale's weekly value is the mean of the forms that
set it (unset scales are missing, old forms' 50s left out as possibly untouched). A week with nothing to show
is a gap in the line, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from kiosk.adapters import charts  # sets the Agg backend first
from kiosk.domain.events import OBSERVATION_SCALES
from kiosk.domain.report import Period, ResidentFigures, week_start

NAN = float("nan")


def weeks_of(period: Period) -> list[date]:
    out, d = [], week_start(period.start)
    while d <= period.end:
        out.append(d)
        d += timedelta(days=7)
    return out


def _minutes(f: ResidentFigures, weeks: Sequence[date]) -> list[float]:
    return [f.minutes_by_week.get(w, 0.0) for w in weeks]


def _heard_pct(f: ResidentFigures, weeks: Sequence[date]) -> list[float]:
    out = []
    for w in weeks:
        started, completed, _liked = f.week_plays.get(w, [0, 0, 0])
        out.append(100.0 * completed / started if started else NAN)
    return out


def _likes(f: ResidentFigures, weeks: Sequence[date]) -> list[float]:
    return [float(f.week_plays.get(w, [0, 0, 0])[2]) for w in weeks]


def _scale(name: str) -> Callable[[ResidentFigures, Sequence[date]], list[float]]:
    def values(f: ResidentFigures, weeks: Sequence[date]) -> list[float]:
        sums: dict[date, list[float]] = {}
        for o in f.observations:
            v = o.scales.get(name)
            if v is None or (o.maybe_untouched and v == 50):
                continue
            cell = sums.setdefault(week_start(o.at.date()), [0.0, 0.0])
            cell[0] += v
            cell[1] += 1
        return [sums[w][0] / sums[w][1] if w in sums else NAN for w in weeks]

    return values


PANELS: tuple[tuple[str, Callable[[ResidentFigures, Sequence[date]], list[float]], float | None], ...] = (
    ("Minutes of music", _minutes, None),
    ("% heard to the end", _heard_pct, 100.0),
    ("Likes", _likes, None),
    *((f"{n.capitalize()} (0-100)", _scale(n), 100.0) for n in OBSERVATION_SCALES),
)


WHOLE_FIGURE = (0.07, 0.08, 0.9, 0.8)  # the grid's place when it is a PNG of its own


class TrendGrid:
    """Eight small panels (2 rows x 4) inside ``rect`` (figure fraction: left, bottom, width, height);
    a :class:`kiosk.adapters.charts.Drawing` whose value is a resident's figures."""

    tight = False

    def __init__(
        self,
        fig: Figure,
        rect: tuple[float, float, float, float] | None,
        period: Period,
        title: str = "Week by week",
    ) -> None:
        rect = rect or WHOLE_FIGURE
        self.fig = fig
        self.weeks = weeks_of(period)
        self.panels: list[tuple[Axes, Line2D, Text, float | None]] = []
        self.title = fig.text(rect[0], rect[1] + rect[3], title, fontsize=11, fontweight="bold", va="bottom")
        self.place(rect)

    def place(self, rect: tuple[float, float, float, float]) -> None:
        """Lay the panels out in ``rect`` (made on the first call, moved after)."""
        left, bottom, width, height = rect
        self.title.set_position((left, bottom + height))
        cols, rows = 4, 2
        gap_x, gap_y = 0.045, 0.055 * height / 0.3
        w = (width - gap_x * (cols - 1)) / cols
        h = (height - gap_y * rows) / rows
        n = len(self.weeks)
        step = max(1, -(-n // 3))
        ticks = list(range(0, n, step))
        for i, (name, _values, top) in enumerate(PANELS):
            r, c = divmod(i, cols)
            box = (left + c * (w + gap_x), bottom + (rows - 1 - r) * (h + gap_y), w, h)
            if len(self.panels) <= i:
                ax = self.fig.add_axes(box)
                (line,) = ax.plot([], [], color="black", marker="o", markersize=3, linewidth=1.2)
                ax.set_xlim(-0.5, max(0.5, n - 0.5))
                ax.set_xticks(ticks, [self.weeks[t].strftime("%d %b") for t in ticks], fontsize=10)
                ax.tick_params(axis="y", labelsize=10)
                ax.grid(axis="y", color="0.85", linewidth=0.5)
                ax.text(0.0, 1.04, name, transform=ax.transAxes, fontsize=10, fontweight="bold", va="bottom")
                note = ax.text(
                    0.5, 0.5, "not recorded", transform=ax.transAxes, ha="center", va="center",
                    color="0.35", fontsize=10, visible=False,
                )  # fmt: skip
                if top is not None:
                    ax.set_ylim(0, top * 1.05)
                    ax.set_yticks([0, top / 2, top])
                self.panels.append((ax, line, note, top))
            else:
                self.panels[i][0].set_position(box)

    def set_visible(self, visible: bool) -> None:
        for ax, *_rest in self.panels:
            ax.set_visible(visible)
        self.title.set_visible(visible)

    def show(self, value: ResidentFigures) -> None:
        self.update(value)

    def update(self, f: ResidentFigures) -> None:
        xs = list(range(len(self.weeks)))
        for (ax, line, note, top), (_name, values, _top) in zip(self.panels, PANELS, strict=True):
            ys = values(f, self.weeks)
            line.set_data(xs, ys)
            shown = [y for y in ys if not math.isnan(y)]
            note.set_visible(not shown or (top is None and max(shown) <= 0))
            if top is None:
                peak = max(shown, default=0.0)
                ax.set_ylim(0, peak * 1.15 if peak > 0 else 1.0)
                ax.set_yticks([0, round(peak)] if peak > 0 else [0])


def trends(fig: Figure, rect: charts.Rect | None, period: Period, title: str) -> charts.Drawing:
    """The week-by-week small multiples of one resident (a chart list entry's ``draw``)."""
    return TrendGrid(fig, rect, period, title)
