"""Issue 18's recognizers, one detector at a time: positives next to their hard negatives.

Levels read against the bundled policy's thresholds (see ``detector_support.check_level``).
"""

from __future__ import annotations

import pytest

from detector_support import check_level
from factories import comment
from vigie.detectors import confidential, privacy
from vigie.detectors._pii_more import (
    find_ibans,
    find_national_ids,
    iban_valid,
    spelled_numbers,
)
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.text.prepare import prepare_batch
from vigie.text.urls import extract_urls

POLICY = load_policy()
PRIVACY = privacy.create(POLICY.detectors[privacy.NAME], POLICY)
CONFIDENTIAL = confidential.create(POLICY.detectors[confidential.NAME], POLICY)
P_REVIEW, P_REMOVE = POLICY.thresholds(POLICY.category("privacy"))
C_REVIEW, C_REMOVE = POLICY.thresholds(POLICY.category("confidential"))


def _top(detector: privacy.PrivacyDetector | confidential.ConfidentialDetector, text: str,
         prefix: str) -> tuple[float, list[Finding]]:
    [found] = detector.detect(prepare_batch([comment(text)]), [[]])
    hits = [f for f in found if f.signal.startswith(prefix)]
    return max((f.score for f in hits), default=0.0), hits


PRIVACY_CASES = [
    # Digits written as words, alone or mixed with figures.
    ("Appelle-la au cinq un quatre, cinq cinq cinq, zéro un six trois", "pii.phone", "remove"),
    ("text him at five one four five five five zero one six three", "pii.phone", "hit"),
    ("reach Tom at six-oh-four five-five-five oh-one-two-one", "pii.phone", "hit"),
    ("le cell à Guillaume: 514 cinq cinq cinq 01 48", "pii.phone", "hit"),
    ("J'ai un chat, deux chiens et trois poissons, un de plus que toi", "pii.phone", "none"),
    ("one two three four, I declare a thumb war", "pii.phone", "none"),
    # National forms of other countries, next to a phone word only.
    ("call him on 07911 123456 he deserves it", "pii.phone", "remove"),
    ("son natel c'est le 079 123 45 67", "pii.phone", "remove"),
    ("commande 0470123456 livrée hier", "pii.phone", "none"),
    # IBANs with their check digits.
    ("l'IBAN de sa mère c'est DE89 3704 0044 0532 0130 00", "pii.iban", "remove"),
    ("send it to her account GB82 WEST 1234 5698 7654 32", "pii.iban", "remove"),
    ("send it to her account GB83 WEST 1234 5698 7654 32", "pii.iban", "none"),
    # One's own bank account in public: below removal, a human looks.
    ("Mon IBAN pour le remboursement du club : FR76 3000 6000 0112 3456 7890 189", "pii.iban",
     "review"),
    ("Virez les dons au compte de l'association : FR76 3000 6000 0112 3456 7890 189",
     "pii.iban", "low"),
    # North American shapes with unlisted area codes and extensions, next to a phone word.
    ("Please call John Smith at 001-452-813-7290x123 tomorrow.", "pii.phone", "remove"),
    ("Order 452-813-7290 shipped yesterday", "pii.phone", "none"),
    # SSN and NIR.
    ("her social security number: 536-22-8374", "pii.ssn", "remove"),
    ("the code 666-12-3456 is not a number anyone gets", "pii.ssn", "none"),
    ("son numéro de sécurité sociale (France) 1 85 05 78 006 084 91", "pii.ssn", "remove"),
    ("son numéro de sécurité sociale (France) 1 85 05 78 006 084 36", "pii.ssn", "none"),
    # Staff numbers next to their keyword.
    ("le numéro d'employé de Mme Girard c'est E-48213, portez plainte", "pii.employee_id",
     "remove"),
    ("employee number 339201 is the guy who yelled at me, Frank Miller", "pii.employee_id",
     "remove"),
    ("My employee number changed after the merger, is that normal?", "pii.employee_id", "none"),
    # A named person tied to a private fact.
    ("Tout le monde devrait savoir que Julien Bergeron est gai, il le cache", "pii.orientation",
     "remove"),
    ("Kelly Adams is bisexual and her boyfriend doesn't know", "pii.orientation", "remove"),
    ("Mon frère est gai et fier, merci pour la campagne", "pii.orientation", "none"),
    ("As a gay engineering student I really appreciate this post", "pii.orientation", "none"),
    ("Bravo pour la Fierté gaie sur le campus!", "pii.orientation", "none"),
    ("Catherine Roy a eu 34 % à son intra de MTH1101, elle va couler", "pii.academic", "hit"),
    ("J'ai eu 92 % à mon intra, enfin", "pii.academic", "none"),
    ("Her Facebook is facebook.com/jenna.morrison.31, go tell her", "pii.doxxing", "hit"),
    ("Mark Johnson's Instagram is @markj_private, flood him", "pii.doxxing", "hit"),
    ("Mon Instagram c'est @julie_dessine si vous aimez mes dessins", "pii.doxxing", "none"),
    # Addresses in French and US forms.
    ("son appart à Paris : 8 bis avenue Victor-Hugo, 75016 Paris", "pii.", "hit"),
    ("she lives at 350 Fifth Avenue, Apt 12C, New York, NY 10118", "pii.", "hit"),
    ("Le pont Jacques-Cartier a 93 ans et mesure 2 765 m", "pii.", "none"),
    # Obfuscated e-mails.
    ("son courriel: lea.dube (arobase) hotmail (point) com", "pii.email", "hit"),
    ("contactez Kevin à kevin.b [at] outlook [dot] com", "pii.email", "hit"),
]


