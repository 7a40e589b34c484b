"""The political gazetteer: parties, leaders, slogans, unions and student associations, with dates.

The data lives in ``vigie/data/political/gazetteer.yaml`` so that it can be maintained without
touching code: every entry carries the dates that make it checkable (founded, dissolved,
leader since/until) and the file carries the date of its last review. The file is validated
on load; a malformed entry raises ``ValueError`` naming the entry and the field.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Gazetteer", "Leader", "Organisation", "Party", "Slogan", "load_gazetteer"]

Date = dt.date | int | None  # a full date, a year where only the year is known, or unknown


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Leader(_Entry):
    """A party leader (or spokesperson).

    Attributes:
        names: unambiguous ways to write the name ("Paul St-Pierre Plamondon", "PSPP").
        surname: the surname alone, matched only next to a title or a call to vote; ``None``
            when the surname is an ordinary word or too common.
        since: start of the leadership.
        until: end of the leadership (``None``: in office at the last review).
        check: the reviewer could not confirm the dates.
    """

    names: tuple[str, ...] = Field(min_length=1)
    surname: str | None = None
    since: Date = None
    until: Date = None
    check: bool = False


class Slogan(_Entry):
    """A party slogan; a ``weak`` one is an ordinary phrase that counts only next to the party."""

    text: str = Field(min_length=2)
    year: int | None = None
    weak: bool = False
    check: bool = False


class Party(_Entry):
    """A political party."""

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    level: Literal["provincial", "federal", "municipal"]
    names: tuple[str, ...] = Field(min_length=1)
    abbreviations: tuple[str, ...] = ()
    ambiguous: bool = False
    vote_words: tuple[str, ...] = ()
    founded: Date = None
    dissolved: Date = None
    leaders: tuple[Leader, ...] = ()
    slogans: tuple[Slogan, ...] = ()


class Organisation(_Entry):
    """A union, union federation, student federation or student association."""

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    kind: Literal["union", "student", "social", "political"]
    names: tuple[str, ...] = Field(min_length=1)
    abbreviations: tuple[str, ...] = ()
    founded: Date = None
    dissolved: Date = None
    check: bool = False


class Gazetteer(_Entry):
    """The whole gazetteer."""

    reviewed: dt.date
    parties: tuple[Party, ...]
    organisations: tuple[Organisation, ...]

    def active_leaders(self, party: Party, on: dt.date) -> tuple[Leader, ...]:
        """Leaders of ``party`` in office on ``on`` (pure; years count as 1 January)."""

        def as_date(value: Date, default: dt.date) -> dt.date:
            if value is None:
                return default
            return value if isinstance(value, dt.date) else dt.date(value, 1, 1)

        return tuple(
            leader for leader in party.leaders
            if as_date(leader.since, dt.date.min) <= on < as_date(leader.until, dt.date.max)
        )


@cache
def load_gazetteer() -> Gazetteer:
    """Load and validate the bundled gazetteer (once per process).

    Raises:
        OSError: the data file is missing from the installation.
        ValueError: the file is malformed; the message names the entry and the field.
    """
    path = resources.files("vigie").joinpath("data", "political", "gazetteer.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return Gazetteer.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise ValueError(f"invalid political gazetteer {path}: {problems}") from None
