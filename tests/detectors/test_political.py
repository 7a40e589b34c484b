"""Political support (6.4 g) and organisation announcements (6.4 f) against neutral mentions."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from factories import DEV_SET, comment, needs_dev_set
from vigie.detectors.political import NAME, create
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.records import parse_comment
from vigie.text.gazetteer import load_gazetteer
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
SUPPORT_REVIEW, _ = POLICY.thresholds(POLICY.category("political_support"))
ANNOUNCE_REVIEW, _ = POLICY.thresholds(POLICY.category("org_announcement"))
# The bundled policy adds the institution's own student associations (AEP, AÉCSP).
DETECTOR = create(POLICY.detectors[NAME], POLICY)
POST = "Élections générales au Québec le 5 octobre 2026 : un bureau de vote sera sur le campus."


def findings(text: str, author: str = "Un étudiant") -> list[Finding]:
    prepared = prepare_batch([comment(text, post=POST, name=author)])
    return DETECTOR.detect(prepared, [[]])[0]


def signal_score(text: str, signal: str, author: str = "Un étudiant") -> float:
    return max((f.score for f in findings(text, author) if f.signal == signal), default=0.0)


@pytest.mark.parametrize("text", [
    # calls to vote, in French, Québec French, English and Spanish
    "En octobre, votez QS pour la gratuité scolaire!",
    "Le 5 octobre on vote Québec solidaire 🟧",
    "Pis là, on vote libéral pour remettre l'éducation au centre",
    "Vote Conservative, the only party with a real plan for the economy",
    "¡Voten por el Parti québécois!",
    "Réélisez Mark Carney, on a besoin de stabilité",
    # cheers, titles, hashtags, slogans
    "Go PQ go! ⚜️",
    "PSPP premier ministre! ⚜️",
    "Le seul choix logique pour la science : Québec solidaire. #QS2026",
    "#VotezCAQ pour continuer le travail",
    "Poilievre for PM! 🇨🇦",
    "Changer d'ère, c'est maintenant 🟧",
    "Axe the tax! Bring it home!",
    "Ça prend du changement. PLQ 2026 🔴",
    "Today's the day! Get out and vote for your local Conservative candidate.",
    "Make your voice heard, vote today! #ChooseForward",
    "J'appuie le Bloc québécois sans hésiter, fier bloquiste",
])
def test_partisan_messages_reach_review(text: str) -> None:
    assert signal_score(text, "political.support") >= SUPPORT_REVIEW, findings(text)


@pytest.mark.parametrize("text", [
    # disguised or shouted
    "VOTEZ   Q.S. LE 5 OCTOBRE",
    "v o t e z PQ",
    "Votez  Québec-Solidaire ✊",
    "ｖｏｔｅｚ ＰＱ",
])
def test_obfuscated_calls_to_vote_reach_review(text: str) -> None:
    assert signal_score(text, "political.support") >= SUPPORT_REVIEW, findings(text)


@pytest.mark.parametrize("text", [
    # neutral news and questions
    "Selon Le Devoir, la CAQ a annoncé hier un nouveau plan pour les universités.",
    "Le PQ et QS proposent tous les deux de geler les droits de scolarité, intéressant.",
    "Est-ce qu'on peut voter ici même si notre adresse est dans une autre circonscription?",
    "Je vais voter, mais j'aimerais que les partis parlent plus de recherche.",
    "Every party talks about student housing; has anyone compared the platforms?",
    "Le vote libéral s'est effondré à Montréal selon les sondages.",
    "Le premier ministre Legault a inauguré le pavillon ce matin.",
    # agreeing with a position is acceptable (6.2)
    "J'appuie QS sur la gratuité scolaire, mais pas sur le reste.",
    "Merci au PQ d'avoir défendu le contrôle des armes.",
    # words that only look political
    "Prévoyez du temps pour le CAQ et le permis d'études.",
    "pq tu dis ça? c'est pas vrai",
    "Les arts libéraux, c'est pas pour moi, je préfère le génie.",
    "Vote for PolyRover in the people's choice award!",
    "Le bloc opératoire de l'hôpital a été rénové.",
    "Go Carabins go! 🏈",
    "On continue de travailler fort pour la session!",
])
def test_neutral_mentions_stay_below_review(text: str) -> None:
    assert signal_score(text, "political.support") < SUPPORT_REVIEW, findings(text)


def test_a_neutral_mention_is_only_informational() -> None:
    found = findings("Selon La Presse, Québec solidaire et la CSN ont tenu un point de presse.")
    mentions = {f.data["entity"] for f in found if f.signal == "political.mention"}
    assert mentions == {"qc.qs", "union.csn"}
    assert not [f for f in found if f.signal == "political.support"]


def test_caq_the_certificate_is_an_ambiguous_mention() -> None:
    found = [f for f in findings("As-tu reçu ton CAQ?") if f.signal == "political.mention"]
    party = [f for f in findings("La CAQ a tout faux.") if f.signal == "political.mention"]
    assert found[0].score < party[0].score


@pytest.mark.parametrize(("text", "author"), [
    ("Le Syndicat des employé·es de soutien tiendra une assemblée générale jeudi midi au local "
     "A-416. Soyez nombreux!", "Un membre"),
    ("L'AEP convoque une AG extraordinaire le 26 mars à 12 h pour voter un mandat de grève.",
     "Un membre"),
    ("The Graduate Students' Union invites all members to a general assembly on May 15 at "
     "noon, room B-418.", "Someone"),
    ("Venez au rassemblement du 2 avril devant l'Assemblée nationale! #GrèveÉtudiante", "X"),
    ("Signez la pétition et partagez! On lâche pas.", "Coalition pour l'accès"),
    ("Ligne de piquetage devant l'entrée principale dès 7 h demain, venez nous appuyer!", "X"),
    ("La FTQ organise une manifestation samedi 14 h à la place du Canada, joignez-vous à nous.",
     "X"),
    ("Notre collectif lance sa campagne « Campus sans plastique » : kiosque au hall tous les "
     "mercredis, venez signer!", "Collectif Poly Vert"),
    ("Le Syndicat des chargé·es de cours rappelle à tous ses membres que la paie est maintenue.",
     "X"),
])
def test_organisation_announcements_reach_review(text: str, author: str) -> None:
    assert signal_score(text, "org.announcement", author) >= ANNOUNCE_REVIEW, findings(text)


@pytest.mark.parametrize("text", [
    # questions and news about an event
    "Est-ce que l'AG de l'asso est obligatoire pour les 1re année?",
    "Are Thursday's lab exams still on if the technicians are on strike?",
    "Selon Le Devoir, le syndicat demande 12 % sur 3 ans et la direction offre 8 %.",
    "Bravo à tous ceux qui ont participé à la marche samedi dernier, le mouvement grandit!",
    # solidarity without an announcement (acceptable, 6.2)
    "Solidarity with the support staff, hope both sides reach a fair deal soon.",
    # the institution's and other non-political events
    "Une messe commémorative aura lieu à l'église du Sacré-Cœur à 19 h.",
    "Polytechnique organise une séance d'information le 5 mai à midi, inscrivez-vous!",
    "Ça marche pas, le Wi-Fi du pavillon Lassonde, quelqu'un sait pourquoi?",
    "What time is the welcome cocktail for parents on Thursday?",
])
def test_non_announcements_stay_below_review(text: str) -> None:
    assert signal_score(text, "org.announcement") < ANNOUNCE_REVIEW, findings(text)


def test_gazetteer_has_dates_and_a_review_date() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.reviewed >= dt.date(2025, 1, 1)
    ids = {p.id for p in gazetteer.parties} | {o.id for o in gazetteer.organisations}
    assert {"qc.caq", "qc.plq", "qc.qs", "qc.pq", "ca.lpc", "ca.cpc", "ca.bq", "mtl.projet",
            "union.csn", "union.ftq", "union.csq", "union.fneeq", "union.scfp", "union.afpc",
            "student.fecq", "student.ueq"} <= ids
    assert all(p.founded is not None for p in gazetteer.parties)


def test_active_leaders_follow_the_dates() -> None:
    gazetteer = load_gazetteer()
    lpc = next(p for p in gazetteer.parties if p.id == "ca.lpc")
    assert [leader.names[0] for leader in gazetteer.active_leaders(lpc, dt.date(2020, 1, 1))] \
        == ["Justin Trudeau"]
    assert [leader.names[0] for leader in gazetteer.active_leaders(lpc, dt.date(2025, 6, 1))] \
        == ["Mark Carney"]


def test_spans_point_at_the_original_text() -> None:
    text = "Bravo! En octobre, votez QS 🟧"
    found = [f for f in findings(text) if f.signal == "political.support"]
    start, end = found[0].span or (0, 0)
    assert text[start:end].lower().startswith("votez")


def test_the_literal_gate_changes_speed_not_results(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "En octobre, votez QS!", "v o t e z PQ", "Selon Le Devoir, la CAQ a annoncé un plan.",
        "L'AEP convoque une AG extraordinaire le 26 mars à 12 h. Soyez-y!",
        "Signez la pétition et partagez!", "Bravo à tous!", "#ChooseForward, vote today",
    ]
    if DEV_SET.exists():
        texts += [json.loads(line)["text"]
                  for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    prepared = prepare_batch([comment(t, cid=f"fb:c-{i}") for i, t in enumerate(texts)])
    gated = DETECTOR.detect(prepared, [[] for _ in prepared])
    everything = set(range(len(DETECTOR._gate_index)))
    monkeypatch.setattr(DETECTOR._gate, "candidates", lambda text: set(everything))
    assert DETECTOR.detect(prepared, [[] for _ in prepared]) == gated


@needs_dev_set
def test_dev_set_precision_and_recall() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    comments = [parse_comment(r) for r in rows]
    out = DETECTOR.detect(prepare_batch(comments), [[] for _ in comments])
    for signal, slug, review in (("political.support", "political_support", SUPPORT_REVIEW),
                                 ("org.announcement", "org_announcement", ANNOUNCE_REVIEW)):
        flagged = [any(f.signal == signal and f.score >= review for f in o) for o in out]
        gold = [slug in c.labels for c in comments]
        tp = sum(f and g for f, g in zip(flagged, gold, strict=True))
        assert tp / sum(gold) >= 0.85, slug
        assert tp / max(1, sum(flagged)) >= 0.85, slug
        assert not any(f and not c.labels for f, c in zip(flagged, comments, strict=True))


@pytest.mark.parametrize(("text", "expected_at_least"), [
    ("Votez pour notre candidat le 2 novembre!", True),
    ("Vote for our candidate on Tuesday, she gets it", True),
    ("Votez pour notre équipe aux élections de l'AEP!", True),
    ("Le vote pour notre candidat a été annulé par le comité.", False),  # news, a noun
    ("Notre équipe de robotique a gagné le vote du public.", False),
])
def test_call_to_vote_for_an_unnamed_candidate_asks_review(text: str,
                                                          expected_at_least: bool) -> None:
    score = signal_score(text, "political.support")
    assert (score >= SUPPORT_REVIEW) is expected_at_least, score
