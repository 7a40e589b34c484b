"""The judge's figures for ``vigie quality-report``: always on data it was never trained on.

Sections (Markdown lines, appended to ``docs/quality.md``):

1. **held-out public rows** per data set, head and language: P / R / F1 at the policy's
   review threshold and at 0.5, ROC AUC, and calibration (ECE, 10 bins) — the fixed
   held-out parts of :mod:`.corpus`, never trained on;
2. **leave one data set out**: the base models refitted without a whole data set (the
   stacker kept), then measured on that data set; "toxic" is hate or abuse;
3. **functional suite** per function (``vigie/data/training/judge_suite``, never trained
   on): hate recall, and for free expression (counter-speech, quoting to condemn, negated
   hate, reclaimed terms, criticism, praise) the share flagged and the share removed;
4. **other languages**: which categories are flagged on the suite's foreign comments;
5. **the judge alone on the dev set** by fixed half (no dev row is trained on).

Needs the ``train`` extra for section 2 (it refits); embeddings are cached outside the repo.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vigie.models.corpus import Example, dev_split
from vigie.models.judge.corpus import dataset_of, judge_examples, suite_examples
from vigie.models.judge.encoder import EmbeddingCache
from vigie.models.judge.model import JudgeModel
from vigie.models.judge.train import NATIVE, JudgeConfig, fit_base, load_data
from vigie.text.normalize import normalize

__all__ = ["ece", "judge_sections", "score_examples", "thresholds_from_policy"]

Array = npt.NDArray[np.float64]


def ece(y: npt.NDArray[np.int64], p: Array, bins: int = 10) -> float:
    """Expected calibration error with equal-width bins (pure)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.sum() / len(p) * abs(float(p[sel].mean()) - float(y[sel].mean()))
    return total


