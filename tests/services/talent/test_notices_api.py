"""Talent notices (公示) through the API, on the shared machinery: the AW-3 periods in natural days and
TAL-5's in working days, the objection deadline at its edge (23:59:59 Asia/Shanghai of the last day is in
time, 00:00:00 the next day is late), real-name objections with a contact and evidence, the contact sealed
at rest, public pages that never show an ID number or a contact, and the conclusion only once every
objection is resolved.

Each kind's own part (which records, what upholding and concluding do) is tested with its part of the
service; here a stand-in kind lists a call's applications accepted at formal review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from services.talent.applications.models import TalentApplication
from services.talent.notices import subjects
from services.talent.notices.repository import pending_objections
from shared.notices.rules import notice_start
from shared.notices.scope import EntryDraft, NoticeDraft
from shared.workdays import SHANGHAI
from tests.services.talent.awards_support import open_cycle
from tests.services.talent.conftest import (
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    MAN_35,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_APPLICANT,
    Talent,
)
from tests.services.talent.test_applications_api import draft, open_call, submit

PHONE = "13904310000"
EVIDENCE = [{"name": "论文对比.pdf", "size": 1024, "sha256": "a" * 64, "content_type": "application/pdf"}]


class StandIn(subjects.NoticeSubjects):
    """Lists the applications accepted at formal review, whatever the call or cycle named."""

    def __init__(self, kind: str, days: int, day_count: str) -> None:
        self.kind = kind  # type: ignore[misc]
        self.days, self.day_count = days, day_count
        self.upheld_ids: list[int] = []
        self.concluded_ids: list[int] = []

    async def prepare(self, session, principal, body, now, env) -> NoticeDraft:  # type: ignore[no-untyped-def]
        rows = (
            await session.execute(select(TalentApplication).where(TalentApplication.status == "accepted"))
        ).scalars()
        return NoticeDraft(
            values={"kind": self.kind, "call_id": body.call_id, "cycle_id": body.cycle_id, "year": 2027},
            title=body.title or "拟入选名单公示",
            starts_at=notice_start(body.starts_on, now),
            days=self.days,
            day_count=self.day_count,
            entries=[
                EntryDraft(subject_id=a.id, title=a.title, person_name=a.applicant_name, organisation_name=a.org_name)
                for a in rows
            ],
        )

    async def upheld(self, session, principal, notice, entry, objection, comment, env) -> None:  # type: ignore[no-untyped-def]
        self.upheld_ids.append(entry.subject_id)

    async def concluded(self, session, principal, notice, comment, env) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        self.concluded_ids = [e.subject_id for e in notice.entries if e.status == "listed"]
        return {"listed": self.concluded_ids}


@pytest.fixture
def acceptance(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    stand_in = StandIn("award_acceptance", 30, "natural")
    monkeypatch.setitem(subjects.SUBJECTS, "award_acceptance", stand_in)
    return stand_in


@pytest.fixture
def selection(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    stand_in = StandIn("selection", 5, "working")
    monkeypatch.setitem(subjects.SUBJECTS, "selection", stand_in)
    return stand_in


async def accepted_application(talent: Talent) -> tuple[dict[str, Any], dict[str, Any]]:
    call = await open_call(talent)
    application = await draft(talent, call["id"])
    await submit(talent, application)
    await talent.call("POST", f"/applications/{application['id']}/endorse", ORG_ADMIN, json={})
    await talent.call("POST", f"/applications/{application['id']}/accept", OFFICIAL, json={})
    return call, application


async def award_notice(talent: Talent) -> tuple[dict[str, Any], dict[str, Any]]:
    """An acceptance notice (the stand-in's list) of a real award cycle, opened on 2027-03-10 at 10:00."""
    _, application = await accepted_application(talent)
    cycle = await open_cycle(talent)
    notice = await talent.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    return notice, application


def objection(subject_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "objector_name": "李明",
        "objector_contact": PHONE,
        "grounds": "代表作与他人成果重复",
        "evidence": EVIDENCE,
    } | changes


def at(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=SHANGHAI)  # type: ignore[misc]


async def test_aw3_the_acceptance_notice_runs_30_natural_days_and_takes_objections_to_23_59_59(
    talent: Talent, acceptance: StandIn
) -> None:
    notice, application = await award_notice(talent)
    assert (notice["days"], notice["day_count"], notice["ends_on"]) == (30, "natural", "2027-04-09")
    assert notice["calendar_confirmed"] is True and notice["kind"] == "award_acceptance"
    path = f"/notices/{notice['id']}/objections"
    talent.clock.now = at(2027, 4, 9, 23, 59, 59)
    taken = await talent.call("POST", path, APPLICANT, 201, json=objection(application["id"]))
    assert taken["status"] == "pending" and taken["objector_contact"] == PHONE
    talent.clock.now = at(2027, 4, 10, 0, 0, 0)
    late = await talent.call("POST", path, APPLICANT, 409, json=objection(application["id"]))
    assert late["code"] == "notice_closed" and late["clause"] == "AW-3" and late["ends_on"] == "2027-04-09"


async def test_tal5_the_proposed_list_runs_working_days_and_its_objections_cite_tal5(
    talent: Talent, selection: StandIn
) -> None:
    call, application = await accepted_application(talent)  # Wednesday 2027-03-10
    notice = await talent.call("POST", "/notices", OFFICIAL, 201, json={"kind": "selection", "call_id": call["id"]})
    assert (notice["days"], notice["day_count"], notice["ends_on"]) == (5, "working", "2027-03-17")
    talent.clock.now = at(2027, 3, 18, 0, 0, 0)
    late = await talent.call(
        "POST", f"/notices/{notice['id']}/objections", APPLICANT, 409, json=objection(application["id"])
    )
    assert late["code"] == "notice_closed" and late["clause"] == "TAL-5"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"objector_name": "   "}, "objector_name"),  # anonymous in all but form
        ({"objector_contact": "   "}, "objector_contact"),
        ({"grounds": " \n "}, "grounds"),  # not written
        ({"evidence": []}, "evidence"),  # AW-3: with evidence
    ],
)
async def test_aw3_an_objection_is_written_real_name_with_a_contact_and_evidence(
    talent: Talent, acceptance: StandIn, changes: dict[str, Any], field: str
) -> None:
    notice, application = await award_notice(talent)
    refused = await talent.call(
        "POST", f"/notices/{notice['id']}/objections", APPLICANT, 422, json=objection(application["id"], **changes)
    )
    assert refused["code"] == "objection_incomplete" and refused["clause"] == "AW-3"
    assert [e["field"] for e in refused["errors"]] == [field]
    async with talent.client._transport.app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        assert await pending_objections(session, cycle_id=notice["cycle_id"]) == 0  # nothing written


