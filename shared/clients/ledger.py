"""The limits ledger (限项台账, PRJ-1, NSF-5) of the projects service, for the other services.

A service reports each of its applications and projects with ``report`` whenever it changes (the
whole current state, with a revision that grows with every change, such as the record's version),
``remove``s a withdrawn one, and asks ``check`` before accepting a submission. People are named by
``person_key`` (``shared.subject_keys.person_key``), never by their ID number. Any failure is a
``DependencyUnavailable`` (503 with ``Retry-After``): refuse, never guess (ARCHITECTURE rule 1).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient

log = logging.getLogger("kjt.clients.ledger")

DEPENDENCY = "projects"
ITEM_PATH = "/api/v1/projects/internal/ledger/items/{service}/{item_id}"
ITEMS_PATH = "/api/v1/projects/internal/ledger/items/{service}"
MAX_ITEMS_PER_CALL = 5000
CHECK_PATH = "/api/v1/projects/internal/ledger/check"
COUNT_PATH = "/api/v1/projects/internal/ledger/count"

# An item's id in its service: it travels in a URL path, so no slash, space or percent sign.
ITEM_ID_PATTERN = r"^[A-Za-z0-9._:~-]{1,64}$"
_ITEM_ID_RE = re.compile(ITEM_ID_PATTERN)

Kind = Literal["application", "project"]
Role = Literal["leader", "applicant", "member"]
Status = Literal["open", "active", "closed"]


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class LedgerEntry(_Wire):
    service: str
    item_id: str
    role: str
    kind: str
    programme: str
    year: int
    status: str


class StoredItem(LedgerEntry):
    revision: int
    updated_at: datetime


class ItemState(_Wire):
    """One item's whole current state, as ``report`` sends it (for ``report_many``)."""

    item_id: str
    person_key: str
    role: Role
    kind: Kind
    programme: str
    year: int
    status: Status
    revision: int


class BatchResult(_Wire):
    created: int
    updated: int
    unchanged: int
    stale: int


class ReportResult(_Wire):
    outcome: Literal["created", "updated", "unchanged", "stale"]
    stale: bool
    item: StoredItem


class RuleResult(_Wire):
    clause: str
    code: str
    name_zh: str
    name_en: str
    limit: int
    count: int
    allowed: bool
    items: list[LedgerEntry]


class LimitCheck(_Wire):
    allowed: bool
    violations: list[str]
    results: list[RuleResult]


class LedgerCount(_Wire):
    count: int
    items: list[LedgerEntry]


M = TypeVar("M", bound=BaseModel)


class LedgerClient:
    def __init__(self, http: InternalClient, base_url: str, *, service: str) -> None:
        """``service``: the calling service's own name (it may report only its own items)."""
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.service = service

    def _item_url(self, item_id: str) -> str:
        if not _ITEM_ID_RE.fullmatch(item_id):
            raise ValueError(f"an item id matches {ITEM_ID_PATTERN}")
        path = ITEM_PATH.format(service=quote(self.service, safe=""), item_id=quote(item_id, safe=""))
        return self.base_url + path

    @staticmethod
    def _parse(response: httpx.Response, model: type[M], what: str) -> M:
        if response.status_code != 200:
            log.warning("ledger %s answered %s", what, response.status_code)
            raise DependencyUnavailable(DEPENDENCY)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            log.warning("ledger %s answered an unexpected body", what)
            raise DependencyUnavailable(DEPENDENCY) from None

    async def report(
        self,
        item_id: str,
        *,
        person_key: str,
        role: Role,
        kind: Kind,
        programme: str,
        year: int,
        status: Status,
        revision: int,
    ) -> ReportResult:
        """Create or update the item (idempotent; a revision older than the stored one is ignored
        and answered with ``stale=True``)."""
        body = {
            "person_key": person_key,
            "role": role,
            "kind": kind,
            "programme": programme,
            "year": year,
            "status": status,
            "revision": revision,
        }
        response = await self.http.request(DEPENDENCY, "PUT", self._item_url(item_id), json=body)
        return self._parse(response, ReportResult, "report")

    async def report_many(self, items: Sequence[ItemState]) -> BatchResult:
        """``report`` for many items at once (calls of ``MAX_ITEMS_PER_CALL``, each one transaction there)."""
        total = {"created": 0, "updated": 0, "unchanged": 0, "stale": 0}
        url = self.base_url + ITEMS_PATH.format(service=quote(self.service, safe=""))
        for start in range(0, len(items), MAX_ITEMS_PER_CALL):
            chunk = items[start : start + MAX_ITEMS_PER_CALL]
            for item in chunk:
                if not _ITEM_ID_RE.fullmatch(item.item_id):
                    raise ValueError(f"an item id matches {ITEM_ID_PATTERN}")
            body = {"items": [item.model_dump() for item in chunk]}
            result = self._parse(
                await self.http.request(DEPENDENCY, "PUT", url, json=body), BatchResult, "batch report"
            )
            for key in total:
                total[key] += getattr(result, key)
        return BatchResult(**total)

    async def remove(self, item_id: str, *, revision: int | None = None) -> None:
        params = {"revision": revision} if revision is not None else {}
        response = await self.http.request(DEPENDENCY, "DELETE", self._item_url(item_id), params=params)
        if response.status_code != 204:
            log.warning("ledger remove answered %s", response.status_code)
            raise DependencyUnavailable(DEPENDENCY)

    async def check(
        self,
        *,
        person_key: str,
        year: int,
        kind: Kind = "application",
        role: Role = "leader",
        senior: bool = False,
        exclude_item_id: str | None = None,
    ) -> LimitCheck:
        """May the person take one more item of ``kind`` in this service in ``year``? (PRJ-1, NSF-5)"""
        body = {
            "person_key": person_key,
            "year": year,
            "kind": kind,
            "service": self.service,
            "role": role,
            "senior": senior,
            "exclude_item_id": exclude_item_id,
        }
        response = await self.http.request(DEPENDENCY, "POST", self.base_url + CHECK_PATH, json=body)
        return self._parse(response, LimitCheck, "check")

    async def count(
        self,
        *,
        person_key: str,
        year: int | None = None,
        kinds: Sequence[Kind] | None = None,
        statuses: Sequence[Status] | None = None,
        services: Sequence[str] | None = None,
    ) -> LedgerCount:
        """The person's items across every service, filtered."""
        body = {
            "person_key": person_key,
            "year": year,
            "kinds": list(kinds) if kinds is not None else None,
            "statuses": list(statuses) if statuses is not None else None,
            "services": list(services) if services is not None else None,
        }
        response = await self.http.request(DEPENDENCY, "POST", self.base_url + COUNT_PATH, json=body)
        return self._parse(response, LedgerCount, "count")
