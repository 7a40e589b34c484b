"""What the learned detectors must not read (detectors/_masking.py)."""

from __future__ import annotations

from factories import comment
from vigie.detectors._masking import OwnLinks, blank, masked_spans, own_links
from vigie.policy import load_policy
from vigie.text.prepare import prepare_batch


def _spans(text: str, own: OwnLinks) -> list[tuple[int, int]]:
    (item,) = prepare_batch([comment(text)])
    return masked_spans(item, [], (), own)


def test_help_lines_and_the_institutions_published_numbers_are_hidden() -> None:
    own = own_links(load_policy())
    text = "Jeunesse, J'écoute : 1 800 668-6868, c'est gratuit et anonyme"
    (span,) = _spans(text, own)
    assert text[span[0]:span[1]] == "1 800 668-6868"
    assert "6868" not in blank(text, [span])
    switchboard = "Le registrariat : 514 340-4711, poste 4000"
    assert [switchboard[a:b] for a, b in _spans(switchboard, own)] == ["514 340-4711"]


def test_other_numbers_and_links_stay_visible_unless_the_institutions() -> None:
    own = own_links(load_policy())
    assert _spans("Call me at 438 555 0199 for cheap followers", own) == []
    text = "Infos : https://www.polymtl.ca/futurs-etudiants et https://cheap-deals.shop"
    assert [text[a:b] for a, b in _spans(text, own)] == ["https://www.polymtl.ca/futurs-etudiants"]


def test_without_a_policy_only_the_help_lines_are_known() -> None:
    own = own_links(None)
    assert _spans("Kids Help Phone 1-800-668-6868", own)
    assert not _spans("Le registrariat : 514 340-4711", own)
