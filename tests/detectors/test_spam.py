"""Spam patterns (6.4 k): pitches, obfuscated pitches and the innocent look-alikes next to them."""

from __future__ import annotations

import json

import pytest

from factories import DEV_SET, comment, needs_dev_set
from vigie.detectors.links import LinkDetector, LinkOptions
from vigie.detectors.spam import SIGNALS, SpamDetector, SpamOptions, load_families
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.records import Comment, parse_comment
from vigie.text.normalize import normalize
from vigie.text.prefilter import Gate, required_literals
from vigie.text.prepare import prepare_batch
from vigie.text.squeeze import squeeze

POLICY = load_policy()
REVIEW, REMOVE = POLICY.thresholds(POLICY.category("spam"))
LINKS = LinkDetector(LinkOptions(institution_domains=("polymtl.ca",)))
SPAM = SpamDetector(SpamOptions())
POST = "Bourses d'excellence 2026 : plus de 2,5 M$ pour nos étudiant·es. Détails sur polymtl.ca"


def findings(text: str, post: str = POST) -> list[Finding]:
    return findings_for([comment(text, post=post)])[0]


def findings_for(comments: list[Comment]) -> list[list[Finding]]:
    prepared = prepare_batch(comments)
    prior = LINKS.detect(prepared, [[] for _ in prepared])
    out = SPAM.detect(prepared, prior)
    return [p + o for p, o in zip(prior, out, strict=True)]


def spam_score(text: str, post: str = POST) -> float:
    return max((f.score for f in findings(text, post) if f.signal.startswith("spam.")),
               default=0.0)


PITCHES = [
    # contact solicitation
    ("DM me for collab 💕 link in bio", "spam.solicitation"),
    ("Nice post! 🔥 Send your pic to @campus_vibes_hub to get featured 📸", "spam.solicitation"),
    ("Écris-moi en privé pour plus d'infos sur mon offre, discrétion assurée",
     "spam.solicitation"),
    ("Need help with your courses? WhatsApp +1 438 555 0199 anytime", "spam.solicitation"),
    ("Check out my new YouTube channel for engineering memes, subscribe!!", "spam.solicitation"),
    ("Follow me on Instagram for daily campus vlogs 📸 sub4sub", "spam.solicitation"),
    # crypto and easy money
    ("I turned $500 into $12k trading bitcoin with my mentor's signals, DM me to learn how",
     "spam.crypto"),
    ("🚀 $MOON token launching today, airdrop for early holders! #crypto", "spam.crypto"),
    ("Passive income from home, 3k/month with no experience, ask me how", "spam.income"),
    # paid coursework
    ("We do your assignments, lab reports and online exams. 100% A guaranteed.", "spam.essay"),
    ("On fait vos devoirs et vos rapports de labo, sans plagiat, prix étudiant", "spam.essay"),
    # followers
    ("Buy 5000 real followers for $20, instant delivery", "spam.followers"),
    ("Grow your Instagram account fast with our team, real followers guaranteed",
     "spam.followers"),
    # promotion
    ("Get 20% off all lab coats with promo code POLY20 at labwear-shop.com", "spam.promo"),
    ("🎁 GIVEAWAY: we're giving away 3 iPads! Click here to claim your prize before midnight",
     "spam.promo"),
    # advertising and scams
    ("Admission garantie dans les meilleures universités canadiennes, visa en 3 semaines!",
     "spam.commercial"),
    ("Je vends mes photos privées, lien dans ma bio 😘", "spam.commercial"),
    ("Sugar daddy généreux cherche étudiante, écris-moi en privé 💰", "spam.dating"),
    ("Hot singles near campus tonight 🔥 no signup needed 👉 bit.ly/xyz-chat", "spam.dating"),
    ("⚠️ Votre compte expire aujourd'hui. Validez votre compte ici pour éviter la suspension",
     "spam.phishing"),
]


@pytest.mark.parametrize(("text", "signal"), PITCHES)
def test_pitches_reach_review(text: str, signal: str) -> None:
    found = [f for f in findings(text) if f.signal == signal]
    assert found, f"no {signal} in {[f.signal for f in findings(text)]}"
    assert spam_score(text) >= REVIEW


OBFUSCATED = [
    # letter-by-letter, digits inside words, full-width and zero-width disguises
    "Join our t\u200be\u200bl\u200be\u200bg\u200br\u200ba\u200bm for daily crypto signals, "
    "100x profits guaranteed",
    "H0rny s1ngles near campus t0night, n o  s i g n u p",
    "B.u.y 1000 real f.o.l.l.o.w.e.r.s now for $9",
    "ｄｍ ｍｅ for collab, link in bio 💋",
    "W.e w.r.i.t.e your e.s.s.a.y.s, 100% A guaranteed",
    "L1nk 1n b1o for my c0urse that made me 5k per month",
]


@pytest.mark.parametrize("text", OBFUSCATED)
def test_obfuscated_pitches_reach_review(text: str) -> None:
    assert spam_score(text) >= REVIEW


