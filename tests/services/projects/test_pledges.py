"""Performance pledges (军令状), PRJ-3: drafted from the winning bid, signed by the winner, milestones
assessed in order, and a failed milestone triggering exactly the consequences agreed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.projects.rules.challenges import (
    AgreedConsequence,
    MilestoneState,
    consequences_of_failure,
    next_assessable,
    pledge_effect,
    recovery_amount,
)
from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    ENTERPRISE_APPLICANT,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
)
from tests.services.projects.test_challenges import Env, closed_with_bids
from tests.services.projects.test_challenges import env as env  # noqa: F401 - the fixture, by name

EVIDENCE = [{"name": "检测报告.pdf", "sha256": "b" * 64, "size": 20480, "content_type": "application/pdf"}]
CONSEQUENCES = [
    {"kind": "terminate"},
    {"kind": "recover_funds", "recovery_ratio": "0.5"},
    {"kind": "integrity_record", "measure": "criticism"},
]


# --- pure rules ------------------------------------------------------------------------------------


def test_prj3_outcome_table_says_which_outcomes_fail_the_pledge() -> None:
    assert pledge_effect("passed", is_final=False) == "continue"
    assert pledge_effect("passed", is_final=True) == "fulfilled"
    assert pledge_effect("partially", is_final=False) == "continue"
    assert pledge_effect("partially", is_final=True) == "failed"  # the promise at the end was not kept
    assert pledge_effect("failed", is_final=False) == "failed"


def test_prj3_milestones_in_order() -> None:
    assert next_assessable([MilestoneState(2, "pending"), MilestoneState(1, "pending")]) == 1
    assert next_assessable([MilestoneState(1, "passed"), MilestoneState(2, "pending")]) == 2
    assert next_assessable([MilestoneState(1, "partially_met"), MilestoneState(2, "pending")]) == 2
    assert next_assessable([MilestoneState(1, "failed"), MilestoneState(2, "pending")]) is None
    assert next_assessable([MilestoneState(1, "passed")]) is None


def test_prj3_consequences_are_exactly_those_agreed() -> None:
    funded = Decimal("7800000.00")
    plans = consequences_of_failure([AgreedConsequence("recover_funds", Decimal("0.3333"))], funded)
    assert [(p.kind, p.state, p.amount) for p in plans] == [("recover_funds", "recorded", Decimal("2599740.00"))]
    assert recovery_amount(funded, Decimal("1")) == funded
    assert consequences_of_failure([], funded) == []


# --- the API -----------------------------------------------------------------------------------------


def pledge_body(challenge: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    cold, power = challenge["indicators"]
    return {
        "funded_amount": "7800000.00",
        "milestones": [
            {
                "title": "样机",
                "due_date": "2027-12-31",
                "targets": [{"indicator_id": cold["id"], "target_value": "-25"}],
            },
            {
                "title": "验收",
                "due_date": "2028-12-31",
                "targets": [
                    {"indicator_id": cold["id"], "target_value": "-32"},
                    {"indicator_id": power["id"], "target_value": "120"},
                ],
            },
        ],
        "consequences": CONSEQUENCES,
    } | overrides


async def signed_pledge(env: Env, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    challenge, first, _ = await closed_with_bids(env)
    r = await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/select",
        json={"bid_id": first["id"], "reason": "方案最优"},
        headers=AGENCY,
    )
    assert r.status_code == 200, r.text
    challenge = r.json()
    r = await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/pledge", json=pledge_body(challenge, **overrides), headers=AGENCY
    )
    assert r.status_code == 201, r.text
    pledge = r.json()
    assert pledge["status"] == "draft" and [m["seq"] for m in pledge["milestones"]] == [1, 2]
    r = await env.client.post(f"{PREFIX}/pledges/{pledge['id']}/sign", headers=APPLICANT)
    assert r.status_code == 200, r.text
    return challenge, r.json()


def assessment(outcome: str, **overrides: Any) -> dict[str, Any]:
    return {"outcome": outcome, "evidence": EVIDENCE, "comment": "现场考核"} | overrides


async def test_prj3_pledge_terms_hold_the_team_to_its_bid(env: Env) -> None:
    challenge, first, _ = await closed_with_bids(env)
    await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/select",
        json={"bid_id": first["id"], "reason": "方案最优"},
        headers=AGENCY,
    )
    url = f"{PREFIX}/challenge-lists/{challenge['id']}/pledge"
    too_much = await env.client.post(url, json=pledge_body(challenge, funded_amount="7800000.01"), headers=AGENCY)
    assert too_much.status_code == 422 and too_much.json()["code"] == "invalid_pledge_terms"
    body = pledge_body(challenge)
    body["milestones"][-1]["targets"][0]["target_value"] = "-31"  # softer than the promised -32
    soft = await env.client.post(url, json=body, headers=AGENCY)
    assert soft.status_code == 422 and soft.json()["code"] == "invalid_pledge_terms"
    body = pledge_body(challenge)
    body["milestones"].reverse()
    assert (await env.client.post(url, json=body, headers=AGENCY)).json()["code"] == "invalid_milestones"
    twice = pledge_body(challenge, consequences=[{"kind": "terminate"}, {"kind": "terminate"}])
    assert (await env.client.post(url, json=twice, headers=AGENCY)).status_code == 422
    assert (await env.client.post(url, json=pledge_body(challenge), headers=APPLICANT)).status_code == 403
    assert (await env.client.post(url, json=pledge_body(challenge), headers=OTHER_AGENCY)).status_code == 404
    assert (await env.client.post(url, json=pledge_body(challenge), headers=AGENCY)).status_code == 201
    again = await env.client.post(url, json=pledge_body(challenge), headers=AGENCY)
    assert again.status_code == 409 and again.json()["code"] == "pledge_exists"


async def test_prj3_only_the_winner_signs_and_others_get_404(env: Env) -> None:
    challenge, first, _ = await closed_with_bids(env)
    await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/select",
        json={"bid_id": first["id"], "reason": "方案最优"},
        headers=AGENCY,
    )
    r = await env.client.post(
        f"{PREFIX}/challenge-lists/{challenge['id']}/pledge", json=pledge_body(challenge), headers=AGENCY
    )
    pledge = r.json()
    url = f"{PREFIX}/pledges/{pledge['id']}"
    assert (await env.client.get(url, headers=ENTERPRISE_APPLICANT)).status_code == 404
    assert (await env.client.post(f"{url}/sign", headers=ENTERPRISE_APPLICANT)).status_code == 404
    assert (await env.client.post(f"{url}/sign", headers=AGENCY)).status_code == 403
    stale = await env.client.post(f"{url}/sign", headers=APPLICANT | {"If-Match": '"performance_pledge-0-v9"'})
    assert stale.status_code == 412
    signed = await env.client.post(f"{url}/sign", headers=APPLICANT | {"If-Match": r.headers["etag"]})
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    mine = (await env.client.get(f"{PREFIX}/pledges", headers=APPLICANT)).json()["items"]
    assert [p["id"] for p in mine] == [pledge["id"]]
    assert (await env.client.get(f"{PREFIX}/pledges", headers=ENTERPRISE_APPLICANT)).json()["items"] == []


async def test_prj3_milestones_are_assessed_in_order_and_a_pass_fulfils(env: Env) -> None:
    challenge, pledge = await signed_pledge(env)
    cold, power = challenge["indicators"]
    base = f"{PREFIX}/pledges/{pledge['id']}/milestones"
    early = await env.client.post(f"{base}/2/assess", json=assessment("passed"), headers=AGENCY)
    assert early.status_code == 409 and early.json()["code"] == "milestone_out_of_order"
    assert early.json()["next_milestone"] == 1
    for who, status in ((APPLICANT, 403), (OTHER_AGENCY, 404)):
        r = await env.client.post(f"{base}/1/assess", json=assessment("passed"), headers=who)
        assert r.status_code == status
    inconsistent = assessment("passed", achieved=[{"indicator_id": cold["id"], "value": "-20"}])
    r = await env.client.post(f"{base}/1/assess", json=inconsistent, headers=AGENCY)
    assert r.status_code == 422 and r.json()["code"] == "invalid_assessment"
    no_value = await env.client.post(f"{base}/1/assess", json=assessment("partially"), headers=AGENCY)
    assert no_value.status_code == 422
    first = await env.client.post(
        f"{base}/1/assess",
        json=assessment("partially", achieved=[{"indicator_id": cold["id"], "value": "-22"}]),
        headers=AGENCY,
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "signed" and first.json()["milestones"][0]["status"] == "partially_met"
    again = await env.client.post(f"{base}/1/assess", json=assessment("passed"), headers=AGENCY)
    assert again.status_code == 409
    old = f'"performance_pledge-{pledge["id"]}-v{pledge["version"]}"'
    stale = await env.client.post(f"{base}/2/assess", json=assessment("passed"), headers=AGENCY | {"If-Match": old})
    assert stale.status_code == 412
    final = await env.client.post(
        f"{base}/2/assess",
        json=assessment(
            "passed",
            achieved=[{"indicator_id": cold["id"], "value": "-33"}, {"indicator_id": power["id"], "value": "121"}],
        ),
        headers=AGENCY | {"If-Match": first.headers["etag"]},
    )
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "fulfilled" and final.json()["outcomes"] == []
    history = (await env.client.get(f"{PREFIX}/pledges/{pledge['id']}/history", headers=APPLICANT)).json()
    assert [h["action"] for h in history] == ["create", "sign", "partially_meet", "pass", "fulfil"]


async def test_prj3_a_failed_milestone_triggers_the_agreed_consequences(env: Env) -> None:
    _, pledge = await signed_pledge(env)
    r = await env.client.post(
        f"{PREFIX}/pledges/{pledge['id']}/milestones/1/assess",
        json=assessment("failed", comment="样机未完成低温测试"),
        headers=AGENCY,
    )
    assert r.status_code == 200, r.text
    failed = r.json()
    assert failed["status"] == "terminated"
    outcomes = {o["kind"]: o for o in failed["outcomes"]}
    assert set(outcomes) == {"terminate", "recover_funds", "integrity_record"}
    # no project is bound to this pledge: the termination says so (test_pledge_termination.py: a bound one ends)
    assert (outcomes["terminate"]["status"], outcomes["terminate"]["result"]) == ("not_applied", "no_project")
    assert outcomes["recover_funds"]["status"] == "recorded" and outcomes["recover_funds"]["amount"] == "3900000.00"
    proposal = outcomes["integrity_record"]
    assert proposal["status"] == "proposed" and proposal["measure"] == "criticism"
    assert proposal["leader_id_masked"].count("*") == 8 and proposal["subject_name"] == "吉林大学"
    # nothing more can be assessed
    later = await env.client.post(
        f"{PREFIX}/pledges/{pledge['id']}/milestones/2/assess", json=assessment("passed"), headers=AGENCY
    )
    assert later.status_code == 409
    history = (await env.client.get(f"{PREFIX}/pledges/{pledge['id']}/history", headers=AGENCY)).json()
    assert [h["action"] for h in history] == ["create", "sign", "fail", "fail", "terminate"]

    # an official confirms the proposal: the integrity record is created (PRJ-5)
    url = f"{PREFIX}/pledge-consequences/{proposal['id']}"
    confirm = {
        "subjects": ["leader"],
        "conduct": "军令状里程碑考核未通过",
        "measure": "criticism",
        "decision_no": "吉科诚〔2027〕1号",
    }
    assert (await env.client.post(f"{url}/confirm", json=confirm, headers=AGENCY)).status_code == 403
    done = await env.client.post(f"{url}/confirm", json=confirm, headers=OFFICIAL)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed" and len(done.json()["integrity_record_ids"]) == 1
    record_id = done.json()["integrity_record_ids"][0]
    record = await env.client.get(f"{PREFIX}/integrity/records/{record_id}", headers=OFFICIAL)
    assert record.status_code == 200 and record.json()["measure"] == "criticism"
    assert record.json()["subject_kind"] == "person"
    assert (await env.client.post(f"{url}/dismiss", json={"comment": "x"}, headers=OFFICIAL)).status_code == 409


async def test_prj3_without_agreed_termination_a_failed_pledge_stays_failed(env: Env) -> None:
    _, pledge = await signed_pledge(env, consequences=[{"kind": "recover_funds"}])
    r = await env.client.post(
        f"{PREFIX}/pledges/{pledge['id']}/milestones/1/assess", json=assessment("failed"), headers=AGENCY
    )
    assert r.json()["status"] == "failed"
    assert [(o["kind"], o["amount"]) for o in r.json()["outcomes"]] == [("recover_funds", "7800000.00")]
