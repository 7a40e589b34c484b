"""Evidence highlighting (spans are offsets into the *original* text)."""

from __future__ import annotations

import pytest

from vigie.web.render import Mark, highlight, merge_marks


@pytest.mark.parametrize(("text", "marks", "html"), [
    # plain span
    ("t'es un cave", [Mark(8, 12, "abuse")],
     "t&#39;es un <mark class=\"\" title=\"abuse\">cave</mark>"),
    # markup in the comment is escaped, and the span still lands on the right characters
    ("<b>x</b> & osti", [Mark(11, 15, "abuse")],
     "&lt;b&gt;x&lt;/b&gt; &amp; <mark class=\"\" title=\"abuse\">osti</mark>"),
    # a span over the characters that need escaping
    ("a <script> b", [Mark(2, 10, "x")], "a <mark class=\"\" title=\"x\">&lt;script&gt;</mark> b"),
    # emoji and accents: offsets are code points, as Python (and the detectors) count them
    ("🎉 câlisse!", [Mark(2, 9, "abuse")], "🎉 <mark class=\"\" title=\"abuse\">câlisse</mark>!"),
    # no marks
    ("rien", [], "rien"),
    # out-of-range span is clipped, empty span dropped
    ("abc", [Mark(1, 99, "x"), Mark(2, 2, "y")], "a<mark class=\"\" title=\"x\">bc</mark>"),
])
def test_highlight(text: str, marks: list[Mark], html: str) -> None:
    assert str(highlight(text, marks)) == html


def test_labels_and_classes_are_escaped() -> None:
    out = str(highlight("abc", [Mark(0, 1, '"><script>', 'x" onclick="y')]))
    assert "<script>" not in out and 'onclick="y"' not in out


def test_overlapping_marks_merge_into_one() -> None:
    merged = merge_marks([Mark(0, 5, "a"), Mark(3, 8, "b"), Mark(3, 4, "a"), Mark(10, 12, "c")],
                         20)
    assert [(m.start, m.end, m.label) for m in merged] == [(0, 8, "a; b"), (10, 12, "c")]
    assert str(highlight("0123456789abcdef", [Mark(0, 5, "a"), Mark(3, 8, "b")])).count(
        "<mark") == 1
