"""Privacy recognizers (6.4 a): a third person's data, its disguises, and its look-alikes.

Each table puts positives, obfuscated positives and hard negatives next to each other. The
expected level reads against the bundled policy's thresholds: ``remove`` (at or above the
remove threshold), ``review`` (between review and remove), ``hit`` (at least review),
``low`` (emitted below review: weak evidence), ``none`` (below review or nothing at all).
"""

from __future__ import annotations

import pytest

from detector_support import (
    check_level,
    comments_per_cpu_second,
    cpu_seconds_on,
    dev_set_acceptable_scores,
)
from factories import comment, needs_dev_set
from vigie.detectors._checksums import card_brand, luhn_valid, quebec_code_kind, sin_valid
from vigie.detectors.privacy import NAME, SIGNALS, PrivacyDetector, PrivacyOptions, create
from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
REVIEW, REMOVE = POLICY.thresholds(POLICY.category("privacy"))
DETECTOR = create(POLICY.detectors[NAME], POLICY)


def findings(text: str, post: str = "Une publication", author: str = "Test") -> list[Finding]:
    prepared = prepare_batch([comment(text, post=post, name=author)])
    return DETECTOR.detect(prepared, [[]])[0]


def top(text: str, signal: str, **kwargs: str) -> float:
    return max((f.score for f in findings(text, **kwargs) if f.signal == signal), default=0.0)


def check(level: str, score: float) -> None:
    check_level(level, score, REVIEW, REMOVE)


# -- phones -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level"), [
    # a third person's number
    ("Vous pouvez texter ma voisine Ginette, son numéro c'est 514-555-0199", "remove"),
    ("His cell is (438) 555-0148, call him before Friday", "remove"),
    ("Appelez-le au 819 555 0123 pour le covoiturage, il est vraiment fin", "remove"),
    ("Her personal number: +1 514 555 0111", "remove"),
    ("Le numéro perso de Marc-André Tremblay : 450-555-0177", "remove"),
    # obfuscated
    ("son cell c'est 5 1 4 - 5 5 5 - 0 1 9 9 lol", "remove"),
    ("son cell: 514.555.O1O9 (les O sont des zéros)", "remove"),
    ("texte-la au 𝟓𝟏𝟒 𝟓𝟓𝟓 𝟎𝟏𝟒𝟒", "remove"),
    ("her number is +33 6 12 34 56 78, she's in Paris this term", "remove"),
    # owner unclear: held for review, not removed
    ("Pour le lift de vendredi : 514-555-0166", "review"),
    # the writer's own number, a business line, public and crisis lines
    ("Appelez-moi au 514-555-0123 si vous voulez mon vieux manuel de calcul", "none"),
    ("My number is 438-555-0100 if anyone wants to study together", "none"),
    ("Tutorat privé, écrivez-nous sur WhatsApp +1 438 555 0199", "none"),
    ("Le registrariat répond au 514 340-4711 le matin", "none"),
    ("Si ça va pas, appelez le 1-866-277-3553, c'est gratuit et confidentiel", "none"),
    ("Tel-Aide est là 24/7 au 514-935-1101", "none"),
    ("Call or text 988 anytime, you are not alone", "none"),
    ("Sans frais : 1-800-555-0199 pour les inscriptions", "none"),
    ("Appelez la sécurité au 514-340-5555 si vous voyez quelque chose", "none"),
    # numbers that are not phones
    ("Le projet a coûté 514 555 013 $ au total", "none"),
    ("Commande no 2025-03-18-4471, livrée hier", "none"),
    ("Cours le 12 mars 2025 à 13 h 30, local B-415", "none"),
    ("Wow 2.126.521.750 views already", "none"),
    ("Claim code 83039 62735 before Friday", "none"),
])
def test_phone(text: str, level: str) -> None:
    check(level, top(text, "pii.phone"))


def test_phone_given_in_the_post_is_public() -> None:
    post = "Questions? Joignez Marie au bureau des stages : 514-555-0190"
    check("none", top("Le numéro de Marie c'est 514-555-0190", "pii.phone", post=post))


