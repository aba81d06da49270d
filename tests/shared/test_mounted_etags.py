"""The shared review rounds and notices keep the ETag contract wherever a service mounts them
(docs/api-conventions.md "Caching"): rounds, a reviewer's assignments, notices and objections are listed
with the ETag their GET gives, and that GET answers 304 to If-None-Match naming it."""

from __future__ import annotations

from sqlalchemy import update

from shared.db import Database
from tests.conftest import running
from tests.etag_checks import listed_etags_hold
from tests.services.projects.conftest import headers
from tests.shared import mounted_app as m
from tests.shared.test_mounting import AGENCY, APPLICANT, OFFICIAL, P, db, nominations, reviewer, scores

__all__ = ["db"]  # the fixture, shared with test_mounting


async def test_listed_etags_are_the_records(db: Database) -> None:
    first, _ = await nominations(db)
    app = m.create_app(db, m.InMemoryPool([reviewer(n) for n in (1, 2, 3)]))
    async with running(app) as c:
        rnd = (await c.post(f"{P}/review-rounds", json={"cycle": 2026, "title": "评审"}, headers=AGENCY)).json()
        assert (
            await c.post(f"{P}/review-rounds/{rnd['id']}/draw", json={"seed": 1}, headers=AGENCY)
        ).status_code == 200
        await listed_etags_hold(c, f"{P}/review-rounds", AGENCY)
        me = headers("reviewer", subject="rv-1")
        (assignment, *_) = await listed_etags_hold(c, f"{P}/review-assignments", me, at_least=2)
        draft = await c.put(f"{P}/review-assignments/{assignment['id']}/review", json=scores(80), headers=me)
        review = await c.get(f"{P}/review-assignments/{assignment['id']}/review", headers=me)
        assert draft.headers["etag"] == review.headers["etag"]
        assert review.status_code == 200 and review.json()["etag"] == review.headers["etag"]

        async with db.sessionmaker() as session:
            await session.execute(update(m.Nomination).where(m.Nomination.id == first).values(status="reviewed"))
            await session.commit()
        notice = (await c.post(f"{P}/notices", json={"cycle": 2026}, headers=OFFICIAL)).json()
        await listed_etags_hold(c, f"{P}/notices", OFFICIAL)
        objection = {
            "subject_id": first,
            "objector_name": "张伟",
            "objector_contact": "13800000000",
            "grounds": "成果不实",
        }
        assert (
            await c.post(f"{P}/notices/{notice['id']}/objections", json=objection, headers=APPLICANT)
        ).status_code == 201
        await listed_etags_hold(
            c,
            f"{P}/notices/{notice['id']}/objections",
            OFFICIAL,
            record_url=lambda item: f"{P}/notice-objections/{item['id']}",
        )
