"""Inference of the learned judge, in numpy: two base models per head, a stacker, a cascade.

For each head (a content category of directive 6.4) the judge has:

* a **character stage**: a linear model over the hashed character and word n-grams of
  :func:`vigie.models.features.featurize` (cheap: about 20 µs a comment), decision value ``z_c``;
* a **sentence stage**: a linear model (or, for hate and abuse, a small one-layer network)
  over the 512-d USE-multilingual-v3 embedding of the raw text (:mod:`.encoder`, about 2 ms
  a comment), decision value ``z_e``;
* a **stacker** that adds the evidence up: ``p = sigmoid(a·z_c + b·z_e + c)``, fitted on
  out-of-fold decision values, so ``p`` is a calibrated probability of the two signals
  together; and, for comments in a language other than French or English (where character
  n-grams learned on French and English mean nothing), ``p = sigmoid(f·z_e + g)``;
* a **char-only** calibration ``sigmoid(u·z_c + v)`` used by the cascade.

The cascade: the character stage runs on every comment; the encoder runs only where the
char-only probability of some head reaches that head's *gate* (chosen at training time so that
almost every comment the stacker would send to review passes it), and always on comments
that are not French or English. Elsewhere the char-only probability is the score.

A model file is a compressed ``.npz`` (see :func:`save_judge`), float16 weights; loading needs
numpy only. Pure functions apart from loading.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.errors import DetectorError
from vigie.models.features import FEATURE_VERSION, featurize
from vigie.text.context_words import word_lists

__all__ = [
    "BUNDLED_JUDGE",
    "JudgeModel",
    "JudgeModelError",
    "Occlusion",
    "Scores",
    "bundled_judge_path",
    "load_bundled_judge",
    "load_judge",
    "occlusion",
    "save_judge",
]

BUNDLED_JUDGE = "judge-v1"

Array = npt.NDArray[np.float64]


class JudgeModelError(DetectorError):
    """A judge model file is missing, unreadable or was built for other features."""


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


@dataclass(frozen=True, slots=True)
class Scores:
    """What the judge computed for a batch.

    Attributes:
        probabilities: ``(n, n_heads)`` calibrated probabilities.
        encoded: ``(n,)`` whether the sentence encoder judged the comment.
        vectors: ``(n, 512)`` embeddings (zeros where the encoder did not run).
    """

    probabilities: Array
    encoded: npt.NDArray[np.bool_]
    vectors: npt.NDArray[np.float32] | None = None


@dataclass(frozen=True)
class JudgeModel:
    """The judge's weights (see the module docstring for what each part is).

    Attributes:
        heads: head names, in column order.
        bits: hash width of the character features.
        char_w: ``(2**bits, H)`` float32; char_b: ``(H,)``.
        enc_w: ``(512, H)`` float32; enc_b: ``(H,)``.
        stack: ``(H, 3)``: ``a, b, c`` of the stacker.
        foreign: ``(H, 2)``: ``f, g`` of the encoder-only calibration.
        char_cal: ``(H, 2)``: ``u, v`` of the char-only calibration.
        gates: ``(H,)``: char-only probability from which the encoder is consulted.
        meta: provenance, metrics and suggested thresholds.
        mlp_w1, mlp_b1, mlp_w2, mlp_b2, mlp_cols: for the heads whose sentence stage is a
            small network (one ReLU layer; an ensemble of the fold networks, whose logits are
            averaged): ``(M, 512, h)``, ``(M, h)``, ``(M, h)``, ``(M,)`` and the head column
            of each of the ``M`` networks. Those heads' ``enc_w`` columns are unused.
    """

    heads: tuple[str, ...]
    bits: int
    char_w: npt.NDArray[np.float32]
    char_b: Array
    enc_w: npt.NDArray[np.float32]
    enc_b: Array
    stack: Array
    foreign: Array
    char_cal: Array
    gates: Array
    meta: dict[str, Any] = field(default_factory=dict)
    mlp_w1: npt.NDArray[np.float32] | None = None
    mlp_b1: Array | None = None
    mlp_w2: Array | None = None
    mlp_b2: Array | None = None
    mlp_cols: npt.NDArray[np.int64] | None = None

    # -- stages ------------------------------------------------------------------------------

    def char_logits(self, folded: Sequence[str]) -> Array:
        """Decision values of the character stage, ``(n, H)`` (pure)."""
        batch = featurize(folded, self.bits)
        gathered = self.char_w[batch.cols]
        out = np.empty((batch.n_rows, len(self.heads)))
        for k in range(len(self.heads)):
            out[:, k] = np.bincount(batch.rows, weights=gathered[:, k] * batch.values,
                                    minlength=batch.n_rows)
        return out + self.char_b

    def enc_logits(self, vectors: npt.NDArray[np.float32]) -> Array:
        """Decision values of the sentence stage from embeddings ``(n, 512)`` (pure)."""
        x = vectors.astype(np.float32)
        out = (x @ self.enc_w).astype(np.float64) + self.enc_b
        if self.mlp_cols is not None and len(self.mlp_cols):
            assert self.mlp_w1 is not None and self.mlp_b1 is not None
            assert self.mlp_w2 is not None and self.mlp_b2 is not None
            sums: dict[int, Array] = {}
            counts: dict[int, int] = {}
            for m, col in enumerate(self.mlp_cols.tolist()):
                hidden = np.maximum(x @ self.mlp_w1[m] + self.mlp_b1[m].astype(np.float32), 0.0)
                z = hidden.astype(np.float64) @ self.mlp_w2[m] + self.mlp_b2[m]
                sums[col] = sums.get(col, 0.0) + z
                counts[col] = counts.get(col, 0) + 1
            for col, total in sums.items():
                out[:, col] = total / counts[col]
        return out

    def char_only(self, z_c: Array) -> Array:
        """Char-only calibrated probabilities (pure)."""
        return _sigmoid(self.char_cal[:, 0] * z_c + self.char_cal[:, 1])

    def stacked(self, z_c: Array, z_e: Array, native: npt.NDArray[np.bool_]) -> Array:
        """Stacked probabilities; ``native`` rows (French, English) use both stages (pure)."""
        both = _sigmoid(self.stack[:, 0] * z_c + self.stack[:, 1] * z_e + self.stack[:, 2])
        enc = _sigmoid(self.foreign[:, 0] * z_e + self.foreign[:, 1])
        return np.where(native[:, None], both, enc)

    def gates_for(self, coverage: float | None) -> Array:
        """The cascade's gates for a coverage measured at training (``None``: the default).

        ``coverage`` is the share of the out-of-fold comments the stacker sends to review
        whose char-only score reaches the gate (lower: fewer comments encoded, faster, some
        of them missed).

        Raises:
            JudgeModelError: the model has no gates for that coverage.
        """
        if coverage is None:
            return self.gates
        key = f"{coverage:g}"
        heads_meta: dict[str, Any] = self.meta.get("heads_meta", {})
        try:
            return np.array([float(heads_meta[h]["gates"][key]) for h in self.heads])
        except KeyError:
            first: dict[str, Any] = next(iter(heads_meta.values()), {})
            known = sorted(first.get("gates", {}))
            raise JudgeModelError(
                f"this judge has no cascade gates for coverage {key}; it has: "
                f"{', '.join(known) or 'none (retrain it with `vigie train`)'}") from None

    def needs_encoder(self, p_char: Array, native: npt.NDArray[np.bool_],
                      settle: float = 1.0, gates: Array | None = None
                      ) -> npt.NDArray[np.bool_]:
        """Rows the cascade sends to the encoder (pure).

        A French or English row is settled by the character stage when every head is either
        below its gate (clearly clean) or at ``settle`` or above (clearly in the category).
        """
        unsure = (p_char >= (self.gates if gates is None else gates)) & (p_char < settle)
        out: npt.NDArray[np.bool_] = ~native | np.any(unsure, axis=1)
        return out

    def score(self, raw: Sequence[str], folded: Sequence[str], native: Sequence[bool],
              embed: Callable[[Sequence[str]], npt.NDArray[np.float32]],
              cascade: bool = True, settle: float = 1.0,
              gates: Array | None = None,
              mixed: Sequence[bool] | None = None) -> Scores:
        """Calibrated probabilities of every head for a batch.

        Args:
            raw: texts as posted (the encoder reads these).
            folded: the same texts folded by :func:`vigie.text.normalize.normalize`.
            native: per text, whether it is French or English.
            embed: the sentence encoder (:func:`.encoder.encode`).
            cascade: ``False``: the encoder judges every text.
            settle: char-only probability from which a head needs no second opinion.
            gates: the cascade's gates (default: the model's, see :meth:`gates_for`).
            mixed: per text, whether its language is in doubt between French or English and
                another one: both readings (stacked and encoder-only) are scored and the
                higher counts, so a short insult in German read as French is not missed.
        """
        native_a = np.asarray(native, dtype=bool)
        z_c = self.char_logits(folded)
        p = self.char_only(z_c)
        mixed_a = (np.asarray(mixed, dtype=bool) if mixed is not None
                   else np.zeros(len(raw), dtype=bool))
        todo = (self.needs_encoder(p, native_a, settle, gates) | mixed_a if cascade
                else np.ones(len(raw), dtype=bool))
        vectors = np.zeros((len(raw), self.enc_w.shape[0]), dtype=np.float32)
        if todo.any():
            rows = np.flatnonzero(todo)
            vectors[rows] = embed([raw[int(i)] for i in rows])
            z_e = self.enc_logits(vectors[rows])
            p[rows] = self.stacked(z_c[rows], z_e, native_a[rows])
            both = mixed_a[rows]
            if both.any():
                other = self.stacked(z_c[rows][both], z_e[both], ~native_a[rows][both])
                p[rows[both]] = np.maximum(p[rows[both]], other)
        return Scores(p, todo, vectors)


_WORD = re.compile(r"\w+", re.UNICODE)
@lru_cache(maxsize=65536)
def _plain(word: str) -> str:
    """Lower case without accents, as the stop word list is written (pure, memoised)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold())
                   if not unicodedata.combining(c))


