"""Confidential recognizers (6.4 d): secrets and leaks, their disguises, and their look-alikes.

Positives, obfuscated positives and hard negatives sit next to each other in each table.
Levels read against the bundled policy: ``remove`` (at or above the remove threshold),
``review`` (between review and remove), ``hit`` (at least review), ``none`` (below review).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detector_support import (
    check_level,
    comments_per_cpu_second,
    cpu_seconds_on,
    dev_set_acceptable_scores,
)
from factories import comment, needs_dev_set
from vigie.detectors._fingerprints import ProtectedTexts, read_passages
from vigie.detectors.confidential import (
    NAME,
    SIGNALS,
    ConfidentialDetector,
    ConfidentialOptions,
    create,
)
from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.text.normalize import normalize
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
REVIEW, REMOVE = POLICY.thresholds(POLICY.category("confidential"))
DETECTOR = create(POLICY.detectors[NAME], POLICY)


def findings(text: str, detector: ConfidentialDetector = DETECTOR) -> list[Finding]:
    return detector.detect(prepare_batch([comment(text)]), [[]])[0]


def top(text: str, signal: str) -> float:
    return max((f.score for f in findings(text) if f.signal == signal), default=0.0)


def check(level: str, score: float) -> None:
    check_level(level, score, REVIEW, REMOVE)


# -- credentials in known formats -------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    ("oops: AKIAZ4Q7XK2MNB5TQW3E is in the lab's notebook", "secret.api_key", "remove"),
    ("token ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 committed by a student",
     "secret.api_key", "remove"),
    ("voici la clé : sk_live_4eC39HqLyjWDarjtT1zdp7dc", "secret.api_key", "remove"),
    ("AIzaSyD3x9Kq2LmN8pR4tV6wY1zB5cE7gH0jK2M dans le code du site", "secret.api_key",
     "remove"),
    ("config: api_key = 9f8Kd2LqX7vB3nM5pZ1tR6wY4 (do not share)", "secret.api_key", "hit"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=",
     "secret.private_key", "remove"),
    ("-----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEA...", "secret.private_key", "remove"),
    ("postgres://labadmin:Gr4nit3!@db.lab-poly.ca/mesures", "secret.password", "remove"),
    # look-alikes
    ("Le nouveau cours LOG2410 est super, merci!", "secret.api_key", "none"),
    ("https://www.lapresse.ca/actualites/education/2025-03-18/universites-financement.php",
     "secret.api_key", "none"),
    ("The public key is on the website, only the private key must stay secret",
     "secret.private_key", "none"),
    ("Use postgres://user:password@localhost/db in the tutorial", "secret.password", "none"),
    ("api_key = YOUR_API_KEY_HERE_PLEASE", "secret.api_key", "none"),
])
def test_key_formats(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


# -- passwords and access codes ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    ("Le mot de passe du Wi-Fi de la cafétéria c'est Cafe2024!", "secret.password", "remove"),
    ("mdp: Tr0mb0ne#88 pour le compte partagé du club", "secret.password", "remove"),
    ("the VPN password is still Summer2025, lol", "secret.password", "remove"),
    ("login etudiant / password Poly!Lab42", "secret.password", "remove"),
    ("访客网络密码 Guest2025#", "secret.password", "remove"),
    ("contraseña: Lab_2025! para el servidor", "secret.password", "remove"),
    ("le mot de passe du compte, c'est « tournesol »", "secret.password", "review"),
    # look-alikes
    ("Le lien « mot de passe oublié » marche pas sur le portail", "secret.password", "none"),
    ("Mon mot de passe c'est ******** haha", "secret.password", "none"),
    ("The password must have 12 characters, e.g. Summer2024! is too weak",
     "secret.password", "none"),
    ("Le mot de passe est obligatoire pour accéder au dossier", "secret.password", "none"),
    ("Changez votre mot de passe tous les 90 jours, c'est la règle", "secret.password", "none"),
    ("J'ai oublié mon mot de passe pis le cours LOG2410 commence demain",
     "secret.password", "none"),
    ("My password manager saved me during exams 😂", "secret.password", "none"),
    ("Get the password in 10-15 minutes! FACEBOOK PASSWORD HACK 2013!", "secret.password",
     "none"),
    ('Text the password "MIX" to 85069 to win', "secret.password", "none"),
    # door and alarm codes
    ("le code de la porte arrière c'est 2580*", "secret.access_code", "remove"),
    ("Door code for the lab: #7391", "secret.access_code", "remove"),
    ("la combinaison du cadenas du casier 12 : 14-28-3", "secret.access_code", "remove"),
    ("code d'accès du local B-415 : 8-8-1-2", "secret.access_code", "remove"),
    # look-alikes
    ("Le code promo ROVER20 donne 20 % de rabais", "secret.access_code", "none"),
    ("Le code QR du menu marche pas", "secret.access_code", "none"),
    ("Le code d'accès Wi-Fi est affiché à l'accueil", "secret.access_code", "none"),
    ("Le code de conduite s'applique à tous", "secret.access_code", "none"),
    ("MFA: the code never arrives on my phone", "secret.access_code", "none"),
])
def test_passwords_and_codes(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


def test_explanations_never_carry_the_secret() -> None:
    text = "le mdp du serveur de calcul c'est Zx9!Pq2w, amusez-vous"
    found = [f for f in findings(text) if f.signal == "secret.password"]
    assert found and all("Zx9" not in f.explanation for f in found)
    start, end = found[0].span or (0, 0)
    assert text[start:end].endswith("Zx9!Pq2w")


# -- leaks ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    ("Document CONFIDENTIEL du rectorat qui circule : 14 postes seront abolis en 2026",
     "confidential.marked", "remove"),
    ("Internal memo, INTERNAL USE ONLY: the merger with the other campus is decided",
     "confidential.marked", "remove"),
    ("J'ai lu le rapport interne : 30 % des labos ne sont pas conformes",
     "confidential.marked", "hit"),
    ("La liste confidentielle des candidats retenus circule déjà : Dubé, Nguyen, Roy",
     "confidential.marked", "hit"),
    # talking about confidentiality is not a leak
    ("Est-ce que ma candidature reste confidentielle?", "confidential.marked", "none"),
    ("Vos données restent confidentielles : on ne les partage avec personne",
     "confidential.marked", "none"),
    ("Le processus est confidentiel jusqu'à l'annonce officielle", "confidential.marked",
     "none"),
    ("Le secret professionnel des psychologues, c'est important", "confidential.marked",
     "none"),
    # exams
    ("Les réponses de l'examen final de PHS1101 circulent sur Discord 🤫", "confidential.exam",
     "remove"),
    ("Pour l'intra de MTH1101, la question 3 c'est une équation différentielle pis la 5 c'est "
     "un développement de Taylor", "confidential.exam", "remove"),
    ("the answers to tomorrow's INF1010 midterm leaked, DM me", "confidential.exam", "remove"),
    ("Est-ce que les solutions de l'intra vont être publiées sur Moodle?", "confidential.exam",
     "none"),
    ("Les anciens examens de MTH1102 sont à la biblio", "confidential.exam", "none"),
    ("La question 2 de l'examen de l'an passé était vraiment dure", "confidential.exam",
     "none"),
    ("Quand est l'examen final de LOG2410?", "confidential.exam", "none"),
    ("Les solutions du devoir 3 sont sur le site du cours", "confidential.exam", "none"),
    # internal figures and pay
    ("Le budget interne prévoit 4,2 M$ de coupures l'an prochain, c'est pas encore annoncé",
     "confidential.internal_figure", "remove"),
    ("The real numbers, not yet public: enrolment dropped 12.5% this fall",
     "confidential.internal_figure", "remove"),
    ("La directrice Hélène Caron gagne 212 000 $ par année", "confidential.internal_figure",
     "remove"),
    ("Le poste est payé 75 000 $ selon l'affichage", "confidential.internal_figure", "none"),
    ("Je gagne 18 $ de l'heure comme auxiliaire, c'est correct", "confidential.internal_figure",
     "none"),
    ("Les résultats seront publiés le 15 mai", "confidential.internal_figure", "none"),
    ("Le rapport annuel publié montre 38 M$ de revenus de recherche",
     "confidential.internal_figure", "none"),
    ("Would be nice to include the salary range in the posting", "confidential.internal_figure",
     "none"),
    ("Get Paid Up To $25 An Hour From Home, Ask Me How", "confidential.internal_figure", "none"),
    ("Mastercard made over $16 billion last year", "confidential.internal_figure", "none"),
    # security weaknesses
    ("L'agent de sécurité part à 2 h pis revient à 6 h, le pavillon est vide",
     "confidential.security", "hit"),
    ("Les caméras de surveillance du stationnement marchent pas depuis un mois",
     "confidential.security", "hit"),
    ("La porte du sous-sol est toujours débarrée la nuit", "confidential.security", "hit"),
    ("La caméra du cours en ligne marche pas", "confidential.security", "none"),
    ("Merci aux agents de sécurité pour leur travail pendant la tempête",
     "confidential.security", "none"),
])
def test_leaks(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


# -- protected texts --------------------------------------------------------------------------

EXAMPLE = "vigie:data/confidential/protected_example.txt"


def test_example_file_is_read_with_labels() -> None:
    passages = read_passages(EXAMPLE)
    assert len(passages) == 4
    assert passages[0][0].startswith("Example exam question")


@pytest.mark.parametrize(("text", "level"), [
    # reproduced passage, re-cased, accents stripped, inside other words
    ("lol voici la question: une poutre en treillis de type warren de 18 metres de portee "
     "supporte une charge repartie", "remove"),
    ("FYI the steering group recommends deferring the expansion of the satellite campus",
     "hit"),
    ("Vous avez entendu parler de l'Opération Héron Cendré?", "hit"),
    ("OPERATION HERON CENDRE 🤫", "hit"),
    # sharing a few words is not reproducing
    ("Une poutre en treillis, c'est de la matière du cours de structures", "none"),
    ("The steering group met yesterday", "none"),
    ("J'ai vu un héron au bord du fleuve", "none"),
])
def test_protected_text(text: str, level: str) -> None:
    check(level, top(text, "confidential.protected_text"))


def test_protected_files_come_from_the_policy(tmp_path: Path) -> None:
    secret = tmp_path / "protected.txt"
    secret.write_text("## Draft budget\nLe budget 2027 prévoit la fermeture du pavillon "
                      "des sciences humaines appliquées au printemps.\n", encoding="utf-8")
    options = ConfidentialOptions(protected_texts=(str(secret),))
    detector = ConfidentialDetector(options)
    text = "Apparemment le budget 2027 prévoit la fermeture du pavillon des sciences humaines"
    found = [f for f in findings(text, detector) if f.signal == "confidential.protected_text"]
    assert found and "Draft budget" in found[0].explanation
    assert ConfidentialDetector(ConfidentialOptions()).protected.labels == []


def test_fingerprints_keep_hashes_not_text() -> None:
    texts = ProtectedTexts([("memo", "alpha bravo charlie delta echo foxtrot golf")], 5, 2)
    assert "alpha" in texts.vocabulary  # words, for the cheap pre-check
    assert all(isinstance(k, int) for k in texts.shingles)
    assert texts.match(normalize("Alpha Bravo Charlie Delta Echo Foxtrot!").text)
    assert not texts.match(normalize("alpha bravo charlie").text)


def test_missing_protected_file_names_the_option() -> None:
    with pytest.raises(PolicyError, match="protected_texts"):
        create({"protected_texts": ["/nonexistent/file.txt"]}, POLICY)
    with pytest.raises(PolicyError, match="shingle_words"):
        create({"shingle_words": 1}, POLICY)


def test_batch_in_one_list_per_comment_out() -> None:
    batch = prepare_batch([comment("Bravo l'équipe!", cid="fb:c-1"),
                           comment("mdp: Rover2025!", cid="fb:c-2")])
    result = DETECTOR.detect(batch, [[], []])
    assert result[0] == [] and {f.signal for f in result[1]} <= set(SIGNALS)
    assert result[1] and result[1][0].detector == NAME


def test_speed_is_that_of_a_rule_detector() -> None:
    texts = ["Bravo à toute l'équipe, c'est malade!", "le mdp du wifi c'est Cafe2024!",
             "Le budget interne prévoit 4,2 M$ de coupures", "Quand est l'examen final?",
             "https://www.polymtl.ca/nouvelles/2025/03/une-nouvelle-tres-longue-adresse"] * 40
    per_second = comments_per_cpu_second(DETECTOR, texts)
    assert per_second > 3000, per_second  # loose floor for a shared CI core; ~20k/s measured


@pytest.mark.parametrize("text", ["mot de passe " * 500, "code de la porte " * 500,
                                  "1" * 5000, "CONFIDENTIEL : 12 $ " * 300])
def test_pathological_input_is_bounded(text: str) -> None:
    assert cpu_seconds_on(DETECTOR, text) < 0.5  # a few ms measured


@needs_dev_set
def test_dev_set_false_alarms_stay_rare() -> None:
    acceptable = dev_set_acceptable_scores(DETECTOR)
    flagged = sum(score >= REVIEW for score in acceptable)
    assert flagged <= 0.02 * len(acceptable), flagged
