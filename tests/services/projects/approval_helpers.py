"""Builders shared by the approval, notice, contract and concurrency tests: reviewed applications
(the review rounds hand them over in ``reviewed``; here the agency's ``complete_review`` is applied
through the service), proposal lists, approvals and concluded notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx

from services.projects.applications import service as applications
from shared.principal import Principal
from tests.services.projects.conftest import (
    AGENCY,
    AGENCY_ORG,
    APPLICANT,
    OFFICIAL,
    ORG_ADMIN,
    PREFIX,
    act,
    create_application,
    make_resident_id,
)

AGENCY_PRINCIPAL = Principal(kind="user", subject="200", roles=frozenset({"agency"}), org_id=AGENCY_ORG)


def leader(n: int) -> dict[str, str]:
    return {
        "name": f"负责人{n}",
        "id_number": make_resident_id(date(1975, 1, 1 + n % 28), seq=f"{n % 1000:03d}"),
        "title": "教授",
    }


async def reviewed(client: httpx.AsyncClient, call: dict[str, Any], n: int, **overrides: Any) -> dict[str, Any]:
    """An application of ``call`` by a leader of its own (PRJ-1 counts per leader) in state reviewed."""
    app = await create_application(
        client, call, leader=leader(n), title=f"第{n}号项目：黑土地保育技术研究{n}", **overrides
    )
    aid = app["id"]
    await act(client, aid, "submit", APPLICANT)
    await act(client, aid, "endorse", ORG_ADMIN)
    await act(client, aid, "accept", AGENCY)
    await act(client, aid, "start_review", AGENCY)
    env = applications.Environment(subject_key_secret=str(client.app.state.settings.subject_key_secret))  # type: ignore[attr-defined]
    async with client.app.state.db.sessionmaker() as s:  # type: ignore[attr-defined]
        done = await applications.act(s, AGENCY_PRINCIPAL, aid, "complete_review", None, None, env)
        assert done.status == "reviewed"
        await s.commit()
    return app


async def propose(
    client: httpx.AsyncClient,
    call_id: int,
    items: list[tuple[int, str]],
    *,
    not_funded: tuple[int, ...] = (),
    who: dict[str, str] = AGENCY,
    expect: int = 201,
) -> dict[str, Any]:
    body = {
        "call_id": call_id,
        "items": [{"application_id": a, "amount": amount} for a, amount in items],
        "not_funded": [{"application_id": a, "reason": "排名靠后"} for a in not_funded],
    }
    r = await client.post(f"{PREFIX}/approval-lists", json=body, headers=who)
    assert r.status_code == expect, r.text
    return r.json()


async def approve(client: httpx.AsyncClient, list_id: int, expect: int = 200, **headers: str) -> dict[str, Any]:
    r = await client.post(
        f"{PREFIX}/approval-lists/{list_id}/approve", json={"comment": "同意立项"}, headers=OFFICIAL | headers
    )
    assert r.status_code == expect, r.text
    return r.json()


async def status_of(client: httpx.AsyncClient, application_id: int) -> str:
    r = await client.get(f"{PREFIX}/applications/{application_id}", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def set_clock(client: httpx.AsyncClient, moment: datetime) -> None:
    client.app.state.clock = lambda: moment  # type: ignore[attr-defined]
