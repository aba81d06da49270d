"""The Friendship Award (友谊奖): the nominee's work permit is checked service to service with the
foreign-experts service (a POST, no personal data in a URL): in force and registered to the named employer.
A cancelled permit or another employer is refused with its own code; foreign-experts down is a 503 with
Retry-After and nothing written; only the check's result is recorded in talent."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.foreign_experts.conftest import (
    CLERK,
    EMPLOYER_USCC,
    OTHER_USCC,
    PASSPORT,
    make_application,
    make_employer,
)
from tests.services.foreign_experts.conftest import (
    FE as ForeignExperts,
)
from tests.services.foreign_experts.conftest import OFFICIAL as FE_OFFICIAL
from tests.services.talent.awards_support import CITY_GOV, Awards, cycle_body, register_nominators
from tests.services.talent.conftest import OFFICIAL

FE = "/api/v1/foreign-experts"


async def fe_call(awards: Awards, method: str, path: str, who: dict[str, str], expect: int = 200, **kw: Any) -> Any:
    r = await awards.fe.request(method, FE + path, headers=who, **kw)
    assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
    return r.json()


async def issued_permit(awards: Awards) -> dict[str, Any]:
    awards.clock.set(date(2026, 3, 2))
    fe = ForeignExperts(awards.fe, None, None, awards.clock)  # type: ignore[arg-type]  # same clock shape
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"])
    for action, who in (("submit", CLERK), ("accept", FE_OFFICIAL), ("approve", FE_OFFICIAL), ("issue", FE_OFFICIAL)):
        done = await fe_call(awards, "POST", f"/permit-applications/{app['id']}/{action}", who)
    permit: dict[str, Any] = await fe_call(awards, "GET", f"/permits/{done['permit_id']}", FE_OFFICIAL)
    return permit


async def friendship_draft(awards: Awards, number: str, employer: str = EMPLOYER_USCC) -> dict[str, Any]:
    await register_nominators(awards)
    body = cycle_body(category="friendship", code="JLFA-2027", quotas={"none": 10}, votes={})
    cycle = await awards.call("POST", "/award-cycles", OFFICIAL, 201, json=body)
    await awards.call("POST", f"/award-cycles/{cycle['id']}/open", OFFICIAL, json={})
    awards.clock.set(date(2027, 3, 10))
    nomination = {
        "cycle_id": cycle["id"],
        "title": "长期支持吉林省光电产业国际合作",
        "summary": "在华工作期间的主要贡献",
        "disciplines": ["F0203"],
        "units": [{"name": "长春某光电企业", "uscc": EMPLOYER_USCC}],
        "completers": [{"name": "John Smith", "unit_name": "长春某光电企业"}],
        "permit_number": number,
        "employer_uscc": employer,
    }
    draft: dict[str, Any] = await awards.call("POST", "/nominations", CITY_GOV, 201, json=nomination)
    return draft


async def test_friendship_a_valid_permit_of_the_employer_is_taken_and_only_the_result_kept(awards: Awards) -> None:
    permit = await issued_permit(awards)
    draft = await friendship_draft(awards, permit["number"])
    done = await awards.call("POST", f"/nominations/{draft['id']}/submit", CITY_GOV, json={})
    assert done["status"] == "submitted"
    assert done["permit_check"] | {"checked_at": None} == {
        "checked_at": None,
        "valid": True,
        "status": "in_force",
        "employer_matches": True,
    }
    assert permit["number"] not in str(done)  # the number is not shown back
    checks = [r for r in awards.links.calls if r.url.host == "foreign-experts"]
    assert checks and all(r.method == "POST" and not r.url.query for r in checks)
    assert all(permit["number"] not in str(r.url) and PASSPORT not in r.content.decode() for r in checks)


async def test_friendship_a_cancelled_permit_is_refused(awards: Awards) -> None:
    permit = await issued_permit(awards)
    change = await fe_call(
        awards,
        "POST",
        f"/permits/{permit['id']}/changes",
        CLERK,
        201,
        json={"kind": "cancellation", "cancellation": {"reason": "contract_terminated", "ended_on": "2026-12-31"}},
    )
    await fe_call(awards, "POST", f"/permit-changes/{change['id']}/approve", FE_OFFICIAL)
    draft = await friendship_draft(awards, permit["number"])
    refused = await awards.call("POST", f"/nominations/{draft['id']}/submit", CITY_GOV, 422, json={})
    assert refused["code"] == "work_permit_not_valid" and refused["permit_status"] == "cancelled"
    again = await awards.call("GET", f"/nominations/{draft['id']}", CITY_GOV)
    assert again["status"] == "draft" and again["permit_check"] is None


async def test_friendship_another_employer_is_refused(awards: Awards) -> None:
    permit = await issued_permit(awards)
    draft = await friendship_draft(awards, permit["number"], employer=OTHER_USCC)
    refused = await awards.call("POST", f"/nominations/{draft['id']}/submit", CITY_GOV, 422, json={})
    assert refused["code"] == "work_permit_employer_mismatch"


async def test_friendship_foreign_experts_down_is_a_503_and_nothing_written(awards: Awards) -> None:
    permit = await issued_permit(awards)
    draft = await friendship_draft(awards, permit["number"])
    awards.links.down.add("foreign-experts")
    r = await awards.client.post(f"/api/v1/talent/nominations/{draft['id']}/submit", json={}, headers=CITY_GOV)
    assert r.status_code == 503 and "retry-after" in r.headers and r.json()["dependency"] == "foreign_experts"
    awards.links.down.clear()
    again = await awards.call("GET", f"/nominations/{draft['id']}", CITY_GOV)
    assert again["status"] == "draft" and again["version"] == draft["version"] and again["permit_check"] is None


async def test_the_permit_check_is_for_service_principals_only(awards: Awards) -> None:
    r = await awards.fe.post(
        FE + "/internal/permit-checks", json={"number": "1", "employer_uscc": EMPLOYER_USCC}, headers=FE_OFFICIAL
    )
    assert r.status_code == 403
