"""Talent programmes and their yearly calls through the API: officials keep them, everyone reads them;
TAL-1 (the indicator system) and TAL-3 (the tranches) are refused as the rules say; a call is made under an
active programme, one a year, and shows whether it is open now (CAL-2)."""

from __future__ import annotations

from datetime import date

from tests.services.talent.conftest import (
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    Talent,
    indicators,
    programme_body,
)


async def _programme(talent: Talent, **overrides: object) -> dict:
    return await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body(**overrides))


def _call_body(programme_id: int, **overrides: object) -> dict:
    return {
        "programme_id": programme_id,
        "code": "JLQN2027",
        "year": 2027,
        "title": "2027年度吉林省青年科技人才托举计划申报",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 3,
    } | overrides


async def test_an_official_creates_a_programme_everyone_reads_it(talent: Talent) -> None:
    created = await _programme(talent)
    assert created["level_label"] == {"zh": "省级重点人才计划", "en": "provincial key programme"}
    assert [i["dimension_label"]["zh"] for i in created["indicators"]] == ["创新能力", "质量", "贡献", "绩效"]
    assert created["tranche_shares"] == ["0.4", "0.3", "0.3"] and created["support_amount"] == "600000.00"
    assert created["etag"] == f'"talent_programme-{created["id"]}-v1"' and created["status"] == "active"
    read = await talent.call("GET", f"/programmes/{created['id']}", ANONYMOUS)
    assert read["indicators"][0]["weight"] == "0.35"
    listed = await talent.call("GET", "/programmes?level=provincial_key", ANONYMOUS)
    assert [p["code"] for p in listed["items"]] == ["JLQN"]
    assert (await talent.call("GET", "/programmes?level=provincial_general", ANONYMOUS))["items"] == []


async def test_only_officials_keep_programmes(talent: Talent) -> None:
    await talent.call("POST", "/programmes", APPLICANT, 403, json=programme_body())
    await talent.call("POST", "/programmes", AUDITOR, 403, json=programme_body())
    await talent.call("POST", "/programmes", ANONYMOUS, 401, json=programme_body())


async def test_tal1_weights_must_sum_to_exactly_one(talent: Talent) -> None:
    """TAL-1: 0.35 + 0.25 + 0.25 + 0.14 = 0.99 is refused; exactly 1 is taken."""
    refused = await talent.call(
        "POST", "/programmes", OFFICIAL, 422, json=programme_body(indicators=indicators("0.35", "0.25", "0.25", "0.14"))
    )
    assert refused["code"] == "invalid_indicator_system"
    assert "weights_not_one" in {e["code"] for e in refused["errors"]}
    await _programme(talent, indicators=indicators("0.25", "0.25", "0.25", "0.25"))


async def test_tal1_every_dimension_needs_an_indicator(talent: Talent) -> None:
    four = indicators("0.4", "0.2", "0.2", "0.2")
    four[3]["dimension"] = "quality"  # performance left without one
    refused = await talent.call("POST", "/programmes", OFFICIAL, 422, json=programme_body(indicators=four))
    assert "dimension_without_indicator" in {e["code"] for e in refused["errors"]}


async def test_tal1_no_more_than_five_representative_works(talent: Talent) -> None:
    """TAL-1: up to 5 representative works (configurable down, never up)."""
    await talent.call("POST", "/programmes", OFFICIAL, 422, json=programme_body(max_works=6))
    assert (await _programme(talent, max_works=3))["max_works"] == 3


async def test_tal3_tranche_shares_must_sum_to_one(talent: Talent) -> None:
    refused = await talent.call(
        "POST", "/programmes", OFFICIAL, 422, json=programme_body(tranche_shares=["0.4", "0.3", "0.2"])
    )
    assert refused["code"] == "invalid_tranche_schedule"
    english = await talent.client.post(
        "/api/v1/talent/programmes",
        json=programme_body(tranche_shares=["0.5", "0.6"]),
        headers={**OFFICIAL, "Accept-Language": "en"},
    )
    assert "not exactly 1" in english.json()["errors"][0]["message"]


