"""Foundation applications through the API: drafts, who sees and does what (object level), masking, the
guards at submit with the projects service asked first (NSF-5, PRJ-1, PRJ-5, NSF-6, CAL-2), the 503
when projects is down with nothing half-written, the limits ledger kept current, and the formal
review (NSF-1)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from shared.workdays import SHANGHAI
from tests.services.foundation.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    APPLICANT_ID,
    AUDITOR,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    OTHER_ORG_ADMIN,
    OTHER_USCC,
    PREFIX,
    PROJECTS,
    UNIV_USCC,
    Platform,
    headers,
    now,
)
from tests.services.foundation.helpers import (
    accept,
    act,
    application_body,
    category_id,
    create_application,
    create_plan,
    endorse,
    make_resident_id,
    set_clock,
    submit,
)
from tests.services.projects import conftest as projects_fixtures

YOUTH_BUDGET = {"business": "50000.00"}


def url(application_id: int, tail: str = "") -> str:
    return f"{PREFIX}/applications/{application_id}{tail}"


async def get(c: httpx.AsyncClient, application_id: int, who: dict[str, str] = APPLICANT) -> dict[str, Any]:
    r = await c.get(url(application_id), headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def history_actions(c: httpx.AsyncClient, application_id: int) -> list[str]:
    r = await c.get(url(application_id, "/history"), headers=APPLICANT)
    assert r.status_code == 200, r.text
    return [h["action"] for h in r.json()]


async def ledger_items(platform: Platform, id_number: str = APPLICANT_ID) -> list[dict[str, Any]]:
    """The person's entries in the projects service's limits ledger."""
    r = await platform.projects.get(f"{PROJECTS}/ledger/items", params={"id_number": id_number}, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def debar(platform: Platform, **subject: str) -> None:
    """An active integrity debarment (PRJ-5, NSF-7) recorded in the projects service."""
    today = date.today()
    start = date(today.year, today.month, 1) - timedelta(days=31)
    body = {
        "subject_kind": "person" if "id_number" in subject else "organisation",
        **subject,
        "conduct": "伪造论文发表情况",
        "measure": "debarment",
        "severity": "general",
        "period_start": start.isoformat(),
        "period_end": date(start.year + 2, start.month, 1).isoformat(),
        "decision_no": "吉科诚〔2026〕1号",
    }
    r = await platform.projects.post(f"{PROJECTS}/integrity/records", json=body, headers=OFFICIAL)
    assert r.status_code == 201, r.text


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


# --- drafts ----------------------------------------------------------------------------------------


async def test_create_derives_birth_date_and_sex_from_the_id_number_id2(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    application = await create_application(c, plan)
    assert application["status"] == "draft" and application["version"] == 1
    applicant = application["applicant"]
    assert applicant["birth_date"] == "1985-03-14" and applicant["sex"] == "male"
    assert applicant["id_number"] == APPLICANT_ID and applicant["id_kind"] == "resident"
    assert application["requested_total"] == "90000.00" and application["budget"]["business"] == "50000.00"
    assert application["allowed_actions"] == ["submit", "withdraw"]
    assert application["formal_review_due"] and application["formal_review_overdue"] is False
    assert await history_actions(c, application["id"]) == ["create"]


async def test_birth_date_and_sex_cannot_be_typed(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    body = application_body(plan)
    body["applicant"] = body["applicant"] | {"sex": "female", "birth_date": "1999-01-01"}
    r = await c.post(f"{PREFIX}/applications", json=body, headers=APPLICANT)
    assert {e["code"] for e in problem(r, 422)["errors"]} == {"unknown_field"}


async def test_id3_foreign_permanent_residence_id_accepted(platform: Platform) -> None:
    """ID-3: a foreign permanent residence card is accepted wherever a resident ID is."""
    c = platform.c
    plan = await create_plan(c)
    number = make_resident_id(date(1992, 8, 8), region="931560", seq="024")
    application = await create_application(
        c, plan, applicant={"name": "Anna Müller", "id_number": number, "title_rank": "intermediate"}
    )
    assert application["applicant"]["id_kind"] == "foreign_permanent_resident"
    assert application["applicant"]["sex"] == "female"
    assert (await submit(c, application["id"]))["status"] == "submitted"


async def test_create_validation_is_422_with_stable_codes(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    other_plan = await create_plan(c, code="JJ2026-B")

    async def codes(**overrides: Any) -> set[str]:
        r = await c.post(f"{PREFIX}/applications", json=application_body(plan, **overrides), headers=APPLICANT)
        body = problem(r, 422)
        return {e["code"] for e in body.get("errors", [])} or {body["code"]}

    assert await codes(budget={"travel": "1000.00"}) == {"unknown_budget_line"}
    assert await codes(budget={"business": "-1.00"}) == {"greater_than_equal"}
    assert await codes(budget={line: "99999999999999.99" for line in ("equipment", "business")}) == {"budget_too_large"}
    bad_id = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    assert await codes(applicant={"name": "王", "id_number": bad_id, "title_rank": "none"}) == {"invalid_resident_id"}
    assert await codes(discipline_code="F2") == {"string_pattern_mismatch"}
    assert await codes(discipline_code="B0101") == {"discipline_not_in_plan"}
    assert await codes(category_id=category_id(other_plan)) == {"unknown_category"}
    assert await codes(institution_uscc=OTHER_USCC) == {"not_your_organisation"}
    assert await codes(keywords=["遥感", "遥感"]) == {"duplicate_keyword"}
    person = {"name": "李四", "id_number": make_resident_id(date(1970, 1, 1), seq="111")}
    four = [{"name": f"专家{i}", "id_number": make_resident_id(date(1970, 1, 1 + i), seq="111")} for i in range(4)]
    assert await codes(exclusions=four) == {"too_long"}  # NSF-3: at most 3
    assert await codes(exclusions=[person, person]) == {"duplicate_person"}
    assert await codes(relations=[person | {"relation": "enemy"}]) == {"literal_error"}


async def test_create_needs_a_published_plan_and_the_applicant_role(platform: Platform) -> None:
    c = platform.c
    draft = await create_plan(c, publish=False)
    r = await c.post(f"{PREFIX}/applications", json=application_body(draft), headers=APPLICANT)
    assert problem(r, 404)["code"] == "not_found"  # a draft plan is not visible to applicants
    plan = await create_plan(c, code="JJ2026-B")
    assert (await c.post(f"{PREFIX}/applications", json=application_body(plan), headers=ORG_ADMIN)).status_code == 403
    assert (await c.post(f"{PREFIX}/applications", json=application_body(plan), headers=ANONYMOUS)).status_code == 401
    assert (await c.post(f"{PREFIX}/plans/{plan['id']}/close", headers=OFFICIAL)).status_code == 200
    r = await c.post(f"{PREFIX}/applications", json=application_body(plan), headers=APPLICANT)
    assert problem(r, 409)["code"] == "plan_closed"


async def test_idempotency_key_gives_one_application(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    body = application_body(plan)
    key = {"Idempotency-Key": "f1-create-1"}
    first = await c.post(f"{PREFIX}/applications", json=body, headers=APPLICANT | key)
    again = await c.post(f"{PREFIX}/applications", json=body, headers=APPLICANT | key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listed = (await c.get(f"{PREFIX}/applications", headers=APPLICANT)).json()["items"]
    assert [a["id"] for a in listed] == [first.json()["id"]]
    other = await c.post(f"{PREFIX}/applications", json=body | {"title": "另一题目"}, headers=APPLICANT | key)
    assert problem(other, 409)["code"] == "idempotency_key_reused"


async def test_patch_owner_only_with_if_match(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    application = await create_application(c, plan)
    target = url(application["id"])
    etag = (await c.get(target, headers=APPLICANT)).headers["etag"]
    assert (
        problem(await c.patch(target, json={"title": "新"}, headers=APPLICANT), 428)["code"] == "precondition_required"
    )
    assert (
        await c.patch(target, json={"title": "新"}, headers=OTHER_APPLICANT | {"If-Match": etag})
    ).status_code == 404
    assert (await c.patch(target, json={"title": "新"}, headers=ORG_ADMIN | {"If-Match": etag})).status_code == 403
    person = {"name": "李四", "id_number": make_resident_id(date(1970, 1, 1), seq="111")}
    r = await c.patch(
        target,
        json={
            "title": "新题目",
            "category_id": category_id(plan, "key"),
            "budget": {"equipment": "300000.00"},
            "exclusions": [person],
        },
        headers=APPLICANT | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["title"] == "新题目" and updated["version"] == 2
    assert updated["category_id"] == category_id(plan, "key") and updated["requested_total"] == "300000.00"
    assert updated["exclusions"][0]["id_number"] == person["id_number"]  # the owner sees it in full
    stale = await c.patch(target, json={"title": "再改"}, headers=APPLICANT | {"If-Match": etag})
    assert problem(stale, 412)["code"] == "precondition_failed"
    r = await c.patch(target, json={"exclusions": None}, headers=APPLICANT | {"If-Match": r.headers["etag"]})
    assert r.status_code == 200 and r.json()["exclusions"] == []
    await submit(c, application["id"])
    r = await c.patch(target, json={"title": "提交后"}, headers=APPLICANT | {"If-Match": "*"})
    assert problem(r, 409)["code"] == "application_not_editable"


# --- who sees what ---------------------------------------------------------------------------------


async def test_object_level_access_and_id_masking(platform: Platform) -> None:
    """Another applicant: 404; the host institution's org_admin only once submitted, masked; another
    institution's org_admin: 404; an agency not on the plan: 404; staff in full; auditors masked."""
    c = platform.c
    plan = await create_plan(c)
    excluded = make_resident_id(date(1970, 1, 1), seq="111")
    application = await create_application(c, plan, exclusions=[{"name": "李四", "id_number": excluded}])
    app_id = application["id"]
    for who in (OTHER_APPLICANT, ORG_ADMIN, OTHER_ORG_ADMIN, OTHER_AGENCY):
        assert problem(await c.get(url(app_id), headers=who), 404)["code"] == "not_found"
    assert (await c.get(url(app_id), headers=ANONYMOUS)).status_code == 401
    assert (await c.get(url(app_id), headers=headers("reviewer", subject="600"))).status_code == 403
    await submit(c, app_id)
    masked = "220102********" + APPLICANT_ID[-4:]
    for who in (ORG_ADMIN, AUDITOR):
        seen = await get(c, app_id, who)
        assert seen["applicant"]["id_number"] == masked
        assert seen["team"][0]["id_number"].count("*") == 8
        assert seen["exclusions"][0]["id_number"] == excluded[:6] + "*" * 8 + excluded[-4:]  # NSF-3 masked
    for who in (APPLICANT, AGENCY, OFFICIAL):
        seen = await get(c, app_id, who)
        assert seen["applicant"]["id_number"] == APPLICANT_ID and seen["exclusions"][0]["id_number"] == excluded
    for who in (OTHER_APPLICANT, OTHER_ORG_ADMIN, OTHER_AGENCY):
        assert (await c.get(url(app_id), headers=who)).status_code == 404
        assert (await c.get(url(app_id, "/history"), headers=who)).status_code == 404
        assert (await c.get(f"{PREFIX}/applications", headers=who)).json()["items"] == []
    # lists always mask
    for who in (APPLICANT, ORG_ADMIN, AGENCY, OFFICIAL, AUDITOR):
        items = (await c.get(f"{PREFIX}/applications", headers=who)).json()["items"]
        assert [(i["id"], i["applicant_id_number"]) for i in items] == [(app_id, masked)]
        assert "exclusions" not in items[0]


