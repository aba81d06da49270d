"""ETags from lists and conditional reads (docs/api-conventions.md "Caching"): plans and applications
listed with the ETag their GET gives, and a 304 to If-None-Match naming it."""

from __future__ import annotations

from tests.etag_checks import listed_etags_hold
from tests.services.foundation.conftest import APPLICANT, OFFICIAL, PREFIX
from tests.services.foundation.helpers import create_application, create_plan


async def test_listed_etags_are_the_records(client) -> None:
    plan = await create_plan(client)
    draft = await create_application(client, plan)
    await listed_etags_hold(client, f"{PREFIX}/plans", OFFICIAL)
    (item,) = await listed_etags_hold(client, f"{PREFIX}/applications", APPLICANT)
    changed = await client.patch(
        f"{PREFIX}/applications/{draft['id']}",
        json={"title": "黑土地遥感解译"},
        headers=APPLICANT | {"If-Match": item["etag"]},
    )
    assert changed.status_code == 200, changed.text
