"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain shows an edited row, unless whoever edited it also recomputed every hash after it
(and the chain head): anyone with write access to the database can. A *checkpoint* anchors the
chain outside the database: the head's ``(seq, hash)`` at a moment, signed with an Ed25519 key
the database never holds, appended to a JSON-lines file kept elsewhere (a file on another
volume, mailed to the auditor, pushed to a write-once bucket). Rewriting history then changes
the hash at some checkpointed ``seq``, and no one without the private key can sign a new one.

* :func:`generate_key` writes a key pair (private key PEM, readable by its owner only; public
  key PEM, for auditors);
* :func:`write_checkpoint` signs the current head and appends it (``vigie audit checkpoint``, run
  periodically by cron or a systemd timer);
* :func:`verify_checkpoints` checks each signature and that each checkpointed event still has the
  signed hash, and says after which checkpoint tampering starts (``vigie audit verify
  --checkpoints FILE --public-key KEY``).

A checkpoint line: ``{"v": 1, "seq", "hash", "at", "key_id", "signature"}``; the signed bytes are
``vigie-audit-checkpoint/v1`` then ``seq``, ``hash`` and ``at``, one per line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store.schema import chain_head, events
from vigie.store.settings import StoreSettings
from vigie.store.store import Store

__all__ = ["Checkpoint", "CheckpointReport", "Checkpointer", "configured_verification",
           "generate_key", "key_id", "load_private_key", "load_public_key", "read_checkpoints",
           "verify_checkpoints", "write_checkpoint"]