async def test_aw3_an_anonymous_objection_is_refused(talent: Talent, acceptance: StandIn) -> None:
    notice, application = await award_notice(talent)
    await talent.call("POST", f"/notices/{notice['id']}/objections", ANONYMOUS, 401, json=objection(application["id"]))


async def test_the_objectors_contact_is_sealed_at_rest_and_shown_only_to_them_and_the_staff(
    talent: Talent, acceptance: StandIn
) -> None:
    notice, application = await award_notice(talent)
    made = await talent.call(
        "POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection(application["id"])
    )
    async with talent.client._transport.app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = (await session.execute(text("SELECT objector_contact FROM notice_objections"))).scalar_one()
    assert PHONE not in stored and stored.startswith("sm4")
    assert (await talent.call("GET", f"/notice-objections/{made['id']}", APPLICANT))["objector_contact"] == PHONE
    listed = await talent.call("GET", f"/notices/{notice['id']}/objections", AUDITOR)
    assert [o["objector_contact"] for o in listed["items"]] == [PHONE]
    await talent.call("GET", f"/notice-objections/{made['id']}", OTHER_APPLICANT, 404)
    await talent.call("GET", f"/notices/{notice['id']}/objections", APPLICANT, 403)


async def test_a_notice_is_public_and_shows_no_id_number_or_contact(talent: Talent, acceptance: StandIn) -> None:
    notice, application = await award_notice(talent)
    await talent.call("POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection(application["id"]))
    r = await talent.client.get(f"/api/v1/talent/notices/{notice['id']}", headers=ANONYMOUS)
    assert r.status_code == 200
    assert [(e["person_name"], e["organisation_name"]) for e in r.json()["entries"]] == [("张伟", "吉林大学")]
    assert MAN_35 not in r.text and MAN_35[6:14] not in r.text and PHONE not in r.text
    listed = await talent.client.get("/api/v1/talent/notices?kind=award_acceptance", headers=ANONYMOUS)
    assert [n["id"] for n in listed.json()["items"]] == [notice["id"]]
    assert (await talent.client.get("/api/v1/talent/notices?kind=selection", headers=ANONYMOUS)).json()["items"] == []


async def test_aw3_the_notice_concludes_only_after_its_period_with_every_objection_resolved(
    talent: Talent, acceptance: StandIn
) -> None:
    notice, application = await award_notice(talent)
    made = await talent.call(
        "POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection(application["id"])
    )
    running = await talent.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, 409, json={})
    assert running["code"] == "notice_period_running"
    talent.clock.set(date(2027, 4, 10))
    pending = await talent.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, 409, json={})
    assert pending["code"] == "objections_unresolved" and pending["objection_ids"] == [made["id"]]
    await talent.call("POST", f"/notice-objections/{made['id']}/dismiss", ORG_ADMIN, 403, json={"comment": "x"})
    await talent.call("POST", f"/notice-objections/{made['id']}/dismiss", OFFICIAL, 422, json={})  # reasons required
    await talent.call(
        "POST", f"/notice-objections/{made['id']}/dismiss", OFFICIAL, json={"comment": "经核查，代表作为本人成果"}
    )
    concluded = await talent.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, json={})
    assert concluded["status"] == "concluded" and acceptance.concluded_ids == [application["id"]]


