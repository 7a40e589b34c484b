"""The interface in French (default) and English: same keys, every key used exists."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vigie.store.events import EventKind
from vigie.store.review import ReviewAction
from vigie.web.i18n import LANGUAGES, Translator, catalogue
from vigie.web.roles import Role
from web_support import add_users, login, make_app

TEMPLATES = Path(str(resources.files("vigie.web").joinpath("templates")))
SOURCES = Path(str(resources.files("vigie.web")))


def test_catalogues_have_the_same_keys() -> None:
    fr, en = catalogue("fr"), catalogue("en")
    assert set(fr) == set(en), set(fr) ^ set(en)
    assert all(v.strip() for v in [*fr.values(), *en.values()])


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        keys |= set(re.findall(r"""t\(['"]([a-z_]+\.[a-z_.0-9]+)['"]""", path.read_text()))
    for path in SOURCES.glob("*.py"):
        keys |= set(re.findall(
            r"""["']((?:item|queue|policy|admin|login|stats|account)\.[a-z_]+)["']""",
            path.read_text()))
    # Keys built from a closed set of values.
    keys |= {f"role.{r.value}" for r in Role} | {f"event.{k.value}" for k in EventKind}
    keys |= {f"verb.{a.value}" for a in ReviewAction}
    keys |= {f"action.{a}" for a in ("allow", "escalate", "review", "hide", "remove", "block")}
    keys |= {f"state.{s}" for s in ("open", "escalated", "closed")}
    keys |= {f"age.{a}" for a in ("1h", "24h", "7d", "older", "minutes", "hours", "days")}
    keys |= {f"escalations.status_{s}" for s in ("pending", "sent", "failed")}
    keys |= {f"escalations.tab_{s}" for s in ("open", "closed", "all")}
    keys |= {f"escalation.state_{s}" for s in ("open", "closed")}
    keys |= {f"escalation.{p}{s}" for s in ("assign", "comment", "close", "reopen")
             for p in ("done_", "")} | {f"escalation.{s}_label" for s in ("comment", "close",
                                                                           "reopen")}
    keys |= set(re.findall(r'"((?:err|notice)\.[a-z_]+)"', (SOURCES / "messages.py").read_text()
                           + (SOURCES / "notices.py").read_text()))
    keys |= {f"draft.severity_{s}" for s in ("must_change", "review", "advice")}
    keys |= {f"registry.status_{s}" for s in ("official", "affiliated", "pending")}
    keys |= {f"mentions.tone_{s}" for s in ("negative", "neutral", "positive")}
    keys |= {"draft.incomplete"}
    return {k for k in keys if not k.endswith((".html", ".py", "_"))}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_is_translated(lang: str) -> None:
    t = Translator(lang)
    missing = sorted(k for k in _used_keys() if not t.has(k))
    assert not missing


def test_unknown_keys_and_bad_fields_degrade_visibly() -> None:
    t = Translator("fr")
    assert t("no.such.key") == "no.such.key"
    assert t("queue.total", n=3) == "3 élément(s)"
    assert t("queue.total") == "{n} élément(s)"
    assert Translator("de").lang == "fr"


def test_french_by_default_english_by_cookie(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    add_users(app)
    client = TestClient(app)
    login(client, "auditor")
    assert "<h1>File de révision</h1>" in client.get("/queue").text
    answer = client.get("/lang/en?next=/stats", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/stats"
    assert "<h1>Review queue</h1>" in client.get("/queue").text
    assert client.get("/lang/xx?next=https://evil.example", follow_redirects=False
                      ).headers["location"] == "/queue"
    assert 'lang="en"' in client.get("/queue").text
