"""The reviewer pool (专家库) of the projects service: roles, validation, keys only, availability,
the internal candidates endpoint for other services (NSF-2, NSF-3 inputs) and its client."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import text, update
from stdnum.cn import ric, uscc

from services.projects.main import create_app
from services.projects.reviewers.models import Reviewer
from services.projects.reviewers.repository import ReviewerRepository
from services.projects.settings import ProjectsSettings
from shared.clients.reviewers import (
    CandidatePage,
    ReviewerCandidate,
    ReviewerPoolClient,
    pool_snapshot_hash,
)
from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient
from shared.subject_keys import organisation_key, person_key
from shared.workdays import today_shanghai
from tests.conftest import TEST_SECRET, principal_headers, running

P = "/api/v1/projects"
R = f"{P}/reviewers"
CANDIDATES = f"{P}/internal/reviewers/candidates"

OFFICIAL = principal_headers("official", subject="201")
AGENCY = principal_headers("agency", subject="301")
AUDITOR = principal_headers("auditor", subject="401")
APPLICANT = principal_headers("applicant", subject="501")
ORG_ADMIN = principal_headers("org_admin", subject="502")
ADMIN = principal_headers("admin", subject="1")
ANON = principal_headers(kind="anonymous", subject="anonymous")
FOUNDATION = principal_headers(kind="service", subject="foundation")
TALENT = principal_headers(kind="service", subject="talent")
AGENCY_KEY = principal_headers(kind="api_key", subject="key-7", scopes=["projects:integrity:read"])


def reviewer_headers(user_id: str) -> dict[str, str]:
    return principal_headers("reviewer", subject=user_id)


def resident_id(region: str = "220102", birth: str = "19750314", seq: str = "123") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


def a_uscc(org: str = "12220000412759479") -> str:
    # A 17-character body: authority 1, type 2, region 220000, organisation code 412759479 (Jilin).
    return org + uscc.calc_check_digit(org)


JLU = a_uscc("12220000412759479")
CIOMP = a_uscc("12220000412761234")
FAW = a_uscc("91220101123456780")
LI_ID = resident_id(seq="121")
WANG_ID = resident_id(birth="19800101", seq="232")
ZHAO_ID = resident_id(birth="19681111", seq="345")
RELATIVE_ID = resident_id(region="220203", birth="19521020", seq="410")
COAUTHOR_ID = resident_id(region="220104", birth="19850607", seq="516")


def settings() -> ProjectsSettings:
    return ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False)


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "李明",
        "id_number": LI_ID,
        "user_id": "9001",
        "organisation_name": "吉林大学",
        "organisation_uscc": JLU,
        "title": "教授",
        "discipline_codes": ["F0203", "F06"],
        "keywords": ["机器学习", "Computer Vision"],
        "declared_conflicts": {
            "people": [
                {"id_number": RELATIVE_ID, "name": "李华", "relation": "relative"},
                {"id_number": COAUTHOR_ID, "relation": "co_author", "note": "2023 年合著论文"},
            ],
            "organisations": [{"uscc": FAW, "name": "中国第一汽车集团", "relation": "part_time"}],
            "notes": "曾任一汽研发总院顾问",
        },
    }
    data.update(overrides)
    return data


@pytest.fixture
async def projects(make_db):
    db = await make_db("projects")
    app = create_app(settings(), database=db)
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        client.db = db  # type: ignore[attr-defined]
        yield client


async def add(c: httpx.AsyncClient, **overrides: object) -> dict:
    r = await c.post(R, json=body(**overrides), headers=OFFICIAL)
    assert r.status_code == 201, r.text
    return r.json()


async def three(c: httpx.AsyncClient) -> tuple[dict, dict, dict]:
    li = await add(c)
    wang = await add(
        c,
        name="王芳",
        id_number=WANG_ID,
        user_id="9002",
        organisation_name="中国科学院长春光学精密机械与物理研究所",
        organisation_uscc=CIOMP,
        discipline_codes=["F05", "E03"],
        keywords=["光学工程"],
        declared_conflicts={},
    )
    zhao = await add(
        c,
        name="赵强",
        id_number=ZHAO_ID,
        user_id=None,
        organisation_name="中国第一汽车集团有限公司",
        organisation_uscc=FAW,
        discipline_codes=["E0501"],
        keywords=["汽车", "机器学习"],
        declared_conflicts={},
        active=False,
    )
    return li, wang, zhao


# --- roles ----------------------------------------------------------------------------------------


async def test_official_creates_and_reads_with_masked_numbers_and_etag(projects) -> None:
    c = projects
    created = await c.post(R, json=body(), headers=OFFICIAL)
    assert created.status_code == 201
    data = created.json()
    assert created.headers["etag"] == f'"reviewer-{data["id"]}-v1"'
    assert data["id_number_masked"] == LI_ID[:6] + "********" + LI_ID[-4:]
    assert data["discipline_codes"] == ["F0203", "F06"] and data["keywords"] == ["机器学习", "Computer Vision"]
    conflicts = data["declared_conflicts"]
    secret = c.app.state.settings.subject_key_secret
    assert [p["key"] for p in conflicts["people"]] == [person_key(RELATIVE_ID, secret), person_key(COAUTHOR_ID, secret)]
    assert conflicts["people"][0]["id_number_masked"] == RELATIVE_ID[:6] + "********" + RELATIVE_ID[-4:]
    assert conflicts["organisations"][0]["key"] == organisation_key(FAW, secret)
    assert conflicts["notes"] == "曾任一汽研发总院顾问"
    assert data["availability"] == {"available": True, "unavailable_until": None, "declared_unavailable": False}
    assert data["current_load"] == 0 and data["active"] is True and data["version"] == 1
    assert LI_ID not in created.text and RELATIVE_ID not in created.text

    for who in (OFFICIAL, AGENCY, AUDITOR):
        got = await c.get(f"{R}/{data['id']}", headers=who)
        assert got.status_code == 200 and got.json() == data
        listed = await c.get(R, headers=who)
        assert listed.status_code == 200 and [r["id"] for r in listed.json()["items"]] == [data["id"]]
        assert LI_ID not in listed.text


async def test_agency_and_auditor_only_read(projects) -> None:
    c = projects
    entry = await add(c)
    url = f"{R}/{entry['id']}"
    for who in (AGENCY, AUDITOR):
        assert (await c.post(R, json=body(id_number=WANG_ID, user_id=None), headers=who)).status_code == 403
        r = await c.patch(url, json={"title": "研究员"}, headers={**who, "If-Match": f'"reviewer-{entry["id"]}-v1"'})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert (await c.get(url, headers=OFFICIAL)).json()["title"] == "教授"


async def test_applicants_and_others_have_no_access_and_anonymous_is_401(projects) -> None:
    c = projects
    entry = await add(c)
    url = f"{R}/{entry['id']}"
    for who in (APPLICANT, ORG_ADMIN, ADMIN, AGENCY_KEY):
        assert (await c.get(R, headers=who)).status_code == 403
        assert (await c.get(url, headers=who)).status_code == 403
        assert (await c.post(R, json=body(id_number=WANG_ID, user_id=None), headers=who)).status_code == 403
        assert (await c.patch(url, json={"title": "x"}, headers=who)).status_code == 403
        assert (await c.get(f"{R}/me", headers=who)).status_code == 403
    for method, path in (
        ("GET", R),
        ("GET", url),
        ("POST", R),
        ("PATCH", url),
        ("GET", f"{R}/me"),
        ("PATCH", f"{R}/me"),
        ("GET", CANDIDATES + "?discipline=F"),
    ):
        r = await c.request(method, path, headers=ANON, json={} if method != "GET" else None)
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["code"] == "unauthorized"


async def test_reviewer_sees_only_their_own_entry(projects) -> None:
    c = projects
    li, wang, _ = await three(c)
    me = reviewer_headers("9001")
    own = await c.get(f"{R}/me", headers=me)
    assert own.status_code == 200 and own.json()["id"] == li["id"]
    assert own.headers["etag"] == f'"reviewer-{li["id"]}-v1"'
    assert (await c.get(f"{R}/{li['id']}", headers=me)).status_code == 200
    # another reviewer's entry does not exist for them; the list is not theirs to read
    other = await c.get(f"{R}/{wang['id']}", headers=me)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert (await c.get(f"{R}/999999", headers=me)).status_code == 404
    assert (await c.get(R, headers=me)).status_code == 403
    # a reviewer account not linked to any entry
    assert (await c.get(f"{R}/me", headers=reviewer_headers("7777"))).status_code == 404
    # an official is not a reviewer: /me is for reviewers
    assert (await c.get(f"{R}/me", headers=OFFICIAL)).status_code == 403


async def test_reviewer_edits_availability_keywords_and_conflicts_with_if_match(projects) -> None:
    c = projects
    li = await add(c)
    me = reviewer_headers("9001")
    etag = (await c.get(f"{R}/me", headers=me)).headers["etag"]
    change = {
        "availability": {"available": False, "until": "2099-06-30"},
        "keywords": ["深度学习", "机器学习"],
        "declared_conflicts": {"people": [{"id_number": RELATIVE_ID, "relation": "relative"}]},
    }
    missing = await c.patch(f"{R}/me", json=change, headers=me)
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"

    ok = await c.patch(f"{R}/me", json=change, headers={**me, "If-Match": etag})
    assert ok.status_code == 200, ok.text
    data = ok.json()
    assert data["version"] == 2 and ok.headers["etag"] == f'"reviewer-{li["id"]}-v2"'
    assert data["availability"] == {"available": False, "unavailable_until": "2099-06-30", "declared_unavailable": True}
    assert data["keywords"] == ["深度学习", "机器学习"]
    assert len(data["declared_conflicts"]["people"]) == 1 and data["declared_conflicts"]["organisations"] == []
    assert data["declared_conflicts"]["notes"] is None

    stale = await c.patch(f"{R}/me", json={"keywords": ["x"]}, headers={**me, "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["current_etag"] == ok.headers["etag"]

    # re-declaring the same person (delete + insert of one key) works
    again = await c.patch(
        f"{R}/me",
        json={"declared_conflicts": change["declared_conflicts"]},
        headers={**me, "If-Match": ok.headers["etag"]},
    )
    assert again.status_code == 200 and again.json()["version"] == 3

    # an empty edit changes nothing
    empty = await c.patch(f"{R}/me", json={}, headers={**me, "If-Match": again.headers["etag"]})
    assert empty.status_code == 200 and empty.headers["etag"] == again.headers["etag"]
    # only those three fields: the rest is the officials' (mass assignment is a 422)
    for field, value in (
        ("title", "院士"),
        ("active", True),
        ("name", "李"),
        ("discipline_codes", ["A01"]),
        ("id_number", WANG_ID),
    ):
        r = await c.patch(f"{R}/me", json={field: value}, headers={**me, "If-Match": again.headers["etag"]})
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unknown_field", field
    # and not through the officials' route either
    r = await c.patch(f"{R}/{li['id']}", json={"keywords": ["x"]}, headers={**me, "If-Match": again.headers["etag"]})
    assert r.status_code == 403


async def test_official_edits_with_if_match_and_user_link_is_unique(projects) -> None:
    c = projects
    li, wang, _ = await three(c)
    url = f"{R}/{li['id']}"
    assert (await c.patch(url, json={"title": "研究员"}, headers=OFFICIAL)).status_code == 428
    v1 = {**OFFICIAL, "If-Match": f'"reviewer-{li["id"]}-v1"'}
    ok = await c.patch(
        url,
        json={
            "title": "研究员",
            "discipline_codes": ["F0301"],
            "organisation_uscc": CIOMP,
            "organisation_name": "长春光机所",
        },
        headers=v1,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["title"] == "研究员" and ok.json()["discipline_codes"] == ["F0301"] and ok.json()["version"] == 2
    stale = await c.patch(url, json={"title": "教授"}, headers=v1)
    assert stale.status_code == 412
    # an account already linked to Wang cannot be linked to Li
    taken = await c.patch(url, json={"user_id": "9002"}, headers={**OFFICIAL, "If-Match": ok.headers["etag"]})
    assert taken.status_code == 409 and taken.json()["code"] == "duplicate"
    # explicit null unlinks the account; other fields refuse null
    unlinked = await c.patch(url, json={"user_id": None}, headers={**OFFICIAL, "If-Match": ok.headers["etag"]})
    assert unlinked.status_code == 200 and unlinked.json()["user_id"] is None
    null = await c.patch(url, json={"title": None}, headers={**OFFICIAL, "If-Match": unlinked.headers["etag"]})
    assert null.status_code == 422 and null.json()["errors"][0] == {
        "field": "title",
        "code": "null_not_allowed",
        "message": "不能为 null",
    }
    assert (await c.patch(f"{R}/999999", json={"title": "x"}, headers={**OFFICIAL, "If-Match": "*"})).status_code == 404
    # deactivating is an edit
    off = await c.patch(f"{R}/{wang['id']}", json={"active": False}, headers={**OFFICIAL, "If-Match": "*"})
    assert off.status_code == 200 and off.json()["active"] is False


async def test_an_edit_racing_another_is_412_not_a_lost_update(projects, monkeypatch) -> None:
    """docs/api-conventions.md "Safety of writes": the UPDATE carries the version read, so a change someone else made
    between the If-Match check and the write fails the request instead of being overwritten."""
    c = projects
    li = await add(c)
    flush = ReviewerRepository.flush

    async def flush_after_someone_else(self: ReviewerRepository) -> None:
        bump = update(Reviewer).where(Reviewer.id == li["id"]).values(version=Reviewer.version + 1)
        await self.session.execute(bump.execution_options(synchronize_session=False))
        await flush(self)

    monkeypatch.setattr(ReviewerRepository, "flush", flush_after_someone_else)
    v1 = {**OFFICIAL, "If-Match": f'"reviewer-{li["id"]}-v1"'}
    raced = await c.patch(f"{R}/{li['id']}", json={"title": "研究员"}, headers=v1)
    assert raced.status_code == 412 and raced.json()["code"] == "precondition_failed"
    monkeypatch.undo()
    kept = (await c.get(f"{R}/{li['id']}", headers=OFFICIAL)).json()
    assert kept["title"] == "教授" and kept["version"] == 1


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["F", "F2", "F023", "FF02", "F02030405", "0F02", "F02-03", "", "Ｆ０２x"])
async def test_malformed_discipline_codes_are_422(projects, code: str) -> None:
    r = await projects.post(R, json=body(discipline_codes=[code]), headers=OFFICIAL)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "invalid_discipline_code"
    assert r.json()["errors"][0]["field"] == "discipline_codes.0"


async def test_discipline_codes_are_normalised_and_limited(projects) -> None:
    c = projects
    r = await c.post(R, json=body(discipline_codes=["f02", " Ｆ０２０３ ", "A010203"]), headers=OFFICIAL)
    assert r.status_code == 201 and r.json()["discipline_codes"] == ["F02", "F0203", "A010203"]
    dup = await c.post(R, json=body(id_number=WANG_ID, user_id=None, discipline_codes=["F02", "f02"]), headers=OFFICIAL)
    assert dup.status_code == 422 and dup.json()["errors"][0]["code"] == "duplicate_discipline"
    none = await c.post(R, json=body(id_number=WANG_ID, user_id=None, discipline_codes=[]), headers=OFFICIAL)
    assert none.status_code == 422
    many = await c.post(
        R,
        json=body(id_number=WANG_ID, user_id=None, discipline_codes=[f"F{i:02d}" for i in range(1, 12)]),
        headers=OFFICIAL,
    )
    assert many.status_code == 422
    kw = await c.post(R, json=body(id_number=WANG_ID, user_id=None, keywords=["AI", "ai"]), headers=OFFICIAL)
    assert kw.status_code == 422 and kw.json()["errors"][0]["code"] == "duplicate_keyword"
    too_long = ((["ß" * 64], "keyword_too_long"), (["   "], "empty_keyword"), (["x" * 65], "string_too_long"))
    for keywords, code in too_long:
        r = await c.post(R, json=body(id_number=WANG_ID, user_id=None, keywords=keywords), headers=OFFICIAL)
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == code, keywords


async def test_id_numbers_and_usccs_are_checked_by_their_check_digits(projects) -> None:
    """ID-1 and ID-2: a wrong check character is a 422 with the validator's stable code."""
    c = projects
    bad_id = LI_ID[:-1] + ("0" if LI_ID[-1] != "0" else "1")
    bad_uscc = JLU[:-1] + ("0" if JLU[-1] != "0" else "1")
    cases = [
        ({"id_number": bad_id}, "id_number", "invalid_resident_id"),
        ({"id_number": "22010219750314"}, "id_number", "invalid_resident_id"),
        ({"organisation_uscc": bad_uscc}, "organisation_uscc", "invalid_uscc"),
        ({"organisation_uscc": "91220101I2345678X"}, "organisation_uscc", "invalid_uscc"),
        (
            {"declared_conflicts": {"people": [{"id_number": bad_id, "relation": "relative"}]}},
            "declared_conflicts.people.0.id_number",
            "invalid_resident_id",
        ),
        (
            {"declared_conflicts": {"organisations": [{"uscc": bad_uscc, "relation": "other"}]}},
            "declared_conflicts.organisations.0.uscc",
            "invalid_uscc",
        ),
        (
            {"declared_conflicts": {"people": [{"id_number": RELATIVE_ID, "relation": "enemy"}]}},
            "declared_conflicts.people.0.relation",
            "literal_error",
        ),
        (
            {"declared_conflicts": {"people": [{"id_number": LI_ID, "relation": "other"}]}},
            "declared_conflicts.people",
            "self_conflict",
        ),
        (
            {
                "declared_conflicts": {
                    "people": [
                        {"id_number": RELATIVE_ID, "relation": "relative"},
                        {"id_number": RELATIVE_ID.lower(), "relation": "other"},
                    ]
                }
            },
            "declared_conflicts",
            "duplicate_conflict",
        ),
        ({"availability": {"available": True, "until": "2030-01-01"}}, "availability", "until_without_unavailable"),
        ({"status": "active"}, "status", "unknown_field"),
    ]
    for overrides, field, code in cases:
        r = await c.post(R, json=body(**overrides), headers=OFFICIAL)
        assert r.status_code == 422, (overrides, r.text)
        error = r.json()["errors"][0]
        assert (error["field"], error["code"]) == (field, code), (overrides, error)
    # a full-width, spaced ID number is the same person: the second entry is a duplicate
    assert (await c.post(R, json=body(), headers=OFFICIAL)).status_code == 201
    spaced = LI_ID[:6] + " " + LI_ID[6:14] + " " + LI_ID[14:]
    again = await c.post(
        R,
        json=body(id_number=spaced.translate(str.maketrans("0123456789", "０１２３４５６７８９")), user_id=None),
        headers=OFFICIAL,
    )
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    same_account = await c.post(R, json=body(id_number=WANG_ID), headers=OFFICIAL)
    assert same_account.status_code == 409