def test_public_numbers_come_from_the_policy() -> None:
    prepared = prepare_batch([comment("Appelez-la au 514-555-0190")])
    plain = PrivacyDetector(PrivacyOptions())
    public = PrivacyDetector(PrivacyOptions(public_numbers=("+1 (514) 555-0190",)))
    assert plain.detect(prepared, [[]])[0]
    assert not public.detect(prepared, [[]])[0]


# -- e-mail -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level"), [
    ("Écrivez-lui directement : jeanne.roy1987@hotmail.com", "remove"),
    ("his email is kev.tran@outlook.com, he won't mind", "remove"),
    ("son courriel perso c'est j.lavoie [at] gmail [dot] com", "remove"),
    ("her mail: sam.k (at) yahoo (dot) ca", "remove"),
    ("Contact Sophie Roy at sophie.roy.42@gmail.com for the notes", "remove"),
    ("Pour les notes de cours : notesgenie@gmail.com", "review"),
    # the writer's own, an organisation's, the institution's
    ("Écrivez-moi à maxime.etudiant@gmail.com si ça vous intéresse", "none"),
    ("Questions? info@asso-genie.org", "none"),
    ("Envoyez votre CV à recrutement@entreprise.ca", "none"),
    ("Le prof a dit d'écrire à jean.tremblay@polymtl.ca pour l'extension", "none"),
    ("Meet me at cafe.com tomorrow", "none"),
    ("@julie.gagnon_ t'es dans la photo 3!", "none"),
])
def test_email(text: str, level: str) -> None:
    check(level, top(text, "pii.email"))


