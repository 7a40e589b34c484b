"""Rebuild src/vigie/demo/comments.jsonl: the demo comments, written by the Vigie project.

Every comment here was written for the demo (Apache-2.0, like the rest of the repository);
none is taken from a real page or from a third-party data set. Names, numbers and accounts
are invented.

    python scripts/make_demo.py
"""

from __future__ import annotations

import json
from pathlib import Path

POSTS = {
    "fb:p-demo-1": (
        "Nos chercheurs en génie mécanique dévoilent un drone de relevé d'infrastructures. | "
        "Our mechanical engineering researchers unveil an infrastructure-survey drone.",
        ["https://www.polymtl.ca/carrefour-actualite/nouvelles/drone-releve"],
    ),
    "fb:p-demo-2": (
        "Collation des grades : félicitations à la promotion 2025 ! | Congratulations, "
        "class of 2025!",
        [],
    ),
    "x:p-demo-3": (
        "Portes ouvertes le samedi 15 novembre, de 10 h à 16 h. Venez nous rencontrer !",
        ["https://www.polymtl.ca/portes-ouvertes"],
    ),
}

# (id, platform, post, text, author overrides)
COMMENTS = [
    ("fb:demo-01", "facebook", "fb:p-demo-1",
     "Très impressionnant! Est-ce que le drone fonctionne aussi sous les ponts, sans GPS?", {}),
    ("fb:demo-02", "facebook", "fb:p-demo-1",
     "Great work, but when will the results be published? Curious about the accuracy.", {}),
    ("fb:demo-03", "facebook", "fb:p-demo-1",
     "Franchement, l'argent de nos impôts serait mieux investi dans l'entretien des routes.", {}),
    ("fb:demo-04", "facebook", "fb:p-demo-1",
     "Plus de détails ici : https://www.polymtl.ca/carrefour-actualite/nouvelles/drone-releve",
     {}),
    ("fb:demo-05", "facebook", "fb:p-demo-1",
     "Me parece un proyecto excelente, felicidades a todo el equipo de investigación.", {}),
    ("fb:demo-06", "facebook", "fb:p-demo-1",
     "Gagnez 500 $ par jour depuis chez vous!!! Inscription: hxxps://argent-facile[.]biz", {}),
    ("fb:demo-07", "facebook", "fb:p-demo-1",
     "Ostie que c'est beau, bravo la gang!", {}),
    ("fb:demo-08", "facebook", "fb:p-demo-1",
     "Sacré-Cœur, quelle belle machine. Ça doit coûter cher en cocktail de capteurs.", {}),
    ("fb:demo-09", "facebook", "fb:p-demo-2",
     "Félicitations à tous les finissants! 🎓🎉", {}),
    ("fb:demo-10", "facebook", "fb:p-demo-2",
     "Félicitations!", {}),
    ("fb:demo-11", "facebook", "fb:p-demo-2",
     "J'ai trouvé le portefeuille de Julie Tremblay près du pavillon principal, son numéro "
     "est le 514-555-0143, appelez-la.", {}),
    ("fb:demo-12", "facebook", "fb:p-demo-2",
     "Congrats to my daughter and all her classmates, so proud of you!", {}),
    ("fb:demo-13", "facebook", "fb:p-demo-2",
     "Поздравляю всех выпускников, отличная работа!", {}),
    ("fb:demo-14", "facebook", "fb:p-demo-2",
     "Follow me for crypto signals 🚀 DM me on Telegram @fastgains_bot", {
         "created_at": "2025-06-01T10:00:00Z", "default_avatar": True, "posts_last_24h": 140,
         "via": "IFTTT"}),
    ("x:demo-15", "x", "x:p-demo-3",
     "Est-ce qu'il faut s'inscrire à l'avance pour les portes ouvertes?", {}),
    ("x:demo-16", "x", "x:p-demo-3",
     "Can't wait! Will the labs be open to visitors too?", {}),
    ("x:demo-17", "x", "x:p-demo-3",
     "Votez pour notre candidat le 2 novembre, le seul qui défend vraiment les étudiants!", {}),
    ("x:demo-18", "x", "x:p-demo-3",
     "Assemblée générale de grève jeudi 18 h au local B-415, soyez nombreux!", {}),
    ("x:demo-19", "x", "x:p-demo-3",
     "ok merci", {}),
    ("x:demo-20", "x", "x:p-demo-3",
     "asdkjh qwpeoiru zmxncb", {}),
]


def author(comment_id: str, overrides: dict[str, object]) -> dict[str, object]:
    platform = comment_id.split(":", 1)[0]
    number = comment_id.rsplit("-", 1)[1]
    base: dict[str, object] = {
        "id": f"{platform}:u-demo-{number}", "name": f"Personne {number}",
        "handle": f"personne{number}", "created_at": "2016-03-14T12:00:00Z",
        "verified": False, "default_avatar": False, "followers": 120, "posts_last_24h": 2,
        "via": "Facebook for Android" if platform == "fb" else "Twitter for iPhone",
    }
    base.update(overrides)
    return base


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "src" / "vigie" / "demo" / "comments.jsonl"
    lines = []
    for index, (cid, platform, post_id, text, overrides) in enumerate(COMMENTS):
        post_text, links = POSTS[post_id]
        lines.append(json.dumps({
            "id": cid, "platform": platform, "text": text,
            "created_at": f"2025-11-{10 + index // 8:02d}T{9 + index % 8:02d}:15:00Z",
            "author": author(cid, overrides),
            "post": {"id": post_id, "text": post_text, "links": links},
            "parent_id": None,
        }, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} comments to {out}")


if __name__ == "__main__":
    main()
