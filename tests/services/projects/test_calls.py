"""Calls (申报指南): draft → published → closed with history; published calls are public (CAL-2 times
in Asia/Shanghai); drafts are 404 to the public and to agencies not entrusted with the programme."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.workdays import SHANGHAI
from tests.services.projects.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    create_call,
    create_programme,
    now,
)


async def test_cal2_call_times_shown_in_shanghai_with_default_eligibility(client) -> None:
    p = await create_programme(client)
    call = await create_call(
        client,
        p["id"],
        publish=False,
        opens_at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
        closes_at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC),
    )
    assert call["opens_at"] == "2026-03-01T09:00:00+08:00"
    # 16:30 UTC on 31 March is 00:30 on 1 April in Shanghai: the age reference date is that local date
    assert call["closes_at"] == "2026-04-01T00:30:00+08:00"
    assert call["eligibility"] == {
        "org_kinds": ["university", "research_institute", "enterprise", "hospital", "other"],
        "leader_max_age": 60,
        "age_reference_date": "2026-04-01",
        "enterprise_cofunding_ratio": "1.00",
    }
    assert call["year"] == 2026 and call["status"] == "draft"
    assert [t["code"] for t in call["topics"]] == ["T01", "T02"]
    assert call["topics"][0]["budget_cap"] == "1000000.00" and call["topics"][1]["budget_cap"] is None


async def test_published_calls_are_public_drafts_are_404(client) -> None:
    p = await create_programme(client)
    draft = await create_call(client, p["id"], publish=False, title="草稿")
    live = await create_call(client, p["id"], title="已发布")
    for who in (ANONYMOUS, APPLICANT):
        assert (await client.get(f"{PREFIX}/calls/{draft['id']}", headers=who)).status_code == 404
        assert (await client.get(f"{PREFIX}/calls/{draft['id']}/topics", headers=who)).status_code == 404
        r = await client.get(f"{PREFIX}/calls/{live['id']}", headers=who)
        assert r.status_code == 200 and r.json()["status"] == "published"
        topics = (await client.get(f"{PREFIX}/calls/{live['id']}/topics", headers=who)).json()
        assert [t["code"] for t in topics] == ["T01", "T02"]
        listed = (await client.get(f"{PREFIX}/calls", headers=who)).json()
        assert [c["title"] for c in listed["items"]] == ["已发布"]
    # officials, auditors and the entrusted agency see the draft; another agency does not
    for who in (OFFICIAL, AUDITOR, AGENCY):
        assert (await client.get(f"{PREFIX}/calls/{draft['id']}", headers=who)).status_code == 200
    assert (await client.get(f"{PREFIX}/calls/{draft['id']}", headers=OTHER_AGENCY)).status_code == 404
    assert (await client.get(f"{PREFIX}/calls/{live['id']}", headers=OTHER_AGENCY)).status_code == 200
    # no principal token at all: refused, public route or not
    assert (await client.get(f"{PREFIX}/calls")).status_code == 401


async def test_call_list_filters_and_sorts(client) -> None:
    p1 = await create_programme(client, code="P1")
    p2 = await create_programme(client, code="P2", year=2027)
    a = await create_call(client, p1["id"], title="A", closes_at=now() + timedelta(days=10))
    b = await create_call(client, p1["id"], title="B", closes_at=now() + timedelta(days=5))
    c = await create_call(client, p2["id"], title="C")
    r = (await client.get(f"{PREFIX}/calls?programme_id={p1['id']}&sort=closes_at", headers=ANONYMOUS)).json()
    assert [x["id"] for x in r["items"]] == [b["id"], a["id"]]
    r = (await client.get(f"{PREFIX}/calls?year=2027", headers=ANONYMOUS)).json()
    assert [x["id"] for x in r["items"]] == [c["id"]]
    r = (await client.get(f"{PREFIX}/calls?status=draft", headers=ANONYMOUS)).json()
    assert r["items"] == []
    assert (await client.get(f"{PREFIX}/calls?status=bogus", headers=ANONYMOUS)).status_code == 422


async def test_agency_drafts_calls_only_for_entrusted_programmes(client) -> None:
    p = await create_programme(client)
    body = {
        "programme_id": p["id"],
        "title": "t",
        "guide": "g",
        "opens_at": now().isoformat(),
        "closes_at": (now() + timedelta(days=3)).isoformat(),
    }
    assert (await client.post(f"{PREFIX}/calls", json=body, headers=AGENCY)).status_code == 201
    assert (await client.post(f"{PREFIX}/calls", json=body, headers=OTHER_AGENCY)).status_code == 404
    assert (await client.post(f"{PREFIX}/calls", json=body, headers=APPLICANT)).status_code == 403
    missing = await client.post(f"{PREFIX}/calls", json=body | {"programme_id": 999999}, headers=OFFICIAL)
    assert missing.status_code == 404


async def test_call_input_is_checked(client) -> None:
    p = await create_programme(client)
    base = {
        "programme_id": p["id"],
        "title": "t",
        "guide": "g",
        "opens_at": now().isoformat(),
        "closes_at": (now() + timedelta(days=3)).isoformat(),
    }
    bad_cases = [
        {"closes_at": (now() - timedelta(days=1)).isoformat()},
        {"opens_at": "2026-03-01T09:00:00"},  # no zone: ambiguous by 8 hours
        {"topics": [{"code": "T1", "title": "a"}, {"code": "T1", "title": "b"}]},
        {"eligibility": {"org_kinds": ["government"]}},
        {"eligibility": {"leader_max_age": 5}},
        {"eligibility": {"enterprise_cofunding_ratio": "-1"}},
        {"status": "published"},
    ]
    for bad in bad_cases:
        r = await client.post(f"{PREFIX}/calls", json=base | bad, headers=OFFICIAL)
        assert r.status_code == 422, (bad, r.text)
    explicit = await client.post(
        f"{PREFIX}/calls",
        json=base
        | {
            "eligibility": {
                "org_kinds": ["enterprise"],
                "leader_max_age": None,
                "enterprise_cofunding_ratio": "2.5",
                "age_reference_date": "2026-01-01",
            }
        },
        headers=OFFICIAL,
    )
    assert explicit.json()["eligibility"] == {
        "org_kinds": ["enterprise"],
        "leader_max_age": None,
        "age_reference_date": "2026-01-01",
        "enterprise_cofunding_ratio": "2.50",
    }


async def test_call_workflow_history_if_match_and_edit_rules(client) -> None:
    p = await create_programme(client)
    call = await create_call(client, p["id"], publish=False)
    url = f"{PREFIX}/calls/{call['id']}"
    etag = f'"call-{call["id"]}-v1"'
    edited = await client.patch(
        url,
        json={
            "title": "修订后",
            "topics": [
                {"code": "T02", "title": "光电信息材料（修订）", "budget_cap": "800000.00"},
                {"code": "T03", "title": "新方向"},
            ],
        },
        headers=OFFICIAL | {"If-Match": etag},
    )
    assert edited.status_code == 200, edited.text
    topics = edited.json()["topics"]
    assert [t["code"] for t in topics] == ["T02", "T03"]
    assert topics[0]["id"] == call["topics"][1]["id"]  # kept by code
    stale = await client.post(f"{url}/publish", headers=OFFICIAL | {"If-Match": etag})
    assert stale.status_code == 412
    published = await client.post(f"{url}/publish", headers=AGENCY)
    assert published.status_code == 200 and published.json()["version"] == 3
    not_draft = await client.patch(url, json={"title": "x"}, headers=OFFICIAL | {"If-Match": "*"})
    assert not_draft.status_code == 409 and not_draft.json()["code"] == "call_not_editable"
    again = await client.post(f"{url}/publish", headers=OFFICIAL)
    assert again.status_code == 409 and again.json()["allowed_actions"] == ["close"]
    assert (await client.post(f"{url}/close", headers=OTHER_AGENCY)).status_code == 404
    assert (await client.post(f"{url}/close", headers=OFFICIAL)).json()["status"] == "closed"
    hist = (await client.get(f"{url}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["from_state"], h["to_state"]) for h in hist] == [
        ("create", None, "draft"),
        ("publish", "draft", "published"),
        ("close", "published", "closed"),
    ]
    # a closed call stays readable by the public
    assert (await client.get(url, headers=ANONYMOUS)).status_code == 200


async def test_a_call_past_its_closing_time_cannot_be_published(client) -> None:
    p = await create_programme(client)
    call = await create_call(
        client, p["id"], publish=False, opens_at=now() - timedelta(days=10), closes_at=now() - timedelta(seconds=1)
    )
    r = await client.post(f"{PREFIX}/calls/{call['id']}/publish", headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "call_closed"


async def test_no_calls_on_a_closed_programme(client) -> None:
    p = await create_programme(client)
    await client.post(f"{PREFIX}/programmes/{p['id']}/close", headers=OFFICIAL)
    body = {
        "programme_id": p["id"],
        "title": "t",
        "guide": "g",
        "opens_at": now().isoformat(),
        "closes_at": (now() + timedelta(days=3)).isoformat(),
    }
    r = await client.post(f"{PREFIX}/calls", json=body, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "programme_closed"


async def test_cal2_a_call_shows_open_now_and_days_left_from_the_requests_now(client) -> None:
    """Open from the opening instant, closed at the closing instant; 0 days left on the last day (Asia/Shanghai);
    a call closed by hand is not open whatever its times say. The list shows the same."""
    p = await create_programme(client)
    start = (now() + timedelta(days=2)).astimezone(SHANGHAI)
    opens = start.replace(hour=9, minute=0, second=0, microsecond=0)
    closes = (opens + timedelta(days=10)).replace(hour=17)
    call = await create_call(client, p["id"], opens_at=opens, closes_at=closes)

    async def seen_at(moment: datetime) -> tuple[bool, int | None]:
        client.app.state.clock = lambda: moment  # type: ignore[attr-defined]
        one = (await client.get(f"{PREFIX}/calls/{call['id']}", headers=ANONYMOUS)).json()
        listed = (await client.get(f"{PREFIX}/calls", headers=ANONYMOUS)).json()["items"]
        assert [(c["open_now"], c["days_left"]) for c in listed] == [(one["open_now"], one["days_left"])]
        return one["open_now"], one["days_left"]

    instant = timedelta(microseconds=1)
    assert await seen_at(opens - instant) == (False, None)
    assert await seen_at(opens) == (True, 10)  # the opening instant is open
    assert await seen_at(closes.replace(hour=0, minute=0) - instant) == (True, 1)
    assert await seen_at(closes.replace(hour=0, minute=0)) == (True, 0)  # the last day: 0 days left
    assert await seen_at(closes - instant) == (True, 0)
    assert await seen_at(closes) == (False, None)  # the closing instant is closed
    # the same instant in UTC: the day is Beijing's
    assert await seen_at((closes - instant).astimezone(UTC)) == (True, 0)

    client.app.state.clock = lambda: opens + timedelta(days=1)  # type: ignore[attr-defined]
    closed = (await client.post(f"{PREFIX}/calls/{call['id']}/close", headers=OFFICIAL)).json()
    assert (closed["status"], closed["open_now"], closed["days_left"]) == ("closed", False, None)
