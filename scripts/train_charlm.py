"""Train the character language model shipped in src/vigie/data/models/charlm.bin.gz.

Usage:
    .venv/bin/python scripts/train_charlm.py [--data ../shared/data] [--out PATH] [--check]

Reads permissively licensed French and English text from ../shared/data/public (never the dev
set), balances the two languages, counts character 4-grams over the folded, cleaned text and
writes a Witten-Bell interpolated model quantised to one byte per entry. Deterministic: the
same data gives the same bytes (no randomness, gzip without timestamp). ``--check`` rebuilds
and compares with the shipped artifact instead of writing it. Model card: docs/models/charlm.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from vigie.text.charlm import (
    ARTIFACT,
    ORDER,
    QUANT,
    SIZE,
    clean,
    encode,
    ngram_index,
    write_artifact,
)
from vigie.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
csv.field_size_limit(10_000_000)

# (language, relative path, reader, licence). Only sources whose licence allows shipping a
# derived artifact: MIT and CC BY 4.0.
SOURCES = [
    ("fr", "public/mlma/hate_speech_mlma/fr_dataset.csv", "mlma", "MIT (MLMA, HKUST-KnowComp)"),
    ("fr", "public/fr_hate_superset/fr_hf_mojibake_fixed.csv", "ftr",
     "MIT (FTR rows only; the superset's other sources are excluded)"),
    ("fr", "public/sms_spam_multilingual_mt/data-en-hi-de-fr.csv", "sms_fr",
     "CC BY 4.0 (machine translation of the UCI SMS Spam Collection)"),
    ("en", "public/davidson/labeled_data.csv", "davidson", "MIT (Davidson et al. 2017)"),
    ("en", "public/sms_spam_uci/SMSSpamCollection", "sms_en", "CC BY 4.0 (UCI)"),
    ("en", "public/youtube_spam_uci", "youtube", "CC BY 4.0 (UCI)"),
]
PER_LANGUAGE_CHARS = 1_000_000  # balance: each language contributes the same amount of text


def _rows(path: Path, kind: str) -> Iterator[str]:
    if kind == "mlma":
        with path.open(encoding="utf-8", newline="") as f:
            yield from (r["tweet"] for r in csv.DictReader(f))
    elif kind == "ftr":
        with path.open(encoding="utf-8", newline="") as f:
            yield from (r["text_fixed"] for r in csv.DictReader(f) if r["dataset"] == "FTR")
    elif kind == "sms_fr":
        with path.open(encoding="utf-8", newline="") as f:
            yield from (r["text_fr"] for r in csv.DictReader(f))
    elif kind == "davidson":
        with path.open(encoding="utf-8", newline="") as f:
            yield from (r["tweet"] for r in csv.DictReader(f))
    elif kind == "sms_en":
        with path.open(encoding="utf-8") as f:
            for line in f:
                label, _, text = line.rstrip("\n").partition("\t")
                if label in ("ham", "spam"):
                    yield text
    elif kind == "youtube":
        for file in sorted(path.glob("*.csv")):
            with file.open(encoding="utf-8", newline="") as f:
                yield from (r["CONTENT"] for r in csv.DictReader(f))
    else:
        raise ValueError(kind)


def corpus(data: Path) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    """Cleaned texts per language, each language capped at PER_LANGUAGE_CHARS, in file order."""
    texts: dict[str, list[str]] = {"fr": [], "en": []}
    used: dict[str, int] = {"fr": 0, "en": 0}
    provenance = []
    for lang, rel, kind, licence in SOURCES:
        path = data / rel
        if not path.exists():
            raise SystemExit(f"missing training source: {path}")
        # Interleave sources fairly: each may fill at most half of its language's budget.
        budget = PER_LANGUAGE_CHARS // 2 if kind in ("mlma", "davidson") else PER_LANGUAGE_CHARS
        taken = 0
        for raw in _rows(path, kind):
            if used[lang] >= PER_LANGUAGE_CHARS or taken >= budget:
                break
            cleaned = clean(normalize(raw.replace("&amp;", "&")).text)
            cleaned = cleaned.replace("rt ", "", 1) if cleaned.startswith("rt ") else cleaned
            if len(cleaned) < 10:
                continue
            texts[lang].append(cleaned)
            used[lang] += len(cleaned)
            taken += len(cleaned)
        provenance.append({"lang": lang, "source": rel, "licence": licence, "chars": str(taken)})
    return texts, provenance


def train(texts: list[str]) -> np.ndarray:
    """Witten-Bell interpolated order-4 model, as quantised -log2 probabilities (uint8)."""
    index = np.concatenate([ngram_index(encode(text)) for text in texts])
    counts = np.bincount(index, minlength=SIZE**ORDER).astype(np.float64)
    # Lower orders from the same counts: marginalise the oldest history symbol away.
    c4 = counts.reshape(SIZE, SIZE, SIZE, SIZE)
    c3 = c4.sum(axis=0)            # (h2, h3, c)
    c2 = c3.sum(axis=0)            # (h3, c)
    c1 = c2.sum(axis=0)            # (c,)
    vocab = np.zeros(SIZE)
    vocab[: len(" abcdefghijklmnopqrstuvwxyz0'")] = 1.0
    vocab[29] = 1.0  # the text boundary can be predicted (end of text)
    p1 = (c1 + 0.5 * vocab) / (c1.sum() + 0.5 * vocab.sum())

    def interpolate(c: np.ndarray, lower: np.ndarray) -> np.ndarray:
        total = c.sum(axis=-1, keepdims=True)
        types = (c > 0).sum(axis=-1, keepdims=True)
        lam = np.divide(total, total + types, out=np.zeros_like(total), where=total + types > 0)
        ml = np.divide(c, total, out=np.zeros_like(c), where=total > 0)
        return lam * ml + (1.0 - lam) * lower

    p2 = interpolate(c2, p1[None, :])
    p3 = interpolate(c3, p2[None, :, :])
    p4 = interpolate(c4, p3[None, :, :, :])
    with np.errstate(divide="ignore"):
        bits = -np.log2(p4)
    return np.clip(np.rint(bits * QUANT), 0, 255).astype(np.uint8).reshape(-1)


def evaluate(table: np.ndarray, texts: list[str]) -> float:
    """Average bits per character over held-out texts."""
    total = n = 0.0
    for text in texts:
        values = table[ngram_index(encode(text))]
        total += float(values.sum()) / QUANT
        n += len(values)
    return total / n


def build(data: Path) -> bytes:
    texts, provenance = corpus(data)
    train_texts: list[str] = []
    held: dict[str, list[str]] = {}
    for lang, items in texts.items():
        # Fixed split: every 20th text is held out to report bits per character.
        held[lang] = items[::20]
        train_texts.extend(t for i, t in enumerate(items) if i % 20)
    table = train(train_texts)
    meta = {
        "name": "vigie-charlm-fr-en",
        "version": 1,
        "order": ORDER,
        "alphabet_size": SIZE,
        "quant": QUANT,
        "smoothing": "Witten-Bell interpolation, orders 1-4",
        "trained_on": provenance,
        "train_chars": sum(len(t) for t in train_texts),
        "heldout_bits_per_char": {k: round(evaluate(table, v), 3) for k, v in held.items()},
        "script": "scripts/train_charlm.py",
    }
    return write_artifact(table, meta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "vigie" / ARTIFACT)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    blob = build(args.data)
    digest = hashlib.sha256(blob).hexdigest()
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == blob
        print(f"{'identical' if same else 'DIFFERENT'}: rebuilt sha256 {digest}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    print(f"wrote {args.out} ({len(blob):,} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