_NEGATIONS = frozenset({"ne", "n", "pas", "non", "aucun", "aucune", "jamais", "rien", "ni",
                        "not", "no", "never", "nothing", "nor", "nobody", "none"})


@dataclass(frozen=True, slots=True)
class Occlusion:
    """A text's words and the judge's scores with each word removed.

    Attributes:
        words: ``(word, (start, end))`` in the original text, at most ``max_tokens``.
        scores: ``(len(words), H)`` probabilities of the text without that word.
    """

    words: tuple[tuple[str, tuple[int, int]], ...]
    scores: Array

    def cues(self, head: int, base: float, limit: int = 3
             ) -> list[tuple[str, tuple[int, int], float]]:
        """Up to ``limit`` ``(word, span, drop)`` for ``head``, largest drop first (drop > 0)."""
        if not self.words:
            return []
        drops = base - self.scores[:, head]
        out: list[tuple[str, tuple[int, int], float]] = []
        seen: set[str] = set()
        for i in np.argsort(-drops, kind="stable"):
            word = self.words[i][0].casefold()
            if drops[i] <= 0.0 or len(out) == limit:
                break
            if word not in seen:  # a word said twice is named once, at its strongest
                seen.add(word)
                out.append((*self.words[i], float(drops[i])))
        return out


