"""A talent programme year through the API, for the review, committee, selection and tenure tests: a
programme and its call with room for several applications per organisation, applications accepted at
formal review (each applicant a person of their own, hosted by UNIV), a reviewer pool in the projects app
(reviewer accounts ``rv-<n>``, one of them at the applicants' university), a drawn round whose experts
score every indicator, and on to the committee, the notice and selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.services.projects.conftest import headers, make_resident_id, make_uscc
from tests.services.talent.conftest import OFFICIAL, PROJECTS_OFFICIAL, UNIV_ORG, Talent, programme_body

UNIV_USCC = make_uscc("12220000412755413")  # the applicants' university
ORG_ADMIN = headers("org_admin", subject="400", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
EVIDENCE = [{"name": "证明.pdf", "size": 2048, "sha256": "b" * 64, "content_type": "application/pdf"}]
INDICATORS = ("i0", "i1", "i2", "i3")  # conftest.indicators(): weights 0.35, 0.25, 0.25, 0.15


def applicant(n: int) -> dict[str, str]:
    return headers("applicant", subject=f"app-{n}", org_id=UNIV_ORG, org_uscc=UNIV_USCC)


def reviewer(n: int) -> dict[str, str]:
    return headers("reviewer", subject=f"rv-{n}")


def member(n: int) -> dict[str, str]:
    return headers("reviewer", subject=f"m{n}")


def applicant_id(n: int) -> str:
    return make_resident_id(date(1993, 5, 1 + n), seq="013")


@dataclass
class Year:
    programme: dict[str, Any]
    call: dict[str, Any]
    apps: list[int] = field(default_factory=list)
    reviewers: dict[int, int] = field(default_factory=dict)  # n -> pool id
    round: dict[str, Any] = field(default_factory=dict)


async def open_year(talent: Talent, n_apps: int = 3, **programme: Any) -> Year:
    """A published call (2027, open 1-31 March; the clock at 10 March) with ``n_apps`` applications accepted
    at formal review, application n by applicant n."""
    p = await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body(**programme))
    body = {
        "programme_id": p["id"],
        "code": f"{p['code']}2027",
        "year": 2027,
        "title": "2027年度青年科技人才托举计划",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 20,
    }
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=body)
    await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    talent.clock.set(date(2027, 3, 10))
    year = Year(p, call)
    for n in range(n_apps):
        year.apps.append(await accepted(talent, call["id"], n))
    return year


async def accepted(talent: Talent, call_id: int, n: int, discipline_code: str = "C1301") -> int:
    who = applicant(n)
    body = {
        "call_id": call_id,
        "applicant_name": f"申请人{n}",
        "id_number": applicant_id(n),
        "org_name": "吉林大学",
        "org_kind": "university",
        "title": f"作物抗逆分子育种{n}",
        "discipline_code": discipline_code,
        "summary": "近五年主要创新成果与贡献",
        "works": [{"kind": "paper", "title": f"论文{n}", "own_contribution": "第一作者"}],
    }
    created = await talent.call("POST", "/applications", who, 201, json=body)
    await talent.call("POST", f"/applications/{created['id']}/submit", who, json={})
    await talent.call("POST", f"/applications/{created['id']}/endorse", ORG_ADMIN, json={})
    await talent.call("POST", f"/applications/{created['id']}/accept", OFFICIAL, json={})
    return int(created["id"])


async def add_reviewer(talent: Talent, year: Year, n: int, **overrides: Any) -> int:
    assert talent.projects is not None
    body: dict[str, Any] = {
        "name": f"专家{n}",
        "id_number": make_resident_id(date(1960, 1 + n // 28, 1 + n % 28), region="220104", seq=f"{500 + n:03d}"),
        "user_id": f"rv-{n}",
        "organisation_name": f"评审单位{n}",
        "organisation_uscc": make_uscc(f"1222000041276{n:04d}"),
        "title": "研究员",
        "discipline_codes": ["C1301"],
        "keywords": ["作物"],
    } | overrides
    r = await talent.projects.post("/api/v1/projects/reviewers", json=body, headers=PROJECTS_OFFICIAL)
    assert r.status_code == 201, r.text
    year.reviewers[n] = int(r.json()["id"])
    return year.reviewers[n]


async def drawn(talent: Talent, year: Year, reviewers: int = 5, seed: int = 20270401) -> dict[str, Any]:
    for n in range(1, reviewers + 1):
        await add_reviewer(talent, year, n)
    year.round = await talent.call(
        "POST", "/review-rounds", OFFICIAL, 201, json={"call_id": year.call["id"], "title": "2027年度专家评审"}
    )
    body: dict[str, Any] = await talent.call(
        "POST", f"/review-rounds/{year.round['id']}/draw", OFFICIAL, json={"seed": seed}
    )
    return body


def review(scores: tuple[int, int, int, int] | int) -> dict[str, Any]:
    values = scores if isinstance(scores, tuple) else (scores,) * 4
    return {
        "scores": {code: str(v) for code, v in zip(INDICATORS, values, strict=True)},
        "comments": {code: f"评语{code}" for code in INDICATORS},
    }


async def score_all(talent: Talent, year: Year, scores: dict[int, int]) -> None:
    """Every drawn expert reviews and submits: application ``year.apps[i]`` gets ``scores[i]`` on every
    indicator from each of its experts."""
    by_app = {a: i for i, a in enumerate(year.apps)}
    for n in year.reviewers:
        mine = await talent.call("GET", "/review-assignments?limit=100", reviewer(n))
        for a in mine["items"]:
            if a["status"] != "assigned":
                continue
            path = f"/review-assignments/{a['id']}/review"
            await talent.call("PUT", path, reviewer(n), json=review(scores[by_app[a["application_id"]]]))
            await talent.call("POST", f"{path}/submit", reviewer(n), json={})


async def reviewed_year(talent: Talent, scores: dict[int, int] | None = None, n_apps: int = 3, **kw: Any) -> Year:
    """Up to a closed round: every application reviewed, application i scored ``scores[i]``."""
    year = await open_year(talent, n_apps, **kw)
    await drawn(talent, year)
    await score_all(talent, year, scores or {i: 90 - 10 * i for i in range(n_apps)})
    await talent.call("POST", f"/review-rounds/{year.round['id']}/close", OFFICIAL, json={})
    return year


async def committee(talent: Talent, year: Year, members: int = 6, **rule: Any) -> dict[str, Any]:
    body = {"members": [f"m{n}" for n in range(1, members + 1)]} | rule
    result: dict[str, Any] = await talent.call("PUT", f"/calls/{year.call['id']}/committee", OFFICIAL, json=body)
    return result


async def ballot(talent: Talent, year: Year, n: int, votes: dict[int, str] | None, expect: int = 200) -> Any:
    body = {
        "present": votes is not None,
        "votes": [{"application_id": a, "vote": v} for a, v in (votes or {}).items()],
    }
    return await talent.call("PUT", f"/calls/{year.call['id']}/committee/ballot", member(n), expect, json=body)


async def proposed_year(talent: Talent, n_apps: int = 2, **kw: Any) -> Year:
    """Up to the tally: every application proposed (4 of 6 members present, all for)."""
    year = await reviewed_year(talent, n_apps=n_apps, **kw)
    await committee(talent, year)
    for n in range(1, 5):
        await ballot(talent, year, n, {a: "for" for a in year.apps})
    await talent.call("POST", f"/calls/{year.call['id']}/committee/tally", OFFICIAL, json={})
    return year


async def selected_year(talent: Talent, n_apps: int = 2, **kw: Any) -> Year:
    """Up to selection: the proposed list published from 1 March (its 5 working days over by the 10th) and
    concluded, every application selected with its tenure from 10 March 2027."""
    year = await proposed_year(talent, n_apps=n_apps, **kw)
    notice = await talent.call(
        "POST",
        "/notices",
        OFFICIAL,
        201,
        json={"kind": "selection", "call_id": year.call["id"], "starts_on": "2027-03-01"},
    )
    await talent.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, json={})
    return year
