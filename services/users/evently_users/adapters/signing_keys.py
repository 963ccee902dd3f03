"""The users service's token signing keys: EC P-256 private keys in PEM files in one directory
(`EVENTLY_SIGNING_KEYS_DIR`, default `<data dir>/keys`), generated on first start.

`signing-key.pem` signs new tokens. Rotating it (`evently rotate-signing-key`) keeps the old
public key as `previous-*.pem`, still published, so tokens it signed verify until they expire.
Running services notice a rotation by themselves (the directory is checked at most once a
second), so nothing needs a restart."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.jwks import keys_from_jwks
from evently_platform.auth.tokens import TokenIssuer, public_jwk

CURRENT = "signing-key.pem"
# Previous keys must outlive every token they signed (15 min) with room to spare.
KEEP_PREVIOUS_FOR = timedelta(days=1)
KEEP_AT_MOST = 5


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Atomically, readable by the owner only."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _load_private(path: Path) -> ec.EllipticCurvePrivateKey:
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return loaded


@dataclass(frozen=True)
class _Loaded:
    fingerprint: tuple[object, ...]
    issuer: TokenIssuer
    jwks: dict[str, Any]
    jwks_json: bytes
    verification_keys: dict[str, Any]


class SigningKeyStore:
    def __init__(self, directory: Path, *, check_every: float = 1.0) -> None:
        self._dir = directory
        self._check_every = check_every
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._checked_at = float("-inf")

    @property
    def current_path(self) -> Path:
        return self._dir / CURRENT

    def ensure(self) -> None:
        """Generate the first key when the directory has none."""
        self._dir.mkdir(parents=True, exist_ok=True)
        if not self.current_path.exists():
            _write_private(self.current_path, ec.generate_private_key(ec.SECP256R1()))

    def rotate(self, now: datetime | None = None) -> str:
        """A new signing key; the old one stays published. Returns the new key's id."""
        self.ensure()
        now = now or datetime.now(UTC)
        old = _load_private(self.current_path)
        old_kid = public_jwk(old.public_key())["kid"]
        previous = self._dir / f"previous-{now:%Y%m%dT%H%M%S%f}-{old_kid[:8]}.pem"
        previous.write_bytes(
            old.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        new = ec.generate_private_key(ec.SECP256R1())
        _write_private(self.current_path, new)
        self._prune(now)
        return str(public_jwk(new.public_key())["kid"])

    def _prune(self, now: datetime) -> None:
        previous = sorted(self._dir.glob("previous-*.pem"), reverse=True)  # newest first
        for index, path in enumerate(previous):
            age = now.timestamp() - path.stat().st_mtime
            if index >= KEEP_AT_MOST or age > KEEP_PREVIOUS_FOR.total_seconds():
                path.unlink(missing_ok=True)

    def _fingerprint(self) -> tuple[object, ...]:
        current = self.current_path.stat()
        previous = tuple(sorted(p.name for p in self._dir.glob("previous-*.pem")))
        return (current.st_mtime_ns, current.st_ino, current.st_size, previous)

    def _current(self) -> _Loaded:
        with self._lock:
            now = time.monotonic()
            if self._loaded is not None and now - self._checked_at < self._check_every:
                return self._loaded
            self._checked_at = now
            fingerprint = self._fingerprint()
            if self._loaded is None or self._loaded.fingerprint != fingerprint:
                self._loaded = self._load(fingerprint)
            return self._loaded

    def _load(self, fingerprint: tuple[object, ...]) -> _Loaded:
        signing = _load_private(self.current_path)
        keys: dict[str, dict[str, Any]] = {}
        for jwk in [public_jwk(signing.public_key())] + [
            public_jwk(key)
            for path in sorted(self._dir.glob("previous-*.pem"))
            if isinstance(
                key := serialization.load_pem_public_key(path.read_bytes()), ec.EllipticCurvePublicKey
            )
        ]:
            keys.setdefault(jwk["kid"], jwk)
        jwks = {"keys": list(keys.values())}
        return _Loaded(
            fingerprint=fingerprint,
            issuer=TokenIssuer(signing),
            jwks=jwks,
            jwks_json=json.dumps(jwks, separators=(",", ":")).encode(),
            verification_keys=keys_from_jwks(jwks),
        )

    def issuer(self) -> TokenIssuer:
        return self._current().issuer

    def jwks(self) -> dict[str, Any]:
        return self._current().jwks

    def jwks_json(self) -> bytes:
        return self._current().jwks_json

    async def key(self, kid: str) -> Any | None:
        """A KeySource for the users service's own verifier: it owns the keys."""
        return self._current().verification_keys.get(kid)
