"""A permit from the employer's registration to its cancellation, through the service's API: WP-2 (class),
WP-4 (the clock), WP-5/WP-6 (validity), WP-8 (the lifelong number), WP-9 (verification), PIPL masking."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, text

from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.permits.models import Verification
from services.foreign_experts.rules.permit_number import is_valid_permit_number
from tests.services.foreign_experts.conftest import (
    AUDITOR,
    CLERK,
    OFFICIAL,
    OTHER_CLERK,
    OTHER_USCC,
    PASSPORT,
    act,
    api_key,
    documents,
    foreigner,
    make_application,
    make_employer,
    post,
)

VERIFY = "foreign-experts:permits:verify"


async def issued(fe, **parts):  # type: ignore[no-untyped-def]
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"], **parts)
    await act(fe, app["id"], "submit", CLERK)
    await act(fe, app["id"], "accept", OFFICIAL)
    await act(fe, app["id"], "approve", OFFICIAL)
    done = await act(fe, app["id"], "issue", OFFICIAL)
    return employer, done


async def test_wp2_wp4_wp8_wp9_whole_permit(fe) -> None:  # type: ignore[no-untyped-def]
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"])
    assert app["status"] == "draft" and app["foreigner"]["passport_number"] == PASSPORT  # own clerk: in full
    assert app["foreigner"]["education_label"] == {"zh": "博士", "en": "doctorate"}  # every enum in zh and en
    assert app["foreigner"]["sex_label"]["zh"] == "女" and app["work_city"]["zh"] == "长春市"
    assert app["post_kind_label"]["en"] == "regular post" and app["status_label"]["zh"] == "草稿"
    assert app["documents"][3]["label"]["en"].startswith("criminal record certificate")
    submitted = await act(fe, app["id"], "submit", CLERK)
    assert submitted["permit_class"] == "A"  # doctorate, 400k salary ... points over 85 (WP-2)
    assert submitted["assessment"]["total"] >= 85
    fe.clock.set(date(2026, 3, 3))
    accepted = await act(fe, app["id"], "accept", OFFICIAL)
    # WP-4: 20 working days from Tuesday 3 March 2026 (no holiday in between): 31 March
    assert accepted["deadline"]["due_on"] == "2026-03-31" and accepted["deadline"]["working_days"] == 20
    approved = await act(fe, app["id"], "approve", OFFICIAL)
    assert approved["status"] == "approved"
    done = await act(fe, app["id"], "issue", OFFICIAL)
    assert done["status"] == "issued" and done["permit_id"]

    permit = await fe.call("GET", f"/permits/{done['permit_id']}", OFFICIAL)
    assert is_valid_permit_number(permit["number"]) and permit["number"].startswith("222026")
    # WP-5: contract to 2028-03-31, passport 2031, licence 2040, A cap 5 years: the contract binds
    assert permit["valid_from"] == "2026-04-01" and permit["valid_until"] == "2028-03-31"
    assert permit["valid_until_reason"] == "contract"
    assert permit["notice_valid_until"] == "2026-09-03"  # WP-6: six months from the issue

    auditor_view = await fe.call("GET", f"/permits/{done['permit_id']}", AUDITOR)
    assert auditor_view["passport_number"] != PASSPORT and "*" in auditor_view["passport_number"]
    await fe.call("GET", f"/permits/{done['permit_id']}", OTHER_CLERK, 404)
    await fe.call("GET", f"/permit-applications/{app['id']}", OTHER_CLERK, 404)

    # WP-9 verification: only the permit's state, class, dates and employer; a wrong passport is the same
    # "not found"
    key = api_key(VERIFY)
    answer = await fe.call("GET", "/permits/verify", key, params={"number": permit["number"], "passport": PASSPORT})
    assert answer == {
        "valid": False,
        "status": "not_yet_in_force",
        "permit_class": "A",
        "valid_from": "2026-04-01",
        "valid_until": "2028-03-31",
        "employer_name": employer["name"],
    }  # not yet in force on 3 March (valid from 1 April): said so, not mistaken for expired or cancelled
    fe.clock.set(date(2026, 4, 2))
    answer = await fe.call("GET", "/permits/verify", key, params={"number": permit["number"], "passport": PASSPORT})
    assert answer["valid"] is True and answer["status"] == "in_force"
    wrong = await fe.call(
        "GET", "/permits/verify", key, 404, params={"number": permit["number"], "passport": "X9999999"}
    )
    unknown = await fe.call(
        "GET", "/permits/verify", key, 404, params={"number": "222026000000009990"[:17] + "0", "passport": PASSPORT}
    )
    assert wrong["code"] == unknown["code"] == "permit_not_found" and wrong["detail"] == unknown["detail"]
    await fe.call(
        "GET",
        "/permits/verify",
        api_key("projects:integrity:read"),
        403,
        params={"number": permit["number"], "passport": PASSPORT},
    )
    async with fe.db.sessionmaker() as s:
        log = (await s.execute(select(Verification).order_by(Verification.id))).scalars().all()
    assert [(v.found, v.caller_name) for v in log] == [(True, "吉林省公安厅出入境管理局")] * 2 + [
        (False, "吉林省公安厅出入境管理局")
    ] * 2
    listed = await fe.call("GET", "/permit-verifications", AUDITOR, params={"permit_id": permit["id"]})
    assert [v["found"] for v in listed] == [True, True] and listed[0]["caller_name"] == "吉林省公安厅出入境管理局"
    await fe.call("GET", "/permit-verifications", CLERK, 403)

    # extension (延期): the contract goes on to 2029-03-31; the permit follows
    change = await fe.call(
        "POST",
        f"/permits/{permit['id']}/changes",
        CLERK,
        201,
        json={"kind": "extension", "extension": {"contract_ends_on": "2029-03-31"}},
    )
    await fe.call(
        "POST",
        f"/permits/{permit['id']}/changes",
        CLERK,
        409,
        json={"kind": "extension", "extension": {"contract_ends_on": "2029-06-30"}},
    )
    approved_change = await fe.call("POST", f"/permit-changes/{change['id']}/approve", OFFICIAL)
    assert approved_change["status"] == "approved"
    assert approved_change["outcome"]["valid_until"] == ["2028-03-31", "2029-03-31"]
    # cancellation (注销)
    cancel = await fe.call(
        "POST",
        f"/permits/{permit['id']}/changes",
        CLERK,
        201,
        json={"kind": "cancellation", "cancellation": {"reason": "contract_terminated", "ended_on": "2026-12-31"}},
    )
    await fe.call("POST", f"/permit-changes/{cancel['id']}/approve", OFFICIAL)
    cancelled = await fe.call("GET", f"/permits/{permit['id']}", CLERK)
    assert cancelled["status"] == "cancelled" and cancelled["valid_today"] is False
    answer = await fe.call("GET", "/permits/verify", key, params={"number": permit["number"], "passport": PASSPORT})
    assert answer["valid"] is False and answer["status"] == "cancelled"
    history = await fe.call("GET", f"/permits/{permit['id']}/history", OFFICIAL)
    assert [h["action"] for h in history][-1] == "cancel"


async def test_wp9_verification_says_expired_from_the_day_after_the_last_valid_day(fe) -> None:  # type: ignore[no-untyped-def]
    """WP-9, CAL-2: on its last valid day (Beijing time, late evening) a permit is in force; from 00:00 the next
    day it is expired, which the answer says instead of a bare ``valid: false``."""
    _, done = await issued(fe)
    permit = await fe.call("GET", f"/permits/{done['permit_id']}", OFFICIAL)
    last = date.fromisoformat(permit["valid_until"])
    key = api_key(VERIFY)
    params = {"number": permit["number"], "passport": PASSPORT}
    fe.clock.set(last, hour=23)
    answer = await fe.call("GET", "/permits/verify", key, params=params)
    assert (answer["valid"], answer["status"]) == (True, "in_force")
    fe.clock.set(last + timedelta(days=1), hour=0)
    answer = await fe.call("GET", "/permits/verify", key, params=params)
    assert (answer["valid"], answer["status"]) == (False, "expired")
    assert (answer["valid_from"], answer["valid_until"]) == (permit["valid_from"], permit["valid_until"])
    assert (await fe.call("GET", f"/permits/{permit['id']}", OFFICIAL))["valid_today"] is False


async def test_pipl_passport_and_birth_date_never_in_clear_at_rest(fe) -> None:  # type: ignore[no-untyped-def]
    """Every table, the replayable responses of Idempotency-Key included: the clerk's answer shows the
    passport in full, so the stored copy is sealed, and the replay still shows it in full."""
    employer, done = await issued(fe)
    body = {
        "employer_id": employer["id"],
        "foreigner": foreigner(passport_number="E7654321", nationality="FRA"),
        "post": post(),
        "documents": documents(),
    }
    key = {"Idempotency-Key": "pipl-at-rest-1"}
    first = await fe.call("POST", "/permit-applications", CLERK, 201, json=body, headers=key)
    replay = await fe.client.post("/api/v1/foreign-experts/permit-applications", json=body, headers={**CLERK, **key})
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == first
    assert first["foreigner"]["passport_number"] == "E7654321"
    async with fe.db.sessionmaker() as s:
        for table in (
            "permit_applications",
            "foreigners",
            "foreigner_passports",
            "permits",
            "permit_changes",
            "permit_verifications",
            "audit_log",
            "workflow_history",
            "idempotency_records",
        ):
            rows = (await s.execute(text(f"SELECT * FROM {table}"))).all()
            dump = repr([tuple(r) for r in rows])  # a Row's own repr cuts long values short
            assert "E7654321" not in dump, table
            assert PASSPORT not in dump, table
            assert "1986-04-12" not in dump, table
        raw = (await s.execute(select(PermitApplication).where(PermitApplication.id == done["id"]))).scalars().one()
        assert raw.passport_enc.startswith("sm4gcm1.") and raw.passport_masked == "C0*****47"


async def test_wp8_same_person_new_employer_keeps_the_number(fe) -> None:  # type: ignore[no-untyped-def]
    _, first = await issued(fe)
    number = (await fe.call("GET", f"/permits/{first['permit_id']}", OFFICIAL))["number"]
    other = await make_employer(fe, OTHER_CLERK, uscc=OTHER_USCC, name="吉林市北华精细化工有限公司", city_code="2202")
    second = await make_application(fe, other["id"], OTHER_CLERK, post={"work_city_code": "2202"})
    await act(fe, second["id"], "submit", OTHER_CLERK)
    await act(fe, second["id"], "accept", OFFICIAL)
    await act(fe, second["id"], "approve", OFFICIAL)
    done = await act(fe, second["id"], "issue", OFFICIAL)
    new = await fe.call("GET", f"/permits/{done['permit_id']}", OFFICIAL)
    assert new["number"] == number and new["employer_id"] == other["id"]
    old = await fe.call("GET", f"/permits/{first['permit_id']}", OFFICIAL)
    assert old["status"] == "superseded"
    # the first employer's clerk no longer sees the new permit
    await fe.call("GET", f"/permits/{done['permit_id']}", CLERK, 404)


async def test_pipl_passport_and_birth_date_never_written_to_logs(make_db, caplog) -> None:  # type: ignore[no-untyped-def]
    """The access log names routes, never query strings or bodies: a verification's passport, a bad
    passport in a 422, a not-found verification leave nothing personal in any log record."""
    import logging

    from services.foreign_experts.main import create_app
    from services.foreign_experts.settings import ForeignExpertsSettings
    from tests.conftest import TEST_SECRET, running
    from tests.services.foreign_experts.conftest import FE, PII_SECRET, Clock, at

    db = await make_db("foreign_experts")
    app = create_app(
        ForeignExpertsSettings(
            internal_secret=TEST_SECRET, env="test", access_log=True, pii_secret=PII_SECRET, log_level="DEBUG"
        ),
        database=db,
    )
    app.state.clock = Clock(at(date(2026, 3, 2)))
    caplog.set_level(logging.DEBUG)
    async with running(app) as client:
        fe = FE(client, app, db, app.state.clock)
        _, done = await issued(fe)
        number = (await fe.call("GET", f"/permits/{done['permit_id']}", OFFICIAL))["number"]
        key = api_key(VERIFY)
        await fe.call("GET", "/permits/verify", key, params={"number": number, "passport": PASSPORT})
        await fe.call("GET", "/permits/verify", key, 404, params={"number": number, "passport": "Z7777777"})
        employer = (await fe.call("GET", "/employers", CLERK))["items"][0]
        r = await client.post(
            "/api/v1/foreign-experts/permit-applications",
            headers=CLERK,
            json={
                "employer_id": employer["id"],
                "foreigner": {"passport_number": "BAD PASS#9", "birth_date": "1977-07-07"},
                "post": {},
            },
        )
        assert r.status_code == 422
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "/permits/verify" in logged or "/permit-applications" in logged  # the access log did run
    for secret in (PASSPORT, "Z7777777", "1986-04-12", "1977-07-07", "BAD PASS#9"):
        assert secret not in logged, secret