async def test_aw3_an_upheld_objection_withdraws_the_record(talent: Talent, acceptance: StandIn) -> None:
    notice, application = await award_notice(talent)
    made = await talent.call(
        "POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection(application["id"])
    )
    upheld = await talent.call(
        "POST", f"/notice-objections/{made['id']}/uphold", OFFICIAL, json={"comment": "异议属实"}
    )
    assert upheld["status"] == "upheld" and upheld["resolution"] == "异议属实"
    assert acceptance.upheld_ids == [application["id"]]
    read = await talent.call("GET", f"/notices/{notice['id']}", ANONYMOUS)
    assert [e["status"] for e in read["entries"]] == ["withdrawn"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "selection"},  # no call
        {"kind": "selection", "call_id": 1, "cycle_id": 1},  # both
        {"kind": "award_winners", "call_id": 1},  # a call for an award notice
        {"kind": "nomination", "cycle_id": 1},  # no such kind
    ],
)
async def test_a_notice_names_its_kind_and_its_call_or_cycle(talent: Talent, body: dict[str, Any]) -> None:
    refused = await talent.call("POST", "/notices", OFFICIAL, 422, json=body)
    assert refused["code"] == "validation_failed"


async def test_only_officials_open_notices(talent: Talent, acceptance: StandIn) -> None:
    await accepted_application(talent)
    cycle = await open_cycle(talent)
    await talent.call("POST", "/notices", ORG_ADMIN, 403, json={"kind": "award_acceptance", "cycle_id": cycle["id"]})
    await talent.call("POST", "/notices", AUDITOR, 403, json={"kind": "award_acceptance", "cycle_id": cycle["id"]})
