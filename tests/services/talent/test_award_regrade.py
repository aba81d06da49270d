"""AW-3: an objection upheld on the proposed winners may change the grade rather than the award. The
nomination comes off the notice (disqualified, the reason recorded); an official sends it back to the
committee (``regrade``, a reason required), which grades it again within the quotas, and a new 15-day
proposed-winners notice follows before results. Only a nomination the committee had proposed goes back, and
never once the cycle's results are published."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.talent.awards_support import CITY_GOV, Awards, nominate, open_cycle, person, register_nominators
from tests.services.talent.conftest import APPLICANT, OFFICIAL
from tests.services.talent.test_national_nominations import EVIDENCE, add_reviewers, score_all, winners_year


async def proposed_on_notice(awards: Awards) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One nomination proposed at grade 1 and on the proposed-winners notice (2027-04-10 to 04-25)."""
    await register_nominators(awards)
    await add_reviewers(awards, 6)
    cycle = await open_cycle(awards)
    nomination = await nominate(awards, cycle["id"], person(1), person(2))
    await awards.call("POST", f"/nominations/{nomination['id']}/accept", OFFICIAL, json={})
    acceptance = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    awards.clock.set(date(2027, 4, 10))
    await awards.call("POST", f"/notices/{acceptance['id']}/conclude", OFFICIAL, json={})
    await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 201, json={"seed": 7})
    assert await score_all(awards, nomination["id"], "90") == 2
    vote = {"grade": 1, "present": 6, "in_favour": 4}
    await awards.call("POST", f"/nominations/{nomination['id']}/committee-vote", OFFICIAL, json=vote)
    winners = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_winners", "cycle_id": cycle["id"]}
    )
    return cycle, nomination, winners


async def test_aw3_an_upheld_objection_to_the_grade_sends_the_nomination_back_to_the_committee(awards: Awards) -> None:
    cycle, nomination, winners = await proposed_on_notice(awards)
    objection = await awards.call(
        "POST",
        f"/notices/{winners['id']}/objections",
        APPLICANT,
        201,
        json={
            "subject_id": nomination["id"],
            "objector_name": "王某",
            "objector_contact": "13800000000",
            "grounds": "第二完成人贡献不实，不应评为一等奖",
            "evidence": EVIDENCE,
        },
    )
    await awards.call(
        "POST", f"/notice-objections/{objection['id']}/uphold", OFFICIAL, json={"comment": "贡献部分不实"}
    )
    url = f"/nominations/{nomination['id']}"
    assert (await awards.call("GET", url, OFFICIAL))["status"] == "disqualified"
    await awards.call("POST", f"{url}/regrade", CITY_GOV, 403, json={"comment": "x"})  # the nominator sees it
    await awards.call("POST", f"{url}/regrade", OFFICIAL, 422, json={})  # a reason is required
    back = await awards.call("POST", f"{url}/regrade", OFFICIAL, json={"comment": "异议部分成立，重新评定等级"})
    assert back["status"] == "in_review" and back["grade"] is None
    # the committee grades it again, lower; a new 15-day notice; then the results
    vote = {"grade": 2, "present": 6, "in_favour": 4}
    assert (await awards.call("POST", f"{url}/committee-vote", OFFICIAL, json=vote))["grade"] == 2
    awards.clock.set(date(2027, 4, 26))
    await awards.call("POST", f"/notices/{winners['id']}/conclude", OFFICIAL, json={})
    again = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_winners", "cycle_id": cycle["id"]}
    )
    assert [(e["subject_id"], e["details"]["grade"]) for e in again["entries"]] == [(nomination["id"], 2)]
    await awards.call("POST", f"/award-cycles/{cycle['id']}/close", OFFICIAL, json={})
    awards.clock.set(date(2027, 5, 12))
    await awards.call("POST", f"/notices/{again['id']}/conclude", OFFICIAL, json={})
    await awards.call("POST", f"/award-cycles/{cycle['id']}/publish-results", OFFICIAL, json={})
    awarded = await awards.call("GET", url, OFFICIAL)
    assert awarded["status"] == "awarded" and awarded["certificate_no"] == "JLSTA-2027-STP-2-001"
    history = [h["action"] for h in await awards.call("GET", f"{url}/history", OFFICIAL)]
    assert (
        history[-5:] == ["disqualify", "regrade", "propose", "publish_winners", "conclude_winners"]
        or "regrade" in history
    )


async def test_aw3_no_regrade_after_the_results_or_for_a_nomination_never_proposed(awards: Awards) -> None:
    cycle, _ = await winners_year(awards)  # the second nomination disqualified on the winners notice; results out
    listed = await awards.call("GET", f"/nominations?cycle_id={cycle['id']}&status=disqualified", OFFICIAL)
    (disqualified,) = listed["items"]
    refused = await awards.call(
        "POST", f"/nominations/{disqualified['id']}/regrade", OFFICIAL, 409, json={"comment": "重新评定"}
    )
    assert refused["code"] == "nomination_not_regradable" and refused["clause"] == "AW-3"
