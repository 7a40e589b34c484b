"""Privacy recognizers (directive 6.4 a): a third person's personal data in a comment.

One detector, several recognizers, each giving a calibrated score:

- contact data: phone numbers (North American and international, obfuscated forms
  included), e-mail addresses (also "nom [at] gmail [dot] com");
- identifiers: SIN/NAS and payment cards (Luhn), RAMQ numbers (birth date written in them),
  student numbers (7 digits) next to "matricule" / "student number";
- location: street addresses and postal codes in Québec formats, residence rooms, and the
  doxxing phrases that expose where someone lives ("il reste au", "lives at", "venez cogner");
- health details tied to a person ("elle est bipolaire", "his heart surgery"), and precise
  accusations against a named person (``pii.reputation``).

Whose data it is matters as much as what it is: a third person's cell is ~0.9, the writer's
own number or a business's WhatsApp line is well below review, and the institution's public
numbers, e-mail domains and addresses (policy options) and public crisis lines are not
personal data at all. A name is never evidence by itself; it strengthens other evidence.
Labelling convention: kind intent does not matter (a lost wallet posted with the owner's
student number and phone is still a breach).

Explanations name the kind of data found, never the data itself.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from vigie.detectors import _pii_patterns as pat
from vigie.detectors._checksums import quebec_code_kind
from vigie.detectors._digits import NumberCandidate, find_numbers
from vigie.detectors._digits import phone_of as _phone_of
from vigie.detectors._pii_location import (
    AddressHit,
    find_addresses,
    find_postal_codes,
    find_private_accounts,
    find_residence_rooms,
    find_zip_codes,
    lives_in_city,
    residence_cue,
    visit_call,
)
from vigie.detectors._pii_more import (
    find_ibans,
    find_national_ids,
    find_private_facts,
    find_staff_ids,
    spelled_numbers,
)
from vigie.detectors._pii_person import (
    _OWNER_CUES,
    Owner,
    PersonRef,
    find_health,
    find_people,
    find_reputation,
    owner_of,
)
from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.normalize import Normalized, normalize
from vigie.text.prepare import PreparedComment

__all__ = ["NAME", "PrivacyDetector", "PrivacyOptions", "public_numbers"]

NAME = "vigie.privacy.recognizers.v1"
SIGNALS = (
    "pii.phone",
    "pii.email",
    "pii.address",
    "pii.postal_code",
    "pii.sin",
    "pii.credit_card",
    "pii.ramq",
    "pii.student_id",
    "pii.health",
    "pii.doxxing",
    "pii.reputation",
    "pii.iban",
    "pii.ssn",
    "pii.employee_id",
    "pii.orientation",
    "pii.academic",
)

_OWNER_WORDS = {
    Owner.THIRD: "a third person's",
    Owner.UNKNOWN: "a",
    Owner.SELF: "the writer's own",
    Owner.ORG: "an organisation's",
}
_HEALTH_REFERENT = {
    "named": ("a named person", 0.9),
    "role": ("an identifiable person (by role)", 0.7),
    "pronoun": ("a third person", 0.6),
    "relative": ("an unnamed relative or friend", 0.35),
}


_DIGIT = re.compile(r"\d")
_NON_DIGIT = re.compile(r"\D")
_PHONE_WORD = re.compile(
    r"\b(?:numeros?|number|num|no|cell|cellulaire|portable|mobile|tel|telephone|phone|appelle\w*"
    r"|call|text|texte\w*|whatsapp|natel|handy|joindre|rejoindre|reach|gsm|fixe|ligne)\b"
)
_NANP_SHAPE = re.compile(
    r"(?<![\d+.-])(?:(?:\+|00|011)?\s?1[-. ]?|001[-. ])?(?P<number>\(?[2-9]\d{2}\)?[-. ]?"
    r"[2-9]\d{2}[-. ]\d{4})(?:\s?(?:x|ext\.?|poste)\s?\d{1,5})?(?![\d-])"
)
_NATIONAL_RUN = re.compile(r"(?<![\d+])0\d(?:[ .\-/]?\d){7,10}")
_TOLL_FREE = frozenset({phonenumbers.PhoneNumberType.TOLL_FREE,
                        phonenumbers.PhoneNumberType.PREMIUM_RATE,
                        phonenumbers.PhoneNumberType.SHARED_COST,
                        phonenumbers.PhoneNumberType.UAN})
_PREPOSITION_END = re.compile(r"\b(?:au|a|at|on|sur|dans)\s+$")


def _maybe_obfuscated_email(folded: str) -> bool:
    """Cheap test before the obfuscated e-mail pattern ("nom [at] gmail [dot] com")."""
    if any(mark in folded for mark in ("[at]", "(at)", "{at}", "[@]", "(@)", "arobase")):
        return True
    return " at " in folded and (" dot " in folded or any(w in folded for w in pat.WEBMAIL_HINTS))


class PrivacyOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.privacy.recognizers.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    region: str = Field(
        default="CA", min_length=2, max_length=2,
        description="ISO 3166 region of numbers written without a country code",
    )
    public_numbers: tuple[str, ...] = Field(
        default=(), description="the institution's published phone numbers (any format)"
    )
    public_email_domains: tuple[str, ...] = Field(
        default=(), description="domains whose addresses are published (subdomains included)"
    )
    public_addresses: tuple[str, ...] = Field(
        default=(), description="published street addresses ('2500 chemin de Polytechnique')"
    )
    public_postal_codes: tuple[str, ...] = ()
    national_regions: tuple[str, ...] = Field(
        default=("FR", "BE", "CH", "GB", "DE", "ES", "IT", "PT", "MA", "DZ", "TN", "SN", "CI",
                 "CM", "HT", "LB", "MX", "BR", "IN", "CN"),
        description="regions whose national forms ('0470 12 34 56', '07911 123456') are read "
                    "next to a phone word")
    student_id_lengths: tuple[int, ...] = Field(
        default=(7,), min_length=1,
        description="digit counts of the institution's student numbers",
    )

    @field_validator("public_numbers")
    @classmethod
    def _numbers_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for number in value:
            _e164(number, "CA")
        return value

    @field_validator("student_id_lengths")
    @classmethod
    def _lengths(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [n for n in value if not 5 <= n <= 12]
        if bad:
            raise ValueError(f"student number lengths must be 5 to 12 digits, got {bad}")
        return value


def _e164(number: str, region: str) -> str:
    """Return the E.164 form of ``number``; raise ValueError when it is not a phone number."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"{number!r} is not a phone number: {error}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{number!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _public_lines() -> frozenset[str]:
    path = resources.files("vigie").joinpath("data/privacy/public_lines.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = [line.split("#", 1)[0].strip() for line in lines]
    return frozenset(_e164(entry, "CA") for entry in entries if entry)


def public_numbers(extra: Sequence[str] = (), region: str = "CA") -> frozenset[str]:
    """The help and crisis lines that are nobody's personal data, plus ``extra`` (E.164).

    Raises:
        ValueError: an ``extra`` entry is not a possible phone number.
    """
    return _public_lines() | {_e164(n, region) for n in extra}


def _folded_address(address: str) -> tuple[str, str]:
    folded = normalize(address).text.split()
    number = folded[0] if folded and folded[0].isdigit() else ""
    words = [w for w in folded[1:] if w not in {"rue", "avenue", "boulevard", "boul.", "chemin",
                                                "ch.", "de", "du", "des", "la", "l'", "d'"}]
    return number, words[0] if words else ""


class PrivacyDetector:
    """Emits ``pii.*`` findings for a third person's personal data."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=2)

    def __init__(self, options: PrivacyOptions) -> None:
        self.options = options
        self.public_numbers = public_numbers(options.public_numbers, options.region)
        self.public_domains = tuple(d.lower().lstrip("@.") for d in options.public_email_domains)
        self.public_addresses = frozenset(_folded_address(a) for a in options.public_addresses)
        self.public_postal = frozenset(
            p.replace(" ", "").replace("-", "").upper() for p in options.public_postal_codes
        )
        self.short_lengths = frozenset(options.student_id_lengths)

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _span(norm: Normalized, start: int, end: int) -> tuple[int, int]:
        return norm.to_original(start, end)

    def _people(self, item: PreparedComment, cache_: dict[str, list[PersonRef]]) -> list[
            PersonRef]:
        """Names that make contact data a person's (memoised per comment).

        Given names and titles only: not two capitalised words, which Title-Case ads are full
        of, nor @mentions, which are as often an organisation's account.
        """
        if "people" not in cache_:
            every = find_people(item.text, item.comment.author.name)
            cache_["every"] = every
            cache_["people"] = [p for p in every if p.kind in ("full", "title", "first")]
        return cache_["people"]

    def _everyone(self, item: PreparedComment, cache_: dict[str, list[PersonRef]]) -> list[
            PersonRef]:
        self._people(item, cache_)
        return cache_["every"]

    def _owner(self, item: PreparedComment, start: int, end: int,
               people: dict[str, list[PersonRef]]) -> Owner:
        """Whose data ``norm.text[start:end]`` is (pure).

        A name just before the data makes it a third person's ("le numéro perso de Marc
        Tremblay : 514...", "Contact Sophie Roy at ...").
        """
        owner = owner_of(item.norm.text, start, end)
        if owner in (Owner.UNKNOWN, Owner.ORG):
            origin = item.norm.to_original(start, end)[0]
            near = [p for p in self._people(item, people) if 0 <= origin - p.end <= 40]
            if near and owner is Owner.UNKNOWN:
                return Owner.THIRD
            if near:
                # "contactez Kevin à ...", "le WhatsApp perso de Karim : ...": a person named
                # after the organisation cue owns the data, unless another cue follows the name.
                after = bisect_left(item.norm.offsets, near[-1].end)
                if not any(m.lastgroup == "org" for m in _OWNER_CUES.finditer(
                        item.norm.text, after, start)):
                    return Owner.THIRD
        return owner

    # -- numbers ------------------------------------------------------------------------------

    def _numbers(self, item: PreparedComment, people: dict[str, list[PersonRef]]) -> list[
            Finding]:
        norm = item.norm
        folded = norm.text
        out: list[Finding] = []
        for cand in find_numbers(folded, self.options.region, self.short_lengths):
            finding = self._number_finding(item, cand, folded, people)
            if finding is not None:
                out.append(finding)
        return out

    def _number_finding(self, item: PreparedComment, cand: NumberCandidate, folded: str,
                        people: dict[str, list[PersonRef]]) -> Finding | None:
        span = self._span(item.norm, cand.start, cand.end)
        if any(u.span[0] <= span[0] < u.span[1] for u in item.urls):
            return None  # digits of a link's path or query
        near = folded[max(0, cand.start - 40):min(len(folded), cand.end + 20)]
        tricked = " (digits disguised with letters)" if cand.substituted else ""
        if cand.kind == "phone":
            return self._phone(item, cand, folded, people, span, tricked)
        if cand.kind in ("card", "card_like"):
            context = pat.CARD_CONTEXT.search(near) is not None
            if cand.kind == "card_like":
                if not context:
                    return None
                return Finding("pii.credit_card", 0.55, NAME,
                               "card-shaped number next to payment words (checksum fails)",
                               span, {"kind": "card_like"})
            if not cand.valid:
                return Finding("pii.credit_card", 0.3, NAME,
                               f"{cand.detail} test card number from payment documentation",
                               span, {"brand": cand.detail})
            grouped = len(cand.groups) > 1
            score = 0.97 if context else 0.95 if grouped else 0.85
            return Finding("pii.credit_card", score, NAME,
                           f"{cand.detail} card number with a valid Luhn checksum{tricked}",
                           span, {"brand": cand.detail})
        if cand.kind == "nine":
            context = pat.SIN_CONTEXT.search(near) is not None
            if context:
                score = 0.97 if cand.valid else 0.6
            elif not cand.valid or pat.MONEY_NEAR.search(near) or pat.COUNT_NEAR.search(near):
                return None
            elif cand.groups == (9,):
                score = 0.4  # one random 9-digit number in ten passes the checksum
            elif set(cand.separators) <= {"-"}:
                score = 0.8  # "130-692-544": the way a SIN is written
            elif set(cand.separators) <= {" "}:
                score = 0.6  # "130 692 544" is also how French writes thousands
            else:
                return None  # "130.692.544", "126,521,750": thousands
            if owner_of(folded, cand.start, cand.end) is Owner.SELF:
                score -= 0.2
            check = "valid" if cand.valid else "failing"
            where = " next to 'NAS/SIN'" if context else ""
            return Finding("pii.sin", round(score, 4), NAME,
                           f"social insurance number (SIN/NAS) with a {check} checksum{where}",
                           span, {"checksum": cand.valid})
        return self._student(item, cand, folded, people, span)

    def _phone(self, item: PreparedComment, cand: NumberCandidate, folded: str,
               people: dict[str, list[PersonRef]], span: tuple[int, int],
               tricked: str, where: str | None = None) -> Finding | None:
        e164 = cand.detail
        if e164 in self.public_numbers:
            return None
        # A number the official post itself gives is public.
        if cand.digits[-10:] in _NON_DIGIT.sub("", item.post_norm.text):
            return None
        if where is None:
            where = ("North American" if e164.startswith("+1")
                     else f"international ({e164[:3]}...)")
        if cand.toll_free:
            return Finding("pii.phone", 0.2, NAME, f"toll-free {where} number, an organisation's "
                           "line", span, {"owner": "org"})
        owner = self._owner(item, cand.start, cand.end, people)
        score = {Owner.THIRD: 0.9, Owner.UNKNOWN: 0.65, Owner.SELF: 0.35, Owner.ORG: 0.25}[owner]
        persons = self._people(item, people)
        if owner is Owner.THIRD and persons:
            score += 0.03
        elif owner is Owner.UNKNOWN and persons:
            score += 0.15
        personal = pat.PERSONAL_LINE.search(folded, max(0, cand.start - 40), cand.start) is not None
        if personal and owner in (Owner.THIRD, Owner.UNKNOWN):
            score += 0.03
        if cand.substituted and owner in (Owner.THIRD, Owner.UNKNOWN):
            score += 0.03
        kind = "personal " if personal else ""
        return Finding("pii.phone", round(min(score, 0.97), 4), NAME,
                       f"{where} {kind}phone number, {_OWNER_WORDS[owner]} line{tricked}".replace(
                           ", a line", ", owner unclear"),
                       span, {"owner": owner.value})

    def _student(self, item: PreparedComment, cand: NumberCandidate, folded: str,
                 people: dict[str, list[PersonRef]], span: tuple[int, int]) -> Finding | None:
        context = pat.STUDENT_CONTEXT.search(
            folded, max(0, cand.start - 35), min(len(folded), cand.end + 20)
        )
        if context is None:
            around = folded[max(0, cand.start - 3):cand.end + 3]
            if cand.digits[0] not in "12" or pat.MONEY_NEAR.search(around):
                return None
            return Finding("pii.student_id", 0.3, NAME,
                           f"{len(cand.digits)}-digit number, no student-number context", span,
                           {"context": False})
        owner = self._owner(item, cand.start, cand.end, people)
        score = {Owner.THIRD: 0.9, Owner.UNKNOWN: 0.8, Owner.SELF: 0.4, Owner.ORG: 0.4}[owner]
        if owner is Owner.UNKNOWN and self._people(item, people):
            score = 0.9
        return Finding("pii.student_id", score, NAME,
                       f"student number next to 'matricule/student number', "
                       f"{_OWNER_WORDS[owner]} record".replace(", a record", ", owner unclear"),
                       span, {"context": True, "owner": owner.value})

    def _ramq(self, item: PreparedComment) -> list[Finding]:
        folded = item.norm.text
        out: list[Finding] = []
        for match in pat.RAMQ.finditer(folded):
            kind = quebec_code_kind("".join(match.groups()))
            if kind is None:
                continue
            span = self._span(item.norm, match.start(), match.end())
            near = folded[max(0, match.start() - 40):match.end() + 20]
            if pat.PERMANENT_CONTEXT.search(near) and kind in ("permanent", "either"):
                out.append(Finding("pii.student_id", 0.85, NAME,
                                   "Québec permanent code (birth date written in it)", span,
                                   {"kind": "permanent_code"}))
                continue
            if kind == "permanent":
                continue
            context = pat.RAMQ_CONTEXT.search(near) is not None
            upper = item.text[span[0]:span[0] + 4].isupper()
            score = 0.95 if context else 0.7 if upper else 0.45
            out.append(Finding("pii.ramq", score, NAME,
                               "Québec health-insurance (RAMQ) number format with a valid birth "
                               "date" + (" next to 'RAMQ/assurance maladie'" if context else ""),
                               span, {"context": context}))
        return out

    # -- e-mail -------------------------------------------------------------------------------

    def _emails(self, item: PreparedComment, people: dict[str, list[PersonRef]]) -> list[
            Finding]:
        folded = item.norm.text
        out: list[Finding] = []
        taken: list[tuple[int, int]] = []
        matches: list[tuple[int, int, str, str, bool]] = [
            (m.start(), m.end(), m.group(1), m.group(2), False) for m in pat.EMAIL.finditer(folded)
        ]
        if _maybe_obfuscated_email(folded):
            for m in pat.EMAIL_OBFUSCATED.finditer(folded):
                at, dot = m.group("at").strip(), m.group("dot").strip()
                domain = f"{m.group('host')}.{m.group('tld')}"
                plain = at == "at" and dot in (".", "point")
                if plain and m.group("host") not in pat.WEBMAIL:
                    continue  # "meet me at cafe.com": only known webmail makes it an address
                matches.append((m.start(), m.end(), m.group("local"), domain, True))
        for start, end, local, domain, obfuscated in sorted(matches):
            if any(s <= start < e for s, e in taken) or not domain.rsplit(".", 1)[-1].isalpha():
                continue
            taken.append((start, end))
            finding = self._email(item, start, end, local, domain, obfuscated, people)
            if finding is not None:
                out.append(finding)
        return out

    def _email(self, item: PreparedComment, start: int, end: int, local: str, domain: str,
               obfuscated: bool, people: dict[str, list[PersonRef]]) -> Finding | None:
        if any(domain == d or domain.endswith("." + d) for d in self.public_domains):
            return None
        if item.norm.text[start:end] in item.post_norm.text:
            return None
        span = self._span(item.norm, start, end)
        disguised = " (disguised as words)" if obfuscated else ""
        tld = domain.rsplit(".", 1)[-1]
        if len(tld) != 2 and tld not in pat.GENERIC_TLDS:
            return None  # "ticket@kiosk.valid": no mail domain
        base = local.split("+")[0]
        if base in pat.ROLE_LOCAL or any(word in base for word in pat.ROLE_PARTS):
            return Finding("pii.email", 0.2, NAME, "role e-mail address of an organisation",
                           span, {"owner": "org"})
        owner = self._owner(item, start, end, people)
        webmail = domain.split(".")[0] in pat.WEBMAIL
        score = {Owner.THIRD: 0.9, Owner.SELF: 0.35, Owner.ORG: 0.25,
                 Owner.UNKNOWN: 0.7 if webmail else 0.55}[owner]
        if owner is Owner.UNKNOWN and self._people(item, people):
            score += 0.15
        if obfuscated and owner in (Owner.THIRD, Owner.UNKNOWN):
            score += 0.03
        kind = "personal webmail" if webmail else "e-mail"
        return Finding("pii.email", round(min(score, 0.95), 4), NAME,
                       f"{kind} address, {_OWNER_WORDS[owner]} mailbox{disguised}".replace(
                           ", a mailbox", ", owner unclear"),
                       span, {"owner": owner.value, "webmail": webmail})

    # -- location -----------------------------------------------------------------------------

    def _location(self, item: PreparedComment, people: dict[str, list[PersonRef]]) -> list[
            Finding]:
        norm = item.norm
        folded = norm.text
        out: list[Finding] = []
        digits = _DIGIT.search(folded) is not None
        postal = [p for p in find_postal_codes(folded) if p[2] not in self.public_postal
                  ] if digits else []
        addresses = find_addresses(folded, item.text, norm.offsets) if digits else []
        visit = visit_call(folded) if addresses else False
        attached: set[int] = set()
        exposed = False
        for hit in addresses:
            if (hit.number, hit.street) in self.public_addresses:
                continue
            finding, doxx = self._address(item, hit, postal, attached, visit, people)
            out.append(finding)
            if doxx is not None:
                out.append(doxx)
                exposed = True
        for start, end in find_residence_rooms(folded) if digits else ():
            # The phrase may come before, inside ("his dorm: ... room 12") or after the room.
            cue = residence_cue(folded, end, reach=end - start + 50) or residence_cue(
                folded, min(len(folded), end + 40), reach=40)
            span = self._span(norm, start, end)
            if cue is not None and not cue[1]:
                out.append(Finding("pii.doxxing", 0.88, NAME,
                                   "where a person lives: residence building and room number",
                                   self._span(norm, cue[0], end), {"kind": "residence_room"}))
                exposed = True
            else:
                score = 0.5 if self._people(item, people) else 0.4
                out.append(Finding("pii.address", score, NAME, "residence building and room "
                                   "number", span, {"kind": "residence_room"}))
        for start, end, _code in postal:
            if start in attached:
                continue
            out.append(Finding("pii.postal_code", 0.4, NAME, "Canadian postal code",
                               self._span(norm, start, end), {}))
        if not exposed:
            for start, city, end, self_owned in lives_in_city(folded):
                if not self_owned and item.text[norm.to_original(city, city + 1)[0]].isupper():
                    out.append(Finding("pii.doxxing", 0.4, NAME,
                                       "says which town a person lives in",
                                       self._span(norm, start, end), {"kind": "city"}))
        for start, end, self_owned in find_private_accounts(folded) if "@" in folded else ():
            if self_owned:
                continue
            score = 0.85 if self._people(item, people) else 0.75
            out.append(Finding("pii.doxxing", score, NAME,
                               "hands out a person's private social-media account",
                               self._span(norm, start, end), {"kind": "private_account"}))
        return out

    def _address(self, item: PreparedComment, hit: AddressHit,
                 postal: list[tuple[int, int, str]], attached: set[int], visit: bool,
                 people: dict[str, list[PersonRef]]) -> tuple[Finding, Finding | None]:
        norm = item.norm
        folded = norm.text
        score = 0.45 if hit.capitalised else 0.3
        if hit.form == "bare":
            score = 0.7
        elif hit.unit:
            score += 0.25
        end = hit.end
        for start, p_end, _code in postal:
            if hit.end <= start <= hit.end + 40:
                score += 0.1
                end = max(end, p_end)
                attached.add(start)
        if end == hit.end:
            for start, p_end, _code in find_zip_codes(folded[hit.end:hit.end + 60]):
                if start <= 40:
                    score += 0.1  # "..., Burlington, VT 05401", "..., 69002 Lyon"
                    end = max(end, hit.end + p_end)
                    break
        if self._people(item, people):
            score += 0.1
        cue = residence_cue(folded, hit.start)
        if cue is not None and not (hit.capitalised or hit.unit or end > hit.end
                                    or _PREPOSITION_END.search(folded, 0, hit.start)):
            cue = None  # "il reste 1 place libre": no address a person could live at
        span = self._span(norm, hit.start, end)
        what = "street address" + (" with a unit number" if hit.unit else "")
        if cue is not None and cue[1]:
            return Finding("pii.address", min(score, 0.35), NAME,
                           f"{what}, the writer's own home", span, {"owner": "self"}), None
        if cue is None and not visit:
            owner = owner_of(folded, hit.start, hit.end)
            if owner in (Owner.SELF, Owner.ORG):
                # "mon 4 1/2 au ...", "le Centre de santé est au ...": no third person's home.
                return Finding("pii.address", min(score, 0.35), NAME,
                               f"{what}, {_OWNER_WORDS[owner]} address", span,
                               {"owner": owner.value}), None
            return Finding("pii.address", round(min(score, 0.8), 4), NAME, what, span, {}), None
        doxx_score = 0.95 if cue is not None and visit else 0.92 if cue is not None else 0.85
        how = "a 'lives at' phrase" if cue is not None else "an invitation to go there"
        doxx_start = cue[0] if cue is not None else hit.start
        doxx = Finding("pii.doxxing", doxx_score, NAME,
                       f"where a person lives: {what} with {how}"
                       + (" and an invitation to go there" if cue is not None and visit else ""),
                       self._span(norm, doxx_start, end), {"kind": "home_address"})
        return Finding("pii.address", 0.9, NAME, f"{what} of a person's home", span,
                       {"owner": "third"}), doxx

    # -- people -------------------------------------------------------------------------------

    def _health_and_reputation(self, item: PreparedComment,
                               people: dict[str, list[PersonRef]]) -> list[Finding]:
        norm = item.norm
        folded = norm.text
        out: list[Finding] = []

        def persons() -> list[PersonRef]:
            return self._everyone(item, people)

        for hit in find_health(folded, persons, item.text, norm.offsets):
            words, score = _HEALTH_REFERENT[hit.referent]
            out.append(Finding("pii.health", score, NAME,
                               f"health detail ({hit.kind}) about {words}",
                               self._span(norm, hit.start, hit.end),
                               {"kind": hit.kind, "referent": hit.referent}))
        for start, end, what in find_reputation(folded, persons, norm.offsets):
            out.append(Finding("pii.reputation", 0.75, NAME,
                               f"accuses a named person of a crime or misconduct ({what})",
                               self._span(norm, start, end), {"accusation": what}))
        return out

    def _national_phones(self, item: PreparedComment,
                         people: dict[str, list[PersonRef]]) -> list[Finding]:
        """Other countries' national forms ("07911 123456"), next to a phone word only."""
        norm = item.norm
        out: list[Finding] = []
        seen: list[tuple[int, int]] = []
        for region in self.options.national_regions:
            for match in phonenumbers.PhoneNumberMatcher(norm.text, region,
                                                         leniency=phonenumbers.Leniency.VALID):
                if not match.raw_string.startswith("0") or any(
                        s <= match.start < e for s, e in seen):
                    continue
                near = norm.text[max(0, match.start - 40):match.start]
                if _PHONE_WORD.search(near) is None:
                    continue
                seen.append((match.start, match.end))
                e164 = phonenumbers.format_number(match.number,
                                                  phonenumbers.PhoneNumberFormat.E164)
                toll_free = phonenumbers.number_type(match.number) in _TOLL_FREE
                digits = _NON_DIGIT.sub("", match.raw_string)
                cand = NumberCandidate("phone", digits, match.start, match.end, (len(digits),),
                                       e164, toll_free=toll_free)
                finding = self._phone(item, cand, norm.text, people,
                                      self._span(norm, match.start, match.end), "",
                                      where="national-format")
                if finding is not None:
                    out.append(finding)
        return out

    def _nanp_shaped(self, item: PreparedComment,
                     people: dict[str, list[PersonRef]]) -> list[Finding]:
        """North American shapes that libphonenumber does not list, next to a phone word.

        "(452) 813-7290", "001-452-813-7290x123": an unassigned area code or an extension.
        """
        norm = item.norm
        out: list[Finding] = []
        for match in _NANP_SHAPE.finditer(norm.text):
            near = norm.text[max(0, match.start() - 40):match.start()]
            if _PHONE_WORD.search(near) is None:
                continue
            digits = _NON_DIGIT.sub("", match.group("number"))
            cand = NumberCandidate("phone", digits, match.start(), match.end(), (3, 3, 4),
                                   "+1" + digits)
            finding = self._phone(item, cand, norm.text, people,
                                  self._span(norm, match.start(), match.end()), "",
                                  where="North American-format")
            if finding is not None:
                out.append(finding)
        return out

    # -- identifiers, spelled-out numbers and private facts (vigie.detectors._pii_more) --------

    def _more(self, item: PreparedComment, people: dict[str, list[PersonRef]]) -> list[Finding]:
        norm = item.norm
        folded = norm.text
        out: list[Finding] = []
        has_digit = _DIGIT.search(folded) is not None
        if has_digit and _PHONE_WORD.search(folded):
            if _NATIONAL_RUN.search(folded):
                out.extend(self._national_phones(item, people))
            out.extend(self._nanp_shaped(item, people))
        for start, end, digits, groups in spelled_numbers(folded):
            plus = folded[max(0, start - 2):start].strip().endswith("+")
            for e164, toll_free in _classify_spelled(digits, groups, plus, self.options.region):
                cand = NumberCandidate("phone", digits, start, end, groups, e164,
                                       toll_free=toll_free, substituted=True)
                finding = self._phone(item, cand, folded, people,
                                      self._span(norm, start, end),
                                      " (digits written as words)")
                if finding is not None:
                    out.append(finding)
        if has_digit:
            for start, end, context in find_ibans(item.text):
                f_start = bisect_left(norm.offsets, start)
                owner = self._owner(item, f_start, f_start + 4, people)
                score = 0.95 if context else 0.9
                if owner is Owner.ORG:
                    score = 0.35  # "virez les dons au compte de l'asso : ..."
                elif owner is Owner.SELF:
                    score = 0.6  # one's own bank account in public: a human looks
                out.append(Finding("pii.iban", score, NAME,
                                   "bank account number (IBAN) with valid check digits"
                                   + (", " + _OWNER_WORDS[owner] + " account"
                                      if owner in (Owner.SELF, Owner.ORG) else ""),
                                   (start, end), {"owner": owner.value}))
            for start, end, kind, context in find_national_ids(folded):
                owner = owner_of(folded, start, end)
                if kind == "nir":
                    score = 0.95 if context else 0.8
                    what = "French social security number (NIR) with a valid key"
                else:
                    score = 0.95 if context else 0.45
                    what = "US Social Security Number" + (
                        " next to 'SSN/social security'" if context else " format")
                if owner is Owner.SELF:
                    score -= 0.2  # one's own, still a government identifier in public
                out.append(Finding("pii.ssn", score, NAME, what, self._span(norm, start, end),
                                   {"kind": kind, "context": context}))
            for start, end in find_staff_ids(folded):
                # Only what comes before counts: "... is the guy who yelled at me" is no
                # sign that the number is the writer's.
                owner = owner_of(folded[:end], start, end)
                score = {Owner.THIRD: 0.9, Owner.UNKNOWN: 0.75, Owner.SELF: 0.35,
                         Owner.ORG: 0.4}[owner]
                if owner is Owner.UNKNOWN and self._people(item, people):
                    score = 0.88
                out.append(Finding("pii.employee_id", score, NAME,
                                   f"staff or employee number, {_OWNER_WORDS[owner]} record"
                                   .replace(", a record", ", owner unclear"),
                                   self._span(norm, start, end), {"owner": owner.value}))

        def starts() -> list[int]:
            return [bisect_left(norm.offsets, p.start) for p in self._people(item, people)]

        for hit in find_private_facts(folded, starts):
            span = self._span(norm, hit.start, hit.end)
            if hit.kind == "orientation":
                score = (0.95 if hit.outing else 0.88) if hit.referent == "named" else 0.7
                out.append(Finding("pii.orientation", score, NAME,
                                   "sexual orientation or gender identity of "
                                   + ("a named person" if hit.referent == "named"
                                      else "a third person")
                                   + (", said to be hidden" if hit.outing else ""),
                                   span, {"referent": hit.referent}))
            elif hit.kind == "grades":
                out.append(Finding("pii.academic", 0.8, NAME,
                                   "grades or academic standing of a named person", span,
                                   {"referent": hit.referent}))
            else:
                score = 0.85 if hit.referent == "named" else 0.75
                out.append(Finding("pii.doxxing", score, NAME,
                                   "hands out a person's personal social-media account",
                                   span, {"kind": "personal_account"}))
        return out

    # -- the port -----------------------------------------------------------------------------

    def _findings(self, item: PreparedComment) -> list[Finding]:
        folded = item.norm.text
        people: dict[str, list[PersonRef]] = {}
        out: list[Finding] = []
        if _DIGIT.search(folded) is not None:
            out.extend(self._numbers(item, people))
            if len(folded) >= 12:
                out.extend(self._ramq(item))
        out.extend(self._location(item, people))
        if "@" in folded or _maybe_obfuscated_email(folded):
            out.extend(self._emails(item, people))
        out.extend(self._health_and_reputation(item, people))
        more = self._more(item, people)
        # An IBAN or NIR is read whole: the digit runs inside it are not phones or SINs.
        whole = [f.span for f in more if f.signal in ("pii.iban", "pii.ssn") and f.span]
        out = [f for f in out if f.span is None or not any(
            s <= f.span[0] < e for s, e in whole)]
        taken = [f.span for f in out if f.span is not None]
        out.extend(f for f in more if f.span is None or not any(
            s <= f.span[0] < e for s, e in taken))
        return out

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the ``pii.*`` findings of each comment, in order (pure)."""
        return [self._findings(item) for item in batch]


def _classify_spelled(digits: str, groups: tuple[int, ...], plus: bool,
                      region: str) -> list[tuple[str, bool]]:
    """``[(e164, toll_free)]`` when spelled-out digits make a valid phone number (pure)."""
    for length in sorted({len(digits), 10, 11}, reverse=True):
        if length > len(digits):
            continue
        found = _phone_of(digits[:length], plus, region)
        if found is not None:
            return [found]
    return []


def create(options: Mapping[str, Any], policy: Policy) -> PrivacyDetector:
    """Factory for the registry."""
    return PrivacyDetector(parse_options(PrivacyOptions, NAME, options))
