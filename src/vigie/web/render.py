"""Pure helpers that turn data into safe HTML: evidence highlighting and SVG charts.

Spans are character offsets into the *original* comment text, so the text is cut at the spans
first and each piece is escaped afterwards; escaping first would shift every offset (``&`` becomes
``&amp;``) and could cut an entity in half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "Mark", "bar_chart", "column_chart", "highlight", "merge_marks"]


@dataclass(frozen=True, slots=True)
class Mark:
    """A span to highlight.

    Attributes:
        start: first character (offset into the original text).
        end: one past the last character.
        label: what was found there (shown as the tooltip), e.g. ``6.4 c abuse``.
        css: a class name for the category, e.g. ``cat-abuse``.
        tag: a short visible tag after the words, e.g. the clause ``6.4 c`` (``""``: none).
    """

    start: int
    end: int
    label: str
    css: str = ""
    tag: str = ""


def merge_marks(marks: Iterable[Mark], length: int) -> list[Mark]:
    """Clip marks to ``[0, length]``, drop empty ones and merge overlaps (pure).

    Overlapping marks merge into one whose label joins the distinct labels with ``; `` and
    whose class is the first mark's, so nested ``<mark>`` elements never occur.
    """
    spans = sorted((max(0, m.start), min(length, m.end), m) for m in marks)
    out: list[Mark] = []
    for start, end, mark in spans:
        if end <= start:
            continue
        if out and start < out[-1].end:
            last = out[-1]
            labels = last.label.split("; ")
            label = last.label if mark.label in labels else f"{last.label}; {mark.label}"
            tags = [x for x in last.tag.split(" · ") if x]
            tag = last.tag if not mark.tag or mark.tag in tags else " · ".join([*tags, mark.tag])
            out[-1] = Mark(last.start, max(last.end, end), label, last.css, tag)
        else:
            out.append(Mark(start, end, mark.label, mark.css, mark.tag))
    return out


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    """``text`` as HTML with each mark wrapped in ``<mark>`` (pure).

    Args:
        text: the original comment text (not escaped).
        marks: spans in ``text``'s character offsets; out-of-range parts are clipped.

    Returns:
        Escaped HTML; only the ``<mark>`` tags are markup.
    """
    pieces: list[str] = []
    at = 0
    for mark in merge_marks(marks, len(text)):
        pieces.append(str(escape(text[at:mark.start])))
        tag = f' data-clause="{escape(mark.tag)}"' if mark.tag else ""
        pieces.append(
            f'<mark class="{escape(mark.css)}" title="{escape(mark.label)}"{tag}>'
            f"{escape(text[mark.start:mark.end])}</mark>"
        )
        at = mark.end
    pieces.append(str(escape(text[at:])))
    return Markup("".join(pieces))


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label and a value (a count, seconds, a rate)."""

    label: str
    value: float


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "", width: int = 520,
              number: Callable[[float], str] = _fmt) -> Markup:
    """A horizontal bar chart as inline SVG (pure; no script, no external file).

    Args:
        bars: the bars, drawn top to bottom.
        title: accessible title of the chart.
        unit: appended to each value label, e.g. ``" s"``.
        width: width in CSS pixels.
        number: how a value is written (the reader's locale: ``0,85`` in French).
    """
    row, label_w, pad = 24, 170, 60
    height = max(1, len(bars)) * row + 10
    top = max((b.value for b in bars), default=0.0) or 1.0
    scale = (width - label_w - pad) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}'
             "</title>"]
    for i, bar in enumerate(bars):
        y = 5 + i * row
        w = max(0.0, bar.value * scale)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="chart-label">'
            f"{escape(bar.label)}</text>"
            f'<rect class="chart-bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}">'
            f"<title>{escape(bar.label)}: {escape(number(bar.value))}{escape(unit)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 16}" class="chart-value">'
            f"{escape(number(bar.value))}{escape(unit)}</text>"
        )
    if not bars:
        parts.append('<text x="10" y="20" class="chart-label">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(columns: Sequence[Bar], *, title: str, width: int = 620,
                 height: int = 220, number: Callable[[float], str] = _fmt) -> Markup:
    """A vertical column chart (e.g. comments per week) as inline SVG (pure).

    ``number`` writes the values (the reader's locale).
    """
    base, left, top_pad = height - 40, 40, 15
    n = max(1, len(columns))
    slot = (width - left - 10) / n
    top = max((c.value for c in columns), default=0.0) or 1.0
    scale = (base - top_pad) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}'
             f'</title><line class="chart-axis" x1="{left}" y1="{base}" x2="{width - 5}" '
             f'y2="{base}"/><text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" '
             f'class="chart-value">{escape(number(top))}</text>']
    for i, col in enumerate(columns):
        h = col.value * scale
        x = left + i * slot + slot * 0.15
        parts.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}"><title>{escape(col.label)}: {escape(number(col.value))}'
            "</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{base + 14}" text-anchor="middle" '
            f'class="chart-label chart-small">{escape(col.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
