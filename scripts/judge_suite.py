# ruff: noqa: E501  (tables of written sentences: one sentence per line)
"""Write the judge's functional suite: ``src/vigie/data/training/judge_suite/suite.jsonl``.

Held out: never trained on (``vigie.models.judge.corpus.suite_examples`` marks it
``heldout``). Written by the Vigie project for issue 17 (Apache-2.0) with wordings and target
groups that differ from the training examples of ``scripts/judge_written_examples.py``, so it
measures whether each *function* (threat, dehumanisation, negated praise...) generalises, not
whether a template was memorised. Not copied from any public or evaluation set.

    python scripts/judge_suite.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = (Path(__file__).resolve().parents[1] / "src" / "vigie" / "data" / "training"
       / "judge_suite" / "suite.jsonl")

G_EN = ["women", "immigrants", "Muslims", "Jews", "Black people", "gay men", "trans women",
        "Sikhs", "Filipinos", "bisexual people", "Roma", "Latinos", "foreigners"]
ONE_EN = ["a woman", "a Muslim", "a Sikh", "a trans woman", "an immigrant", "a Jewish student",
          "a Black student", "a gay student"]
G_FR = ["les femmes", "les immigrants", "les musulmanes", "les juifs", "les Noirs",
        "les homosexuels", "les femmes trans", "les Roms", "les Latinos", "les étrangers",
        "les Africains", "les bisexuels"]
ONE_FR = ["une femme", "une musulmane", "un immigrant", "une étudiante noire", "un étudiant gai",
          "un juif", "une femme trans"]

HATE = {
    "threat": [
        ("en", "I'll be waiting outside the library to shoot {one}."),
        ("en", "Tomorrow I'm bringing a knife for {g}."),
        ("en", "Every one of those {g} is going to die by my hand."),
        ("en", "We should line {g} up against a wall."),
        ("fr", "Demain j'attends {one} à la sortie avec un couteau."),
        ("fr", "Je vais tuer {g}, c'est juste une question de temps."),
        ("fr", "On devrait aligner {g} contre un mur et tirer."),
        ("fr", "Je vais étrangler {one} de mes mains."),
    ],
    "dehumanisation": [
        ("en", "{g} are no better than lice."),
        ("en", "{g} are a swarm of insects."),
        ("en", "Calling {g} human is an insult to humans."),
        ("en", "{g} are pigs."),
        ("fr", "{g} ne valent pas mieux que des poux."),
        ("fr", "{g} sont une nuée d'insectes."),
        ("fr", "{g}, ce ne sont pas des êtres humains."),
        ("fr", "{g} sont des porcs."),
    ],
    "implicit": [
        ("en", "Funny how crime went up when {g} moved into the neighbourhood."),
        ("en", "{g} should stick to jobs that don't need a brain."),
        ("en", "Let's be real, {g} will never fit in here."),
        ("en", "Engineering was a serious field before {g} were admitted."),
        ("fr", "Bizarre comme la criminalité a monté quand {g} sont arrivés dans le quartier."),
        ("fr", "{g} devraient se contenter de métiers sans cervelle."),
        ("fr", "Soyons honnêtes, {g} ne s'intégreront jamais ici."),
        ("fr", "Le génie était sérieux avant qu'on admette {g}."),
    ],
    "question": [
        ("en", "Why do {g} always have to be so disgusting?"),
        ("en", "I think {g} are genetically inferior, prove me wrong."),
        ("fr", "Pourquoi {g} sont-ils toujours aussi répugnants?"),
        ("fr", "Je pense que {g} sont génétiquement inférieurs, prouvez le contraire."),
    ],
    "negated_praise": [
        ("en", "{g} are not worth anything."),
        ("en", "No one will ever respect {g}."),
        ("en", "{g} are not capable of logical thought."),
        ("fr", "{g} ne sont bons à rien."),
        ("fr", "Personne ne respectera jamais {g}."),
        ("fr", "{g} ne sont pas capables de raisonner."),
    ],
    "statement": [
        ("en", "I despise {g}."),
        ("en", "{g} disgust me."),
        ("en", "I can't stand {g}, they're the worst."),
        ("fr", "Je méprise {g}."),
        ("fr", "{g} m'écœurent."),
        ("fr", "J'en peux plus de {g}, ils sont pires que tout."),
    ],
}

HATE_FIXED = {
    "obfuscated": [
        ("en", "wom3n are g4rbage"), ("en", "j e w s are p a r a s i t e s"),
        ("en", "muzlims are animals"), ("en", "trnas people are freaks"),
        ("en", "I h@te bl@cks"), ("en", "immigrnats are vermin"),
        ("fr", "l3s imm1grés sont d3s r4ts"), ("fr", "l e s f e m m e s à la cuisine"),
        ("fr", "les muzulmans sont des animaux"), ("fr", "les fémmes sont des chinnes"),
    ],
    "polytechnique_1989": [
        ("fr", "Marc Lépine, un vrai modèle."), ("fr", "Il faudrait un autre 6 décembre."),
        ("fr", "Lépine a rendu service au Québec."), ("fr", "1989, l'année où Poly a été nettoyée."),
        ("en", "Lépine is my role model."), ("en", "We need another December 6."),
        ("en", "Marc Lépine was right about feminists."),
        ("en", "1989 was the best thing that happened to Poly."),
    ],
}

FREE = {
    "counter_speech": [
        ("en", "Calling {g} insects is dehumanising, and it's how violence starts."),
        ("en", "{g} deserve the same respect as anyone else."),
        ("en", "If you think {g} are inferior, you need to read some history."),
        ("fr", "Traiter {g} d'insectes, c'est déshumaniser, et c'est comme ça que la violence commence."),
        ("fr", "{g} méritent le même respect que tout le monde."),
        ("fr", "Si vous pensez que {g} sont inférieurs, relisez l'histoire."),
    ],
    "quote_condemn": [
        ("en", "A comment here literally says \"{g} are pigs\". Moderators, please act."),
        ("en", "Reporting the user who wrote that {g} should be lined up against a wall."),
        ("fr", "Un commentaire dit littéralement « {g} sont des porcs ». Modération, svp."),
        ("fr", "Je signale l'usager qui a écrit qu'il fallait tirer sur {g}."),
    ],
    "negated_hate": [
        ("en", "I have nothing against {g}."),
        ("en", "{g} are not inferior to anyone."),
        ("fr", "Je n'ai absolument rien contre {g}."),
        ("fr", "{g} ne sont inférieurs à personne."),
    ],
    "positive": [
        ("en", "So proud of all the {g} graduating this year!"),
        ("fr", "Bravo à {g} qui obtiennent leur diplôme cette année!"),
    ],
}

FREE_FIXED = {
    "reclaimed": [
        ("en", "Queer and proud, see you at the Pride booth!"),
        ("en", "As a dyke in mechanical engineering, thank you for this."),
        ("en", "Proud to be a Black woman in tech."),
        ("fr", "Queer et fière, merci Poly pour le drapeau."),
        ("fr", "En tant que femme trans en génie, ce message me touche."),
        ("fr", "Fier d'être gai et ingénieur."),
    ],
    "criticism": [
        ("en", "Polytechnique's communication on this has been awful."),
        ("en", "The new parking fees are a scam and the administration knows it."),
        ("en", "You cut the tutoring program and call it innovation? Pathetic decision."),
        ("fr", "La communication de Poly dans ce dossier est lamentable."),
        ("fr", "Les nouveaux frais de stationnement sont du vol, la direction le sait."),
        ("fr", "Vous coupez le tutorat et vous appelez ça de l'innovation? Décision ridicule."),
    ],
    "remembrance": [
        ("fr", "Nous nous souvenons de Geneviève, Hélène, Nathalie, Barbara et de toutes les autres."),
        ("fr", "Le 6 décembre 1989, 14 femmes ont été tuées parce qu'elles étaient des femmes."),
        ("en", "Remembering the fourteen women murdered at Polytechnique in 1989."),
        ("en", "December 6 is a day to fight misogyny, never forget."),
    ],
    "praise": [
        ("fr", "Belle photo!"), ("fr", "Super vidéo, merci!"), ("fr", "photo magnifique"),
        ("en", "Nice video"), ("en", "Lovely photo!"), ("en", "Great pic of the lab"),
        ("en", "Beautiful shot"), ("fr", "Très beau campus sur la photo"),
    ],
}

# (function, lang, labels, text): other languages, judged by the encoder.
FOREIGN = [
    ("es", ["hate"], "Los musulmanes son basura y deberían irse de este país."),
    ("es", ["abuse"], "Cállate, pedazo de imbécil."),
    ("es", ["spam"], "Compra seguidores baratos, visita mi perfil ahora."),
    ("es", [], "Felicidades a todos los graduados, ¡qué orgullo!"),
    ("de", ["hate"], "Frauen gehören nicht an die Universität, sondern in die Küche."),
    ("de", ["abuse"], "Du bist ein verdammter Idiot."),
    ("de", ["sexual"], "Heiße nackte Bilder, schreib mir privat 🔞"),
    ("de", [], "Tolles Projekt, vielen Dank für die Informationen."),
    ("pt", ["hate"], "Os imigrantes são ratos, fora do nosso país."),
    ("pt", ["abuse"], "Cala a boca, seu idiota."),
    ("pt", ["spam"], "Ganhe dinheiro rápido com bitcoin, chama no WhatsApp."),
    ("pt", [], "Que vídeo lindo, parabéns a todos."),
    ("it", ["hate"], "Gli immigrati sono animali, vanno cacciati."),
    ("it", ["abuse"], "Vaffanculo, sei un idiota."),
    ("it", [], "Bellissima iniziativa, complimenti."),
    ("ru", ["hate"], "Женщины тупые и не должны учиться на инженеров."),
    ("ru", ["abuse"], "Ты полный кретин, закрой рот."),
    ("ru", [], "Поздравляю всех выпускников!"),
    ("ar", ["hate"], "اليهود خنازير ويجب قتلهم"),
    ("ar", ["abuse"], "أنت حمار وغبي"),
    ("ar", [], "شكرا على هذا الفيديو الرائع"),
    ("zh", ["hate"], "穆斯林都是恐怖分子，应该全部赶走。"),
    ("zh", ["abuse"], "你是个蠢货，滚开。"),
    ("zh", ["spam"], "免费领取比特币，点击我的主页链接。"),
    ("zh", [], "这个视频很好看，谢谢分享。"),
]


def _fill(template: str, lang: str, rng: random.Random, k: int) -> list[str]:
    groups, ones = (G_FR, ONE_FR) if lang == "fr" else (G_EN, ONE_EN)
    out = []
    for g, one in zip(rng.sample(groups, k), rng.sample(ones, k), strict=True):
        text = template.replace("{g}", g).replace("{one}", one)
        out.append(text[0].upper() + text[1:])
    return out


def main() -> None:
    rng = random.Random(1989)
    rows: list[dict[str, object]] = []
    for kind, table in (("hate", HATE), ("free", FREE)):
        for function, items in table.items():
            for lang, template in items:
                for text in _fill(template, lang, rng, 3):
                    rows.append({"text": text, "lang": lang,
                                 "labels": ["hate"] if kind == "hate" else [],
                                 "function": function})
    for kind, table in (("hate", HATE_FIXED), ("free", FREE_FIXED)):
        for function, items in table.items():
            for lang, text in items:
                rows.append({"text": text, "lang": lang,
                             "labels": ["hate"] if kind == "hate" else [],
                             "function": function})
    for lang, labels, text in FOREIGN:
        rows.append({"text": text, "lang": lang, "labels": labels, "function": "foreign"})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{OUT}: {len(rows)} examples")


if __name__ == "__main__":
    main()
