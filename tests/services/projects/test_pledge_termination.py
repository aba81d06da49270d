"""PRJ-3: a failed performance pledge (军令状) whose agreed consequences include termination really
ends the project it binds. The project (an application of the same programme) moves to
``terminated`` through the applications workflow, which is an official's action: at once when an
official assessed the failed milestone, otherwise proposed until an official applies (or dismisses)
it. Its contract ends with it. The consequence row says what happened, or why nothing did (no
project, a project not in a terminable state)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.projects.rules.challenges import termination_outcome
from services.projects.rules.workflows import TERMINABLE_STATES
from tests.services.projects.approval_helpers import status_of
from tests.services.projects.conftest import AGENCY, APPLICANT, AUDITOR, OFFICIAL, PREFIX, create_programme
from tests.services.projects.test_challenges import DEADLINE, T0, Clock, Env, bid, published_list
from tests.services.projects.test_contracts import C, concluded, plan
from tests.services.projects.test_pledges import assessment, pledge_body

CONSEQUENCES = f"{PREFIX}/pledge-consequences"


def test_prj3_termination_outcome_rules() -> None:
    """PRJ-3: what a failed pledge's termination does, by the project's state and who decided."""
    assert {"in_progress", "midterm_failed"} == TERMINABLE_STATES
    cases = [
        ((None, None, False), ("no_project", "not_applied")),
        ((7, None, True), ("project_not_found", "not_applied")),
        ((7, "approved", True), ("not_terminable", "not_applied")),
        ((7, "midterm_passed", True), ("not_terminable", "not_applied")),
        ((7, "in_progress", False), ("awaiting_official", "proposed")),
        ((7, "midterm_failed", True), ("terminated", "applied")),
    ]
    for (project_id, status, official), expected in cases:
        outcome = termination_outcome(project_id, status, TERMINABLE_STATES, by_official=official)
        assert (outcome.result, outcome.state) == expected
        assert outcome.zh and outcome.en


@pytest.fixture
async def env(client: httpx.AsyncClient) -> Env:
    return Env(client, Clock())


async def project(env: Env, *, contract: bool = True) -> tuple[dict[str, Any], int, dict[str, Any] | None]:
    """A programme with an approved project (signed contract: in_progress, unless ``contract`` is off)."""
    programme, apps = await concluded(env.client)
    aid = apps[0]["id"]
    made = None
    if contract:
        r = await env.client.post(C, json=plan(aid, "200000.00", "200000.00"), headers=AGENCY)
        assert r.status_code == 201, r.text
        r = await env.client.post(f"{C}/{r.json()['id']}/sign", headers=AGENCY)
        assert r.status_code == 200 and r.json()["application_status"] == "in_progress", r.text
        made = r.json()
    return programme, aid, made


async def pledge_for(env: Env, programme: dict[str, Any], project_id: int | None) -> dict[str, Any]:
    """A signed pledge on a challenge list of ``programme`` binding ``project_id``."""
    env.client.app.state.clock = env.clock  # type: ignore[attr-defined]
    env.clock.now = T0
    challenge = await published_list(env, programme=programme)
    first = await bid(env, challenge)
    assert first.status_code == 201, first.text
    env.clock.now = DEADLINE
    url = f"{PREFIX}/challenge-lists/{challenge['id']}"
    assert (await env.client.post(f"{url}/close-bidding", headers=AGENCY)).status_code == 200
    r = await env.client.post(
        f"{url}/select", json={"bid_id": first.json()["id"], "reason": "方案最优"}, headers=AGENCY
    )
    assert r.status_code == 200, r.text
    r = await env.client.post(f"{url}/pledge", json=pledge_body(r.json(), project_id=project_id), headers=AGENCY)
    assert r.status_code == 201, r.text
    assert r.json()["project_id"] == project_id
    r = await env.client.post(f"{PREFIX}/pledges/{r.json()['id']}/sign", headers=APPLICANT)
    assert r.status_code == 200, r.text
    return r.json()


async def fail(env: Env, pledge: dict[str, Any], who: dict[str, str]) -> dict[str, Any]:
    r = await env.client.post(
        f"{PREFIX}/pledges/{pledge['id']}/milestones/1/assess",
        json=assessment("failed", comment="样机未完成低温测试"),
        headers=who,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "terminated"
    return {o["kind"]: o for o in r.json()["outcomes"]}["terminate"]


async def test_prj3_a_failed_pledge_assessed_by_an_official_terminates_its_project(env: Env) -> None:
    programme, aid, contract = await project(env)
    assert contract is not None
    pledge = await pledge_for(env, programme, aid)
    row = await fail(env, pledge, OFFICIAL)
    assert (row["status"], row["result"], row["application_id"], row["application_status"]) == (
        "applied",
        "terminated",
        aid,
        "terminated",
    )
    assert str(aid) in row["result_zh"] and "terminated" in row["result_en"]
    assert row["decided_by"] is not None
    assert await status_of(env.client, aid) == "terminated"
    history = (await env.client.get(f"{PREFIX}/applications/{aid}/history", headers=AUDITOR)).json()
    last = history[-1]
    assert (last["action"], last["to_state"], last["actor_role"]) == ("terminate", "terminated", "official")
    assert "军令状" in last["comment"] and "样机未完成低温测试" in last["comment"]
    # the project's contract ends with it: unpaid tranches cancelled
    ended = (await env.client.get(f"{C}/{contract['id']}", headers=OFFICIAL)).json()
    assert ended["status"] == "terminated" and {t["status"] for t in ended["tranches"]} == {"cancelled"}


async def test_prj3_an_agency_assessment_proposes_the_termination_and_an_official_applies_it(env: Env) -> None:
    programme, aid, _ = await project(env)
    pledge = await pledge_for(env, programme, aid)
    row = await fail(env, pledge, AGENCY)
    assert (row["status"], row["result"], row["application_status"]) == ("proposed", "awaiting_official", "in_progress")
    assert await status_of(env.client, aid) == "in_progress"  # the agency cannot terminate a project
    url = f"{CONSEQUENCES}/{row['id']}"
    reason = {"comment": "军令状里程碑考核未通过，决定终止项目"}
    assert (await env.client.post(f"{url}/apply", json=reason, headers=AGENCY)).status_code == 403
    assert (await env.client.post(f"{url}/apply", json={}, headers=OFFICIAL)).status_code == 422
    # the integrity record's decision does not apply to a termination
    confirm = {"subjects": ["leader"], "conduct": "x", "measure": "criticism", "decision_no": "吉科诚〔2027〕2号"}
    r = await env.client.post(f"{url}/confirm", json=confirm, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "consequence_decision_not_applicable"
    stale = f'"pledge_consequence-{row["id"]}-v{row["version"] + 1}"'
    r = await env.client.post(f"{url}/apply", json=reason, headers=OFFICIAL | {"If-Match": stale})
    assert r.status_code == 412
    assert await status_of(env.client, aid) == "in_progress"
    r = await env.client.post(f"{url}/apply", json=reason, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["result"], done["application_status"]) == ("applied", "terminated", "terminated")
    assert done["comment"] == reason["comment"]
    assert await status_of(env.client, aid) == "terminated"
    last = (await env.client.get(f"{PREFIX}/applications/{aid}/history", headers=AUDITOR)).json()[-1]
    assert (last["action"], last["comment"]) == ("terminate", reason["comment"])
    again = await env.client.post(f"{url}/apply", json=reason, headers=OFFICIAL)
    assert again.status_code == 409
    shown = (await env.client.get(f"{PREFIX}/pledges/{pledge['id']}", headers=AGENCY)).json()
    assert {o["kind"]: o["result"] for o in shown["outcomes"]}["terminate"] == "terminated"


async def test_prj3_a_proposed_termination_of_a_project_no_longer_terminable_is_refused_or_dismissed(env: Env) -> None:
    programme, aid, contract = await project(env)
    assert contract is not None
    pledge = await pledge_for(env, programme, aid)
    row = await fail(env, pledge, AGENCY)
    # meanwhile the project passed its mid-term check: no longer terminable
    r = await env.client.post(
        f"{C}/{contract['id']}/midterm", json={"outcome": "passed", "comment": "进展良好"}, headers=AGENCY
    )
    assert r.status_code == 200 and r.json()["application_status"] == "midterm_passed"
    url = f"{CONSEQUENCES}/{row['id']}"
    r = await env.client.post(f"{url}/apply", json={"comment": "终止"}, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "project_not_terminable"
    assert r.json()["application_status"] == "midterm_passed"
    assert await status_of(env.client, aid) == "midterm_passed"
    assert (await env.client.post(f"{url}/dismiss", json={}, headers=OFFICIAL)).status_code == 422
    r = await env.client.post(f"{url}/dismiss", json={"comment": "中期检查已通过，项目继续执行"}, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["result"]) == ("dismissed", "dismissed")
    assert "中期检查已通过" in r.json()["result_zh"]
    assert await status_of(env.client, aid) == "midterm_passed"


async def test_prj3_nothing_terminated_when_the_project_is_not_in_a_terminable_state(env: Env) -> None:
    programme, aid, _ = await project(env, contract=False)
    assert await status_of(env.client, aid) == "approved"
    pledge = await pledge_for(env, programme, aid)
    row = await fail(env, pledge, OFFICIAL)
    assert (row["status"], row["result"], row["application_status"]) == ("not_applied", "not_terminable", "approved")
    assert "approved" in row["result_en"] and "不能终止" in row["result_zh"]
    assert await status_of(env.client, aid) == "approved"
    r = await env.client.post(f"{CONSEQUENCES}/{row['id']}/apply", json={"comment": "终止"}, headers=OFFICIAL)
    assert r.status_code == 409


async def test_prj3_the_pledge_binds_only_a_project_of_its_programme(env: Env) -> None:
    _, aid, _ = await project(env, contract=False)
    elsewhere = await create_programme(env.client, code="JLKJ-2027-09", name="另一个计划")
    env.client.app.state.clock = env.clock  # type: ignore[attr-defined]
    env.clock.now = T0
    challenge = await published_list(env, programme=elsewhere)
    first = await bid(env, challenge)
    env.clock.now = DEADLINE
    url = f"{PREFIX}/challenge-lists/{challenge['id']}"
    await env.client.post(f"{url}/close-bidding", headers=AGENCY)
    selected = (
        await env.client.post(
            f"{url}/select", json={"bid_id": first.json()["id"], "reason": "方案最优"}, headers=AGENCY
        )
    ).json()
    for project_id in (aid, 2**62):
        r = await env.client.post(f"{url}/pledge", json=pledge_body(selected, project_id=project_id), headers=AGENCY)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0] | {"message": ""} == {
            "field": "project_id",
            "code": "unknown_project",
            "message": "",
        }
