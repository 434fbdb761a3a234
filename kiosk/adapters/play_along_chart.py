"""The Play along chart: presses per minute and the share of presses on the beat, per day (per week over periods
longer than a month), as two bar panels side by side. Black and white, like every report chart.

Under the panels, wherever it is shown, a caption says these counts are a simple proxy for initiation and
involvement, not a clinical measure (on a PDF page it sits under the tick labels, so the chart goes last).
"""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.figure import Figure
from matplotlib.text import Text

from kiosk.adapters import charts  # sets the Agg backend first
from kiosk.domain.report import Period, week_start
from kiosk.domain.report_play_along import PROXY, PlayAlongFigures

DAILY_MAX_DAYS = 31  # longer periods are shown per week
GAP = 0.12  # between the two panels, as a share of the chart's width
TICKS_IN, CAPTION_IN, TITLES_IN = 0.3, 0.22, 0.42  # room for tick labels, the caption line, the titles


def _keys(period: Period) -> tuple[list[date], bool]:
    weekly = period.days > DAILY_MAX_DAYS
    if not weekly:
        return [period.start + timedelta(days=i) for i in range(period.days)], False
    keys, d = [], week_start(period.start)
    while d <= period.end:
        keys.append(d)
        d += timedelta(days=7)
    return keys, True


class PlayAlongChart:
    """A :class:`kiosk.adapters.charts.Drawing` whose value is :class:`PlayAlongFigures`."""

    tight = False

    def __init__(self, fig: Figure, rect: charts.Rect | None, period: Period, title: str) -> None:
        self.fig = fig
        self.keys, self.weekly = _keys(period)
        fmt = "w/c %d %b" if self.weekly else "%d %b"
        labels = [k.strftime(fmt) for k in self.keys]
        high = fig.get_figheight()
        self.below = TICKS_IN / high  # the caption sits under the tick labels
        if rect is None:  # a PNG of its own: room for the caption, the tick labels and the titles
            bottom = 0.03 + (CAPTION_IN + TICKS_IN) / high
            rect = (0.08, bottom, 0.9, 1.0 - bottom - TITLES_IN / high)
        self.caption: Text = fig.text(0, 0, PROXY.capitalize() + ".", va="top", ha="left", color="0.25")
        left_box, right_box = self._boxes(rect)
        self.words = title
        self.rate = charts.BarChart(
            fig.add_axes(left_box), labels, "", hatch="///", ylabel="per minute", max_ticks=4
        )
        self.share = charts.BarChart(fig.add_axes(right_box), labels, "", hatch="...", ylabel="", max_ticks=4)
        for chart in (self.rate, self.share):
            chart.note.set_text("No Play along")
        self.place(rect)

    @staticmethod
    def _boxes(rect: charts.Rect) -> tuple[charts.Rect, charts.Rect]:
        left, bottom, width, height = rect
        w = width * (1 - GAP) / 2
        return (left, bottom, w, height), (left + w + width * GAP, bottom, w, height)

    def place(self, rect: charts.Rect) -> None:
        left_box, right_box = self._boxes(rect)
        self.rate.ax.set_position(left_box)
        self.share.ax.set_position(right_box)
        self.caption.set_position((rect[0], rect[1] - self.below))

    def set_visible(self, visible: bool) -> None:
        for artist in (self.rate.ax, self.share.ax, self.caption):
            artist.set_visible(visible)

    def show(self, value: PlayAlongFigures) -> None:
        """Each bar a day (or week); the titles say the whole period's figures."""
        ppm_all, share_all = value.presses_per_min, value.on_beat_share
        rate = f"{ppm_all:.1f} presses/min" if ppm_all is not None else "presses/min"
        self.rate.title.set_text(f"{self.words}: {rate}")
        self.share.title.set_text(
            f"{100 * share_all:.0f}% on the beat" if share_all is not None else "% on the beat"
        )
        ppm, share = value.series(self.keys, self.weekly)
        self.rate.update([v or 0.0 for v in ppm])
        self.share.update([v or 0.0 for v in share])
        self.share.ax.set_ylim(0, 105)
        self.share.ax.set_yticks([0, 50, 100])


def play_along(fig: Figure, rect: charts.Rect | None, period: Period, title: str) -> charts.Drawing:
    """Presses per minute and % on the beat (a chart list entry's ``draw``)."""
    return PlayAlongChart(fig, rect, period, title)
