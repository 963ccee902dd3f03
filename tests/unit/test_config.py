"""Configuration from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from evently_platform.config import Settings, parse_durations


def test_defaults_follow_the_spec(tmp_path: Path) -> None:
    settings = Settings.from_env({"EVENTLY_DATA_DIR": str(tmp_path)})
    assert settings.addrs["events"] == "127.0.0.1:50052"
    assert settings.db_urls["users"] == f"sqlite:///{tmp_path.resolve() / 'users.db'}"
    assert settings.nats_urls == ()
    assert settings.signing_keys_dir == tmp_path.resolve() / "keys"
    assert settings.reminder_defaults == (timedelta(hours=24), timedelta(hours=1))


def test_several_nats_servers_may_be_given() -> None:
    settings = Settings.from_env({"EVENTLY_NATS_URL": "nats://a:4222, nats://b:4222"})
    assert settings.nats_urls == ("nats://a:4222", "nats://b:4222")


def test_reminder_defaults_read_like_durations() -> None:
    assert parse_durations("2d, 90m,30s") == (timedelta(days=2), timedelta(minutes=90), timedelta(seconds=30))
    assert parse_durations("none") == ()
    with pytest.raises(SystemExit, match="is not a duration"):
        parse_durations("soon")
