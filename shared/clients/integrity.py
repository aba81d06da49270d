"""The integrity check (科研诚信核查, PRJ-5) of the projects service, for the other services.

``IntegrityClient.check`` answers whether a person or an organisation is debarred on a day. The
number is turned into its subject key here (``shared.subject_keys``, the platform-wide secret), so
no ID number or USCC travels between services. Any failure is a ``DependencyUnavailable`` (503 with
``Retry-After``): a submission is refused, never let through on a guess (ARCHITECTURE rule 1).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient
from shared.principal import Principal
from shared.subject_keys import SubjectKind, is_subject_key, subject_key

log = logging.getLogger("kjt.clients.integrity")

DEPENDENCY = "projects"
CHECK_PATH = "/api/v1/projects/integrity/check"


class DebarmentPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    measure: str
    start: date
    end: date


class IntegrityCheck(BaseModel):
    """Clear or debarred on ``on``, with the periods that debar: all the check tells."""

    model_config = ConfigDict(frozen=True)

    status: Literal["clear", "debarred"]
    on: date
    periods: list[DebarmentPeriod]

    @property
    def debarred(self) -> bool:
        return self.status == "debarred"


class IntegrityClient:
    def __init__(self, http: InternalClient, base_url: str, *, subject_key_secret: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.secret = subject_key_secret

    def key_of(self, kind: SubjectKind, number: str) -> str:
        """The subject key of a number (raises ``IdNumberError`` for a malformed one)."""
        return subject_key(kind, number, self.secret)

    async def check(
        self,
        *,
        id_number: str | None = None,
        uscc: str | None = None,
        subject_key: str | None = None,
        on: date | None = None,
        on_behalf_of: Principal | None = None,
    ) -> IntegrityCheck:
        """Give exactly one of a person's ``id_number``, an organisation's ``uscc`` or a ``subject_key``;
        ``on`` defaults to today in Asia/Shanghai (the projects service decides)."""
        given = [v for v in (id_number, uscc, subject_key) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of id_number, uscc, subject_key")
        if id_number is not None:
            key = self.key_of("person", id_number)
        elif uscc is not None:
            key = self.key_of("organisation", uscc)
        else:
            assert subject_key is not None
            if not is_subject_key(subject_key):
                raise ValueError("a subject key is 64 lower-case hex characters")
            key = subject_key
        params = {"subject_key": key, **({"on": on.isoformat()} if on else {})}
        response = await self.http.request(
            DEPENDENCY, "GET", self.base_url + CHECK_PATH, params=params, on_behalf_of=on_behalf_of
        )
        if response.status_code != 200:
            log.warning("integrity check answered %s", response.status_code)
            raise DependencyUnavailable(DEPENDENCY)
        try:
            return IntegrityCheck.model_validate_json(response.content)
        except ValidationError:
            log.warning("integrity check answered a body that is not an IntegrityCheck")
            raise DependencyUnavailable(DEPENDENCY) from None
