"""Open-challenge lists (榜单) and bids (揭榜), PRJ-3: the stage rules, the bid window, promised
indicators, the budget cap, one bid per organisation, selection by the entrusted agency, public reads,
If-Match and idempotent bids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.projects.main import create_app
from services.projects.rules.challenges import (
    CHALLENGE_LIST_WORKFLOW,
    DEFAULT_RULES,
    PUBLIC_STAGES,
    IndicatorTarget,
    bid_window_long_enough,
    bidding_open,
    meets_target,
    promise_shortfalls,
    within_cap,
)
from services.projects.settings import ProjectsSettings
from shared.workdays import SHANGHAI
from tests.conftest import TEST_SECRET, running
from tests.services.projects.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    ENTERPRISE_APPLICANT,
    ENTERPRISE_USCC,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    OTHER_USCC,
    PREFIX,
    REVIEWER,
    UNIV_USCC,
    create_programme,
    headers,
    make_resident_id,
)

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)  # the tests' "now"
DEADLINE = T0 + timedelta(days=30)
LEADER = make_resident_id(date(1978, 4, 9), seq="731")
OTHER_ORG_APPLICANT = headers("applicant", subject="303", org_id=71, org_uscc=OTHER_USCC)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    client: httpx.AsyncClient
    clock: Clock


@pytest.fixture
async def env(make_db: Any) -> AsyncIterator[Env]:
    db = await make_db("projects")
    app = create_app(ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    clock = Clock()
    app.state.clock = clock
    async with running(app) as c:
        yield Env(c, clock)


def list_body(programme_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "title": "高寒地区氢燃料电池低温冷启动技术",
        "problem": "在-30℃环境下实现燃料电池系统无辅助冷启动，满足东北地区商用车冬季运营。",
        "budget_cap": "8000000.00",
        "bid_deadline": DEADLINE.isoformat(),
        "indicators": [
            {
                "name": "冷启动温度",
                "unit": "℃",
                "target_value": "-30",
                "comparison": "at_most",
                "measurement": "第三方检测机构按 GB/T 33979 测试",
            },
            {"name": "系统额定功率", "unit": "kW", "target_value": "110", "measurement": "台架试验"},
        ],
    } | overrides


async def published_list(env: Env, *, programme: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    programme = programme or await create_programme(env.client)
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(programme["id"], **overrides), headers=AGENCY)
    assert r.status_code == 201, r.text
    r = await env.client.post(f"{PREFIX}/challenge-lists/{r.json()['id']}/publish", headers=AGENCY)
    assert r.status_code == 200, r.text
    return r.json()


def bid_body(challenge: dict[str, Any], uscc: str = UNIV_USCC, **overrides: Any) -> dict[str, Any]:
    cold, power = challenge["indicators"]
    return {
        "organisation_uscc": uscc,
        "organisation_name": "吉林大学",
        "leader_name": "李明",
        "leader_id_number": LEADER,
        "leader_title": "教授",
        "team": [{"name": "王芳", "role": "技术负责人", "title": "高级工程师"}],
        "technical_route": "自增湿膜电极与余热回收耦合的冷启动策略。",
        "requested_budget": "7800000.00",
        "promises": [{"indicator_id": cold["id"], "value": "-32"}, {"indicator_id": power["id"], "value": "120"}],
        "milestones": [
            {"title": "样机", "due_date": "2027-12-31", "deliverables": "完成样机低温测试"},
            {"title": "示范", "due_date": "2028-12-31", "deliverables": "整车示范运行"},
        ],
    } | overrides


async def bid(env: Env, challenge: dict[str, Any], who: dict[str, str] = APPLICANT, **overrides: Any) -> httpx.Response:
    uscc = overrides.pop("uscc", UNIV_USCC)
    return await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/bids", json=bid_body(challenge, uscc, **overrides), headers=who
    )


async def closed_with_bids(env: Env) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    challenge = await published_list(env)
    first = await bid(env, challenge)
    second = await bid(env, challenge, ENTERPRISE_APPLICANT, uscc=ENTERPRISE_USCC, organisation_name="一汽")
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    env.clock.now = DEADLINE
    r = await env.client.post(f"{PREFIX}/challenge-lists/{challenge['id']}/close-bidding", headers=AGENCY)
    assert r.status_code == 200, r.text
    return r.json(), first.json(), second.json()


# --- pure rules ------------------------------------------------------------------------------------


def test_prj3_bid_window_edge_in_the_rules() -> None:
    assert bidding_open("published", DEADLINE, DEADLINE - timedelta(seconds=1))
    assert not bidding_open("published", DEADLINE, DEADLINE)
    assert not bidding_open("draft", DEADLINE, T0)
    assert not bidding_open("bidding_closed", DEADLINE, T0)


def test_prj3_minimum_bid_window_is_data() -> None:
    days = DEFAULT_RULES.min_bid_window_days
    assert bid_window_long_enough(T0, T0 + timedelta(days=days))
    assert not bid_window_long_enough(T0, T0 + timedelta(days=days) - timedelta(seconds=1))


def test_prj3_targets_at_least_and_at_most() -> None:
    assert meets_target(Decimal("110"), Decimal("110")) and not meets_target(Decimal("109.999999"), Decimal("110"))
    assert meets_target(Decimal("-30"), Decimal("-30"), "at_most")
    assert not meets_target(Decimal("-29.9"), Decimal("-30"), "at_most")
    targets = [IndicatorTarget(1, "功率", Decimal("110")), IndicatorTarget(2, "温度", Decimal("-30"), "at_most")]
    assert promise_shortfalls(targets, {1: Decimal("110"), 2: Decimal("-30")}) == []
    assert [s.key for s in promise_shortfalls(targets, {1: Decimal("109"), 2: Decimal("-31")})] == [1]
    assert [s.key for s in promise_shortfalls(targets, {2: Decimal("-31")})] == [1]


def test_prj3_budget_cap_edge_in_the_rules() -> None:
    assert within_cap(Decimal("8000000.00"), Decimal("8000000.00"))
    assert not within_cap(Decimal("8000000.01"), Decimal("8000000.00"))


def test_prj3_stages_are_data() -> None:
    assert CHALLENGE_LIST_WORKFLOW.states == {
        "draft",
        "published",
        "bidding_closed",
        "selected",
        "unsuccessful",
        "closed",
    }
    assert "draft" not in PUBLIC_STAGES and "published" in PUBLIC_STAGES


# --- lists -------------------------------------------------------------------------------------------


async def test_prj3_public_reads_published_lists_and_drafts_are_404(env: Env) -> None:
    programme = await create_programme(env.client)
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(programme["id"]), headers=AGENCY)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["budget_cap"] == "8000000.00"
    assert draft["bid_deadline"] == DEADLINE.isoformat()  # shown in Asia/Shanghai
    url = f"{PREFIX}/challenge-lists/{draft['id']}"
    for who in (ANONYMOUS, APPLICANT, OTHER_AGENCY):
        assert (await env.client.get(url, headers=who)).status_code == 404
    assert (await env.client.get(f"{PREFIX}/challenge-lists", headers=ANONYMOUS)).json()["items"] == []
    assert (await env.client.get(url, headers=OFFICIAL)).status_code == 200

    published = await published_list(env, programme=programme, title="黑土地保护性耕作智能装备")
    public = await env.client.get(f"{PREFIX}/challenge-lists/{published['id']}", headers=ANONYMOUS)
    assert public.status_code == 200 and public.json()["bidding_open"] is True
    assert public.json()["indicators"][0]["name"] == "冷启动温度"
    listed = (await env.client.get(f"{PREFIX}/challenge-lists", headers=ANONYMOUS)).json()["items"]
    assert [x["id"] for x in listed] == [published["id"]]
    # the agency sees its draft in the list too; another agency only the published one
    mine = (await env.client.get(f"{PREFIX}/challenge-lists", headers=AGENCY)).json()["items"]
    assert {x["id"] for x in mine} == {draft["id"], published["id"]}
    theirs = (await env.client.get(f"{PREFIX}/challenge-lists", headers=OTHER_AGENCY)).json()["items"]
    assert [x["id"] for x in theirs] == [published["id"]]


async def test_prj2_only_the_entrusted_agency_or_an_official_makes_lists(env: Env) -> None:
    programme = await create_programme(env.client)
    body = list_body(programme["id"])
    assert (await env.client.post(f"{PREFIX}/challenge-lists", json=body, headers=APPLICANT)).status_code == 403
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=body, headers=OTHER_AGENCY)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unknown_programme"
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(999999), headers=OFFICIAL)
    assert r.status_code == 422
    assert (await env.client.post(f"{PREFIX}/challenge-lists", json=body, headers=OFFICIAL)).status_code == 201


async def test_prj3_publish_needs_the_minimum_bid_window(env: Env) -> None:
    programme = await create_programme(env.client)
    short = T0 + timedelta(days=DEFAULT_RULES.min_bid_window_days) - timedelta(minutes=1)
    r = await env.client.post(
        f"{PREFIX}/challenge-lists", json=list_body(programme["id"], bid_deadline=short.isoformat()), headers=AGENCY
    )
    list_id = r.json()["id"]
    r = await env.client.post(f"{PREFIX}/challenge-lists/{list_id}/publish", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "bid_window_too_short"


async def test_prj3_if_match_412_on_stale_edits_and_actions(env: Env) -> None:
    programme = await create_programme(env.client)
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(programme["id"]), headers=AGENCY)
    url, etag = f"{PREFIX}/challenge-lists/{r.json()['id']}", r.headers["etag"]
    assert (await env.client.patch(url, json={"title": "新题目"}, headers=AGENCY)).status_code == 428
    ok = await env.client.patch(
        url, json={"title": "新题目", "budget_cap": "9000000.00"}, headers=AGENCY | {"If-Match": etag}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["budget_cap"] == "9000000.00"
    stale = await env.client.patch(url, json={"title": "旧题目"}, headers=AGENCY | {"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    stale = await env.client.post(f"{url}/publish", headers=AGENCY | {"If-Match": etag})
    assert stale.status_code == 412
    published = await env.client.post(f"{url}/publish", headers=AGENCY | {"If-Match": ok.headers["etag"]})
    assert published.status_code == 200 and published.json()["status"] == "published"
    # a published list is no longer edited
    again = await env.client.patch(url, json={"title": "x"}, headers=AGENCY | {"If-Match": published.headers["etag"]})
    assert again.status_code == 409


# --- bids --------------------------------------------------------------------------------------------


async def test_prj3_bid_window_one_second_before_and_at_the_deadline(env: Env) -> None:
    challenge = await published_list(env)
    env.clock.now = DEADLINE - timedelta(seconds=1)
    assert (await bid(env, challenge)).status_code == 201
    env.clock.now = DEADLINE
    late = await bid(env, challenge, ENTERPRISE_APPLICANT, uscc=ENTERPRISE_USCC)
    assert late.status_code == 409 and late.json()["code"] == "bidding_closed"
    shown = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}", headers=ANONYMOUS)).json()
    assert shown["bidding_open"] is False


async def test_prj3_no_bids_on_a_draft(env: Env) -> None:
    programme = await create_programme(env.client)
    r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(programme["id"]), headers=AGENCY)
    draft = r.json()
    assert (await bid(env, draft)).status_code == 404  # a draft does not exist for a bidder


async def test_prj3_promised_indicators_below_target_are_refused(env: Env) -> None:
    challenge = await published_list(env)
    cold, power = challenge["indicators"]
    below = [{"indicator_id": cold["id"], "value": "-29.5"}, {"indicator_id": power["id"], "value": "109.99"}]
    r = await bid(env, challenge, promises=below)
    assert r.status_code == 422 and r.json()["code"] == "indicator_below_target"
    assert {e["indicator_id"] for e in r.json()["errors"]} == {str(cold["id"]), str(power["id"])}
    assert "冷启动温度" in r.json()["detail"]
    en = await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/bids",
        json=bid_body(challenge, promises=below),
        headers=APPLICANT | {"Accept-Language": "en"},
    )
    assert en.json()["title"] == "A promised indicator does not meet the list's target"
    missing = await bid(env, challenge, promises=[{"indicator_id": cold["id"], "value": "-40"}])
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_promises"
    exact = [{"indicator_id": cold["id"], "value": "-30"}, {"indicator_id": power["id"], "value": "110"}]
    assert (await bid(env, challenge, promises=exact)).status_code == 201


async def test_prj3_budget_at_the_cap_and_one_fen_over(env: Env) -> None:
    challenge = await published_list(env)
    over = await bid(env, challenge, requested_budget="8000000.01")
    assert over.status_code == 422 and over.json()["code"] == "budget_over_cap"
    at_cap = await bid(env, challenge, requested_budget="8000000.00")
    assert at_cap.status_code == 201 and at_cap.json()["requested_budget"] == "8000000.00"


async def test_prj3_one_bid_per_organisation(env: Env) -> None:
    challenge = await published_list(env)
    assert (await bid(env, challenge)).status_code == 201
    again = await bid(env, challenge, OTHER_APPLICANT)  # a colleague of the same university
    assert again.status_code == 409 and again.json()["code"] == "bid_exists"
    assert (await bid(env, challenge, ENTERPRISE_APPLICANT, uscc=ENTERPRISE_USCC)).status_code == 201


async def test_prj3_bidder_bids_for_their_own_organisation_only(env: Env) -> None:
    challenge = await published_list(env)
    r = await bid(env, challenge, uscc=ENTERPRISE_USCC)  # APPLICANT belongs to the university
    assert r.status_code == 403 and r.json()["code"] == "organisation_mismatch"
    assert (await bid(env, challenge, REVIEWER)).status_code == 403


async def test_prj3_idempotent_bid_submission(env: Env) -> None:
    challenge = await published_list(env)
    key = {"Idempotency-Key": "bid-jlu-1"}
    first = await bid(env, challenge, APPLICANT | key)
    again = await bid(env, challenge, APPLICANT | key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    bids = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}/bids", headers=AGENCY)).json()
    assert len(bids["items"]) == 1
    other = await bid(env, challenge, APPLICANT | key, requested_budget="100.00")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


async def test_prj3_other_bidders_bids_are_404_and_the_number_is_masked(env: Env) -> None:
    challenge = await published_list(env)
    mine = (await bid(env, challenge)).json()
    assert mine["leader_id_masked"] == LEADER[:6] + "********" + LEADER[-4:]
    assert "leader_id_number" not in mine
    theirs = (await bid(env, challenge, ENTERPRISE_APPLICANT, uscc=ENTERPRISE_USCC)).json()
    url = f"{PREFIX}/challenge-bids/{theirs['id']}"
    assert (await env.client.get(url, headers=APPLICANT)).status_code == 404
    assert (await env.client.get(url, headers=OTHER_AGENCY)).status_code == 404
    assert (await env.client.get(url, headers=ENTERPRISE_APPLICANT)).status_code == 200
    assert (await env.client.get(url, headers=AGENCY)).status_code == 200
    # the university's org admin sees the university's bid
    assert (await env.client.get(f"{PREFIX}/challenge-bids/{mine['id']}", headers=ORG_ADMIN)).status_code == 200
    listed = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}/bids", headers=APPLICANT)).json()
    assert [b["id"] for b in listed["items"]] == [mine["id"]]
    everyone = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}/bids", headers=AGENCY)).json()
    assert len(everyone["items"]) == 2
    withdraw = await env.client.post(f"{url}/withdraw", headers=APPLICANT)
    assert withdraw.status_code == 404


async def test_prj3_withdraw_before_the_deadline(env: Env) -> None:
    challenge = await published_list(env)
    mine = (await bid(env, challenge)).json()
    r = await env.client.post(
        f"{PREFIX}/challenge-bids/{mine['id']}/withdraw", json={"comment": "方案调整"}, headers=APPLICANT
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    history = (await env.client.get(f"{PREFIX}/challenge-bids/{mine['id']}/history", headers=APPLICANT)).json()
    assert [h["action"] for h in history] == ["create", "withdraw"]


# --- closing and selection -----------------------------------------------------------------------------


async def test_prj3_bidding_closes_only_after_the_deadline(env: Env) -> None:
    challenge = await published_list(env)
    env.clock.now = DEADLINE - timedelta(seconds=1)
    r = await env.client.post(f"{PREFIX}/challenge-lists/{challenge['id']}/close-bidding", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "bidding_still_open"


async def test_prj3_selection_only_by_the_right_role(env: Env) -> None:
    challenge, first, second = await closed_with_bids(env)
    url = f"{PREFIX}/challenge-lists/{challenge['id']}/select"
    body = {"bid_id": first["id"], "reason": "技术路线成熟，指标承诺最优"}
    for who in (APPLICANT, REVIEWER, ORG_ADMIN):
        r = await env.client.post(url, json=body, headers=who)
        assert r.status_code == 403, who
    assert (await env.client.post(url, json=body, headers=OTHER_AGENCY)).status_code == 404  # not entrusted
    missing_reason = await env.client.post(url, json={"bid_id": first["id"]}, headers=AGENCY)
    assert missing_reason.status_code == 422
    r = await env.client.post(url, json=body, headers=AGENCY)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "selected" and r.json()["selected_bid_id"] == first["id"]
    assert r.json()["selection_reason"] == body["reason"]
    # the public sees the result, not the agency's reasoning
    public = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}", headers=ANONYMOUS)).json()
    assert public["status"] == "selected" and public["selection_reason"] is None
    won = (await env.client.get(f"{PREFIX}/challenge-bids/{first['id']}", headers=APPLICANT)).json()
    lost = (await env.client.get(f"{PREFIX}/challenge-bids/{second['id']}", headers=ENTERPRISE_APPLICANT)).json()
    assert (won["status"], lost["status"]) == ("selected", "not_selected")
    history = (await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}/history", headers=AGENCY)).json()
    assert [h["action"] for h in history] == ["create", "publish", "close_bidding", "select"]
    assert history[-1]["comment"] == body["reason"] and history[-1]["actor_role"] == "agency"
    assert (
        await env.client.get(f"{PREFIX}/challenge-lists/{challenge['id']}/history", headers=APPLICANT)
    ).status_code == 404
    again = await env.client.post(url, json=body, headers=AGENCY)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


async def test_prj3_select_names_an_open_bid_of_the_list(env: Env) -> None:
    challenge, _, _ = await closed_with_bids(env)
    r = await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/select", json={"bid_id": 999999, "reason": "x"}, headers=AGENCY
    )
    assert r.status_code == 422


async def test_prj3_unsuccessful_list_with_reason_then_closed(env: Env) -> None:
    challenge, first, _ = await closed_with_bids(env)
    url = f"{PREFIX}/challenge-lists/{challenge['id']}"
    assert (await env.client.post(f"{url}/declare-unsuccessful", headers=AGENCY)).status_code == 422
    r = await env.client.post(f"{url}/declare-unsuccessful", json={"comment": "均未达到要求"}, headers=AGENCY)
    assert r.status_code == 200 and r.json()["status"] == "unsuccessful"
    lost = (await env.client.get(f"{PREFIX}/challenge-bids/{first['id']}", headers=APPLICANT)).json()
    assert lost["status"] == "not_selected"
    closed = await env.client.post(f"{url}/close", headers=OFFICIAL)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


async def test_prj3_hostile_input_is_a_4xx(env: Env) -> None:
    programme = await create_programme(env.client)
    for bad in (
        {"budget_cap": "1.001"},
        {"budget_cap": "-5"},
        {"bid_deadline": "2027-04-01T09:00:00"},
        {"indicators": []},
        {"status": "published"},
        {"programme_id": 2**70},
        {"title": "\x00"},
    ):
        r = await env.client.post(f"{PREFIX}/challenge-lists", json=list_body(programme["id"]) | bad, headers=AGENCY)
        assert r.status_code == 422, (bad, r.text)
    challenge = await published_list(env, programme=programme)
    for bad in (
        {"leader_id_number": "220102197804097310"},
        {"organisation_uscc": "91220101123456780"},
        {"requested_budget": "1e400"},
        {"promises": [{"indicator_id": 2**63, "value": "1"}]},
    ):
        r = await bid(env, challenge, **bad)
        assert 400 <= r.status_code < 500, (bad, r.text)
    assert (await env.client.get(f"{PREFIX}/challenge-lists/{2**63}", headers=ANONYMOUS)).status_code == 422
    assert (await env.client.get(f"{PREFIX}/challenge-lists?status=nonsense", headers=ANONYMOUS)).json()["items"] == []


def test_now_is_aware() -> None:
    assert T0.tzinfo is not None and datetime.now(UTC) is not None
