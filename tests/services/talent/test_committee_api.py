"""The evaluation committee (评审委员会) of a talent call through the API: an official names the members and
the vote rule (data: by default more than half of the members present, with a quorum of two thirds); each
member votes for, against or abstains on every application of the ranked list, present or not; an official
tallies and each application moves ``reviewed → proposed`` or ``reviewed → not_proposed`` with the tally
recorded. Both sides of the threshold and the quorum; roles at every step; non-members get a 404."""

from __future__ import annotations

from tests.services.talent.conftest import APPLICANT, AUDITOR, OFFICIAL, Talent
from tests.services.talent.year_support import (
    ORG_ADMIN,
    Year,
    ballot,
    committee,
    member,
    reviewed_year,
)


def path(year: Year, tail: str = "") -> str:
    return f"/calls/{year.call['id']}/committee{tail}"


async def test_more_than_half_of_those_present_proposes_exactly_half_does_not(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90, 1: 80, 2: 70})
    first, second, third = year.apps
    await committee(talent, year, members=6)
    # 4 of 6 present (the quorum of 2/3 exactly); m5 says they are absent, m6 never votes
    await ballot(talent, year, 1, {first: "for", second: "for", third: "against"})
    await ballot(talent, year, 2, {first: "for", second: "for", third: "abstain"})
    await ballot(talent, year, 3, {first: "for", second: "against", third: "against"})
    await ballot(talent, year, 4, {first: "against", second: "abstain", third: "against"})
    await ballot(talent, year, 5, None)
    tally = await talent.call("POST", path(year, "/tally"), OFFICIAL, json={})
    assert (tally["members"], tally["present"], tally["present_needed"]) == (6, 4, 4)
    rows = {r["application_id"]: r for r in tally["results"]}
    assert (rows[first]["in_favour"], rows[first]["passed"], rows[first]["status"]) == (3, True, "proposed")
    # 2 of 4 is half, not more than half
    assert (rows[second]["in_favour"], rows[second]["passed"], rows[second]["reason"]) == (2, False, "below_threshold")
    assert rows[second]["status"] == "not_proposed" and rows[second]["votes_needed"] == 3
    assert (rows[third]["in_favour"], rows[third]["against"], rows[third]["abstain"]) == (0, 3, 1)
    assert [r["rank"] for r in tally["results"]] == [1, 2, 3]
    history = await talent.call("GET", f"/applications/{first}/history", AUDITOR)
    assert history[-1]["action"] == "propose" and "赞成 3" in history[-1]["comment"]
    assert (await talent.call("GET", path(year, "/tally"), member(6)))["results"] == tally["results"]
    read = await talent.call("GET", path(year), AUDITOR)
    assert read["status"] == "tallied" and {b["member"] for b in read["ballots"]} == {"m1", "m2", "m3", "m4", "m5"}


async def test_the_quorum_of_two_thirds_of_the_members_on_both_sides(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90}, n_apps=1)
    (app,) = year.apps
    await committee(talent, year, members=6)
    for n in (1, 2, 3):
        await ballot(talent, year, n, {app: "for"})
    refused = await talent.call("POST", path(year, "/tally"), OFFICIAL, 409, json={})
    assert refused["code"] == "committee_quorum_not_met"
    assert (refused["present"], refused["present_needed"]) == (3, 4)
    assert (await talent.call("GET", f"/applications/{app}", OFFICIAL))["status"] == "reviewed"
    await ballot(talent, year, 4, {app: "against"})
    tally = await talent.call("POST", path(year, "/tally"), OFFICIAL, json={})
    assert tally["results"][0]["status"] == "proposed"  # 3 of 4 present


async def test_the_rule_is_data_at_least_two_thirds_of_all_members(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90, 1: 80}, n_apps=2)
    first, second = year.apps
    await committee(talent, year, members=6, threshold="2/3", basis="members", at_least=True, quorum="1/2")
    for n in (1, 2, 3):
        await ballot(talent, year, n, {first: "for", second: "for"})
    await ballot(talent, year, 4, {first: "for", second: "against"})
    tally = await talent.call("POST", path(year, "/tally"), OFFICIAL, json={})
    assert tally["rule"] == {"threshold": "2/3", "basis": "members", "at_least": True, "quorum": "1/2"}
    rows = {r["application_id"]: r for r in tally["results"]}
    assert rows[first]["passed"] is True and rows[first]["votes_needed"] == 4  # 4 of 6 is exactly 2/3
    assert rows[second]["passed"] is False  # 3 of 6


