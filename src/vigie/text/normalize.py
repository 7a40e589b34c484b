"""Text normalisation with offsets back to the original text.

Detectors match on folded forms of the comment but must report spans in the *original* text,
so every folded character remembers where it came from. Two views are offered:

``Normalized.text`` — the *folded* view, computed for every comment:
    NFKC compatibility forms (full-width, mathematical alphabets, ligatures, circled letters),
    case folding, accents stripped, ``œ``/``æ`` spelled out, zero-width, bidi, control and
    invisible filler characters removed, and Cyrillic or Greek look-alike letters folded to
    Latin inside words that mix them with Latin letters ("pоrn" with a Cyrillic ``о``).
    Digits, punctuation and spacing are kept: phone numbers and URLs survive unchanged.

``Normalized.words`` — the *matching* view, computed on first use (lexicon matching):
    the folded view plus every look-alike letter folded when the comment is mostly Latin,
    emoji letters (🅱, 🅾, regional indicators) and small capitals read as letters, leetspeak
    undone inside letter runs only ("m3rde", "C@lisse", "h0rny"; never "2025" or "3e"),
    words spelled letter by letter joined ("s.e.x", "f u c k"), hyphens and underscores read
    as spaces, whitespace runs collapsed, and letters stretched three times or more squeezed
    to one ("fuuuck" → "fuck", "crisssse" → "crise") with the stretch kept in
    :attr:`WordsView.runs` so that a matcher can tell "crise" from a stretched "crisse".
    Ordinary double letters stay ("connard").

Pure functions; no I/O. The folded view costs about 15 µs per 100 characters; the matching
view about as much again, and only for the detectors that ask for it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["Normalized", "WordsView", "fold_char", "normalize", "squeeze_letters"]

# Format characters (zero-width space/joiners, bidi controls, soft hyphen) are removed: they are
# invisible to readers and used to split words past filters.
_DROP_CATEGORIES = frozenset({"Cf", "Cc", "Mn"})
_KEEP_CONTROLS = frozenset("\n\t")
# Letters and symbols that render as blanks and are used like zero-width spaces.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Ligature-like letters NFKC keeps as one character; readers and matchers see two.
_EXPAND = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ß": "ss"}

# Cyrillic and Greek letters that look like Latin ones, keyed by the *original* character
# (upper and lower case: case folding maps Greek capital Eta "Η", which looks like H, to
# "η", which looks like n). One character to one character, so offsets never move.
_CONFUSABLE_PAIRS = (
    # Cyrillic capitals, then small letters
    "АaВbСcЕeЁeНhІiЇiЈjКkМmОoРpЅsТtХxУyҮyԚqԜwӀl"
    "аaвbсcеeёeһhіiїiјjкkмmнhоoпnрpѕsтtхxуyүyԛqԝwӏlԁdгr"
    # Greek capitals, then small letters
    "ΑaΒbΕeΖzΗhΙiΚkΜmΝnΟoΡpΤtΥyΧx"
    "αaβbγyεeηnιiκkμuνvοoρpτtυuχxωwϲc"
    # Latin look-alikes outside ASCII that NFKC leaves alone
    "ıiɑaɡgɩiʟlɪiʀrʏyʜhɢgɴnʙb"
)
_CONFUSABLE = {_CONFUSABLE_PAIRS[i]: _CONFUSABLE_PAIRS[i + 1]
               for i in range(0, len(_CONFUSABLE_PAIRS), 2)}
# Small capitals (ᴀ ᴄ ᴅ...) that have no compatibility decomposition.
for _char, _letter in zip("ᴀᴄᴅᴇᴊᴋᴍᴏᴘᴛᴜᴠᴡᴢꜱ", "acdejkmoptuvwzs", strict=True):
    _CONFUSABLE[_char] = _letter
_CONFUSABLE_RE = re.compile("[" + "".join(sorted(_CONFUSABLE)) + "]")


def _emoji_letters() -> dict[str, str]:
    """Emoji and enclosed letters without a compatibility decomposition, read as letters."""
    table: dict[str, str] = {}
    for base in (0x1F150, 0x1F170, 0x1F1E6):  # negative circled, negative squared, regional
        for i in range(26):
            table[chr(base + i)] = chr(ord("a") + i)
    return table


_EMOJI_LETTERS = _emoji_letters()
# Apostrophes and dashes that readers take for "'" and "-".
_PUNCT = {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "‐": "-", "‑": "-", "–": "-",
          "—": "-"}
_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-z]")
_NOT_ASCII_LETTER = bytes(i for i in range(256) if not 97 <= i <= 122)

# Leetspeak: digits and symbols standing for letters. "1" and "|" are read as "i", their
# commonest use in swears ("sh1t", "b|tch").
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
         "$": "s", "€": "e", "!": "i", "|": "i", "¡": "i"}
_LEET_DIGITS = frozenset("0134578")
_LEET_RUN = re.compile(r"[a-z0-9@$€!|¡]*(?:[a-z][0-9@$€!|¡]|[0-9@$€!|¡][a-z])[a-z0-9@$€!|¡]*")
_LEET_CHARS = re.compile(r"[0-9@$€!|¡]+")
_INNER_LETTER = re.compile(r"[0-9@$€][a-z]+[0-9@$€]")
# Cheap test before _unleet: a digit or symbol touching a letter ("bravo!" does not count).
_MAYBE_LEET = re.compile(r"[a-z][0-9@$€]|[0-9@$€][a-z]|[a-z][!|¡][a-z]|[a-z]'[0-9]")
_ELIDED_DIGITS = re.compile(r"(?:(?<=^[cdjlmnst]')|(?<=[^\w][cdjlmnst]'))[0134578]{2,}(?!\w)")
# Three or more single characters joined by the same separator: "s.e.x", "f u c k",
# "n-u-d-e", "r 3 t a r d s" (leetspeak is undone after joining). A double space or another
# separator ends the word: "s e x e  g r a t u i t" is two words. Groups with fewer than
# three letters ("y a 3 km", "5 1 4") are left alone.
_MEMBER = r"(?:[^\W_]|[@$€!|*])"
_SPACED = re.compile(
    rf"(?<![^\W_@$€!|]){_MEMBER}(?P<sep>[ .\-_*/\\·•~+:]{{1,3}}){_MEMBER}"
    rf"(?:(?P=sep){_MEMBER})+(?![^\W_@$€!|])"
)
# Cheap test before _SPACED: a single character between separators.
_MAYBE_SPACED = re.compile(r"(?:^|[\s.\-_*/\\·•~+:])[^\s.\-_*/\\·•~+:][ .\-_*/\\·•~+:]{1,3}"
                           r"[^\s.\-_*/\\·•~+:][ .\-_*/\\·•~+:]")
# A lone "a", "y" or "i" in front of a spelled-out word is usually a word of its own
# ("il a s u c e", "y a p o r n"); a matcher may start a word right after it.
_LEADING_SINGLES = frozenset("ayi")
_TRAILING_SINGLES = frozenset("uayi")
# Letters stretched to three or more ("fuuuck"; the matching view is folded to ASCII letters
# where it matters) and runs of spaces. Ordinary double letters ("connard") stay.
_SQUEEZE = re.compile(r"([a-z])\1\1+|  +")
_OTHER_SPACES = re.compile(r"[\t\n\r\f\v]")


def fold_char(char: str) -> str:
    """Fold one character: NFKC, case-fold, strip accents; may return 0..n characters (pure)."""
    if char in _INVISIBLE:
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", char).casefold():
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d) in _DROP_CATEGORIES and d not in _KEEP_CONTROLS:
                continue
            out.append(_EXPAND.get(d, d))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class WordsView:
    """The matching view of a comment (see the module docstring).

    Attributes:
        text: the view's characters.
        starts: ``starts[i]`` is the index in the original text of the first original
            character behind ``text[i]``.
        runs: ``runs[i]`` is how many repeated letters ``text[i]`` stands for: 1, or 3 to 255
            for a stretched letter.
        breaks: indices ``i`` where a word may be taken to start or end between
            ``text[i - 1]`` and ``text[i]`` although both are letters (a lone "a" before a
            word spelled letter by letter, "a suce" written "a s u c e").
        wide: for the characters that stand for several original characters (a squeezed
            "uuuu", a whitespace run), ``{i: end}`` with ``end`` one past the last of them;
            any other character covers ``starts[i]`` only.
    """

    text: str
    starts: tuple[int, ...]
    runs: bytes
    breaks: frozenset[int] = frozenset()
    wide: Mapping[int, int] = field(default_factory=dict)

    def end_of(self, index: int) -> int:
        """One past the last original character behind ``text[index]`` (pure)."""
        return self.wide.get(index, self.starts[index] + 1)

    @property
    def ends(self) -> tuple[int, ...]:
        """``ends[i]``: one past the last original character behind ``text[i]``."""
        return tuple(self.end_of(i) for i in range(len(self.starts)))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the original text (pure)."""
        n = len(self.starts)
        if start >= end or start >= n:
            anchor = self.starts[start] if start < n else (self.end_of(n - 1) if n else 0)
            return anchor, anchor
        return self.starts[start], self.end_of(min(end, n) - 1)