async def test_declared_conflicts_are_stored_as_keys_only(projects) -> None:
    """NSF-3 inputs: people a reviewer declares are kept as keyed hashes; no plain ID number anywhere."""
    c = projects
    await three(c)
    me = reviewer_headers("9001")
    etag = (await c.get(f"{R}/me", headers=me)).headers["etag"]
    r = await c.patch(
        f"{R}/me",
        headers={**me, "If-Match": etag},
        json={"declared_conflicts": {"people": [{"id_number": COAUTHOR_ID, "relation": "co_author", "name": "周"}]}},
    )
    assert r.status_code == 200
    plain = [LI_ID, WANG_ID, ZHAO_ID, RELATIVE_ID, COAUTHOR_ID]
    secret = c.app.state.settings.subject_key_secret
    async with c.db.sessionmaker() as session:
        dump = []
        for table in (
            "reviewers",
            "reviewer_conflicts",
            "reviewer_disciplines",
            "reviewer_keywords",
            "reviewer_loads",
            "audit_log",
            "workflow_history",
        ):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            dump.append(json.dumps([list(map(str, row)) for row in rows], ensure_ascii=False))
        keys = (
            await session.execute(text("SELECT kind, subject_key, display FROM reviewer_conflicts ORDER BY id"))
        ).all()
        person_keys = (await session.execute(text("SELECT person_key FROM reviewers ORDER BY id"))).scalars().all()
    everything = "\n".join(dump)
    for number in plain:
        assert number not in everything
        assert number[6:14] + number[14:] not in everything  # not even the birth date and sequence
    assert person_keys == [person_key(n, secret) for n in (LI_ID, WANG_ID, ZHAO_ID)]
    assert [tuple(k) for k in keys if k[0] == "person"] == [
        ("person", person_key(COAUTHOR_ID, secret), COAUTHOR_ID[:6] + "********" + COAUTHOR_ID[-4:])
    ]
    # organisations are keyed too: the declared organisation's USCC is not stored in plain
    assert all(len(k[1]) == 64 for k in keys)


