"""A daily quota budget in units (YouTube Data API v3: 10,000 units a day by default).

Costs, from "Quota costs" (https://developers.google.com/youtube/v3/determine_quota_cost):
every ``list`` call costs 1 unit, ``comments.setModerationStatus`` costs 50. The quota resets at
midnight Pacific time. The budget keeps a *reserve* for moderation: polling stops before it
eats the units needed to take down what it found, and a spent budget raises
:class:`~vigie.connectors.errors.QuotaExhausted` with the seconds until the reset instead of
sending a call that the platform would refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from vigie.connectors.errors import QuotaExhausted

__all__ = ["PACIFIC", "QuotaBudget"]

log = logging.getLogger(__name__)


def _pacific() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/Los_Angeles")
    except Exception:
        log.warning("no time-zone database: YouTube quota day computed in UTC-8")
        return timezone(timedelta(hours=-8), "PST")


#: The time zone of YouTube's quota day.
PACIFIC = _pacific()


class QuotaBudget:
    """Units spent today against a daily allowance; not thread-safe (one per connector)."""

    def __init__(
        self,
        daily_units: int = 10_000,
        *,
        reserve: int = 1_000,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        platform: str = "youtube",
        account: str = "",
    ) -> None:
        """Create a budget.

        Args:
            daily_units: the project's daily quota (10,000 unless Google granted more).
            reserve: units that only moderation calls may use.
            now: clock (aware datetimes), injectable for tests.
            platform: platform name, for error messages.
            account: account name, for error messages.

        Raises:
            ValueError: a reserve not below the daily quota.
        """
        if not 0 <= reserve < daily_units:
            raise ValueError(f"reserve {reserve} must be in [0, {daily_units})")
        self.daily_units = daily_units
        self.reserve = reserve
        self._now = now
        self._platform = platform
        self._account = account
        self._day: date = self._today()
        self.used = 0

    def _today(self) -> date:
        return self._now().astimezone(PACIFIC).date()

    def seconds_to_reset(self) -> float:
        """Seconds until the next midnight Pacific time."""
        local = self._now().astimezone(PACIFIC)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                                    tzinfo=local.tzinfo)
        return max(1.0, (midnight - local).total_seconds())

    def _roll(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self.used = today, 0

    @property
    def remaining(self) -> int:
        """Units left today (moderation reserve included)."""
        self._roll()
        return max(0, self.daily_units - self.used)

    def spend(self, units: int, *, moderation: bool = False) -> None:
        """Take ``units`` from today's budget before a call.

        Args:
            units: the call's cost.
            moderation: the call moderates (may use the reserve); reads may not.

        Raises:
            QuotaExhausted: not enough units left; ``retry_after`` is the time to the reset.
        """
        self._roll()
        ceiling = self.daily_units if moderation else self.daily_units - self.reserve
        if self.used + units > ceiling:
            raise QuotaExhausted(
                f"{self._platform}/{self._account}: daily quota spent ({self.used}/"
                f"{self.daily_units} units, {'moderation' if moderation else 'reads'} need "
                f"{units}); resumes at midnight Pacific time",
                retry_after=self.seconds_to_reset(), platform=self._platform,
                account=self._account, code="quotaExceeded",
            )
        self.used += units

    def refund(self, units: int) -> None:
        """Give back units of a call that was never sent (refused before the network)."""
        self.used = max(0, self.used - units)

    def exhaust(self) -> None:
        """The platform said the quota is spent: believe it until the reset."""
        self._roll()
        self.used = self.daily_units
