"""URL extraction, including defanged links ("hxxps://site[.]com") and bare domains.

Pure functions; no network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["UrlRef", "extract_urls", "page_prefixes", "registered_domain"]

# Mail hosts: "nom at gmail dot com" is an e-mail address, not a link to gmail.com.
_WEBMAIL = (r"gmail|googlemail|hotmail|outlook|live|yahoo|ymail|icloud|me|aol|proton|protonmail"
            r"|videotron|sympatico|bell|gmx|yandex|mail|zoho|fastmail|tutanota")
# TLDs that a spaced-out dot ("deals .shop", "gains dot online") may end with: words such as
# "top" or "live" are left out of the word forms, where prose would read as links.
_SPACED_TLDS = r"com|ca|net|org|shop|store|xyz|site|online|club|click|biz|io|info|fr|co|me|top"
_WORD_TLDS = r"com|ca|net|org|shop|store|xyz|site|online|club|click|biz|io|info|fr"

# Defanging tricks commenters (and threat reports) use to dodge link filters.
_DEFANG = (
    (re.compile(r"h[x*]{2}p(s?)(?=\s*[:\[])", re.IGNORECASE), r"http\1"),
    # "nom [at] gmail", "nom (arobase) hotmail", "nom at gmail dot com": an e-mail address.
    (re.compile(r"\s*[\[\(\{]\s*(?:at|@|arobase)\s*[\]\)\}]\s*", re.IGNORECASE), "@"),
    (re.compile(rf"(?<=\w)\s+(?:at|arobase|chez)\s+(?=(?:{_WEBMAIL})\s*(?:[\[\(\{{.]|dot\b"
                rf"|point\b))", re.IGNORECASE), "@"),
    (re.compile(r"\s*[\[\(\{]\s*(?:\.|dot|point)\s*[\]\)\}]\s*", re.IGNORECASE), "."),
    # "heatgear-deals .shop", "montres-luxe . top": a space before the dot, never in prose.
    (re.compile(rf"(?<=[a-z0-9])\s+\.\s?(?=(?:{_SPACED_TLDS})\b(?![.'’-]\w))", re.IGNORECASE),
     "."),
    # "cash dot online", "promo point com".
    (re.compile(rf"(?<=[a-z0-9])\s+(?:dot|point)\s+(?=(?:{_WORD_TLDS})\b(?![.'’-]\w))",
                re.IGNORECASE), "."),
    (re.compile(r"\[:\]|\[://\]"), "://"),
)

# Common TLDs for bare domains ("monsite.com"); a scheme or "www." needs no list.
_TLDS = (
    "com|ca|net|org|io|ly|co|me|info|biz|xyz|app|dev|gg|tv|fr|be|ch|us|uk|de|ru|cn|in|link|"
    "site|online|shop|store|club|top|live|click|gl|to|cc|ws|edu|gov|quebec|mtl|tk|ml|ga|cf"
)
_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'«»]+"
    rf"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"'«»]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»"


@dataclass(frozen=True, slots=True)
class UrlRef:
    """A link found in a comment.

    Attributes:
        url: the link with its scheme restored (``https://`` added to bare domains).
        host: lower-case host name without ``www.``.
        span: ``(start, end)`` in the original text (covering the defanged form if any).
        defanged: whether the link was written in a defanged form.
    """

    url: str
    host: str
    span: tuple[int, int]
    defanged: bool


def _refang(text: str) -> tuple[str, list[int]]:
    """Undo defanging; return the new text and, per new character, its original index."""
    offsets = list(range(len(text)))
    for pattern, replacement in _DEFANG:
        pieces: list[str] = []
        new_offsets: list[int] = []
        last = 0
        for match in pattern.finditer(text):
            pieces.append(text[last : match.start()])
            new_offsets.extend(offsets[last : match.start()])
            rep = match.expand(replacement)
            pieces.append(rep)
            new_offsets.extend([offsets[match.start()]] * len(rep))
            last = match.end()
        pieces.append(text[last:])
        new_offsets.extend(offsets[last:])
        text, offsets = "".join(pieces), new_offsets
    return text, offsets


def page_prefixes(pages: Sequence[str]) -> tuple[str, ...]:
    """Pages as ``host/path`` prefixes: lower case, no ``www.``, no final slash (pure).

    ``Facebook.com/PolyMtl/`` and ``www.facebook.com/polymtl`` give one prefix.
    """
    return tuple(dict.fromkeys(p.strip().lower().removeprefix("www.").rstrip("/")
                               for p in pages))


def registered_domain(host: str) -> str:
    """Return the last two labels of ``host`` (three for ``*.qc.ca``-style names); pure."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and labels[-2] in {"qc", "gc", "co", "com", "ac", "gouv"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def extract_urls(text: str) -> tuple[UrlRef, ...]:
    """Find every link in ``text``, defanged ones included (pure)."""
    refanged, offsets = _refang(text)
    found = []
    for match in _URL.finditer(refanged):
        raw = match.group(0).rstrip(_TRAILING)
        if not raw:
            continue
        start, end = match.start(), match.start() + len(raw)
        url = raw if "://" in raw else "https://" + raw
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if not host or "." not in host:
            continue
        orig_start, orig_end = offsets[start], offsets[end - 1] + 1
        defanged = text[orig_start:orig_end] != raw
        found.append(UrlRef(url=url, host=host, span=(orig_start, orig_end), defanged=defanged))
    return tuple(found)