# --- availability and filters ---------------------------------------------------------------------


async def test_availability_until_a_date_inclusive(projects) -> None:
    c = projects
    li, wang, _ = await three(c)
    today = today_shanghai()
    etag = (await c.get(f"{R}/{li['id']}", headers=OFFICIAL)).headers["etag"]
    until = today + timedelta(days=10)
    r = await c.patch(
        f"{R}/{li['id']}",
        headers={**OFFICIAL, "If-Match": etag},
        json={"availability": {"available": False, "until": until.isoformat()}},
    )
    assert r.json()["availability"]["available"] is False

    async def candidate_ids(on: date) -> list[int]:
        page = await c.get(CANDIDATES, params={"discipline": ["F", "E"], "on": on.isoformat()}, headers=FOUNDATION)
        return [x["id"] for x in page.json()["items"]]

    assert await candidate_ids(until) == [wang["id"]]  # the last unavailable day
    assert await candidate_ids(until + timedelta(days=1)) == [li["id"], wang["id"]]
    assert await candidate_ids(today) == [wang["id"]]

    unavailable = await c.get(R, params={"available": "false"}, headers=OFFICIAL)
    assert [x["id"] for x in unavailable.json()["items"]] == [li["id"]]
    # unavailable with no end date stays so until changed
    etag = r.headers["etag"]
    r = await c.patch(
        f"{R}/{li['id']}", headers={**OFFICIAL, "If-Match": etag}, json={"availability": {"available": False}}
    )
    assert r.json()["availability"] == {"available": False, "unavailable_until": None, "declared_unavailable": True}
    assert await candidate_ids(today + timedelta(days=3650)) == [wang["id"]]
    r = await c.patch(
        f"{R}/{li['id']}",
        headers={**OFFICIAL, "If-Match": r.headers["etag"]},
        json={"availability": {"available": True}},
    )
    assert r.json()["availability"]["available"] is True


