"""Use cases of employers (用人单位): a clerk registers its own organisation, edits its contact details,
officials suspend and reinstate. Never commits: the request's unit of work does."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.db import common
from services.foreign_experts.employers import repository as repo
from services.foreign_experts.employers.models import Employer
from services.foreign_experts.employers.schemas import EmployerCreate, EmployerRead, EmployerUpdate
from services.foreign_experts.errors import EmployerSuspended, LicenceExpired
from services.foreign_experts.labels import state_label
from services.foreign_experts.rules.workflows import EMPLOYER_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, Forbidden, NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.validators import JILIN_REGIONS
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "employer"


def not_found() -> NotFound:
    return NotFound("用人单位不存在。", "No such employer.")


def to_read(employer: Employer) -> EmployerRead:
    zh, en = JILIN_REGIONS.get(employer.city_code, (employer.city_code, employer.city_code))
    return EmployerRead.model_validate(
        {
            **{c.key: getattr(employer, c.key) for c in Employer.__table__.columns},
            "city": Label(zh=zh, en=en),
            "status_label": state_label(employer.status),
        }
    )


async def load(session: AsyncSession, principal: Principal, employer_id: int) -> Employer:
    """The employer if the caller may see it: another employer's is a 404."""
    employer = await repo.get_visible(session, principal, employer_id)
    if employer is None:
        raise not_found()
    return employer


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    city_code: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[EmployerRead]:
    """The employers the caller may see: all for officials and auditors, a clerk's own."""
    rows, next_cursor = await repo.page(
        session, principal, status=status, city_code=city_code, q=q, limit=limit, cursor=cursor, sort=sort
    )
    return Page[EmployerRead](items=[to_read(r) for r in rows], next_cursor=next_cursor)


def check_may_apply(employer: Employer, today: date) -> None:
    """An employer acts through the bureau only while registered and licensed (WP-5 caps the permit by the
    licence, so an expired one could give no permit at all)."""
    if employer.status != "registered":
        raise EmployerSuspended(
            "用人单位已被暂停，暂不能办理工作许可。",
            "The employer is suspended and cannot apply for work permits for now.",
        )
    if employer.licence_expires_on is not None and employer.licence_expires_on < today:
        raise LicenceExpired(
            f"营业执照已于 {employer.licence_expires_on} 到期，请先更新单位信息。",
            f"The business licence expired on {employer.licence_expires_on}; update the employer's details first.",
        )


async def create(session: AsyncSession, principal: Principal, body: EmployerCreate) -> Employer:
    if not principal.has_role("official") and not access.is_clerk_of(principal, body.uscc):
        raise Forbidden(
            "只能登记本单位（账号所属机构）的信息。",
            "You can register only your own organisation (the one your account belongs to).",
        )
    if await repo.by_uscc(session, body.uscc) is not None:
        raise Duplicate(
            f"统一社会信用代码 {body.uscc} 的用人单位已登记。",
            f"An employer with the USCC {body.uscc} is already registered.",
            extra={"field": "uscc"},
        )
    employer = Employer(**body.model_dump(), status=EMPLOYER_WORKFLOW.initial, version=1, created_by=principal.actor_id)
    session.add(employer)
    await flush_versioned(session, "用人单位")
    await EMPLOYER_WORKFLOW.record_creation(session, common, employer, principal)
    await audit.append(session, common, principal, "create", KIND, employer.id, {"uscc": employer.uscc})
    return employer


async def update(
    session: AsyncSession, principal: Principal, employer_id: int, body: EmployerUpdate, if_match: str | None
) -> Employer:
    employer = await load(session, principal, employer_id)
    acting = access.acting(principal, employer.uscc)
    if not acting.has_role("official", "clerk"):
        raise Forbidden(
            "只有本单位经办人或厅工作人员可以修改。", "Only the employer's clerks or officials may edit it."
        )
    check_if_match(if_match, KIND, employer.id, employer.version)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is not None or field in ("name_en", "address", "contact_email", "licence_expires_on"):
            setattr(employer, field, value)
    employer.version += 1
    await flush_versioned(session, "用人单位")
    await audit.append(session, common, principal, "update", KIND, employer.id, {k: str(v) for k, v in changes.items()})
    return employer


async def act(
    session: AsyncSession,
    principal: Principal,
    employer_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
) -> Employer:
    employer = await load(session, principal, employer_id)
    check_if_match(if_match, KIND, employer.id, employer.version, required=False)
    await EMPLOYER_WORKFLOW.apply(
        session, common, employer, action, access.acting(principal, employer.uscc), comment=comment
    )
    await flush_versioned(session, "用人单位")
    await audit.append(session, common, principal, action, KIND, employer.id, {"status": employer.status})
    return employer


async def history(session: AsyncSession, principal: Principal, employer_id: int) -> list[HistoryRead]:
    employer = await load(session, principal, employer_id)
    return await load_history(session, common, KIND, employer.id)
