"""Adult-link detector (6.4 e): known adult domains and explicit link previews."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from vigie.actions import Action
from vigie.detectors.adult_links import (
    AdultLinkDetector,
    AdultLinkOptions,
    create,
    load_adult_domains,
    parse_adult_domains,
)
from vigie.engine import decide
from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.records import Attachment, Author, Comment, Platform, Post
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
DETECTOR = AdultLinkDetector(AdultLinkOptions())


def comment(text: str, attachments: Sequence[Attachment] = ()) -> Comment:
    return Comment(id="fb:c1", platform=Platform.FACEBOOK, text=text,
                   created_at=datetime(2025, 3, 1, tzinfo=UTC),
                   author=Author(id="fb:u1", name="Quelqu'un"),
                   post=Post(id="fb:p1", text="Journée portes ouvertes samedi"),
                   attachments=tuple(attachments))


def findings(c: Comment, detector: AdultLinkDetector = DETECTOR) -> list[Finding]:
    prepared = prepare_batch([c])
    return detector.detect(prepared, [[]])[0]


def signals(c: Comment, detector: AdultLinkDetector = DETECTOR) -> list[tuple[str, float]]:
    return [(f.signal, f.score) for f in findings(c, detector)]


# Positives, disguised positives and hard negatives, side by side.
@pytest.mark.parametrize(("text", "expected"), [
    ("regarde ça https://www.pornhub.com/view_video.php?viewkey=ph123",
     [("sexual.link_adult", 0.95)]),
    ("fr.xhamster.com/videos/abc-123", [("sexual.link_adult", 0.95)]),
    ("live now chaturbate.com/hotgirl", [("sexual.link_adult", 0.95)]),
    ("hxxps://stripchat[.]com/room", [("sexual.link_adult", 0.95)]),  # defanged
    ("new pics https://onlyfans.com/someone", [("sexual.link_adult", 0.9)]),
    ("https://www.literotica.com/s/story", [("sexual.link_adult", 0.8)]),
    ("https://hot.example.xxx/page", [("sexual.link_adult", 0.9)]),  # adult TLD
    # Hard negatives: lookalike strings that are not adult domains.
    ("https://notpornhub.com/page", []),
    ("https://pornhub.com.evil.example/page", []),  # the registered domain is evil.example
    ("https://www.sussex.ac.uk/research", []),
    ("https://www.essex.gov.uk/", []),
    ("https://www.polymtl.ca/recherche/xxx-project", []),
    ("https://www.ledevoir.com/societe/pornographie-et-adolescents", []),
    ("https://sex.example.com/", []),  # "sex" as a label, not the TLD
    ("Aucun lien ici, juste un mot: porno.", []),
])
def test_adult_domains(text: str, expected: list[tuple[str, float]]) -> None:
    assert signals(comment(text)) == expected


def test_link_span_and_evidence() -> None:
    text = "go https://fr.pornhub.com/x now"
    (finding,) = findings(comment(text))
    assert text[finding.span[0]:finding.span[1]] == "https://fr.pornhub.com/x"  # type: ignore[index]
    assert finding.data["host"] == "fr.pornhub.com" and finding.data["kind"] == "tube"
    assert "known pornographic video site" in finding.explanation
    assert "go" not in finding.explanation.split()  # words, not the comment


def test_a_link_quoted_in_a_warning_is_held_for_review() -> None:
    c = comment("Attention, arnaque: ne cliquez pas sur https://pornhub.com/x, signalez-le")
    ((signal, score),) = signals(c)
    assert signal == "sexual.link_adult" and score == pytest.approx(0.57)
    verdicts = {v.slug: v.action for v in decide(POLICY, c, findings(c)).categories}
    assert verdicts["sexual"] is Action.REVIEW


@pytest.mark.parametrize(("attachment", "expected"), [
    # A link preview or an image hosted on an adult site.
    (Attachment(type="link", url="https://www.xvideos.com/video123", title="Vidéo"),
     [("sexual.link_adult", 0.95)]),
    (Attachment(type="image", url="https://cdn.erome.com/a/b.jpg"),
     [("sexual.link_adult", 0.95)]),
    # Explicit preview text, whatever the domain.
    (Attachment(type="link", url="https://short.example/x", title="Free porn videos 18+",
                description="Watch free sex videos"),
     [("sexual.preview_explicit", 0.9995)]),
    (Attachment(type="link", url="https://short.example/y", title="Plan cul ce soir",
                description="Rencontres coquines près de chez toi"),
     [("sexual.preview_explicit", 0.9936)]),
    # Hard negatives: clinical, academic and news previews.
    (Attachment(type="link", url="https://www.inspq.qc.ca/x",
                title="Éducation à la sexualité au secondaire",
                description="Guide pour le personnel enseignant"), []),
    (Attachment(type="link", url="https://www.polymtl.ca/diplomation",
                title="Graduated summa cum laude", description="Collation des grades 2025"),
     []),
    # News about pornography: the lexicon's "medium" word scores as it would in a comment,
    # enough for review, never for removal.
    (Attachment(type="link", url="https://www.lapresse.ca/actualites",
                title="La pornographie juvénile en ligne: un réseau démantelé"),
     [("sexual.preview_explicit", 0.75)]),
])
def test_attachments(attachment: Attachment, expected: list[tuple[str, float]]) -> None:
    assert signals(comment("", [attachment])) == expected


def test_a_comment_with_only_an_adult_link_preview_is_removed() -> None:
    c = comment("", [Attachment(type="link", url="https://www.xvideos.com/video123")])
    decision = decide(POLICY, c, findings(c))
    assert decision.action is Action.REMOVE
    assert decision.categories[0].clause == "6.4 e"


def test_options_add_and_exempt_domains() -> None:
    custom = AdultLinkDetector(AdultLinkOptions(extra_domains=("adult-local.example",),
                                                allow_domains=("literotica.com",)))
    assert signals(comment("https://www.adult-local.example/x"), custom) == [
        ("sexual.link_adult", 0.95)]
    assert signals(comment("https://www.literotica.com/s/story"), custom) == []
    assert signals(comment("https://pornhub.com/x"), custom) == [("sexual.link_adult", 0.95)]


def test_previews_can_be_turned_off() -> None:
    off = AdultLinkDetector(AdultLinkOptions(previews=False))
    c = comment("", [Attachment(type="link", url="https://s.example", title="Free porn")])
    assert signals(c, off) == []


def test_unknown_options_are_refused() -> None:
    with pytest.raises(PolicyError, match=r"detectors\.vigie\.links\.adult\.v1\.domains"):
        create({"domains": ["x.com"]}, POLICY)


def test_bundled_list_is_well_formed() -> None:
    domains = load_adult_domains()
    assert domains.reviewed
    assert {"pornhub.com", "xvideos.com", "chaturbate.com", "onlyfans.com"} <= set(domains.domains)
    assert set(domains.tlds) == {"xxx", "porn", "sex", "adult"}
    # General sites that host some adult content do not belong to the list.
    assert not {"reddit.com", "x.com", "twitter.com", "tumblr.com"} & set(domains.domains)


@pytest.mark.parametrize("line", ["pornhub.com", "pornhub.com\tvideos", "porn hub.com\ttube"])
def test_malformed_lines_are_refused(line: str) -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_adult_domains("# header\n" + line + "\n")
