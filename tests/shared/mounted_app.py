"""A service that mounts the shared review rounds and public notices, as docs/adding-a-service.md
shows talent and transfer doing it: award nominations reviewed by a panel drawn from the reviewer
pool (indicator scores, no grades, as TAL-1 scores talent), then published for objections (AW-3).
Test-only; its tables are created with create_all (a real service writes a migration), and its pool
is a list in memory (a real service reads the projects service's, ``env.projects.reviewers``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import FastAPI, Query
from sqlalchemy import ColumnElement, Integer, String, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.app import ServiceSpec, create_service_app
from shared.clients.reviewers import ReviewerCandidate
from shared.db import CommonTables, Database, new_metadata
from shared.db.models import AwareDateTime, BigId, VersionedMixin
from shared.errors import Conflict, NotFound
from shared.notices.models import NoticeColumns, notice_tables
from shared.notices.router import notice_router
from shared.notices.schemas import NoticeReadBase, NoticeSummaryBase
from shared.notices.scope import EntryDraft, NoticeDraft, NoticeScope
from shared.notices.service import PublicNotices
from shared.principal import Principal
from shared.review.form import FormCriterion, ReviewForm, RoundDefaults
from shared.review.model import Application as DrawApplication
from shared.review_rounds.models import RoundColumns, review_tables
from shared.review_rounds.router import review_router
from shared.review_rounds.schemas import RoundCreateBase, RoundReadBase
from shared.review_rounds.scope import ApplicationFacts, RoundScope
from shared.review_rounds.service import ReviewRounds
from shared.schemas import InputSchema, OutputSchema
from shared.settings import ServiceSettings

# --- the service's own tables ----------------------------------------------------------------------


class Base(DeclarativeBase):
    metadata = new_metadata()


common = CommonTables(Base)


class Nomination(VersionedMixin, Base):
    """The records a round reviews and a notice publishes (a service's applications)."""

    __tablename__ = "nominations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cycle: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    candidate_key: Mapped[str] = mapped_column(String(64))  # shared.subject_keys.person_key of the candidate
    unit_key: Mapped[str] = mapped_column(String(64))
    candidate_name: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))  # accepted → in_review → reviewed → proposed → awarded
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime())


# --- review rounds: the round's scope, the tables, the form ------------------------------------------


class ReviewRound(RoundColumns, Base):
    __tablename__ = "review_rounds"
    cycle: Mapped[int] = mapped_column(Integer, index=True)


REVIEW_TABLES = review_tables(Base, ReviewRound, application_table="nominations")

# TAL-1 style: indicators under the four dimensions with weights, each scored 0-100; no grade.
FORM = ReviewForm(
    criteria=(
        FormCriterion("ability", "创新能力", "Innovation ability", Decimal("0.3"), comment_required=True),
        FormCriterion("quality", "质量", "Quality", Decimal("0.3")),
        FormCriterion("contribution", "贡献", "Contribution", Decimal("0.2")),
        FormCriterion("performance", "绩效", "Performance", Decimal("0.2")),
    ),
    graded=False,
)


class RoundCreate(RoundCreateBase):
    cycle: int


class RoundRead(RoundReadBase):
    cycle: int


class NominationView(OutputSchema):
    id: int
    title: str
    unit_name: str


@dataclass
class Env:
    """What a use case needs from the running service (a real service's ``deps.Env``)."""

    pool: InMemoryPool


@dataclass
class InMemoryPool:
    reviewers: list[ReviewerCandidate]
    loads: dict[int, int] = field(default_factory=dict)

    async def candidates(self, disciplines: Sequence[str]) -> list[ReviewerCandidate]:
        return list(self.reviewers)

    async def report_loads(self, loads: dict[int, int]) -> list[int]:
        self.loads.update(loads)
        return []


