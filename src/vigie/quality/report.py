"""``vigie quality-report``: the quality report (``docs/quality.md``), generated, never edited.

What it measures, in one run:

1. the **whole system** (every detector the policy enables) on the labeled dev set, per
   category, on all rows and on the two fixed halves (:func:`vigie.models.corpus.dev_split`),
   for French and English separately, with and without the learned signals (``ml.*``, ``judge.*``);
2. the **learned heads alone** on the dev set (ROC AUC and P/R/F1 at probability 0.5);
3. the learned heads on **public held-out rows** that were never trained on: the test split
   of ``fr_hate_superset``, 20 % of Davidson, all of OLID, the Shakira video of the YouTube
   spam set (split by video) and 20 % of the SMS spam set;
4. side by side on the same rows, the profanity packages that install offline
   (``alt-profanity-check``, ``glin-profanity``) when they are importable (the optional
   ``compare`` environment; they are not Vigie dependencies).

No dev row is ever trained on. The dev halves exist so that policy lines tuned by looking at
``tune`` can be checked on ``report``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.models.corpus import HEADS, Example, dev_split, public_examples
from vigie.models.model import LinearModel, load_bundled
from vigie.policy import Policy
from vigie.quality.evaluate import evaluate
from vigie.quality.offtopic import offtopic_section, without_learned_relatedness
from vigie.text.normalize import normalize

__all__ = ["auc", "prf", "write_report"]

Scorer = Callable[[Sequence[str]], npt.NDArray[np.float64]]


def auc(y: npt.NDArray[np.int64], s: npt.NDArray[np.float64]) -> float:
    """ROC AUC by the rank-sum formula, ties counted half; NaN without both classes (pure)."""
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if not pos or not neg:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def prf(y: npt.NDArray[np.int64], pred: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean predictions (pure)."""
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _without_ml(policy: Policy) -> Policy:
    data = policy.model_dump(mode="json")
    learned = ("vigie.ml.linear.v1", "vigie.judge.v1")
    data["detectors"] = {k: v for k, v in data["detectors"].items() if k not in learned}
    for rule in data["categories"]:
        rule["signals"] = [s for s in rule["signals"]
                           if not s["pattern"].startswith(("ml.", "judge."))]
        rule["mitigated_by"] = [s for s in rule["mitigated_by"]
                                if not s.startswith(("ml.", "judge."))]
    return without_learned_relatedness(Policy.model_validate(data))


