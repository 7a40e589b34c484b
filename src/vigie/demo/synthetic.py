"""A deterministic generator of realistic synthetic comments, for benchmarks.

The text is assembled from French, Québec French, English and a few foreign fragments, with
links, emojis, mentions and the occasional swear, at the length distribution of real page
comments (median around 90 characters, a long tail to 600). Authors carry the account fields
of ``shared/data/FORMAT.md``. Same seed, same corpus.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["synthetic_records"]

_FR = [
    "Bravo à toute l'équipe pour ce projet", "Est-ce que les inscriptions sont encore ouvertes?",
    "Je trouve que les frais de scolarité augmentent trop vite", "Félicitations aux diplômés",
    "Super article, merci du partage", "C'est malade ce que vous faites en génie chimique",
    "Quand est-ce que la bibliothèque rouvre le samedi?", "Ben là, ça fait trois fois que "
    "le stationnement est plein", "Mon fils a adoré la journée portes ouvertes",
    "J'aimerais savoir si le programme est offert à temps partiel",
    "La cafétéria mériterait une rénovation honnêtement", "Très fier de mon alma mater",
]
_EN = [
    "Congratulations to the whole team", "Is this program open to international students?",
    "Great research, proud of my school", "The parking situation is getting ridiculous",
    "Thanks for sharing this article", "Where can I find the schedule for the open house?",
    "This is exactly why I chose Polytechnique", "Will the lecture be recorded?",
    "Honestly the new building looks amazing", "Any news about the co-op program?",
]
_OTHER = [
    "Felicidades a todo el equipo, excelente trabajo", "Herzlichen Glückwunsch an alle",
    "Parabéns pela pesquisa, muito interessante", "祝贺你们的研究成果",
    "Поздравляю всех выпускников",
]
_SPICE = [
    "🎉", "👏👏", "😂", "🔥", "!!", "?", "@marie_t", "#fierté", "lol", "osti", "wow",
    "https://www.polymtl.ca/nouvelles", "https://bit.ly/3xYz9", "www.example.com/promo",
]
_POSTS = [
    ("Percée en capture du carbone ! | Carbon capture breakthrough", "https://www.polymtl.ca/a"),
    ("Collation des grades 2025 : félicitations ! | Congratulations, graduates!", ""),
    ("Portes ouvertes le 15 novembre | Open house on November 15", "https://www.polymtl.ca/po"),
    ("Nouveau pavillon Lassonde | New Lassonde building", ""),
]
_VIA = ["Facebook for Android", "Facebook for iPhone", "Twitter Web App", "Instagram", None]


def _text(rng: random.Random) -> str:
    roll = rng.random()
    pool = _FR if roll < 0.55 else _EN if roll < 0.93 else _OTHER
    parts = [rng.choice(pool)]
    # Long tail: some comments chain several sentences.
    while rng.random() < 0.45 and len(parts) < 8:
        parts.append(rng.choice(pool))
    if rng.random() < 0.5:
        parts.append(rng.choice(_SPICE))
    return ". ".join(parts)


def synthetic_records(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Yield ``n`` comment records (dicts in the JSONL format), deterministically.

    Args:
        n: number of records.
        seed: random seed; the same seed gives the same records.
    """
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    platforms = ["facebook", "instagram", "youtube", "x", "linkedin"]
    for i in range(n):
        post_index = rng.randrange(len(_POSTS))
        post_text, post_link = _POSTS[post_index]
        platform = rng.choice(platforms)
        prefix = {"facebook": "fb", "instagram": "ig", "youtube": "yt", "x": "x",
                  "linkedin": "li"}[platform]
        created = start + timedelta(seconds=i * 37 + rng.randrange(30))
        author_id = rng.randrange(max(10, n // 4))
        yield {
            "id": f"{prefix}:syn-{i}",
            "platform": platform,
            "text": _text(rng),
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "author": {
                "id": f"{prefix}:u-{author_id}",
                "name": f"User {author_id}",
                "handle": f"user{author_id}",
                "created_at": (created - timedelta(days=rng.randrange(1, 4000))).isoformat(),
                "verified": rng.random() < 0.02,
                "default_avatar": rng.random() < 0.1,
                "followers": rng.randrange(0, 2000),
                "posts_last_24h": rng.randrange(0, 12),
                "via": rng.choice(_VIA),
            },
            "post": {"id": f"{prefix}:p-{post_index}", "text": post_text,
                     "links": [post_link] if post_link else []},
            "parent_id": None,
        }
