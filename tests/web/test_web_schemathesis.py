"""Fuzz the published OpenAPI schema with schemathesis, in process: no input may cause a
server error (5xx). Every operation is called as an admin (through an API token), so the
fuzzer reaches the handlers rather than the authentication wall; a fresh token per case keeps
a fuzzed ``DELETE /tokens/{pk}`` from locking the rest of the run out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from web_support import add_users, make_app, seed

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (dev extra) absent")

_TMP = Path(tempfile.mkdtemp(prefix="vigie-fuzz-"))
APP = make_app(_TMP)
add_users(APP)
seed(APP, 15)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _admin_token() -> str:
    from vigie.web.accounts import create_api_token, user_by_name

    ctx = APP.state.vigie
    with ctx.store.begin() as conn:
        admin = user_by_name(conn, "admin")
        assert admin is not None
        secret, _ = create_api_token(conn, admin, "fuzz", ctx.store.now())
    return secret


def test_schema_is_published_and_names_every_api_route() -> None:
    from fastapi.testclient import TestClient

    spec = TestClient(APP).get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Vigie"
    assert len(spec["paths"]) >= 20
    assert all(path.startswith("/api/v1/") for path in spec["paths"])


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {_admin_token()}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:500]}")
