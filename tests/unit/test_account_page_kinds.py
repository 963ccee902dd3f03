"""The account page offers a switch for every kind of notification the notifier sends."""

from __future__ import annotations

import re

from evently_gateway.webui import WEB_ROOT
from evently_notifier.domain.routing import KINDS


def test_the_account_page_lists_every_kind_of_notification() -> None:
    page = (WEB_ROOT / "js" / "pages" / "account.js").read_text()
    listed = re.findall(r'^\s*\["([a-z_.]+)", "', page, re.M)
    assert sorted(listed) == sorted(KINDS)