async def test_a_ballot_votes_on_every_listed_application_and_an_absent_member_on_none(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90, 1: 80}, n_apps=2)
    first, second = year.apps
    await committee(talent, year, members=3)
    missing = await ballot(talent, year, 1, {first: "for"}, expect=422)
    assert missing["code"] == "invalid_ballot" and missing["errors"][0]["code"] == "missing_vote"
    unknown = await ballot(talent, year, 1, {first: "for", second: "for", 999999: "for"}, expect=422)
    assert unknown["errors"][0]["code"] == "not_on_the_list"
    body = {"present": False, "votes": [{"application_id": first, "vote": "for"}]}
    absent = await talent.call("PUT", path(year, "/ballot"), member(1), 422, json=body)
    assert absent["errors"][0]["code"] == "absent_member_votes"
    cast = await ballot(talent, year, 1, {first: "for", second: "against"})
    assert cast["votes"] == {str(first): "for", str(second): "against"}
    # a change needs the ballot's ETag
    body = {
        "present": True,
        "votes": [{"application_id": first, "vote": "against"}, {"application_id": second, "vote": "for"}],
    }
    await talent.call("PUT", path(year, "/ballot"), member(1), 428, json=body)
    r = await talent.client.get(f"/api/v1/talent/calls/{year.call['id']}/committee/ballot", headers=member(1))
    changed = await talent.call(
        "PUT", path(year, "/ballot"), member(1), json=body, headers={"If-Match": r.headers["ETag"]}
    )
    assert changed["votes"][str(first)] == "against"
    # not a member: a 404; not a member's role: a 403
    await ballot(talent, year, 9, {first: "for", second: "for"}, expect=404)
    await talent.call("PUT", path(year, "/ballot"), APPLICANT, 403, json=body)


async def test_the_committee_is_the_officials_to_set_and_tally(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90}, n_apps=1)
    (app,) = year.apps
    body = {"members": ["m1", "m2", "m3"]}
    for who in (APPLICANT, ORG_ADMIN, AUDITOR, member(1)):
        await talent.call("PUT", path(year), who, 403, json=body)
    not_set = await talent.call("POST", path(year, "/tally"), OFFICIAL, 409, json={})
    assert not_set["code"] == "committee_not_set"
    await talent.call("GET", path(year), member(1), 404)
    bad = await talent.call("PUT", path(year), OFFICIAL, 422, json=body | {"threshold": "3/2"})
    assert bad["code"] == "invalid_vote_rule"
    await talent.call("PUT", path(year), OFFICIAL, 422, json=body | {"quorum": "1/0"})
    created = await talent.call("PUT", path(year), OFFICIAL, json=body)
    assert created["rule"] == {"threshold": "1/2", "basis": "present", "at_least": False, "quorum": "2/3"}
    await talent.call("PUT", path(year), OFFICIAL, 428, json=body)  # a change needs If-Match
    await talent.call("PUT", path(year), OFFICIAL, 412, json=body, headers={"If-Match": '"stale"'})
    assert (await talent.call("GET", path(year), member(2)))["members"] == ["m1", "m2", "m3"]
    await talent.call("GET", path(year), headers_of_stranger(), 404)
    ranking = await talent.call("GET", f"/calls/{year.call['id']}/ranking", member(3))
    assert [e["application_id"] for e in ranking["entries"]] == [app]
    for n in (1, 2):
        await ballot(talent, year, n, {app: "for"})
    await talent.call("POST", path(year, "/tally"), AUDITOR, 403, json={})
    await talent.call("POST", path(year, "/tally"), OFFICIAL, json={})
    again = await talent.call("POST", path(year, "/tally"), OFFICIAL, 409, json={})
    assert again["code"] == "invalid_transition"
    late = await ballot(talent, year, 3, {app: "for"}, expect=409)
    assert late["code"] == "committee_tallied"
    r = await talent.client.get(f"/api/v1/talent{path(year)}", headers=OFFICIAL)
    changed = await talent.call("PUT", path(year), OFFICIAL, 409, json=body, headers={"If-Match": r.headers["ETag"]})
    assert changed["code"] == "committee_tallied"


def headers_of_stranger() -> dict[str, str]:
    return member(99)


async def test_odd_committee_input_is_a_problem_never_a_500(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90}, n_apps=1)
    for body in (
        {"members": []},
        {"members": ["m 1"]},
        {"members": ["m1"], "threshold": "0/0"},
        {"members": ["m1"], "threshold": "0/3"},
        {"members": ["m1"], "quorum": "1/2/3"},
        {"members": ["m1"], "basis": "everyone"},
        {"members": ["m1"], "status": "tallied"},
    ):
        r = await talent.client.put(f"/api/v1/talent{path(year)}", headers=OFFICIAL, json=body)
        assert r.status_code == 422, (body, r.text)
    await committee(talent, year, members=2)
    for votes in (
        [{"application_id": 0, "vote": "for"}],
        [{"application_id": year.apps[0], "vote": "maybe"}],
        [{"application_id": 2**63, "vote": "for"}],
        "all for",
    ):
        r = await talent.client.put(
            f"/api/v1/talent{path(year, '/ballot')}", headers=member(1), json={"present": True, "votes": votes}
        )
        assert r.status_code == 422, (votes, r.text)
    await talent.call("GET", "/calls/999999/committee", OFFICIAL, 404)
    await talent.call("POST", "/calls/999999/committee/tally", OFFICIAL, 404, json={})


async def test_a_tally_repeated_with_its_idempotency_key_answers_the_first_time_again(talent: Talent) -> None:
    year = await reviewed_year(talent, {0: 90}, n_apps=1)
    (app,) = year.apps
    await committee(talent, year, members=3)
    for n in (1, 2):
        await ballot(talent, year, n, {app: "for"})
    key = {"Idempotency-Key": "tally-2027-1"}
    first = await talent.call("POST", path(year, "/tally"), OFFICIAL, json={}, headers=key)
    again = await talent.call("POST", path(year, "/tally"), OFFICIAL, json={}, headers=key)
    assert again == first and first["results"][0]["status"] == "proposed"
