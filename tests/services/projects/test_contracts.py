"""Contracts (任务书) after the public notice: milestones and tranches within the approved amount
(disbursement_over_approved), signing (contracted → in_progress, an active project in the limits
ledger), payments per tranche with audit entries, the mid-term check (failed → terminated by an
official with a reason, ledger closed), final acceptance; roles, 404s, If-Match and history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.projects.contracts import rules
from services.projects.db import common
from services.projects.ledger.models import LedgerItem
from tests.services.projects.approval_helpers import set_clock, status_of
from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    PREFIX,
)
from tests.services.projects.test_notices import CLOSES, N, on_notice

C = f"{PREFIX}/contracts"


def plan(application_id: int, *amounts: str, conditions: tuple[str, ...] = ()) -> dict:
    return {
        "application_id": application_id,
        "starts_on": "2026-11-01",
        "ends_on": "2029-10-31",
        "milestones": [
            {
                "title": "完成田间试验",
                "due_on": "2027-10-31",
                "deliverables": ["试验报告"],
                "indicators": [{"name": "示范面积", "unit": "万亩", "target": "5"}],
            },
            {
                "title": "技术集成与示范",
                "due_on": "2029-10-31",
                "deliverables": ["技术规程", "示范基地"],
                "indicators": [{"name": "示范面积", "unit": "万亩", "target": "10"}],
            },
        ],
        "tranches": [
            {
                "title": f"第{n + 1}笔",
                "amount": a,
                "due_on": f"{2026 + n}-12-01",
                "condition": conditions[n] if n < len(conditions) else "on_signing",
            }
            for n, a in enumerate(amounts)
        ],
    }


async def concluded(client, n_apps: int = 1):
    """Approved applications (400,000 each) whose notice is concluded."""
    p, lst, apps, notice = await on_notice(client, n_apps)
    set_clock(client, CLOSES + timedelta(days=1))
    r = await client.post(f"{N}/{notice['id']}/conclude", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return p, apps


async def ledger_of(client, application_id: int) -> tuple[str, str]:
    async with client.db.sessionmaker() as s:
        row = (
            await s.execute(
                select(LedgerItem).where(LedgerItem.service == "projects", LedgerItem.item_id == str(application_id))
            )
        ).scalar_one()
        return row.kind, row.status


async def money_events(client, contract_id: int) -> list[tuple[str, dict]]:
    async with client.db.sessionmaker() as s:
        rows = (
            (
                await s.execute(
                    select(common.audit)
                    .where(common.audit.entity_type == "contract", common.audit.entity_id == str(contract_id))
                    .order_by(common.audit.id)
                )
            )
            .scalars()
            .all()
        )
        return [(r.action, r.data) for r in rows]


def test_tranches_never_exceed_the_approved_amount() -> None:
    from decimal import Decimal as D

    assert not rules.over_approved(D("400000.00"), [D("200000.00"), D("200000.00")])
    assert rules.over_approved(D("400000.00"), [D("200000.00"), D("200000.01")])
    assert rules.payable("on_signing", "in_progress") and not rules.payable("after_midterm", "in_progress")
    assert not rules.payable("on_signing", "terminated")


async def test_contract_only_after_the_notice_and_never_over_the_approved_amount(client) -> None:
    _, lst, apps, notice = await on_notice(client)
    r = await client.post(C, json=plan(apps[0]["id"], "400000.00"), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "notice_not_concluded"
    set_clock(client, CLOSES + timedelta(days=1))
    await client.post(f"{N}/{notice['id']}/conclude", headers=OFFICIAL)
    r = await client.post(C, json=plan(apps[0]["id"], "200000.00", "200000.01"), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "disbursement_over_approved"
    assert r.json()["approved_amount"] == "400000.00" and r.json()["planned_total"] == "400000.01"
    bad = plan(apps[0]["id"], "100.00")
    bad["milestones"][0]["due_on"] = "2030-01-01"
    r = await client.post(C, json=bad, headers=AGENCY)
    assert r.status_code == 422 and {e["code"] for e in r.json()["errors"]} >= {"outside_term"}
    for who, code in ((OTHER_AGENCY, 404), (OFFICIAL, 403), (APPLICANT, 403)):
        assert (await client.post(C, json=plan(apps[0]["id"], "100.00"), headers=who)).status_code == code
    r = await client.post(C, json=plan(apps[0]["id"], "200000.00", "200000.00"), headers=AGENCY)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["status"] == "draft" and made["approved_amount"] == "400000.00"
    assert made["planned_total"] == "400000.00" and made["allowed_actions"] == ["update", "sign"]
    r = await client.post(C, json=plan(apps[0]["id"], "100.00"), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    # a draft is edited with If-Match; the plan is held to the approved amount there too
    url = f"{C}/{made['id']}"
    assert (await client.patch(url, json={"ends_on": "2029-12-31"}, headers=AGENCY)).status_code == 428
    etag = (await client.get(url, headers=AGENCY)).headers["etag"]
    over = {"tranches": [{"title": "一次性", "amount": "400000.01", "due_on": "2027-01-01"}]}
    r = await client.patch(url, json=over, headers=AGENCY | {"If-Match": etag})
    assert r.status_code == 409 and r.json()["code"] == "disbursement_over_approved"
    r = await client.patch(url, json={"ends_on": "2029-11-30"}, headers=AGENCY | {"If-Match": etag})
    assert r.status_code == 200 and r.json()["ends_on"] == "2029-11-30" and r.json()["version"] == 2
    r = await client.patch(url, json={"ends_on": "2029-11-30"}, headers=AGENCY | {"If-Match": etag})
    assert r.status_code == 412


async def test_sign_pay_midterm_and_final_acceptance(client) -> None:
    _, apps = await concluded(client)
    aid = apps[0]["id"]
    made = (
        await client.post(
            C,
            json=plan(
                aid,
                "200000.00",
                "150000.00",
                "50000.00",
                conditions=("on_signing", "after_midterm", "after_acceptance"),
            ),
            headers=AGENCY,
        )
    ).json()
    url = f"{C}/{made['id']}"
    r = await client.post(f"{url}/sign", headers=AGENCY | {"If-Match": f'"contract-{made["id"]}-v9"'})
    assert r.status_code == 412
    assert (await client.post(f"{url}/sign", headers=OTHER_AGENCY)).status_code == 404
    signed = (await client.post(f"{url}/sign", headers=AGENCY)).json()
    assert signed["status"] == "signed" and signed["application_status"] == "in_progress"
    assert await ledger_of(client, aid) == ("project", "active")
    assert signed["allowed_actions"] == ["midterm", "pay"]
    # payments: in order of their conditions, each once
    pay = {"paid_on": "2026-12-01", "reference": "JLCZ-2026-0001"}
    r = await client.post(f"{url}/tranches/2/pay", json=pay, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "tranche_not_payable"
    r = await client.post(f"{url}/tranches/1/pay", json=pay, headers=AGENCY)
    assert r.status_code == 200 and r.json()["paid_total"] == "200000.00"
    r = await client.post(f"{url}/tranches/1/pay", json=pay, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "tranche_already_paid"
    assert (await client.post(f"{url}/tranches/9/pay", json=pay, headers=AGENCY)).status_code == 404
    assert (await client.post(f"{url}/tranches/1/pay", json=pay, headers=OFFICIAL)).status_code == 403
    # the project's applicant reads it; another applicant gets a 404
    assert (await client.get(url, headers=APPLICANT)).status_code == 200
    assert (await client.get(url, headers=OTHER_APPLICANT)).status_code == 404
    assert (await client.get(C, headers=OTHER_APPLICANT)).json()["items"] == []
    r = await client.post(f"{url}/midterm", json={"outcome": "passed", "comment": "进展符合任务书"}, headers=AGENCY)
    assert r.status_code == 200 and r.json()["application_status"] == "midterm_passed"
    await client.post(f"{url}/tranches/2/pay", json=pay | {"reference": "JLCZ-2027-0002"}, headers=AGENCY)
    # final acceptance: requested by the project's applicant, decided by the agency
    body = {"report": "完成全部考核指标，示范面积10万亩。"}
    assert (await client.post(f"{url}/request-acceptance", json=body, headers=OTHER_APPLICANT)).status_code == 404
    r = await client.post(f"{url}/request-acceptance", json=body, headers=APPLICANT)
    assert r.status_code == 200 and r.json()["application_status"] == "acceptance_requested"
    assert (await client.post(f"{url}/final-acceptance", json={"outcome": "passed"}, headers=AGENCY)).status_code == 422
    r = await client.post(f"{url}/final-acceptance", json={"outcome": "passed", "comment": "通过验收"}, headers=AGENCY)
    done = r.json()
    assert r.status_code == 200 and done["status"] == "completed" and done["application_status"] == "accepted_final"
    assert await ledger_of(client, aid) == ("project", "closed")
    r = await client.post(f"{url}/tranches/3/pay", json=pay | {"reference": "JLCZ-2029-0003"}, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "tranche_not_payable"  # the contract is completed
    events = await money_events(client, made["id"])
    assert [a for a, _ in events] == ["draft", "sign", "disburse", "disburse"]
    assert [d["amount"] for a, d in events if a == "disburse"] == ["200000.00", "150000.00"]
    assert events[-1][1]["paid_total"] == "350000.00"
    hist = (await client.get(f"{PREFIX}/applications/{aid}/history", headers=AUDITOR)).json()
    assert [h["action"] for h in hist][-6:] == [
        "approve",
        "sign_contract",
        "start",
        "pass_midterm",
        "request_acceptance",
        "pass_acceptance",
    ]
    chist = (await client.get(f"{url}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["to_state"]) for h in chist] == [
        ("create", "draft"),
        ("sign", "signed"),
        ("complete", "completed"),
    ]


async def test_midterm_failure_to_termination_closes_the_ledger(client) -> None:
    _, apps = await concluded(client)
    aid = apps[0]["id"]
    made = (await client.post(C, json=plan(aid, "200000.00", "200000.00"), headers=AGENCY)).json()
    url = f"{C}/{made['id']}"
    await client.post(f"{url}/sign", headers=AGENCY)
    await client.post(f"{url}/tranches/1/pay", json={"paid_on": "2026-12-01", "reference": "P-1"}, headers=AGENCY)
    assert (await client.post(f"{url}/midterm", json={"outcome": "failed"}, headers=AGENCY)).status_code == 422
    r = await client.post(f"{url}/midterm", json={"outcome": "failed", "comment": "关键指标严重滞后"}, headers=AGENCY)
    assert r.status_code == 200 and r.json()["application_status"] == "midterm_failed"
    assert r.json()["midterm_outcome"] == "failed" and r.json()["allowed_actions"] == []
    assert (await client.get(url, headers=OFFICIAL)).json()["allowed_actions"] == ["terminate"]
    assert await ledger_of(client, aid) == ("project", "active")
    # no payment on a failed project; the applicant cannot request acceptance; only an official terminates
    r = await client.post(f"{url}/tranches/2/pay", json={"paid_on": "2027-12-01", "reference": "P-2"}, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "tranche_not_payable"
    r = await client.post(f"{url}/request-acceptance", json={"report": "x"}, headers=APPLICANT)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert (await client.post(f"{url}/terminate", json={"comment": "x"}, headers=AGENCY)).status_code == 403
    assert (await client.post(f"{url}/terminate", json={}, headers=OFFICIAL)).status_code == 422
    r = await client.post(f"{url}/terminate", json={"comment": "中期检查不合格，终止项目"}, headers=OFFICIAL)
    done = r.json()
    assert r.status_code == 200 and done["status"] == "terminated" and done["application_status"] == "terminated"
    assert done["termination_reason"] == "中期检查不合格，终止项目"
    assert [t["status"] for t in done["tranches"]] == ["paid", "cancelled"] and done["paid_total"] == "200000.00"
    assert await ledger_of(client, aid) == ("project", "closed")
    assert await status_of(client, aid) == "terminated"
    events = await money_events(client, made["id"])
    assert events[-1] == ("cancel_tranches", {"tranches": [2], "amount": "200000.00"})
    hist = (await client.get(f"{PREFIX}/applications/{aid}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["actor_role"], h["comment"]) for h in hist][-2:] == [
        ("fail_midterm", "agency", "关键指标严重滞后"),
        ("terminate", "official", "中期检查不合格，终止项目"),
    ]


async def test_failed_final_acceptance_cancels_the_rest(client) -> None:
    _, apps = await concluded(client)
    made = (
        await client.post(
            C,
            json=plan(apps[0]["id"], "300000.00", "100000.00", conditions=("on_signing", "after_acceptance")),
            headers=AGENCY,
        )
    ).json()
    url = f"{C}/{made['id']}"
    await client.post(f"{url}/sign", headers=AGENCY)
    await client.post(f"{url}/request-acceptance", json={"report": "部分完成"}, headers=APPLICANT)
    r = await client.post(
        f"{url}/final-acceptance", json={"outcome": "failed", "comment": "指标未完成"}, headers=AGENCY
    )
    assert r.status_code == 200 and r.json()["application_status"] == "failed_final"
    assert [t["status"] for t in r.json()["tranches"]] == ["cancelled", "cancelled"]
    assert await ledger_of(client, apps[0]["id"]) == ("project", "closed")
