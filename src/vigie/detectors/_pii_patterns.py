"""Patterns and word lists of the privacy recognizers (folded text: lower case, no accents).

Context words say what a number is ("NAS", "matricule", "carte soleil"); mailbox words say
whose an address is (a role mailbox such as info@ is an organisation's). Pure data.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]{1,64})@([\w-]{1,63}(?:\.[\w-]{1,63})+)")
EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.+-])(?P<local>[\w.+-]{2,64})\s*(?P<at>\[at\]|\(at\)|\{at\}|\[@\]|\(@\)|\s+at\s+"
    r"|[\[({]\s*arobase\s*[\])}]|\s*arobase\s*)\s*(?P<host>[\w-]{2,63})\s*(?P<dot>\[dot\]|\(dot\)|\{dot\}|\[\.\]|\(\.\)"
    r"|[\[({]\s*point\s*[\])}]|\s+dot\s+|\s+point\s+|\.)\s*(?P<tld>com|ca|net|org|fr|io|me|info|edu|qc\.ca)\b"
)
WEBMAIL = frozenset({
    "gmail", "googlemail", "hotmail", "outlook", "live", "msn", "yahoo", "ymail", "icloud", "me",
    "mac", "aol", "proton", "protonmail", "pm", "videotron", "sympatico", "bell", "gmx", "yandex",
    "mail", "zoho", "fastmail", "tutanota", "tuta", "hotmail.co"
})
WEBMAIL_HINTS = ("gmail", "hotmail", "outlook", "yahoo", "icloud", "proton", "videotron")
ROLE_LOCAL = frozenset({
    "info", "contact", "admin", "admissions", "admission", "support", "service", "services",
    "secretariat", "reception", "accueil", "communications", "communication", "media", "medias",
    "presse", "press", "hello", "bonjour", "noreply", "no-reply", "webmaster", "registrariat",
    "registrar", "aide", "help", "jobs", "emplois", "emploi", "rh", "hr", "inscription",
    "inscriptions", "ventes", "sales", "office", "bureau", "commandes", "orders", "billing",
    "facturation", "recrutement", "careers"
})
# Words inside a local part that make it a mailbox of a service, not of a person.
ROLE_PARTS = ("newsletter", "news", "queries", "customer", "support", "ticket", "promo",
               "marketing", "offers", "deals", "noreply", "no-reply", "notification")
GENERIC_TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "app", "dev", "xyz",
    "online", "site", "shop", "quebec", "mtl", "email", "live", "pro", "name", "mobi", "tech",
})
SIN_CONTEXT = re.compile(
    r"\b(?:nas|n\.a\.s\.?|sin|s\.i\.n\.?|assurance sociale|assurance-sociale|social insurance"
    r"|insurance number)\b"
)
CARD_CONTEXT = re.compile(
    r"\b(?:carte|card|visa|mastercard|master card|amex|american express|credit|credito|debit"
    r"|cvv|cvc|cvv2|expiration|exp|expire|expiry)\b"
)
STUDENT_CONTEXT = re.compile(
    r"\b(?:matricule|matr\.|student (?:number|id|no\.?|#)|student's (?:number|id)"
    r"|numero (?:d'?)?etudiant|no\.? (?:d'?)?etudiant|# etudiant|code etudiant|id etudiant"
    r"|numero de matricule)"
)
MONEY_NEAR = re.compile(r"\$|€|dollars?|\bk\b|\bm\$|%")
COUNT_NEAR = re.compile(
    r"\b(?:views?|vues?|abonnes|followers|likes|habitants|km|kg|votes?|fois|times|personnes"
    r"|people|etudiants|students)\b"
)
PERSONAL_LINE = re.compile(
    r"\b(?:cell|cellulaire|perso|personnel|personnelle|personal|prive|privee|private|maison"
    r"|home|mobile)\b"
)
RAMQ = re.compile(r"\b([a-z]{4})[ -]?(\d{4})[ -]?(\d{4})\b")
RAMQ_CONTEXT = re.compile(
    r"\b(?:ramq|carte soleil|assurance maladie|assurance-maladie|carte d'assurance|health card"
    r"|health insurance|medicare|nam)\b"
)
PERMANENT_CONTEXT = re.compile(r"\b(?:code permanent|permanent code)\b")
