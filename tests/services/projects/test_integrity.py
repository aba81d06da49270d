"""Research-integrity records (PRJ-5, NSF-7): pure rules, subject keys, the records API and the check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services.projects.rules.integrity import add_months, check_period, is_debarred
from shared.settings import DEV_SUBJECT_KEY_SECRET
from shared.subject_keys import is_subject_key, organisation_key, person_key, subject_key
from shared.validators import IdNumberError

ID_A = "11010519491231002X"
ID_B = "220102199003071235"
USCC_A = "91220101MA0Y2K4L3T"


@dataclass
class R:
    measure: str
    status: str
    period_start: date | None
    period_end: date | None


# --- pure rules -----------------------------------------------------------------------------------


def test_prj5_debarment_active_on_first_and_last_day_not_the_day_after() -> None:
    record = R("debarment", "active", date(2026, 3, 1), date(2027, 2, 28))
    assert is_debarred([record], date(2026, 2, 28)) == (False, [])
    assert is_debarred([record], date(2026, 3, 1))[0]
    debarred, periods = is_debarred([record], date(2027, 2, 28))
    assert debarred and [(p.measure, p.start, p.end) for p in periods] == [
        ("debarment", date(2026, 3, 1), date(2027, 2, 28))
    ]
    assert is_debarred([record], date(2027, 3, 1)) == (False, [])


def test_prj5_revoked_records_and_non_blocking_measures_do_not_debar() -> None:
    day = date(2026, 6, 1)
    revoked = R("debarment", "revoked", date(2026, 1, 1), date(2027, 12, 31))
    warning = R("warning", "active", date(2026, 1, 1), date(2027, 12, 31))
    recovery = R("recovery_of_funds", "active", None, None)
    assert is_debarred([revoked, warning, recovery], day) == (False, [])
    active = R("debarment", "active", date(2025, 6, 1), date(2026, 12, 31))
    debarred, periods = is_debarred([revoked, warning, active], day)
    assert debarred and len(periods) == 1


@pytest.mark.parametrize(
    ("severity", "start", "end", "problem"),
    [
        # general: 1 to 3 years (NSF-7); the last day is inclusive
        ("general", date(2026, 3, 1), date(2027, 2, 27), "period_out_of_bounds"),  # 0.99 year
        ("general", date(2026, 3, 1), date(2027, 2, 28), None),  # exactly 1 year
        ("general", date(2026, 3, 1), date(2029, 2, 28), None),  # exactly 3 years
        ("general", date(2026, 3, 1), date(2029, 3, 1), "period_out_of_bounds"),  # 3 years and a day
        # very serious: 3 to 5 years
        ("very_serious", date(2026, 3, 1), date(2029, 2, 27), "period_out_of_bounds"),
        ("very_serious", date(2026, 3, 1), date(2029, 2, 28), None),
        ("very_serious", date(2026, 3, 1), date(2031, 2, 28), None),  # 5 years
        ("very_serious", date(2026, 3, 1), date(2031, 3, 4), "period_out_of_bounds"),  # 5.01 years
        ("general", date(2026, 3, 1), date(2026, 2, 1), "period_reversed"),
        ("general", None, None, "period_required"),
        ("general", date(2026, 3, 1), None, "incomplete_period"),
    ],
)
def test_nsf7_debarment_period_bounds(severity: str, start: date | None, end: date | None, problem: str | None) -> None:
    found = check_period("debarment", severity, start, end)
    assert (found.code if found else None) == problem


def test_nsf7_other_measures_need_no_period_and_unknown_ones_are_refused() -> None:
    assert check_period("warning", "general", None, None) is None
    assert check_period("recovery_of_funds", "general", date(2026, 1, 1), date(2026, 1, 1)) is None
    assert check_period("banishment", "general", None, None).code == "unknown_measure"


def test_add_months_clamps_month_ends_and_leap_days() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


# --- subject keys -----------------------------------------------------------------------------------


def test_prj5_subject_keys_are_keyed_normalised_and_kind_separated() -> None:
    secret = DEV_SUBJECT_KEY_SECRET
    key = person_key(ID_A, secret)
    assert is_subject_key(key) and ID_A not in key
    # full-width digits, spaces and a lower-case x name the same person
    assert person_key("１１０１０５ 19491231002x", secret) == key
    assert person_key(ID_A, "another-secret-of-enough-length-0123") != key
    assert person_key(ID_B, secret) != key
    assert organisation_key(USCC_A, secret) == subject_key("organisation", USCC_A, secret)
    with pytest.raises(IdNumberError):
        person_key("110105194912310021", secret)  # wrong check digit
    with pytest.raises(IdNumberError):
        organisation_key(ID_A, secret)


# --- the API ------------------------------------------------------------------------------------------

from sqlalchemy import select, text  # noqa: E402

from services.projects.main import create_app  # noqa: E402
from services.projects.settings import ProjectsSettings  # noqa: E402
from tests.conftest import TEST_SECRET, principal_headers, running  # noqa: E402

P = "/api/v1/projects/integrity"
OFFICIAL = principal_headers("official", subject="41", name="王处长")
ADMIN = principal_headers("admin", subject="1")
AUDITOR = principal_headers("auditor", subject="7")
APPLICANT = principal_headers("applicant", subject="99")
FOUNDATION = principal_headers(kind="service", subject="foundation")
AGENCY_WITH_SCOPE = principal_headers(kind="api_key", subject="k1", scopes=["projects:integrity:read"])
AGENCY_WITHOUT = principal_headers(kind="api_key", subject="k2", scopes=["transfer:smes:read"])


def settings() -> ProjectsSettings:
    return ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False)


@pytest.fixture
async def projects_db(make_db):
    return await make_db("projects")


def debarment(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "subject_kind": "person",
        "id_number": ID_A,
        "subject_name": "张三",
        "conduct": "申报材料中伪造论文发表情况",
        "measure": "debarment",
        "severity": "general",
        "period_start": "2026-03-01",
        "period_end": "2028-02-29",
        "decision_no": "吉科诚〔2026〕3号",
    }
    body.update(overrides)
    return body


async def test_prj5_officials_record_and_the_check_answers_debarred_then_clear(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        created = await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)
        assert created.status_code == 201, created.text
        record = created.json()
        assert record["subject_display"] == "110105********002X" and record["status"] == "active"
        assert record["created_by"] == "user:41" and record["version"] == 1
        assert "id_number" not in record and "subject_key" not in record

        for day, status in (
            ("2026-02-28", "clear"),
            ("2026-03-01", "debarred"),
            ("2028-02-29", "debarred"),
            ("2028-03-01", "clear"),
        ):
            r = await c.get(f"{P}/check", params={"id_number": ID_A, "on": day}, headers=FOUNDATION)
            assert r.status_code == 200 and r.json()["status"] == status, (day, r.text)
        other = await c.get(f"{P}/check", params={"id_number": ID_B, "on": "2026-06-01"}, headers=FOUNDATION)
        assert other.json() == {"status": "clear", "on": "2026-06-01", "periods": []}


async def test_prj5_check_reveals_nothing_but_status_and_periods(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)
        await c.post(
            f"{P}/records", json=debarment(measure="warning", period_start=None, period_end=None), headers=OFFICIAL
        )
        r = await c.get(f"{P}/check", params={"id_number": ID_A, "on": "2026-06-01"}, headers=AGENCY_WITH_SCOPE)
        assert r.json() == {
            "status": "debarred",
            "on": "2026-06-01",
            "periods": [{"measure": "debarment", "start": "2026-03-01", "end": "2028-02-29"}],
        }
        for secret in ("张三", "伪造", "吉科诚", "110105", "002X", "user:41"):
            assert secret not in r.text


async def test_prj5_check_by_uscc_and_by_subject_key_and_default_day(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        body = debarment(
            subject_kind="organisation",
            id_number=None,
            uscc=USCC_A,
            subject_name="某公司",
            period_start="2026-01-01",
            period_end="2099-12-31",
            severity="very_serious",
        )
        assert (await c.post(f"{P}/records", json=body, headers=OFFICIAL)).status_code == 422  # > 5 years
        body.update(period_end="2030-12-31")
        assert (await c.post(f"{P}/records", json=body, headers=OFFICIAL)).status_code == 201
        r = await c.get(f"{P}/check", params={"uscc": USCC_A.lower(), "on": "2027-01-01"}, headers=FOUNDATION)
        assert r.json()["status"] == "debarred"
        key = organisation_key(USCC_A, settings().subject_key_secret)
        by_key = await c.get(f"{P}/check", params={"subject_key": key, "on": "2027-01-01"}, headers=FOUNDATION)
        assert by_key.json() == r.json()
        # the same number as a person is another subject
        assert (await c.get(f"{P}/check", params={"id_number": ID_A}, headers=FOUNDATION)).json()["status"] == "clear"
        today = await c.get(f"{P}/check", params={"subject_key": key}, headers=FOUNDATION)
        from shared.workdays import today_shanghai

        assert today.json()["on"] == today_shanghai().isoformat()


async def test_prj5_check_who_may_ask(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        q = {"id_number": ID_A}
        assert (await c.get(f"{P}/check", params=q, headers=FOUNDATION)).status_code == 200
        assert (await c.get(f"{P}/check", params=q, headers=AGENCY_WITH_SCOPE)).status_code == 200
        assert (await c.get(f"{P}/check", params=q, headers=OFFICIAL)).status_code == 200
        denied = await c.get(f"{P}/check", params=q, headers=AGENCY_WITHOUT)
        assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
        assert (await c.get(f"{P}/check", params=q, headers=APPLICANT)).status_code == 403
        anon = principal_headers(kind="anonymous", subject="anonymous")
        assert (await c.get(f"{P}/check", params=q, headers=anon)).status_code == 401
        assert (await c.get(f"{P}/check", params=q)).status_code == 401


async def test_prj5_check_bad_input_is_422(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        for params in (
            {},
            {"id_number": ID_A, "uscc": USCC_A},
            {"id_number": "110105194912310021"},
            {"uscc": "not-a-code"},
            {"subject_key": "XYZ"},
            {"id_number": ID_A, "on": "2026-02-30"},
            {"id_number": "1" * 41},
        ):
            r = await c.get(f"{P}/check", params=params, headers=FOUNDATION)
            assert r.status_code == 422, (params, r.text)
        bad = await c.get(f"{P}/check", params={"id_number": "110105194912310021"}, headers=FOUNDATION)
        assert bad.json()["errors"][0]["code"] == "invalid_resident_id"


async def test_prj5_applicants_and_auditors(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        denied = await c.post(f"{P}/records", json=debarment(), headers=APPLICANT)
        assert denied.status_code == 403
        assert (await c.post(f"{P}/records", json=debarment(), headers=AUDITOR)).status_code == 403
        record = (await c.post(f"{P}/records", json=debarment(), headers=ADMIN)).json()
        assert (await c.get(f"{P}/records", headers=APPLICANT)).status_code == 403
        assert (await c.get(f"{P}/records/{record['id']}", headers=APPLICANT)).status_code == 403
        listed = await c.get(f"{P}/records", params={"id_number": ID_A}, headers=AUDITOR)
        assert [r["id"] for r in listed.json()["items"]] == [record["id"]]
        assert (await c.get(f"{P}/records", params={"id_number": ID_B}, headers=AUDITOR)).json()["items"] == []
        assert (await c.get(f"{P}/records/{record['id']}", headers=AUDITOR)).status_code == 200
        assert (await c.get(f"{P}/records/999999", headers=AUDITOR)).status_code == 404
        etag = (await c.get(f"{P}/records/{record['id']}", headers=AUDITOR)).headers["etag"]
        assert (
            await c.patch(
                f"{P}/records/{record['id']}",
                json={"conduct": "x", "reason": "y"},
                headers={**AUDITOR, "If-Match": etag},
            )
        ).status_code == 403


async def test_prj5_subjects_are_stored_only_as_keyed_hashes(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        assert (await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)).status_code == 201
        org = debarment(subject_kind="organisation", id_number=None, uscc=USCC_A)
        assert (await c.post(f"{P}/records", json=org, headers=OFFICIAL)).status_code == 201
    async with projects_db.sessionmaker() as session:
        dumped = ""
        for table in ("integrity_records", "audit_log", "workflow_history"):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
            assert rows
            dumped += repr([tuple(r) for r in rows])  # a Row's own repr cuts long values short
        assert ID_A not in dumped and USCC_A not in dumped
        assert ID_A[:-4] not in dumped  # not even most of it
        keys = (await session.execute(text("SELECT subject_key, subject_display FROM integrity_records"))).all()
        secret = settings().subject_key_secret
        assert {k for k, _ in keys} == {person_key(ID_A, secret), organisation_key(USCC_A, secret)}


async def test_prj5_correct_with_if_match_writes_audit_and_checks_bounds(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        created = await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)
        url, etag = f"{P}/records/{created.json()['id']}", created.headers["etag"]
        missing = await c.patch(url, json={"decision_no": "吉科诚〔2026〕4号", "reason": "文号有误"}, headers=OFFICIAL)
        assert missing.status_code == 428
        # NSF-7: shortening a general debarment below one year is refused
        short = await c.patch(
            url, json={"period_end": "2027-02-27", "reason": "改期"}, headers={**OFFICIAL, "If-Match": etag}
        )
        assert short.status_code == 422 and short.json()["errors"][0]["code"] == "period_out_of_bounds"
        ok = await c.patch(
            url, json={"period_end": "2027-02-28", "reason": "复核后缩短"}, headers={**OFFICIAL, "If-Match": etag}
        )
        assert ok.status_code == 200 and ok.json()["period_end"] == "2027-02-28" and ok.json()["version"] == 2
        stale = await c.patch(url, json={"decision_no": "x", "reason": "y"}, headers={**OFFICIAL, "If-Match": etag})
        assert stale.status_code == 412
        nulled = await c.patch(
            url, json={"conduct": None, "reason": "y"}, headers={**OFFICIAL, "If-Match": ok.headers["etag"]}
        )
        assert nulled.status_code == 422
        sneaky = await c.patch(
            url, json={"status": "revoked", "reason": "y"}, headers={**OFFICIAL, "If-Match": ok.headers["etag"]}
        )
        assert sneaky.status_code == 422  # the status changes only by revoking
        check = await c.get(f"{P}/check", params={"id_number": ID_A, "on": "2027-03-01"}, headers=FOUNDATION)
        assert check.json()["status"] == "clear"
    from services.projects.models import common

    async with projects_db.sessionmaker() as session:
        audit_rows = (await session.execute(select(common.audit).order_by(common.audit.id))).scalars().all()
        assert [(a.action, a.entity_type) for a in audit_rows] == [
            ("create", "integrity_record"),
            ("correct", "integrity_record"),
        ]
        assert audit_rows[1].data["reason"] == "复核后缩短"
        assert audit_rows[1].data["before"]["period_end"] == "2028-02-29"


async def test_prj5_revoked_record_does_not_block(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        created = await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)
        url, etag = f"{P}/records/{created.json()['id']}", created.headers["etag"]
        q = {"id_number": ID_A, "on": "2026-06-01"}
        assert (await c.get(f"{P}/check", params=q, headers=FOUNDATION)).json()["status"] == "debarred"
        assert (await c.post(f"{url}/revoke", json={"reason": "x"}, headers=APPLICANT)).status_code == 403
        no_reason = await c.post(f"{url}/revoke", json={}, headers={**OFFICIAL, "If-Match": etag})
        assert no_reason.status_code == 422
        revoked = await c.post(
            f"{url}/revoke", json={"reason": "行政复议撤销原决定"}, headers={**OFFICIAL, "If-Match": etag}
        )
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert (await c.get(f"{P}/check", params=q, headers=FOUNDATION)).json() == {
            "status": "clear",
            "on": "2026-06-01",
            "periods": [],
        }
        again = await c.post(f"{url}/revoke", json={"reason": "x"}, headers={**OFFICIAL, "If-Match": "*"})
        assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
        stale = await c.post(f"{url}/revoke", json={"reason": "x"}, headers={**OFFICIAL, "If-Match": etag})
        assert stale.status_code == 412
        fix = await c.patch(
            url, json={"conduct": "x", "reason": "y"}, headers={**OFFICIAL, "If-Match": revoked.headers["etag"]}
        )
        assert fix.status_code == 409
        history = (await c.get(f"{url}/history", headers=AUDITOR)).json()
        assert [(h["action"], h["to_state"], h["comment"]) for h in history] == [
            ("create", "active", None),
            ("revoke", "revoked", "行政复议撤销原决定"),
        ]


async def test_prj5_create_validation(projects_db) -> None:
    async with running(create_app(settings(), database=projects_db)) as c:
        cases = [
            debarment(id_number=None),  # a person without a number
            debarment(uscc=USCC_A),  # both numbers
            debarment(subject_kind="organisation"),  # an organisation named by an ID number
            debarment(id_number="110105194912310021"),  # check digit
            debarment(measure="banishment"),
            debarment(period_end="2027-02-27"),  # NSF-7: 0.99 year
            debarment(period_start=None, period_end=None),  # a debarment needs a period
            debarment(severity="very_serious"),  # 2 years is too short for a very serious case
            debarment(status="revoked"),  # mass assignment
            debarment(conduct=""),
        ]
        for body in cases:
            r = await c.post(f"{P}/records", json=body, headers=OFFICIAL)
            assert r.status_code == 422, (body, r.text)
        lower_x = await c.post(f"{P}/records", json=debarment(id_number=ID_A.lower()), headers=OFFICIAL)
        assert lower_x.status_code == 201


# --- the client other services use ------------------------------------------------------------------

import httpx  # noqa: E402

from shared.clients.integrity import IntegrityClient  # noqa: E402
from shared.errors import DependencyUnavailable  # noqa: E402
from shared.http_client import InternalClient  # noqa: E402


async def test_prj5_integrity_client_answers_through_the_real_app(projects_db) -> None:
    app = create_app(settings(), database=projects_db)
    async with running(app) as c:
        assert (await c.post(f"{P}/records", json=debarment(), headers=OFFICIAL)).status_code == 201
        http = InternalClient(TEST_SECRET, caller="talent", transport=httpx.ASGITransport(app=app))
        client = IntegrityClient(http, "http://projects", subject_key_secret=settings().subject_key_secret)
        try:
            debarred = await client.check(id_number=ID_A, on=date(2026, 6, 1))
            assert debarred.debarred and debarred.periods[0].end == date(2028, 2, 29)
            clear = await client.check(id_number=ID_B, on=date(2026, 6, 1))
            assert not clear.debarred and clear.periods == []
            assert not (await client.check(uscc=USCC_A, on=date(2026, 6, 1))).debarred
            with pytest.raises(ValueError):
                await client.check(id_number=ID_A, uscc=USCC_A)
        finally:
            await http.aclose()


async def test_prj5_integrity_client_503_with_retry_after_when_projects_is_down() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.MockTransport(refuse), retries=0)
    client = IntegrityClient(http, "http://projects", subject_key_secret=DEV_SUBJECT_KEY_SECRET)
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await client.check(id_number=ID_A)
    finally:
        await http.aclose()
    assert caught.value.status == 503 and int(caught.value.headers["Retry-After"]) >= 1
    assert caught.value.extra["dependency"] == "projects"


async def test_prj5_integrity_client_never_sends_the_number() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "clear", "on": "2026-06-01", "periods": []})

    http = InternalClient(TEST_SECRET, caller="foundation", transport=httpx.MockTransport(answer))
    client = IntegrityClient(http, "http://projects", subject_key_secret=DEV_SUBJECT_KEY_SECRET)
    try:
        await client.check(id_number=ID_A)
    finally:
        await http.aclose()
    assert ID_A not in str(seen[0].url) and seen[0].url.params["subject_key"] == person_key(
        ID_A, DEV_SUBJECT_KEY_SECRET
    )
