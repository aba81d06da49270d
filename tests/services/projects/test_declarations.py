"""NSF-3 from the applicant's side: an application carries up to 3 people the leader asks to exclude
and the relatives, co-authors and collaborators the leader declares. The draw never gives the
application to any of them and the round's exclusions name the rule (``applicant_exclusion``,
``declared_by_applicant``); bad declarations are 422; reads show the ID numbers in full only to the
applicant, officials and the entrusted agency, and list summaries never carry them."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    PREFIX,
    application_body,
    create_call,
    create_programme,
    make_resident_id,
)
from tests.services.projects.test_review_rounds import RR, accepted_application, add_reviewer, create_round, slots

A = f"{PREFIX}/applications"


def reviewer_id_number(n: int) -> str:
    """The ID number ``add_reviewer`` gives reviewer ``n``."""
    return make_resident_id(date(1960, 1, 1 + n), region="220104", seq=f"{500 + n}")


def excluded(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"专家{n}",
        "id_number": reviewer_id_number(n),
        "organisation": f"评审单位{n}",
        "reason": "学术观点存在分歧",
    } | extra


def related(n: int, relation: str = "co_author") -> dict[str, Any]:
    return {"name": f"专家{n}", "id_number": reviewer_id_number(n), "relation": relation, "note": "近三年合作发表论文"}


async def test_nsf3_applicant_exclusion_and_declared_relation_are_never_drawn(client) -> None:
    """NSF-3: with six reviewers, a load cap of 1 and three reviewers per application, the draw must
    give reviewers 4 and 5 to the other application: the declaring one never gets them, whatever
    the seed; the round's exclusions name the applicant's rules."""
    programme = await create_programme(client)
    pool = {n: await add_reviewer(client, n) for n in range(4, 10)}
    blocked = {pool[4]["id"], pool[5]["id"]}
    for batch, seed in enumerate((1, 20261126)):
        # a call per seed: a drawn application is in review and is not drawn again
        call = await create_call(client, programme["id"], title=f"2026年度重点研发项目申报指南（第{batch + 1}批）")
        declaring = await accepted_application(
            client, call, 10 * batch + 1, exclusions=[excluded(4)], relations=[related(5)]
        )
        plain = await accepted_application(client, call, 10 * batch + 2)
        # each reviewer has room for one application more (the load of the earlier round counts)
        rnd = await create_round(client, call, load_cap=batch + 1)
        r = await client.post(f"{RR}/{rnd['id']}/draw", json={"seed": seed}, headers=AGENCY)
        assert r.status_code == 200, r.text
        chosen = slots(r.json())
        assert not blocked & set(chosen[declaring["id"]]) and blocked <= set(chosen[plain["id"]])
        assert sorted(chosen[declaring["id"]] + chosen[plain["id"]]) == sorted(p["id"] for p in pool.values())
        found = (await client.get(f"{RR}/{rnd['id']}/exclusions", headers=AGENCY)).json()["items"]
        rules = {(e["application_id"], e["reviewer_id"]): e["rules"] for e in found}
        assert rules == {
            (declaring["id"], pool[4]["id"]): ["applicant_exclusion"],
            (declaring["id"], pool[5]["id"]): ["declared_by_applicant"],
        }
        # the declarations are part of the frozen inputs: the draw re-runs to the same result
        verified = await client.post(f"{RR}/{rnd['id']}/verify", headers=OFFICIAL)
        assert verified.status_code == 200 and verified.json()["ok"] is True


async def test_nsf3_at_most_three_exclusions_and_nobody_twice(client) -> None:
    """NSF-3: up to 3 people to exclude; the same person twice in a declaration is refused (422)."""
    programme = await create_programme(client)
    call = await create_call(client, programme["id"])
    four = [excluded(n) for n in range(4, 8)]
    cases = [
        ({"exclusions": four}, "exclusions", "too_long"),
        ({"exclusions": [excluded(4), excluded(4, name="另一个名字")]}, "exclusions", "duplicate_person"),
        ({"relations": [related(5), related(5, "relative")]}, "relations", "duplicate_person"),
        ({"relations": [related(5, "enemy")]}, "relations.0.relation", "literal_error"),
        ({"exclusions": [{"name": "某", "id_number": "220104196001050000"}]}, "exclusions.0.id_number", None),
    ]
    for overrides, field, code in cases:
        r = await client.post(A, json=application_body(call, **overrides), headers=APPLICANT)
        assert r.status_code == 422, (overrides, r.text)
        errors = r.json()["errors"]
        assert errors[0]["field"] == field, errors
        if code is not None:
            assert errors[0]["code"] == code, errors
    three = await client.post(A, json=application_body(call, exclusions=four[:3]), headers=APPLICANT)
    assert three.status_code == 201, three.text
    app = three.json()
    assert [e["name"] for e in app["exclusions"]] == ["专家4", "专家5", "专家6"] and app["relations"] == []
    # PATCH: the same limits; given declarations replace the stored ones, null clears them
    url = f"{A}/{app['id']}"
    etag = three.headers["etag"]
    r = await client.patch(url, json={"exclusions": four}, headers=APPLICANT | {"If-Match": etag})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_long"
    r = await client.patch(
        url,
        json={"exclusions": [excluded(7)], "relations": [related(8, "relative")]},
        headers=APPLICANT | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert [e["id_number"] for e in r.json()["exclusions"]] == [reviewer_id_number(7)]
    assert [(x["relation"], x["note"]) for x in r.json()["relations"]] == [("relative", "近三年合作发表论文")]
    r = await client.patch(url, json={"exclusions": None}, headers=APPLICANT | {"If-Match": r.headers["etag"]})
    assert r.status_code == 200 and r.json()["exclusions"] == [] and len(r.json()["relations"]) == 1


async def test_nsf3_declarations_are_masked_by_role_and_never_in_lists(client) -> None:
    """NSF-3 declarations name people by ID number: in full for the applicant, officials and the
    entrusted agency; masked for the organisation's admin and auditors; absent from list summaries;
    another agency does not see the application at all."""
    programme = await create_programme(client)
    call = await create_call(client, programme["id"])
    app = await accepted_application(client, call, 1, exclusions=[excluded(4)], relations=[related(5)])
    full = {reviewer_id_number(4), reviewer_id_number(5)}
    for who in (APPLICANT, OFFICIAL, AGENCY):
        body = (await client.get(f"{A}/{app['id']}", headers=who)).json()
        assert {body["exclusions"][0]["id_number"], body["relations"][0]["id_number"]} == full
        assert body["exclusions"][0]["reason"] == "学术观点存在分歧"
    for who in (ORG_ADMIN, AUDITOR):
        r = await client.get(f"{A}/{app['id']}", headers=who)
        assert r.status_code == 200, r.text
        shown = [r.json()["exclusions"][0]["id_number"], r.json()["relations"][0]["id_number"]]
        assert not full & set(shown) and all(s.count("*") == 8 for s in shown), shown
        assert not any(number in r.text for number in full)
    assert (await client.get(f"{A}/{app['id']}", headers=OTHER_AGENCY)).status_code == 404
    for who in (APPLICANT, OFFICIAL, AGENCY, AUDITOR):
        listed = await client.get(A, headers=who)
        assert listed.status_code == 200
        assert listed.json()["items"] and not any(n in listed.text for n in full)
        assert all("exclusions" not in i and "relations" not in i for i in listed.json()["items"])
