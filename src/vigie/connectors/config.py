"""The connectors file: which accounts and pages Vigie watches, and where their secrets are.

A YAML document (example: ``examples/connectors.yaml``; format: ``docs/connectors.md``)::

    version: 1
    secrets_file: /etc/vigie/secrets.yaml     # optional: a YAML mapping name -> value
    accounts:
      - name: poly-facebook
        platform: facebook
        page_id: "123456789"
        token: {env: VIGIE_FB_PAGE_TOKEN}      # or {secret: fb_page_token}, or {file: path}
        app_secret: {env: VIGIE_META_APP_SECRET}
        verify_token: {env: VIGIE_META_VERIFY_TOKEN}

Secrets are never written in this file, never logged and never stored in the database: the
file names where to read them (an environment variable, a key of the secrets file, or a file),
and they are read into :class:`~vigie.connectors.http.Secret` objects that do not print.

YouTube, X and LinkedIn access tokens expire; an ``oauth`` block (:class:`OAuthRefresh`) lets
the connector renew them with a refresh token (:mod:`vigie.connectors.oauth`)::

      - name: poly-youtube
        platform: youtube
        channel_id: UC...
        oauth:
          client_id: 1234-abc.apps.googleusercontent.com
          client_secret: {secret: google_client_secret}
          refresh_token: {secret: youtube_refresh_token}
          token_file: /var/lib/vigie/oauth/poly-youtube.json   # X: required (rotation)
Validation is strict (unknown keys fail, with the valid ones listed) and every error is a
:class:`~vigie.connectors.errors.ConfigError` naming the account and the field.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vigie.connectors._files import read_private_text
from vigie.connectors.errors import ConfigError
from vigie.connectors.http import Secret
from vigie.connectors.linkedin import DEFAULT_LINKEDIN_VERSION

__all__ = [
    "Account",
    "BlueskyAccount",
    "ConnectorsConfig",
    "FacebookAccount",
    "ImportAccount",
    "InstagramAccount",
    "LinkedInAccount",
    "OAuthRefresh",
    "SecretRef",
    "Secrets",
    "ThreadsAccount",
    "WordPressAccount",
    "XAccount",
    "YouTubeAccount",
    "load_config",
    "parse_config",
]

log = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Strict):
    """Where a secret is read from: exactly one of ``env``, ``secret`` or ``file``."""

    env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    secret: str | None = Field(None, min_length=1)
    file: Path | None = None

    @model_validator(mode="after")
    def _one(self) -> SecretRef:
        given = [k for k in ("env", "secret", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of env, secret or file "
                             f"(got {', '.join(given) or 'none'})")
        return self

    def describe(self) -> str:
        """Where the secret lives, in words (never its value)."""
        if self.env is not None:
            return f"environment variable {self.env}"
        if self.secret is not None:
            return f"key {self.secret!r} of the secrets file"
        return f"file {self.file}"


class _Account(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")
    enabled: bool = True
    poll_interval_s: float = Field(60.0, ge=1.0, le=86_400.0)
    api_base: str | None = Field(None, description="API root override (tests, proxies)")


class OAuthRefresh(_Strict):
    """How an expiring access token is renewed: the OAuth 2.0 refresh grant (RFC 6749 §6).

    ``client_secret`` is required on YouTube and LinkedIn; on X it is left out for a public
    client. ``token_file`` is where a rotated refresh token is kept (mode 0600), required on X,
    which replaces the refresh token at every refresh. ``token_url`` overrides the platform's
    token endpoint (tests, proxies).
    """

    client_id: str = Field(min_length=1)
    client_secret: SecretRef | None = None
    refresh_token: SecretRef
    token_url: str | None = Field(None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    token_file: Path | None = None


class _RefreshableAccount(_Account):
    token: SecretRef | None = None
    oauth: OAuthRefresh | None = None

    @model_validator(mode="after")
    def _credentials(self) -> _RefreshableAccount:
        if self.token is None and self.oauth is None:
            raise ValueError("give token (an access token), oauth (to refresh one), or both")
        return self

    def _needs_client_secret(self, platform: str) -> None:
        if self.oauth is not None and self.oauth.client_secret is None:
            raise ValueError(f"oauth.client_secret is required: {platform}'s token endpoint "
                             "authenticates the app with it")


class FacebookAccount(_Account):
    """A Facebook Page."""

    platform: Literal["facebook"]
    page_id: str = Field(min_length=1)
    token: SecretRef
    app_secret: SecretRef | None = None
    verify_token: SecretRef | None = None
    remove_as: Literal["hide", "delete"] = "hide"
    post_ids: tuple[str, ...] = ()
    max_posts: int = Field(25, ge=1, le=100)


class InstagramAccount(_Account):
    """An Instagram professional account."""

    platform: Literal["instagram"]
    ig_user_id: str = Field(min_length=1)
    token: SecretRef
    app_secret: SecretRef | None = None
    verify_token: SecretRef | None = None
    remove_as: Literal["hide", "delete"] = "hide"
    max_media: int = Field(25, ge=1, le=100)


class YouTubeAccount(_RefreshableAccount):
    """A YouTube channel. Its access tokens last an hour: give ``oauth`` to refresh them."""

    platform: Literal["youtube"]
    channel_id: str = Field(min_length=1)
    daily_quota: int = Field(10_000, ge=100)
    moderation_reserve: int = Field(1_000, ge=0)
    statuses: tuple[Literal["published", "heldForReview", "likelySpam"], ...] = (
        "published", "heldForReview", "likelySpam")

    @model_validator(mode="after")
    def _reserve(self) -> YouTubeAccount:
        if self.moderation_reserve >= self.daily_quota:
            raise ValueError("moderation_reserve must be below daily_quota")
        self._needs_client_secret("Google")
        return self


class XAccount(_RefreshableAccount):
    """An X account. Its OAuth 2.0 user tokens last 2 hours: give ``oauth`` to refresh them."""

    platform: Literal["x"]
    user_id: str = Field(min_length=1)
    plan_allows_blocking: bool = False
    #: The token has ``tweet.write``: replies from the dashboard are posted as the account.
    can_reply: bool = True
    conversation_ids: tuple[str, ...] = ()
    max_conversations: int = Field(20, ge=5, le=100)

    @model_validator(mode="after")
    def _rotation(self) -> XAccount:
        if self.oauth is not None and self.oauth.token_file is None:
            raise ValueError("oauth.token_file is required on X: X replaces the refresh token "
                             "at every refresh, and a restart needs the newest one")
        return self


class LinkedInAccount(_RefreshableAccount):
    """A LinkedIn organization page (company or school), through the Community Management API.

    Its access tokens last 60 days; ``oauth`` refreshes them where LinkedIn granted the app
    programmatic refresh tokens (approved partners only).
    """

    platform: Literal["linkedin"]
    organization_id: str = Field(pattern=r"^(urn:li:organization:)?[0-9]+$")
    api_version: str = Field(DEFAULT_LINKEDIN_VERSION, pattern=r"^20[0-9]{2}(0[1-9]|1[0-2])$",
                             description="LinkedIn-Version header, YYYYMM")
    post_urns: tuple[Annotated[str, Field(pattern=r"^urn:li:(share|ugcPost):[0-9]+$")],
                     ...] = ()
    max_posts: int = Field(20, ge=1, le=100)
    #: The token has ``w_organization_social``: replies are posted as the organization.
    can_reply: bool = True

    @model_validator(mode="after")
    def _client_secret(self) -> LinkedInAccount:
        self._needs_client_secret("LinkedIn")
        return self


class WordPressAccount(_Account):
    """A WordPress site's comments, through the REST API with an application password."""

    platform: Literal["wordpress"]
    site_url: str = Field(pattern=r"^https?://[^\s/]+/?$")
    username: str = Field(min_length=1)
    app_password: SecretRef
    remove_as: Literal["trash", "spam"] = "trash"
    statuses: tuple[Literal["approve", "hold"], ...] = ("approve", "hold")
    page_size: int = Field(100, ge=1, le=100)


