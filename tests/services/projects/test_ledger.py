"""The limits ledger (限项台账, PRJ-1, NSF-5): pure rules, the in-process functions, the internal API."""

from __future__ import annotations

import pytest

from services.projects.rules.limits import Candidate, Entry, evaluate


def entry(
    n: int,
    *,
    service: str = "projects",
    role: str = "leader",
    kind: str = "application",
    year: int = 2026,
    status: str = "open",
) -> Entry:
    return Entry(service=service, item_id=str(n), role=role, kind=kind, programme="JKF", year=year, status=status)


PLAN = Candidate(service="projects", kind="application", role="leader", year=2026)


@pytest.mark.parametrize(("held", "allowed"), [(0, True), (1, False), (2, False)])
def test_prj1_one_plan_application_per_leader_per_year(held: int, allowed: bool) -> None:
    decision = evaluate([entry(i) for i in range(held)], PLAN)
    assert decision.allowed is allowed
    (result,) = decision.results
    assert (result.clause, result.limit, result.count) == ("PRJ-1", 1, held)
    assert [e.item_id for e in result.items] == [str(i) for i in range(held)]


def test_prj1_counts_across_programmes_and_the_foundation_in_the_same_year_only() -> None:
    foundation = entry(1, service="foundation", role="applicant")
    assert not evaluate([foundation], PLAN).allowed
    last_year = entry(2, year=2025, kind="project", status="active")
    member = entry(3, role="member")
    withdrawn_elsewhere = entry(4, service="talent")  # not a provincial plan
    assert evaluate([last_year, member, withdrawn_elsewhere], PLAN).allowed
    # an application that was not funded this year still was this year's application
    assert not evaluate([entry(5, status="closed")], PLAN).allowed


def test_prj1_figure_is_configurable() -> None:
    decision = evaluate([entry(1)], PLAN, limits={"plan_applications_per_leader_per_year": 2})
    assert decision.allowed and decision.results[0].limit == 2
    assert not evaluate([entry(1), entry(2)], PLAN, limits={"plan_applications_per_leader_per_year": 2}).allowed


@pytest.mark.parametrize(("held", "allowed"), [(0, True), (1, False), (2, False)])
def test_nsf5_one_foundation_application_per_applicant_per_year(held: int, allowed: bool) -> None:
    candidate = Candidate(service="foundation", kind="application", role="applicant", year=2026)
    decision = evaluate([entry(i, service="foundation", role="applicant") for i in range(held)], candidate)
    nsf5 = next(r for r in decision.results if r.code == "foundation_applications_per_year")
    assert nsf5.clause == "NSF-5" and nsf5.count == held and nsf5.allowed is allowed


@pytest.mark.parametrize(("held", "allowed"), [(2, True), (3, False)])
def test_nsf5_senior_staff_total_of_three_vs_four(held: int, allowed: bool) -> None:
    """Holding 2, a third is allowed (3 in total); holding 3, a fourth is not."""
    items = [entry(i, kind="project", status="active", year=2023 + i, role="member") for i in range(held)]
    candidate = Candidate(service="projects", kind="application", role="member", year=2026, senior=True)
    decision = evaluate(items, candidate)
    (result,) = decision.results  # a member: PRJ-1 does not apply, the senior total does
    assert (result.clause, result.code, result.limit, result.count) == ("NSF-5", "senior_staff_total", 3, held)
    assert decision.allowed is allowed
    # closed items (finished projects) do not count; the rule does not apply to other staff
    closed = [entry(9, kind="project", status="closed", year=2020)]
    assert evaluate(items[:2] + closed, candidate).allowed
    assert evaluate(items, Candidate(service="projects", kind="application", role="member", year=2026)).results == ()


# --- in-process functions and the API ---------------------------------------------------------------

import httpx  # noqa: E402

from services.projects.ledger import service as ledger  # noqa: E402
from services.projects.main import create_app  # noqa: E402
from services.projects.settings import ProjectsSettings  # noqa: E402
from shared.clients.ledger import LedgerClient  # noqa: E402
from shared.errors import DependencyUnavailable  # noqa: E402
from shared.http_client import InternalClient  # noqa: E402
from shared.subject_keys import person_key  # noqa: E402
from tests.conftest import TEST_SECRET, principal_headers, running  # noqa: E402

