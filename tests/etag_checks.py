"""What every list and record promises a client about ETags (docs/api-conventions.md "Caching"): a list
item's ``etag`` is the ETag its record's GET gives (header and body alike), and that GET answers 304,
with no body, to an ``If-None-Match`` naming it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx


async def listed_etags_hold(
    client: httpx.AsyncClient,
    list_url: str,
    headers: Mapping[str, str],
    *,
    record_url: Callable[[dict[str, Any]], str] | None = None,
    at_least: int = 1,
) -> list[dict[str, Any]]:
    """Check every item of the first page of ``list_url`` against its record (``{list_url}/{id}`` unless
    ``record_url`` says where it is); return the items."""
    listed = await client.get(list_url, headers=dict(headers))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"] if isinstance(listed.json(), dict) else listed.json()
    assert len(items) >= at_least, (list_url, items)
    for item in items:
        url = record_url(item) if record_url else f"{list_url.split('?')[0]}/{item['id']}"
        read = await client.get(url, headers=dict(headers))
        assert read.status_code == 200, (url, read.text)
        assert item["etag"] == read.headers["etag"] == read.json()["etag"], (url, item["etag"])
        cached = await client.get(url, headers={**headers, "If-None-Match": item["etag"]})
        assert cached.status_code == 304, (url, cached.status_code)
        assert cached.content == b"" and cached.headers["etag"] == item["etag"]
    return items