async def test_list_filters_and_cursor_pagination(projects) -> None:
    c = projects
    li, wang, zhao = await three(c)

    async def ids(**params: object) -> list[int]:
        r = await c.get(R, params=params, headers=AGENCY)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]

    assert await ids() == [li["id"], wang["id"], zhao["id"]]
    assert await ids(discipline="F02") == [li["id"]]
    assert await ids(discipline="F") == [li["id"], wang["id"]]
    assert await ids(discipline=["F06", "E05"]) == [li["id"], zhao["id"]]
    assert await ids(keyword="机器学习") == [li["id"], zhao["id"]]
    assert await ids(keyword="computer  VISION") == [li["id"]]
    assert await ids(active="false") == [zhao["id"]]
    assert await ids(active="true", available="true") == [li["id"], wang["id"]]
    assert await ids(organisation="长春光学") == [wang["id"]]
    assert await ids(organisation="%") == []
    assert await ids(organisation_uscc=FAW) == [zhao["id"]]
    by_name = {li["id"]: "李明", wang["id"]: "王芳", zhao["id"]: "赵强"}
    assert await ids(sort="-name") == sorted(by_name, key=by_name.__getitem__, reverse=True)
    first = (await c.get(R, params={"limit": 2}, headers=AGENCY)).json()
    second = (await c.get(R, params={"limit": 2, "cursor": first["next_cursor"]}, headers=AGENCY)).json()
    assert [x["id"] for x in first["items"] + second["items"]] == [li["id"], wang["id"], zhao["id"]]
    assert second["next_cursor"] is None
    summary = first["items"][0]
    assert set(summary) == {
        "id",
        "name",
        "id_number_masked",
        "organisation_name",
        "title",
        "discipline_codes",
        "keywords",
        "available",
        "active",
        "version",
        "etag",
    }
    for params in (
        {"discipline": "F2"},
        {"discipline": "E030"},
        {"organisation_uscc": "123"},
        {"limit": 0},
        {"sort": "person_key"},
        {"cursor": "!!"},
        {"active": "maybe"},
    ):
        assert (await c.get(R, params=params, headers=AGENCY)).status_code == 422, params