@dataclass(frozen=True)
class Normalized:
    """A folded text and, for each folded character, the index of its original character.

    Attributes:
        original: the text as posted.
        text: the folded text detectors match on.
        offsets: ``offsets[i]`` is the index in ``original`` of folded character ``i``;
            ``len(offsets) == len(text)``.
    """

    original: str
    text: str
    offsets: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the folded text to the original text (pure).

        The span covers every original character that produced a folded character in range,
        so a match on "sex" folded from "s.e.x" maps to the whole "s.e.x".
        """
        if not self.offsets or start >= end:
            anchor = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return anchor, anchor
        first = self.offsets[start]
        last = self.offsets[min(end, len(self.offsets)) - 1]
        return first, last + 1

    @cached_property
    def words(self) -> WordsView:
        """The matching view (leetspeak, spelled-out words, repeats undone); built once."""
        return _words_view(self)


_FOLD_CACHE: dict[str, str] = {}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _fold_mixed_tokens(text: str, offsets: list[int], original: str) -> str:
    """Fold look-alike letters in words that mix them with Latin letters (1 → 1 chars)."""
    chars = list(text)
    changed = False
    for match in re.finditer(r"[^\W\d_]+", text):
        token = match.group()
        if not _CONFUSABLE_RE.search(token) or not re.search(r"[a-z]", token):
            continue
        for i in range(match.start(), match.end()):
            letter = _CONFUSABLE.get(original[offsets[i]]) or _CONFUSABLE.get(chars[i])
            if letter is not None:
                chars[i] = letter
                changed = True
    return "".join(chars) if changed else text


def _add_ascii(text: str, start: int, end: int, pieces: list[str], offsets: list[int]) -> None:
    """Fold an ASCII stretch in bulk: lower case, control characters dropped (not newlines)."""
    segment = text[start:end]
    if _ASCII_CONTROL.search(segment) is None:
        pieces.append(segment.lower())
        offsets.extend(range(start, end))
        return
    for index in range(start, end):
        char = text[index]
        if char.isprintable() or char in _KEEP_CONTROLS:
            pieces.append(char.lower())
            offsets.append(index)


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching, keeping offsets to the original (pure).

    Steps: NFKC compatibility forms (full-width, mathematical alphabets, ligatures), case
    folding, accent stripping, removal of zero-width, bidi, control and invisible filler
    characters, look-alike letters folded inside mixed-script words. The matching view
    (:attr:`Normalized.words`) is built from this one on first use.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    cache = _FOLD_CACHE
    last = 0
    for match in _NON_ASCII_RUN.finditer(text):
        if match.start() > last:
            _add_ascii(text, last, match.start(), pieces, offsets)
        for index in range(match.start(), match.end()):
            char = text[index]
            folded = cache.get(char)
            if folded is None:
                folded = fold_char(char)
                if len(cache) < 65536:
                    cache[char] = folded
            if folded:
                pieces.append(folded)
                offsets.extend([index] * len(folded))
        last = match.end()
    if last < len(text):
        _add_ascii(text, last, len(text), pieces, offsets)
    chars = pieces
    folded_text = "".join(chars)
    if not folded_text.isascii() and _CONFUSABLE_RE.search(folded_text):
        folded_text = _fold_mixed_tokens(folded_text, offsets, text)
    return Normalized(original=text, text=folded_text, offsets=tuple(offsets))


def _unleet(text: str) -> str:
    """Undo leetspeak inside letter runs (1 → 1 characters, offsets unchanged)."""
    if _MAYBE_LEET.search(text) is None:
        return text
    chars = list(text)
    # A word made only of leet digits right after an elision: "c'357" is "c'est".
    for match in _ELIDED_DIGITS.finditer(text):
        chars[match.start():match.end()] = [_LEET[c] for c in match.group()]
    for match in _LEET_RUN.finditer(text):
        run = match.group()
        letters = sum(c.isalpha() for c in run)
        if letters == 0:
            continue
        start = match.start()
        last = len(run) - 1
        for j, c in enumerate(run):
            letter = _LEET.get(c)
            if letter is None:
                continue
            if c in _LEET_DIGITS:
                # Digits become letters in runs with two letters or more ("h0rny", "0st1"),
                # or one letter among digits on both sides ("70u7"); never in codes, units
                # and ordinals such as "a55" (a highway), "3e", "4h", "10km".
                if letters < 2 and not (letters == 1 and _INNER_LETTER.search(run)):
                    continue
            elif c in "!|":
                # Only between two letters: "sh!t" yes; "bravo!" and "enfin!!!" no.
                if j == 0 or j == last or not (run[j - 1].isalpha() and run[j + 1].isalpha()):
                    continue
            elif c == "@" and j == 0:
                continue  # a mention, "@marie"
            elif c in "$€" and j < last and run[j + 1].isdigit():
                continue  # a price, "$5"
            chars[start + j] = letter
    return "".join(chars)


def _squeeze(text: str) -> tuple[str, bytes, list[tuple[int, int]]]:
    """Squeeze stretched letters and runs of spaces.

    Returns:
        The squeezed text, the run length of each of its characters, and the ``(start, end)``
        of every squeezed stretch of ``text`` (in order; characters outside them map 1 → 1).
    """
    stretches = [(m.start(), m.end()) for m in _SQUEEZE.finditer(text)]
    if not stretches:
        return text, b"\x01" * len(text), stretches
    out: list[str] = []
    runs = bytearray()
    last = 0
    for start, end in stretches:
        if start > last:
            out.append(text[last:start])
            runs.extend(b"\x01" * (start - last))
        first = text[start]
        if first.isalpha():
            out.append(first)
            runs.append(min(255, end - start))
        else:
            out.append(" ")
            runs.append(1)
        last = end
    out.append(text[last:])
    runs.extend(b"\x01" * (len(text) - last))
    return "".join(out), bytes(runs), stretches


def squeeze_letters(text: str) -> tuple[str, bytes]:
    """Squeeze a letter repeated three times or more to one letter, spaces to one (pure).

    Returns:
        The squeezed text and, per character, the run length it stands for: 1, or 3 to 255
        for a stretched letter ("fuuuck" → "fuck" with run 3 at "u"). Double letters stay.
    """
    if _OTHER_SPACES.search(text):
        text = _OTHER_SPACES.sub(" ", text)
    squeezed, runs, _ = _squeeze(text)
    return squeezed, runs


def _join_spelled(text: str, starts: list[int]) -> tuple[str, list[int], set[int]]:
    """Join words spelled letter by letter ("s.e.x" → "sex"); drop the separators' offsets."""
    keep = bytearray(b"\x01" * len(text))
    groups: list[tuple[int, int, int]] = []  # (start, end, letters) in the input text
    for match in _SPACED.finditer(text):
        step = len(match.group("sep")) + 1
        if sum(c.isalpha() for c in match.group()[::step]) < 3:
            continue
        for i in range(match.start(), match.end()):
            if (i - match.start()) % step:
                keep[i] = 0
        groups.append((match.start(), match.end(), (match.end() - match.start() + step - 1)
                       // step))
    breaks: set[int] = set()
    removed = 0
    cursor = 0
    for group_start, group_end, letters in groups:
        removed += keep[cursor:group_start].count(0)
        new_start = group_start - removed
        if letters >= 4 and text[group_start] in _LEADING_SINGLES:
            breaks.add(new_start + 1)
        if letters >= 4 and text[group_end - 1] in _TRAILING_SINGLES:
            breaks.add(new_start + letters - 1)
        cursor = group_start
    text = "".join(itertools.compress(text, keep))
    starts = list(itertools.compress(starts, keep))
    return text, starts, breaks


def _words_view(norm: Normalized) -> WordsView:
    text = norm.text
    if not text.isascii():
        original = norm.original
        offsets = norm.offsets
        chars = list(text)
        fold_all: bool | None = None
        for match in re.finditer(r"[^\x00-\x7f]", text):
            i = match.start()
            orig = original[offsets[i]]
            letter = _EMOJI_LETTERS.get(orig) or _PUNCT.get(orig)
            if letter is None and (orig in _CONFUSABLE or chars[i] in _CONFUSABLE):
                if fold_all is None:
                    # Fold every look-alike only in a mostly Latin comment: a Russian or
                    # Greek comment keeps its letters.
                    latin = len(text.encode("ascii", "ignore").translate(None,
                                                                         _NOT_ASCII_LETTER))
                    fold_all = latin >= len(_NON_LATIN_LETTER.findall(text))
                if fold_all:
                    letter = _CONFUSABLE.get(orig) or _CONFUSABLE.get(chars[i])
            if letter is not None:
                chars[i] = letter
        text = "".join(chars)
    starts = list(norm.offsets)
    breaks: set[int] = set()
    if _MAYBE_SPACED.search(text) and _SPACED.search(text):
        text, starts, breaks = _join_spelled(text, starts)
    text = _unleet(text)
    text = text.replace("-", " ").replace("_", " ")
    if _OTHER_SPACES.search(text):
        text = _OTHER_SPACES.sub(" ", text)
    squeezed, runs, stretches = _squeeze(text)
    wide: dict[int, int] = {}
    if stretches:
        # Up to here every character covers one original character: keep the first of
        # each stretch, and remember where the stretch ends.
        keep = bytearray(b"\x01" * len(text))
        removed = 0
        for start, end in stretches:
            keep[start + 1:end] = bytes(end - start - 1)
            wide[start - removed] = starts[end - 1] + 1
            removed += end - start - 1
        if breaks:
            breaks = {b - sum(e - s - 1 for s, e in stretches if e <= b) for b in breaks}
        starts = list(itertools.compress(starts, keep))
    return WordsView(squeezed, tuple(starts), runs, frozenset(breaks), wide)
