"""The judge's embedding cache (training and reports only).

The encoder itself is shared by every detector: :mod:`vigie.models.encoder`.
:class:`EmbeddingCache` keys float16 vectors by a digest of the text in a folder outside the
repository (``/tmp/judge-cache`` by default), so retraining and the quality report do not
re-encode the 100,000 training texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vigie.models.encoder import DIM, encode

__all__ = ["EmbeddingCache"]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()


class EmbeddingCache:
    """Embeddings of texts, computed once and kept in ``folder`` (training and reports only)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._keys: dict[bytes, int] = {}
        self._parts: list[npt.NDArray[np.float16]] = []
        n = 0
        for path in sorted(folder.glob("part-*.npz")):
            with np.load(path) as data:
                keys, vectors = data["keys"], data["vectors"]
            for k in keys:
                self._keys[bytes(k)] = n
                n += 1
            self._parts.append(vectors)
        self._matrix = (np.concatenate(self._parts) if self._parts
                        else np.zeros((0, DIM), np.float16))

    def get(self, texts: Sequence[str], log: Callable[[str], None] = print,
            chunk: int = 4096) -> npt.NDArray[np.float32]:
        """Vectors of ``texts`` (computing and saving the missing ones first)."""
        digests = [_digest(t) for t in texts]
        missing = list(dict.fromkeys(
            (d, t) for d, t in zip(digests, texts, strict=True) if d not in self._keys))
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            vectors = encode([t for _, t in part]).astype(np.float16)
            name = f"part-{len(self._parts):05d}.npz"
            np.savez(self.folder / name, keys=np.array([np.frombuffer(d, np.uint8)
                                                         for d, _ in part]), vectors=vectors)
            n = len(self._matrix)
            for j, (d, _) in enumerate(part):
                self._keys[d] = n + j
            self._parts.append(vectors)
            self._matrix = np.concatenate([self._matrix, vectors])
            log(f"embedded {min(start + chunk, len(missing)):,} / {len(missing):,} new texts")
        return self._matrix[[self._keys[d] for d in digests]].astype(np.float32)