# --- the internal endpoint and its client ---------------------------------------------------------


async def test_candidates_only_for_service_principals(projects) -> None:
    c = projects
    await three(c)
    for who in (OFFICIAL, AGENCY, AUDITOR, ADMIN, APPLICANT, reviewer_headers("9001"), AGENCY_KEY):
        r = await c.get(CANDIDATES, params={"discipline": "F"}, headers=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert (await c.get(CANDIDATES, params={"discipline": "F"}, headers=ANON)).status_code == 401
    assert (await c.get(CANDIDATES, params={"discipline": "F"})).status_code == 401  # no gateway token
    assert (await c.get(CANDIDATES, params={"discipline": "F"}, headers=TALENT)).status_code == 200


async def test_candidates_shape_prefix_match_and_stable_snapshot(projects) -> None:
    """NSF-2/NSF-3 inputs: by discipline prefix, keys only, declared conflicts as keys, a hashable page."""
    c = projects
    li, wang, zhao = await three(c)
    secret = c.app.state.settings.subject_key_secret
    r = await c.get(CANDIDATES, params={"discipline": "F02"}, headers=FOUNDATION)
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {"items", "next_cursor", "as_of", "snapshot_sha256"}
    assert page["as_of"] == today_shanghai().isoformat() and page["next_cursor"] is None
    (item,) = page["items"]
    assert item == {
        "id": li["id"],
        "person_key": person_key(LI_ID, secret),
        "institution_key": organisation_key(JLU, secret),
        "discipline_codes": ["F0203", "F06"],
        "keywords": ["computer vision", "机器学习"],
        "declared_person_keys": sorted([person_key(RELATIVE_ID, secret), person_key(COAUTHOR_ID, secret)]),
        "declared_institution_keys": [organisation_key(FAW, secret)],
        "current_load": 0,
        "active": True,
        "available": True,
        "user_id": li["user_id"],
    }
    for secret_text in ("李明", "吉林大学", LI_ID, RELATIVE_ID, JLU, "曾任", "教授"):
        assert secret_text not in r.text
    assert page["snapshot_sha256"] == pool_snapshot_hash(CandidatePage.model_validate(page).items)

    # prefix, not substring: F0203 and F06 belong to F and F0; E05 to E; zhao is inactive
    both = (await c.get(CANDIDATES, params={"discipline": ["F", "E"]}, headers=FOUNDATION)).json()
    assert [x["id"] for x in both["items"]] == [li["id"], wang["id"]]
    f03 = await c.get(CANDIDATES, params={"discipline": "F03"}, headers=FOUNDATION)
    assert f03.json()["items"] == []
    again = (await c.get(CANDIDATES, params={"discipline": ["E", "F"]}, headers=FOUNDATION)).json()
    assert again["snapshot_sha256"] == both["snapshot_sha256"]

    # pages by id; a changed pool changes the hash
    p1 = (await c.get(CANDIDATES, params={"discipline": "F", "limit": 1}, headers=FOUNDATION)).json()
    p2 = (
        await c.get(CANDIDATES, params={"discipline": "F", "limit": 1, "cursor": p1["next_cursor"]}, headers=FOUNDATION)
    ).json()
    assert [x["id"] for x in p1["items"] + p2["items"]] == [li["id"], wang["id"]] and p2["next_cursor"] is None
    load = await c.put(f"{P}/internal/reviewers/{wang['id']}/load", json={"open_assignments": 4}, headers=FOUNDATION)
    assert load.status_code == 200 and load.json() == {
        "reviewer_id": wang["id"],
        "source": "foundation",
        "open_assignments": 4,
        "current_load": 4,
    }
    changed = (await c.get(CANDIDATES, params={"discipline": ["F", "E"]}, headers=FOUNDATION)).json()
    assert changed["snapshot_sha256"] != both["snapshot_sha256"]
    assert [x["current_load"] for x in changed["items"]] == [0, 4]

    for params in (
        {},
        {"discipline": "F2"},
        {"discipline": "f02x"},
        {"discipline": "%"},
        {"discipline": "F", "limit": 1001},
        {"discipline": "F", "on": "2026-02-30"},
        {"discipline": [f"F{i:02d}" for i in range(11)]},
    ):
        assert (await c.get(CANDIDATES, params=params, headers=FOUNDATION)).status_code == 422, params


async def test_load_reports_are_idempotent_per_service_and_summed(projects) -> None:
    c = projects
    li = await add(c)
    url = f"{P}/internal/reviewers/{li['id']}/load"
    for _ in range(2):
        assert (await c.put(url, json={"open_assignments": 3}, headers=FOUNDATION)).json()["current_load"] == 3
    assert (await c.put(url, json={"open_assignments": 2}, headers=TALENT)).json()["current_load"] == 5
    assert (await c.put(url, json={"open_assignments": 1}, headers=FOUNDATION)).json()["current_load"] == 3
    assert (await c.get(f"{R}/{li['id']}", headers=OFFICIAL)).json()["current_load"] == 3
    assert (await c.put(url, json={"open_assignments": -1}, headers=FOUNDATION)).status_code == 422
    assert (await c.put(url, json={"open_assignments": 1, "x": 1}, headers=FOUNDATION)).status_code == 422
    assert (await c.put(url, json={"open_assignments": 1}, headers=OFFICIAL)).status_code == 403
    missing = await c.put(f"{P}/internal/reviewers/999999/load", json={"open_assignments": 1}, headers=FOUNDATION)
    assert missing.status_code == 404


async def test_client_reads_every_page_and_reports_load_through_the_real_app(projects) -> None:
    c = projects
    li, wang, _ = await three(c)
    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.ASGITransport(app=c.app))
    try:
        client = ReviewerPoolClient(http, "http://projects.internal")
        pool = await client.candidates(["F", "E"], page_size=1)
        assert [x.id for x in pool] == [li["id"], wang["id"]]
        assert all(isinstance(x, ReviewerCandidate) for x in pool)
        whole = (await c.get(CANDIDATES, params={"discipline": ["F", "E"]}, headers=FOUNDATION)).json()
        assert pool_snapshot_hash(pool) == whole["snapshot_sha256"]
        assert pool_snapshot_hash(reversed(pool)) == whole["snapshot_sha256"]  # order-independent
        await client.report_load(li["id"], 2)
        assert (await client.candidates("F02"))[0].current_load == 2
        with pytest.raises(LookupError):
            await client.report_load(999999, 1)
        with pytest.raises(ValueError):
            await client.candidates("F2")
    finally:
        await http.aclose()


