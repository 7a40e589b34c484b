"""`vigie train` rebuilds the shipped model: a rebuilt model scores like the committed one.

Slow (about a minute or two on two cores): it trains every head from ../shared/data. Skipped
when the shared data or scikit-learn (the ``train`` extra) is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vigie.models.model import bundled_model_path, load_model
from vigie.text.normalize import normalize

PUBLIC = Path(__file__).resolve().parents[3] / "shared" / "data" / "public"

pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(900)]

# Written for this test: varied registers, both languages, every head.
PROBES = [
    "Bravo à toute l'équipe, quelle belle réussite!",
    "Osti de cours mal donné, j'en ai plein mon casse",
    "Go back to your country, nobody wants you here",
    "Free nude pics in my bio 🔞 hot girls waiting",
    "Gagnez 500 $ par jour depuis chez vous, écrivez-moi",
    "Votez pour notre candidate le 3 octobre!",
    "Le syndicat convoque une assemblée générale de grève jeudi",
    "Is the library open on Sunday during exams?",
    "Les femmes n'ont rien à faire en génie",
    "Check out my channel and subscribe please!!",
]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PUBLIC.exists():
        pytest.skip(f"{PUBLIC} is absent (shared data not mounted)")
    pytest.importorskip("sklearn", reason="training needs the 'train' extra (scikit-learn)")
    from vigie.models.train import TrainConfig, save_model, train

    model = train(TrainConfig(PUBLIC, seed=13), log=lambda _: None)
    return save_model(model, tmp_path_factory.mktemp("model") / "linear-v1.npz")


def test_rebuilt_model_scores_like_the_committed_one(rebuilt: Path) -> None:
    committed = load_model(bundled_model_path())
    fresh = load_model(rebuilt)
    assert fresh.heads == committed.heads
    assert fresh.meta["data_digest"] == committed.meta["data_digest"], (
        "the training data changed since the model was committed: run `vigie train`")
    texts = [normalize(t).text for t in PROBES]
    diff = np.abs(fresh.predict_proba(texts) - committed.predict_proba(texts))
    assert float(diff.max()) < 0.02, f"largest probability difference {diff.max():.4f}"


def test_rebuild_is_seeded(rebuilt: Path) -> None:
    # Same seed, same data: the same decisions on a fixed set. Raw weights are not compared:
    # another machine's BLAS and solver rounding move them beyond any fixed tolerance.
    committed = load_model(bundled_model_path())
    fresh = load_model(rebuilt)
    texts = [normalize(t).text for t in PROBES]
    for cut in (0.3, 0.5, 0.9):
        agree = (fresh.predict_proba(texts) >= cut) == (committed.predict_proba(texts) >= cut)
        assert float(agree.mean()) >= 0.95, f"decisions at {cut} agree on {agree.mean():.0%}"
