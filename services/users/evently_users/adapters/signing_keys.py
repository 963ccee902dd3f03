"""The users service's token signing key: an EC P-256 private key in a PEM file under the data
dir, generated on first start. Older public keys stay published so tokens they signed verify
until they expire."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.tokens import public_jwk


class SigningKeyStore:
    def __init__(self, directory: Path) -> None:
        self._dir = directory

    @property
    def current_path(self) -> Path:
        return self._dir / "signing-key.pem"

    def load_or_create(self) -> ec.EllipticCurvePrivateKey:
        if not self.current_path.exists():
            self._dir.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(self.current_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
        loaded = serialization.load_pem_private_key(self.current_path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{self.current_path} is not an EC private key")
        return loaded

    def jwks(self, current: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
        keys = [public_jwk(current.public_key())]
        for path in sorted(self._dir.glob("previous-*.pem")):
            previous = serialization.load_pem_public_key(path.read_bytes())
            if isinstance(previous, ec.EllipticCurvePublicKey):
                keys.append(public_jwk(previous))
        return {"keys": keys}

    def jwks_json(self, current: ec.EllipticCurvePrivateKey) -> bytes:
        return json.dumps(self.jwks(current), separators=(",", ":")).encode()