ID_A = "11010519491231002X"
ID_B = "220102199003071235"
SECRET = ProjectsSettings(internal_secret=TEST_SECRET, env="test").subject_key_secret
KEY_A = person_key(ID_A, SECRET)
KEY_B = person_key(ID_B, SECRET)
INTERNAL = "/api/v1/projects/internal/ledger"
FOUNDATION = principal_headers(kind="service", subject="foundation")
TALENT = principal_headers(kind="service", subject="talent")
OFFICIAL = principal_headers("official", subject="41")
AUDITOR = principal_headers("auditor", subject="7")
APPLICANT = principal_headers("applicant", subject="99")


def settings() -> ProjectsSettings:
    return ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False)


@pytest.fixture
async def projects_db(make_db):
    return await make_db("projects")


def item(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "person_key": KEY_A,
        "role": "applicant",
        "kind": "application",
        "programme": "NSF-GENERAL",
        "year": 2026,
        "status": "open",
        "revision": 1,
    }
    body.update(overrides)
    return body


async def test_ledger_put_is_idempotent_and_last_revision_wins(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        url = f"{INTERNAL}/items/foundation/F-2026-001"
        first = await c.put(url, json=item(), headers=FOUNDATION)
        assert first.status_code == 200 and first.json()["outcome"] == "created", first.text
        again = await c.put(url, json=item(), headers=FOUNDATION)
        assert again.json()["outcome"] == "unchanged" and not again.json()["stale"]
        assert again.json()["item"] == first.json()["item"]

        newer = await c.put(url, json=item(status="active", kind="project", revision=3), headers=FOUNDATION)
        assert newer.json()["outcome"] == "updated" and newer.json()["item"]["status"] == "active"
        late = await c.put(url, json=item(status="closed", revision=2), headers=FOUNDATION)
        assert late.status_code == 200 and late.json()["outcome"] == "stale" and late.json()["stale"] is True
        assert late.json()["item"]["status"] == "active" and late.json()["item"]["revision"] == 3

        clash = await c.put(url, json=item(status="closed", revision=3), headers=FOUNDATION)
        assert clash.status_code == 409 and clash.json()["code"] == "revision_conflict"

        count = await c.post(f"{INTERNAL}/count", json={"person_key": KEY_A}, headers=FOUNDATION)
        assert count.json()["count"] == 1 and count.json()["items"][0]["status"] == "active"


async def test_ledger_remove_leaves_a_tombstone_a_late_report_cannot_revive(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        url = f"{INTERNAL}/items/foundation/F-2"
        await c.put(url, json=item(revision=4), headers=FOUNDATION)
        assert (await c.delete(url, params={"revision": 5}, headers=FOUNDATION)).status_code == 204
        assert (await c.delete(url, headers=FOUNDATION)).status_code == 204  # idempotent
        late = await c.put(url, json=item(revision=4), headers=FOUNDATION)
        assert late.json()["stale"] is True
        counted = await c.post(f"{INTERNAL}/count", json={"person_key": KEY_A}, headers=FOUNDATION)
        assert counted.json() == {"count": 0, "items": []}
        revived = await c.put(url, json=item(revision=6), headers=FOUNDATION)
        assert revived.json()["outcome"] == "updated"
        assert (await c.post(f"{INTERNAL}/count", json={"person_key": KEY_A}, headers=FOUNDATION)).json()["count"] == 1
        assert (await c.delete(f"{INTERNAL}/items/foundation/never-seen", headers=FOUNDATION)).status_code == 204


async def test_ledger_internal_endpoints_are_for_services_and_their_own_items(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        url = f"{INTERNAL}/items/foundation/F-3"
        for headers in (OFFICIAL, APPLICANT, principal_headers(kind="api_key", subject="k", scopes=["x"])):
            assert (await c.put(url, json=item(), headers=headers)).status_code == 403
            assert (
                await c.post(f"{INTERNAL}/check", json={"person_key": KEY_A, "year": 2026}, headers=headers)
            ).status_code == 403
        other = await c.put(url, json=item(), headers=TALENT)
        assert other.status_code == 403
        assert (await c.delete(url, headers=TALENT)).status_code == 403
        assert (await c.put(f"{INTERNAL}/items/nowhere/1", json=item(), headers=FOUNDATION)).status_code == 422
        assert (await c.put(f"{INTERNAL}/items/foundation/a%20b", json=item(), headers=FOUNDATION)).status_code == 422
        too_long = await c.put(f"{INTERNAL}/items/foundation/{'x' * 65}", json=item(), headers=FOUNDATION)
        assert too_long.status_code == 422
        for bad in (
            item(person_key=ID_A),
            item(role="boss"),
            item(revision=-1),
            item(year=99999),
            item(extra="x"),
            item(programme=""),
        ):
            assert (await c.put(url, json=bad, headers=FOUNDATION)).status_code == 422, bad


@pytest.mark.parametrize(("held", "allowed"), [(0, True), (1, False), (2, False)])
async def test_prj1_check_endpoint_edges(projects_db, held: int, allowed: bool) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        for n in range(held):
            body = item(role="leader", programme="JKF-KEY")
            assert (await c.put(f"{INTERNAL}/items/foundation/{n}", json=body, headers=FOUNDATION)).status_code == 200
        # a leader of a plan project: PRJ-1 counts the foundation too
        answer = await c.post(f"{INTERNAL}/check", json={"person_key": KEY_A, "year": 2026}, headers=TALENT)
        assert answer.status_code == 200
        body = answer.json()
        assert body["allowed"] is allowed and body["violations"] == ([] if allowed else ["PRJ-1"])
        (rule,) = body["results"]
        assert (rule["clause"], rule["limit"], rule["count"]) == ("PRJ-1", 1, held)
        assert [i["item_id"] for i in rule["items"]] == [str(n) for n in range(held)]
        assert "person_key" not in answer.text


async def test_nsf5_senior_total_through_the_check_endpoint_and_exclusion(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        for n, year in enumerate((2023, 2024, 2025)):
            body = item(role="member", kind="project", status="active", year=year, revision=1)
            await c.put(f"{INTERNAL}/items/foundation/P{n}", json=body, headers=FOUNDATION)
        ask = {"person_key": KEY_A, "year": 2026, "service": "foundation", "role": "member", "senior": True}
        refused = (await c.post(f"{INTERNAL}/check", json=ask, headers=FOUNDATION)).json()
        assert refused["allowed"] is False and refused["violations"] == ["NSF-5"]
        assert refused["results"][0]["count"] == 3
        # the candidate's own entry is not counted against it
        allowed = await c.post(f"{INTERNAL}/check", json={**ask, "exclude_item_id": "P2"}, headers=FOUNDATION)
        assert allowed.json()["allowed"] is True and allowed.json()["results"][0]["count"] == 2
        # other people are unaffected
        other = await c.post(f"{INTERNAL}/check", json={**ask, "person_key": KEY_B}, headers=FOUNDATION)
        assert other.json()["allowed"]


async def test_prj1_in_process_record_check_and_ensure_allowed(projects_db) -> None:
    async with projects_db.sessionmaker() as session:
        report = ledger.ItemReport(
            service="projects",
            item_id="42",
            person_key=KEY_A,
            role="leader",
            kind="application",
            programme="JKF",
            year=2026,
            status="open",
            revision=1,
        )
        assert (await ledger.record(session, report)).outcome == "created"
        assert (await ledger.record(session, report)).outcome == "unchanged"
        assert (await ledger.check(session, KEY_A, "application", 2026, exclude_item_id="42")).allowed
        decision = await ledger.check(session, KEY_A, "application", 2026)
        assert not decision.allowed and decision.violations[0].clause == "PRJ-1"
        with pytest.raises(ledger.LimitExceeded) as caught:
            await ledger.ensure_allowed(session, KEY_A, "application", 2026)
        assert caught.value.status == 409 and caught.value.extra["clause"] == "PRJ-1"
        assert caught.value.extra["violations"][0]["items"][0]["item_id"] == "42"
        assert (await ledger.check(session, KEY_A, "application", 2027)).allowed
        assert await ledger.remove(session, "projects", "42", revision=2)
        assert (await ledger.check(session, KEY_A, "application", 2026)).allowed
        with pytest.raises(Exception) as bad:
            await ledger.record(session, ledger.ItemReport(**{**report.__dict__, "person_key": ID_A}))
        assert getattr(bad.value, "status", None) == 422


async def test_prj1_officials_change_the_figure_per_year(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        await c.put(f"{INTERNAL}/items/foundation/A", json=item(role="leader"), headers=FOUNDATION)
        ask = {"person_key": KEY_A, "year": 2026}
        assert (await c.post(f"{INTERNAL}/check", json=ask, headers=TALENT)).json()["allowed"] is False
        url = "/api/v1/projects/ledger/limits/plan_applications_per_leader_per_year"
        assert (await c.put(url, json={"year": 2026, "limit": 2}, headers=AUDITOR)).status_code == 403
        set_ = await c.put(url, json={"year": 2026, "limit": 2}, headers=OFFICIAL)
        assert set_.status_code == 200 and set_.json()["overrides"] == {"2026": 2} and set_.json()["default"] == 1
        assert (await c.post(f"{INTERNAL}/check", json=ask, headers=TALENT)).json()["allowed"] is True
        assert (
            await c.put("/api/v1/projects/ledger/limits/nope", json={"year": 0, "limit": 2}, headers=OFFICIAL)
        ).status_code == 422
        figures = (await c.get("/api/v1/projects/ledger/limits", headers=AUDITOR)).json()
        assert {f["rule_code"] for f in figures} == {
            "plan_applications_per_leader_per_year",
            "foundation_applications_per_year",
            "senior_staff_total",
        }


async def test_ledger_supervision_list_by_id_number(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        await c.put(f"{INTERNAL}/items/foundation/A", json=item(), headers=FOUNDATION)
        await c.put(f"{INTERNAL}/items/foundation/B", json=item(person_key=KEY_B), headers=FOUNDATION)
        L = "/api/v1/projects/ledger/items"
        for headers in (OFFICIAL, AUDITOR):
            page = await c.get(L, params={"id_number": ID_A}, headers=headers)
            assert page.status_code == 200 and [i["item_id"] for i in page.json()["items"]] == ["A"]
        assert (await c.get(L, params={"id_number": ID_A}, headers=APPLICANT)).status_code == 403
        assert (await c.get(L, params={"id_number": ID_A}, headers=FOUNDATION)).status_code == 403
        assert (await c.get(L, params={"id_number": "110105194912310021"}, headers=OFFICIAL)).status_code == 422
        assert (await c.get(L, headers=OFFICIAL)).status_code == 422


async def test_ledger_client_through_the_real_app(projects_db) -> None:
    app = create_app(settings(), database=projects_db)
    async with running(app):
        http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.ASGITransport(app=app))
        client = LedgerClient(http, "http://projects", service="foundation")
        try:
            created = await client.report(
                "F-1",
                person_key=KEY_A,
                role="applicant",
                kind="application",
                programme="NSF-YOUTH",
                year=2026,
                status="open",
                revision=1,
            )
            assert created.outcome == "created" and created.item.item_id == "F-1"
            assert (
                await client.report(
                    "F-1",
                    person_key=KEY_A,
                    role="applicant",
                    kind="application",
                    programme="NSF-YOUTH",
                    year=2026,
                    status="open",
                    revision=0,
                )
            ).stale
            check = await client.check(person_key=KEY_A, year=2026, role="applicant")
            assert not check.allowed and set(check.violations) == {"PRJ-1", "NSF-5"}
            assert (await client.count(person_key=KEY_A, year=2026)).count == 1
            await client.remove("F-1", revision=2)
            with pytest.raises(ValueError):
                await client.remove("F/1")
            assert (await client.check(person_key=KEY_A, year=2026, role="applicant")).allowed
        finally:
            await http.aclose()


async def test_ledger_client_503_with_retry_after_when_projects_is_down() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.MockTransport(refuse))
    client = LedgerClient(http, "http://projects", service="foundation")
    try:
        calls = [
            client.report(
                "1",
                person_key=KEY_A,
                role="applicant",
                kind="application",
                programme="X",
                year=2026,
                status="open",
                revision=1,
            ),
            client.check(person_key=KEY_A, year=2026),
            client.count(person_key=KEY_A),
            client.remove("1"),
        ]
        for call in calls:
            with pytest.raises(DependencyUnavailable) as caught:
                await call
            assert caught.value.status == 503 and int(caught.value.headers["Retry-After"]) >= 1
    finally:
        await http.aclose()


async def test_ledger_batch_put_follows_the_revision_rule_per_item(projects_db) -> None:
    """PUT .../items/{service} with many items: each as the single PUT would have it, in one transaction."""
    async with running(create_app(settings(), database=projects_db)) as c:
        batch = f"{INTERNAL}/items/foundation"
        await c.put(f"{INTERNAL}/items/foundation/B-1", json=item(revision=3), headers=FOUNDATION)
        await c.put(f"{INTERNAL}/items/foundation/B-2", json=item(revision=5, person_key=KEY_B), headers=FOUNDATION)
        answer = await c.put(
            batch,
            headers=FOUNDATION,
            json={
                "items": [
                    {**item(revision=4, status="closed"), "item_id": "B-1"},  # newer: updated
                    {**item(revision=4, person_key=KEY_B), "item_id": "B-2"},  # older: stale, ignored
                    {**item(revision=1, person_key=KEY_B), "item_id": "B-3"},  # new: created
                ]
            },
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"created": 1, "updated": 1, "unchanged": 0, "stale": 1}
        again = await c.put(
            batch, headers=FOUNDATION, json={"items": [{**item(revision=1, person_key=KEY_B), "item_id": "B-3"}]}
        )
        assert again.json()["unchanged"] == 1
        counted = await c.post(f"{INTERNAL}/count", json={"person_key": KEY_B}, headers=FOUNDATION)
        assert counted.json()["count"] == 2  # B-2 (revision 5 kept) and B-3
        assert (await c.post(f"{INTERNAL}/count", json={"person_key": KEY_A}, headers=FOUNDATION)).json()["items"][0][
            "status"
        ] == "closed"


async def test_ledger_batch_put_refuses_a_bad_item_and_writes_nothing(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        batch = f"{INTERNAL}/items/foundation"
        good = {**item(), "item_id": "C-1"}
        for bad in ({**item(), "item_id": "a b"}, {**item(role="boss"), "item_id": "C-2"}):
            r = await c.put(batch, headers=FOUNDATION, json={"items": [good, bad]})
            assert r.status_code == 422, r.text
        dup = await c.put(batch, headers=FOUNDATION, json={"items": [good, good]})
        assert dup.status_code == 422 and dup.json()["errors"][0]["code"] == "duplicate_item"
        assert (await c.put(batch, headers=FOUNDATION, json={"items": []})).status_code == 422
        assert (await c.put(batch, headers=TALENT, json={"items": [good]})).status_code == 403  # not its items
        assert (await c.put(batch, headers=OFFICIAL, json={"items": [good]})).status_code == 403
        clash = await c.put(batch, headers=FOUNDATION, json={"items": [good]})
        assert clash.json()["created"] == 1
        conflict = await c.put(
            batch,
            headers=FOUNDATION,
            json={"items": [{**item(revision=2), "item_id": "C-9"}, {**item(status="closed"), "item_id": "C-1"}]},
        )
        assert conflict.status_code == 409 and conflict.json()["code"] == "revision_conflict"
        counted = await c.post(f"{INTERNAL}/count", json={"person_key": KEY_A}, headers=FOUNDATION)
        assert [i["item_id"] for i in counted.json()["items"]] == ["C-1"]  # C-9 rolled back with the batch


async def test_ledger_client_report_many(projects_db) -> None:
    from shared.clients.ledger import ItemState

    app = create_app(settings(), database=projects_db)
    async with running(app):
        http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.ASGITransport(app=app))
        client = LedgerClient(http, "http://projects", service="foundation")
        states = [
            ItemState(
                item_id=f"M-{n}",
                person_key=KEY_A,
                role="applicant",
                kind="application",
                programme="NSF",
                year=2026,
                status="open",
                revision=n,
            )
            for n in range(3)
        ]
        try:
            first = await client.report_many(states)
            assert (first.created, first.updated, first.unchanged, first.stale) == (3, 0, 0, 0)
            again = await client.report_many([*states[:2], states[2].model_copy(update={"revision": 7})])
            assert (again.unchanged, again.updated) == (2, 1)
            with pytest.raises(ValueError):
                await client.report_many([states[0].model_copy(update={"item_id": "a/b"})])
        finally:
            await http.aclose()
