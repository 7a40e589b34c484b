"""Curated lexicons (6.4 b, c, e): swears, insults, slurs, threats and sexual terms.

Positives, disguised positives and hard negatives sit next to each other, in tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from factories import DEV_SET, comment, needs_dev_set
from vigie.actions import Action
from vigie.batch.reader import read_comments
from vigie.detectors.lexicon import NAME, SIGNALS, LexiconDetector, LexiconOptions
from vigie.engine import decide
from vigie.findings import Finding
from vigie.policy import load_policy
from vigie.records import Comment
from vigie.text.lexicon import (
    COLUMNS,
    INTERNAL_SIGNALS,
    LexiconError,
    _load,
    expand,
    fold_pattern,
    load_lexicon,
    with_institution,
)
from vigie.text.obfuscation import TRICKS, obfuscate, word_spans
from vigie.text.prepare import prepare_batch

POLICY = load_policy()
REVIEW, REMOVE = POLICY.thresholds(POLICY.category("abuse"))
DETECTOR = LexiconDetector(LexiconOptions())


def judge(text: str) -> list[Finding]:
    return DETECTOR.detect(prepare_batch([comment(text)]), [[]])[0]


def strongest(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in judge(text):
        out[f.signal] = max(out.get(f.signal, 0.0), f.score)
    return out


def action(text: str) -> Action:
    c = comment(text)
    return decide(POLICY, c, DETECTOR.detect(prepare_batch([c]), [[]])[0]).action


# -- positives, disguised positives and hard negatives -----------------------------------

@pytest.mark.parametrize(("text", "signal", "at_least"), [
    # Québec sacres, even in praise (FORMAT.md)
    ("Fuck yeah!! Les meilleurs osti 🤘", "abuse.sacre", REMOVE),
    ("Ostie que les Leafs sont poches", "abuse.sacre", REMOVE),
    ("Vous auriez pu l'annoncer hier soir, câlisse.", "abuse.sacre", REMOVE),
    ("Y s'en crisse ben de nous autres", "abuse.sacre", REMOVE),
    ("Ça fait deux heures que j'attends, tabarnak", "abuse.sacre", REMOVE),
    ("Calvaire que c'est long", "abuse.sacre", REVIEW),
    ("Y'a pas de ciboire de stationnement", "abuse.sacre", REMOVE),
    ("Décâlisse d'icitte", "abuse.sacre", REMOVE),
    # disguised sacres
    ("C@lisse de service", "abuse.sacre", REMOVE),
    ("Ta🅱️arnak, 200 millions", "abuse.sacre", REMOVE),
    ("🅾️STIE QUE J'AI HÂTE", "abuse.sacre", REMOVE),
    ("Os\u200bti enfin!!!", "abuse.sacre", REMOVE),
    ("t a b a r n a k", "abuse.sacre", REMOVE),
    ("c.a.l.i.s.s.e", "abuse.sacre", REMOVE),
    ("ostiiiiiii", "abuse.sacre", REMOVE),
    ("тabarnak", "abuse.sacre", REMOVE),                 # Cyrillic т
    ("ｃａｌｉｓｓｅ", "abuse.sacre", REMOVE),            # full-width
    ("crisssssse", "abuse.sacre", REMOVE),
    # vulgarity and insults
    ("This is bullshit", "abuse.vulgarity", REVIEW),
    ("C'est de la marde", "abuse.vulgarity", REVIEW),
    ("F*ck off", "abuse.insult", REMOVE),
    ("f u c k you", "abuse.insult", REMOVE),
    ("sh1t", "abuse.vulgarity", REVIEW),
    ("Ferme ta gueule", "abuse.insult", REVIEW),
    ("Espèce de connard", "abuse.insult", REMOVE),
    ("Gang de caves", "abuse.insult", REVIEW),
    ("t'es ben épais", "abuse.insult", REVIEW),
    ("Anyone voting that way is a brain-dead m0ron", "abuse.insult", REVIEW),
    ("you're an idiot", "abuse.insult", REVIEW),
    # slurs (hate), and a slur aimed at a person is an insult too
    ("une ta\u200bpette de plus", "hate.slur", REMOVE),
    ("une tapette de plus", "abuse.insult", REMOVE),
    ("c'est toute des n3gres", "hate.slur", REMOVE),
    ("Augmentez juste les frais des chinetoques", "hate.slur", REMOVE),
    ("la propagande des féminаzies", "hate.slur", REMOVE),  # Cyrillic а
    ("snowflake r3tards", "hate.slur", REMOVE),
    ("sales arabes", "hate.slur", REMOVE),
    ("you f4gg0t", "hate.slur", REMOVE),
    ("b*tches", "hate.slur", REVIEW),
    # threats
    ("je vais venir tirer sur tout le monde au pavillon", "threat.death", REMOVE),
    ("Je vais te tuer", "threat.death", REMOVE),
    ("j'vais toutes vous tuer", "threat.death", REMOVE),
    ("I'm gonna kill you", "threat.death", REMOVE),
    ("kys", "threat.death", REMOVE),
    ("someone should bring a gun to this debate", "threat.death", REVIEW),
    ("on lui pète la gueule", "threat.violence", REMOVE),
    ("Je sais où tu habites", "threat.violence", REVIEW),
    ("I'll slap that smug grin right off her face", "threat.violence", REVIEW),
    # hateful generalisations and glorification
    ("Les immigrants c'est des parasites", "hate.generalisation", REVIEW),
    ("Retourne à la cuisine", "hate.generalisation", REVIEW),
    ("Women in robotics = diversity hires", "hate.generalisation", REVIEW),
    ("Lépine avait raison", "hate.glorification", REMOVE),
    ("Marc Tremblay du service des finances est un voleur", "hate.defamation", REVIEW),
    # sexual
    ("p.o.r.n.o gratuit", "sexual.explicit", REMOVE),
    ("s e x e  g r a t u i t", "sexual.explicit", REMOVE),
    ("Vidéos pоrn gratuites", "sexual.explicit", REMOVE),   # Cyrillic о
    ("ｓｅｘ pics in my bio", "sexual.explicit", REMOVE),
    ("je vends mes n.u.d.e.s", "sexual.explicit", REMOVE),
    ("Chat with h0rny girls near Montréal", "sexual.explicit", REMOVE),
    ("Les toilettes sont parfaites pour baiser 😏🍆", "sexual.explicit", REVIEW),
    ("je la baiserais ben", "sexual.harassment", REVIEW),
    ("j'le suce gratis", "sexual.explicit", REVIEW),
    ("she's hot af, does she have an onlyfans?", "sexual.harassment", REVIEW),
    ("I'd smash no question", "sexual.harassment", REVIEW),
    ("🍆💦🍑", "sexual.explicit", REVIEW),
])
def test_positive(text: str, signal: str, at_least: float) -> None:
    scores = strongest(text)
    assert scores.get(signal, 0.0) >= at_least, judge(text)


@pytest.mark.parametrize("text", [
    # false friends named in the issue
    "On va bosser fort cette session",
    "Le viaduc au bout de ma rue dans un cul-de-sac à Laval",
    "Une messe aura lieu à l'église du Sacré-Cœur-de-Jésus",
    "First-year exchange student from Scunthorpe, UK",
    "What time is the welcome cocktail for parents? 🍸",
    "Le vitrail est signé par l'artiste qui a restauré le tabernacle de l'église Sainte-Cunégonde",
    "Ma chatte a eu trois chatons, la vétérinaire dit qu'ils vont bien",
    "C'est malade ça!",
    "Tabarouette, 40 cm! Mon char est enseveli",
    "Câline de bine, 10 000 $!",
    "Mautadit que j'ai hâte que ça finisse",
    # more false friends
    "Summa cum laude for my roommate Priya",
    "Le cockpit de contrôle est bien pensé",
    "La crise du logement frappe les étudiants",
    "Ils estiment que le projet coûtera 200 millions",
    "Un baiser à toute l'équipe 😘",
    "Le calice de la fleur sur votre affiche",
    "Le bus est encore en retard",
    "Les labos d'aérospatiale sont débiles 😍",
    "J'avais la chienne avant l'exam",
    "Je me suis cassé la tête sur ce devoir",
    "I'll shoot you an email tomorrow",
    "We'll beat you at the robotics competition",
    "Hit me up if you need notes",
    "Moby Dick is on the reading list",
    "Ce cours va me tuer 😅",
    "Gun control now",
    "Le raton laveur du campus est de retour",
    "Homo sapiens, chapitre 3",
    "L'empire mongol s'étendait jusqu'à l'Europe",
    "Les présidents azerbaïdjanais et mongol se rencontrent à Bakou",
    "Le sexe des répondants n'est pas demandé",
    "Sex education should be mandatory",
    "Il y a 3 km entre les deux pavillons, A55 sortie 3",
    "MTH1102 et LOG2410 en 2025",
    "Le Christ en croix du chœur",
    "La sainte hostie consacrée à la messe",
    "Vivre un calvaire pour trouver un logement",
    "Bravo à toute l'équipe!!!",
    "Essex, Sussex and Middlesex",
    "The assistant class passed",
    "Ça fait crisser les pneus",
])
def test_hard_negative(text: str) -> None:
    found = [f for f in judge(text) if f.score >= REVIEW and f.signal != "context.counter_speech"]
    assert found == [], found


@pytest.mark.parametrize(("text", "signal"), [
    ("Maudit que c'est long", "abuse.sacre"),       # mild: evidence below review
    ("c'est idiot cette règle", "abuse.insult"),    # civil criticism
    ("sexy", "sexual.explicit"),
])
def test_weak_cues_stay_below_review(text: str, signal: str) -> None:
    assert 0.0 < strongest(text).get(signal, 0.0) < REVIEW


# -- evidence details --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "covers"), [
    ("Merci C@lisse!", "C@lisse"),
    ("yo s.e.x.e gratuit", "s.e.x.e gratuit"),
    ("fuuuuck yeah", "fuuuuck"),
    ("une ta\u200bpette", "ta\u200bpette"),
])
def test_spans_cover_the_disguised_words(text: str, covers: str) -> None:
    finding = max(judge(text), key=lambda f: f.score)
    assert finding.span is not None
    assert text[finding.span[0]:finding.span[1]] == covers


def test_explanations_name_the_term_not_the_comment() -> None:
    text = "Vous auriez pu l'annoncer hier soir au lieu de 6 h 15, câlisse."
    (finding,) = judge(text)
    assert finding.detector == NAME
    assert "calisse" in finding.explanation and "Québec swear" in finding.explanation
    assert "annoncer" not in finding.explanation
    assert finding.data["lexicon"] == load_lexicon().version


def test_disguise_is_reported() -> None:
    (plain,) = judge("osti")
    (disguised,) = judge("0st1")
    assert not plain.data["disguised"]
    assert disguised.data["disguised"] and "disguised" in disguised.explanation


def test_several_hits_add_up_but_weak_ones_stay_weak() -> None:
    assert strongest("merde")["abuse.vulgarity"] < strongest("merde, chier")["abuse.vulgarity"]
    both_weak = strongest("maudit bordel")["abuse.sacre"]
    assert both_weak < REVIEW


@pytest.mark.parametrize(("text", "mitigated"), [
    ("Commentaire raciste signalé. Les « sales arabes » dont tu parles ont réussi les examens.",
     True),
    ("Someone in the replies wrote 'kys' to her. Reported.", True),
    ("Someone literally asked if she has an 'onlyfans'. Reported. Let women exist.", True),
    ("Sales arabes, retournez chez vous", False),
    ("C'est pas raciste de dire sales arabes", False),
])
def test_counter_speech(text: str, mitigated: bool) -> None:
    signals = {f.signal: f.score for f in judge(text)}
    assert (signals.get("context.counter_speech", 0.0) >= REVIEW) is mitigated, judge(text)
    decision = action(text)
    if mitigated:
        assert decision is Action.REVIEW
    else:
        assert decision is Action.REMOVE


@pytest.mark.parametrize(("text", "harassment"), [
    ("La prof en avant, je la baiserais ben", True),
    ("Le gars avec la manette, j'le suce gratis 🍆", True),
    ("Chat with h0rny girls near Montréal", False),
    ("Pas besoin de prêt étudiant, je vends mes nudes", False),
])
def test_harassment_needs_a_person(text: str, harassment: bool) -> None:
    assert ("sexual.harassment" in strongest(text)) is harassment, judge(text)


def test_policy_maps_the_signals() -> None:
    assert set(POLICY.detectors) >= {NAME}
    for signal, category in [("abuse.sacre", "abuse"), ("threat.violence", "abuse"),
                             ("sexual.harassment", "abuse"), ("hate.slur", "hate"),
                             ("threat.death", "hate"), ("hate.defamation", "hate"),
                             ("sexual.explicit", "sexual"), ("sexual.harassment", "sexual")]:
        assert category in {c.slug for c in POLICY.categories_for(signal)}, signal
    for slug in ("hate", "abuse", "sexual"):
        assert POLICY.mitigates(POLICY.category(slug), "context.counter_speech")


def test_praise_with_a_sacre_is_removed_and_a_softened_oath_allowed() -> None:
    assert action("Les meilleurs, osti!") is Action.REMOVE
    assert action("Tabarouette, les meilleurs!") is Action.ALLOW


# -- the lexicon files ---------------------------------------------------------------------

def test_bundled_lexicons_load_and_declare_known_signals() -> None:
    lexicon = load_lexicon()
    assert lexicon.version
    assert lexicon.signals <= set(SIGNALS) | INTERNAL_SIGNALS
    assert {e.signal for e in lexicon.entries} >= set(SIGNALS) - {"context.counter_speech"}
    for entry in lexicon.entries:
        if entry.signal == "hate.slur":
            assert entry.target in {"origin", "religion", "gender", "gender_identity",
                                    "orientation", "disability", "group"}, entry.id
        assert entry.lang in {"fr", "fr-qc", "en", "any"}, entry.id


@pytest.mark.parametrize(("pattern", "forms"), [
    ("{je|tu} {vais|vas}", ["je vais", "je vas", "tu vais", "tu vas"]),
    ("va{|s}", ["va", "vas"]),
    ("plain", ["plain"]),
])
def test_expand(pattern: str, forms: list[str]) -> None:
    assert expand(pattern) == forms


def test_fold_pattern_folds_like_a_comment() -> None:
    assert fold_pattern("Câlisse-moi") == "calisse moi"
    assert fold_pattern("  Ça   va ") == "ca va"


def _reader(files: dict[str, str]) -> Callable[[str], str]:
    manifest = ("version: '0'\nscores: {high: 0.9}\nfiles: [" + ", ".join(files) + "]\n"
                "contexts: {x: {safe_words: [a]}}\n")
    return lambda name: manifest if name == "manifest.yaml" else files[name]


@pytest.mark.parametrize(("body", "message"), [
    ("term\tvariants\n", "header"),
    ("\t".join(COLUMNS) + "\nosti\t\tfr\tabuse\tabuse.sacre\thuge\t\t\t\n", "severity"),
    ("\t".join(COLUMNS) + "\nosti\t\tfr\tabuse\tabuse.sacre\thigh\t\tnope\t\n", "context"),
    ("\t".join(COLUMNS) + "\n{osti\t\tfr\tabuse\tabuse.sacre\thigh\t\t\t\n", "braces"),
    ("\t".join(COLUMNS) + "\nosti\tfr\n", "columns"),
])
def test_malformed_files_are_refused_with_their_location(body: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message) as error:
        _load(None, (), _reader({"bad.tsv": body}))
    assert "bad.tsv" in str(error.value)


def test_policy_allow_list_is_honoured() -> None:
    detector = LexiconDetector(LexiconOptions(allow=("Fuck Yeah Records",)))
    found = detector.detect(prepare_batch([comment("Signed with Fuck Yeah Records")]), [[]])[0]
    assert found == []


# -- the dev set (skipped where ../shared is absent) ----------------------------------------

def _dev() -> list[Comment]:
    return [r.comment for r in read_comments(DEV_SET) if r.comment is not None]


@needs_dev_set
def test_no_acceptable_dev_comment_is_removed_on_lexicon_evidence() -> None:
    comments = [c for c in _dev() if not c.labels]
    found = DETECTOR.detect(prepare_batch(comments), [[] for _ in comments])
    removed = [(c.id, [f.explanation for f in fs]) for c, fs in zip(comments, found, strict=True)
               if decide(POLICY, c, fs).action in (Action.REMOVE, Action.HIDE, Action.BLOCK)]
    assert removed == []


@needs_dev_set
@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_disguised_dev_positives_lose_under_five_points_of_recall(trick: str) -> None:
    mine = ("hate", "abuse", "sexual")
    comments = [c for c in _dev() if set(c.labels) & set(mine)]
    clean = DETECTOR.detect(prepare_batch(comments), [[] for _ in comments])
    rewritten = [
        c.model_copy(update={"text": obfuscate(
            c.text, trick, word_spans(c.text, [f.span for f in fs if f.span]))})
        for c, fs in zip(comments, clean, strict=True)
    ]
    disguised = DETECTOR.detect(prepare_batch(rewritten), [[] for _ in rewritten])

    def recall(found: list[list[Finding]], slug: str) -> float:
        hits = [any(POLICY.category(slug) in POLICY.categories_for(f.signal)
                    and f.score >= REVIEW for f in fs)
                for c, fs in zip(comments, found, strict=True) if slug in c.labels]
        return sum(hits) / len(hits)

    for slug in mine:
        loss = recall(clean, slug) - recall(disguised, slug)
        assert loss < 0.05, (slug, trick, json.dumps([c.text for c in rewritten][:3]))


def test_institution_placeholder_stands_for_the_policys_names() -> None:
    row = "{faire sauter} {le campus|à @institution}\tx"
    assert with_institution(row, ("Northfield Tech", "@northfieldtech")) == (
        "{faire sauter} {le campus|à Northfield Tech|à northfieldtech}\tx")
    assert with_institution(row, ()) == "{faire sauter} {le campus}\tx"
    assert with_institution("{a|b}", ("Poly",)) == "{a|b}"
