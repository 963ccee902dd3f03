"""Configuration from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from evently_cli.components import COMPONENTS
from evently_cli.up import component_env
from evently_platform.config import Settings, parse_durations


def test_defaults_follow_the_spec(tmp_path: Path) -> None:
    settings = Settings.from_env({"EVENTLY_DATA_DIR": str(tmp_path)})
    assert settings.addrs["events"] == "127.0.0.1:50052"
    assert settings.db_urls["users"] == f"sqlite:///{tmp_path.resolve() / 'users.db'}"
    assert settings.nats_urls == ()
    assert settings.users.signing_keys_dir == tmp_path.resolve() / "keys"
    assert settings.notifier.reminder_defaults == (timedelta(hours=24), timedelta(hours=1))


def test_several_nats_servers_may_be_given() -> None:
    settings = Settings.from_env({"EVENTLY_NATS_URL": "nats://a:4222, nats://b:4222"})
    assert settings.nats_urls == ("nats://a:4222", "nats://b:4222")


def test_reminder_defaults_read_like_durations() -> None:
    assert parse_durations("2d, 90m,30s") == (timedelta(days=2), timedelta(minutes=90), timedelta(seconds=30))
    assert parse_durations("none") == ()
    with pytest.raises(SystemExit, match="is not a duration"):
        parse_durations("soon")


def test_gateway_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "EVENTLY_CORS_ORIGINS": "https://a.example/, http://localhost:3000",
            "EVENTLY_GATEWAY_DEADLINE": "2m",
            "EVENTLY_GATEWAY_MAX_BODY_BYTES": "4096",
        }
    )
    assert settings.gateway.cors_origins == ("https://a.example", "http://localhost:3000")
    assert settings.gateway.deadline == timedelta(minutes=2)
    assert settings.gateway.max_body_bytes == 4096
    defaults = Settings.from_env({})
    assert defaults.gateway.cors_origins == ()
    assert defaults.gateway.deadline == timedelta(seconds=30)


def test_a_bad_gateway_setting_names_itself() -> None:
    with pytest.raises(SystemExit, match="EVENTLY_GATEWAY_DEADLINE"):
        Settings.from_env({"EVENTLY_GATEWAY_DEADLINE": "forever"})
    with pytest.raises(SystemExit, match="EVENTLY_GATEWAY_MAX_BODY_BYTES"):
        Settings.from_env({"EVENTLY_GATEWAY_MAX_BODY_BYTES": "0"})


def test_a_process_may_listen_on_another_address_than_the_one_others_dial() -> None:
    settings = Settings.from_env(
        {"EVENTLY_EVENTS_ADDR": "events:50052", "EVENTLY_LISTEN_ADDR": "0.0.0.0:50052"}
    )
    assert settings.addrs["events"] == "events:50052"  # what the gateway and the others dial
    assert settings.bind_addr("events") == "0.0.0.0:50052"
    assert Settings.from_env({}).bind_addr("users") == "127.0.0.1:50051"


def test_cluster_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "EVENTLY_NATS_URL": "nats://a:4222, nats://b:4222,nats://c:4222",
            "EVENTLY_STREAM_REPLICAS": "3",
            "EVENTLY_METRICS_ADDR": "0.0.0.0:9464",
        }
    )
    assert settings.nats_urls == ("nats://a:4222", "nats://b:4222", "nats://c:4222")
    assert settings.stream_replicas == 3
    assert settings.metrics_addr == "0.0.0.0:9464"
    with pytest.raises(SystemExit, match="EVENTLY_STREAM_REPLICAS"):
        Settings.from_env({"EVENTLY_STREAM_REPLICAS": "three"})


def test_evently_up_gives_each_component_its_own_metrics_port() -> None:
    settings = Settings.from_env({"EVENTLY_METRICS_ADDR": "127.0.0.1:9400"})
    ports = [component_env({}, settings, c)["EVENTLY_METRICS_ADDR"] for c in COMPONENTS]
    assert ports == ["127.0.0.1:9400", "127.0.0.1:9401", "127.0.0.1:9402", "127.0.0.1:9403"]
    assert component_env({"A": "1"}, Settings.from_env({}), "users") == {"A": "1"}


def test_links_in_email_point_at_the_public_address_when_one_is_given() -> None:
    assert Settings.from_env({"EVENTLY_GATEWAY_ADDR": "127.0.0.1:9090"}).public_url == "http://127.0.0.1:9090"
    public = Settings.from_env(
        {"EVENTLY_GATEWAY_ADDR": "gateway:8080", "EVENTLY_PUBLIC_URL": "https://evently.example.org/"}
    )
    assert public.public_url == "https://evently.example.org"


def test_the_calls_a_process_works_on_at_once_are_bounded_and_settable() -> None:
    assert Settings.from_env({}).max_calls_in_flight == 256
    assert Settings.from_env({"EVENTLY_MAX_CALLS_IN_FLIGHT": "32"}).max_calls_in_flight == 32
    with pytest.raises(
        SystemExit, match="EVENTLY_MAX_CALLS_IN_FLIGHT: 'lots' is not a positive whole number"
    ):
        Settings.from_env({"EVENTLY_MAX_CALLS_IN_FLIGHT": "lots"})