# -- identifiers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    # SIN / NAS (Luhn-valid and invalid numbers)
    ("Son NAS c'est le 130 692 544, il l'a laissé sur la photocopieuse", "pii.sin", "remove"),
    ("SIN: 130-692-544", "pii.sin", "remove"),
    ("le numéro 130 692 544 était sur le formulaire", "pii.sin", "review"),
    ("son NAS 130 692 545 (je pense)", "pii.sin", "review"),
    ("Le NAS, ça se donne jamais au téléphone!", "pii.sin", "none"),
    ("Référence du dossier : 130 692 545", "pii.sin", "none"),
    ("La vidéo a 130 692 544 vues", "pii.sin", "none"),
    ("130.692.544", "pii.sin", "none"),
    ("signez https://www.petitions.example.com/130/692/544/arretez", "pii.sin", "none"),
    # cards
    ("Sa carte Visa : 4532 0151 1283 0366 exp 09/27", "pii.credit_card", "remove"),
    ("4532015112830366", "pii.credit_card", "remove"),
    ("5425-2334-3010-9903 avec le CVV au dos", "pii.credit_card", "remove"),
    ("Numéro de test Stripe : 4242 4242 4242 4242", "pii.credit_card", "none"),
    ("carte 4532 0151 1283 0367 (checksum faux)", "pii.credit_card", "review"),
    ("Réservation 1234 5678 9012 3456", "pii.credit_card", "none"),
    # RAMQ: four letters, birth date, two digits
    ("Sa carte soleil : TREM 9203 1512", "pii.ramq", "remove"),
    ("TREM 9253 1512", "pii.ramq", "review"),
    ("Le code ABCD 1234 5678 du coupon", "pii.ramq", "none"),
    # permanent code (day-month-year) with its context
    ("son code permanent est GAGM 2507 0312", "pii.student_id", "hit"),
    # student numbers
    ("Le matricule de Jessica c'est 2234567 si jamais", "pii.student_id", "remove"),
    ("student number 1987654, he lost his card", "pii.student_id", "remove"),
    ("son matricule: 2012345", "pii.student_id", "remove"),
    ("Mon matricule c'est 2056789 et je peux pas m'inscrire, help", "pii.student_id", "none"),
    ("1234567 lol", "pii.student_id", "low"),
    ("Ça coûte 1250000 $, c'est fou", "pii.student_id", "none"),
])
def test_identifiers(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


# -- where someone lives ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    ("Karine habite au 1234 rue Beaubien Est, app. 3, allez lui dire bonjour", "pii.doxxing",
     "remove"),
    ("il reste au 456 boulevard Rosemont à Montréal", "pii.doxxing", "remove"),
    ("She lives at 221 Maple Street, go knock", "pii.doxxing", "remove"),
    ("son adresse c'est 78 avenue des Pins Ouest H2W 1R4", "pii.doxxing", "remove"),
    ("his dorm: residence Thérèse-Casgrain, room 1204, he lives there alone", "pii.doxxing",
     "hit"),
    ("elle reste au 3555, ch. Queen-Mary, app 12", "pii.doxxing", "remove"),
    ("her private insta is @maude.secret_acc", "pii.doxxing", "hit"),
    ("Elle habite à Longueuil maintenant", "pii.doxxing", "low"),
    # addresses that expose no one
    ("Le party de l'asso est au 3200 rue Jean-Brillant, tout le monde est bienvenu",
     "pii.doxxing", "none"),
    ("La conférence a lieu au 2500 chemin de Polytechnique, amphithéâtre Bernard-Lamarre",
     "pii.address", "none"),
    ("J'habite au 1234 rue Beaubien, venez pas 😂", "pii.doxxing", "none"),
    ("J'habite au 1234 rue Beaubien", "pii.address", "none"),
    ("Il reste 1 place libre pour le souper", "pii.address", "none"),
    ("Je cherche un coloc pour mon 4 1/2 au 5500 avenue Decelles, app. 12", "pii.address",
     "none"),
    ("Le Centre de santé est au 3333 Queen-Mary, suite 100", "pii.address", "none"),
    ("J'ai 3 cours de maths cette session", "pii.address", "none"),
    ("it's a 10 minutes drive from campus", "pii.address", "none"),
    ("il reste au moins 200 places dans le stationnement", "pii.doxxing", "none"),
    ("Le code postal de Poly c'est H3T 1J4", "pii.postal_code", "none"),
    ("My private insta is @me.only, follow me", "pii.doxxing", "none"),
])
def test_location(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


# -- health and reputation --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "signal", "level"), [
    ("Félicitations à Josée Bélanger, qui a combattu un cancer du sein pendant sa maîtrise",
     "pii.health", "remove"),
    ("Mathieu Gagnon est en dépression depuis l'automne, soyez indulgents", "pii.health",
     "remove"),
    ("Prof. Caron has been on antidepressants for years, that explains the grading",
     "pii.health", "remove"),
    ("Did you know Emily Chen is pregnant? She hasn't told the lab yet", "pii.health",
     "remove"),
    ("Le coach a fait une crise cardiaque cet été, il revient en janvier", "pii.health",
     "review"),
    ("elle prend du ritalin pour passer ses examens", "pii.health", "review"),
    ("My roommate Alex has depression and nobody helps him", "pii.health", "remove"),
    ("Ça fait 3 ans que Sophie lutte contre la leucémie, on t'aime", "pii.health", "remove"),
    ("My dad has diabetes and still runs marathons", "pii.health", "none"),
    ("Le Dr. Karim Benali donne une conférence sur le cancer du pancréas", "pii.health",
     "none"),
    # the writer's own health, unnamed relatives, research, general talk
    ("J'ai fait un burnout en 2e année, prenez soin de vous", "pii.health", "none"),
    ("I have ADHD and the accommodations office was great", "pii.health", "none"),
    ("Mon père a eu un cancer l'an passé, merci pour cette recherche", "pii.health", "none"),
    ("La recherche sur le cancer du pancréas avance enfin", "pii.health", "none"),
    ("Elle fait de la recherche sur le cancer depuis 20 ans", "pii.health", "none"),
    ("La dépression touche un étudiant sur cinq", "pii.health", "none"),
    ("Il a une enceinte JBL dans son bureau, on l'entend du corridor", "pii.health", "none"),
    ("She's borderline rude sometimes", "pii.health", "none"),
    ("L'entrave à l'IVG est un délit, Marie Dubois l'a rappelé", "pii.health", "none"),
    ("@Julie ma mère rêve souvent qu'elle est enceinte, c'est drôle", "pii.health", "none"),
    ("Mental health week: the counselling office is open late", "pii.health", "none"),
    # accusations against a named person
    ("Marc Fortin du service TI a volé des ordinateurs du labo", "pii.reputation", "review"),
    ("Everyone knows Kevin Tran is a thief, watch your stuff", "pii.reputation", "review"),
    ("Sarah Lévesque a triché à l'examen intra, tout le monde le sait", "pii.reputation",
     "review"),
    ("Stéphanie Roy a volé la vedette au gala, bravo!", "pii.reputation", "none"),
    ("Le pirate qui a attaqué les serveurs a été arrêté", "pii.reputation", "none"),
    ("On m'a volé mon vélo devant le pavillon Lassonde", "pii.reputation", "none"),
])
def test_health_and_reputation(text: str, signal: str, level: str) -> None:
    check(level, top(text, signal))


