"""ETags as HTTP means them (docs/api-conventions.md "Safety of writes" and "Caching"): ``If-Match`` read
the way a client meant it, a 412 that says what happened, and a 304 for a GET whose ``If-None-Match``
names its current ETag, on every route that sets one."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Response
from starlette.responses import StreamingResponse

from shared.concurrency import Tagged, check_if_match, entity_tags, etag
from shared.errors import PreconditionFailed
from shared.middleware import ConditionalGetMiddleware
from tests.conftest import principal_headers, running
from tests.shared import sample_app

ALICE = principal_headers("applicant", subject="alice")
P = "/api/v1/sample"


def test_entity_tags_are_read_as_quoted_without_the_weak_prefix() -> None:
    assert entity_tags('"application-6-v2"') == ['"application-6-v2"']
    assert entity_tags("application-6-v2") == ['"application-6-v2"']
    assert entity_tags(' W/"a-1-v1" , b-2-v3,*') == ['"a-1-v1"', '"b-2-v3"', "*"]
    assert entity_tags("") == []


def test_an_unquoted_if_match_naming_the_current_version_is_accepted() -> None:
    check_if_match("application-6-v2", "application", 6, 2)
    check_if_match(" application-6-v2 ", "application", 6, 2)
    check_if_match('"application-6-v2"', "application", 6, 2)


def test_a_412_says_the_record_changed_only_when_it_did() -> None:
    with pytest.raises(PreconditionFailed) as stale:
        check_if_match("application-6-v1", "application", 6, 2)
    assert "version 1" in stale.value.detail_en and "changed" in stale.value.detail_en
    assert stale.value.extra["current_etag"] == '"application-6-v2"'

    for other in ('"application-7-v1"', '"call-6-v1"', "banana", '"application-6-v3"'):
        with pytest.raises(PreconditionFailed) as mismatch:
            check_if_match(other, "application", 6, 2)
        assert "changed" not in mismatch.value.detail_en, other
        assert "names no version of this resource" in mismatch.value.detail_en
        assert "修改" not in mismatch.value.detail_zh.split("；")[0]
        assert mismatch.value.extra["current_etag"] == '"application-6-v2"'
    assert "changed" not in PreconditionFailed.title_en and "修改" not in PreconditionFailed.title_zh


async def test_if_match_without_quotes_through_a_route(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        created = await c.post(f"{P}/notes", json={"title": "图们江", "amount": "1"}, headers=ALICE)
        note_id, tag = created.json()["id"], created.headers["etag"]
        bare = tag.strip('"')
        ok = await c.patch(f"{P}/notes/{note_id}", json={"title": "新"}, headers={**ALICE, "If-Match": bare})
        assert ok.status_code == 200, ok.text
        stale = await c.patch(
            f"{P}/notes/{note_id}", json={"title": "旧"}, headers={**ALICE, "If-Match": bare, "Accept-Language": "en"}
        )
        assert stale.status_code == 412 and "changed after you read it" in stale.json()["detail"]
        wrong = await c.patch(
            f"{P}/notes/{note_id}",
            json={"title": "旧"},
            headers={**ALICE, "If-Match": "note-999-v1", "Accept-Language": "en"},
        )
        assert wrong.status_code == 412 and wrong.json()["code"] == "precondition_failed"
        assert "changed" not in wrong.json()["title"] + wrong.json()["detail"]


async def test_if_none_match_with_the_current_etag_is_a_304(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        created = await c.post(f"{P}/notes", json={"title": "鸭绿江", "amount": "1"}, headers=ALICE)
        url, tag = f"{P}/notes/{created.json()['id']}", created.headers["etag"]

        for sent in (tag, tag.strip('"'), f"W/{tag}", f'"other-1-v1", {tag}', "*"):
            cached = await c.get(url, headers={**ALICE, "If-None-Match": sent})
            assert cached.status_code == 304, sent
            assert cached.content == b""
            assert cached.headers["etag"] == tag
            assert "content-type" not in cached.headers and "x-request-id" in cached.headers

        stale = await c.get(url, headers={**ALICE, "If-None-Match": '"note-1-v0"'})
        assert stale.status_code == 200 and stale.json()["title"] == "鸭绿江" and stale.headers["etag"] == tag
        # the route still decides who may read: another's record is a 404, whatever the header says
        other = await c.get(url, headers={**principal_headers("applicant", subject="bob"), "If-None-Match": tag})
        assert other.status_code == 404
        # a write is never a 304
        patch = await c.patch(url, json={"title": "新"}, headers={**ALICE, "If-Match": tag, "If-None-Match": tag})
        assert patch.status_code == 200


async def test_the_304_middleware_on_any_route_with_an_etag() -> None:
    """A streamed body is swallowed whole; a route without an ETag, or answering anything but 200, is left alone."""
    app = FastAPI()

    @app.api_route("/streamed", methods=["GET", "HEAD"])
    async def streamed() -> StreamingResponse:
        async def chunks():  # type: ignore[no-untyped-def]
            yield b"a"
            yield b"b"

        return StreamingResponse(chunks(), headers={"ETag": '"s-1-v1"'})

    @app.get("/plain")
    async def plain() -> dict[str, int]:
        return {"n": 1}

    @app.get("/created", status_code=201)
    async def created(response: Response) -> dict[str, int]:
        response.headers["ETag"] = '"c-1-v1"'
        return {"n": 1}

    transport = httpx.ASGITransport(app=ConditionalGetMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        hit = await c.get("/streamed", headers={"If-None-Match": '"s-1-v1"'})
        assert hit.status_code == 304 and hit.content == b""
        head = await c.head("/streamed", headers={"If-None-Match": "s-1-v1"})
        assert head.status_code == 304
        assert (await c.get("/streamed", headers={"If-None-Match": '"s-1-v2"'})).content == b"ab"
        assert (await c.get("/plain", headers={"If-None-Match": "*"})).status_code == 200
        assert (await c.get("/created", headers={"If-None-Match": '"c-1-v1"'})).status_code == 201


def test_tagged_read_schemas_carry_their_etag() -> None:
    class NoteRead(Tagged):
        etag_kind = "note"
        id: int
        title: str
        version: int

    class YearRead(Tagged):
        etag_kind = "year_parameters"
        etag_key = "year"
        year: int
        version: int

    assert NoteRead(id=3, title="x", version=2).model_dump()["etag"] == etag("note", 3, 2)
    assert YearRead(year=2026, version=1).etag == '"year_parameters-2026-v1"'
    schema = NoteRead.model_json_schema(mode="serialization")
    assert "etag" in schema["required"] and schema["properties"]["etag"]["type"] == "string"

    with pytest.raises(TypeError, match="version"):

        class Versionless(Tagged):
            etag_kind = "x"
            id: int

    with pytest.raises(TypeError, match="etag_kind"):

        class Kindless(Tagged):
            id: int
            version: int
