"""Secrets in a comment: API keys, private keys, passwords, door and alarm codes.

Known credential formats come from ``vigie/data/confidential/secret_formats.yaml`` (provider
prefixes and lengths). Passwords and access codes are found from a keyword ("mot de passe",
"mdp", "password", "密码", "code de la porte", "door code") followed, in the same sentence,
by a token shaped like a secret: letters *and* digits or symbols ("Rover2025!"), or digits
for a door code ("4719#", "1-9-8-7*"). A keyword followed by ordinary words ("mot de passe
oublié"), by a mask ("********") or by an example ("par exemple Summer2024!") is not a leak.

The secret itself never leaves this module: results carry spans and a description only.
Pure functions; the formats file is read once per process.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

__all__ = ["SecretHit", "find_access_codes", "find_key_formats", "find_login_pairs",
           "find_passwords"]


@dataclass(frozen=True, slots=True)
class SecretHit:
    """A secret found in the original text.

    Attributes:
        signal: ``secret.api_key``, ``secret.private_key``, ``secret.password`` or
            ``secret.access_code``.
        score: calibrated confidence in [0, 1].
        start: start offset in the original text.
        end: end offset in the original text.
        what: words for the explanation (never the secret).
        kind: a short id (format id, ``password``, ``door_code``...).
    """

    signal: str
    score: float
    start: int
    end: int
    what: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Format:
    kind: str
    what: str
    score: float
    hints: tuple[str, ...]
    pattern: re.Pattern[str]


@cache
def _formats() -> tuple[_Format, ...]:
    path = resources.files("vigie").joinpath("data/confidential/secret_formats.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        _Format(f["id"], f["what"], float(f["score"]), tuple(f["hints"]),
                re.compile(f["pattern"]))
        for f in data["formats"]
    )


_PREFILTER = re.compile(r"[A-Za-z0-9_\-/+=.]{16,}|-----BEGIN|PuTTY-User-Key|://[^\s/]*:[^\s/]*@")
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d"
)
_ASSIGNMENT = re.compile(
    r"(?i)\b(?P<key>api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token"
    r"|auth[_-]?token|secret|token|private[_-]?key|bearer)\s*[=:]\s*[\"']?"
    r"(?P<value>[A-Za-z0-9/+_\-.=]{16,})"
)
_URL_CREDENTIALS = re.compile(
    r"\b[a-z][a-z0-9+.-]{1,20}://(?P<user>[^\s:/@]{1,64}):(?P<password>[^\s:/@]{3,64})@[\w.-]+"
)
_PLACEHOLDERS = frozenset({
    "password", "pass", "passwd", "motdepasse", "mot_de_passe", "mdp", "secret", "changeme",
    "yourpassword", "votremotdepasse", "xxx", "xxxx", "xxxxxx", "xxxxxxxx", "redacted", "hidden",
    "cache"
})


# "AZ_KEY=3f9a…", "DB_PASSWORD=…", "export MY_TOKEN=…": an identifier naming a secret.
_ENV_ASSIGNMENT = re.compile(
    r"(?<![\w-])(?P<key>[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)*)\s*[=:]\s*[\"']?"
    r"(?P<value>[A-Za-z0-9/+_\-.=!@#$%^&*~]{8,})"
)
_SECRET_NAME = re.compile(r"(?i)(?:key|token|secret|pass(?:word|wd)?|pwd|auth|credential|cred"
                          r"|apikey|sig(?:nature)?|cle|jeton)")
# Prose: "the storage key is <token>", "le token du bot : <token>".
_PROSE_KEY = re.compile(
    r"(?i)\b(?:api[ _-]?key|access key|secret key|storage key|account key|private key|key|keys"
    r"|token|jeton|secret|credentials?|cle(?: d'api| de l'api| api| secrete| privee)?|clé"
    r"(?: d'api| de l'api| api| secrète| privée)?|webhook)\b(?P<gap>[^\n.!?]{0,40}?)"
    r"(?:\s*[:=]\s*|\s+(?:is|est|c'est|was|=)\s+)[\"'«“]?\s*(?P<value>[A-Za-z0-9/+_\-.=]{20,})"
)
_HASH_WORDS = re.compile(r"(?i)\b(?:commit|sha-?\d*|md5|hash|checksum|empreinte|doi|isbn"
                         r"|uuid|guid|order|commande|tracking|suivi)\b")


def _random_looking(value: str, min_entropy: float = 3.5) -> bool:
    """Whether ``value`` mixes character classes and looks random (pure)."""
    value = value.rstrip(".,;:")
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value)))
    if classes < 2 or "://" in value or value.lower().startswith("www."):
        return False
    return _entropy(value) >= min_entropy


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def find_key_formats(text: str) -> list[SecretHit]:
    """Find API keys, tokens, private keys and credentials in URLs (pure)."""
    if _PREFILTER.search(text) is None:
        return []
    hits: list[SecretHit] = []
    for fmt in _formats():
        if not any(hint in text for hint in fmt.hints):
            continue
        for match in fmt.pattern.finditer(text):
            hits.append(SecretHit("secret.api_key", fmt.score, match.start(), match.end(),
                                  fmt.what, fmt.kind))
    for match in _PRIVATE_KEY.finditer(text):
        hits.append(SecretHit("secret.private_key", 0.97, match.start(), match.end(),
                              "private key block", "private_key"))
    for match in _ASSIGNMENT.finditer(text):
        value = match.group("value")
        if any(h.start <= match.start("value") < h.end for h in hits):
            continue
        mixed = any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
        if mixed and _entropy(value) >= 3.5:
            hits.append(SecretHit("secret.api_key", 0.85, match.start(), match.end(),
                                  f"random-looking value assigned to '{match.group('key')}'",
                                  "assignment"))
    for match in _ENV_ASSIGNMENT.finditer(text):
        key, value = match.group("key"), match.group("value")
        if any(h.start <= match.start("value") < h.end for h in hits):
            continue
        if not _SECRET_NAME.search(key) or not (key.isupper() or "_" in key or "-" in key):
            continue  # "AZ_KEY", "db_password": named like a variable, not a word of prose
        password = re.search(r"(?i)pass|pwd", key) is not None
        if (password and len(value) >= 6 and any(c.isdigit() for c in value)) or _random_looking(
                value, 3.0):
            hits.append(SecretHit("secret.api_key", 0.88, match.start(), match.end(),
                                  f"secret value assigned to '{key}'", "assignment"))
    for match in _PROSE_KEY.finditer(text):
        value = match.group("value")
        if any(h.start <= match.start("value") < h.end for h in hits):
            continue
        if _HASH_WORDS.search(text, max(0, match.start() - 30), match.start("value")):
            continue
        if _random_looking(value, 3.8):
            hits.append(SecretHit("secret.api_key", 0.85, match.start(), match.end("value"),
                                  "random-looking key or token written after its name",
                                  "prose_key"))
    for match in _URL_CREDENTIALS.finditer(text):
        if match.group("password").lower().strip("<>[]{}*") in _PLACEHOLDERS:
            continue
        hits.append(SecretHit("secret.password", 0.9, match.start(), match.end(),
                              "user name and password written in a link", "url_credentials"))
    return hits


# -- passwords --------------------------------------------------------------------------------

_PASSWORD_KEY = re.compile(
    r"(?:\b(?:mots? de passe|mot-de-passe|mdp|m\.d\.p\.?|password|passwd|passcode|pwd"
    r"|contrasena|passwort|senha|code (?:du )?wi-?fi|wi-?fi (?:code|pass|key)|wi-?fi"
    r"|pass(?=\s*(?::|=|is\b|c'est\b|est\b)))\b"
    r"|密码|口令|パスワード|비밀번호)"
)
# Keywords examined per comment: bounds the work on pathological input.
_MAX_KEYS = 20
_PASSWORD_HINTS = ("passe", "mdp", "m.d.p", "passw", "passc", "pass ", "pass:", "pass=", "pwd",
                   "contrasena", "senha",
                   "wifi", "wi-fi", "密码", "口令", "パスワード", "비밀번호")
# What may end the words between keyword and token: "... c'est encore ", " : ", " is ".
_TAIL_SEPARATOR = re.compile(
    r"(?:\s*[:=：]\s*|\s+(?:c'est|c est|est|is|was|it's|its|reste|sera|will be)\s+"
    r"(?:(?:encore|toujours|still|rendu|juste|just|now|maintenant)\s+)?)$",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(
    r"\b(?:par exemple|p\. ?ex\.?|e\.g\.|ex\.|exemple|example|such as|like|comme)"
)
_SELF = re.compile(r"\b(?:mon|ma|mes|my)\s+(?:\w+\s+)?$")
_SERVER = re.compile(r"\b(?:ssh|vpn|ftp|sftp|rdp|login|user(?:name)?|utilisateur|identifiant"
                     r"|root|admin|serveur|server)\b", re.IGNORECASE)
_COURSE = re.compile(r"^[A-Z]{3}\d{4}[A-Z]?$")
_MAIL_LIKE = re.compile(r"@[\w-]+\.[A-Za-z]{2,}")
_TRAILING = ".,;:)]}»\"'”’"
_SYMBOLS = frozenset("!@#$%^&*_+=~?")


def _shape(token: str) -> str | None:
    """Classify a token: ``strong``, ``camel``, ``digits``, ``word`` or None (not a secret)."""
    token = token.rstrip(_TRAILING).lstrip("«\"'“(")
    if len(token) < 3 or token.lower() in _PLACEHOLDERS:
        return None
    if len(set(token)) == 1 or token.count("*") + token.count("•") >= len(token) / 2:
        return None  # "********": a masked password discloses nothing
    if "://" in token or token.startswith(("www.", "@")) or _MAIL_LIKE.search(token) or \
            _COURSE.match(token):
        return None  # a link, a handle or an e-mail address; "Poly@Lab#3" stays a password
    core = token.rstrip("!?")
    if core.isdigit() and len(core) == 4 and core[:2] in ("19", "20"):
        return None  # a year, "2013!"
    if re.search(r"\.[a-z]{2,}(?:/|$)", token):
        return None  # a domain or a file name
    if core.isdigit() and core != token:
        token = core  # "391784." / "2025!": sentence punctuation, not part of the code
    letters = any(c.isalpha() for c in token)
    digits = any(c.isdigit() for c in token)
    symbols = any(c in _SYMBOLS for c in core)  # a final "!" ends a sentence: "minutes!"
    if len(token) >= 5 and ((letters and digits) or (symbols and (letters or digits))):
        return "strong"
    if digits and not letters and len(token) >= 4:
        # Digits with dashes or slashes are phones and dates, not passwords.
        return None if "-" in token or "/" in token else "digits"
    if letters and not digits and token.rstrip(_TRAILING).isalpha():
        inner_upper = any(c.isupper() for c in token[1:])
        return "camel" if inner_upper and len(token) >= 6 else "word"
    return None


def find_passwords(folded: str, original: str, offsets: tuple[int, ...]) -> list[SecretHit]:
    """Find passwords written after a password keyword (pure).

    Args:
        folded: the folded text (keywords are matched here).
        original: the text as posted (the token's shape is judged here: case matters).
        offsets: folded-to-original offsets.
    """
    hits: list[SecretHit] = []
    if not any(w in folded for w in _PASSWORD_HINTS):
        return hits
    for index, key in enumerate(_PASSWORD_KEY.finditer(folded)):
        if index >= _MAX_KEYS:
            break  # a comment repeating the keyword hundreds of times is not a leak
        if key.end() >= len(offsets):
            continue
        o_start = offsets[key.start()]
        o_end = offsets[key.end() - 1] + 1
        if original[o_end:o_end + 1] == "@" or original[max(0, o_start - 1):o_start] in (":", "/"):
            continue  # part of a link: "user:password@host" is handled with links
        window = original[o_end:o_end + 90].split("\n", 1)[0]
        self_owned = _SELF.search(folded[max(0, key.start() - 20):key.start()]) is not None
        hit = _password_token(window, o_end)
        if hit is None:
            continue
        start, end, shape, explicit, gap = hit
        if key.group(0) in ("wifi", "wi-fi") and _TAIL_SEPARATOR.search(gap) is None:
            continue  # "wifi" alone names a password only with "is / : / c'est" before it
        if _EXAMPLE.search(gap.lower()):
            score = 0.45
        elif shape == "strong":
            score = 0.92 if explicit else 0.85
        elif shape in ("digits", "camel"):
            score = 0.8 if explicit else 0.6
        elif explicit and gap.strip():
            score = 0.7  # a quoted word after "mot de passe :"
        else:
            score = 0.45  # 'text the password "MIX" to 85069': an instruction, not a leak
        if self_owned:
            score = min(score, 0.6)
        server = _SERVER.search(original, max(0, o_start - 60), end) is not None
        what = "server or VPN login with its password" if server else "password"
        what += f" disclosed ({end - start} characters)"
        hits.append(SecretHit("secret.password", score, o_start, end, what,
                              "server_login" if server else "password"))
    return hits


def _password_token(window: str, base: int) -> tuple[int, int, str, bool, str] | None:
    """Return ``(start, end, shape, explicit, gap)`` of the most secret-like token.

    Ordinary words may stand between the keyword and the token ("mot de passe *du compte
    Insta de PolyRover c'est encore* Rover2025!"). A sentence end stops the search; after a
    comma only a token right behind a separator counts ("mot de passe du Wi-Fi, c'est X").
    ``explicit``: the token follows the keyword directly or a separator (":", "c'est").
    """
    fallback: tuple[int, int, str, bool, str] | None = None
    clause_start: int | None = None
    opened = False  # French spaced guillemets: "« tournesol »" quotes the next token
    for match in re.finditer(r"\S+", window):
        token = match.group(0)
        if token in ("«", "“", '"'):
            opened = True
            continue
        gap = window[: match.start()].rstrip().removesuffix("«").removesuffix("“") + " "
        shape = _shape(token)
        separator = _TAIL_SEPARATOR.search(gap)
        explicit = gap.strip() == "" or separator is not None
        if clause_start is not None and (
            separator is None or window[clause_start:separator.start()].strip()
        ):
            shape = None  # another clause: "mot de passe la semaine passée, c'est lui..."
        quoted = opened or token[:1] in "«\"'“"
        opened = False
        if shape is not None and (shape != "word" or (explicit and quoted)):
            lead = len(token) - len(token.lstrip("«\"'“("))
            stripped = token.rstrip(_TRAILING)
            found = (base + match.start() + lead, base + match.start() + len(stripped), shape,
                     explicit, gap)
            if shape == "strong" or explicit:
                return found
            fallback = fallback or found
        if (token.endswith((".", "?", "!")) and shape is None) or match.start() > 70:
            break
        if token.endswith((",", ";")) and clause_start is None:
            clause_start = match.end()
    return fallback


# "the login for the club laptop is admin / Beaver!2024", "identifiants : asso / Castor#25".
_LOGIN_PAIR = re.compile(
    r"(?i)\b(?:login|log-in|identifiants?|credentials|creds|acces|access|compte|account)\b"
    r"[^.!?\n]{0,40}?(?:\bis\b|\best\b|\bare\b|\bsont\b|c'est|:|=)\s*(?P<user>[^\s/:,]{2,40})\s*(?:/|:|,|\band\b"
    r"|\bet\b|\bpw\b|\bpwd\b)\s*(?P<secret>\S{4,64})"
)


def find_login_pairs(original: str) -> list[SecretHit]:
    """A user name and a password written as a pair after a login word (pure)."""
    hits: list[SecretHit] = []
    for match in _LOGIN_PAIR.finditer(original):
        if _shape(match.group("secret")) != "strong":
            continue
        end = match.start("secret") + len(match.group("secret").rstrip(_TRAILING))
        hits.append(SecretHit("secret.password", 0.85, match.start(), end,
                              "user name and password written as a pair", "login_pair"))
    return hits


# -- door, alarm and locker codes -------------------------------------------------------------

_CODE_KEY = re.compile(
    r"\b(?:code|combinaison|combo|nip|pin|digicode)\s+(?:d'acces|d'entree|de la porte|de porte"
    r"|des portes|du local|de la salle|du labo|de l'alarme|d'alarme|du systeme d'alarme|du cadenas"
    r"|du casier|du coffre|de la serrure|du batiment|du pavillon|du garage|de la barriere"
    r"|du stationnement|du keypad|du clavier|pour entrer|pour rentrer|de la chambre|de l'entree)"
    r"|\b(?:door|access|alarm|keypad|gate|entry|building|lock|locker|garage|room)\s+"
    r"(?:code|combination|pin)\b"
    r"|\bcode\s+(?:to|for)\s+(?:the\s+)?(?:door|room|building|lab|gate|locker|alarm)\b"
    r"|\bcode\s+(?:to|for)\s+(?:get(?:ting)?\s+(?:in|into)|enter(?:ing)?|open(?:ing)?|access(?:ing)?"
    r"|unlock(?:ing)?)\b"
    r"|\bcode\s+pour\s+(?:ouvrir|acceder|debarrer|deverrouiller)\b"
    r"|\b(?:pin|nip|code|combination|combinaison)\s+(?:for|to|of|du|de la|de l'|pour|de)\s*"
    r"(?:the\s+|la\s+|le\s+|l')?(?:[\w-]+\s+){0,2}?(?:room|door|lab|office|building|gate|locker"
    r"|safe|alarm|photocopier|printer|copier|salle|porte|local|labo|bureau|casier|coffre|alarme"
    r"|imprimante|photocopieuse|garage|vestiaire)\b"
    r"|\bdigicode\b"
)
_CODE_AFTER_SEP = re.compile(
    r"(?:c'est|c est|est|is|was|it's|:|=)\s*(?:(?:encore|toujours|still|juste|just)\s+)?"
    r"(?P<code>[#*]?\d(?:[\s\-*#.]?\d){2,9}[#*]?)(?![\w])"
)
_CODE_ANY = re.compile(r"(?<![\w-])(?P<code>[#*]?\d(?:[\-*#.]?\d){2,9}[#*]?)(?![\w]|\s?h\b)")


# "faites 7391 sur le clavier", "the keypad at the back entrance is 8642*": a code typed on a
# keypad, said in the same sentence as the keypad.
_KEYPAD = re.compile(r"\b(?:clavier|keypad|key pad|pave numerique|digicode|keycode|key code)\b")
_TYPED = re.compile(
    r"(?:\b(?:faites|faire|fais|tapez|tape|taper|entrez|entre|entrer|composez|compose|pitonnez"
    r"|pitonne|punch|punch in|enter|type|dial|press|key in)\s+(?:le\s+|the\s+)?"
    r"|\b(?:is|est|c'est|c est|was|:|=)\s*)(?P<code>[#*]?\d(?:[\-*#.]?\d){2,9}[#*]?)(?![\w])"
)


# "the code is 4455 for the side door": the code first, the place later in the sentence.
_CODE_FIRST = re.compile(
    r"\b(?:the |le |la )?(?:code|pin|nip|combo|combination|combinaison|digicode)\s+(?:is|est|c'est"
    r"|c est|:|=)\s*(?P<code>[#*]?\d(?:[\-*#.]?\d){2,9}[#*]?)(?![\w])"
)
_PLACE = re.compile(
    r"\b(?:doors?|portes?|rooms?|salles?|local|lab|labo|gates?|barrieres?|lockers?|casiers?"
    r"|buildings?|pavillon|garage|alarms?|alarmes?|safe|coffre|entrances?|entree|keypad|clavier"
    r"|vestiaire|office|bureau)\b"
)


def _code_first(folded: str, offsets: tuple[int, ...]) -> list[SecretHit]:
    hits: list[SecretHit] = []
    for match in _CODE_FIRST.finditer(folded):
        lo = max(folded.rfind(c, 0, match.start()) for c in ".!?\n") + 1
        ends = [i for i in (folded.find(c, match.end()) for c in ".!?\n") if i != -1]
        hi = min(ends) if ends else len(folded)
        if _PLACE.search(folded, lo, hi) is None:
            continue  # "le code est 4455" alone: a promo, a course, a ticket...
        hits.append(SecretHit("secret.access_code", 0.8, offsets[match.start()],
                              offsets[match.end("code") - 1] + 1,
                              "door, alarm or locker access code", "access_code"))
        break
    return hits


def _keypad_codes(folded: str, offsets: tuple[int, ...]) -> list[SecretHit]:
    hits: list[SecretHit] = []
    for key in _KEYPAD.finditer(folded):
        lo = max(folded.rfind(c, 0, key.start()) for c in ".!?\n") + 1
        ends = [i for i in (folded.find(c, key.end()) for c in ".!?\n") if i != -1]
        hi = min(ends) if ends else len(folded)
        code = _TYPED.search(folded, lo, hi)
        if code is None:
            continue
        core = code.group("code").strip("#*")
        if len(core) == 4 and core[:2] in ("19", "20") and core == code.group("code"):
            continue  # a year
        start = offsets[min(key.start(), code.start("code"))]
        end = offsets[max(key.end(), code.end("code")) - 1] + 1
        hits.append(SecretHit("secret.access_code", 0.8, start, end,
                              "code to type on a door or alarm keypad", "keypad_code"))
        break
    return hits


def find_access_codes(folded: str, offsets: tuple[int, ...]) -> list[SecretHit]:
    """Find door, alarm, locker and building codes after their keyword (pure)."""
    hits: list[SecretHit] = []
    if any(w in folded for w in ("clavier", "keypad", "key pad", "pave numerique", "digicode",
                                 "keycode", "key code")):
        hits.extend(_keypad_codes(folded, offsets))
    if not any(w in folded for w in ("code", "combinaison", "combo", "nip", "pin", "combination")):
        return hits
    hits.extend(h for h in _code_first(folded, offsets)
                if not any(k.start <= h.start < k.end for k in hits))
    for index, key in enumerate(_CODE_KEY.finditer(folded)):
        if index >= _MAX_KEYS:
            break
        end_limit = len(folded)
        for stop in (". ", "! ", "? ", "\n"):
            found = folded.find(stop, key.end())
            if found != -1:
                end_limit = min(end_limit, found)
        end_limit = min(end_limit, key.end() + 90)
        code = _CODE_AFTER_SEP.search(folded, key.end(), end_limit)
        score = 0.9
        if code is None:
            code = _CODE_ANY.search(folded, key.end(), end_limit)
            score = 0.75
        if code is None:
            continue
        start = offsets[key.start()]
        end = offsets[code.end("code") - 1] + 1
        if any(h.start <= start < h.end or start <= h.start < end for h in hits):
            continue
        hits.append(SecretHit("secret.access_code", score, start, end,
                              "door, alarm or locker access code", "access_code"))
    return hits