async def test_an_edit_takes_the_etag_and_is_checked_as_a_whole(talent: Talent) -> None:
    created = await _programme(talent)
    path = f"/programmes/{created['id']}"
    await talent.call("PATCH", path, OFFICIAL, 428, json={"tenure_years": 4})
    stale = f'"talent_programme-{created["id"]}-v9"'
    await talent.call("PATCH", path, OFFICIAL, 412, json={"tenure_years": 4}, headers={"If-Match": stale})
    bad = {"indicators": indicators("0.5", "0.5", "0.5", "0.5")}
    await talent.call("PATCH", path, OFFICIAL, 422, json=bad, headers={"If-Match": created["etag"]})
    await talent.call("PATCH", path, OFFICIAL, 422, json={"name": None}, headers={"If-Match": created["etag"]})
    edited = await talent.call("PATCH", path, OFFICIAL, json={"tenure_years": 4}, headers={"If-Match": created["etag"]})
    assert edited["tenure_years"] == 4 and edited["version"] == 2


async def test_a_duplicate_code_is_a_conflict(talent: Talent) -> None:
    await _programme(talent)
    assert (await talent.call("POST", "/programmes", OFFICIAL, 409, json=programme_body()))["code"] == "duplicate"


async def test_a_call_under_an_active_programme_opens_on_its_first_day(talent: Talent) -> None:
    programme = await _programme(talent)
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=_call_body(programme["id"]))
    assert call["programme_code"] == "JLQN" and call["status"] == "draft" and call["open_now"] is False
    # a draft is the officials' and the auditors' alone
    await talent.call("GET", f"/calls/{call['id']}", ANONYMOUS, 404)
    await talent.call("GET", f"/calls/{call['id']}", AUDITOR)
    published = await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    assert published["status"] == "published" and published["open_now"] is False  # 15 February: not yet
    talent.clock.set(date(2027, 3, 1))
    first_day = await talent.call("GET", f"/calls/{call['id']}", ANONYMOUS)
    assert first_day["open_now"] is True and first_day["days_left"] == 30
    talent.clock.set(date(2027, 3, 31), hour=23)
    assert (await talent.call("GET", f"/calls/{call['id']}", ANONYMOUS))["days_left"] == 0
    talent.clock.set(date(2027, 4, 1), hour=0)
    assert (await talent.call("GET", f"/calls/{call['id']}", ANONYMOUS))["open_now"] is False
    listed = await talent.call("GET", f"/calls?programme_id={programme['id']}", ANONYMOUS)
    assert [c["code"] for c in listed["items"]] == ["JLQN2027"]


async def test_one_call_a_year_and_none_under_a_retired_programme(talent: Talent) -> None:
    programme = await _programme(talent)
    await talent.call("POST", "/calls", OFFICIAL, 201, json=_call_body(programme["id"]))
    again = await talent.call("POST", "/calls", OFFICIAL, 409, json=_call_body(programme["id"], code="JLQN2027B"))
    assert again["code"] == "duplicate"
    await talent.call("POST", f"/programmes/{programme['id']}/retire", OFFICIAL, 422, json={})  # a reason needed
    retired = await talent.call("POST", f"/programmes/{programme['id']}/retire", OFFICIAL, json={"comment": "整合"})
    assert retired["status"] == "retired"
    refused = await talent.call(
        "POST", "/calls", OFFICIAL, 409, json=_call_body(programme["id"], code="JLQN2028", year=2028)
    )
    assert refused["code"] == "programme_retired"
    history = await talent.call("GET", f"/programmes/{programme['id']}/history", AUDITOR)
    assert [h["action"] for h in history][-1] == "retire"


async def test_a_call_for_a_programme_that_does_not_exist_is_a_404(talent: Talent) -> None:
    await talent.call("POST", "/calls", OFFICIAL, 404, json=_call_body(999))


async def test_a_closed_call_is_no_longer_edited(talent: Talent) -> None:
    programme = await _programme(talent)
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=_call_body(programme["id"]))
    await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    closed = await talent.call("POST", f"/calls/{call['id']}/close", OFFICIAL, json={})
    refused = await talent.call(
        "PATCH", f"/calls/{call['id']}", OFFICIAL, 409, json={"cap_per_org": 5}, headers={"If-Match": closed["etag"]}
    )
    assert refused["code"] == "call_not_editable"
    backwards = {"opens_on": "2027-03-31", "closes_on": "2027-03-01"}
    await talent.call(
        "POST", "/calls", OFFICIAL, 422, json=_call_body(programme["id"], code="X2", year=2030, **backwards)
    )
