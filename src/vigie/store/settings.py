"""Store settings: where the database is, how long data is kept, where escalations go.

Settings come from environment variables (``VIGIE_*``), optionally from a TOML file named by
``VIGIE_SETTINGS``; environment variables win. Unsafe choices are refused with a
:class:`~vigie.errors.StoreError` that says what to change, never silently accepted:

* a PostgreSQL server that is not on the loopback without ``sslmode=require`` (or stricter);
* an SMTP password sent to a non-loopback server without TLS;
* a webhook URL in plain ``http://`` to a non-loopback host;
* an export that pseudonymises authors with a missing, short or placeholder key.

Default database: ``VIGIE_DATABASE_URL``, else the SQLite file ``./vigie.sqlite``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vigie.errors import StoreError

__all__ = [
    "DEFAULT_DATABASE",
    "EscalationSettings",
    "RetentionSettings",
    "SmtpSettings",
    "StoreSettings",
    "WebhookSettings",
    "database_url",
    "is_loopback",
    "load_settings",
]

#: The database used when neither ``--db`` nor ``VIGIE_DATABASE_URL`` is given.
DEFAULT_DATABASE = "vigie.sqlite"

_PLACEHOLDER_KEYS = {"changeme", "change-me", "secret", "password", "default", "test", "vigie"}


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ::1); pure."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def database_url(value: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` (a URL or a file path) into an SQLAlchemy URL.

    ``None`` reads ``VIGIE_DATABASE_URL``, else uses ``./vigie.sqlite``. A plain path becomes an
    SQLite URL; ``postgresql://`` URLs use the psycopg 3 driver.

    Raises:
        StoreError: the URL names an unsupported database.
    """
    raw = str(value) if value is not None else os.environ.get("VIGIE_DATABASE_URL", "")
    raw = raw.strip() or DEFAULT_DATABASE
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().absolute()}"
    scheme = raw.split("://", 1)[0]
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if scheme in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        return raw
    raise StoreError(
        f"unsupported database URL scheme {scheme!r}; use a file path, sqlite:///PATH or "
        "postgresql://USER@HOST:PORT/DB"
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetentionSettings(_Strict):
    """How long comment text is kept (Québec's Law 25: no longer than needed).

    Attributes:
        allowed_text_days: days after which the text and raw payload of allowed comments are
            purged (the decision and its evidence stay; evidence never quotes the text).
        removed_years: years for which removed content and its evidence are kept, for appeals
            and accountability; the text is purged afterwards.
        consultation_days: days after which a draft put to a supervisor (6.3), the answer
            and the wording of its findings are purged, answered or not: a draft in doubt may
            hold personal or confidential text (:mod:`vigie.monitoring.consultation_privacy`).
    """

    allowed_text_days: int = Field(default=90, ge=1, le=3650)
    removed_years: int = Field(default=2, ge=1, le=25)
    consultation_days: int = Field(default=90, ge=1, le=3650)


class SmtpSettings(_Strict):
    """An SMTP relay for escalation e-mails."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = Field(min_length=3)
    recipients: tuple[str, ...] = Field(min_length=1)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    timeout_s: float = Field(default=10.0, gt=0)
    lang: Literal["fr", "en"] | None = Field(
        default=None, description="the recipients' language (default: escalation.lang)")

    @model_validator(mode="after")
    def _safe(self) -> SmtpSettings:
        if self.password and self.security == "none" and not is_loopback(self.host):
            raise ValueError(
                f"refusing to send an SMTP password in clear text to {self.host}; "
                "set security to starttls or ssl"
            )
        return self


class WebhookSettings(_Strict):
    """A Teams or Slack incoming webhook for escalations."""

    url: str
    flavour: Literal["slack", "teams"] = "slack"
    timeout_s: float = Field(default=10.0, gt=0)
    lang: Literal["fr", "en"] | None = Field(
        default=None, description="the channel's language (default: escalation.lang)")

    @model_validator(mode="after")
    def _safe(self) -> WebhookSettings:
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http"):
            raise ValueError(f"webhook URL must be https://, got {self.url!r}")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ValueError(
                f"refusing a plain http:// webhook to {parts.hostname}; use https://"
            )
        return self


class EscalationSettings(_Strict):
    """Where escalations go, in which language, and whether they are grouped in a digest.

    Attributes:
        lang: the language of the notices (French by default); a channel may name its own.
        dashboard_url: the dashboard's address as its readers reach it (``https://...``), so
            each notice links to the escalation's page; without it the notice gives the path.
    """

    smtp: SmtpSettings | None = None
    webhooks: tuple[WebhookSettings, ...] = ()
    digest: bool = False
    include_text: bool = Field(
        default=False,
        description="quote the comment text in notifications (off: ids and clauses only)")
    lang: Literal["fr", "en"] = "fr"
    dashboard_url: str | None = None

    @model_validator(mode="after")
    def _absolute_dashboard(self) -> EscalationSettings:
        if self.dashboard_url is not None:
            parts = urlsplit(self.dashboard_url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError(f"dashboard_url must be an http(s):// address, got "
                                 f"{self.dashboard_url!r}")
        return self

    @property
    def configured(self) -> bool:
        """Whether any channel (e-mail or webhook) is configured."""
        return self.smtp is not None or bool(self.webhooks)


class StoreSettings(_Strict):
    """Every store setting.

    Attributes:
        database_url: SQLAlchemy URL (see :func:`database_url`).
        allow_insecure_database: accept a remote PostgreSQL without TLS (explicit opt-in).
        pseudonym_key: secret for the HMAC pseudonyms of authors in exports.
        retention: retention rules.
        escalation: escalation channels.
        outbox_max_attempts: attempts before an outbox action is given up (``dead``).
        outbox_backoff_s: first retry delay in seconds; doubles on each attempt (capped at 1 h).
        outbox_lease_s: seconds a worker's claim on the actions it is sending holds; after
            that another worker takes them over as in doubt (a crash, or a stuck worker).
        audit_checkpoint_key: path of the Ed25519 private key that signs checkpoints of the
            audit chain (``vigie audit keygen``); with ``audit_checkpoint_file``, ``vigie run``
            signs one every ``audit_checkpoint_every_s`` seconds.
        audit_checkpoint_file: the checkpoints file, outside the database.
        audit_checkpoint_every_s: seconds between two checkpoints of ``vigie run``.
        audit_checkpoint_public_key: path of the public key that verifies the checkpoints
            (``vigie audit verify`` and the dashboard's verification, when no key is given);
            without it, the public half of ``audit_checkpoint_key``.
    """

    database_url: str = Field(default_factory=database_url)
    allow_insecure_database: bool = False
    pseudonym_key: str | None = None
    retention: RetentionSettings = RetentionSettings()
    escalation: EscalationSettings = EscalationSettings()
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    outbox_backoff_s: float = Field(default=30.0, ge=0.0)
    outbox_lease_s: float = Field(default=300.0, ge=0.0)
    audit_checkpoint_key: str | None = None
    audit_checkpoint_file: str | None = None
    audit_checkpoint_every_s: float = Field(default=3600.0, ge=1.0)
    audit_checkpoint_public_key: str | None = None

    @model_validator(mode="after")
    def _safe_database(self) -> StoreSettings:
        url = database_url(self.database_url)
        if url.startswith("postgresql") and not self.allow_insecure_database:
            parts = urlsplit(url)
            sslmode = parse_qs(parts.query).get("sslmode", [""])[0]
            host = parts.hostname or "localhost"  # no host: a local Unix socket
            if not is_loopback(host) and sslmode not in ("require", "verify-ca", "verify-full"):
                raise ValueError(
                    f"PostgreSQL on {host} without TLS: add ?sslmode=require (or verify-full) "
                    "to the URL, or set VIGIE_ALLOW_INSECURE_DATABASE=1 on a private network"
                )
        return self

    def require_pseudonym_key(self) -> bytes:
        """The pseudonymisation key, refusing unsafe values.

        Raises:
            StoreError: the key is missing, shorter than 16 characters or a placeholder.
        """
        key = self.pseudonym_key or ""
        if len(key) < 16 or key.lower() in _PLACEHOLDER_KEYS:
            raise StoreError(
                "exports pseudonymise authors with a secret key: set VIGIE_PSEUDONYM_KEY to a "
                "random string of at least 16 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`) and keep it out of the exports"
            )
        return key.encode("utf-8")


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if env.get("VIGIE_DATABASE_URL"):
        out["database_url"] = env["VIGIE_DATABASE_URL"]
    if env.get("VIGIE_ALLOW_INSECURE_DATABASE"):
        out["allow_insecure_database"] = env["VIGIE_ALLOW_INSECURE_DATABASE"] in ("1", "true")
    if env.get("VIGIE_PSEUDONYM_KEY"):
        out["pseudonym_key"] = env["VIGIE_PSEUDONYM_KEY"]
    retention = {}
    if env.get("VIGIE_RETENTION_ALLOWED_TEXT_DAYS"):
        retention["allowed_text_days"] = env["VIGIE_RETENTION_ALLOWED_TEXT_DAYS"]
    if env.get("VIGIE_RETENTION_REMOVED_YEARS"):
        retention["removed_years"] = env["VIGIE_RETENTION_REMOVED_YEARS"]
    if env.get("VIGIE_RETENTION_CONSULTATION_DAYS"):
        retention["consultation_days"] = env["VIGIE_RETENTION_CONSULTATION_DAYS"]
    if retention:
        out["retention"] = retention
    escalation: dict[str, Any] = {}
    if env.get("VIGIE_OUTBOX_LEASE_S"):
        out["outbox_lease_s"] = env["VIGIE_OUTBOX_LEASE_S"]
    for name in ("KEY", "FILE", "EVERY_S", "PUBLIC_KEY"):
        if env.get(f"VIGIE_AUDIT_CHECKPOINT_{name}"):
            out[f"audit_checkpoint_{name.lower()}"] = env[f"VIGIE_AUDIT_CHECKPOINT_{name}"]
    if env.get("VIGIE_SMTP_HOST"):
        smtp: dict[str, Any] = {
            "host": env["VIGIE_SMTP_HOST"],
            "sender": env.get("VIGIE_SMTP_FROM", ""),
            "recipients": [r.strip() for r in env.get("VIGIE_SMTP_TO", "").split(",")
                           if r.strip()],
        }
        for key, name in (("port", "PORT"), ("security", "SECURITY"),
                          ("username", "USER"), ("password", "PASSWORD")):
            if env.get(f"VIGIE_SMTP_{name}"):
                smtp[key] = env[f"VIGIE_SMTP_{name}"]
        escalation["smtp"] = smtp
    if env.get("VIGIE_WEBHOOK_URL"):
        escalation["webhooks"] = [{"url": env["VIGIE_WEBHOOK_URL"],
                                   "flavour": env.get("VIGIE_WEBHOOK_FLAVOUR", "slack")}]
    if env.get("VIGIE_ESCALATION_DIGEST"):
        escalation["digest"] = env["VIGIE_ESCALATION_DIGEST"] in ("1", "true")
    if env.get("VIGIE_ESCALATION_LANG"):
        escalation["lang"] = env["VIGIE_ESCALATION_LANG"]
    if env.get("VIGIE_DASHBOARD_URL"):
        escalation["dashboard_url"] = env["VIGIE_DASHBOARD_URL"]
    if escalation:
        out["escalation"] = escalation
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    database: str | None = None,
) -> StoreSettings:
    """Read settings from a TOML file (``path`` or ``VIGIE_SETTINGS``) and the environment.

    Args:
        path: TOML file whose top-level keys are :class:`StoreSettings` fields.
        env: environment to read (default: ``os.environ``).
        database: an explicit ``--db`` value; wins over everything else.

    Raises:
        StoreError: the file cannot be read or a setting is invalid or unsafe; the message
            names the setting.
    """
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    file = path or env.get("VIGIE_SETTINGS")
    if file:
        try:
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise StoreError(f"{file}: cannot read settings: {error}") from None
    data = _merge(data, _env_overrides(env))
    if database is not None:
        data["database_url"] = database
    data["database_url"] = database_url(data.get("database_url") or DEFAULT_DATABASE)
    try:
        return StoreSettings.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise StoreError(f"invalid store settings: {details}") from None
