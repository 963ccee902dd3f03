"""OpenTelemetry metrics, served to Prometheus at `EVENTLY_METRICS_ADDR` (`GET /metrics`).

Unset, no meter provider is installed and every instrument is the API's no-op: metrics cost
nothing where nobody scrapes them. Instruments are created at import time through the API's
proxy meters, which start recording once `setup_metrics` has installed the provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from evently_platform.logging import get_logger
from evently_platform.net import split_addr

log = get_logger(__name__)
_installed = False


def setup_metrics(service: str, addr: str | None) -> None:
    """Install the meter provider and serve `/metrics` at `addr` (host:port). Once per process."""
    global _installed
    if _installed or not addr:
        return
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource
    from prometheus_client import start_http_server

    host, port = split_addr(addr)
    start_http_server(port, addr=host)  # a daemon thread: it ends with the process
    provider = MeterProvider(
        resource=Resource.create({"service.name": f"evently-{service}"}),
        metric_readers=[PrometheusMetricReader()],
    )
    metrics.set_meter_provider(provider)
    _installed = True
    log.info("metrics.serving", addr=f"{host}:{port}", path="/metrics")


def meter(name: str) -> metrics.Meter:
    return metrics.get_meter(name)


def gauge(
    name: str, read: Callable[[], Iterable[tuple[float, dict[str, str]]]], *, unit: str, description: str
) -> None:
    """An observable gauge read on each scrape: `read` returns (value, attributes) pairs. A read
    that fails (a database away) reports nothing for that scrape rather than failing it."""

    def observe(_: CallbackOptions) -> Iterable[Observation]:
        try:
            return [Observation(value, attributes) for value, attributes in read()]
        except Exception as exc:
            log.warning("metrics.read_failed", metric=name, error=repr(exc))
            return []

    meter("evently").create_observable_gauge(name, callbacks=[observe], unit=unit, description=description)
