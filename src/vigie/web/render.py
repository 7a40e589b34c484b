"""Pure helpers that turn data into safe HTML: evidence highlighting.

The statistics' charts are drawn by Matplotlib (:mod:`vigie.web.charts`).

Spans are character offsets into the *original* comment text, so the text is cut at the spans
first and each piece is escaped afterwards; escaping first would shift every offset (``&`` becomes
``&amp;``) and could cut an entity in half.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Mark", "highlight", "merge_marks"]


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
