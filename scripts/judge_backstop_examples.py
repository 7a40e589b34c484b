"""Write ``src/vigie/data/training/judge/backstops_2.jsonl``: the judge's second backstop set.

Written by the Vigie project, not copied from any evaluation set (nor from the dev set, the
functional suite, the recognizers' test corpus or a public data set); Apache-2.0 like the
project. The frames live in ``scripts/judge_backstop_frames.py``; this script fills their
slots from invented pools (names of many origins, buildings, rooms, course codes, streets,
passwords, codes, addresses) and varies the surface the way comments do (no accents, no
capitals, a typo, chatter before or after), with a fixed seed, so the output is the same on
every run:

    python scripts/judge_backstop_examples.py          # write the file
    python scripts/judge_backstop_examples.py --check  # exit 1 if the file is stale

Three kinds of rows (``function``): ``confidential`` (the institution's confidential data,
directive 6.3 / 6.4 d: credentials, access codes, exams before the exam, internal documents,
physical and IT security gaps), ``privacy`` (a third person's private facts, 6.4 a) and
``hard_negative`` (labels ``[]``: public facts, questions, people speaking of themselves,
praise, criticism of the institution). The surface variations are drawn the same way for
every kind, so none of them is a cue.
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from judge_backstop_frames import CONF_EN, CONF_FR, NEG_EN, NEG_FR, PRIV_EN, PRIV_FR

OUT = (Path(__file__).resolve().parents[1] / "src" / "vigie" / "data" / "training" / "judge"
       / "backstops_2.jsonl")
SEED = 62
#: The heads this file labels (every other head learns nothing from it).
HEADS_LABELLED = ("confidential", "privacy")

FEMALE = ["Mélanie", "Fatou", "Priya", "Aleksandra", "Thi Lan", "Siobhan", "Chloé", "Yasmine",
          "Olga", "Ingrid", "Noémie", "Anaïs", "Ximena", "Esther", "Léa", "Naomi", "Camille",
          "Inès", "Sakura", "Florence", "Zainab", "Ophélie", "Maëlle", "Aurélie", "Bianca",
          "Rosalie", "Awa", "Mei", "Gabrielle", "Valentina"]
MALE = ["Jean-François", "Karim", "Diego", "Hiroshi", "Mamadou", "Gabriel", "Wei", "Rafael",
        "Samir", "Bastien", "Tariq", "Dmitri", "Kwame", "Youssef", "Mathis", "Rohan",
        "Étienne", "Lucas", "Hamza", "Jonah", "Farid", "Antoine", "Malik", "Félix", "Arjun",
        "Sébastien", "Kenji", "Idris", "Vincent", "Nikolaï"]
LAST = ["Bergeron", "Lapointe", "Ouellet", "Nadeau", "Fortin", "Mensah", "Kowalski", "Ferreira",
        "Okafor", "Diallo", "Benali", "Santos", "Petrov", "Sharma", "Tanaka", "Morin",
        "Lefebvre", "Gauthier", "Chen", "Ibrahim", "Murphy", "Schmidt", "Rossi", "Vachon",
        "Desrosiers", "Charbonneau", "Papadopoulos", "Lalonde", "Boucher", "Thibault",
        "Nakamura", "Osei", "Kaur", "Moreau", "Caron", "Dufresne", "St-Pierre", "Larivière",
        "Abboud", "Jovanovic", "Pham", "Rahimi", "Castillo", "O'Brien", "Beaulieu"]
BUILDINGS_FR = ["pavillon Riopelle", "pavillon des Érables", "pavillon Gérin", "pavillon Lacoste",
                "pavillon Dorion", "pavillon Champlain", "pavillon Hubert-Reeves",
                "pavillon Rouville", "pavillon Saint-Laurent", "centre sportif",
                "pavillon Marguerite-Bourgeoys", "bâtiment B", "édifice Sainte-Claire",
                "pavillon de l'Horloge", "complexe des sciences", "pavillon Ferland",
                "pavillon Boréal", "pavillon Taschereau", "pavillon des Arts", "annexe Jarry",
                "pavillon principal"]
BUILDINGS_EN = ["Atwater Hall", "Merton Hall", "Halcyon Hall", "Kingsley Pavilion",
                "Beaumont Hall", "Harbour Centre", "West Annex", "Ridley Hall", "Caldwell Hall",
                "Foster Pavilion", "Carrick Annex", "Maplewood Hall", "Sutherland Hall",
                "Osler Science Complex", "Greystone Hall", "Lockhart Centre", "Birchmount Hall",
                "Dunmore Sports Centre", "Thornton Hall", "Elgin Pavilion", "Wexford Building"]
ROOMS = ["B-312", "C-540.12", "2.114", "A-208", "L-4812", "M-1120", "3107", "J-1045", "D-019",
         "SB-2240", "K-301", "E-4410", "1.207", "H-630", "R-118", "N-2002", "G-0507", "P-915",
         "F-3333", "T-140"]
COURSES = ["GCH2535", "MEC3410", "INF3710", "LOG3430", "ELE4203", "MTH2302", "PHS2223",
           "IND2111", "GBM3100", "CIV2210", "AER3100", "GML1001", "SSH3201", "ENE6002",
           "MIN2102", "GLQ2000", "PHY1620", "MATH 251", "COMP 352", "ECE 342", "CHEM 205",
           "ENGR 213", "BIO 1130", "STAT 280", "SOEN 341", "MECH 221", "CIVE 440", "ELEC 273",
           "PSYC 101", "ECON 203", "HIST 2250", "MGT 301", "NURS 210", "CHM1311"]
DEPTS_FR = ["génie civil", "génie minier", "génie chimique", "génie physique",
            "génie biomédical", "génie industriel", "mathématiques", "chimie", "physique",
            "informatique", "sciences infirmières", "musique", "philosophie", "géologie"]
DEPTS_EN = ["civil engineering", "mining engineering", "chemical engineering",
            "engineering physics", "biomedical engineering", "industrial engineering",
            "mathematics", "chemistry", "physics", "computer science", "nursing", "music",
            "philosophy", "geology"]
ORGS_FR = ["CA", "conseil d'administration", "comité de direction", "conseil académique",
           "comité exécutif", "conseil de faculté"]
ORGS_EN = ["board", "board of governors", "executive committee", "senate", "academic council",
           "faculty council"]
# Polytechnique is one name among several: the head must work for any institution.
INST_FR = ["l'université", "l'école", "l'établissement", "Polytechnique",
           "l'Université du Littoral", "l'École de technologie de Valmont", "la fac"]
INST_EN = ["the university", "the college", "the school", "Polytechnique",
           "Northgate University", "Lakeshore College", "the institute"]
CAMPUSES = ["Laval", "Longueuil", "Saint-Jérôme", "Gatineau", "Lévis", "Rimouski",
            "Sherbrooke", "Trois-Rivières"]
CITIES = ["Verdun", "Rosemont", "Brossard", "Terrebonne", "Saint-Lambert", "Outremont",
          "Repentigny", "Pointe-Claire", "Boucherville", "Chambly"]
COMPANIES = ["Hydrotech", "Nordaero", "Boréal Systèmes", "Cascadia Robotics", "Lumen Pharma",
             "Fleuve Énergie", "Ardent Mining", "Quantix"]
STREETS_FR = ["rue Fleury Est", "avenue Papineau", "boulevard Rosemont", "rue Jarry Ouest",
              "rue Masson", "avenue Christophe-Colomb", "rue des Érables", "chemin du Lac",
              "rue Wellington", "rue Ontario Est", "avenue Laurier", "rue de Bordeaux"]
STREETS_EN = ["Elm Street", "Birch Avenue", "Wellington Street", "Lakeview Drive",
              "Cedar Crescent", "Sherbrooke Street West", "Victoria Avenue", "Park Row",
              "Hillcrest Road", "Greene Avenue", "Lansdowne Street", "Sunnyside Lane"]
DATES_FR = ["lundi prochain", "le 14 avril", "jeudi", "demain matin", "mercredi 9 h",
            "le 3 décembre", "vendredi", "la semaine prochaine", "le 21 octobre"]
DATES_EN = ["next Monday", "April 14", "Thursday", "tomorrow morning", "Wednesday at 9",
            "December 3", "Friday", "next week", "October 21"]
PAST_FR = ["hier", "lundi passé", "la semaine passée", "jeudi dernier", "ce matin", "mardi"]
PAST_EN = ["yesterday", "last Monday", "last week", "last Thursday", "this morning", "Tuesday"]
DAYS_EN = ["April 14", "Thursday", "December 3", "Friday", "October 21", "Monday", "May 2"]
USERS = ["admin", "labadmin", "root", "svc_backup", "moodle_admin", "techn1", "gestion",
         "invite", "sysop", "secretariat", "depadmin", "test01"]
PW_WORDS = ["Hiver", "soleil", "Lab", "Moodle", "castor", "Erable", "Pingouin", "dragon",
            "Nordik", "bleu", "Tortue", "chat_noir", "Rouge&Vert", "Mars", "Pomme", "Qwerty"]
PW_FIXED = ["Zq7#mP!x", "b1bl!oth3que", "Tr0ttoir*", "M0odl3Adm!n", "pa55w0rd!", "kP4!eL9z",
            "admin1234", "Wifi_Invites#7", "CAfe-au-lait9", "8866bleu", "gR33n-lantern",
            "x9$Lq2@w", "Bienvenue2026", "!!Labo!!", "ch3rry^pie", "P@ssw0rd"]
DIGITS_FR = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
DIGITS_EN = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
AREAS = ["514", "438", "450", "819", "581", "263"]
MAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "videotron.ca", "yahoo.ca",
                "icloud.com", "protonmail.com"]

# Chatter around a sentence, drawn alike for every kind.
PREFIX = {"fr": ["Bon, ", "Ok ", "Petite info : ", "Pour info, ", "Allo tout le monde, ",
                 "Sérieux, ", "En passant, ", "Salut! ", "Hey ", "Fait que ", "Ben là, ",
                 "Je sais pas si ça intéresse du monde mais "],
          "en": ["ok so ", "FYI ", "Just saying, ", "hey all, ", "Quick one: ", "So, ",
                 "Honestly, ", "lol ", "Not sure anyone cares but ", "Heads up, ", "Hi! "]}
SUFFIX = {"fr": [" lol", " haha", " 😅", " 🙃", " ...", " Bref.", " Bonne session!",
                 " Voilà", " Bonne journée", " tsé", " genre"],
          "en": [" lol", " haha", " 😂", " 🙃", " anyway.", " good luck on finals!",
                 " cheers", " just fyi", " idk", " ..."]}

_SLOT = re.compile(r"\{(\w+)\}")
_TABLES = (("confidential", ["confidential"], CONF_FR, CONF_EN, 4),
           ("privacy", ["privacy"], PRIV_FR, PRIV_EN, 5),
           ("hard_negative", [], NEG_FR, NEG_EN, 5))


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _password(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(PW_FIXED)
    word = rng.choice(PW_WORDS)
    return word + str(rng.randrange(10, 2030)) + rng.choice(["", "!", "#", "$", "*", "?", "%"])


def _code(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(rng.choice([4, 4, 5, 6])))
    return "-".join(digits) if rng.random() < 0.15 else digits


def _phone(rng: random.Random) -> str:
    area, last = rng.choice(AREAS), f"01{rng.randrange(100):02d}"
    return rng.choice([f"{area}-555-{last}", f"({area}) 555-{last}", f"{area} 555 {last}",
                       f"{area}.555.{last}"])


def _address(rng: random.Random) -> str:
    """A private (RFC 1918) IPv4 address."""
    prefix = rng.choice(["10", "192.168", "172.16"])
    rest = [str(rng.randrange(1, 255)) for _ in range(4 - len(prefix.split(".")))]
    return ".".join([prefix, *rest])


def _spelled(rng: random.Random, words: list[str]) -> str:
    digits = rng.choice(AREAS) + "5550" + "1" + f"{rng.randrange(100):02d}"
    return ", ".join(" ".join(words[int(d)] for d in part)
                     for part in (digits[:3], digits[3:6], digits[6:]))


def _slug(*names: str) -> str:
    return _plain("".join(names)).casefold().replace(" ", "").replace("'", "").replace("-", "")


def _value(slot: str, rng: random.Random, row: dict[str, str]) -> str:
    """One value of a slot; ``row`` holds the people already drawn for the same row."""
    if slot in {"f", "m", "p", "ff", "mf"}:
        female = slot.startswith("f") or (slot == "p" and rng.random() < 0.5)
        first, last = rng.choice(FEMALE if female else MALE), rng.choice(LAST)
        row.setdefault("_first", first)
        row.setdefault("_last", last)
        return first if slot in {"ff", "mf"} else f"{first} {last}"
    pools: dict[str, list[str]] = {
        "bldg_fr": BUILDINGS_FR, "bldg_en": BUILDINGS_EN, "room": ROOMS, "course": COURSES,
        "dept_fr": DEPTS_FR, "dept_en": DEPTS_EN, "org_fr": ORGS_FR, "org_en": ORGS_EN,
        "inst_fr": INST_FR, "inst_en": INST_EN, "campus": CAMPUSES, "city": CITIES,
        "company": COMPANIES, "street_fr": STREETS_FR, "street_en": STREETS_EN,
        "date_fr": DATES_FR, "date_en": DATES_EN, "day_en": DAYS_EN,
        "past_fr": PAST_FR, "past_en": PAST_EN, "user": USERS, "last": LAST}
    if slot in {"dept_fr2", "dept_en2"}:
        pool = DEPTS_FR if slot == "dept_fr2" else DEPTS_EN
        return rng.choice([d for d in pool if d != row.get(slot[:-1])])
    if slot in pools:
        return rng.choice(pools[slot])
    amount = rng.choice([("2,4 M$", "$2.4M"), ("850 000 $", "$850,000"),
                         ("1,1 million $", "$1.1 million"), ("300 000 $", "$300k"),
                         ("4,7 M$", "$4.7M"), ("120 000 $", "$120,000")])
    # An e-mail or a handle belongs to the row's person when the frame names one.
    first = row.get("_first") or rng.choice(FEMALE + MALE)
    last = row.get("_last") or rng.choice(LAST)
    makers = {
        "pw": lambda: _password(rng), "code": lambda: _code(rng), "phone": lambda: _phone(rng),
        "n": lambda: str(rng.randrange(2, 61)), "civic": lambda: str(rng.randrange(100, 9999)),
        "apt": lambda: rng.choice(["2", "4", "7", "12", "3B", "201", "5A"]),
        "mat": lambda: f"{rng.choice(['19', '20', '21', '22'])}{rng.randrange(10**5):05d}",
        "emp": lambda: rng.choice(["E", "", "EMP-"]) + f"{rng.randrange(10**5, 10**6)}",
        "ip": lambda: _address(rng),
        "token": lambda: rng.choice(["ghp_", "sk-", "xoxb-", "glpat-", "AKIA", ""]) + "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            for _ in range(rng.randrange(10, 21))),
        "mfr": lambda: amount[0], "men": lambda: amount[1],
        "email": lambda: rng.choice([f"{_slug(first)}.{_slug(last)}",
                                     f"{_slug(first)}{rng.randrange(10, 99)}",
                                     f"{_slug(first)[0]}{_slug(last)}"])
        + "@" + rng.choice(MAIL_DOMAINS),
        "handle": lambda: "@" + rng.choice([_slug(first, last),
                                            _slug(first) + "_" + _slug(last)[:3],
                                            _slug(first) + str(rng.randrange(90, 2010))]),
        "email_fr_words": lambda: f"{_slug(first)} point {_slug(last)} arobase "
        + rng.choice(MAIL_DOMAINS).replace(".", " point "),
        "email_en_words": lambda: f"{_slug(first)} dot {_slug(last)} at "
        + rng.choice(MAIL_DOMAINS).replace(".", " dot "),
        "inst_dom": lambda: rng.choice(["ulittoral", "northgate", "lakeshore", "valmont"]),
        "phone_fr_words": lambda: _spelled(rng, DIGITS_FR),
        "phone_en_words": lambda: _spelled(rng, DIGITS_EN),
    }
    if slot not in makers:
        raise KeyError(f"unknown slot {{{slot}}}")
    return makers[slot]()


# French contracts "de le", "à le" and elides "de" before a vowel once a slot is filled.
_FR_FIXES = ((re.compile(r"\bde le "), "du "), (re.compile(r"\bà le "), "au "),
             (re.compile(r"\b([Dd])e (?=[AEIOUaeiouÉéÈè])"), r"\1'"))


def _fill(template: str, rng: random.Random, lang: str) -> str:
    row: dict[str, str] = {}

    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot not in row:
            row[slot] = _value(slot, rng, row)
        return row[slot]

    text = _SLOT.sub(one, template)
    if lang == "fr":
        for pattern, repl in _FR_FIXES:
            text = pattern.sub(repl, text)
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


def _surface(template: str, lang: str, rng: random.Random) -> str:
    """The frame filled, with the surface of a comment (the same draws for every kind)."""
    if rng.random() < 0.22:
        head = template if template.startswith("{") else template[0].lower() + template[1:]
        template = rng.choice(PREFIX[lang]) + head
    text = _fill(template, rng, lang)
    if rng.random() < 0.2:
        text = text.rstrip(".") + rng.choice(SUFFIX[lang])
    elif rng.random() < 0.3:
        text = text.rstrip(".")
    if lang == "fr" and rng.random() < 0.15:
        text = _plain(text)
    if rng.random() < 0.12:
        text = text.lower()
    if rng.random() < 0.1:
        text = _typo(text, rng)
    return text


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def build() -> list[dict[str, object]]:
    """Every row, in a fixed order (pure: the seed decides every draw)."""
    rng = random.Random(SEED)
    seen: set[str] = set()
    rows: list[dict[str, object]] = []
    for function, labels, table_fr, table_en, per_frame in _TABLES:
        for lang, table in (("fr", table_fr), ("en", table_en)):
            for frame, template in enumerate(table):
                # A frame without a slot varies only on its surface: two variants at most.
                wanted = per_frame if "{" in template else 2
                for _ in range(wanted * 3):
                    text = _surface(template, lang, rng)
                    if _key(text) in seen:
                        continue
                    seen.add(_key(text))
                    # One fold group per frame: variants of a frame never sit on both
                    # sides of an out-of-fold split (thresholds would look better than
                    # they are).
                    # The file labels the two backstop heads only: its negatives say
                    # nothing of hate or spam (trained as such, they tilted those heads).
                    rows.append({"text": text, "lang": lang, "labels": labels,
                                 "function": function, "group": f"{function}/{lang}/{frame}",
                                 "heads": list(HEADS_LABELLED)})
                    wanted -= 1
                    if not wanted:
                        break
    return rows


def render(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: list[str]) -> int:
    rows = build()
    text = render(rows)
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run python scripts/judge_backstop_examples.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(rows)} examples")
    for function, *_ in _TABLES:
        per_lang = {lang: sum(r["function"] == function and r["lang"] == lang for r in rows)
                    for lang in ("fr", "en")}
        print(f"  {function}: {per_lang['fr']} fr, {per_lang['en']} en")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