async def test_client_is_503_with_retry_after_when_projects_is_down() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.MockTransport(refuse), retries=1)
    try:
        client = ReviewerPoolClient(http, "http://127.0.0.1:1")
        with pytest.raises(DependencyUnavailable) as caught:
            await client.candidates("F02")
        assert caught.value.status == 503 and caught.value.headers["Retry-After"].isdigit()
        assert caught.value.extra == {"dependency": "projects"}
        with pytest.raises(DependencyUnavailable):
            await client.report_load(1, 1)
    finally:
        await http.aclose()


async def test_client_is_503_when_projects_answers_nonsense() -> None:
    answers = iter([httpx.Response(500), httpx.Response(200, json={"items": "no"}), httpx.Response(403, json={})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    http = InternalClient(TEST_SECRET, caller="talent", transport=httpx.MockTransport(handler), retries=0)
    try:
        client = ReviewerPoolClient(http, "http://projects")
        for _ in range(3):
            with pytest.raises(DependencyUnavailable):
                await client.candidates_page("F")
    finally:
        await http.aclose()


async def test_candidates_feed_the_shared_conflict_rules(projects) -> None:
    """NSF-3 through the pool: a candidate becomes shared.review's reviewer; the declared people and the
    same institution are found by key, exactly as an application built with the same keys names them."""
    from shared.clients.reviewers import to_review_pool
    from shared.review.conflicts import Rule, explain
    from shared.review.draw import pool_hash
    from shared.review.model import Application

    c = projects
    li, wang, _ = await three(c)
    secret = c.app.state.settings.subject_key_secret
    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.ASGITransport(app=c.app))
    try:
        pool = to_review_pool(await ReviewerPoolClient(http, "http://projects").candidates(["F", "E"]))
    finally:
        await http.aclose()
    by_id = {r.id: r for r in pool}
    reviewer = by_id[str(li["id"])]
    assert reviewer.disciplines == ("F0203", "F06") and reviewer.keywords == {"computer vision", "机器学习"}
    assert reviewer.eligible and reviewer.load == 0

    relative_applies = Application(
        id="A1",
        applicant_key=person_key(RELATIVE_ID, secret),
        institution_key=organisation_key(CIOMP, secret),
        disciplines=("F0203",),
    )
    assert explain(reviewer, relative_applies) == (Rule.DECLARED_BY_REVIEWER,)
    assert explain(by_id[str(wang["id"])], relative_applies) == (Rule.SAME_INSTITUTION,)
    faw_team = Application(
        id="A2",
        applicant_key=person_key(ZHAO_ID, secret),
        institution_key=organisation_key(FAW, secret),
        disciplines=("E0501",),
    )
    assert explain(reviewer, faw_team) == (Rule.DECLARED_BY_REVIEWER,)  # the declared organisation
    own = Application(id="A3", applicant_key=person_key(LI_ID, secret), institution_key=organisation_key(JLU, secret))
    assert Rule.SELF in explain(reviewer, own) and Rule.SAME_INSTITUTION in explain(reviewer, own)
    assert pool_hash(pool) == pool_hash(reversed(pool))


async def test_reviewer_principal_maps_to_its_pool_entry(projects) -> None:
    from services.projects.reviewers.service import reviewer_id_for
    from shared.principal import Principal

    li, _, _ = await three(projects)
    async with projects.db.sessionmaker() as session:

        def who(kind: str, subject: str, role: str) -> Principal:
            return Principal(kind=kind, subject=subject, roles=frozenset({role}))

        assert await reviewer_id_for(session, who("user", "9001", "reviewer")) == li["id"]
        assert await reviewer_id_for(session, who("user", "9001", "official")) is None
        assert await reviewer_id_for(session, who("user", "7777", "reviewer")) is None
        assert await reviewer_id_for(session, who("service", "9001", "reviewer")) is None


async def test_batch_load_reports_set_each_and_skip_reviewers_not_in_the_pool(projects) -> None:
    """PUT /internal/reviewers/loads: as the single report for each reviewer, in one transaction, per service."""
    c = projects
    li, wang, _ = await three(c)
    url = f"{P}/internal/reviewers/loads"
    loads = [
        {"reviewer_id": li["id"], "open_assignments": 4},
        {"reviewer_id": wang["id"], "open_assignments": 2},
        {"reviewer_id": 999_999, "open_assignments": 1},
    ]
    r = await c.put(url, json={"loads": loads}, headers=FOUNDATION)
    assert r.status_code == 200, r.text
    assert r.json() == {"source": "foundation", "updated": 2, "unknown": [999_999]}
    single = await c.put(f"{P}/internal/reviewers/{li['id']}/load", json={"open_assignments": 3}, headers=TALENT)
    assert single.json()["current_load"] == 7  # foundation's 4 from the batch + talent's 3
    again = await c.put(url, json={"loads": [{**loads[0], "open_assignments": 1}]}, headers=FOUNDATION)
    assert again.status_code == 200
    assert (await c.get(f"{R}/{li['id']}", headers=OFFICIAL)).json()["current_load"] == 4  # 1 + talent's 3
    assert (await c.get(f"{R}/{wang['id']}", headers=OFFICIAL)).json()["current_load"] == 2
    assert (await c.put(url, json={"loads": [loads[0], loads[0]]}, headers=FOUNDATION)).status_code == 422
    assert (await c.put(url, json={"loads": []}, headers=FOUNDATION)).status_code == 422
    assert (await c.put(url, json={"loads": loads}, headers=OFFICIAL)).status_code == 403

    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.ASGITransport(app=c.app))
    try:
        assert await ReviewerPoolClient(http, "http://projects.internal").report_loads({li["id"]: 0, 424_242: 5}) == [
            424_242
        ]
    finally:
        await http.aclose()
    assert (await c.get(f"{R}/{li['id']}", headers=OFFICIAL)).json()["current_load"] == 3
