"""Key files on disk and the keys a process is allowed to hold.

Layout of a key directory (``PORTAL_KEYS_DIR``, ``instance/keys`` in development)::

    intake/0001.public    X25519 public key: submitted cases' data keys are sealed to it
    intake/0001.private   its private key: only the internal face loads it
    internal/0001.key     AES key for staff-only data (notes, decisions, watch list)
    blind-index.key       master key of the blind indexes (internal face only)
    audit.key             MAC key of the audit hash chain
    audit-checkpoint.key  Ed25519 key that signs checkpoints of that chain (internal face
                          only: the more exposed public face must not be able to vouch
                          for a chain that was rolled back)

Versions only grow; rotation adds a version and re-wraps data keys, so older versions
can be deleted once ``keys rotate`` has finished.
"""

import base64
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from portal.core import crypto

INTAKE_DIR = "intake"
INTERNAL_DIR = "internal"
BLIND_INDEX_FILE = "blind-index.key"
AUDIT_FILE = "audit.key"
AUDIT_CHECKPOINT_FILE = "audit-checkpoint.key"


class MissingKeyError(RuntimeError):
    """This process does not hold the key it was asked for (by design, or misconfigured)."""


KEY_BYTES = 32  # every key file holds 32 bytes: X25519 and Ed25519 keys, AES-256 and HMAC keys


def _read(path: Path) -> bytes:
    raw = base64.b64decode(path.read_text().strip())
    if len(raw) != KEY_BYTES:
        raise MissingKeyError(f"key file {path} is empty or damaged")
    return raw


def _write_secret(path: Path, raw: bytes) -> None:
    """Write a key file whole or not at all, readable by this user only, never overwriting."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(raw).decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)  # fails if the key exists: never replace a key by accident
    finally:
        os.unlink(temporary)


def _versions(directory: Path, suffix: str) -> dict[int, Path]:
    if not directory.is_dir():
        return {}
    return {int(p.stem): p for p in directory.glob(f"*{suffix}") if p.stem.isdigit()}


@dataclass
class KeyRing:
    """The keys one process holds, loaded once when the app is created."""

    intake_public: dict[int, bytes] = field(default_factory=dict)
    intake_private: dict[int, bytes] = field(default_factory=dict, repr=False)
    internal: dict[int, bytes] = field(default_factory=dict, repr=False)
    blind_index_master: bytes | None = field(default=None, repr=False)
    audit: bytes | None = field(default=None, repr=False)
    audit_checkpoint: bytes | None = field(default=None, repr=False)
    # Loaded private keys and derived index keys, built on first use from the raw keys
    # above, so a ring that holds no private key never holds one of these either.
    _unsealers: dict[tuple[int, bytes], crypto.IntakeUnsealer] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _index_keys: dict[tuple[bytes, str], bytes] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def load(cls, directory: Path, *, internal: bool) -> "KeyRing":
        """Load public material always, private material only for the internal face."""
        intake = directory / INTAKE_DIR
        ring = cls(intake_public={v: _read(p) for v, p in _versions(intake, ".public").items()})
        audit_path = directory / AUDIT_FILE
        ring.audit = _read(audit_path) if audit_path.exists() else None
        if internal:
            ring.intake_private = {v: _read(p) for v, p in _versions(intake, ".private").items()}
            ring.internal = {
                v: _read(p) for v, p in _versions(directory / INTERNAL_DIR, ".key").items()
            }
            blind_path = directory / BLIND_INDEX_FILE
            ring.blind_index_master = _read(blind_path) if blind_path.exists() else None
            checkpoint_path = directory / AUDIT_CHECKPOINT_FILE
            ring.audit_checkpoint = _read(checkpoint_path) if checkpoint_path.exists() else None
        return ring

    def missing(self, *, internal: bool) -> list[str]:
        """Names of the keys a face needs but this ring lacks."""
        needed = {
            "intake public key": bool(self.intake_public),
            "audit key": self.audit is not None,
        }
        if internal:
            needed |= {
                "intake private key": bool(self.intake_private),
                "internal key": bool(self.internal),
                "blind index key": self.blind_index_master is not None,
                "audit checkpoint key": self.audit_checkpoint is not None,
            }
        return [name for name, present in needed.items() if not present]

    def current_intake_public(self) -> tuple[int, bytes]:
        if not self.intake_public:
            raise MissingKeyError("no intake public key configured")
        version = max(self.intake_public)
        return version, self.intake_public[version]

    def intake_private_key(self, version: int) -> bytes:
        try:
            return self.intake_private[version]
        except KeyError:
            raise MissingKeyError(f"intake private key {version} is not held here") from None

    def intake_unsealer(self, version: int) -> crypto.IntakeUnsealer:
        """The loaded private key of intake key ``version``, kept for the life of the ring.

        Cached under the version and the key itself: a ring whose keys are replaced
        (rotation loads a new ring) never answers with an old key.
        """
        raw = self.intake_private_key(version)
        unsealer = self._unsealers.get((version, raw))
        if unsealer is None:
            unsealer = self._unsealers[(version, raw)] = crypto.IntakeUnsealer(raw)
        return unsealer

    def current_internal(self) -> tuple[int, bytes]:
        if not self.internal:
            raise MissingKeyError("no internal key held here")
        version = max(self.internal)
        return version, self.internal[version]

    def internal_key(self, version: int) -> bytes:
        try:
            return self.internal[version]
        except KeyError:
            raise MissingKeyError(f"internal key {version} is not held here") from None

    def blind_index_key(self, purpose: str) -> bytes:
        if self.blind_index_master is None:
            raise MissingKeyError("no blind index key held here")
        cached = self._index_keys.get((self.blind_index_master, purpose))
        if cached is None:
            cached = crypto.derive_purpose_key(self.blind_index_master, purpose)
            self._index_keys[(self.blind_index_master, purpose)] = cached
        return cached

    def audit_key(self) -> bytes:
        if self.audit is None:
            raise MissingKeyError("no audit key configured")
        return self.audit

    def audit_checkpoint_key(self) -> bytes:
        """The private key that signs audit checkpoints."""
        if self.audit_checkpoint is None:
            raise MissingKeyError("no audit checkpoint key held here")
        return self.audit_checkpoint

    def audit_checkpoint_public_key(self) -> bytes:
        """What checks a checkpoint's signature."""
        return crypto.signing_public_key_of(self.audit_checkpoint_key())


