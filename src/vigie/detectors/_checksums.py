"""Check digits and structure of Canadian and Québec identifiers (pure functions).

- Luhn (mod 10): credit and debit cards, and the Social Insurance Number (SIN/NAS), whose
  first digit also tells its kind (0 is never issued, 8 is for business numbers).
- RAMQ health-insurance numbers and MEES permanent codes: four letters then eight digits, in
  which a birth date is written (the month plus 50 for a woman). Neither has a public check
  digit, so only the date is checked.
"""

from __future__ import annotations

__all__ = [
    "card_brand",
    "is_test_card",
    "luhn_valid",
    "quebec_code_kind",
    "sin_valid",
]

# Issuer prefixes (IIN ranges) and the lengths each network issues.
_BRANDS: tuple[tuple[str, tuple[str, ...], frozenset[int]], ...] = (
    ("American Express", ("34", "37"), frozenset({15})),
    ("Visa", ("4",), frozenset({13, 16, 19})),
    ("Mastercard", tuple(str(p) for p in range(51, 56)), frozenset({16})),
    ("Mastercard", tuple(str(p) for p in range(2221, 2721)), frozenset({16})),
    ("Discover", ("6011", "65", *(str(p) for p in range(644, 650))), frozenset({16, 19})),
    ("JCB", tuple(str(p) for p in range(3528, 3590)), frozenset({16, 19})),
    ("Diners Club", ("36", "38", "39", *(str(p) for p in range(300, 306))), frozenset({14, 16})),
    ("UnionPay", ("62",), frozenset({16, 17, 18, 19})),
)

# Numbers printed in every payment provider's documentation: posting them leaks nothing.
_TEST_CARDS = frozenset(
    {
        "4111111111111111",
        "4242424242424242",
        "4012888888881881",
        "4000056655665556",
        "5555555555554444",
        "5105105105105100",
        "378282246310005",
        "371449635398431",
        "6011111111111117",
        "3530111333300000",
    }
)


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) passes the Luhn mod-10 check (pure)."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def sin_valid(digits: str) -> bool:
    """Whether ``digits`` is a well-formed Social Insurance Number (pure).

    Nine digits, Luhn-valid, first digit in 1-7 (by province) or 9 (temporary residents);
    0 is never issued and 8 is used for business numbers, not persons.
    """
    return len(digits) == 9 and digits[0] not in "08" and luhn_valid(digits)


def card_brand(digits: str) -> str | None:
    """Return the card network for a Luhn-valid number of a length it issues, else None."""
    if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        return None
    for brand, prefixes, lengths in _BRANDS:
        if len(digits) in lengths and digits.startswith(prefixes):
            return brand
    return None


def is_test_card(digits: str) -> bool:
    """Whether ``digits`` is a documented test card number (pure)."""
    return digits in _TEST_CARDS


def _month_ok(two: str) -> bool:
    month = int(two)
    return 1 <= month <= 12 or 51 <= month <= 62


def _day_ok(two: str) -> bool:
    return 1 <= int(two) <= 31


def quebec_code_kind(code: str) -> str | None:
    """Classify a four-letter, eight-digit Québec identifier by the date written in it (pure).

    Args:
        code: exactly 4 ASCII letters then 8 ASCII digits, no separator.

    Returns:
        ``"ramq"`` when digits 1-6 read as year-month-day (health-insurance number),
        ``"permanent"`` when they read as day-month-year (MEES permanent code), ``"either"``
        when both readings hold, ``None`` when neither does.
    """
    if len(code) != 12 or not code[:4].isalpha() or not code[4:].isdigit():
        return None
    d = code[4:]
    ramq = _month_ok(d[2:4]) and _day_ok(d[4:6])
    permanent = _day_ok(d[0:2]) and _month_ok(d[2:4])
    if ramq and permanent:
        return "either"
    if ramq:
        return "ramq"
    if permanent:
        return "permanent"
    return None