class BlueskyAccount(_Account):
    """A Bluesky (AT Protocol) account, signed in with an app password."""

    platform: Literal["bluesky"]
    identifier: str = Field(min_length=3, description="handle or DID")
    app_password: SecretRef
    pds_url: str = Field("https://bsky.social", pattern=r"^https?://[^\s/]+/?$")
    post_uris: tuple[Annotated[str, Field(pattern=r"^at://[^/\s]+/app\.bsky\.feed\.post/"
                                                  r"[A-Za-z0-9._:~-]+$")], ...] = ()
    max_posts: int = Field(20, ge=1, le=100)
    block_as: Literal["block", "mute"] = "block"
    report_blocked: bool = False
    report_reason: Literal["spam", "violation", "misleading", "sexual", "rude",
                           "other"] = "rude"
    labeler_did: str = Field("did:plc:ar7c4by46qjdydhdevvrndac", pattern=r"^did:[a-z]+:\S+$")


class ThreadsAccount(_Account):
    """A Threads profile, with a long-lived access token that Vigie refreshes."""

    platform: Literal["threads"]
    user_id: str = Field("me", min_length=1)
    token: SecretRef
    token_file: Path | None = Field(
        None, description="where the refreshed token is kept between runs (mode 0600)")
    max_posts: int = Field(25, ge=1, le=100)


class ImportAccount(_Account):
    """A JSONL or CSV file imported as if it were a platform (demo, tests, back-fills)."""

    platform: Literal["import"]
    path: Path
    batch_size: int = Field(256, ge=1, le=100_000)
    actions_log: Path | None = None
    remove_as: Literal["hide", "delete"] = "hide"


Account = Annotated[
    FacebookAccount | InstagramAccount | YouTubeAccount | XAccount | LinkedInAccount
    | WordPressAccount | BlueskyAccount | ThreadsAccount | ImportAccount,
    Field(discriminator="platform"),
]


