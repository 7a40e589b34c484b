"""Helpers shared by the connector tests: a fake platform served for one test, and a drain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypeVar

from fakes.server import FakePlatform, FakeServer
from vigie.connectors.base import FetchResult

P = TypeVar("P", bound=FakePlatform)


class Fetcher(Protocol):
    """Anything with a connector's ``fetch`` (platform clients, file import, replay)."""

    def fetch(self, cursor: str | None) -> FetchResult:
        """One step of a fetch."""
        ...


def serve(platform: P) -> Iterator[tuple[P, FakeServer]]:
    """Serve ``platform`` on loopback while the caller runs; yields ``(platform, server)``.

    Meant for fixtures: ``yield from serve(FakeX())``; the server stops when the test ends.
    """
    with FakeServer(platform) as server:
        yield platform, server


def drain(conn: Fetcher, cursor: str | None = None) -> tuple[list[str], str | None]:
    """Fetch until ``conn`` reports no more; return the comment ids in order and the last cursor."""
    ids: list[str] = []
    while True:
        result = conn.fetch(cursor)
        ids.extend(c.id for c in result.comments)
        cursor = result.cursor
        if not result.more:
            return ids, cursor
