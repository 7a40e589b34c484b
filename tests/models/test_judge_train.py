"""`vigie train` rebuilds the judge: a rebuilt judge decides like the committed one.

Slow (about ten minutes on two shared cores; embeddings are cached in /tmp/judge-cache):
every head is retrained from ../shared/data. Skipped when the shared data or scikit-learn
(the ``train`` extra) is absent. Decisions are compared on a fixed set, never raw weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vigie.models.encoder import encode
from vigie.models.judge.model import bundled_judge_path, load_judge
from vigie.text.normalize import normalize

PUBLIC = Path(__file__).resolve().parents[3] / "shared" / "data" / "public"

pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(2400)]

# Written for this test: both languages, other languages, every head, free expression.
PROBES = [
    ("Bravo à toute l'équipe, quelle belle réussite!", True),
    ("Osti de cours mal donné, j'en ai plein mon casse", True),
    ("Go back to your country, nobody wants you here", True),
    ("Free nude pics in my bio 🔞 hot girls waiting", True),
    ("Gagnez 500 $ par jour depuis chez vous, écrivez-moi", True),
    ("Votez pour notre candidate le 3 octobre!", True),
    ("Le syndicat convoque une assemblée générale de grève jeudi", True),
    ("Is the library open on Sunday during exams?", True),
    ("Les femmes n'ont rien à faire en génie", True),
    ("Saying refugees are rats is disgusting, stop it.", True),
    ("Los gitanos son escoria.", False),
    ("Danke für das tolle Video!", False),
]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PUBLIC.exists():
        pytest.skip(f"{PUBLIC} is absent (shared data not mounted)")
    pytest.importorskip("sklearn", reason="training needs the 'train' extra (scikit-learn)")
    from vigie.models.judge.model import save_judge
    from vigie.models.judge.train import JudgeConfig, train_judge

    model = train_judge(JudgeConfig(PUBLIC), log=lambda _: None)
    return save_judge(model, tmp_path_factory.mktemp("judge") / "judge-v1.npz")


def test_rebuilt_judge_decides_like_the_committed_one(rebuilt: Path) -> None:
    committed = load_judge(bundled_judge_path())
    fresh = load_judge(rebuilt)
    assert fresh.meta["data_digest"] == committed.meta["data_digest"], (
        "the training data changed since the judge was committed: run `vigie train`")
    raw = [t for t, _ in PROBES]
    folded = [normalize(t).text for t in raw]
    native = [n for _, n in PROBES]
    a = committed.score(raw, folded, native, encode, cascade=False).probabilities
    b = fresh.score(raw, folded, native, encode, cascade=False).probabilities
    for cut in (0.5, 0.9):
        agree = (a >= cut) == (b >= cut)
        assert float(agree.mean()) >= 0.95, f"decisions at {cut} agree on {agree.mean():.0%}"
    assert float(np.abs(a - b).max()) < 0.15
