"""What a service's demo data (``services/<name>/demo.py``) is handed when ``kjt seed`` or ``kjt run``
loads it: a ``Demo``, through which it calls the public API as the people would.

The tooling (``kjt.demo``) owns what every service's demo shares: the organisations and accounts,
their logins, the HTTP helper and the order of the services. A service's demo knows the organisations
and people only by key ("jlu", "jlu.applicant"), and defines ``async def load(demo: Demo) ->
DemoResult``: idempotent (what an earlier run loaded is left as it is) and development only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

import httpx
from stdnum.cn import ric

from shared.validators import validate_resident_id
from shared.workdays import SHANGHAI, today_shanghai

Headers = dict[str, str]


class DemoApi(Protocol):
    """Calls the gateway; an answer outside ``expect`` is raised (``kjt.demo.SeedError``)."""

    async def send(self, method: str, url: str, *, expect: tuple[int, ...] = ..., **kwargs: Any) -> httpx.Response: ...

    async def all_pages(self, url: str, auth: Headers) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: str
    uscc: str


@dataclass(frozen=True)
class DemoUser:
    key: str
    display_name: str
    roles: tuple[str, ...]
    org: str  # the key of the user's organisation


@dataclass(frozen=True)
class Demo:
    """Everything a service's demo needs: the API, the demo's people and organisations (registered in
    the gateway, with their ids) and the moment of loading, in Asia/Shanghai."""

    api: DemoApi
    login: Callable[[str], Awaitable[Headers]]  # a demo account's Authorization header, by user key
    now: datetime
    orgs: Mapping[str, DemoOrg]
    users: Mapping[str, DemoUser]
    org_ids: Mapping[str, int]
    user_ids: Mapping[str, int]
    echo: Callable[[str], None] = lambda _: None

    @property
    def today(self) -> date:
        return today_shanghai(self.now)

    def window(self) -> tuple[datetime, datetime]:
        """An application window open since an hour ago, closing at 17:00 four weeks from today."""
        return self.now - timedelta(hours=1), datetime.combine(self.today + timedelta(days=28), time(17, 0), SHANGHAI)


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False: an earlier run's data was found and nothing was added
    summary: str


def resident_id(region: str, birth: date, seq: str) -> str:
    """An invented resident ID number with its check digit (GB 11643, ID-2); ``seq`` odd for men."""
    body = f"{region}{birth:%Y%m%d}{seq}"
    return validate_resident_id(body + ric.calc_check_digit(body + "0"))
