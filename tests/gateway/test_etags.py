"""The gateway's own records keep the ETag contract (docs/api-conventions.md "Caching"): organisations and
users listed with the ETag their GET gives, and a 304 to If-None-Match naming it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.etag_checks import listed_etags_hold
from tests.gateway.accounts_fixtures import USCC_JLU, Gateway, running_gateway


@pytest.fixture
async def gateway(make_db: Any) -> AsyncIterator[Gateway]:
    async with running_gateway(make_db) as gw:
        yield gw


async def test_listed_etags_are_the_records(gateway: Gateway) -> None:
    admin = await gateway.admin()
    created = await gateway.client.post(
        "/api/v1/admin/organizations", json={"name": "吉林大学", "kind": "university", "uscc": USCC_JLU}, headers=admin
    )
    assert created.status_code == 201, created.text
    (org,) = await listed_etags_hold(gateway.client, "/api/v1/admin/organizations", admin)
    await listed_etags_hold(gateway.client, "/api/v1/admin/users", admin)
    renamed = await gateway.client.patch(
        f"/api/v1/admin/organizations/{org['id']}",
        json={"name": "吉林大学（前卫校区）"},
        headers=admin | {"If-Match": org["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