def occlusion(model: JudgeModel, texts: Sequence[str], native: Sequence[bool],
              encoded: Sequence[bool], fold: Callable[[str], str],
              embed: Callable[[Sequence[str]], npt.NDArray[np.float32]],
              max_tokens: int = 16,
              vectors: npt.NDArray[np.float32] | None = None) -> list[Occlusion]:
    """Score every text with each of its words removed in turn, the whole batch at once.

    What drives a head's score is then the words whose removal lowers it most (see
    :meth:`Occlusion.cues`). In French or English, a word's removal is measured on the
    character stage with the sentence stage held at the whole text's value (the encoder is
    not called once per word); a text in another language, judged by the encoder alone,
    has its variants encoded (one encoder call for the batch); a text the encoder did not
    judge is rescored by the character stage alone, as it was scored.

    Args:
        model: the judge.
        texts: comments as posted; spans are in these texts.
        native: per text, whether it is French or English.
        encoded: per text, whether the encoder judged it.
        fold: the folding function (the text of :func:`vigie.text.normalize.normalize`).
        embed: the sentence encoder.
        max_tokens: words tried per text, from its start.
        vectors: the texts' embeddings when already computed (else ``embed`` is called).
    """
    def sentence_vectors(rows: Sequence[int]) -> npt.NDArray[np.float32]:
        if vectors is not None:
            return vectors[list(rows)]
        return embed([texts[i] for i in rows])

    # Function words are not tried ("les", "sont", "the" explain nothing and cost a variant
    # each), negations are ("pas", "not": "X are not human" turns on them).
    skip = word_lists().stopwords - _NEGATIONS
    words = [tuple((m.group(0), m.span()) for m in _WORD.finditer(t)
                   if _plain(m.group(0)) not in skip)[:max_tokens]
             for t in texts]
    variants, owner = [], []
    for i, (text, found) in enumerate(zip(texts, words, strict=True)):
        for _, (start, end) in found:
            variants.append(text[:start] + text[end:])
            owner.append(i)
    if not variants:
        return [Occlusion(w, np.zeros((0, len(model.heads)))) for w in words]
    owners = np.array(owner)
    z_c = model.char_logits([fold(v) for v in variants])
    scores = model.char_only(z_c)
    enc_flags = np.asarray(encoded, dtype=bool)
    nat_flags = np.asarray(native, dtype=bool)
    # French or English text the encoder judged: each word's removal moves the character
    # stage, the sentence stage held at the whole text's value (no encoder call per word).
    held = np.flatnonzero(enc_flags[owners] & nat_flags[owners])
    if len(held):
        whole = [i for i in range(len(texts)) if enc_flags[i] and nat_flags[i]]
        z_whole = model.enc_logits(sentence_vectors(whole))
        index = {i: j for j, i in enumerate(whole)}
        z_e = z_whole[[index[int(owners[j])] for j in held]]
        scores[held] = model.stacked(z_c[held], z_e, np.ones(len(held), dtype=bool))
    # Another language: only the sentence stage speaks, so each variant is encoded.
    foreign = np.flatnonzero(enc_flags[owners] & ~nat_flags[owners])
    if len(foreign):
        z_e = model.enc_logits(embed([variants[int(j)] for j in foreign]))
        scores[foreign] = model.stacked(z_c[foreign], z_e, np.zeros(len(foreign), dtype=bool))
    return [Occlusion(words[i], scores[owners == i]) for i in range(len(texts))]


