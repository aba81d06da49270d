"""Yearly funding plans: drafting with categories and their defaults (NSF-1, NSF-2, NSF-6), validation,
who sees drafts (agencies listed on the plan only), public reads, If-Match, publish and close."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.workdays import SHANGHAI
from tests.services.foundation.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    Platform,
    now,
)
from tests.services.foundation.helpers import category_body, create_plan, plan_body, set_clock


def codes(problem: dict[str, Any]) -> list[str]:
    return [e["code"] for e in problem.get("errors", [])]


async def test_create_plan_with_category_defaults_nsf1_nsf2_nsf6(platform: Platform) -> None:
    """NSF-1 (formal review 45 days), NSF-2 (3 reviewers, 5 for key), NSF-6 (youth 35/40) by default."""
    plan = await create_plan(platform.c, publish=False)
    assert plan["status"] == "draft" and plan["version"] == 1
    assert plan["formal_review_days"] == 45 and plan["notice_working_days"] == 5
    cats = {c["code"]: c for c in plan["categories"]}
    assert cats["general"]["reviewers_per_application"] == 3
    assert cats["key"]["reviewers_per_application"] == 5
    assert (cats["youth"]["max_age_male"], cats["youth"]["max_age_female"]) == (35, 40)
    assert (cats["general"]["max_age_male"], cats["general"]["max_age_female"]) == (None, None)
    assert cats["youth"]["amount"] == "50000.00" and cats["youth"]["budget"] == "500000.00"
    assert plan["agency_org_ids"] == [60]
    # CAL-2: shown in Asia/Shanghai
    assert plan["closes_at"].endswith("+08:00")


async def test_configured_figures_are_kept_nsf2_nsf6(platform: Platform) -> None:
    """NSF-2 and NSF-6 are configurable per category."""
    plan = await create_plan(
        platform.c,
        publish=False,
        formal_review_days=30,
        categories=[
            category_body("youth", "youth", max_age_male=36, max_age_female=41, reviewers_per_application=4),
        ],
    )
    youth = plan["categories"][0]
    assert (youth["max_age_male"], youth["max_age_female"], youth["reviewers_per_application"]) == (36, 41, 4)
    assert plan["formal_review_days"] == 30


async def test_plan_validation(platform: Platform) -> None:
    c = platform.c

    async def bad(**overrides: Any) -> list[str]:
        r = await c.post(f"{PREFIX}/plans", json=plan_body(**overrides), headers=OFFICIAL)
        assert r.status_code == 422, r.text
        return codes(r.json())

    assert "before_opens_at" in await bad(opens_at=now().isoformat(), closes_at=(now() - timedelta(days=1)).isoformat())
    assert "string_pattern_mismatch" in await bad(discipline_codes=["F2"])
    assert "duplicate_value" in await bad(discipline_codes=["F02", "F02"])
    assert "duplicate_code" in await bad(categories=[category_body("g"), category_body("g")])
    assert "partner_required" in await bad(categories=[category_body("j", "joint", partner=None)])
    assert "partner_not_allowed" in await bad(categories=[category_body("g", partner="某企业")])
    assert "amount_over_budget" in await bad(categories=[category_body(amount="2000000.00")])
    # fixed: amount x count must fit the budget
    assert "budget_too_small" in await bad(
        categories=[category_body(amount_mode="fixed", amount="200000.00", project_count=6)]
    )
    # NSF-2: at least 3 reviewers
    assert "greater_than_equal" in await bad(categories=[category_body(reviewers_per_application=2)])
    assert "literal_error" in await bad(categories=[category_body(kind="huge")])
    assert "decimal_max_places" in await bad(categories=[category_body(amount="1.001")])
    # naive datetimes are refused: the window is Asia/Shanghai aware
    assert "timezone_aware" in await bad(opens_at="2026-03-01T09:00:00")
    assert (await c.post(f"{PREFIX}/plans", json=plan_body(categories=[]), headers=OFFICIAL)).status_code == 422


async def test_plan_code_is_unique(platform: Platform) -> None:
    await create_plan(platform.c, publish=False)
    r = await platform.c.post(f"{PREFIX}/plans", json=plan_body(), headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "duplicate"


async def test_only_officials_draft_plans(platform: Platform) -> None:
    for who, status in ((AGENCY, 403), (APPLICANT, 403), (AUDITOR, 403), (ANONYMOUS, 401)):
        r = await platform.c.post(f"{PREFIX}/plans", json=plan_body(), headers=who)
        assert r.status_code == status, r.text


async def test_drafts_are_seen_by_staff_of_the_plan_only(platform: Platform) -> None:
    """Officials, auditors and the listed agencies see drafts; another agency, applicants and anonymous
    callers see published and closed plans only (404 on a draft)."""
    c = platform.c
    draft = await create_plan(c, publish=False)
    public = await create_plan(c, code="JJ2026-B")
    for who in (OFFICIAL, AUDITOR, AGENCY):
        assert (await c.get(f"{PREFIX}/plans/{draft['id']}", headers=who)).status_code == 200
        ids = [p["id"] for p in (await c.get(f"{PREFIX}/plans", headers=who)).json()["items"]]
        assert set(ids) == {draft["id"], public["id"]}
    for who in (OTHER_AGENCY, APPLICANT, ANONYMOUS):
        r = await c.get(f"{PREFIX}/plans/{draft['id']}", headers=who)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        ids = [p["id"] for p in (await c.get(f"{PREFIX}/plans", headers=who)).json()["items"]]
        assert ids == [public["id"]]
        r = await c.get(f"{PREFIX}/plans/{public['id']}", headers=who)
        assert r.status_code == 200 and len(r.json()["categories"]) == 3
    assert (await c.get(f"{PREFIX}/plans/{draft['id']}/history", headers=OTHER_AGENCY)).status_code == 404
    assert (await c.get(f"{PREFIX}/plans/{public['id']}/history", headers=ANONYMOUS)).status_code == 401


async def test_list_filters_and_pages(platform: Platform) -> None:
    c = platform.c
    await create_plan(c, publish=False)
    p2 = await create_plan(c, code="JJ2027", year=2027)
    r = await c.get(f"{PREFIX}/plans", params={"year": 2027}, headers=OFFICIAL)
    assert [p["id"] for p in r.json()["items"]] == [p2["id"]]
    r = await c.get(f"{PREFIX}/plans", params={"status": "draft"}, headers=OFFICIAL)
    assert [p["year"] for p in r.json()["items"]] == [2026]
    r = await c.get(f"{PREFIX}/plans", params={"limit": 1}, headers=OFFICIAL)
    page = r.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    r = await c.get(f"{PREFIX}/plans", params={"limit": 1, "cursor": page["next_cursor"]}, headers=OFFICIAL)
    assert len(r.json()["items"]) == 1 and r.json()["items"][0]["id"] != page["items"][0]["id"]
    assert (await c.get(f"{PREFIX}/plans", params={"status": "open"}, headers=OFFICIAL)).status_code == 422
    assert (await c.get(f"{PREFIX}/plans", params={"cursor": "garbage"}, headers=OFFICIAL)).status_code == 422


async def test_patch_draft_with_if_match_and_categories_by_code(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c, publish=False)
    url = f"{PREFIX}/plans/{plan['id']}"
    etag = (await c.get(url, headers=OFFICIAL)).headers["etag"]
    assert (await c.patch(url, json={"title": "新"}, headers=OFFICIAL)).status_code == 428
    general = next(cat for cat in plan["categories"] if cat["code"] == "general")
    body = {
        "title": "2026年度吉林省自然科学基金（修订）",
        "agency_org_ids": [60, 62],
        "categories": [category_body("general", amount="120000.00"), category_body("j1", "joint")],
    }
    r = await c.patch(url, json=body, headers=OFFICIAL | {"If-Match": etag})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["version"] == 2 and updated["agency_org_ids"] == [60, 62]
    assert [cat["code"] for cat in updated["categories"]] == ["general", "j1"]
    assert updated["categories"][0]["id"] == general["id"] and updated["categories"][0]["amount"] == "120000.00"
    # the old ETag is stale now
    r = await c.patch(url, json={"title": "再改"}, headers=OFFICIAL | {"If-Match": etag})
    assert r.status_code == 412 and r.json()["code"] == "precondition_failed"
    # the window is checked against the stored other end
    r = await c.patch(
        url,
        json={"closes_at": (now() - timedelta(days=5)).isoformat()},
        headers=OFFICIAL | {"If-Match": r.headers.get("etag", "*")},
    )
    assert r.status_code == 422 and "before_opens_at" in codes(r.json())
    # only officials; the listed agency may not edit
    assert (await c.patch(url, json={"title": "x"}, headers=AGENCY | {"If-Match": "*"})).status_code == 403


async def test_publish_then_close_and_no_edits_after_publish(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(c, publish=False)
    url = f"{PREFIX}/plans/{plan['id']}"
    assert (await c.post(f"{url}/publish", headers=AGENCY)).status_code == 403
    r = await c.post(f"{url}/publish", headers=OFFICIAL | {"If-Match": '"funding_plan-1-v0"'})
    assert r.status_code == 412
    r = await c.post(f"{url}/publish", headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = await c.patch(url, json={"title": "x"}, headers=OFFICIAL | {"If-Match": r.headers["etag"]})
    assert r.status_code == 409 and r.json()["code"] == "plan_not_editable"
    r = await c.post(f"{url}/publish", headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = await c.post(f"{url}/close", json={"comment": "申请期结束"}, headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    history = (await c.get(f"{url}/history", headers=AGENCY)).json()
    assert [h["action"] for h in history] == ["create", "publish", "close"]
    assert history[-1]["comment"] == "申请期结束"
    # closed plans stay public
    assert (await c.get(url, headers=ANONYMOUS)).status_code == 200


async def test_a_plan_past_its_deadline_cannot_be_published(platform: Platform) -> None:
    c = platform.c
    plan = await create_plan(
        c,
        publish=False,
        opens_at=(now() - timedelta(days=10)).isoformat(),
        closes_at=(now() - timedelta(days=1)).isoformat(),
    )
    r = await c.post(f"{PREFIX}/plans/{plan['id']}/publish", headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "plan_closed"


async def test_nsf1_plan_shows_its_formal_review_due_date(platform: Platform) -> None:
    """NSF-1, CAL-2: due = the closing date in Asia/Shanghai + formal_review_days natural days."""
    plan = await create_plan(
        platform.c, publish=False, opens_at="2026-03-01T09:00:00+08:00", closes_at="2026-04-15T23:30:00+00:00"
    )  # 16 April 07:30 in Shanghai
    assert plan["formal_review_due"] == "2026-05-31"  # 16 April + 45 days


async def test_cal2_a_plan_shows_open_now_and_days_left_from_the_requests_now(platform: Platform) -> None:
    """CAL-2: open from the opening instant, closed at the closing one (exclusive); 0 days left on the last day
    in Asia/Shanghai; a plan closed by hand is not open. The list shows the same; the formal review's days
    left count to formal_review_due (NSF-1), natural days, so always confirmed."""
    c = platform.c
    opens = (now() + timedelta(days=2)).astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    closes = (opens + timedelta(days=10)).replace(hour=17)
    plan = await create_plan(c, opens_at=opens.isoformat(), closes_at=closes.isoformat())

    async def seen_at(moment: datetime) -> tuple[bool, int | None]:
        set_clock(platform.app, moment)
        one = (await c.get(f"{PREFIX}/plans/{plan['id']}", headers=ANONYMOUS)).json()
        listed = (await c.get(f"{PREFIX}/plans", headers=ANONYMOUS)).json()["items"]
        assert [(p["open_now"], p["days_left"]) for p in listed] == [(one["open_now"], one["days_left"])]
        due = date.fromisoformat(one["formal_review_due"])
        assert one["formal_review_days_left"] == (due - moment.astimezone(SHANGHAI).date()).days
        assert one["formal_review_calendar_confirmed"] is True
        return one["open_now"], one["days_left"]

    instant = timedelta(microseconds=1)
    assert await seen_at(opens - instant) == (False, None)
    assert await seen_at(opens) == (True, 10)  # the opening instant is open
    assert await seen_at(closes.replace(hour=0) - instant) == (True, 1)
    assert await seen_at(closes.replace(hour=0)) == (True, 0)  # the last day: 0 days left
    assert await seen_at(closes - instant) == (True, 0)
    assert await seen_at(closes) == (False, None)  # the closing instant is closed
    set_clock(platform.app, opens + timedelta(days=1))
    closed = (await c.post(f"{PREFIX}/plans/{plan['id']}/close", headers=OFFICIAL)).json()
    assert (closed["status"], closed["open_now"], closed["days_left"]) == ("closed", False, None)


async def test_bad_ids_and_bodies_are_4xx(platform: Platform) -> None:
    c = platform.c
    assert (await c.get(f"{PREFIX}/plans/0", headers=OFFICIAL)).status_code == 422
    assert (await c.get(f"{PREFIX}/plans/{2**63}", headers=OFFICIAL)).status_code == 422
    assert (await c.get(f"{PREFIX}/plans/999999", headers=OFFICIAL)).status_code == 404
    r = await c.post(f"{PREFIX}/plans", content=b"{not json", headers=OFFICIAL | {"content-type": "application/json"})
    assert r.status_code == 400
    r = await c.post(f"{PREFIX}/plans", json=plan_body(status="published"), headers=OFFICIAL)
    assert r.status_code == 422 and "unknown_field" in codes(r.json())
