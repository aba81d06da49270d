"""Audit appends queue per service: two services sharing one PostgreSQL database never wait on each
other's chain (the advisory lock is keyed by schema)."""

from __future__ import annotations

import asyncio

from services.foundation.db import common as foundation_common
from services.projects.db import common as projects_common
from shared import audit


async def test_audit_appends_of_two_services_do_not_block_each_other(make_db) -> None:
    projects = await make_db("projects")
    foundation = await make_db("foundation")
    async with projects.sessionmaker() as first, foundation.sessionmaker() as second:
        # the first transaction holds its chain's lock until the end of the test
        await audit.append(first, projects_common, "user:1", "create", "thing", 1)
        row = await asyncio.wait_for(
            audit.append(second, foundation_common, "user:2", "create", "thing", 2), timeout=10
        )
        assert row.prev_hash == audit.GENESIS
        assert (await audit.verify(second, foundation_common)).valid
