"""Programmes (科技计划/专项): officials create, edit and close them; an agency sees only the
programmes entrusted to it (PRJ-2)."""

from __future__ import annotations

from tests.services.projects.conftest import (
    AGENCY,
    AGENCY_ORG,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    OTHER_AGENCY_ORG,
    PREFIX,
    create_programme,
)


async def test_official_creates_programme_money_as_decimal_strings(client) -> None:
    p = await create_programme(client, agency_org_ids=[AGENCY_ORG, AGENCY_ORG, OTHER_AGENCY_ORG])
    assert p["budget"] == "50000000.00" and p["max_project_budget"] == "1500000.00"
    assert p["agency_org_ids"] == [AGENCY_ORG, OTHER_AGENCY_ORG]
    assert p["status"] == "active" and p["version"] == 1
    assert p["created_at"].endswith("+08:00")
    r = await client.get(f"{PREFIX}/programmes/{p['id']}", headers=OFFICIAL)
    assert r.status_code == 200 and r.headers["etag"] == f'"programme-{p["id"]}-v1"'


async def test_programme_code_is_unique_and_input_is_checked(client) -> None:
    await create_programme(client)
    body = {
        "code": "JLKJ-2026-01",
        "name": "x",
        "year": 2026,
        "budget": "1.00",
        "max_project_budget": "1.00",
        "max_duration_months": 12,
        "agency_org_ids": [AGENCY_ORG],
    }
    dup = await client.post(f"{PREFIX}/programmes", json=body, headers=OFFICIAL)
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    for bad in (
        {"budget": "-1.00"},
        {"budget": "1.001"},
        {"code": "有 空格"},
        {"agency_org_ids": []},
        {"status": "closed"},
        {"max_duration_months": 0},
        {"budget": "1e30"},
    ):
        r = await client.post(f"{PREFIX}/programmes", json=body | {"code": "NEW"} | bad, headers=OFFICIAL)
        assert r.status_code == 422, (bad, r.text)


async def test_only_officials_create_programmes(client) -> None:
    body = {
        "code": "X1",
        "name": "x",
        "year": 2026,
        "budget": "1.00",
        "max_project_budget": "1.00",
        "max_duration_months": 12,
        "agency_org_ids": [AGENCY_ORG],
    }
    for who, status in ((AGENCY, 403), (APPLICANT, 403), (AUDITOR, 403), (ANONYMOUS, 401)):
        assert (await client.post(f"{PREFIX}/programmes", json=body, headers=who)).status_code == status


async def test_prj2_agency_sees_only_entrusted_programmes(client) -> None:
    mine = await create_programme(client, code="A-1")
    theirs = await create_programme(client, code="B-1", agency_org_ids=[OTHER_AGENCY_ORG])
    listed = (await client.get(f"{PREFIX}/programmes", headers=AGENCY)).json()
    assert [p["code"] for p in listed["items"]] == ["A-1"]
    assert (await client.get(f"{PREFIX}/programmes/{theirs['id']}", headers=AGENCY)).status_code == 404
    assert (await client.get(f"{PREFIX}/programmes/{mine['id']}", headers=AGENCY)).status_code == 200
    assert (await client.get(f"{PREFIX}/programmes/{mine['id']}", headers=OTHER_AGENCY)).status_code == 404
    everything = (await client.get(f"{PREFIX}/programmes?sort=code", headers=AUDITOR)).json()
    assert [p["code"] for p in everything["items"]] == ["A-1", "B-1"]
    assert (await client.get(f"{PREFIX}/programmes", headers=APPLICANT)).status_code == 403


async def test_programme_list_filters_and_pages(client) -> None:
    for i in range(5):
        await create_programme(client, code=f"P-{i}", year=2025 + i % 2)
    page1 = (await client.get(f"{PREFIX}/programmes?limit=2&sort=code", headers=OFFICIAL)).json()
    assert [p["code"] for p in page1["items"]] == ["P-0", "P-1"]
    page2 = (
        await client.get(f"{PREFIX}/programmes?limit=2&sort=code&cursor={page1['next_cursor']}", headers=OFFICIAL)
    ).json()
    assert [p["code"] for p in page2["items"]] == ["P-2", "P-3"]
    y = (await client.get(f"{PREFIX}/programmes?year=2026", headers=OFFICIAL)).json()
    assert sorted(p["code"] for p in y["items"]) == ["P-1", "P-3"]
    assert (await client.get(f"{PREFIX}/programmes?sort=budget", headers=OFFICIAL)).status_code == 422
    assert (await client.get(f"{PREFIX}/programmes?cursor=garbage", headers=OFFICIAL)).status_code == 422


async def test_edit_needs_fresh_if_match(client) -> None:
    p = await create_programme(client)
    url = f"{PREFIX}/programmes/{p['id']}"
    assert (await client.patch(url, json={"name": "新名称"}, headers=OFFICIAL)).status_code == 428
    r = await client.patch(
        url,
        json={"name": "新名称", "budget": "60000000.00", "agency_org_ids": [OTHER_AGENCY_ORG]},
        headers=OFFICIAL | {"If-Match": f'"programme-{p["id"]}-v1"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "新名称" and r.json()["budget"] == "60000000.00" and r.json()["version"] == 2
    assert r.json()["agency_org_ids"] == [OTHER_AGENCY_ORG]
    stale = await client.patch(url, json={"name": "再改"}, headers=OFFICIAL | {"If-Match": f'"programme-{p["id"]}-v1"'})
    assert stale.status_code == 412
    # the agency is no longer entrusted: the programme is gone for it
    assert (await client.get(url, headers=AGENCY)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=AGENCY | {"If-Match": "*"})).status_code == 403


async def test_close_writes_history_and_blocks_edits(client) -> None:
    p = await create_programme(client)
    url = f"{PREFIX}/programmes/{p['id']}"
    closed = await client.post(f"{url}/close", headers=OFFICIAL | {"If-Match": f'"programme-{p["id"]}-v1"'})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = await client.post(f"{url}/close", headers=OFFICIAL)
    assert again.status_code == 409 and again.json()["allowed_actions"] == ["reopen"]
    edit = await client.patch(url, json={"name": "x"}, headers=OFFICIAL | {"If-Match": "*"})
    assert edit.status_code == 409 and edit.json()["code"] == "programme_closed"
    no_reason = await client.post(f"{url}/reopen", json={}, headers=OFFICIAL)
    assert no_reason.status_code == 422
    hist = (await client.get(f"{url}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["to_state"]) for h in hist] == [("create", "active"), ("close", "closed")]
    assert (await client.get(f"{PREFIX}/programmes/999999/history", headers=OFFICIAL)).status_code == 404