def add_intake_key_pair(directory: Path) -> int:
    """Write a new intake key pair as the next version and return that version."""
    existing = _versions(directory / INTAKE_DIR, ".public") | _versions(
        directory / INTAKE_DIR, ".private"
    )
    version = max(existing, default=0) + 1
    private, public = crypto.generate_intake_key_pair()
    _write_secret(directory / INTAKE_DIR / f"{version:04d}.private", private)
    _write_secret(directory / INTAKE_DIR / f"{version:04d}.public", public)
    return version


def add_internal_key(directory: Path) -> int:
    version = max(_versions(directory / INTERNAL_DIR, ".key"), default=0) + 1
    _write_secret(directory / INTERNAL_DIR / f"{version:04d}.key", crypto.new_data_key())
    return version


def retire_keys_before(directory: Path, kind: str, version: int) -> list[Path]:
    """Delete key files of ``kind`` older than ``version``; return what was deleted."""
    sub, suffixes = {
        "intake": (INTAKE_DIR, (".public", ".private")),
        "internal": (INTERNAL_DIR, (".key",)),
    }[kind]
    removed = []
    for suffix in suffixes:
        for old, path in _versions(directory / sub, suffix).items():
            if old < version:
                path.unlink()
                removed.append(path)
    return removed


def ensure_development_keys(directory: Path) -> list[str]:
    """Create whatever development key is missing; return the names created."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)  # not even the key files' names are anyone else's business
    created = []
    if not _versions(directory / INTAKE_DIR, ".public"):
        add_intake_key_pair(directory)
        created.append("intake key pair")
    if not _versions(directory / INTERNAL_DIR, ".key"):
        add_internal_key(directory)
        created.append("internal key")
    for name, filename, new_key in (
        ("blind index key", BLIND_INDEX_FILE, crypto.new_data_key),
        ("audit key", AUDIT_FILE, crypto.new_data_key),
        ("audit checkpoint key", AUDIT_CHECKPOINT_FILE, crypto.new_signing_key),
    ):
        if not (directory / filename).exists():
            _write_secret(directory / filename, new_key())
            created.append(name)
    return created