def test_author_name_is_not_a_third_person() -> None:
    text = "Moi, Kevin Tran, j'ai un TDAH et c'est correct"
    assert top(text, "pii.health", author="Kevin Tran") < REVIEW


# -- the port, the options, the explanations --------------------------------------------------

def test_findings_carry_original_spans_and_no_raw_text() -> None:
    text = "Bravo! Son cell perso c'est 514-555-0199, appelez-la"
    found = [f for f in findings(text) if f.signal == "pii.phone"]
    assert len(found) == 1
    start, end = found[0].span or (0, 0)
    assert text[start:end] == "514-555-0199"
    assert "514" not in found[0].explanation
    assert found[0].detector == NAME and found[0].signal in SIGNALS


def test_batch_in_one_list_per_comment_out() -> None:
    batch = prepare_batch([comment("rien à signaler", cid="fb:c-1"),
                           comment("son cell 514-555-0199", cid="fb:c-2")])
    result = DETECTOR.detect(batch, [[], []])
    assert len(result) == 2 and result[0] == [] and result[1]


def test_bad_options_name_the_key() -> None:
    with pytest.raises(PolicyError, match="public_numbers"):
        create({"public_numbers": ["pas un numéro"]}, POLICY)
    with pytest.raises(PolicyError, match="unknown_key"):
        create({"unknown_key": 1}, POLICY)


@pytest.mark.parametrize(("digits", "valid"), [
    ("130692544", True), ("130692545", False), ("046454286", False), ("800000002", False),
])
def test_sin_checksum(digits: str, valid: bool) -> None:
    assert sin_valid(digits) is valid


def test_card_and_ramq_checks() -> None:
    assert luhn_valid("4532015112830366") and not luhn_valid("4532015112830367")
    assert card_brand("378282246310005") == "American Express"
    assert card_brand("1234567812345670") is None
    assert quebec_code_kind("TREM92031512") == "ramq"
    assert quebec_code_kind("TREM92531512") == "ramq"  # month + 50: a woman
    assert quebec_code_kind("TREM99999999") is None


def test_speed_is_that_of_a_rule_detector() -> None:
    texts = ["Bravo à toute l'équipe, c'est malade!", "son cell 514-555-0199, appelez-la",
             "Elle habite au 1234 rue Beaubien, app. 3", "Le cancer du sein, parlons-en",
             "Quel est le local de l'examen final de MTH1102?"] * 40
    per_second = comments_per_cpu_second(DETECTOR, texts)
    assert per_second > 3000, per_second  # loose floor for a shared CI core; ~20k/s measured


@pytest.mark.parametrize("text", ["1 " * 3000, "4532 0151 1283 0366 " * 200,
                                  "il est en burnout " * 300, "12 rue Saint-Denis " * 300])
def test_pathological_input_is_bounded(text: str) -> None:
    assert cpu_seconds_on(DETECTOR, text) < 0.5  # ~10 ms measured; was minutes before the cap


@needs_dev_set
def test_dev_set_false_alarms_stay_rare() -> None:
    acceptable = dev_set_acceptable_scores(DETECTOR)
    flagged = sum(score >= REVIEW for score in acceptable)
    assert flagged <= 0.02 * len(acceptable), flagged
