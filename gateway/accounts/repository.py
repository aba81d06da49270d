"""Every query of the accounts' tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.models import ApiKey, LoginFailure, Organization, User
from shared.pagination import SortSpec, paginate


class OrganizationRepository:
    sort_spec = SortSpec(
        fields={"name": Organization.name, "created_at": Organization.created_at}, id_column=Organization.id
    )

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, org_id: int) -> Organization | None:
        return await self.session.get(Organization, org_id)

    async def by_uscc(self, uscc: str) -> Organization | None:
        return (await self.session.execute(select(Organization).where(Organization.uscc == uscc))).scalar()

    def add(self, org: Organization) -> None:
        self.session.add(org)

    async def page(
        self,
        *,
        kind: str | None,
        active: bool | None,
        region_code: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[Organization], str | None]:
        stmt = select(Organization)
        if kind is not None:
            stmt = stmt.where(Organization.kind == kind)
        if active is not None:
            stmt = stmt.where(Organization.active == active)
        if region_code is not None:
            stmt = stmt.where(Organization.region_code.startswith(region_code, autoescape=True))
        return await paginate(self.session, stmt, self.sort_spec, limit=limit, cursor=cursor, sort=sort)


class UserRepository:
    sort_spec = SortSpec(
        fields={"email": User.email, "created_at": User.created_at},
        id_column=User.id,
    )

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        return (await self.session.execute(select(User).where(User.email == email))).scalar()

    async def organization_active(self, organization_id: int | None) -> bool:
        """Whether the user's organisation (if any) is active."""
        if organization_id is None:
            return True
        return bool(
            (await self.session.execute(select(Organization.active).where(Organization.id == organization_id))).scalar()
        )

    async def any_exists(self) -> bool:
        return bool((await self.session.execute(select(exists().where(User.id.is_not(None))))).scalar())

    def add(self, user: User) -> None:
        self.session.add(user)

    async def administrators(self, limit: int) -> tuple[list[User], int]:
        """The active administrators, oldest first (at most ``limit``), and how many there are in all."""
        # roles is a JSON list of names: '"admin"' with its quotes is that role alone, never "org_admin".
        where = (User.active.is_(True), cast(User.roles, String).like('%"admin"%'))
        found = (await self.session.execute(select(User).where(*where).order_by(User.id).limit(limit))).scalars()
        total = (await self.session.execute(select(func.count()).select_from(User).where(*where))).scalar_one()
        return list(found), int(total)

    async def page(
        self,
        *,
        organization_id: int | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[User], str | None]:
        stmt = select(User)
        if organization_id is not None:
            stmt = stmt.where(User.organization_id == organization_id)
        if active is not None:
            stmt = stmt.where(User.active == active)
        return await paginate(self.session, stmt, self.sort_spec, limit=limit, cursor=cursor, sort=sort)

    async def record_login(self, user_id: int, now: datetime, new_hash: str | None) -> None:
        # A plain UPDATE, not a flush of the object: logging in is not an edit, so the version
        # (and the ETag an administrator may hold) stays as it is.
        values: dict[str, Any] = {"last_login_at": now}
        if new_hash is not None:
            values["password_hash"] = new_hash
        await self.session.execute(
            update(User).where(User.id == user_id).values(**values).execution_options(synchronize_session=False)
        )

    async def identity(self, user_id: int) -> Any:
        """What authenticating a token needs, in one indexed query."""
        stmt = (
            select(
                User.id,
                User.active,
                User.roles,
                User.organization_id,
                User.display_name,
                User.password_changed_at,
                Organization.uscc,
                Organization.active.label("org_active"),
            )
            .outerjoin(Organization, Organization.id == User.organization_id)
            .where(User.id == user_id)
        )
        return (await self.session.execute(stmt)).first()


class LoginFailureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def locked_until(self, digest: str, now: datetime) -> datetime | None:
        until = (
            await self.session.execute(select(LoginFailure.locked_until).where(LoginFailure.email_digest == digest))
        ).scalar()
        return until if until is not None and until > now else None

    async def record_failure(self, digest: str, now: datetime, *, window: timedelta, max_failures: int) -> bool:
        """Count one failure atomically (failures older than ``window`` start the count afresh);
        lock for ``window`` at ``max_failures``. True when this failure locked the address."""
        table = LoginFailure.__table__
        stale = now - window
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(LoginFailure)
            .values(email_digest=digest, failures=1, last_failure_at=now, locked_until=None)
            .on_conflict_do_update(
                index_elements=[table.c.email_digest],
                set_={
                    "failures": case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
                    "last_failure_at": now,
                },
            )
            .returning(table.c.failures)
        )
        failures = (await self.session.execute(stmt)).scalar_one()
        # Rows that no longer count for anything are pruned as failures come (an index serves this).
        await self.session.execute(
            delete(LoginFailure).where(
                LoginFailure.last_failure_at < stale,
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now),
            )
        )
        if failures < max_failures:
            return False
        await self.session.execute(
            update(LoginFailure)
            .where(LoginFailure.email_digest == digest)
            .values(failures=0, locked_until=now + window)
            .execution_options(synchronize_session=False)
        )
        return True

    async def clear(self, digest: str) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.email_digest == digest))


class ApiKeyRepository:
    sort_spec = SortSpec(
        fields={"created_at": ApiKey.created_at, "name": ApiKey.name}, id_column=ApiKey.id, default="-created_at"
    )

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key_id: str) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    def add(self, key: ApiKey) -> None:
        self.session.add(key)

    async def page(
        self,
        *,
        organization_id: int | None,
        revoked: bool | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[ApiKey], str | None]:
        stmt = select(ApiKey)
        if organization_id is not None:
            stmt = stmt.where(ApiKey.organization_id == organization_id)
        if revoked is not None:
            stmt = stmt.where(ApiKey.revoked_at.is_not(None) if revoked else ApiKey.revoked_at.is_(None))
        return await paginate(self.session, stmt, self.sort_spec, limit=limit, cursor=cursor, sort=sort)

    async def credential(self, key_id: str) -> Any:
        """What authenticating a key needs, in one primary-key query."""
        stmt = (
            select(
                ApiKey.id,
                ApiKey.key_digest,
                ApiKey.agency,
                ApiKey.scopes,
                ApiKey.organization_id,
                ApiKey.expires_at,
                ApiKey.revoked_at,
                ApiKey.last_used_at,
                Organization.uscc,
                Organization.active.label("org_active"),
            )
            .outerjoin(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.id == key_id)
        )
        return (await self.session.execute(stmt)).first()

    async def touch(self, key_id: str, now: datetime, not_since: datetime) -> None:
        """Set last_used_at unless it is already later than ``not_since``."""
        await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < not_since))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
