"""Applications (申报书) through the API with each role: drafts, masking, object-level access,
If-Match, idempotent actions, the guards at submit (CAL-2, ID-2, PRJ-1, PRJ-5, caps, kinds,
co-funding), the workflow up to expert review with history, the limits ledger kept current."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from services.projects.db import common
from services.projects.deps import Environment, environment
from services.projects.integrity import service as integrity
from services.projects.integrity.schemas import IntegrityRecordCreate
from services.projects.ledger.models import LedgerItem
from shared.principal import Principal
from tests.services.projects.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    ENTERPRISE_APPLICANT,
    ENTERPRISE_USCC,
    LEADER_ID,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    OTHER_AGENCY_ORG,
    OTHER_APPLICANT,
    OTHER_ORG_ADMIN,
    PREFIX,
    REVIEWER,
    UNIV_USCC,
    act,
    application_body,
    create_application,
    create_call,
    create_programme,
    make_resident_id,
    now,
)

A = f"{PREFIX}/applications"


async def setup(client, **call_overrides):
    p = await create_programme(client)
    call = await create_call(client, p["id"], **call_overrides)
    return p, call


async def test_id2_birth_date_and_sex_come_from_the_id_number_and_ids_are_masked(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    assert app["status"] == "draft" and app["version"] == 1
    assert app["leader"] == {
        "name": "王晓明",
        "id_number": LEADER_ID,
        "title": "研究员",
        "birth_date": "1980-05-17",
        "sex": "male",
    }
    assert app["requested_total"] == "500000.00" and app["self_raised_total"] == "50000.00"
    assert app["budget"]["equipment"] == {"requested": "300000.00", "self_raised": "0.00"}
    assert app["allowed_actions"] == ["submit", "withdraw"]
    # a client cannot type the birth date, the status or the owner
    for extra in (
        {"status": "approved"},
        {"owner": "999"},
        {"leader": {"name": "x", "id_number": LEADER_ID, "birth_date": "2000-01-01"}},
    ):
        r = await client.post(A, json=application_body(call) | extra, headers=APPLICANT)
        assert r.status_code == 422, extra
    await act(client, app["id"], "submit", APPLICANT)
    masked = LEADER_ID[:6] + "********" + LEADER_ID[-4:]
    listed = (await client.get(A, headers=APPLICANT)).json()["items"]
    assert listed[0]["leader_id_number"] == masked  # masked in lists, even for the owner
    for who, shown in (
        (APPLICANT, LEADER_ID),
        (OFFICIAL, LEADER_ID),
        (AGENCY, LEADER_ID),
        (ORG_ADMIN, masked),
        (AUDITOR, masked),
    ):
        detail = (await client.get(f"{A}/{app['id']}", headers=who)).json()
        assert detail["leader"]["id_number"] == shown, who
        assert ("*" in detail["team"][0]["id_number"]) == (shown == masked), who


async def test_bad_input_is_422_with_stable_codes(client) -> None:
    _, call = await setup(client)
    cases = {
        "invalid_resident_id": {
            "leader": {"name": "x", "id_number": LEADER_ID[:-1] + ("0" if LEADER_ID[-1] != "0" else "1")}
        },
        "invalid_uscc": {"applicant_uscc": "91220101123456780"},
        "unknown_budget_line": {"budget": {"champagne": {"requested": "1.00"}}},
        "unknown_topic": {"topic_id": 999999},
    }
    for code, bad in cases.items():
        r = await client.post(A, json=application_body(call) | bad, headers=APPLICANT)
        assert r.status_code == 422, (code, r.text)
        assert code in {e["code"] for e in r.json()["errors"]}, (code, r.json())
    mine_only = await client.post(A, json=application_body(call, applicant_uscc=ENTERPRISE_USCC), headers=APPLICANT)
    assert mine_only.status_code == 422 and mine_only.json()["errors"][0]["code"] == "not_your_organisation"
    assert (
        await client.post(A, json=application_body(call) | {"call_id": 999999}, headers=APPLICANT)
    ).status_code == 404
    assert (await client.post(A, json=application_body(call), headers=OFFICIAL)).status_code == 403
    assert (await client.post(A, json=application_body(call), headers=ANONYMOUS)).status_code == 401
    assert (await client.get(f"{A}/0", headers=APPLICANT)).status_code == 422
    assert (await client.get(f"{A}/{2**63}", headers=APPLICANT)).status_code == 422


async def test_no_application_to_a_draft_call(client) -> None:
    p = await create_programme(client)
    draft = await create_call(client, p["id"], publish=False)
    assert (await client.post(A, json=application_body(draft), headers=APPLICANT)).status_code == 404


async def test_others_records_are_404(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    url = f"{A}/{app['id']}"
    # a draft is the owner's alone
    for who in (OTHER_APPLICANT, ORG_ADMIN, AGENCY, OFFICIAL, AUDITOR):
        assert (await client.get(url, headers=who)).status_code == 404, who
    await act(client, app["id"], "submit", APPLICANT)
    for who in (OTHER_APPLICANT, OTHER_ORG_ADMIN, OTHER_AGENCY):
        assert (await client.get(url, headers=who)).status_code == 404, who
        assert (await client.get(f"{url}/history", headers=who)).status_code == 404, who
        assert (await client.get(A, headers=who)).json()["items"] == []
    assert (await client.post(f"{url}/withdraw", headers=OTHER_APPLICANT)).status_code == 404
    assert (await client.post(f"{url}/endorse", headers=OTHER_ORG_ADMIN)).status_code == 404
    assert (await client.get(url, headers=REVIEWER)).status_code == 403
    for who in (ORG_ADMIN, AGENCY, OFFICIAL, AUDITOR):
        assert (await client.get(url, headers=who)).status_code == 200, who


async def test_full_path_to_expert_review_with_history_and_if_match(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    aid = app["id"]
    stale = f'"application-{aid}-v1"'
    submitted = await act(client, aid, "submit", APPLICANT, **{"If-Match": stale})
    assert submitted["status"] == "submitted" and submitted["submitted_at"].endswith("+08:00")
    # the version moved on: a stale If-Match is a 412
    r = await client.post(f"{A}/{aid}/endorse", headers=ORG_ADMIN | {"If-Match": stale})
    assert r.status_code == 412
    # the wrong role is a 403, an illegal move a 409 with the allowed actions
    r = await client.post(f"{A}/{aid}/accept", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition" and r.json()["allowed_actions"] == []
    assert (await client.post(f"{A}/{aid}/endorse", headers=AGENCY)).status_code == 403
    r = await client.post(f"{A}/{aid}/submit", headers=APPLICANT)
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["withdraw"]
    org_view = (await client.get(f"{A}/{aid}", headers=ORG_ADMIN)).json()
    assert org_view["allowed_actions"] == ["endorse", "return_by_org"]
    await act(client, aid, "endorse", ORG_ADMIN, **{"If-Match": f'"application-{aid}-v2"'})
    # a return needs a comment
    r = await client.post(f"{A}/{aid}/return-for-revision", json={}, headers=AGENCY)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    await act(client, aid, "return_for_revision", AGENCY, comment="预算说明不完整")
    # the applicant edits while returned (If-Match required) and resubmits
    r = await client.patch(f"{A}/{aid}", json={"abstract": "补充了预算说明。"}, headers=APPLICANT)
    assert r.status_code == 428
    etag = (await client.get(f"{A}/{aid}", headers=APPLICANT)).headers["etag"]
    r = await client.patch(f"{A}/{aid}", json={"abstract": "补充了预算说明。"}, headers=APPLICANT | {"If-Match": etag})
    assert r.status_code == 200 and r.json()["abstract"] == "补充了预算说明。"
    await act(client, aid, "resubmit", APPLICANT)
    await act(client, aid, "endorse", ORG_ADMIN)
    accepted = await act(client, aid, "accept", AGENCY)
    assert accepted["allowed_actions"] == ["start_review"]
    assert (await client.post(f"{A}/{aid}/start-review", headers=OFFICIAL)).status_code == 403
    in_review = await act(client, aid, "start_review", AGENCY)
    assert in_review["status"] == "in_review"
    # not editable any more, not withdrawable
    r = await client.patch(f"{A}/{aid}", json={"title": "x"}, headers=APPLICANT | {"If-Match": "*"})
    assert r.status_code == 409 and r.json()["code"] == "application_not_editable"
    assert (await client.post(f"{A}/{aid}/withdraw", headers=APPLICANT)).status_code == 409
    hist = (await client.get(f"{A}/{aid}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["from_state"], h["to_state"], h["actor_role"]) for h in hist] == [
        ("create", None, "draft", "applicant"),
        ("submit", "draft", "submitted", "applicant"),
        ("endorse", "submitted", "endorsed", "org_admin"),
        ("return_for_revision", "endorsed", "returned_for_revision", "agency"),
        ("resubmit", "returned_for_revision", "submitted", "applicant"),
        ("endorse", "submitted", "endorsed", "org_admin"),
        ("accept", "endorsed", "accepted", "agency"),
        ("start_review", "accepted", "in_review", "agency"),
    ]
    assert hist[3]["comment"] == "预算说明不完整"


async def test_org_return_rejection_and_withdraw(client) -> None:
    _, call = await setup(client)
    a1 = await create_application(client, call)
    await act(client, a1["id"], "submit", APPLICANT)
    assert (await client.post(f"{A}/{a1['id']}/return-by-org", headers=ORG_ADMIN)).status_code == 422
    returned = await act(client, a1["id"], "return_by_org", ORG_ADMIN, comment="请补充合作协议")
    assert returned["status"] == "returned_by_org"
    withdrawn = await act(client, a1["id"], "withdraw", APPLICANT)
    assert withdrawn["status"] == "withdrawn" and withdrawn["allowed_actions"] == []


async def test_repeated_submit_with_one_idempotency_key_creates_nothing_new(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    key = {"Idempotency-Key": "submit-7f3c"}
    first = await client.post(f"{A}/{app['id']}/submit", headers=APPLICANT | key)
    second = await client.post(f"{A}/{app['id']}/submit", headers=APPLICANT | key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    hist = (await client.get(f"{A}/{app['id']}/history", headers=APPLICANT)).json()
    assert [h["action"] for h in hist] == ["create", "submit"]
    # the same key for a draft creation replays too
    body = application_body(call, title="另一个")
    c1 = await client.post(A, json=body, headers=OTHER_APPLICANT | {"Idempotency-Key": "create-1"})
    c2 = await client.post(A, json=body, headers=OTHER_APPLICANT | {"Idempotency-Key": "create-1"})
    assert c1.json()["id"] == c2.json()["id"]
    assert len((await client.get(A, headers=OTHER_APPLICANT)).json()["items"]) == 1


# --- guards at submit ---------------------------------------------------------------------------


async def submit_problem(client, app_id: int, who=APPLICANT) -> dict:
    r = await client.post(f"{A}/{app_id}/submit", headers=who)
    assert r.status_code in (409, 422), r.text
    return r.json()


async def test_cal2_guard_call_not_open_and_closed(client) -> None:
    _, call = await setup(client, opens_at=now() + timedelta(days=2), closes_at=now() + timedelta(days=9))
    app = await create_application(client, call)
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "call_not_open" and "CAL-2" in problem["detail"]
    # the same call, seen from a clock after its closing time
    client.app.dependency_overrides[environment] = lambda: Environment(
        client.app.state.settings.subject_key_secret, clock=lambda: now() + timedelta(days=10)
    )
    try:
        problem = await submit_problem(client, app["id"])
    finally:
        client.app.dependency_overrides.clear()
    assert problem["code"] == "call_closed" and problem["status"] == 409 and "CAL-2" in problem["detail"]


async def test_guard_call_closed_by_hand(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    await client.post(f"{PREFIX}/calls/{call['id']}/close", headers=OFFICIAL)
    assert (await submit_problem(client, app["id"]))["code"] == "call_closed"


async def test_id2_guard_leader_too_old(client) -> None:
    _, call = await setup(client)
    ref = date.fromisoformat(call["eligibility"]["age_reference_date"])
    turns_61 = make_resident_id(date(ref.year - 61, ref.month, ref.day), seq="777")
    app = await create_application(client, call, leader={"name": "老专家", "id_number": turns_61})
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "leader_too_old" and problem["age"] == 61 and "ID-2" in problem["detail"]


async def test_guard_budget_over_topic_cap_and_duration(client) -> None:
    _, call = await setup(client)
    over = {"equipment": {"requested": "1000000.01"}}
    app = await create_application(client, call, budget=over, duration_months=37)
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "budget_over_cap"
    assert {(o["field"], o["cap"]) for o in problem["over"]} == {("budget", "topic"), ("duration_months", "programme")}


async def test_guard_budget_over_programme_cap_on_a_topic_without_cap(client) -> None:
    _, call = await setup(client)
    app = await create_application(
        client, call, topic_id=call["topics"][1]["id"], budget={"equipment": {"requested": "1500000.01"}}
    )
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "budget_over_cap" and problem["over"][0]["cap"] == "programme"


async def test_guard_org_kind_and_enterprise_cofunding(client) -> None:
    _, call = await setup(client, eligibility={"org_kinds": ["enterprise"], "enterprise_cofunding_ratio": "1.00"})
    univ = await create_application(client, call)
    assert (await submit_problem(client, univ["id"]))["code"] == "org_kind_not_allowed"
    # an enterprise's code makes it an enterprise whatever it declares; it raises too little itself
    ent = await create_application(
        client,
        call,
        who=ENTERPRISE_APPLICANT,
        applicant_uscc=ENTERPRISE_USCC,
        organization_kind="other",
        leader={"name": "赵工", "id_number": make_resident_id(date(1975, 3, 3), seq="888")},
        budget={"equipment": {"requested": "400000.00", "self_raised": "399999.99"}},
    )
    problem = await submit_problem(client, ent["id"], ENTERPRISE_APPLICANT)
    assert problem["code"] == "cofunding_too_low" and problem["required"] == "400000.00"
    etag = (await client.get(f"{A}/{ent['id']}", headers=ENTERPRISE_APPLICANT)).headers["etag"]
    await client.patch(
        f"{A}/{ent['id']}",
        json={"budget": {"equipment": {"requested": "400000.00", "self_raised": "400000.00"}}},
        headers=ENTERPRISE_APPLICANT | {"If-Match": etag},
    )
    assert (await act(client, ent["id"], "submit", ENTERPRISE_APPLICANT))["status"] == "submitted"


async def _debar(client, **subject) -> None:
    data = IntegrityRecordCreate(
        conduct="伪造论文发表情况",
        measure="debarment",
        decision_no="吉科诚〔2026〕1号",
        period_start=date.today() - timedelta(days=30),
        period_end=date.today() + timedelta(days=400),
        **subject,
    )
    async with client.db.sessionmaker() as s:
        official = Principal(kind="user", subject="100", roles=frozenset({"official"}))
        await integrity.create_record(s, common, official, data, client.app.state.settings.subject_key_secret)
        await s.commit()


async def test_prj5_guard_debarred_leader(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    await _debar(client, subject_kind="person", id_number=LEADER_ID)
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "debarred" and "PRJ-5" in problem["detail"]
    assert problem["debarments"][0]["subject"] == "leader"


async def test_prj5_guard_debarred_organisation(client) -> None:
    _, call = await setup(client)
    app = await create_application(client, call)
    await _debar(client, subject_kind="organisation", uscc=UNIV_USCC)
    problem = await submit_problem(client, app["id"])
    assert problem["code"] == "debarred" and problem["debarments"][0]["subject"] == "organization"


async def test_prj1_limit_through_the_ledger_and_the_ledger_follows_the_application(client) -> None:
    _, call = await setup(client)
    first = await create_application(client, call)
    second = await create_application(client, call, title="第二项")
    await act(client, first["id"], "submit", APPLICANT)

    async def ledger_rows():
        async with client.db.sessionmaker() as s:
            rows = (await s.execute(select(LedgerItem).where(LedgerItem.service == "projects"))).scalars().all()
            return {(r.item_id, r.kind, r.status, r.removed, r.revision) for r in rows}

    assert await ledger_rows() == {(str(first["id"]), "application", "open", False, 2)}
    problem = await submit_problem(client, second["id"])
    assert problem["code"] == "limit_exceeded" and "PRJ-1" in problem["detail"]
    assert problem["counts"][0]["count"] == 1 and problem["counts"][0]["items"][0]["item_id"] == str(first["id"])
    # withdrawing the first frees the leader: the ledger entry is removed
    await act(client, first["id"], "withdraw", APPLICANT)
    assert await ledger_rows() == {(str(first["id"]), "application", "open", True, 3)}
    assert (await act(client, second["id"], "submit", APPLICANT))["status"] == "submitted"
    # a formal rejection closes the entry
    await act(client, second["id"], "endorse", ORG_ADMIN)
    await act(client, second["id"], "reject_formal", AGENCY, comment="不符合指南方向")
    assert (str(second["id"]), "application", "closed", False, 4) in await ledger_rows()


async def test_lists_filter_sort_and_scope(client) -> None:
    p, call = await setup(client)
    p2 = await create_programme(client, code="OTHER", agency_org_ids=[OTHER_AGENCY_ORG], year=2027)
    call2 = await create_call(client, p2["id"])
    a = await create_application(client, call, title="甲")
    b = await create_application(
        client, call2, title="乙", leader={"name": "钱", "id_number": make_resident_id(date(1985, 1, 1), seq="999")}
    )
    await create_application(
        client,
        call,
        title="丙（草稿）",
        leader={"name": "孙", "id_number": make_resident_id(date(1986, 1, 1), seq="555")},
    )
    await act(client, b["id"], "submit", APPLICANT)
    await act(client, a["id"], "submit", APPLICANT)
    mine = (await client.get(f"{A}?sort=-submitted_at", headers=APPLICANT)).json()["items"]
    assert [x["title"] for x in mine] == ["甲", "乙"]  # the draft was never submitted
    assert len((await client.get(A, headers=APPLICANT)).json()["items"]) == 3
    assert [x["title"] for x in (await client.get(A, headers=AGENCY)).json()["items"]] == ["甲"]
    assert [x["title"] for x in (await client.get(A, headers=OTHER_AGENCY)).json()["items"]] == ["乙"]
    official = (await client.get(f"{A}?sort=created_at", headers=OFFICIAL)).json()["items"]
    assert [x["title"] for x in official] == ["甲", "乙"]
    assert [x["title"] for x in (await client.get(f"{A}?year=2027", headers=AUDITOR)).json()["items"]] == ["乙"]
    assert [x["title"] for x in (await client.get(f"{A}?programme_id={p['id']}", headers=AUDITOR)).json()["items"]] == [
        "甲"
    ]
    assert [
        x["title"] for x in (await client.get(f"{A}?call_id={call2['id']}", headers=ORG_ADMIN)).json()["items"]
    ] == ["乙"]
    assert (await client.get(f"{A}?status=draft", headers=OFFICIAL)).json()["items"] == []
    assert (await client.get(f"{A}?status=nonsense", headers=OFFICIAL)).status_code == 422
    page1 = (await client.get(f"{A}?limit=1&sort=-submitted_at", headers=OFFICIAL)).json()
    page2 = (await client.get(f"{A}?limit=1&sort=-submitted_at&cursor={page1['next_cursor']}", headers=OFFICIAL)).json()
    assert [page1["items"][0]["title"], page2["items"][0]["title"]] == ["甲", "乙"] and page2["next_cursor"] is None


async def test_prj2_prj4_similar_flags_only_for_the_entrusted_agency(client) -> None:
    programme = await create_programme(client)
    call = await create_call(client, programme["id"])
    first = await create_application(client, call)
    await act(client, first["id"], "submit", APPLICANT)
    other_leader = {"name": "赵敏", "id_number": make_resident_id(date(1982, 3, 4), seq="789"), "title": "教授"}
    second = await create_application(client, call, who=OTHER_APPLICANT, leader=other_leader)
    await act(client, second["id"], "submit", OTHER_APPLICANT)
    url = f"{PREFIX}/applications/{second['id']}/similar"
    seen = await client.get(url, headers=AGENCY)
    assert seen.status_code == 200, seen.text
    assert [i["matched"]["reference_id"] for i in seen.json()["items"]] == [str(first["id"])]
    assert (await client.get(url, headers=OTHER_AGENCY)).status_code == 404