_DOMAIN = "vigie-audit-checkpoint/v1"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed head of the chain.

    Attributes:
        seq: the last event's sequence number at signing time (0: an empty log).
        hash: that event's hash.
        at: when it was signed (ISO 8601, UTC).
        key_id: the first 16 hex digits of the SHA-256 of the public key.
        signature: the Ed25519 signature, hex.
    """

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        """The signed bytes (pure)."""
        return f"{_DOMAIN}\n{self.seq}\n{self.hash}\n{self.at}".encode()

    def to_line(self) -> str:
        """The JSON line written to the checkpoints file (pure)."""
        return json.dumps({"v": 1, **asdict(self)}, separators=(",", ":"))


def key_id(public: Ed25519PublicKey) -> str:
    """Short id of a public key: 16 hex digits of its SHA-256 (pure)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair; return its key id.

    Raises:
        StoreError: a file already exists (never overwrite a key), or cannot be written.
    """
    for path in (private_path, public_path):
        if path.exists():
            raise StoreError(f"{path} exists: refusing to overwrite a key")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public_path.write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    except OSError as error:
        raise StoreError(f"cannot write the key: {error}") from None
    return key_id(private.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read a private key written by :func:`generate_key`.

    Raises:
        StoreError: missing, unreadable, or not an Ed25519 private key.
    """
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise StoreError(f"{path}: not a readable Ed25519 private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read a public key written by :func:`generate_key`.

    Raises:
        StoreError: missing, unreadable, or not an Ed25519 public key.
    """
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError) as error:
        raise StoreError(f"{path}: not a readable Ed25519 public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise StoreError(f"{path}: not an Ed25519 public key")
    return key


def write_checkpoint(conn: Connection, private: Ed25519PrivateKey, path: Path,
                     at: dt.datetime) -> Checkpoint:
    """Sign the chain head read through ``conn`` and append it to ``path`` (flushed, fsynced).

    Raises:
        StoreError: the file cannot be written, or the chain head is missing.
    """
    head = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).one_or_none()
    if head is None:
        raise StoreError("the chain head row is missing: run `vigie audit verify`")
    unsigned = Checkpoint(int(head.seq), str(head.hash), at.astimezone(dt.UTC).isoformat(),
                          key_id(private.public_key()), "")
    signed = Checkpoint(unsigned.seq, unsigned.hash, unsigned.at, unsigned.key_id,
                        private.sign(unsigned.message()).hex())
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(signed.to_line() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise StoreError(f"{path}: cannot append the checkpoint: {error}") from None
    return signed


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint of a file, in file order.

    Raises:
        StoreError: the file cannot be read, or a line is not a checkpoint (named).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise StoreError(f"{path}: cannot read the checkpoints: {error}") from None
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]),
                                  str(data["key_id"]), str(data["signature"])))
        except (ValueError, KeyError, TypeError):
            raise StoreError(f"{path}, line {number}: not a checkpoint") from None
    return out


def configured_verification(settings: StoreSettings) -> tuple[Path, Ed25519PublicKey] | None:
    """The checkpoints file and the public key that the settings give, or ``None``.

    The key is ``audit_checkpoint_public_key`` (``VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY``), else
    the public half of the signing key ``audit_checkpoint_key``.

    Raises:
        StoreError: a file without any key, or a key that cannot be read.
    """
    if not settings.audit_checkpoint_file:
        return None
    path = Path(settings.audit_checkpoint_file)
    if settings.audit_checkpoint_public_key:
        return path, load_public_key(Path(settings.audit_checkpoint_public_key))
    if settings.audit_checkpoint_key:
        return path, load_private_key(Path(settings.audit_checkpoint_key)).public_key()
    raise StoreError("VIGIE_AUDIT_CHECKPOINT_FILE is set without a key to verify it: set "
                     "VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY (or VIGIE_AUDIT_CHECKPOINT_KEY)")


@dataclass(slots=True)
class CheckpointReport:
    """What :func:`verify_checkpoints` found.

    Attributes:
        checked: checkpoints read.
        last_good: the last checkpoint, in order, that the database still matches, if any.
        first_bad: the first one it no longer matches (tampering lies after ``last_good`` and at
            or before this one), if any.
        problems: one sentence per problem found.
    """

    checked: int = 0
    last_good: Checkpoint | None = None
    first_bad: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem."""
        return not self.problems

    def summary(self) -> str:
        """One sentence for the CLI (English, pure)."""
        if self.ok:
            last = self.last_good
            return (f"{self.checked} signed checkpoint(s) match the log"
                    + (f", up to event #{last.seq} signed {last.at}" if last else ""))
        if self.first_bad is None:
            return "; ".join(self.problems)
        after = (f"after checkpoint of event #{self.last_good.seq} signed {self.last_good.at}"
                 if self.last_good else "before the first checkpoint")
        return (f"the log was rewritten {after}, at or before event #{self.first_bad.seq} "
                f"(checkpoint signed {self.first_bad.at}): " + "; ".join(self.problems))


def verify_checkpoints(conn: Connection, checkpoints: list[Checkpoint],
                       public: Ed25519PublicKey) -> CheckpointReport:
    """Check each signature, then that each checkpointed event still has the signed hash.

    A signature that does not verify (the file edited, or signed by another key) is a problem
    of its own; checkpoints are compared in ``seq`` order and the first mismatch bounds where
    the rewrite starts.
    """
    report = CheckpointReport(checked=len(checkpoints))
    wanted = key_id(public)
    valid: list[Checkpoint] = []
    for cp in checkpoints:
        try:
            public.verify(bytes.fromhex(cp.signature), cp.message())
        except (InvalidSignature, ValueError):
            report.problems.append(f"checkpoint of event #{cp.seq} signed {cp.at}: the "
                                   f"signature does not verify with key {wanted} (file edited, "
                                   "or another key)")
            continue
        valid.append(cp)
    seqs = sorted({cp.seq for cp in valid if cp.seq > 0})
    stored = dict(conn.execute(select(events.c.seq, events.c.hash)
                               .where(events.c.seq.in_(seqs))).all()) if seqs else {}
    for cp in sorted(valid, key=lambda c: c.seq):
        actual = stored.get(cp.seq) if cp.seq > 0 else None
        if cp.seq == 0 or actual == cp.hash:
            if report.first_bad is None:
                report.last_good = cp
            continue
        if report.first_bad is None:
            report.first_bad = cp
            report.problems.append(
                f"event #{cp.seq} is gone" if actual is None else
                f"event #{cp.seq} no longer has the hash signed {cp.at} (the rows up to it "
                "were edited and the chain recomputed)")
    return report


class Checkpointer:
    """Signs a checkpoint when one is due: for long-running processes (``vigie run``).

    Built from the store's settings (:meth:`from_settings`); the key is read once, at start,
    so a wrong path fails at once rather than an hour later.
    """

    def __init__(self, store: Store, key: Ed25519PrivateKey, path: Path, every_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Sign the first checkpoint at the first :meth:`maybe`, then every ``every_s``."""
        self.store, self.key, self.path, self.every_s = store, key, path, every_s
        self.clock = clock
        self._next = clock()

    @classmethod
    def from_settings(cls, store: Store) -> Checkpointer | None:
        """The checkpointer the settings ask for, or ``None`` when not configured.

        Raises:
            StoreError: only one of the key and the file is set, or the key is unreadable.
        """
        s = store.settings
        if not s.audit_checkpoint_key and (not s.audit_checkpoint_file
                                           or s.audit_checkpoint_public_key):
            return None  # nothing to sign with (a file and a public key: verifying only)
        if not s.audit_checkpoint_key or not s.audit_checkpoint_file:
            raise StoreError("audit checkpoints need both VIGIE_AUDIT_CHECKPOINT_KEY and "
                             "VIGIE_AUDIT_CHECKPOINT_FILE")
        return cls(store, load_private_key(Path(s.audit_checkpoint_key)),
                   Path(s.audit_checkpoint_file), s.audit_checkpoint_every_s)

    def maybe(self) -> Checkpoint | None:
        """Sign and append a checkpoint if one is due; the checkpoint, or ``None``.

        Raises:
            StoreError: the file cannot be written.
        """
        if self.clock() < self._next:
            return None
        self._next = self.clock() + self.every_s
        with self.store.read() as conn:
            return write_checkpoint(conn, self.key, self.path, self.store.now())
