"""Settings of the web dashboard and REST API.

Settings refuse unsafe defaults instead of silently accepting them (the idea of
fastapi/full-stack-fastapi-template's ``core/config.py``):

* outside the ``dev``, ``demo`` and ``test`` modes a secret key must be given, at least 32
  characters long and not a placeholder; in those modes a random one is drawn when none is
  given (sessions then end when the process stops, unless the caller persists the key);
* session cookies are ``Secure`` in production; a production server that turns that off is
  refused (browsers would send the session over plain HTTP);
* the fast password-hashing profile (for tests) is refused outside ``test`` mode.

Environment variables (``VIGIE_*``) feed :func:`load_web_settings`; everything is also settable
in Python, which is what the tests do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from vigie.errors import VigieError
from vigie.store.settings import database_url as _database_url

__all__ = ["WebSettings", "WebSettingsError", "load_web_settings"]

Mode = Literal["production", "dev", "demo", "test"]

_PLACEHOLDERS = {"changethis", "changeme", "change-me", "secret", "password", "default",
                 "vigie", "test", "dev"}


class WebSettingsError(VigieError):
    """The web settings are invalid or unsafe; the message names the setting to change."""


class WebSettings(BaseModel):
    """Everything :func:`vigie.web.app.create_app` needs.

    Attributes:
        mode: ``production`` (default, strict), ``dev`` and ``demo`` (loopback use: a random
            key is accepted, cookies may travel over plain HTTP), ``test`` (also allows fast
            password hashing).
        secret_key: signs session and CSRF tokens; at least 32 characters.
        database_url: SQLAlchemy URL or SQLite file path (see :mod:`vigie.store.settings`).
        policy_path: policy file for the ``check`` endpoint and ingestion (default: bundled).
        load_pipeline: build the detector pipeline at start-up (off: ``check`` answers 503).
        cookie_secure: send cookies only over HTTPS; ``None`` means yes in production, no
            elsewhere.
        session_ttl_s: a session's lifetime in seconds (absolute, not sliding).
        login_max_failures: failed logins allowed per username within ``login_window_s``.
        login_max_failures_per_ip: failed logins allowed per client address in the window.
        login_window_s: the throttling window in seconds.
        default_locale: language of the interface when the browser has chosen none.
        fast_password_hashing: cheap Argon2 parameters; only in ``test`` mode.
        page_size: queue items per page (1–200).
        default_timezone: IANA zone of dates and times when the browser has chosen none.
        questions_max_per_client: questions one client may ask within ``questions_window_s``
            on the public ``/questions`` page (directive 8).
        questions_window_s: the questions' rate-limit window in seconds.
        appeals_max_per_client: attempts one client may make within ``appeals_window_s`` on
            the public ``/appeal`` page (6.2, 7), refused ones included.
        appeals_max_per_code: attempts on one appeal code within the window (from any client).
        appeals_window_s: the appeals' rate-limit window in seconds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode = "production"
    secret_key: SecretStr | None = None
    database_url: str = Field(default_factory=_database_url)
    policy_path: Path | None = None
    load_pipeline: bool = True
    cookie_secure: bool | None = None
    session_ttl_s: int = Field(8 * 3600, ge=60, le=30 * 24 * 3600)
    login_max_failures: int = Field(5, ge=1, le=1000)
    login_max_failures_per_ip: int = Field(30, ge=1, le=100_000)
    login_window_s: int = Field(15 * 60, ge=1, le=24 * 3600)
    default_locale: Literal["fr", "en"] = "fr"
    fast_password_hashing: bool = False
    page_size: int = Field(50, ge=1, le=200)
    default_timezone: str = Field("America/Montreal", pattern=r"^[A-Za-z0-9_+\-/]{1,64}$")
    questions_max_per_client: int = Field(3, ge=1, le=1000)
    questions_window_s: int = Field(3600, ge=1, le=7 * 24 * 3600)
    appeals_max_per_client: int = Field(5, ge=1, le=1000)
    appeals_max_per_code: int = Field(3, ge=1, le=1000)
    appeals_window_s: int = Field(3600, ge=1, le=7 * 24 * 3600)

    @model_validator(mode="after")
    def _safe(self) -> WebSettings:
        lax = self.mode in ("dev", "demo", "test")
        if self.secret_key is None:
            if not lax:
                raise ValueError(
                    "secret_key: set VIGIE_SECRET_KEY to a random string of at least 32 "
                    "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
                    "only the dev, demo and test modes draw one themselves"
                )
            object.__setattr__(self, "secret_key", SecretStr(secrets.token_urlsafe(48)))
        key = self.key
        if len(key) < 32 or key.lower() in _PLACEHOLDERS:
            raise ValueError("secret_key: must be at least 32 random characters, not a "
                             "placeholder")
        if self.cookie_secure is False and not lax:
            raise ValueError("cookie_secure: production sessions must use Secure cookies "
                             "(serve over HTTPS, or use --mode dev on the loopback)")
        if self.fast_password_hashing and self.mode != "test":
            raise ValueError("fast_password_hashing: only allowed in test mode")
        object.__setattr__(self, "database_url", _database_url(self.database_url))
        return self

    @property
    def key(self) -> str:
        """The secret key as a string (never logged)."""
        assert self.secret_key is not None  # filled by the validator
        return self.secret_key.get_secret_value()

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the ``Secure`` attribute."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.mode == "production"


def load_web_settings(env: Mapping[str, str] | None = None, **overrides: object) -> WebSettings:
    """Build settings from ``VIGIE_*`` environment variables, then ``overrides``.

    Variables: ``VIGIE_WEB_MODE``, ``VIGIE_SECRET_KEY``, ``VIGIE_DATABASE_URL``,
    ``VIGIE_POLICY``, ``VIGIE_COOKIE_SECURE`` (``1``/``0``), ``VIGIE_SESSION_TTL_S``,
    ``VIGIE_DEFAULT_LOCALE``, ``VIGIE_TIMEZONE``.

    Raises:
        WebSettingsError: a setting is invalid or unsafe; the message names it.
    """
    env = os.environ if env is None else env
    data: dict[str, object] = {}
    names = {
        "VIGIE_WEB_MODE": "mode", "VIGIE_SECRET_KEY": "secret_key",
        "VIGIE_DATABASE_URL": "database_url", "VIGIE_POLICY": "policy_path",
        "VIGIE_SESSION_TTL_S": "session_ttl_s", "VIGIE_DEFAULT_LOCALE": "default_locale",
        "VIGIE_TIMEZONE": "default_timezone",
    }
    for var, field in names.items():
        if env.get(var):
            data[field] = env[var]
    if env.get("VIGIE_COOKIE_SECURE"):
        data["cookie_secure"] = env["VIGIE_COOKIE_SECURE"].lower() in ("1", "true", "yes")
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return WebSettings.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise WebSettingsError(f"invalid web settings: {details}") from None