def _prf(y: npt.NDArray[np.int64], pred: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _auc(y: npt.NDArray[np.int64], s: Array) -> float:
    """ROC AUC by the rank-sum formula (ties averaged); NaN without both classes (pure)."""
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if not pos or not neg:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    for value in np.unique(s[np.r_[np.diff(np.sort(s)) == 0, False]]):
        tied = s == value
        ranks[tied] = ranks[tied].mean()
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def thresholds_from_policy(policy: object) -> dict[str, tuple[float, float]]:
    """Per head, the ``(review, remove)`` thresholds the policy gives ``judge.<head>``.

    ``remove`` is infinite where the signal alone may not remove (``max_action: review``).
    """
    out: dict[str, tuple[float, float]] = {}
    for rule in policy.categories:  # type: ignore[attr-defined]
        for entry in rule.signals:
            if entry.pattern.startswith("judge."):
                review, remove = policy.thresholds(rule)  # type: ignore[attr-defined]
                if entry.remove_threshold is not None:
                    remove = entry.remove_threshold
                if entry.max_action == "review":
                    remove = float("inf")  # the signal alone never removes
                out[entry.pattern.split(".", 1)[1]] = (
                    entry.review_threshold if entry.review_threshold is not None else review,
                    remove)
    return out


def score_examples(model: JudgeModel, examples: Sequence[Example], cache: EmbeddingCache,
                   cascade: bool = False, log: Callable[[str], None] = print) -> Array:
    """Judge probabilities ``(n, H)`` of examples (embeddings from the cache)."""
    raw = [e.text for e in examples]
    folded = [normalize(t).text for t in raw]
    native = [e.lang in NATIVE for e in examples]

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return cache.get(list(texts), log=log)

    return model.score(raw, folded, native, embed, cascade=cascade).probabilities


def _cell(y: npt.NDArray[np.int64], p: Array, review: float) -> str:
    pr, rr, fr = _prf(y, p >= review)
    p5, r5, f5 = _prf(y, p >= 0.5)
    return (f"{_auc(y, p):.3f} | {pr:.2f} / {rr:.2f} / **{fr:.2f}** | "
            f"{p5:.2f} / {r5:.2f} / {f5:.2f} | {ece(y, p):.3f}")


def _lang(e: Example) -> str:
    return "fr" if e.lang.startswith("fr") else e.lang


def _heldout_section(model: JudgeModel, held: list[Example], probs: Array,
                     thresholds: dict[str, tuple[float, float]]) -> list[str]:
    out = ["## Judge 1. Public held-out rows (never trained on)", "",
           "Fixed held-out parts of every public set (`vigie.models.judge.corpus`). Each row: "
           "ROC AUC | P / R / F1 at the policy's review threshold for `judge.<head>` | at 0.5 "
           "| ECE (10 bins). *toxic* = hate or abuse (max of the two scores), on the sets that "
           "label abuse.", "",
           "| set | head | lang | n (pos) | AUC | at review threshold | at 0.5 | ECE |",
           "|---|---|---|---:|---:|---|---|---:|"]
    sets = sorted({dataset_of(e) for e in held})
    for name in sets:
        for head in (*model.heads, "toxic"):
            for lang in sorted({_lang(e) for e in held if dataset_of(e) == name}):
                idx, y = _rows_for(held, name, head, lang)
                if len(idx) < 20 or y.sum() < 5 or y.sum() == len(y):
                    continue
                p = _head_scores(model, probs[idx], head)
                review = thresholds.get("hate" if head == "toxic" else head, (0.5, 0.9))[0]
                out.append(f"| {name} | {head} | {lang} | {len(y)} ({int(y.sum())}) | "
                           + _cell(y, p, review) + " |")
    out.append("")
    return out


def _rows_for(examples: Sequence[Example], name: str | None, head: str,
              lang: str | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    idx, y = [], []
    for i, e in enumerate(examples):
        if name is not None and dataset_of(e) != name:
            continue
        if lang is not None and _lang(e) != lang:
            continue
        if head == "toxic":
            # Toxic (hate or abuse) only where the set labels abuse, the broader of the two:
            # a set that labels hate alone would count every insult as a false positive.
            if "abuse" not in e.labels:
                continue
            known = [e.labels[h] for h in ("hate", "abuse") if h in e.labels]
            idx.append(i)
            y.append(int(any(known)))
        elif head in e.labels:
            idx.append(i)
            y.append(e.labels[head])
    return np.array(idx, dtype=np.int64), np.array(y, dtype=np.int64)


def _head_scores(model: JudgeModel, probs: Array, head: str) -> Array:
    if head == "toxic":
        return np.maximum(probs[:, model.heads.index("hate")],
                          probs[:, model.heads.index("abuse")])
    return probs[:, model.heads.index(head)]


_LODO = ("fr_hate_superset", "davidson", "olid_en", "mlma", "toxigen", "conan",
         "youtube_spam_uci", "sms_spam_uci")


def _lodo_section(model: JudgeModel, config: JudgeConfig, every: list[Example],
                  cache: EmbeddingCache, log: Callable[[str], None]) -> list[str]:
    from vigie.models.train import _csr

    out = ["## Judge 2. Leave one data set out", "",
           "For each public set: both base models of the heads it labels refitted on every "
           "*other* set and the project's examples (the stacker's coefficients kept), then "
           "measured on the whole left-out set. *toxic* = hate or abuse. P / R / F1 at 0.5.", "",
           "| left out | head | lang | n (pos) | AUC | P / R / F1 at 0.5 |",
           "|---|---|---|---:|---:|---|"]
    data = load_data(config, log=lambda _: None)
    for name in _LODO:
        log(f"leave one out: {name}")
        target = [e for e in every if dataset_of(e) == name]
        heads = [h for h in model.heads
                 if sum(h in e.labels for e in target) >= 50 and h in ("hate", "abuse", "spam")]
        chars = _csr([e.text for e in target], config.bits)
        vectors = cache.get([e.text for e in target], log=lambda _: None)
        native = np.array([e.lang in NATIVE for e in target])
        probs = np.zeros((len(target), len(model.heads)))
        for head in heads:
            k = model.heads.index(head)
            rows = np.array([i for i, e in enumerate(data.examples)
                             if head in e.labels and dataset_of(e) != name], dtype=np.int64)
            cw, cb, sentence = fit_base(data, head, config, rows)
            z_c = chars @ cw + cb
            z_e = sentence(vectors)
            zc = np.zeros((len(target), len(model.heads)))
            ze = np.zeros((len(target), len(model.heads)))
            zc[:, k], ze[:, k] = z_c, z_e
            probs[:, k] = model.stacked(zc, ze, native)[:, k]
        shown = heads + (["toxic"] if {"hate", "abuse"} & set(heads) else [])
        for head in shown:
            for lang in sorted({_lang(e) for e in target}):
                idx, y = _rows_for(target, None, head, lang)
                if len(idx) < 20 or y.sum() < 5 or y.sum() == len(y):
                    continue
                if head == "toxic":
                    cols = [model.heads.index(h) for h in ("hate", "abuse") if h in heads]
                    p = probs[idx][:, cols].max(axis=1)
                else:
                    p = probs[idx, model.heads.index(head)]
                pr, rr, fr = _prf(y, p >= 0.5)
                out.append(f"| {name} | {head} | {lang} | {len(y)} ({int(y.sum())}) | "
                           f"{_auc(y, p):.3f} | {pr:.2f} / {rr:.2f} / **{fr:.2f}** |")
    out.append("")
    return out


def _suite_section(model: JudgeModel, suite: list[Example], probs: Array,
                   thresholds: dict[str, tuple[float, float]]) -> list[str]:
    k = model.heads.index("hate")
    review, remove = thresholds.get("hate", (0.5, 0.9))
    out = ["## Judge 3. Functional suite (written apart, never trained on)", "",
           f"`judge.hate` against the policy's thresholds (review ≥ {review:.2f}, removal ≥ "
           f"{remove:.2f}). Hate functions: recall (share at least sent to review). Free "
           "expression: share flagged (review or more) and share removed; *praise*: share "
           "scored `sexual` at review or more.", "",
           "| function | kind | n | fr | en | flagged | removed |",
           "|---|---|---:|---:|---:|---:|---:|"]
    functions = sorted({e.extra["function"] for e in suite if e.extra["function"] != "foreign"})
    for function in functions:
        rows = [i for i, e in enumerate(suite) if e.extra["function"] == function]
        hate = bool(suite[rows[0]].labels["hate"])
        col = model.heads.index("sexual") if function == "praise" else k
        head = "sexual" if function == "praise" else "hate"
        rv, rm = thresholds.get(head, (0.5, 0.9))
        flagged = probs[rows, col] >= rv
        removed = probs[rows, col] >= rm
        by_lang = {}
        for lang in ("fr", "en"):
            sel = [j for j, i in enumerate(rows) if _lang(suite[i]) == lang]
            by_lang[lang] = f"{flagged[sel].mean():.2f}" if sel else "—"
        out.append(f"| {function} | {'hate' if hate else 'free expression'} | {len(rows)} | "
                   f"{by_lang['fr']} | {by_lang['en']} | {flagged.mean():.2f} | "
                   f"{removed.mean():.2f} |")
    hate_rows = [i for i, e in enumerate(suite) if e.labels["hate"]
                 and e.extra["function"] != "foreign"]
    free_rows = [i for i, e in enumerate(suite) if not e.labels["hate"]
                 and e.extra["function"] not in ("foreign", "praise")]
    out += ["", f"All hate functions: recall {np.mean(probs[hate_rows, k] >= review):.2f} "
            f"({len(hate_rows)}); all free expression: flagged "
            f"{np.mean(probs[free_rows, k] >= review):.2f}, removed "
            f"{np.mean(probs[free_rows, k] >= remove):.2f} ({len(free_rows)}).", ""]
    return out


def _foreign_section(model: JudgeModel, suite: list[Example], probs: Array,
                     thresholds: dict[str, tuple[float, float]]) -> list[str]:
    rows = [i for i, e in enumerate(suite) if e.extra["function"] == "foreign"]
    heads = ("hate", "abuse", "sexual", "spam")
    out = ["## Judge 4. Other languages (suite, never trained on)", "",
           "Comments in Spanish, German, Portuguese, Italian, Russian, Arabic and Chinese: the "
           "encoder judges them (the character stage does not). *flagged*: heads at or above "
           "their review threshold.", "", "| lang | expected | flagged |", "|---|---|---|"]
    hits = 0
    benign_clean = 0
    benign = 0
    for i in rows:
        e = suite[i]
        got = [h for h in heads if probs[i, model.heads.index(h)]
               >= thresholds.get(h, (0.5, 0.9))[0]]
        expected = [h for h in heads if e.labels.get(h)]
        if expected:
            hits += int(bool(set(got) & set(expected)))
        else:
            benign += 1
            benign_clean += int(not got)
        out.append(f"| {e.lang} | {', '.join(expected) or '—'} | {', '.join(got) or '—'} |")
    bad = len(rows) - benign
    out += ["", f"Harmful comments with an expected category flagged: {hits}/{bad}; benign "
            f"comments with nothing flagged: {benign_clean}/{benign}.", ""]
    return out


def _dev_section(model: JudgeModel, data: Path, cache: EmbeddingCache,
                 thresholds: dict[str, tuple[float, float]]) -> list[str]:
    rows = [json.loads(line) for line in
            (data / "dev" / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    from vigie.text.langid import identify

    guesses = identify([r["text"] for r in rows])
    examples = [Example(r["text"], g.lang if g.score >= 0.8 and g.words >= 3 else "fr",
                        "dev", "heldout", {}) for r, g in zip(rows, guesses, strict=True)]
    probs = score_examples(model, examples, cache, cascade=True, log=lambda _: None)
    out = ["## Judge 5. The judge alone on the dev set", "",
           "Each head against the dev label of the same name, at the policy's review "
           "threshold, on the two fixed halves (no dev row is trained on; thresholds come "
           "from out-of-fold public and written data, not from the dev set).", "",
           "| head | AUC | tune half P / R / F1 | report half P / R / F1 | support |",
           "|---|---:|---|---|---:|"]
    halves = np.array([dev_split(r["id"]) for r in rows])
    for k, head in enumerate(model.heads):
        y = np.array([int(head in r["labels"]) for r in rows])
        review = thresholds.get(head, (0.5, 0.9))[0]
        cells = []
        for half in ("tune", "report"):
            sel = halves == half
            p, r, f = _prf(y[sel], probs[sel, k] >= review)
            cells.append(f"{p:.2f} / {r:.2f} / {f:.2f}")
        out.append(f"| {head} | {_auc(y, probs[:, k]):.3f} | {cells[0]} | {cells[1]} | "
                   f"{int(y.sum())} |")
    out.append("")
    return out


def _cascade_section(model: JudgeModel, held: list[Example], cache: EmbeddingCache,
                     full: Array, thresholds: dict[str, tuple[float, float]]) -> list[str]:
    """The quality side of the quality/speed curve: what each cascade coverage keeps."""
    from vigie.models.judge.train import GATE_COVERAGES

    raw = [e.text for e in held]
    folded = [normalize(t).text for t in raw]
    native = [e.lang in NATIVE for e in held]

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return cache.get(list(texts), log=lambda _: None)

    reviews = np.array([thresholds.get(h, (0.5, 0.9))[0] for h in model.heads])
    flagged_full = full >= reviews
    out = ["## Judge 6. Quality/speed curve of the cascade", "",
           "Public held-out rows (as in Judge 1). *coverage*: the share of the out-of-fold "
           "comments the judge would send to review whose character-stage score reaches the "
           "gate (the detector's `coverage` option; the model's default is "
           f"{model.meta.get('default_coverage', 0.99)}). *encoded*: share of the rows the "
           "sentence encoder judges. *flags kept*: share of the (row, category) flags of the "
           "judge without cascade that the cascade also raises. F1 at the policy's review "
           "thresholds. Comments per second at each point: `vigie bench --with cascade` "
           "(README, Speed).", "",
           "| coverage | encoded | flags kept | hate F1 | abuse F1 | spam F1 |",
           "|---|---:|---:|---:|---:|---:|"]
    points: list[tuple[str, Array | None, bool]] = [("off (encoder always)", None, False)]
    points += [(f"{c:g}", model.gates_for(c), True) for c in sorted(GATE_COVERAGES,
                                                                    reverse=True)]
    for name, gates, cascade in points:
        scores = (model.score(raw, folded, native, embed, cascade=True, gates=gates)
                  if cascade else None)
        probs = scores.probabilities if scores is not None else full
        share = float(scores.encoded.mean()) if scores is not None else 1.0
        flagged = probs >= reviews
        kept = float((flagged & flagged_full).sum() / max(int(flagged_full.sum()), 1))
        cells = []
        for head in ("hate", "abuse", "spam"):
            idx, y = _rows_for(held, None, head, None)
            k = model.heads.index(head)
            cells.append(f"{_prf(y, probs[idx, k] >= reviews[k])[2]:.3f}")
        out.append(f"| {name} | {share:.1%} | {kept:.1%} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def judge_sections(data: Path, model: JudgeModel, policy: object,
                   log: Callable[[str], None] = print, lodo: bool = True,
                   cache_dir: Path = Path("/tmp/judge-cache/use")) -> list[str]:
    """Every judge section of the quality report (Markdown lines)."""
    config = JudgeConfig(data / "public", cache=cache_dir, seed=int(model.meta.get("seed", 13)),
                         bits=model.bits)
    cache = EmbeddingCache(cache_dir)
    thresholds = thresholds_from_policy(policy)
    every = judge_examples(config.data_root, config.seed)
    held = [e for e in every if e.split == "heldout"]
    log(f"judge: {len(held):,} held-out public rows")
    probs = score_examples(model, held, cache, log=log)
    suite = suite_examples()
    suite_probs = score_examples(model, suite, cache, cascade=True, log=lambda _: None)
    lines = [f"# The learned judge (`vigie.judge.v1`, model `{model.meta.get('name')}` trained "
             f"on {model.meta.get('trained_on')}, data {str(model.meta.get('data_digest'))[:19]}"
             "…; card: `docs/models/judge-v1.md`)", ""]
    lines += _heldout_section(model, held, probs, thresholds)
    if lodo:
        lines += _lodo_section(model, config, every, cache, log)
    lines += _suite_section(model, suite, suite_probs, thresholds)
    lines += _foreign_section(model, suite, suite_probs, thresholds)
    lines += _dev_section(model, data, cache, thresholds)
    lines += _cascade_section(model, held, cache, probs, thresholds)
    return lines
