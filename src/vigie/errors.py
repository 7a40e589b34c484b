"""Vigie's exception tree.

Every error Vigie raises on purpose derives from :class:`VigieError`, so an edge (the CLI, the
web API) can translate it into an exit code or an HTTP answer in one place::

    VigieError
    ├── PolicyError             a policy file is missing, malformed or inconsistent
    │   └── PeriodNotSupportedError  a period the Ray engine cannot apply (vigie.scale.context)
    ├── InputError              a comment record or input file cannot be read
    │   ├── RecordError         one record is invalid (carries its line number)
    │   └── BadStatsQuery       unusable statistics filters          (vigie.web.stats)
    ├── RegistryError           an unknown or misdeclared detector
    ├── DetectorError           a detector failed on a batch (recorded, never silent)
    │   ├── LexiconError        a lexicon data file is invalid      (vigie.text._lexicon_files)
    │   └── ModelError          a shipped model is missing or stale (vigie.models.model)
    ├── StoreError              the database refused an operation
    │   └── ReviewError         a review action is not allowed now  (vigie.store.review)
    ├── ConnectorError          a platform refused or failed         (vigie.connectors.errors)
    │   ├── ConfigError, AuthExpired, PermissionDenied, NotFound
    │   └── RateLimited, TransientError, ApiError
    ├── MediaError              an attachment could not be fetched or decoded
    │   ├── FetchError: FetchRefused, FetchFailed                  (vigie.media.fetch)
    │   ├── AddressRefused      an unsafe address                  (vigie.media.safety)
    │   └── ImageDecodeError    not a decodable image              (vigie.media.decode)
    └── web: WebSettingsError (unsafe settings), AccountError      (vigie.web)
        ├── WrongPassword, TooManyAttempts (a password change)    (vigie.web.accounts)
        └── NotAuthenticated (401), Forbidden (403), PasswordChangeRequired  (vigie.web.auth)

Errors are translated only at the edges: the CLI maps each class to an exit code
(:data:`EXIT_CODES`); the core never prints.
"""

from __future__ import annotations


class VigieError(Exception):
    """Base class of every error Vigie raises on purpose."""


class PolicyError(VigieError):
    """A policy file is missing, malformed or refers to signals no detector provides.

    The message names the location of the error in the file and, where they exist, the valid
    choices.
    """


class InputError(VigieError):
    """An input file cannot be read at all (missing, unknown format)."""


class RecordError(InputError):
    """One input record is invalid.

    Attributes:
        line: 1-based line number in the input file, or ``None`` when not read from a file.
        raw: the raw text of the record, kept so that nothing is lost (written to rejects).
    """

    def __init__(self, message: str, *, line: int | None = None, raw: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.raw = raw


class MediaError(VigieError):
    """An attachment could not be fetched or decoded (the message is a few safe words)."""


class RegistryError(VigieError):
    """A detector name is unknown, or a detector declares signals inconsistently."""


class DetectorError(VigieError):
    """A detector raised or returned a malformed result on a batch."""


class StoreError(VigieError):
    """The store refused an operation (integrity, migration, connection)."""


#: Exit codes used by the CLI, per error class (most specific first).
EXIT_CODES: tuple[tuple[type[VigieError], int], ...] = (
    (PolicyError, 3),
    (RecordError, 4),
    (InputError, 4),
    (RegistryError, 5),
    (StoreError, 6),
    (DetectorError, 7),
    (VigieError, 1),
)


def exit_code_for(error: VigieError) -> int:
    """Return the CLI exit code for ``error`` (pure)."""
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
