"""ETags from lists and conditional reads (docs/api-conventions.md "Caching"): every list's items carry the
ETag their record's GET gives, so an applicant changes a draft straight from the list; a GET naming the
current ETag in If-None-Match is a 304."""

from __future__ import annotations

from tests.etag_checks import listed_etags_hold
from tests.services.projects.conftest import (
    APPLICANT,
    OFFICIAL,
    PREFIX,
    act,
    create_application,
    create_call,
    create_programme,
)


async def test_listed_etags_are_the_records_and_a_patch_needs_no_get_first(client) -> None:
    programme = await create_programme(client)
    call = await create_call(client, programme["id"])
    draft = await create_application(client, call)
    await listed_etags_hold(client, f"{PREFIX}/programmes", OFFICIAL)
    await listed_etags_hold(client, f"{PREFIX}/calls", OFFICIAL)
    (item,) = await listed_etags_hold(client, f"{PREFIX}/applications", APPLICANT)

    url = f"{PREFIX}/applications/{draft['id']}"
    changed = await client.patch(url, json={"title": "黑土地保育技术"}, headers=APPLICANT | {"If-Match": item["etag"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["etag"] == changed.headers["etag"] != item["etag"]
    # the old ETag is no longer the record's: a full answer, then a stale If-Match is a 412
    again = await client.get(url, headers=APPLICANT | {"If-None-Match": item["etag"]})
    assert again.status_code == 200 and again.json()["title"] == "黑土地保育技术"
    stale = await client.patch(url, json={"title": "x"}, headers=APPLICANT | {"If-Match": item["etag"]})
    assert stale.status_code == 412

    await act(client, draft["id"], "submit", APPLICANT)
    (moved,) = await listed_etags_hold(client, f"{PREFIX}/applications", OFFICIAL)
    assert moved["status"] == "submitted" and moved["version"] == 3
