"""ETags from lists and conditional reads (docs/api-conventions.md "Caching"): employers and permit
applications listed with the ETag their GET gives, and a 304 to If-None-Match naming it."""

from __future__ import annotations

from tests.etag_checks import listed_etags_hold
from tests.services.foreign_experts.conftest import CLERK, OFFICIAL, PREFIX, make_application, make_employer


async def test_listed_etags_are_the_records(fe) -> None:
    employer = await make_employer(fe)
    await make_application(fe, employer["id"])
    await listed_etags_hold(fe.client, f"{PREFIX}/employers", OFFICIAL)
    (item,) = await listed_etags_hold(fe.client, f"{PREFIX}/permit-applications", CLERK)
    assert item["etag"] == f'"permit_application-{item["id"]}-v{item["version"]}"'
