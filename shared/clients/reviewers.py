"""The reviewer pool (专家库) of the projects service, as the foundation and talent services see it.

``GET /api/v1/projects/internal/reviewers/candidates`` answers with ``CandidatePage``: per reviewer
exactly what the assignment and conflict rules need (keys, never names or ID numbers). The models
here are the wire format on both sides: the projects service declares them as its response model.
``pool_snapshot_hash`` is the hash a reproducible draw records (NSF-2).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient
from shared.review.model import Reviewer as ReviewReviewer
from shared.schemas import InputSchema

log = logging.getLogger("kjt.clients.reviewers")

DEPENDENCY = "projects"
CANDIDATES_PATH = "/api/v1/projects/internal/reviewers/candidates"
LOAD_PATH = "/api/v1/projects/internal/reviewers/{reviewer_id}/load"
LOADS_PATH = "/api/v1/projects/internal/reviewers/loads"
MAX_LOADS_PER_CALL = 5_000

# Discipline codes are hierarchical: a section letter, then two digits per level (NSFC style:
# "F" information sciences, "F02" computer science, "F0203", "F020301"). A prefix is any leading level.
DISCIPLINE_CODE_PATTERN = r"^[A-Z](?:[0-9]{2}){1,3}$"
DISCIPLINE_PREFIX_PATTERN = r"^[A-Z](?:[0-9]{2}){0,3}$"
DISCIPLINE_CODE_RE = re.compile(DISCIPLINE_CODE_PATTERN)
DISCIPLINE_PREFIX_RE = re.compile(DISCIPLINE_PREFIX_PATTERN)
MAX_CANDIDATE_PAGE = 1000


class ReviewerCandidate(BaseModel):
    """One reviewer as the assignment rules see them. Lists are sorted, so equal pools hash equally."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    person_key: str = Field(description="Keyed hash of the reviewer's ID number")
    institution_key: str = Field(description="Keyed hash of the reviewer's organisation's USCC")
    discipline_codes: list[str] = Field(description="Main discipline first")
    keywords: list[str]
    declared_person_keys: list[str] = Field(description="Keyed hashes of people the reviewer declared")
    declared_institution_keys: list[str] = Field(description="Keyed hashes of organisations the reviewer declared")
    current_load: int = Field(ge=0, description="Open review assignments, summed over every reporting source")
    active: bool = True
    available: bool = True
    user_id: str | None = Field(
        default=None,
        description="The platform account linked to the reviewer (Principal.subject), if any: "
        "a service shows a reviewer their assignments by it. Not part of the draw's inputs.",
    )

    def to_review(self) -> ReviewReviewer:
        """The candidate as the pure assignment and conflict rules take it (``shared.review``).
        Institution keys are subject keys of USCCs (``shared.subject_keys.organisation_key``) and
        keywords are case-folded: build the applications' keys and keywords the same way."""
        return ReviewReviewer(
            id=str(self.id),
            person_key=self.person_key,
            institution_key=self.institution_key,
            disciplines=tuple(self.discipline_codes),
            keywords=frozenset(self.keywords),
            declared_persons=frozenset(self.declared_person_keys),
            declared_institutions=frozenset(self.declared_institution_keys),
            available=self.available,
            active=self.active,
            load=self.current_load,
        )


def to_review_pool(candidates: Iterable[ReviewerCandidate]) -> list[ReviewReviewer]:
    """A pool for ``shared.review.draw`` (its ``pool_hash`` is then the draw's snapshot hash)."""
    return [c.to_review() for c in candidates]


class CandidatePage(BaseModel):
    items: list[ReviewerCandidate]
    next_cursor: str | None = None
    as_of: date = Field(description="The day availability was judged on (Asia/Shanghai)")
    snapshot_sha256: str = Field(description="pool_snapshot_hash(items): sha256 of this page's canonical JSON")


class LoadReport(InputSchema):
    open_assignments: int = Field(ge=0, le=100_000)


class LoadItem(InputSchema):
    reviewer_id: int = Field(ge=1, le=2**63 - 1)
    open_assignments: int = Field(ge=0, le=100_000)


class LoadBatch(InputSchema):
    """Many reviewers' loads in one call (a draw touches thousands): each as ``LoadReport`` would set it."""

    loads: list[LoadItem] = Field(min_length=1, max_length=MAX_LOADS_PER_CALL)


class LoadBatchRead(BaseModel):
    source: str
    updated: int
    unknown: list[int] = Field(description="reviewer ids not (or no longer) in the pool: skipped")


