"""The reviewer's side of a foundation round (NSF-2): a reviewer sees only their own assignments
(anyone else's is a 404), reads the application without any ID number nor other reviewers, and may
decline: that slot alone is drawn again from the round's frozen pool, never the same or an earlier
decliner, every other slot unchanged, and ``verify`` still matches. The staff release a late
reviewer the same way once the round's due time has passed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from services.foundation.review_rounds.models import Review, ReviewAssignment, ReviewRound
from tests.services.foundation.conftest import (
    AGENCY,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    Platform,
    headers,
    now,
)
from tests.services.foundation.review_world import (
    RA,
    RR,
    TEAM_MEMBER_ID,
    World,
    add_application,
    add_reviewer,
    applicant_id,
    create_round,
    draw,
    make_plan,
    pool_load,
    reviewer_caller,
    reviewer_id_number,
    slots,
)
from tests.services.foundation.test_review_rounds import count


async def drawn_world(
    p: Platform, *, reviewers: int = 8, applications: int = 2, **round_overrides: Any
) -> tuple[World, dict[str, Any]]:
    w = World()
    await make_plan(p.db, w)
    for n in range(1, reviewers + 1):
        await add_reviewer(p.projects, w, n)
    for n in range(1, applications + 1):
        await add_application(p.db, w, n)
    drawn = await draw(p.c, (await create_round(p.c, w, **round_overrides))["id"])
    return w, drawn


async def own_rows(p: Platform, n: int, **params: Any) -> list[dict[str, Any]]:
    r = await p.c.get(RA, params=params, headers=reviewer_caller(n))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def holder(w: World, drawn: dict[str, Any], app_n: int, slot: int = 0) -> tuple[int, int]:
    """(reviewer n, assignment id) of a slot of application ``app_n``."""
    for a in drawn["assignments"]:
        if a["application_id"] == w.apps[app_n]:
            s = next(s for s in a["reviewers"] if s["slot"] == slot and s["status"] == "assigned")
            return w.reviewer_of[s["reviewer_id"]], s["assignment_id"]
    raise AssertionError("no such slot")


async def test_a_reviewer_sees_only_their_own_assignments(platform: Platform) -> None:
    p = platform
    w, drawn = await drawn_world(p)
    mine: dict[int, set[int]] = {}
    for a in drawn["assignments"]:
        for s in a["reviewers"]:
            mine.setdefault(w.reviewer_of[s["reviewer_id"]], set()).add(s["assignment_id"])
    for n in range(1, 9):
        rows = await own_rows(p, n)
        assert {r["id"] for r in rows} == mine.get(n, set())
        for r in rows:  # nothing of other reviewers: no reviewer id, no user id
            assert set(r) == {
                "id",
                "round_id",
                "round_title",
                "round_status",
                "application_id",
                "application_title",
                "status",
                "criteria",
                "graded",
                "review_due_at",
                "released_at",
                "created_at",
                "version",
                "etag",
            }
    n, assignment_id = holder(w, drawn, 1)
    other = next(k for k in range(1, 9) if assignment_id not in mine.get(k, set()))
    for path in (f"{RA}/{assignment_id}", f"{RA}/{assignment_id}/application"):
        assert (await p.c.get(path, headers=reviewer_caller(n))).status_code == 200
        r = await p.c.get(path, headers=reviewer_caller(other))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "冲突"}, headers=reviewer_caller(other))
    assert r.status_code == 404
    assert (await p.c.get(f"{RA}/{2**62}", headers=reviewer_caller(n))).status_code == 404
    # the reviewer's list is theirs alone: staff and applicants use the round's endpoints
    for who in (OFFICIAL, AGENCY, AUDITOR, headers("applicant", subject="301")):
        assert (await p.c.get(RA, headers=who)).status_code == 403
    # filters and cursor
    many = await own_rows(p, n, status="assigned", limit=1)
    assert len(many) == 1
    assert (await p.c.get(RA, params={"status": "bogus"}, headers=reviewer_caller(n))).status_code == 422
    r = await p.c.get(f"{RA}/{assignment_id}", headers=reviewer_caller(n))
    assert r.headers["ETag"] == f'"review_assignment-{assignment_id}-v1"'


async def test_the_application_as_a_reviewer_reads_it_has_no_id_numbers(platform: Platform) -> None:
    p = platform
    w, drawn = await drawn_world(p)
    n, assignment_id = holder(w, drawn, 1)
    r = await p.c.get(f"{RA}/{assignment_id}/application", headers=reviewer_caller(n))
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["id"] == w.apps[1] and view["title"] and view["abstract"]
    assert view["keywords"] == ["黑土地", "遥感", "深度学习"] and view["discipline_code"] == "F0203"
    assert view["category_code"] == "general" and view["category_kind"] == "general"
    assert view["requested_total"] == "80000.00" and view["budget_lines"]["business"] == "60000.00"
    assert view["applicant_name"] == "申请人1" and view["institution_name"] == "吉林大学"
    assert view["team"] == [{"name": "李华", "role": "骨干"}]
    text = r.text
    for secret in (
        applicant_id(1),
        TEAM_MEMBER_ID,
        "1980-01-01",
        "institution_uscc",
        "exclusions",
        "relations",
        "applicant_sex",
        "birth",
    ):
        assert secret not in text, secret
    for rv in w.reviewers.values():  # no reviewer of the pool is named
        assert f'"reviewer_id":{rv}' not in text.replace(" ", "")


async def test_nsf2_a_declined_slot_alone_is_drawn_again(platform: Platform) -> None:
    """NSF-2: the declining reviewer's slot goes to another reviewer of the frozen pool, never the
    same nor one who declined this application before; every other slot is unchanged; the pool's
    loads follow; ``verify`` replays the replacement and matches."""
    p = platform
    w, drawn = await drawn_world(p, reviewers=8, applications=2)
    rid = drawn["round"]["id"]
    before = slots(drawn)
    n, assignment_id = holder(w, drawn, 1, slot=1)
    declined_reviewer = w.reviewers[n]
    load_before = await pool_load(p, declined_reviewer)
    r = await p.c.post(
        f"{RA}/{assignment_id}/decline",
        json={"reason": "与申请人有合作关系"},
        headers=reviewer_caller(n) | {"If-Match": f'"review_assignment-{assignment_id}-v1"'},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "declined" and out["replaced"] is True and out["release_reason"] == "与申请人有合作关系"
    after = slots((await p.c.get(f"{RR}/{rid}/assignments", headers=AGENCY)).json())
    app1 = w.apps[1]
    assert after[w.apps[2]] == before[w.apps[2]]  # the other application: untouched
    assert after[app1][0] == before[app1][0] and after[app1][2] == before[app1][2]  # other slots unchanged
    newcomer = after[app1][1]
    assert newcomer != declined_reviewer and newcomer not in before[app1]
    assert await pool_load(p, declined_reviewer) == load_before - 1
    assert await pool_load(p, newcomer) >= 1
    # the newcomer sees the new assignment; the decliner keeps the declined row but not the application
    new_rows = [x for x in await own_rows(p, w.reviewer_of[newcomer]) if x["application_id"] == app1]
    assert [x["status"] for x in new_rows] == ["assigned"]
    declined_rows = [x for x in await own_rows(p, n) if x["id"] == assignment_id]
    assert declined_rows[0]["status"] == "declined" and declined_rows[0]["released_at"]
    r = await p.c.get(f"{RA}/{assignment_id}/application", headers=reviewer_caller(n))
    assert r.status_code == 409 and r.json()["code"] == "assignment_released"
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "再次"}, headers=reviewer_caller(n))
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    # the newcomer declines too: neither of the two decliners comes back
    new_id = new_rows[0]["id"]
    r = await p.c.post(
        f"{RA}/{new_id}/decline", json={"reason": "出差"}, headers=reviewer_caller(w.reviewer_of[newcomer])
    )
    assert r.status_code == 200 and r.json()["replaced"] is True
    final = slots((await p.c.get(f"{RR}/{rid}/assignments", headers=AGENCY)).json())
    assert final[app1][1] not in {declined_reviewer, newcomer} and final[app1][1] not in before[app1]
    assert final[app1][0] == before[app1][0] and final[app1][2] == before[app1][2]
    got = (await p.c.get(f"{RR}/{rid}", headers=AGENCY)).json()
    assert got["draw"]["replacements"] == 2
    report = (await p.c.post(f"{RR}/{rid}/verify", headers=AUDITOR)).json()
    assert report["ok"] is True, report
    rows = (await p.c.get(f"{RR}/{rid}/assignments", params={"application_id": app1}, headers=AGENCY)).json()
    chain = {s["assignment_id"]: s for s in rows["items"][0]["reviewers"]}
    assert chain[new_id]["replaces_id"] == assignment_id and chain[new_id]["status"] == "declined"


async def test_nsf2_decline_with_nobody_left_is_a_shortfall(platform: Platform) -> None:
    p = platform
    w, drawn = await drawn_world(p, reviewers=3, applications=1)
    n, assignment_id = holder(w, drawn, 1, slot=2)
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "身体原因"}, headers=reviewer_caller(n))
    assert r.status_code == 200 and r.json() == r.json() | {"status": "declined", "replaced": False}
    got = (await p.c.get(f"{RR}/{drawn['round']['id']}", headers=AGENCY)).json()
    assert got["shortfalls"] == [
        {"application_id": w.apps[1], "needed": 3, "assigned": 2, "reason": "not_enough_eligible_reviewers"}
    ]
    assert (await p.c.post(f"{RR}/{got['id']}/verify", headers=AGENCY)).json()["ok"] is True


async def test_decline_refused_when_submitted_stale_or_projects_down(platform: Platform) -> None:
    """A submitted review's slot cannot be declined (409); a stale If-Match is a 412; projects down at
    the load report is a 503 with nothing changed."""
    p = platform
    w, drawn = await drawn_world(p)
    n, assignment_id = holder(w, drawn, 1)
    r = await p.c.post(
        f"{RA}/{assignment_id}/decline",
        json={"reason": "x"},
        headers=reviewer_caller(n) | {"If-Match": f'"review_assignment-{assignment_id}-v7"'},
    )
    assert r.status_code == 412
    assert (
        await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": ""}, headers=reviewer_caller(n))
    ).status_code == 422
    p.link.down = True
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "x"}, headers=reviewer_caller(n))
    assert r.status_code == 503 and r.headers["Retry-After"]
    p.link.down = False
    assert slots((await p.c.get(f"{RR}/{drawn['round']['id']}/assignments", headers=AGENCY)).json()) == slots(drawn)
    assert await count(p, ReviewAssignment) == 6
    got = (await p.c.get(f"{RR}/{drawn['round']['id']}", headers=AGENCY)).json()
    assert got["draw"]["replacements"] == 0 and got["version"] == drawn["round"]["version"]
    async with p.db.sessionmaker() as session:
        await session.execute(
            update(ReviewAssignment).where(ReviewAssignment.id == assignment_id).values(status="submitted")
        )
        await session.commit()
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "x"}, headers=reviewer_caller(n))
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"


async def test_staff_release_a_late_reviewer_after_the_due_time(platform: Platform) -> None:
    """NSF-2: past ``review_due_at``, a reviewer who has not submitted is released (status late) and the
    slot alone drawn again; before it, or once submitted, it is refused."""
    p = platform
    due = now() + timedelta(days=10)
    w, drawn = await drawn_world(p, review_due_at=due.isoformat())
    rid = drawn["round"]["id"]
    before = slots(drawn)
    n, assignment_id = holder(w, drawn, 2, slot=0)
    url = f"{RA}/{assignment_id}/release-late"
    r = await p.c.post(url, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_not_overdue"
    p.app.state.clock = lambda: due + timedelta(minutes=1)
    assert (await p.c.post(url, headers=OTHER_AGENCY)).status_code == 404
    assert (await p.c.post(url, headers=AUDITOR)).status_code == 403
    assert (await p.c.post(url, headers=reviewer_caller(n))).status_code == 403
    # a submitted review is never released
    _, other_id = holder(w, drawn, 2, slot=1)
    async with p.db.sessionmaker() as session:
        session.add(
            Review(
                assignment_id=other_id,
                scores={},
                grade="A",
                opinion="priority",
                comments={"overall": "好"},
                status="submitted",
                submitted_at=now(),
                version=1,
            )
        )
        await session.commit()
    r = await p.c.post(f"{RA}/{other_id}/release-late", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    r = await p.c.post(url, json={"reason": "逾期两周未提交"}, headers=AGENCY)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "late" and out["replaced"] is True and out["release_reason"] == "逾期两周未提交"
    after = slots((await p.c.get(f"{RR}/{rid}/assignments", headers=AGENCY)).json())
    app2 = w.apps[2]
    assert after[w.apps[1]] == before[w.apps[1]] and after[app2][1:] == before[app2][1:]
    assert after[app2][0] not in before[app2]
    assert [x["status"] for x in await own_rows(p, n) if x["id"] == assignment_id] == ["late"]
    assert (await p.c.post(f"{RR}/{rid}/verify", headers=OFFICIAL)).json()["ok"] is True
    r = await p.c.post(url, headers=AGENCY)
    assert r.status_code == 409


async def test_release_late_without_a_due_time_is_refused(platform: Platform) -> None:
    p = platform
    w, drawn = await drawn_world(p)
    _, assignment_id = holder(w, drawn, 1)
    r = await p.c.post(f"{RA}/{assignment_id}/release-late", headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "review_not_overdue"
    assert (await p.c.post(f"{RA}/{2**62}/release-late", headers=OFFICIAL)).status_code == 404


async def test_nothing_changes_in_a_closed_round(platform: Platform) -> None:
    p = platform
    w, drawn = await drawn_world(p)
    n, assignment_id = holder(w, drawn, 1)
    async with p.db.sessionmaker() as session:
        await session.execute(update(ReviewRound).where(ReviewRound.id == drawn["round"]["id"]).values(status="closed"))
        await session.commit()
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "x"}, headers=reviewer_caller(n))
    assert r.status_code == 409 and r.json()["code"] == "review_round_closed"
    async with p.db.sessionmaker() as session:
        row = (await session.execute(select(ReviewAssignment).where(ReviewAssignment.id == assignment_id))).scalar_one()
        assert row.status == "assigned"


async def test_declared_conflict_unknown_to_the_draw_can_be_declined(platform: Platform) -> None:
    """NSF-3 backstop: a reviewer who sees a conflict the draw could not know of declines; the new
    reviewer is drawn under the same NSF-3 rules (the applicant's exclusion stays out)."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    for n in range(1, 6):
        await add_reviewer(p.projects, w, n)
    await add_application(p.db, w, 1, exclusions=[reviewer_id_number(5)])
    drawn = await draw(p.c, (await create_round(p.c, w))["id"])
    assert w.reviewers[5] not in slots(drawn)[w.apps[1]]
    n, assignment_id = holder(w, drawn, 1)
    r = await p.c.post(f"{RA}/{assignment_id}/decline", json={"reason": "师生关系"}, headers=reviewer_caller(n))
    assert r.status_code == 200 and r.json()["replaced"] is True
    after = slots((await p.c.get(f"{RR}/{drawn['round']['id']}/assignments", headers=AGENCY)).json())
    assert w.reviewers[5] not in after[w.apps[1]] and w.reviewers[n] not in after[w.apps[1]]
