"""Build connectors from the configuration: one place that knows every platform."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from vigie.connectors.base import Connector, Operation
from vigie.connectors.bluesky import BlueskyConnector, BlueskySession
from vigie.connectors.config import (
    Account,
    BlueskyAccount,
    FacebookAccount,
    ImportAccount,
    InstagramAccount,
    LinkedInAccount,
    Secrets,
    ThreadsAccount,
    WordPressAccount,
    XAccount,
    YouTubeAccount,
)
from vigie.connectors.errors import ConfigError
from vigie.connectors.facebook import DEFAULT_GRAPH_URL, FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.importer import FileImportConnector
from vigie.connectors.instagram import DEFAULT_IG_URL, InstagramConnector
from vigie.connectors.linkedin import DEFAULT_LINKEDIN_URL, LinkedInConnector
from vigie.connectors.oauth import (
    GOOGLE_TOKEN_URL,
    LINKEDIN_TOKEN_URL,
    X_TOKEN_URL,
    ClientAuth,
    RefreshTokenFile,
    TokenRefresher,
)
from vigie.connectors.quota import QuotaBudget
from vigie.connectors.threads import (
    DEFAULT_THREADS_REFRESH_URL,
    DEFAULT_THREADS_URL,
    ThreadsConnector,
    ThreadsToken,
)
from vigie.connectors.wordpress import ReloadingCredential, WordPressConnector, basic_credential
from vigie.connectors.x import DEFAULT_X_URL, XConnector
from vigie.connectors.youtube import DEFAULT_YOUTUBE_URL, YouTubeConnector
from vigie.version import __version__ as _vigie_version

__all__ = ["build_connector", "default_http_client"]

#: Token endpoint and client authentication of each platform whose tokens expire.
_TOKEN_ENDPOINTS = {
    "youtube": (GOOGLE_TOKEN_URL, ClientAuth.POST),
    "x": (X_TOKEN_URL, ClientAuth.BASIC),
    "linkedin": (LINKEDIN_TOKEN_URL, ClientAuth.POST),
}


def default_http_client() -> httpx.Client:
    """An HTTP client with conservative timeouts (seconds) for platform APIs."""
    return httpx.Client(
        timeout=httpx.Timeout(20.0, connect=5.0),
        headers={"User-Agent": f"vigie/{_vigie_version} (+https://github.com/vigie)"},
        follow_redirects=False,
    )


def build_connector(
    account: Account,
    secrets: Secrets,
    *,
    client: httpx.Client | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Connector:
    """Build the connector for ``account``, reading its secrets (and token file) now.

    Args:
        account: one validated account of the configuration.
        secrets: where tokens are read from.
        client: HTTP client to inject (default: :func:`default_http_client`).
        retry: retry policy passed to the platform client.
        sleep: waits between retries.
        rng: jitter source.
        clock: monotonic seconds, for access-token expiry (tests inject a fake one).

    Raises:
        ConfigError: a secret is missing, or the ``oauth.token_file`` cannot be used.
    """
    if isinstance(account, ImportAccount):
        return FileImportConnector(account.name, account.path, batch_size=account.batch_size,
                                   remove_as=Operation(account.remove_as),
                                   actions_log=account.actions_log)
    http = client or default_http_client()
    common = {"retry": retry, "sleep": sleep, "rng": rng}
    built = _build_newer(account, secrets, http, retry=retry, sleep=sleep, rng=rng,
                         clock=clock)
    if built is not None:
        return built
    if isinstance(account, FacebookAccount | InstagramAccount):
        token = secrets.resolve(account.token, account=account.name, field="token")
        if isinstance(account, FacebookAccount):
            return FacebookConnector(
                account.name, account.page_id, http, token,
                base_url=account.api_base or DEFAULT_GRAPH_URL,
                remove_as=Operation(account.remove_as), post_ids=account.post_ids,
                max_posts=account.max_posts, **common,  # type: ignore[arg-type]
            )
        return InstagramConnector(
            account.name, account.ig_user_id, http, token,
            base_url=account.api_base or DEFAULT_IG_URL, remove_as=Operation(account.remove_as),
            max_media=account.max_media, **common,  # type: ignore[arg-type]
        )
    if not isinstance(account, YouTubeAccount | XAccount | LinkedInAccount):  # pragma: no cover
        raise ConfigError(f"account {account.name!r}: no connector for {account.platform}")
    # Tokens that expire: a refresher when the account has an oauth block.
    source = _token_source(account, secrets, http, retry=retry, sleep=sleep, rng=rng,
                           clock=clock)
    if isinstance(account, YouTubeAccount):
        return YouTubeConnector(
            account.name, account.channel_id, http, source,
            base_url=account.api_base or DEFAULT_YOUTUBE_URL,
            budget=QuotaBudget(account.daily_quota, reserve=account.moderation_reserve,
                               account=account.name),
            statuses=account.statuses, **common,  # type: ignore[arg-type]
        )
    if isinstance(account, LinkedInAccount):
        return LinkedInConnector(
            account.name, account.organization_id, http, source,
            base_url=account.api_base or DEFAULT_LINKEDIN_URL, api_version=account.api_version,
            post_urns=account.post_urns, max_posts=account.max_posts,
            can_reply=account.can_reply, **common,  # type: ignore[arg-type]
        )
    return XConnector(
        account.name, account.user_id, http, source, base_url=account.api_base or DEFAULT_X_URL,
        conversation_ids=account.conversation_ids, max_conversations=account.max_conversations,
        plan_allows_blocking=account.plan_allows_blocking, can_reply=account.can_reply,
        **common,  # type: ignore[arg-type]
    )


def _build_newer(
    account: Account,
    secrets: Secrets,
    http: httpx.Client,
    *,
    retry: RetryPolicy | None,
    sleep: Callable[[float], None],
    rng: random.Random | None,
    clock: Callable[[], float],
) -> Connector | None:
    """The connectors of the platforms added in 2026 (WordPress, Bluesky, Threads)."""
    common: dict[str, Any] = {"retry": retry, "sleep": sleep, "rng": rng}
    if isinstance(account, WordPressAccount):
        wp = account
        credential = ReloadingCredential(
            lambda: basic_credential(wp.username, secrets.resolve(
                wp.app_password, account=wp.name, field="app_password")),
            platform="wordpress", account=wp.name,
            fix=f"create a new application password for {wp.username!r} and put it in "
                f"{wp.app_password.describe()}")
        return WordPressConnector(
            wp.name, wp.site_url, http, credential, base_url=wp.api_base,
            remove_as=Operation.DELETE if wp.remove_as == "trash" else Operation.REJECT,
            statuses=wp.statuses, page_size=wp.page_size, **common)
    if isinstance(account, BlueskyAccount):
        pds = account.api_base or account.pds_url
        session = BlueskySession(
            http, pds_url=pds, identifier=account.identifier, account=account.name,
            password=secrets.resolve(account.app_password, account=account.name,
                                     field="app_password"), **common)
        return BlueskyConnector(
            account.name, session, http, pds_url=pds, post_uris=account.post_uris,
            max_posts=account.max_posts, block_as=account.block_as,
            report_blocked=account.report_blocked, report_reason=account.report_reason,
            labeler_did=account.labeler_did, **common)
    if isinstance(account, ThreadsAccount):
        base = account.api_base or DEFAULT_THREADS_URL
        token = ThreadsToken(
            http, secrets.resolve(account.token, account=account.name, field="token"),
            account=account.name,
            refresh_url=(base.rsplit("/", 1)[0] + "/refresh_access_token"
                         if account.api_base else DEFAULT_THREADS_REFRESH_URL),
            token_file=(RefreshTokenFile(account.token_file, account=account.name)
                        if account.token_file is not None else None),
            clock=clock, **common)
        return ThreadsConnector(account.name, account.user_id, http, token, base_url=base,
                                max_posts=account.max_posts, **common)
    return None


def _token_source(
    account: YouTubeAccount | XAccount | LinkedInAccount,
    secrets: Secrets,
    http: httpx.Client,
    *,
    retry: RetryPolicy | None,
    sleep: Callable[[float], None],
    rng: random.Random | None,
    clock: Callable[[], float],
) -> Secret | TokenRefresher:
    """The account's static token, or a refresher when it has an ``oauth`` block."""
    initial = (secrets.resolve(account.token, account=account.name, field="token")
               if account.token is not None else None)
    oauth = account.oauth
    if oauth is None:
        if initial is None:  # pragma: no cover - the configuration refuses it
            raise ConfigError(f"account {account.name!r}: no token and no oauth block")
        return initial
    url, auth = _TOKEN_ENDPOINTS[account.platform]
    secret = (secrets.resolve(oauth.client_secret, account=account.name,
                              field="oauth.client_secret")
              if oauth.client_secret is not None else None)
    if secret is None:
        auth = ClientAuth.POST  # an X public client: its id goes in the form
    return TokenRefresher(
        http, platform=account.platform, account=account.name,
        token_url=oauth.token_url or url, client_id=oauth.client_id, client_secret=secret,
        refresh_token=secrets.resolve(oauth.refresh_token, account=account.name,
                                      field="oauth.refresh_token"),
        where=oauth.refresh_token.describe(), client_auth=auth,
        token_file=(RefreshTokenFile(oauth.token_file, account=account.name)
                    if oauth.token_file is not None else None),
        access_token=initial, retry=retry, sleep=sleep, rng=rng, clock=clock,
    )
