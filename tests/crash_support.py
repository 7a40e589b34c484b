"""Helpers of the SIGKILL and restart tests: their data set, a database another process writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from vigie.bench.store import synthetic_records
from vigie.store.schema import decisions

CAMPAIGNS = ("Signez la pétition contre la fermeture du pavillon Lassonde avant vendredi",
             "Les étudiants ne sont pas des guichets automatiques, reculez sur la hausse",
             "Join our trading group today, we double your crypto every week with signals")


def campaign_records(n: int) -> list[dict[str, Any]]:
    """The benchmark's comments (spam and foreign texts repeat) from 60 authors, with three
    copy-paste campaigns (every ninth comment, word for word or with a "!") (pure)."""
    records = synthetic_records(n, authors=60)
    for i, record in enumerate(records):
        if i % 9 == 4:
            record["text"] = CAMPAIGNS[i % 3] + ("" if i % 2 else " !")
    return records


def decided_count(url: str) -> int:
    """Decisions stored so far at ``url`` (0 while the schema is not migrated yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()
