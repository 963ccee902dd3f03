"""`evently rotate-signing-key`."""

from __future__ import annotations

from evently_platform.config import Settings
from evently_users.adapters.signing_keys import SigningKeyStore


def rotate_signing_key() -> int:
    settings = Settings.from_env()
    kid = SigningKeyStore(settings.users.signing_keys_dir).rotate()
    print(f"new signing key {kid} in {settings.users.signing_keys_dir}")
    return 0