def canonical_pool(candidates: Iterable[ReviewerCandidate]) -> bytes:
    """Canonical JSON of a pool: reviewers by id, every list sorted, keys sorted, no whitespace."""
    rows: list[dict[str, Any]] = []
    for c in sorted(candidates, key=lambda c: c.id):
        row = c.model_dump(mode="json")
        for name in ("discipline_codes", "keywords", "declared_person_keys", "declared_institution_keys"):
            row[name] = sorted(row[name])
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def pool_snapshot_hash(candidates: Iterable[ReviewerCandidate]) -> str:
    return hashlib.sha256(canonical_pool(candidates)).hexdigest()


def check_discipline_prefixes(prefixes: Sequence[str]) -> list[str]:
    """The prefixes upper-cased; a ``ValueError`` naming the first malformed one."""
    out = [p.strip().upper() for p in prefixes]
    for p in out:
        if not DISCIPLINE_PREFIX_RE.fullmatch(p):
            raise ValueError(f"malformed discipline prefix: {p!r}")
    return out


class ReviewerPoolClient:
    """Reads the pool from the projects service. Every failure (down, timing out, answering 5xx or
    something unexpected) is a ``DependencyUnavailable``: 503 with ``Retry-After`` for the caller."""

    def __init__(self, http: InternalClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def candidates_page(
        self,
        disciplines: str | Sequence[str],
        *,
        limit: int = MAX_CANDIDATE_PAGE,
        cursor: str | None = None,
        on: date | None = None,
    ) -> CandidatePage:
        prefixes = check_discipline_prefixes([disciplines] if isinstance(disciplines, str) else disciplines)
        params: list[tuple[str, str | int]] = [("discipline", p) for p in prefixes]
        params.append(("limit", limit))
        if cursor:
            params.append(("cursor", cursor))
        if on:
            params.append(("on", on.isoformat()))
        response = await self.http.request(DEPENDENCY, "GET", self.base_url + CANDIDATES_PATH, params=params)
        if response.status_code != 200:
            log.warning("reviewer candidates answered %s", response.status_code)
            raise DependencyUnavailable(DEPENDENCY)
        try:
            return CandidatePage.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning("reviewer candidates answered an unexpected body: %s", exc.error_count())
            raise DependencyUnavailable(DEPENDENCY) from exc

    async def candidates(
        self, disciplines: str | Sequence[str], *, on: date | None = None, page_size: int = MAX_CANDIDATE_PAGE
    ) -> list[ReviewerCandidate]:
        """Every available candidate under the prefixes, by id (all pages). Hash it with
        ``pool_snapshot_hash`` to record the pool a draw used."""
        items: list[ReviewerCandidate] = []
        cursor: str | None = None
        while True:
            page = await self.candidates_page(disciplines, limit=page_size, cursor=cursor, on=on)
            on = page.as_of  # every page judged on the same day
            items.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return items

    async def report_loads(self, loads: dict[int, int]) -> list[int]:
        """Tell the pool many reviewers' loads at once (idempotent, in calls of ``MAX_LOADS_PER_CALL``);
        returns the reviewer ids the pool no longer has. Any failure is a 503."""
        unknown: list[int] = []
        items = sorted(loads.items())
        for start in range(0, len(items), MAX_LOADS_PER_CALL):
            chunk = items[start : start + MAX_LOADS_PER_CALL]
            body = LoadBatch(loads=[LoadItem(reviewer_id=r, open_assignments=n) for r, n in chunk]).model_dump()
            response = await self.http.request(DEPENDENCY, "PUT", self.base_url + LOADS_PATH, json=body)
            if response.status_code != 200:
                log.warning("reviewer load batch answered %s", response.status_code)
                raise DependencyUnavailable(DEPENDENCY)
            try:
                unknown += LoadBatchRead.model_validate_json(response.content).unknown
            except ValidationError as exc:
                log.warning("reviewer load batch answered an unexpected body: %s", exc.error_count())
                raise DependencyUnavailable(DEPENDENCY) from exc
        return unknown

    async def report_load(self, reviewer_id: int, open_assignments: int) -> None:
        """Tell the pool how many open assignments this service holds for a reviewer (idempotent)."""
        url = self.base_url + LOAD_PATH.format(reviewer_id=reviewer_id)
        body = LoadReport(open_assignments=open_assignments).model_dump()
        response = await self.http.request(DEPENDENCY, "PUT", url, json=body)
        if response.status_code == 404:
            raise LookupError(f"reviewer {reviewer_id} is not in the pool")
        if response.status_code != 200:
            log.warning("reviewer load report answered %s", response.status_code)
            raise DependencyUnavailable(DEPENDENCY)
