"""The statistics' charts: SVG drawn on the server by Matplotlib (no JavaScript, no CDN).

Matplotlib draws the axes, ticks and legends; the figure has a fixed size per layout (``wide``
for a desktop, ``narrow`` for a phone, picked by the page's ``<picture>``) and a constrained
layout that makes room for every label inside it. Long labels are wrapped, tick labels thinned
to what the width can hold, and numbers written in the reader's locale (``1 234``, ``2,5``).
Text is drawn as outlines: the chart reads the same without the DejaVu font on the reader's
machine, and it is an image, so the page's tables carry the same figures as text.

A period without a human decision has no median delay: its point is missing (a gap in the line),
never a zero.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import matplotlib
from matplotlib.figure import Figure  # a bare Figure: no pyplot, no GUI toolkit, no state
from matplotlib.ticker import FuncFormatter, MaxNLocator

from vigie.web.formats import Formats

__all__ = ["COLORS", "LAYOUTS", "Chart", "Series", "figure", "svg"]

Kind = Literal["stacked", "grouped", "line", "bars"]
Layout = Literal["wide", "narrow"]
#: Figure size in inches at 96 dpi: 768 x 336 px on a desktop, 372 x 420 px on a phone.
LAYOUTS: dict[str, tuple[float, float]] = {"wide": (8.0, 3.5), "narrow": (3.875, 4.375)}
_DPI = 96
#: Okabe-Ito colours (readable by colour-blind readers), one per automatic action.
COLORS = {"allow": "#009E73", "review": "#E69F00", "escalate": "#CC79A7", "hide": "#56B4E9",
          "remove": "#D55E00", "block": "#000000", "comments": "#0072B2",
          "restored": "#009E73", "removals": "#D55E00", "median": "#0072B2"}


@dataclass(frozen=True, slots=True)
class Series:
    """One series: a name for the legend, values (``None`` = no value), a colour."""

    name: str
    values: tuple[float | None, ...]
    color: str


@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw.

    Attributes:
        kind: ``stacked`` / ``grouped`` columns per label, a ``line`` with gaps, or
            horizontal ``bars`` (one series, labels on the left).
        labels: one per column or bar (a newline allowed).
        series: the values.
        unit: the value axis' title.
        empty: the sentence shown when there is nothing to draw.
        lang: ``fr`` or ``en``, for the numbers.
    """

    kind: Kind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    empty: str
    lang: str = "fr"


def _number(fmt: Formats, value: float) -> str:
    return fmt.number(value, 0 if float(value).is_integer() else 1)


def _thin(labels: Sequence[str], room: int) -> list[str]:
    """Keep one label in ``step`` so that at most ``room`` are written (the ticks stay)."""
    step = max(1, math.ceil(len(labels) / room))
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]


def _columns(fig: Figure, chart: Chart, layout: str, fmt: Formats) -> None:
    ax = fig.subplots()
    x = list(range(len(chart.labels)))
    if chart.kind == "line":
        for s in chart.series:
            ys = [math.nan if v is None else v for v in s.values]
            ax.plot(x, ys, color=s.color, marker="o", markersize=4, linewidth=1.8,
                    label=s.name, clip_on=False)  # a point at 0 stays whole
    elif chart.kind == "grouped":
        width = 0.8 / max(1, len(chart.series))
        for i, s in enumerate(chart.series):
            ax.bar([p + (i - (len(chart.series) - 1) / 2) * width for p in x],
                   [v or 0 for v in s.values], width, color=s.color, label=s.name)
    else:
        bottom = [0.0] * len(x)
        for s in chart.series:
            values = [v or 0.0 for v in s.values]
            ax.bar(x, values, 0.8, bottom=bottom, color=s.color, label=s.name)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    room = 12 if layout == "wide" else 5
    ax.set_xticks(x, _thin(chart.labels, room))
    ax.set_xlim(-0.6, max(len(x), 1) - 0.4)
    heights = ([sum(v or 0.0 for v in column) for column in zip(
        *(s.values for s in chart.series), strict=True)] if chart.kind == "stacked" else
        [v for s in chart.series for v in s.values if v is not None])
    top = max(heights, default=0.0)
    ax.set_ylim(0, max(1.0, top * 1.12))  # an all-zero series still gets a readable axis
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=chart.kind != "line"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(fmt, v)))
    ax.set_ylabel(chart.unit)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    if len(chart.series) > 1:
        fig.legend(loc="outside lower center", ncols=3 if layout == "narrow" else 6,
                   frameon=False, fontsize=9)


def _bars(fig: Figure, chart: Chart, layout: str, fmt: Formats) -> None:
    ax = fig.subplots()
    width = 30 if layout == "wide" else 16
    labels = [textwrap.fill(label, width, max_lines=3, placeholder="…")
              for label in chart.labels]
    values = [v or 0.0 for v in chart.series[0].values]
    y = list(range(len(labels)))
    bars = ax.barh(y, values, 0.7, color=chart.series[0].color)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()  # the largest first, at the top
    ax.bar_label(bars, labels=[_number(fmt, v) for v in values], padding=3, fontsize=9)
    ax.set_xlim(0, max(values) * 1.18 or 1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if layout == "narrow" else 6, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(fmt, v)))
    ax.set_xlabel(chart.unit)
    ax.spines[["top", "right"]].set_visible(False)


def figure(chart: Chart, layout: Layout = "wide") -> Figure:
    """The chart as a Matplotlib figure of the layout's size, laid out to hold every label."""
    fig = Figure(figsize=LAYOUTS[layout], dpi=_DPI, layout="constrained")
    fmt = Formats(chart.lang)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)  # type: ignore[union-attr, call-arg]
    with matplotlib.rc_context({"font.size": 10, "svg.fonttype": "path",
                                "svg.hashsalt": "vigie"}):
        has_data = any(v for s in chart.series for v in s.values)
        if not chart.labels or (chart.kind == "bars" and not has_data):
            fig.text(0.5, 0.5, chart.empty, ha="center", va="center", color="#555555",
                     wrap=True)
        elif chart.kind == "bars":
            _bars(fig, chart, layout, fmt)
        else:
            _columns(fig, chart, layout, fmt)
    return fig


@lru_cache(maxsize=256)
def svg(chart: Chart, layout: Layout = "wide") -> str:
    """The chart as a standalone SVG document, its metadata left out (same input, same bytes).

    Charts are small and immutable, so the last 256 are kept: a page view and its charts'
    requests draw each one once.
    """
    fig = figure(chart, layout)
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "vigie"}):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None,
                                                 "Format": None, "Type": None})
    return out.getvalue()