class AwardRounds(RoundScope):
    review_view_model = NominationView

    async def prepare(self, session: AsyncSession, caller: Principal, body: Any, env: Any) -> dict[str, Any]:
        return {"cycle": body.cycle}

    def visible(self, caller: Principal) -> ColumnElement[bool]:
        return true()  # officials, agencies and auditors see every round here

    async def acting(self, session: AsyncSession, caller: Principal, rnd: Any) -> Principal:
        return caller

    async def drawable(self, session: AsyncSession, rnd: Any, env: Any) -> Sequence[Any]:
        stmt = select(Nomination).where(Nomination.cycle == rnd.cycle, Nomination.status == "accepted")
        return list((await session.execute(stmt.order_by(Nomination.id).with_for_update())).scalars())

    async def draw_inputs(
        self, session: AsyncSession, rnd: Any, found: Sequence[Any], env: Any
    ) -> tuple[list[str], list[DrawApplication]]:
        apps = [DrawApplication(id=str(n.id), applicant_key=n.candidate_key, institution_key=n.unit_key) for n in found]
        return ["F"], apps

    def pool(self, session: AsyncSession, env: Any) -> InMemoryPool:
        return env.pool  # type: ignore[no-any-return]

    async def sent_to_review(
        self, session: AsyncSession, caller: Principal, rnd: Any, found: Sequence[Any], env: Any
    ) -> list[int]:
        for n in found:
            n.status = "in_review"
        return [n.id for n in found]

    async def reviewed(
        self, session: AsyncSession, caller: Principal, rnd: Any, ids: Sequence[int], env: Any
    ) -> list[int]:
        for n in (await session.execute(select(Nomination).where(Nomination.id.in_(ids)))).scalars():
            n.status = "reviewed"
        return sorted(ids)

    async def facts(
        self, session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
    ) -> dict[int, ApplicationFacts]:
        rows = (await session.execute(select(Nomination).where(Nomination.id.in_(ids)))).scalars()
        return {
            n.id: ApplicationFacts(n.id, n.title, n.status, n.submitted_at, n.cycle, {"cycle": n.cycle}) for n in rows
        }

    async def review_view(self, session: AsyncSession, application_id: int) -> NominationView:
        n = await session.get(Nomination, application_id)
        assert n is not None
        return NominationView(id=n.id, title=n.title, unit_name=n.unit_name)


ROUNDS = ReviewRounds(
    REVIEW_TABLES, AwardRounds(RoundDefaults(form=FORM, reviewers_per_application=3)), common, RoundRead
)


# --- public notices: the notice's scope, the tables --------------------------------------------------


class Notice(NoticeColumns, Base):
    __tablename__ = "public_notices"
    cycle: Mapped[int] = mapped_column(Integer, index=True)


NOTICE_TABLES = notice_tables(Base, Notice, subject_table="nominations")


class NoticeCreate(InputSchema):
    cycle: int


class NoticeRead(NoticeReadBase):
    cycle: int


class NoticeSummary(NoticeSummaryBase):
    cycle: int


class AwardNotices(NoticeScope):
    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        stmt = select(Nomination).where(Nomination.cycle == body.cycle, Nomination.status == "reviewed")
        found = list((await session.execute(stmt.order_by(Nomination.id))).scalars())
        if not found:
            raise Conflict("没有可公示的提名。", "Nothing to publish.")
        for n in found:
            n.status = "proposed"
        entries = [EntryDraft(n.id, n.title, n.candidate_name, n.unit_name) for n in found]
        return NoticeDraft({"cycle": body.cycle}, f"{body.cycle}年度拟授奖公示", now, 5, entries)

    async def staff_of(self, session: AsyncSession, principal: Principal, notice: Any) -> bool:
        return principal.has_role("official", "auditor")

    async def upheld(
        self,
        session: AsyncSession,
        principal: Principal,
        notice: Any,
        entry: Any,
        objection: Any,
        comment: str,
        env: Any,
    ) -> None:
        nomination = await session.get(Nomination, objection.subject_id)
        if nomination is None:
            raise NotFound()
        nomination.status = "withdrawn"

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: Any, comment: str | None, env: Any
    ) -> dict[str, Any]:
        listed = [e.subject_id for e in notice.entries if e.status == "listed"]
        for n in (await session.execute(select(Nomination).where(Nomination.id.in_(listed)))).scalars():
            n.status = "awarded"
        return {"awarded": listed}


NOTICES = PublicNotices(NOTICE_TABLES, AwardNotices(), common, NoticeRead, NoticeSummary)


# --- the mount ------------------------------------------------------------------------------------------


def cycle_filter(cycle: Annotated[int | None, Query(ge=2000, le=2200)] = None) -> dict[str, Any]:
    return {"cycle": cycle}


class MountedSettings(ServiceSettings):
    service_name = "talent"


def create_app(database: Database, pool: InMemoryPool) -> FastAPI:
    def environment() -> Env:
        return Env(pool=pool)

    spec = ServiceSpec(
        name="talent",
        title="mounted",
        description="review rounds and notices mounted",
        routers=[
            review_router(ROUNDS, create_body=RoundCreate, env=environment, filters=cycle_filter),
            notice_router(
                NOTICES,
                open_body=NoticeCreate,
                env=environment,
                filters=cycle_filter,
                open_summary="Publish the proposed winners / 拟授奖公示",
            ),
        ],
        common=common,
    )
    from tests.conftest import TEST_SECRET

    settings = MountedSettings(internal_secret=TEST_SECRET, env="test", access_log=False)
    return create_service_app(spec, settings, database=database)
