"""Dates, times and numbers in the reader's locale and time zone, through Babel (CLDR data).

French pages read ``7 déc. 2026 08 h 05`` and ``0,85``; English ones ``Dec 7, 2026 08:05`` and
``0.85``; both in the reader's time zone (``America/Montreal`` by default, a per-browser choice
on the account page). Nothing here is hand-written locale logic: patterns, month names,
decimal and group separators and relative times come from Babel's CLDR tables, which ship in
its wheel (no network).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_skeleton, format_timedelta
from babel.numbers import format_decimal, format_percent

__all__ = ["DEFAULT_ZONE", "LOCALES", "TZ_COOKIE", "Formats", "valid_zone", "zones"]

#: The interface language → the CLDR locale used for its formats.
LOCALES = {"fr": "fr_CA", "en": "en_CA"}
DEFAULT_ZONE = "America/Montreal"
TZ_COOKIE = "vigie_tz"


@cache
def zones() -> tuple[str, ...]:
    """Every IANA zone name known to this machine, sorted (read once)."""
    return tuple(sorted(available_timezones()))


def valid_zone(name: str | None) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (``America/Montreal``)."""
    if not name or name not in zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES["fr"]))


@dataclass(frozen=True, slots=True)
class Formats:
    """Formatting for one reader.

    Attributes:
        lang: ``fr`` or ``en``.
        zone: an IANA time zone name.
        now: the clock for relative times (tests pass a fixed one).
    """

    lang: str = "fr"
    zone: str = DEFAULT_ZONE
    now: dt.datetime | None = field(default=None, compare=False)

    @property
    def locale(self) -> Locale:
        """The Babel locale of :attr:`lang`."""
        return _locale(self.lang)

    @property
    def tz(self) -> ZoneInfo:
        """The reader's time zone (``America/Montreal`` when the name is unknown)."""
        return ZoneInfo(self.zone if valid_zone(self.zone) else DEFAULT_ZONE)

    def when(self, value: dt.datetime | None) -> str:
        """A moment as a local date and time (``7 déc. 2026 08 h 05``); ``—`` for none."""
        if value is None:
            return "—"
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        local = value.astimezone(self.tz)
        day = format_skeleton("yMMMd", local, locale=self.locale)
        time = format_skeleton("Hm", local, locale=self.locale)
        return f"{day} {time}"

    def day(self, value: dt.date | dt.datetime | str | None) -> str:
        """A calendar day (``7 déc. 2026``), in the reader's zone for a moment.

        An ISO ``YYYY-MM-DD`` string (a JSON-ready record) is read as that day.
        """
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value[:10])
            except ValueError:
                return value
        elif isinstance(value, dt.datetime):
            day = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(
                self.tz).date()
        else:
            day = value
        return format_date(day, "medium", locale=self.locale)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """A number with the locale's separators and exactly ``digits`` decimals (``0,85``)."""
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def short_day(self, day: dt.date) -> str:
        """A day without its year, for a chart's axis (``30 nov.``, ``Nov 30``)."""
        return format_skeleton("MMMd", day, locale=self.locale)

    def month(self, day: dt.date) -> str:
        """The month of ``day`` (``nov. 2026``, ``Nov 2026``)."""
        return format_skeleton("yMMM", day, locale=self.locale)

    def percent(self, ratio: float | None, digits: int = 1) -> str:
        """A ratio as a percentage (``12,5 %``)."""
        if ratio is None:
            return "—"
        # The locale's own pattern (``12,5 %`` in French, ``12.5%`` in English), rounded first.
        return format_percent(round(ratio, digits + 2), locale=self.locale,
                              decimal_quantization=False)

    def ago(self, value: dt.datetime | None) -> str:
        """How long ago, in words (``il y a 3 heures``)."""
        if value is None:
            return "—"
        now = self.now or dt.datetime.now(dt.UTC)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return format_timedelta(value - now, add_direction=True, threshold=1.5,
                                locale=self.locale)

    def local_midnight(self, day: dt.date) -> dt.datetime:
        """The UTC moment at which ``day`` starts in the reader's zone (for date filters)."""
        return dt.datetime.combine(day, dt.time(), self.tz).astimezone(dt.UTC)
