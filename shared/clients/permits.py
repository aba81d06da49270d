"""The work-permit check of the foreign-experts service, for the other services (the Friendship Award).

``PermitClient.check`` asks whether a lifelong permit number (WP-8) names a permit in force today and
registered to the given employer (its USCC). The number and the employer travel in a POST body, never in a
query string, and the answer says only what the check needs: found, in force, the permit's state, and
whether the employer matches; no name, passport or date of the person. Any failure (down, timing out, a
5xx, an unexpected body) is a ``DependencyUnavailable`` (503 with ``Retry-After``): a nomination is
refused, never let through on a guess (ARCHITECTURE rule 1).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient
from shared.principal import Principal
from shared.schemas import InputSchema

log = logging.getLogger("kjt.clients.permits")

DEPENDENCY = "foreign_experts"
CHECK_PATH = "/api/v1/foreign-experts/internal/permit-checks"

PermitState = Literal["in_force", "not_yet_in_force", "expired", "cancelled", "revoked", "not_found"]


class PermitCheckRequest(InputSchema):
    """What the asking service knows: the permit number and the employer it names."""

    number: str = Field(min_length=1, max_length=40, description="the 18-digit lifelong permit number (WP-8)")
    employer_uscc: str = Field(min_length=1, max_length=40, description="the employer's unified social credit code")
    on: date | None = Field(default=None, description="the day to judge on (default: today, Asia/Shanghai)")


class PermitCheck(BaseModel):
    """The answer: all the check tells."""

    model_config = ConfigDict(frozen=True)

    found: bool = Field(description="the number names a permit")
    status: PermitState = Field(description="the permit's state on `on`; `not_found` when the number is unknown")
    valid: bool = Field(description="in force on `on`")
    employer_matches: bool = Field(description="the permit is registered to the employer asked about")
    on: date


class PermitClient:
    def __init__(self, http: InternalClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def check(
        self, number: str, employer_uscc: str, *, on: date | None = None, on_behalf_of: Principal | None = None
    ) -> PermitCheck:
        body = PermitCheckRequest(number=number, employer_uscc=employer_uscc, on=on).model_dump(mode="json")
        response = await self.http.request(
            DEPENDENCY, "POST", self.base_url + CHECK_PATH, json=body, on_behalf_of=on_behalf_of
        )
        if response.status_code != 200:
            log.warning("permit check answered %s", response.status_code)
            raise DependencyUnavailable(DEPENDENCY)
        try:
            return PermitCheck.model_validate_json(response.content)
        except ValidationError:
            log.warning("permit check answered a body that is not a PermitCheck")
            raise DependencyUnavailable(DEPENDENCY) from None
