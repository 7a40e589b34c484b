"""Retry, back-off and Retry-After in the shared HTTP client (httpx MockTransport)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from vigie.connectors.errors import (
    ApiError,
    AuthExpired,
    ConnectorError,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from vigie.connectors.http import ApiClient, RetryPolicy, Secret, parse_retry_after


def classify(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    if status == 401:
        return AuthExpired("expired", status=status)
    if status == 429:
        return RateLimited("slow down", status=status)
    if status == 403 and response.headers.get("x-quota"):
        return QuotaExhausted("quota", status=status, retry_after=10)
    if status >= 500:
        return TransientError("server", status=status)
    return ApiError("bad", status=status)


def client(answers: list[httpx.Response | Exception], **kwargs: object
           ) -> tuple[ApiClient, list[float], list[httpx.Request]]:
    sleeps: list[float] = []
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    api = ApiClient(httpx.Client(transport=httpx.MockTransport(handler)),
                    base_url="https://api.example/v1/", token=Secret("s3cret"),
                    classify=classify, platform="test", account="acct",
                    retry=RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0,
                                      max_wait=60.0),
                    sleep=sleeps.append, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]
    return api, sleeps, seen


def test_success_sends_bearer_header_not_query() -> None:
    api, sleeps, seen = client([httpx.Response(200, json={"ok": True})])
    assert api.request("GET", "/things", params={"a": "1"}).json() == {"ok": True}
    assert seen[0].headers["Authorization"] == "Bearer s3cret"
    assert str(seen[0].url) == "https://api.example/v1/things?a=1"
    assert sleeps == []


@pytest.mark.parametrize("first", [
    httpx.Response(500), httpx.Response(502), httpx.Response(503),
    httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
])
def test_transient_failures_are_retried(first: httpx.Response | Exception) -> None:
    api, sleeps, seen = client([first, httpx.Response(200, json={})])
    api.request("GET", "/x")
    assert len(seen) == 2 and len(sleeps) == 1 and 0 <= sleeps[0] <= 1.0


def test_backoff_grows_with_full_jitter_and_a_cap() -> None:
    api, sleeps, _ = client([httpx.Response(503)] * 4)
    with pytest.raises(TransientError):
        api.request("GET", "/x")
    ceilings = [1.0, 2.0, 4.0]
    assert len(sleeps) == 3
    assert all(0 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert max(policy.backoff(10, random.Random(i)) for i in range(50)) <= 8.0


def test_retry_after_seconds_is_honoured() -> None:
    api, sleeps, _ = client([httpx.Response(429, headers={"Retry-After": "12"}),
                             httpx.Response(200, json={})])
    api.request("GET", "/x")
    assert sleeps == [12.0]


def test_retry_after_beyond_max_wait_is_raised_not_slept() -> None:
    api, sleeps, seen = client([httpx.Response(429, headers={"Retry-After": "3600"})])
    with pytest.raises(RateLimited):
        api.request("GET", "/x")
    assert sleeps == [] and len(seen) == 1


@pytest.mark.parametrize(("status", "error"), [(401, AuthExpired), (400, ApiError)])
def test_client_errors_are_not_retried(status: int, error: type[Exception]) -> None:
    api, sleeps, seen = client([httpx.Response(status)])
    with pytest.raises(error):
        api.request("POST", "/x", json={"a": 1})
    assert len(seen) == 1 and sleeps == []


def test_quota_exhausted_is_never_retried() -> None:
    api, _, seen = client([httpx.Response(403, headers={"x-quota": "1"})])
    with pytest.raises(QuotaExhausted):
        api.request("GET", "/x")
    assert len(seen) == 1


def test_on_response_sees_every_answer() -> None:
    statuses: list[int] = []
    api, _, _ = client([httpx.Response(500), httpx.Response(200, json={})],
                       on_response=lambda r: statuses.append(r.status_code))
    api.request("GET", "/x")
    assert statuses == [500, 200]


@pytest.mark.parametrize(("value", "expected"), [
    ("120", 120.0),
    ("0", 0.0),
    ("Wed, 19 Mar 2025 12:01:00 GMT", 60.0),
    ("Wed, 19 Mar 2025 11:00:00 GMT", 0.0),  # in the past: no wait
    ("soon", None),
    ("", None),
    (None, None),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
    assert parse_retry_after(value, now) == expected


def test_secret_never_prints() -> None:
    secret = Secret("EAAB-very-secret")
    assert "very" not in repr(secret) and "very" not in str(secret)
    assert "very" not in f"{secret!r} {[secret]}"
    assert secret.reveal() == "EAAB-very-secret"