def _dev_section(data: Path, policy: Policy, log: Callable[[str], None]) -> list[str]:
    from vigie.batch.reader import read_comments
    from vigie.pipeline import Pipeline
    from vigie.routing import PolicyRouter

    path = data / "dev" / "comments.jsonl"
    comments = [r.comment for r in read_comments(path) if r.comment is not None]
    meta = {}
    meta_path = data / "dev" / "comments.meta.tsv"
    if meta_path.exists():
        for line in meta_path.read_text(encoding="utf-8").splitlines()[1:]:
            cid, lang, *_ = line.split("\t")
            meta[cid] = lang
    out = ["## 1. Whole system on the dev set", "",
           f"`{path.name}`: {len(comments)} labeled comments; every detector enabled by the "
           f"policy `{policy.id}` ({policy.short_digest}). A category counts as predicted when "
           "its action is review or stronger. *Languages* are the set's own `lang` column. "
           "*Halves*: a fixed hash of the comment id (`tune` may have guided policy lines and "
           "fits the off-topic relatedness; `report` is for reporting). No other dev row is "
           "trained on. Comments posted during a period of the policy (1–10 December) are "
           "decided under it, as `vigie eval` does.", ""]
    runs = {"with learned": policy, "without learned": _without_ml(policy)}
    decisions = {}
    for name, pol in runs.items():
        log(f"dev set: {name}")
        # As `vigie eval` decides: each comment under the policy in force when it was posted
        # (a period, such as the days around 6 December, included).
        decisions[name] = PolicyRouter(pol, Pipeline.from_policy).moderate(comments)
    subsets: list[tuple[str, Callable[[Any], bool]]] = [
        ("all", lambda c: True),
        ("fr", lambda c: meta.get(c.id) == "fr"),
        ("en", lambda c: meta.get(c.id) == "en"),
        ("tune half", lambda c: dev_split(c.id) == "tune"),
        ("report half", lambda c: dev_split(c.id) == "report"),
    ]
    out += ["| rows | n | macro F1 with learned | macro F1 without | false removals with learned "
            "| without |", "|---|---:|---:|---:|---:|---:|"]
    reports = {}
    for label, keep in subsets:
        row = []
        for name in runs:
            pairs = [(c, d) for c, d in zip(comments, decisions[name], strict=True) if keep(c)]
            reports[(label, name)] = evaluate(policy.slugs, pairs)
            row.append(reports[(label, name)])
        with_ml, without = row
        out.append(f"| {label} | {with_ml.n} | {with_ml.macro_f1:.3f} | {without.macro_f1:.3f} "
                   f"| {with_ml.false_removal_rate:.2%} ({with_ml.false_removals}/"
                   f"{with_ml.acceptable}) | {without.false_removal_rate:.2%} |")
    out += ["", "Per category (P / R / F1, support), with the learned signals:", "",
            "| category | all | fr | en | tune half | report half | all, without learned |",
            "|---|---|---|---|---|---|---|"]
    for slug in policy.slugs:
        cells = []
        for label in ("all", "fr", "en", "tune half", "report half"):
            s = reports[(label, "with learned")].per_category[slug]
            cells.append(f"{s.precision:.2f} / {s.recall:.2f} / **{s.f1:.2f}** ({s.support})")
        s = reports[("all", "without learned")].per_category[slug]
        cells.append(f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}")
        out.append(f"| {slug} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def _dev_heads(data: Path, model: LinearModel) -> list[str]:
    rows = [json.loads(line) for line in
            (data / "dev" / "comments.jsonl").read_text(encoding="utf-8").splitlines()]
    probs = model.predict_proba([normalize(r["text"]).text for r in rows])
    out = ["## 2. Learned heads alone on the dev set", "",
           "Each head against the dev label of the same name, on every row (foreign-language "
           "rows included, although the detector does not score them). AUC is threshold-free; "
           "P/R/F1 at probability 0.5.", "",
           "| head | AUC | P / R / F1 at 0.5 | support |", "|---|---:|---|---:|"]
    for k, head in enumerate(model.heads):
        y = np.array([int(head in r["labels"]) for r in rows])
        p, r, f = prf(y, probs[:, k] >= 0.5)
        out.append(f"| {head} | {auc(y, probs[:, k]):.3f} | {p:.2f} / {r:.2f} / {f:.2f} "
                   f"| {int(y.sum())} |")
    out.append("")
    return out


def _comparators(log: Callable[[str], None]) -> dict[str, Scorer]:
    found: dict[str, Scorer] = {}
    try:
        from profanity_check import predict_prob  # type: ignore[import-not-found]

        found["alt-profanity-check"] = lambda texts: np.asarray(predict_prob(list(texts)),
                                                                 dtype=np.float64)
    except ImportError:
        log("alt-profanity-check is not installed: left out of the comparison")
    try:
        from glin_profanity import Filter  # type: ignore[import-not-found]

        # Its default dictionary is English; the French list is added (it is the only
        # French-aware option it has).
        glin = Filter({"languages": ["english", "french"]})
        found["glin-profanity"] = lambda texts: np.array(
            [float(glin.is_profane(t)) for t in texts], dtype=np.float64)
    except ImportError:
        log("glin-profanity is not installed: left out of the comparison")
    except Exception as error:  # a comparator that fails is reported, not fatal
        log(f"glin-profanity failed to start: {error}")
    return found


_PUBLIC_TASKS: tuple[tuple[str, str, Callable[[Example], bool], str], ...] = (
    ("fr_hate_superset test split", "hate",
     lambda e: e.source.startswith("fr_hate_superset") and e.extra.get("file") == "test_2000.csv",
     "fr"),
    ("Davidson held-out 20 %", "hate", lambda e: e.source == "davidson", "en"),
    ("Davidson held-out 20 %", "abuse", lambda e: e.source == "davidson", "en"),
    ("OLID (never trained on)", "abuse", lambda e: e.source == "olid_en", "en"),
    ("OLID (never trained on)", "hate", lambda e: e.source == "olid_en", "en"),
    ("YouTube spam, Shakira video", "spam", lambda e: e.source == "youtube_spam_uci", "en"),
    ("SMS spam held-out 20 %", "spam", lambda e: e.source == "sms_spam_uci", "en"),
    ("MLMA en held-out 20 %", "abuse", lambda e: e.source == "mlma_en", "en"),
    ("SMS spam, French machine translation, held-out 20 %", "spam",
     lambda e: e.source == "sms_spam_mt_fr", "fr (MT)"),
)


def _public_section(data: Path, model: LinearModel, log: Callable[[str], None]) -> list[str]:
    examples = [e for e in public_examples(data / "public") if e.split == "heldout"]
    comparators = _comparators(log)
    names = ["vigie ml", *comparators]
    out = ["## 3. Learned heads on public held-out rows, beside offline profanity packages", "",
           "Rows never trained on. Each cell: AUC · P / R / F1 at 0.5 (the packages' own "
           "decision for glin-profanity, which gives no score). OLID: `abuse` is OFF, `hate` "
           "is offence targeted at a group (GRP) against NOT.", "",
           "| set | head | lang | n (pos) | " + " | ".join(names) + " |",
           "|---|---|---|---:|" + "---|" * len(names)]
    cache: dict[str, npt.NDArray[np.float64]] = {}
    for title, head, keep, lang in _PUBLIC_TASKS:
        rows = [e for e in examples if keep(e) and head in e.labels]
        if not rows:
            continue
        texts = [e.text for e in rows]
        y = np.array([e.labels[head] for e in rows])
        cells = []
        key = f"{title}/{head}"
        if key not in cache:
            cache[key] = model.predict_proba([normalize(t).text for t in texts])
        scores = {"vigie ml": cache[key][:, model.heads.index(head)]}
        for name, scorer in comparators.items():
            ck = f"{key}/{name}"
            if ck not in cache:
                log(f"{name} on {title}")
                cache[ck] = scorer(texts)
            scores[name] = cache[ck]
        for name in names:
            s = scores[name]
            p, r, f = prf(y, s >= 0.5)
            cells.append(f"{auc(y, s):.3f} · {p:.2f} / {r:.2f} / {f:.2f}")
        out.append(f"| {title} | {head} | {lang} | {len(y)} ({int(y.sum())}) | "
                   + " | ".join(cells) + " |")
    if not comparators:
        out += ["", "No comparison package was importable in this run."]
    out.append("")
    return out


def write_report(data: Path, output: Path, policy: Policy,
                 log: Callable[[str], None] = print, judge: bool = True) -> None:
    """Measure everything and write the Markdown report to ``output``.

    Args:
        data: the ``shared/data`` folder (``dev/`` and ``public/``).
        output: where the report goes (overwritten).
        policy: the policy whose whole system is measured on the dev set.
        log: receives progress lines.
        judge: also measure the learned judge (``vigie.judge.v1``) on data it never saw.

    Raises:
        FileNotFoundError: a data file is missing.
    """
    model = load_bundled()
    meta = model.meta
    lines = [
        "# Vigie quality report",
        "",
        f"Generated by `vigie quality-report` on {dt.date.today().isoformat()} — do not edit "
        "by hand. The bundled policy's learned signals are the judge's (`vigie.judge.v1`, "
        "sections *Judge 1–6*, card `docs/models/judge-v1.md`) and the off-topic detector's "
        "relatedness (section *Off-topic on comments nobody tuned for*). Sections 2–4 measure "
        "the older hashed heads (`vigie.ml.linear.v1`, still registered, not enabled by the "
        f"bundled policy): model `linear-v1` trained on {meta.get('trained_on')} (seed "
        f"{meta.get('seed')}, features `{meta.get('feature_version')}`, data "
        f"{str(meta.get('data_digest', ''))[:19]}…); card `docs/models/linear-v1.md`.",
        "",
    ]
    lines += _dev_section(data, policy, log)
    lines += offtopic_section(data, policy, log)
    lines += _dev_heads(data, model)
    lines += _public_section(data, model, log)
    lines += ["## 4. Calibration splits (from the model file)", "",
              "15 % of each head's training rows, held out from the fit and used for Platt "
              "scaling: the figures say how well the probabilities fit the training mix, not "
              "the dev set.", "",
              "| head | rows | F1 at 0.5 (all) | fr | en | log loss |",
              "|---|---:|---:|---:|---:|---:|"]
    for head in HEADS:
        m = meta.get("heads_meta", {}).get(head, {}).get("calibration_metrics", {})
        if not m:
            continue
        lines.append(
            f"| {head} | {m['all']['n']} | {m['all']['f1']:.3f} | "
            f"{m.get('fr', {}).get('f1', float('nan')):.3f} | "
            f"{m.get('en', {}).get('f1', float('nan')):.3f} | {m['all']['log_loss']:.3f} |")
    lines.append("")
    if judge:
        from vigie.models.judge.model import load_bundled_judge
        from vigie.quality.judge import judge_sections

        lines += judge_sections(data, load_bundled_judge(), policy, log=log)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines), encoding="utf-8")