class ConnectorsConfig(_Strict):
    """A validated connectors file. Build it with :func:`load_config` or :func:`parse_config`."""

    version: Literal[1]
    secrets_file: Path | None = None
    alerts_file: Path | None = Field(
        None, description="JSON lines for the community manager: accounts stopped, and why")
    accounts: tuple[Account, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ConnectorsConfig:
        names = [a.name for a in self.accounts]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"account names must be unique; repeated: {', '.join(repeated)}")
        files = [str(a.oauth.token_file) for a in self.accounts
                 if isinstance(a, _RefreshableAccount) and a.oauth and a.oauth.token_file]
        shared = sorted({f for f in files if files.count(f) > 1})
        if shared:
            raise ValueError("each account needs its own oauth.token_file; shared: "
                             f"{', '.join(shared)}")
        return self

    def account(self, name: str) -> Account:
        """The account called ``name``.

        Raises:
            ConfigError: unknown name (the message lists the known ones).
        """
        for account in self.accounts:
            if account.name == name:
                return account
        raise ConfigError(f"no account {name!r}; known: "
                          f"{', '.join(a.name for a in self.accounts)}")


def _format(error: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid connectors file ({error.error_count()} error(s))"]
    for item in error.errors(include_url=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (see docs/connectors.md for the valid keys)"
        elif item["type"] == "union_tag_invalid":
            message = ("unknown platform; valid: facebook, instagram, youtube, x, linkedin, "
                       "wordpress, bluesky, threads, import")
        lines.append(f"  {path.lstrip('.') or '(document)'}: {message}")
    return "\n".join(lines)


def _resolve_paths(config: ConnectorsConfig, base: Path) -> ConnectorsConfig:
    def fix(path: Path | None) -> Path | None:
        return path if path is None or path.is_absolute() else base / path

    accounts = []
    for account in config.accounts:
        if isinstance(account, ImportAccount):
            account = account.model_copy(update={"path": fix(account.path),
                                                 "actions_log": fix(account.actions_log)})
        elif isinstance(account, ThreadsAccount) and account.token_file is not None:
            account = account.model_copy(update={"token_file": fix(account.token_file)})
        elif isinstance(account, _RefreshableAccount) and account.oauth is not None:
            oauth = account.oauth.model_copy(update={"token_file": fix(account.oauth.token_file)})
            account = account.model_copy(update={"oauth": oauth})
        accounts.append(account)
    return config.model_copy(update={"secrets_file": fix(config.secrets_file),
                                     "alerts_file": fix(config.alerts_file),
                                     "accounts": tuple(accounts)})


def parse_config(text: str, *, source: str = "<connectors>", base: Path | None = None
                 ) -> ConnectorsConfig:
    """Parse and validate a connectors document.

    Args:
        text: the YAML text.
        source: its name, for messages.
        base: directory that relative paths are relative to (default: the working directory).

    Raises:
        ConfigError: malformed YAML or an invalid document (every error listed by path).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the connectors file must be a YAML mapping")
    try:
        config = ConnectorsConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format(error, source)) from None
    return _resolve_paths(config, base or Path.cwd())


def load_config(path: str | Path) -> ConnectorsConfig:
    """Load a connectors file; relative paths in it are relative to its directory.

    Raises:
        ConfigError: unreadable or invalid.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{file}: cannot read connectors file: {error}") from None
    return parse_config(text, source=str(file), base=file.resolve().parent)


class Secrets:
    """Reads the secrets a configuration points to; never logs or returns them in clear."""

    def __init__(self, config: ConnectorsConfig,
                 environ: Mapping[str, str] | None = None) -> None:
        """Prepare to read secrets for ``config``.

        Args:
            config: the validated configuration (its ``secrets_file`` is read lazily).
            environ: the environment (default: ``os.environ``).
        """
        self._environ = os.environ if environ is None else environ
        self._file = config.secrets_file
        self._values: dict[str, str] | None = None

    def _load_file(self) -> dict[str, str]:
        if self._values is not None:
            return self._values
        if self._file is None:
            raise ConfigError("a secret refers to the secrets file, but no secrets_file is set")
        try:
            text = read_private_text(self._file, "secrets file")
        except FileNotFoundError:
            raise ConfigError(f"{self._file}: cannot read secrets file: "
                              "No such file or directory") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            # The YAML error would quote the offending line: a secret. Say where, not what.
            raise ConfigError(f"{self._file}: secrets file is not valid YAML") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{self._file}: secrets file must be a mapping name -> value")
        self._values = {str(k): str(v) for k, v in data.items() if v is not None}
        return self._values

    def resolve(self, ref: SecretRef, *, account: str, field: str) -> Secret:
        """Read one secret.

        Raises:
            ConfigError: the variable, key or file is missing or empty (named, never shown).
        """
        where = f"account {account!r}, {field}"
        if ref.env is not None:
            value = self._environ.get(ref.env)
        elif ref.secret is not None:
            value = self._load_file().get(ref.secret)
        else:
            assert ref.file is not None
            try:
                value = ref.file.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ConfigError(f"{where}: cannot read {ref.describe()}: "
                                  f"{error.strerror or error}") from None
        if not value:
            raise ConfigError(f"{where}: {ref.describe()} is not set or empty")
        return Secret(value)