@pytest.mark.parametrize(("text", "prefix", "level"), PRIVACY_CASES)
def test_privacy_recognizers(text: str, prefix: str, level: str) -> None:
    score, hits = _top(PRIVACY, text, prefix)
    check_level(level, score, P_REVIEW, P_REMOVE)
    for hit in hits:  # explanations name the kind of data, never the data
        assert hit.span is not None and text[hit.span[0]:hit.span[1]] not in hit.explanation


CONFIDENTIAL_CASES = [
    ("le mot de passe c'est pass Hiver2026", "secret.password", "remove"),
    ("le mdp du wifi du labo c'est encore Poly@Lab#3, profitez-en", "secret.password", "remove"),
    ("pass is hunter2@poly for the club account", "secret.password", "remove"),
    ("the login for the club laptop is admin / Beaver!2024", "secret.password", "hit"),
    ("Écrivez-moi à jean.roy@gmail.com pour le mot de passe", "secret.password", "none"),
    ("my bus pass is expired again", "secret.password", "none"),
    ("AZ_KEY=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a", "secret.api_key", "remove"),
    ("The Azure storage key is Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"
     "/K1SZFPTOtr/KBHBeksoGMGw==", "secret.api_key", "remove"),
    ("the fix is in commit 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a on GitHub", "secret.", "none"),
    ("The API key for the course project is provided on Moodle", "secret.", "none"),
    ("pour la salle des serveurs, faites 7391 sur le clavier", "secret.access_code", "hit"),
    ("the keypad at the back entrance is 8642*", "secret.access_code", "hit"),
    ("the code to get into the lab after hours is 7711#", "secret.access_code", "hit"),
    ("Le clavier de mon portable est brisé depuis 2024", "secret.access_code", "none"),
    ("PV confidentiel du CA : ils ferment le programme de génie minier", "confidential.marked",
     "remove"),
    ("the closed-session board minutes say the dean is being replaced", "confidential.marked",
     "remove"),
    ("Le procès-verbal de l'assemblée générale est publié sur le site", "confidential.", "none"),
    ("the cameras of building B are off this weekend", "confidential.security", "hit"),
    ("l'alarme du labo de chimie est désactivée depuis lundi", "confidential.security", "hit"),
    ("the back door of the library never locks at night", "confidential.security", "hit"),
    ("La caméra du cours en ligne marche pas", "confidential.security", "none"),
    ("Glad there are security cameras in the parking lot now", "confidential.security", "none"),
    ("La porte du local est ouverte, entrez", "confidential.security", "none"),
    ("question 4 of the final will be about Laplace transforms, saw the draft",
     "confidential.exam", "remove"),
    ("When is the final exam for INF1005? I can't find the schedule", "confidential.", "none"),
    ("the code is 4455 for the side door", "secret.access_code", "hit"),
    ("le code est 4455, valable sur tout le site de la boutique", "secret.access_code", "none"),
    ("creds are jsmith / Winter#99", "secret.password", "hit"),
    ("no cameras on the 3rd floor of the library, just saying", "confidential.security", "hit"),
    ("no cameras allowed during the ceremony", "confidential.security", "none"),
    ("the badge readers on the east entrance don't work after 10pm", "confidential.security",
     "hit"),
    ("the badge reader at the gym is slow lol", "confidential.security", "none"),
    ("the spare key to the server room is under the mat", "confidential.security", "hit"),
    ("la clé du local est cachée sous le paillasson", "confidential.security", "hit"),
    ("the key to success is practice", "confidential.security", "none"),
    ("the prof accidentally uploaded the answers to tomorrow's quiz on Moodle",
     "confidential.exam", "remove"),
    ("HR told us confidentially that 20 people will be laid off", "confidential.marked", "hit"),
    ("She told me in person that she loved the course", "confidential.", "none"),
]


@pytest.mark.parametrize(("text", "prefix", "level"), CONFIDENTIAL_CASES)
def test_confidential_recognizers(text: str, prefix: str, level: str) -> None:
    score, _ = _top(CONFIDENTIAL, text, prefix)
    check_level(level, score, C_REVIEW, C_REMOVE)


@pytest.mark.parametrize(("text", "url"), [
    ("Best deals at heatgear-deals .shop today", "https://heatgear-deals.shop"),
    ("Les meilleures répliques : montres-luxe . top", "https://montres-luxe.top"),
    ("inscrivez-vous: gains-faciles dot online", "https://gains-faciles.online"),
    ("tony.nguyen at gmail dot com", None),
    ("lea.dube (arobase) hotmail (point) com", None),
    ("Great. Top work everyone", None),
    ("I like it. me too", None),
])
def test_defanged_and_mail_forms(text: str, url: str | None) -> None:
    found = extract_urls(text)
    assert [u.url for u in found] == ([url] if url else [])


def test_spelled_numbers_and_checksums() -> None:
    [(_, _, digits, _)] = spelled_numbers("cinq un quatre cinq cinq cinq zero un six trois")
    assert digits == "5145550163"
    assert iban_valid("FR7630006000011234567890189")
    assert not iban_valid("FR7630006000011234567890188")
    assert find_ibans("IBAN: de89 3704 0044 0532 0130 00 merci") != []
    assert [k for _, _, k, _ in find_national_ids("ssn 219-09-9999")] == ["ssn"]
    assert find_national_ids("ssn 000-12-3456") == []
