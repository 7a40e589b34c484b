"""Links (6.4 k): related articles pass, look-alikes and hidden targets are evidence."""

from __future__ import annotations

import json

import pytest

from factories import DEV_SET, comment, needs_dev_set
from vigie.detectors.links import LinkDetector, LinkOptions, load_domain_lists
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.records import parse_comment
from vigie.text.lookalike import LookalikeKind, find_lookalike, skeleton
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
REVIEW, REMOVE = POLICY.thresholds(POLICY.category("spam"))
DETECTOR = LinkDetector(LinkOptions(
    institution_domains=("polymtl.ca", "polytechniquemontreal.ca", "poly.mtl"),
    institution_pages=("youtube.com/@polytechniquemontreal",),
))
POST = ("🕯️ Le 6 décembre 1989, 14 femmes ont été assassinées à Polytechnique parce qu'elles "
        "étaient des femmes. Nous nous souvenons.")
POST_LINKS = ("https://www.polymtl.ca/commemoration-6-decembre",)
NAMES = frozenset({"polymtl", "polytechniquemontreal", "poly"})


def judge(text: str, post: str = POST, links: tuple[str, ...] = POST_LINKS) -> list[Finding]:
    prepared = prepare_batch([comment(text, post=post, links=links)])
    return DETECTOR.detect(prepared, [[]])[0]


def score(text: str, post: str = POST, links: tuple[str, ...] = POST_LINKS) -> float:
    return max((f.score for f in judge(text, post, links)), default=0.0)


@pytest.mark.parametrize(("text", "signal", "at_least"), [
    # look-alikes of the institution's domain: phishing
    ("Finalisez votre dossier ici : https://po1ymtl-ca.com/admission/paiement",
     "link.lookalike", REMOVE),
    ("Réclamez votre iPad 👉 https://polymtI-bourses.com/ipad", "link.lookalike", REMOVE),
    ("Validez votre MFA : https://polymtl-ca.secure-mfa-login.com", "link.lookalike", REMOVE),
    ("Portail étudiant : https://polymtl.ca.account-verify.net/login", "link.lookalike", REMOVE),
    ("Mise à jour : https://polyrntl.ca/connexion", "link.lookalike", REMOVE),
    # hidden targets
    ("Regardez ça hxxps://free-prizes[.]biz/win", "link.unrelated", REVIEW),
    ("Chat with girls 👉 bit.ly/mtl-h0t-chat", "link.unrelated", REVIEW),
    # domains named for a business that has nothing to do with a university post
    ("Vidéos gratuites 👉 mtl-xxx-live.net", "link.unrelated", REVIEW),
    ("Airdrop now ➡️ polyr-token.io", "link.unrelated", REVIEW),
    ("Best channel growth: viewboostpro.net", "link.unrelated", REVIEW),
    ("Ce soir 👉 rencontres-chaudes.xyz", "link.unrelated", REVIEW),
])
def test_deceptive_links_are_strong_evidence(text: str, signal: str, at_least: float) -> None:
    found = [f for f in judge(text) if f.signal == signal]
    assert found and found[0].score >= at_least, judge(text)
    start, end = found[0].span or (0, 0)
    assert "." in text[start:end] or "[.]" in text[start:end]


@pytest.mark.parametrize("text", [
    # the institution's own domains and pages
    "Tous les détails : https://www.polymtl.ca/carrefour-actualite/nouvelles/commemoration",
    "Live here: https://www.youtube.com/@PolytechniqueMontreal",
    "Le site de l'AEP : https://aep.polymtl.ca/evenements",
    # a related article: news site with the post's subject in the path (any language)
    "CBC's documentary is excellent: https://www.cbc.ca/documentaries/polytechnique-remembering"
    "-december-6",
    "Le Devoir en parle : https://www.ledevoir.com/societe/6-decembre-polytechnique-souvenir",
    # an unknown site whose path names the post's subject twice
    "Mon billet de blogue : https://monblogue.net/2025/12/06/assassinees-polytechnique-femmes",
    # the post's own links
    "Le lien de la publication : https://www.polymtl.ca/commemoration-6-decembre",
])
def test_related_links_give_no_evidence(text: str) -> None:
    assert judge(text) == []


@pytest.mark.parametrize("text", [
    # a public-information or news site on another subject: weak evidence only
    "Info STM : https://www.stm.info/fr/infos/etat-du-service",
    "Voir https://www.quebec.ca/sante/conseils",
    # an ordinary unknown site: below review on its own (the spam detector may combine it)
    "Nos photos de la soirée : https://drive.google.com/drive/folders/abc",
    "Signez la pétition : coalition-accessibilite.org/petition",
    # a phishing link quoted in a warning, not promoted
    "Attention, c'est de l'hameçonnage! « polymtl-ca.secure-mfa-login.com » a rien à voir "
    "avec Poly. Signalez-le.",
    "Scam alert: don't click https://po1ymtl-ca.com/admission, it is not the real site",
])
def test_weak_or_warned_links_stay_below_review(text: str) -> None:
    assert score(text) < REVIEW


def test_a_spammer_saying_not_a_scam_is_not_a_warning() -> None:
    text = "Not a scam, 100% legit: https://po1ymtl-ca.com/admission/paiement"
    assert score(text) >= REMOVE


@pytest.mark.parametrize(("host", "kind"), [
    ("po1ymtl-ca.com", LookalikeKind.CONFUSABLE),
    ("polymti-bourses.com", LookalikeKind.CONFUSABLE),
    ("polyrntl.ca", LookalikeKind.CONFUSABLE),
    ("polymtll.com", LookalikeKind.EDITED),
    ("polymtl-ca.secure-mfa-login.com", LookalikeKind.EMBEDDED),
    ("mypolymtl.net", LookalikeKind.EMBEDDED),
])
def test_lookalike_kinds(host: str, kind: LookalikeKind) -> None:
    found = find_lookalike(host, NAMES)
    assert found is not None and found.kind is kind


@pytest.mark.parametrize("host", [
    "polytechnique.edu", "polymer-science.org", "poly-rover.ca", "polygon.com", "mcgill.ca",
    "pony.com",  # one letter from "poly", but "poly" is too short to match fuzzily
])
def test_lookalike_hard_negatives(host: str) -> None:
    assert find_lookalike(host, NAMES) is None


def test_skeleton_unifies_confusables() -> None:
    assert skeleton("po1ymtI") == skeleton("polymtl") == "polymtl"
    assert skeleton("rnicrosoft") == skeleton("microsoft")


def test_domain_lists_carry_a_review_date() -> None:
    lists = load_domain_lists()
    assert lists.reviewed.startswith("20")
    assert "t.co" not in lists.shorteners  # X wraps every link in it
    assert "bit.ly" in lists.shorteners


@needs_dev_set
def test_dev_set_links_to_related_articles_are_not_evidence() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    comments = [parse_comment(r) for r in rows]
    prepared = prepare_batch(comments)
    out = DETECTOR.detect(prepared, [[] for _ in prepared])
    # No acceptable comment's link reaches review: related articles, official replies, warnings.
    flagged = [c.id for c, o in zip(comments, out, strict=True)
               if not c.labels and any(f.score >= REVIEW for f in o)]
    assert flagged == []
    # Every look-alike link in the dev set is a labelled spam comment.
    lookalikes = [c for c, o in zip(comments, out, strict=True)
                  if any(f.signal == "link.lookalike" and f.score >= REVIEW for f in o)]
    assert lookalikes and all("spam" in c.labels for c in lookalikes)