INNOCENT = [
    # contact offers that are help, not sales
    "Feel free to DM me if you have questions about the mechanical program!",
    "Y'a-tu un groupe WhatsApp pour les nouveaux en génie informatique?",
    "Questions : écrivez-nous à info@aep.polymtl.ca",
    # the words of spam in ordinary sentences
    "Thank you for the free snacks, it makes a real difference when you're broke 🙏",
    "Le cours de crypto post-quantique d'INF8420 est vraiment excellent",
    "Le défi PolyRover cette année était énorme, bravo!",
    "My sugar daddy joke fell flat at the family dinner 😂",
    "Is the 20% off at the Coop still valid for graduate students?",
    "Should I buy now or wait for the textbook sale in September?",
    "How does this video already have 2 million views? Amazing work",
    "Inscription gratuite sur notre page, les places sont limitées",
    "Votre mot de passe expire tous les 90 jours, c'est normal?",
    "Mon chum a gagné le concours de robotique l'an passé!",
    "Good luck with your exams everyone, you can do it 💪",
    "Follow the link in the post for the schedule, it's all there",
    "I subscribe to the newsletter and never got the December issue",
    "Is the CISSP required, or can I work on it after being hired?",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_lookalikes_stay_below_review(text: str) -> None:
    assert spam_score(text) < REVIEW


def test_an_unrelated_link_corroborates_a_weak_pitch() -> None:
    alone = spam_score("DM me for details")
    with_link = spam_score("DM me for details https://some-random-shop.biz/offer")
    assert alone < REVIEW <= with_link
    top = max(findings("DM me for details https://some-random-shop.biz/offer"),
              key=lambda f: f.score if f.signal.startswith("spam.") else 0.0)
    assert "link unrelated to the post" in top.explanation


CORPUS = [t for t, _ in PITCHES] + OBFUSCATED + INNOCENT


def test_spans_point_at_the_original_text_and_explanations_do_not_quote_it_all() -> None:
    text = "Bravo à tous! Envoie-moi un DM, je vends des abonnés: buy 1000 followers cheap"
    found = [f for f in findings(text) if f.signal == "spam.followers"]
    assert found
    start, end = found[0].span or (0, 0)
    assert "followers" in text[start:end]
    assert text not in found[0].explanation


def test_squeeze_undoes_disguises_and_keeps_offsets() -> None:
    text = "Vidéos p.o.r.n.o gratuites, h0rny"
    squeezed = squeeze(normalize(text))
    assert "porno" in squeezed.text
    assert "horny" in squeezed.text
    start = squeezed.text.index("porno")
    assert squeezed.span(start, start + 5) == (text.index("p.o"), text.index("o gr") + 1)
    # Numbers and codes stay as they are.
    assert squeeze(normalize("MTH1102 à 50k, local B-418")).text == "mth1102 a 50k, local b-418"


@pytest.mark.parametrize(("pattern", "literals"), [
    (r"\bwhats ?app\b", {"whats"}),
    (r"\b(?:promo|coupon)\s*code\b", {"promo", "coupon"}),  # the more selective literals
    (r"\b(?:airdrops?|memecoins?)\b", {"airdrop", "memecoin"}),
    (r"\b\d+ ?% off\b", {"% off"}),
    (r"\d+\s?k\b", None),  # one letter is too short to be worth a scan
    (r"[a-z]+\d+", None),
])
def test_required_literals(pattern: str, literals: set[str] | None) -> None:
    found = required_literals(pattern)
    assert (set(found) if found is not None else None) == literals


def test_the_gate_never_hides_a_match() -> None:
    patterns = [p.regex for f in load_families() for p in f.patterns]
    gate = Gate(patterns)
    texts = [squeeze(normalize(t)).text for t in CORPUS]
    if DEV_SET.exists():
        texts += [squeeze(normalize(json.loads(line)["text"])).text
                  for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    for text in texts:
        candidates = gate.candidates(text)
        matching = {i for i, p in enumerate(patterns) if p.search(text)}
        assert matching <= candidates, text


def test_every_family_signal_is_declared() -> None:
    assert {f.signal for f in load_families()} <= set(SIGNALS)
    assert SPAM.info.requires == ("link.unrelated", "link.lookalike")


def test_batch_returns_one_list_per_comment_in_order() -> None:
    comments = [comment("Bravo!", cid="fb:c-1"),
                comment("Buy 500 real followers now", cid="fb:c-2"),
                comment("Merci", cid="fb:c-3")]
    out = findings_for(comments)
    assert [bool([f for f in o if f.signal.startswith("spam.")]) for o in out] == [
        False, True, False]


@needs_dev_set
def test_dev_set_spam_recall_and_precision() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    comments = [parse_comment(r) for r in rows]
    out = findings_for(comments)
    flagged = [max((f.score for f in o if f.signal.startswith(("spam.", "link."))), default=0.0)
               >= REVIEW for o in out]
    gold = ["spam" in c.labels for c in comments]
    tp = sum(f and g for f, g in zip(flagged, gold, strict=True))
    assert tp / sum(gold) >= 0.85
    assert tp / max(1, sum(flagged)) >= 0.85
    # Acceptable comments are never pushed to review by spam evidence.
    assert not any(f and not c.labels for f, c in zip(flagged, comments, strict=True))