# -- files -----------------------------------------------------------------------------------

_ARRAYS = ("char_w", "char_b", "enc_w", "enc_b", "stack", "foreign", "char_cal", "gates")
_MLP = ("mlp_w1", "mlp_b1", "mlp_w2", "mlp_b2", "mlp_cols")


def save_judge(model: JudgeModel, path: Path) -> Path:
    """Write ``model`` as a compressed ``.npz`` (weights in float16)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {
        "char_w": model.char_w.astype(np.float16), "enc_w": model.enc_w.astype(np.float16)}
    for name in ("char_b", "enc_b", "stack", "foreign", "char_cal", "gates"):
        arrays[name] = np.asarray(getattr(model, name), dtype=np.float64)
    if model.mlp_cols is not None:
        arrays["mlp_w1"] = np.asarray(model.mlp_w1).astype(np.float16)
        arrays["mlp_b1"] = np.asarray(model.mlp_b1, dtype=np.float64)
        arrays["mlp_w2"] = np.asarray(model.mlp_w2, dtype=np.float64)
        arrays["mlp_b2"] = np.asarray(model.mlp_b2, dtype=np.float64)
        arrays["mlp_cols"] = np.asarray(model.mlp_cols, dtype=np.int64)
    with path.open("wb") as handle:
        np.savez_compressed(handle, heads=np.array(model.heads),
                            meta=np.array(json.dumps(model.meta, ensure_ascii=False,
                                                     sort_keys=True)), **arrays)
    return path


def load_judge(path: str | Path) -> JudgeModel:
    """Load a judge written by :func:`save_judge`.

    Raises:
        JudgeModelError: the file is missing or unreadable, or its feature version differs.
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            heads = tuple(str(h) for h in data["heads"])
            parts = {name: data[name] for name in _ARRAYS}
            mlp = ({name: data[name] for name in _MLP} if "mlp_cols" in data.files else {})
    except (OSError, KeyError, ValueError) as error:
        raise JudgeModelError(f"{path}: cannot load the judge: {error}") from None
    if meta.get("feature_version") != FEATURE_VERSION:
        raise JudgeModelError(
            f"{path}: built for features {meta.get('feature_version')!r}, this code hashes "
            f"{FEATURE_VERSION!r}; rebuild it with `vigie train`")
    bits = int(meta["bits"])
    if parts["char_w"].shape != (2**bits, len(heads)):
        raise JudgeModelError(f"{path}: char weights have shape {parts['char_w'].shape}")
    return JudgeModel(
        heads, bits, parts["char_w"].astype(np.float32), parts["char_b"].astype(np.float64),
        parts["enc_w"].astype(np.float32), parts["enc_b"].astype(np.float64),
        parts["stack"].astype(np.float64), parts["foreign"].astype(np.float64),
        parts["char_cal"].astype(np.float64), parts["gates"].astype(np.float64), meta,
        mlp["mlp_w1"].astype(np.float32) if mlp else None,
        mlp["mlp_b1"].astype(np.float64) if mlp else None,
        mlp["mlp_w2"].astype(np.float64) if mlp else None,
        mlp["mlp_b2"].astype(np.float64) if mlp else None,
        mlp["mlp_cols"].astype(np.int64) if mlp else None)


def bundled_judge_path(name: str = BUNDLED_JUDGE) -> Path:
    """Path of a judge shipped in ``vigie/data/models/`` (it may not exist)."""
    return Path(str(resources.files("vigie").joinpath("data", "models", f"{name}.npz")))


_CACHE: dict[str, JudgeModel] = {}
_LOCK = threading.Lock()


def load_bundled_judge(name: str = BUNDLED_JUDGE) -> JudgeModel:
    """Load a shipped judge once per process (thread-safe).

    Raises:
        JudgeModelError: see :func:`load_judge`.
    """
    with _LOCK:
        if name not in _CACHE:
            _CACHE[name] = load_judge(bundled_judge_path(name))
        return _CACHE[name]
