"""Normalisation: folded view and matching view, with offsets back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.text.normalize import normalize, squeeze_letters

ZW = "\u200b"  # zero-width space


# -- folded view (every detector) ----------------------------------------------------------

@pytest.mark.parametrize(("text", "folded"), [
    ("Câlisse", "calisse"),
    ("ＳＥＸ", "sex"),                      # full-width
    ("𝐟𝐮𝐜𝐤 𝓸𝓼𝓽𝓲", "fuck osti"),            # mathematical alphabets
    ("Ⓣⓐⓑⓐⓡⓝⓐⓚ", "tabarnak"),              # circled letters
    (f"ta{ZW}pette", "tapette"),             # zero-width space
    ("os\u00adti", "osti"),                  # soft hyphen
    ("\u202eitso\u202c", "itso"),            # bidi override
    ("a\u3164b", "ab"),                       # Hangul filler used as an invisible space
    ("Sacré-Cœur", "sacre-coeur"),           # accents, ligature spelled out
    ("féminаzies", "feminazies"),            # Cyrillic а inside a Latin word
    ("Vidéos pоrn", "videos porn"),          # Cyrillic о
    # hard negatives: numbers, punctuation and other scripts survive
    ("514-340-4711, H3T 1J4", "514-340-4711, h3t 1j4"),
    ("Привет как дела", "привет как дела"),  # a Russian comment is left in Cyrillic
    ("Ελληνικά", "ελληνικα"),
    ("Bravo!\nÀ demain", "bravo!\na demain"),
])
def test_folded_view(text: str, folded: str) -> None:
    assert normalize(text).text == folded


@pytest.mark.parametrize("text", ["", "abc", "Câlisse 🍆", "ＳＥＸ", "a\x00b\u200bc", "ﬁn œuvre"])
def test_folded_offsets_point_to_the_source_character(text: str) -> None:
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text)
    for i, offset in enumerate(norm.offsets):
        assert norm.text[i] in normalize(text[offset]).text


# -- matching view (lexicons) ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "words"), [
    # leetspeak inside letter runs
    ("C@lisse de m3rde", "calisse de merde"),
    ("h0rny", "horny"),
    ("sh!t b|tch", "shit bitch"),
    ("70u7 le m0nde, c'357 lu1", "tout le monde, c'est lui"),
    ("$hit a$$", "shit ass"),
    # emoji and enclosed letters
    ("Ta🅱️arnak", "tabarnak"),
    ("🅾️STIE", "ostie"),
    ("🇫🇺🇨🇰", "fuck"),
    # look-alikes, also a whole Greek-looking word in a Latin comment
    ("ΗΟΤ girls", "hot girls"),
    ("ѕех pics", "sex pics"),
    # words spelled letter by letter; a double space ends a word
    ("s.e.x", "sex"),
    ("p.o.r.n.o gratuit", "porno gratuit"),
    ("f u c k you", "fuck you"),
    ("f-u-c-k", "fuck"),
    ("s e x e  g r a t u i t", "sexe gratuit"),
    # stretched letters and spaces; hyphens read as spaces
    ("fuuuuuck", "fuck"),
    ("ostiiiiii", "osti"),
    ("cul-de-sac", "cul de sac"),
    ("a \n\n  b", "a b"),
    ("l’église", "l'eglise"),
    # hard negatives: numbers and punctuation keep their meaning
    ("2025, 3e rangée", "2025, 3e rangee"),
    ("connard, millions", "connard, millions"),  # double letters stay
    ("A55 et 4h", "a55 et 4h"),
    ("Bravo! enfin!!!", "bravo! enfin!!!"),
    ("@marie 20$ $5", "@marie 20$ $5"),
    ("il y a 3 km", "il y a 3 km"),
    ("Привет как дела", "привет как дела"),
])
def test_matching_view(text: str, words: str) -> None:
    assert normalize(text).words.text == words


@pytest.mark.parametrize(("text", "start", "end", "covers"), [
    ("Merci C@lisse!", 6, 13, "C@lisse"),
    (f"une ta{ZW}pette", 4, 11, f"ta{ZW}pette"),
    ("yo s.e.x pics", 3, 6, "s.e.x"),
    ("fuuuuuck", 0, 4, "fuuuuuck"),
    ("Ta🅱️arnak!", 0, 8, "Ta🅱️arnak"),
])
def test_matching_view_spans_map_to_the_disguised_original(text: str, start: int, end: int,
                                                           covers: str) -> None:
    view = normalize(text).words
    a, b = view.to_original(start, end)
    assert text[a:b] == covers


def test_runs_remember_stretched_letters() -> None:
    view = normalize("crisssse crise connard").words
    assert view.text == "crise crise connard"
    assert list(view.runs[:5]) == [1, 1, 1, 4, 1]  # the stretch is remembered
    assert set(view.runs[5:]) == {1}
    assert view.to_original(0, 5) == (0, 8)


def test_a_lone_word_before_a_spelled_out_word_leaves_a_break() -> None:
    view = normalize("il a s u c e").words
    assert view.text == "il asuce"
    assert view.breaks == frozenset({4})  # a word may start at "s"


def test_squeeze_letters() -> None:
    assert squeeze_letters("coool   ok") == ("col ok", bytes([1, 3, 1, 1, 1, 1]))


# -- properties --------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
       | st.text(alphabet="aAeE0134@$!|*. -_s\u200bоеΗ🅱️\n", max_size=60))
def test_views_keep_the_offsets_contract(text: str) -> None:
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text)
    assert list(norm.offsets) == sorted(norm.offsets)
    assert all(0 <= o < len(text) for o in norm.offsets)
    view = norm.words
    n = len(view.text)
    assert len(view.starts) == len(view.ends) == len(view.runs) == n
    assert all(0 <= s < e <= len(text) for s, e in zip(view.starts, view.ends, strict=True))
    assert list(view.starts) == sorted(view.starts)
    assert all(0 < b <= n for b in view.breaks)
    if n:
        a, b = view.to_original(0, n)
        assert 0 <= a <= b <= len(text)