async def test_list_filters_and_pages(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    a1 = await create_application(c, plan)
    a2 = await create_application(
        c,
        plan,
        "youth",
        who=OTHER_APPLICANT,
        discipline_code="A0101",
        budget=YOUTH_BUDGET,
        applicant={
            "name": "赵青",
            "id_number": make_resident_id(date(1995, 5, 5), seq="222"),
            "title_rank": "intermediate",
        },
    )
    await submit(c, a2["id"], OTHER_APPLICANT)

    async def ids(**params: Any) -> list[int]:
        r = await c.get(f"{PREFIX}/applications", params=params, headers=OFFICIAL)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert await ids() == [a2["id"], a1["id"]]
    assert await ids(sort="id") == [a1["id"], a2["id"]]
    assert await ids(category_id=category_id(plan, "youth")) == [a2["id"]]
    assert await ids(status="submitted") == [a2["id"]]
    assert await ids(discipline="F02") == [a1["id"]]
    assert await ids(discipline="A") == [a2["id"]]
    assert await ids(plan_id=plan["id"], limit=1) == [a2["id"]]
    page = (await c.get(f"{PREFIX}/applications", params={"limit": 1}, headers=OFFICIAL)).json()
    nxt = (
        await c.get(f"{PREFIX}/applications", params={"limit": 1, "cursor": page["next_cursor"]}, headers=OFFICIAL)
    ).json()
    assert [i["id"] for i in nxt["items"]] == [a1["id"]] and nxt["next_cursor"] is None
    for params in ({"status": "nope"}, {"discipline": "F2"}, {"sort": "title"}, {"cursor": "x"}):
        assert (await c.get(f"{PREFIX}/applications", params=params, headers=OFFICIAL)).status_code == 422
    # the host institution's org_admin never sees a draft
    assert [i["id"] for i in (await c.get(f"{PREFIX}/applications", headers=ORG_ADMIN)).json()["items"]] == [a2["id"]]


# --- the workflow up to formal review ----------------------------------------------------------------


async def test_submit_endorse_accept_by_the_right_roles(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await act(c, app_id, "endorse", ORG_ADMIN, expect=404)  # a draft is invisible to the institution
    await act(c, app_id, "submit", OTHER_APPLICANT, expect=404)
    submitted = await submit(c, app_id)
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    await act(c, app_id, "endorse", OTHER_ORG_ADMIN, expect=404)
    assert (await act(c, app_id, "endorse", APPLICANT, expect=403))["code"] == "forbidden"
    await act(c, app_id, "accept", AGENCY, expect=409)  # not endorsed yet
    endorsed = await endorse(c, app_id)
    assert endorsed["status"] == "endorsed"
    await act(c, app_id, "accept", OTHER_AGENCY, expect=404)
    await act(c, app_id, "accept", ORG_ADMIN, expect=403)
    await act(c, app_id, "accept", AUDITOR, expect=403)
    accepted = await accept(c, app_id)
    assert accepted["status"] == "accepted" and accepted["allowed_actions"] == ["start_review"]
    assert await history_actions(c, app_id) == ["create", "submit", "endorse", "accept"]
    r = await c.post(url(app_id, "/withdraw"), headers=APPLICANT | {"If-Match": '"foundation_application-1-v1"'})
    assert problem(r, 412)["code"] == "precondition_failed"


async def test_return_by_org_needs_a_comment_then_resubmit(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    assert (await act(c, app_id, "return_by_org", ORG_ADMIN, expect=422))["errors"][0]["field"] == "comment"
    returned = await act(c, app_id, "return_by_org", ORG_ADMIN, comment="预算说明不完整")
    assert returned["status"] == "returned_by_org"
    r = await c.patch(url(app_id), json={"budget": {"business": "60000.00"}}, headers=APPLICANT | {"If-Match": "*"})
    assert r.status_code == 200, r.text
    resubmitted = await act(c, app_id, "resubmit", APPLICANT)
    assert resubmitted["status"] == "submitted" and resubmitted["requested_total"] == "60000.00"
    # resubmission is not a second application (NSF-5): its own ledger entry does not count
    assert [i["item_id"] for i in await ledger_items(platform)] == [str(app_id)]


async def test_nsf1_reject_formal_needs_reasons_and_a_comment(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    await endorse(c, app_id)
    target = url(app_id, "/reject-formal")
    assert (await c.post(target, json={"comment": "不符合指南"}, headers=AGENCY)).status_code == 422
    r = await c.post(target, json={"comment": "x", "reasons": ["lazy"]}, headers=AGENCY)
    assert problem(r, 422)["errors"][0]["code"] == "literal_error"
    r = await c.post(target, json={"comment": "", "reasons": ["other"]}, headers=AGENCY)
    assert problem(r, 422)["errors"][0]["field"] == "comment"
    r = await c.post(target, json={"comment": "x", "reasons": ["other", "other"]}, headers=AGENCY)
    assert problem(r, 422)["errors"][0]["code"] == "duplicate_reason"
    body = {"comment": "研究内容不属于本年度指南范围", "reasons": ["guide_mismatch", "incomplete_documents"]}
    assert (await c.post(target, json=body, headers=APPLICANT)).status_code == 403
    assert (await c.post(target, json=body, headers=ORG_ADMIN)).status_code == 403
    assert (await c.post(target, json=body, headers=OTHER_AGENCY)).status_code == 404
    r = await c.post(target, json=body, headers=AGENCY)
    assert r.status_code == 200, r.text
    rejected = r.json()
    assert rejected["status"] == "rejected_formal"
    assert rejected["formal_reasons"] == ["guide_mismatch", "incomplete_documents"]
    history = (await c.get(url(app_id, "/history"), headers=APPLICANT)).json()
    assert history[-1]["action"] == "reject_formal" and history[-1]["comment"] == body["comment"]
    # NSF-5: a rejected application was still that year's application: closed, not removed
    assert [(i["item_id"], i["status"]) for i in await ledger_items(platform)] == [(str(app_id), "closed")]
    assert problem(await c.post(target, json=body, headers=AGENCY), 409)["code"] == "invalid_transition"


async def test_nsf1_formal_review_due_and_the_overdue_list(platform: Platform) -> None:
    """NSF-1, CAL-2: due = the closing date (Asia/Shanghai) + 45 natural days; staff list the ones
    still awaiting formal review after it."""
    c = platform.c
    closes = now() + timedelta(days=1)
    plan = await create_plan(c, closes_at=closes.isoformat())
    waiting = (await create_application(c, plan))["id"]
    done = (
        await create_application(
            c,
            plan,
            who=OTHER_APPLICANT,
            applicant={
                "name": "赵青",
                "id_number": make_resident_id(date(1980, 5, 5), seq="222"),
                "title_rank": "none",
            },
        )
    )["id"]
    await submit(c, waiting)
    await endorse(c, waiting)
    await submit(c, done, OTHER_APPLICANT)
    await endorse(c, done)
    await accept(c, done)
    due = (await get(c, waiting, AGENCY))["formal_review_due"]
    shanghai_close = (closes + timedelta(hours=8)).date()
    assert due == (shanghai_close + timedelta(days=45)).isoformat()
    overdue = {"formal_review_overdue": "true"}
    assert (await c.get(f"{PREFIX}/applications", params=overdue, headers=AGENCY)).json()["items"] == []
    set_clock(platform.app, closes + timedelta(days=47))
    items = (await c.get(f"{PREFIX}/applications", params=overdue, headers=AGENCY)).json()["items"]
    assert [i["id"] for i in items] == [waiting]
    assert (await get(c, waiting, AGENCY))["formal_review_overdue"] is True
    assert (await get(c, done, AGENCY))["formal_review_overdue"] is False
    assert (await c.get(f"{PREFIX}/applications", params=overdue, headers=OTHER_AGENCY)).json()["items"] == []


async def test_nsf1_cal2_formal_review_days_left_while_it_is_awaited(platform: Platform) -> None:
    """NSF-1, CAL-2: calendar days from today (Asia/Shanghai) to formal_review_due, 0 on the due day, negative
    after it; null once the application has had its formal review. Natural days: always calendar_confirmed."""
    c = platform.c
    plan = await create_plan(c, closes_at=(now() + timedelta(days=1)).isoformat())
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    await endorse(c, app_id)
    due = date.fromisoformat((await get(c, app_id, AGENCY))["formal_review_due"])

    async def shown_at(moment: datetime) -> int | None:
        set_clock(platform.app, moment)
        one = await get(c, app_id, AGENCY)
        assert one["formal_review_calendar_confirmed"] is True
        listed = (await c.get(f"{PREFIX}/applications", headers=AGENCY)).json()["items"]
        assert [i["formal_review_days_left"] for i in listed] == [one["formal_review_days_left"]]
        return one["formal_review_days_left"]  # type: ignore[no-any-return]

    day = datetime.combine(due, time(0), SHANGHAI)
    assert await shown_at(day - timedelta(seconds=1)) == 1
    assert await shown_at(day) == 0  # the due day: 0 days left
    assert await shown_at(day + timedelta(hours=23, minutes=59)) == 0
    assert await shown_at(day + timedelta(days=1)) == -1  # past it, and overdue
    assert (await get(c, app_id, AGENCY))["formal_review_overdue"] is True
    await accept(c, app_id)
    assert await shown_at(day + timedelta(days=1)) is None  # reviewed: the deadline no longer runs


# --- guards at submit ------------------------------------------------------------------------------


async def test_cal2_submission_refused_outside_the_window(platform: Platform) -> None:
    """CAL-2: from opens_at (inclusive) to closes_at (exclusive); a plan closed by hand is closed."""
    c = platform.c
    closes = now() + timedelta(days=10)
    plan = await create_plan(c, closes_at=closes.isoformat())
    app_id = (await create_application(c, plan))["id"]
    set_clock(platform.app, closes)
    assert (await act(c, app_id, "submit", APPLICANT, expect=409))["code"] == "plan_closed"
    set_clock(platform.app, now() - timedelta(days=2))
    assert (await act(c, app_id, "submit", APPLICANT, expect=409))["code"] == "plan_not_open"
    set_clock(platform.app, closes - timedelta(microseconds=1))
    assert (await submit(c, app_id))["status"] == "submitted"
    platform.app.state.clock = None
    late = (
        await create_application(
            c,
            plan,
            who=OTHER_APPLICANT,
            applicant={
                "name": "赵青",
                "id_number": make_resident_id(date(1980, 5, 5), seq="222"),
                "title_rank": "none",
            },
        )
    )["id"]
    assert (await c.post(f"{PREFIX}/plans/{plan['id']}/close", headers=OFFICIAL)).status_code == 200
    assert (await act(c, late, "submit", OTHER_APPLICANT, expect=409))["code"] == "plan_closed"
    assert (await get(c, late, OTHER_APPLICANT))["status"] == "draft"


async def test_nsf6_youth_age_by_the_id_derived_sex_at_submit(platform: Platform) -> None:
    """NSF-6: a woman aged 38 on 1 January may apply to the youth category, a man aged 38 may not."""
    c = platform.c
    plan = await create_plan(c)
    man = make_resident_id(date(1987, 6, 1), seq="123")
    woman = make_resident_id(date(1987, 6, 1), seq="124")
    his = await create_application(
        c,
        plan,
        "youth",
        budget=YOUTH_BUDGET,
        applicant={"name": "张强", "id_number": man, "title_rank": "intermediate"},
    )
    refused = await act(c, his["id"], "submit", APPLICANT, expect=422)
    assert refused["code"] == "over_age_limit" and refused["clause"] == "NSF-6" and refused["sex"] == "male"
    hers = await create_application(
        c,
        plan,
        "youth",
        who=OTHER_APPLICANT,
        budget=YOUTH_BUDGET,
        applicant={"name": "张丽", "id_number": woman, "title_rank": "intermediate"},
    )
    assert hers["applicant"]["sex"] == "female"
    assert (await submit(c, hers["id"], OTHER_APPLICANT))["status"] == "submitted"
    # the same man in the general category: no age limit there
    r = await c.patch(
        url(his["id"]), json={"category_id": category_id(plan, "general")}, headers=APPLICANT | {"If-Match": "*"}
    )
    assert r.status_code == 200
    assert (await submit(c, his["id"]))["status"] == "submitted"


async def test_budget_and_duration_guards_at_submit(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    over = await create_application(
        c,
        plan,
        "youth",
        applicant={"name": "张丽", "id_number": make_resident_id(date(1995, 1, 1), seq="124"), "title_rank": "none"},
    )
    refused = await act(c, over["id"], "submit", APPLICANT, expect=422)  # 90000 > the fixed 50000
    assert refused["code"] == "budget_over_amount" and refused["amount"] == "50000.00"
    short = await create_application(
        c,
        plan,
        who=OTHER_APPLICANT,
        duration_months=6,
        applicant={"name": "赵青", "id_number": make_resident_id(date(1980, 5, 5), seq="222"), "title_rank": "none"},
    )
    assert (await act(c, short["id"], "submit", OTHER_APPLICANT, expect=422))["code"] == "duration_out_of_range"
    assert await ledger_items(platform) == []


async def test_nsf5_one_application_per_applicant_per_year_across_categories(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    first = await create_application(c, plan)
    await submit(c, first["id"])
    items = await ledger_items(platform)
    assert [(i["service"], i["item_id"], i["role"], i["kind"], i["year"], i["status"]) for i in items] == [
        ("foundation", str(first["id"]), "applicant", "application", 2026, "open")
    ]
    second = await create_application(c, plan, "key", budget={"equipment": "300000.00"})
    refused = await act(c, second["id"], "submit", APPLICANT, expect=409)
    assert refused["code"] == "limit_exceeded" and refused["clause"] in ("NSF-5", "PRJ-1")
    assert {v["clause"] for v in refused["counts"]} >= {"NSF-5", "PRJ-1"}
    assert (await get(c, second["id"]))["status"] == "draft"
    assert await history_actions(c, second["id"]) == ["create"]
    # withdrawn: out of the ledger, and the other application may go
    withdrawn = await act(c, first["id"], "withdraw", APPLICANT)
    assert withdrawn["status"] == "withdrawn"
    assert await ledger_items(platform) == []
    assert (await submit(c, second["id"]))["status"] == "submitted"


async def test_prj1_a_projects_application_of_the_same_leader_blocks(platform: Platform) -> None:
    """PRJ-1: the limit spans all programmes and the foundation."""
    pc = platform.projects
    programme = await projects_fixtures.create_programme(pc)
    call = await projects_fixtures.create_call(pc, programme["id"])
    leader = {"name": "王晓明", "id_number": APPLICANT_ID, "title": "副教授"}
    their = await projects_fixtures.create_application(pc, call, leader=leader)
    await projects_fixtures.act(pc, their["id"], "submit", projects_fixtures.APPLICANT)
    c = platform.c
    plan = await create_plan(c)
    ours = await create_application(c, plan)
    refused = await act(c, ours["id"], "submit", APPLICANT, expect=409)
    assert refused["code"] == "limit_exceeded" and refused["clause"] == "PRJ-1"
    assert refused["counts"][0]["items"][0]["service"] == "projects"
    assert (await get(c, ours["id"]))["status"] == "draft"


async def test_nsf5_senior_staff_are_asked_about_as_senior(platform: Platform) -> None:
    """NSF-5: the ledger is asked with senior=True for 正高/副高 (title_rank senior or associate)."""
    c = platform.c
    plan = await create_plan(c)
    application = await create_application(c, plan)  # associate: senior staff
    await submit(c, application["id"])
    checks = [r for r in platform.link.calls if r.url.path.endswith("/internal/ledger/check")]
    assert checks and b'"senior":true' in checks[-1].content.replace(b" ", b"")


async def test_prj5_debarred_applicant_or_institution_cannot_submit(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await debar(platform, uscc=UNIV_USCC)
    refused = await act(c, app_id, "submit", APPLICANT, expect=409)
    assert refused["code"] == "debarred" and refused["debarments"][0]["subject"] == "institution"
    other = await create_application(
        c,
        plan,
        who=OTHER_APPLICANT,
        applicant={"name": "赵青", "id_number": make_resident_id(date(1980, 5, 5), seq="222"), "title_rank": "none"},
    )
    await debar(platform, id_number=make_resident_id(date(1980, 5, 5), seq="222"))
    refused = await act(c, other["id"], "submit", OTHER_APPLICANT, expect=409)
    assert refused["code"] == "debarred" and "PRJ-5" in refused["detail"]
    assert {d["subject"] for d in refused["debarments"]} == {"applicant", "institution"}
    assert (await get(c, app_id))["status"] == "draft"
    assert await ledger_items(platform) == []


async def test_nsf1_debarment_after_submit_refuses_accept(platform: Platform) -> None:
    """NSF-1: not accepted if the applicant is under an integrity debarment, even one recorded after
    the submission; the staff then rejects with the reason ``debarred``."""
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    await endorse(c, app_id)
    await debar(platform, id_number=APPLICANT_ID)
    refused = await act(c, app_id, "accept", AGENCY, expect=409)
    assert refused["code"] == "debarred" and refused["clause"] == "NSF-1"
    assert (await get(c, app_id))["status"] == "endorsed"
    r = await c.post(
        url(app_id, "/reject-formal"), json={"comment": "申请人处于处理期", "reasons": ["debarred"]}, headers=AGENCY
    )
    assert r.status_code == 200 and r.json()["formal_reasons"] == ["debarred"]


# --- projects down: 503, nothing half-written ---------------------------------------------------------


async def test_submit_refused_with_503_when_projects_is_down_nothing_written(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    application = await create_application(c, plan)
    platform.link.down = True
    r = await c.post(url(application["id"], "/submit"), headers=APPLICANT)
    body = problem(r, 503)
    assert body["code"] == "dependency_unavailable" and r.headers["retry-after"]
    platform.link.down = False
    after = await get(c, application["id"])
    assert after["status"] == "draft" and after["version"] == 1 and after["submitted_at"] is None
    assert await history_actions(c, application["id"]) == ["create"]
    assert await ledger_items(platform) == []
    assert (await submit(c, application["id"]))["status"] == "submitted"


async def test_a_failed_ledger_report_rolls_the_move_back(platform: Platform) -> None:
    """The checks answer but the report of the new state fails: 503 and the application stays a draft."""
    c = platform.c
    plan = await create_plan(c)
    application = await create_application(c, plan)
    link = platform.link
    inner = link.handle_async_request

    async def refuse_reports(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            raise httpx.ConnectError("connection refused", request=request)
        return await inner(request)

    link.handle_async_request = refuse_reports  # type: ignore[method-assign]
    r = await c.post(url(application["id"], "/submit"), headers=APPLICANT)
    assert problem(r, 503)["code"] == "dependency_unavailable" and r.headers["retry-after"]
    link.handle_async_request = inner  # type: ignore[method-assign]
    assert (await get(c, application["id"]))["status"] == "draft"
    assert await history_actions(c, application["id"]) == ["create"]
    assert await ledger_items(platform) == []


async def test_accept_refused_with_503_when_projects_is_down(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    await endorse(c, app_id)
    platform.link.down = True
    assert (await act(c, app_id, "accept", AGENCY, expect=503))["code"] == "dependency_unavailable"
    platform.link.down = False
    assert (await get(c, app_id, AGENCY))["status"] == "endorsed"
    assert await history_actions(c, app_id) == ["create", "submit", "endorse"]


async def test_ledger_follows_every_move(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    await submit(c, app_id)
    await endorse(c, app_id)
    await accept(c, app_id)
    [item] = await ledger_items(platform)
    assert (item["item_id"], item["status"], item["programme"], item["revision"]) == (str(app_id), "open", "NSF", 4)
    await act(c, app_id, "withdraw", APPLICANT)
    assert await ledger_items(platform) == []


async def test_withdrawing_a_draft_does_not_need_projects(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    platform.link.down = True
    assert (await act(c, app_id, "withdraw", APPLICANT))["status"] == "withdrawn"
    platform.link.down = False


async def test_bad_paths_and_actions_are_4xx(platform: Platform) -> None:
    c = platform.c
    assert (await c.get(url(0), headers=APPLICANT)).status_code == 422
    assert (await c.get(url(999999), headers=APPLICANT)).status_code == 404
    assert (await c.post(url(1, "/explode"), headers=APPLICANT)).status_code in (404, 405)
    plan = await create_plan(c)
    app_id = (await create_application(c, plan))["id"]
    r = await c.post(url(app_id, "/submit"), json={"comment": "x", "extra": 1}, headers=APPLICANT)
    assert problem(r, 422)["errors"][0]["code"] == "unknown_field"
    r = await c.post(url(app_id, "/submit"), headers=APPLICANT | {"Idempotency-Key": "bad key"})
    assert r.status_code == 400
