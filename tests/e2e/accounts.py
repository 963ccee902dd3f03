"""A new account signed in over HTTP, as the end-to-end tests need one."""

from __future__ import annotations

import secrets

import httpx

PASSWORD = "correct horse battery staple"


def signed_in(http: httpx.Client, name: str) -> dict[str, str]:
    """Signs up `name` with a fresh e-mail, logs in, and returns the Authorization header."""
    email = f"{name.lower()}-{secrets.token_hex(4)}@example.com"
    account = {"email": email, "password": PASSWORD}
    http.post("/v1/users", json={**account, "displayName": name}).raise_for_status()
    login = http.post("/v1/users:login", json=account).json()
    return {"authorization": f"Bearer {login['accessToken']}"}
