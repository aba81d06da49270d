"""Talent statistics through the API: selections by programme, year, organisation and city (the ID-5
region of the host's USCC), only for officials and auditors, drafts never counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.services.projects.conftest import make_uscc
from tests.services.talent.awards_support import Awards
from tests.services.talent.conftest import APPLICANT, AUDITOR, OFFICIAL, ORG_ADMIN, SECOND_APPLICANT, Talent
from tests.services.talent.test_applications_api import draft, open_call, submit
from tests.services.talent.test_national_nominations import winners_year

CHANGCHUN = make_uscc("12220100MB0000001")  # registered in 220100, Changchun
YANBIAN = make_uscc("12222400MB0000002")  # 222400, Yanbian


async def set_row(talent: Talent, application_id: int, **values: Any) -> None:
    columns = ", ".join(f"{k} = :{k}" for k in values)
    async with talent.client._transport.app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        await session.execute(
            text(f"UPDATE applications SET {columns} WHERE id = :id"), {"id": application_id, **values}
        )
        await session.commit()


async def test_selections_by_programme_year_organisation_and_city(talent: Talent) -> None:
    call = await open_call(talent)
    a = await draft(talent, call["id"])
    b = await draft(talent, call["id"], who=SECOND_APPLICANT, applicant_name="王芳")
    c = await draft(talent, call["id"], who=SECOND_APPLICANT, applicant_name="赵强", title="另一方向")
    await draft(talent, call["id"], applicant_name="未提交")  # a draft: never counted
    for application in (a, b, c):
        await submit(talent, application, who=APPLICANT if application is a else SECOND_APPLICANT)
    await set_row(talent, a["id"], status="selected", org_uscc=CHANGCHUN)
    await set_row(talent, b["id"], status="terminated", org_uscc=YANBIAN, org_name="延边大学")
    await set_row(talent, c["id"], status="not_proposed")

    stats = await talent.call("GET", "/statistics?year=2027", OFFICIAL)
    sel = stats["selections"]
    assert sel["total"] == {"applications": 3, "accepted": 3, "selected": 2, "terminated": 1}
    assert [(p["code"], p["selected"]) for p in sel["by_programme"]] == [("JLQN", 2)]
    assert [(y["year"], y["applications"]) for y in sel["by_year"]] == [(2027, 3)]
    assert {o["name"]: o["selected"] for o in sel["by_organisation"]} == {"吉林大学": 1, "延边大学": 1}
    assert [(c["region_code"], c["name"], c["selected"]) for c in sel["by_city"]] == [
        ("2201", "长春市", 1),
        ("2224", "延边朝鲜族自治州", 1),
        (None, None, 0),
    ]
    assert (
        "selected" in stats["definitions"]["selected_states"]
        and "terminated" in stats["definitions"]["selected_states"]
    )
    assert (await talent.call("GET", "/statistics?year=2026", AUDITOR))["selections"]["total"]["applications"] == 0


async def test_statistics_are_for_officials_and_auditors(talent: Talent) -> None:
    await talent.call("GET", "/statistics", APPLICANT, 403)
    await talent.call("GET", "/statistics", ORG_ADMIN, 403)
    refused = await talent.call("GET", "/statistics?category=no_such", OFFICIAL, 422)
    assert refused["code"] == "validation_failed"


async def test_awards_by_category_grade_year_organisation_and_city(awards: Awards) -> None:
    cycle, (winner,) = await winners_year(awards)  # two nominations; the second disqualified by an objection
    stats = await awards.call("GET", f"/statistics?year=2027&category={cycle['category']}", AUDITOR)
    got = stats["awards"]
    assert got["total"] == {"nominations": 2, "accepted": 2, "awarded": 1}
    assert [(g["category"], g["grade"], g["awarded"]) for g in got["by_grade"]] == [
        (cycle["category"], 1, 1),
        (cycle["category"], 2, 0),
    ]
    assert [(c["category"], c["nominations"]) for c in got["by_category"]] == [(cycle["category"], 2)]
    assert [(o["name"], o["awarded"]) for o in got["by_organisation"]] == [("吉林大学", 1)]
    assert [(c["region_code"], c["name"], c["awarded"]) for c in got["by_city"]] == [("22", "吉林省", 1)]
    assert "awarded" in stats["definitions"]["awarded_states"]
