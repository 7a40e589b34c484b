"""URL extraction, defanged links included; spans point into the original text."""

from __future__ import annotations

import pytest

from vigie.text.urls import extract_urls, registered_domain

# (case, text, expected (url, host, original slice, defanged) per link)
CASES = [
    ("scheme", "voir https://www.polymtl.ca/nouvelles/x. Merci",
     [("https://www.polymtl.ca/nouvelles/x", "polymtl.ca", "https://www.polymtl.ca/nouvelles/x",
       False)]),
    ("www", "www.example.com/promo!", [("https://www.example.com/promo", "example.com",
                                        "www.example.com/promo", False)]),
    ("bare domain", "monsite.com et bit.ly/3xyz",
     [("https://monsite.com", "monsite.com", "monsite.com", False),
      ("https://bit.ly/3xyz", "bit.ly", "bit.ly/3xyz", False)]),
    ("defanged hxxps and [.]", "go hxxps://crypto-gain[.]com/abc now",
     [("https://crypto-gain.com/abc", "crypto-gain.com", "hxxps://crypto-gain[.]com/abc",
       True)]),
    ("defanged (dot)", "argent-facile(dot)biz",
     [("https://argent-facile.biz", "argent-facile.biz", "argent-facile(dot)biz", True)]),
    ("e-mail is not a link", "écris à bob@gmail.com", []),
    ("abbreviation is not a link", "c.-à-d. ok, p.ex. demain", []),
    ("version number is not a link", "Version 2.0 du logiciel", []),
    ("trailing punctuation stripped", "(https://a.ca/x).", [("https://a.ca/x", "a.ca",
                                                            "https://a.ca/x", False)]),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_extract_urls(case: str, text: str, expected: list) -> None:
    found = [(u.url, u.host, text[u.span[0]:u.span[1]], u.defanged) for u in extract_urls(text)]
    assert found == expected


@pytest.mark.parametrize(("host", "domain"), [
    ("www.polymtl.ca", "polymtl.ca"), ("aep.polymtl.ca", "polymtl.ca"),
    ("www.quebec.qc.ca", "quebec.qc.ca"), ("bbc.co.uk", "bbc.co.uk"), ("x.com", "x.com"),
])
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain
