"""One verification of the whole audit trail: chain, acting state, signed checkpoints.

``vigie audit verify`` and the dashboard's ``/audit/verify`` page both run
:func:`verify_audit`: the hash chain and the rows that act (:mod:`vigie.store.state_audit`), then
the signed checkpoints (:mod:`vigie.store.checkpoints`) from the files given, or else from the
settings (``VIGIE_AUDIT_CHECKPOINT_FILE`` and ``VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY`` or the
signing key). Everything is read in one snapshot, so a worker writing meanwhile cannot make a
row and its event disagree for an instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store.checkpoints import (
    CheckpointReport,
    configured_verification,
    load_public_key,
    read_checkpoints,
    verify_checkpoints,
)
from vigie.store.events import ChainReport
from vigie.store.state_audit import verify_trail
from vigie.store.store import Store

__all__ = ["AuditVerification", "verify_audit"]


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """What one verification found.

    Attributes:
        chain: the chain and the acting tables (:func:`verify_trail`).
        signed: the checkpoints, or ``None`` when none were given nor configured.
        checkpoints_file: the checkpoints file read, if any.
        checkpoints_error: why the configured checkpoints could not be checked
            (``strict=False`` only); the verification then fails.
    """

    chain: ChainReport
    signed: CheckpointReport | None = None
    checkpoints_file: Path | None = None
    checkpoints_error: str = ""

    @property
    def ok(self) -> bool:
        """Nothing wrong anywhere."""
        return (self.chain.ok and (self.signed is None or self.signed.ok)
                and not self.checkpoints_error)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``vigie audit verify --json``; pure)."""
        record = self.chain.to_dict()
        record["ok"] = self.ok
        if self.signed is not None:
            record["checkpoints"] = {"ok": self.signed.ok, "checked": self.signed.checked,
                                     "file": str(self.checkpoints_file),
                                     "summary": self.signed.summary(),
                                     "problems": self.signed.problems}
        if self.checkpoints_error:
            record["checkpoints"] = {"ok": False, "error": self.checkpoints_error}
        return record


def verify_audit(store: Store, checkpoints: Path | None = None,
                 public_key: Path | None = None, *, strict: bool = True) -> AuditVerification:
    """Verify the chain, the acting tables and the checkpoints (read only).

    Args:
        store: the store.
        checkpoints: the checkpoints file; with ``public_key``. Both ``None``: those of the
            settings, if configured (else no checkpoint is checked).
        public_key: the PEM public key that verifies them.
        strict: raise when the checkpoints cannot be read; ``False`` (the dashboard): verify
            the chain anyway and say why in ``checkpoints_error``.

    Raises:
        StoreError: only one of ``checkpoints`` and ``public_key``; a checkpoints file or key
            that cannot be read; a checkpoints file configured without a key.
    """
    if (checkpoints is None) != (public_key is None):
        raise StoreError("--checkpoints and --public-key go together")
    given: tuple[Path, Ed25519PublicKey] | None = None
    listed = None
    try:
        if checkpoints is not None and public_key is not None:
            given = (checkpoints, load_public_key(public_key))
        else:
            given = configured_verification(store.settings)
        listed = read_checkpoints(given[0]) if given is not None else None
    except StoreError as error:
        if strict:
            raise
        return AuditVerification(_trail(store), checkpoints_error=str(error))
    with _snapshot(store) as conn:
        chain = verify_trail(conn)
        if given is None or listed is None:
            return AuditVerification(chain)
        signed = verify_checkpoints(conn, listed, given[1])
    return AuditVerification(chain, signed, given[0])


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A read of one snapshot (SQLite's read transaction already is one)."""
    with store.read() as conn:
        if store.dialect == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def _trail(store: Store) -> ChainReport:
    with _snapshot(store) as conn:
        return verify_trail(conn)
