"""The fault suite runs real processes and real services; it borrows the fixtures that start
them from the suites that own them."""

from tests.services.conftest import extra_env, notifier, services, venue

__all__ = ["extra_env", "notifier", "services", "venue"]
