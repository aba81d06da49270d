"""PRJ-4 duplicate screening over HTTP: who sees an application's flags, and the internal registration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.projects.main import create_app
from services.projects.rules.similarity import ScreeningPolicy
from services.projects.screening import service
from services.projects.screening.index import ScreeningIndex
from services.projects.settings import ProjectsSettings
from tests.conftest import TEST_SECRET, principal_headers, running
from tests.services.projects.screening_texts import BLACK_SOIL, BLACK_SOIL_REWRITE, LASER

PREFIX = "/api/v1/projects"
AGENCY = principal_headers("agency", subject="200", org_id=50)
OFFICIAL = principal_headers("official", subject="100")
ADMIN = principal_headers("admin", subject="1")
APPLICANT = principal_headers("applicant", subject="300")
REVIEWER = principal_headers("reviewer", subject="600")
AUDITOR = principal_headers("auditor", subject="500")
ANONYMOUS = principal_headers(kind="anonymous", subject="anonymous")
FOUNDATION = principal_headers(kind="service", subject="foundation")
REGISTER = f"{PREFIX}/internal/screening/documents"


class Env:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, db: Any) -> None:
        self.app, self.client, self.db = app, client, db

    async def screen(self, app_id: int, doc: tuple[str, str, list[str]], year: int = 2026) -> list[Any]:
        async with self.db.sessionmaker() as session:
            flags = await service.screen(
                session,
                self.app.state.screening_index,
                application_id=app_id,
                year=year,
                title=doc[0],
                abstract=doc[1],
                keywords=doc[2],
            )
            await session.commit()
        return flags


@pytest.fixture
async def env(make_db: Any) -> AsyncIterator[Env]:
    db = await make_db("projects")
    app = create_app(ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    async with running(app) as client:
        yield Env(app, client, db)


def similar(app_id: int | str) -> str:
    return f"{PREFIX}/applications/{app_id}/similar"


def foundation_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "source": "foundation",
        "kind": "funded",
        "reference_id": "NSF-2024-00042",
        "year": 2024,
        "title": BLACK_SOIL[0],
        "abstract": BLACK_SOIL[1],
        "keywords": BLACK_SOIL[2],
    } | overrides


async def test_prj4_startup_hook_gives_each_process_an_index(env: Env) -> None:
    index = env.app.state.screening_index
    assert isinstance(index, ScreeningIndex) and index.policy == ScreeningPolicy()


async def test_prj4_similar_lists_flags_with_the_matching_records(env: Env) -> None:
    r = await env.client.post(REGISTER, json=foundation_doc(), headers=FOUNDATION)
    assert r.status_code == 201, r.text
    await env.screen(11, BLACK_SOIL)
    await env.screen(12, BLACK_SOIL_REWRITE)

    for who in (OFFICIAL, ADMIN):
        r = await env.client.get(similar(12), headers=who)
        assert r.status_code == 200, r.text
    # PRJ-2: an agency sees flags only of applications in programmes entrusted to it (none here)
    assert (await env.client.get(similar(12), headers=AGENCY)).status_code == 404
    page = r.json()
    assert page["next_cursor"] is None
    items = page["items"]
    matched = {
        (i["matched"]["source"], i["matched"]["kind"], i["matched"]["reference_id"], i["matched"]["year"])
        for i in items
    }
    assert matched == {("foundation", "funded", "NSF-2024-00042", 2024), ("projects", "application", "11", 2026)}
    first = items[0]
    assert first["application_id"] == 12 and first["threshold"] == 0.6 and first["rule"].startswith("PRJ-4")
    assert first["matched"]["title"] == BLACK_SOIL[0] and first["matched"]["document_id"] > 0
    assert items[0]["score"] >= items[1]["score"] >= 0.6

    # paging and sorting
    r = await env.client.get(similar(12), params={"limit": 1, "sort": "score"}, headers=OFFICIAL)
    body = r.json()
    assert len(body["items"]) == 1 and body["items"][0]["score"] == items[-1]["score"] and body["next_cursor"]
    r = await env.client.get(
        similar(12), params={"limit": 1, "sort": "score", "cursor": body["next_cursor"]}, headers=OFFICIAL
    )
    assert r.json()["items"][0]["id"] == items[0]["id"]
    bad = await env.client.get(similar(12), params={"sort": "title"}, headers=OFFICIAL)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    bad = await env.client.get(similar(12), params={"cursor": "!!!"}, headers=OFFICIAL)
    assert bad.status_code == 422


async def test_prj4_similar_roles_and_404(env: Env) -> None:
    await env.screen(21, LASER)  # screened, nothing similar
    r = await env.client.get(similar(21), headers=OFFICIAL)
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    for who in (APPLICANT, REVIEWER, AUDITOR, FOUNDATION):
        r = await env.client.get(similar(21), headers=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert (await env.client.get(similar(21), headers=ANONYMOUS)).status_code == 401
    assert (await env.client.get(similar(21))).status_code == 401
    r = await env.client.get(similar(22), headers=OFFICIAL)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    for bad in ("0", "-1", "abc", str(2**63)):
        r = await env.client.get(similar(bad), headers=OFFICIAL)
        assert r.status_code == 422, (bad, r.text)


async def test_prj4_register_document_is_for_services_and_idempotent(env: Env) -> None:
    for who in (ADMIN, OFFICIAL, ANONYMOUS):
        r = await env.client.post(REGISTER, json=foundation_doc(), headers=who)
        assert r.status_code in (401, 403), r.text
    r = await env.client.post(REGISTER, json=foundation_doc(source="projects"), headers=FOUNDATION)
    assert r.status_code == 403  # a service registers only its own documents

    first = await env.client.post(REGISTER, json=foundation_doc(), headers=FOUNDATION)
    assert first.status_code == 201, first.text
    doc = first.json()
    assert doc["source"] == "foundation" and doc["kind"] == "funded" and doc["token_count"] > 0
    again = await env.client.post(REGISTER, json=foundation_doc(), headers=FOUNDATION)
    assert again.status_code == 200 and again.json()["id"] == doc["id"]
    changed = await env.client.post(REGISTER, json=foundation_doc(title="另一个题目"), headers=FOUNDATION)
    assert changed.status_code == 201 and changed.json()["id"] > doc["id"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"abstract": "文" * 5001},
        {"title": "题" * 301},
        {"title": ""},
        {"keywords": ["词"] * 13},
        {"keywords": ["词" * 51]},
        {"keywords": [""]},
        {"reference_id": "../../etc"},
        {"reference_id": "x" * 65},
        {"source": "Foundation"},
        {"kind": "rejected"},
        {"year": 1800},
        {"year": 10**12},
        {"status": "approved"},
        {"title": "含\x00字符"},
    ],
)
async def test_prj4_register_document_refuses_hostile_input(env: Env, overrides: dict[str, Any]) -> None:
    r = await env.client.post(REGISTER, json=foundation_doc(**overrides), headers=FOUNDATION)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_failed"


async def test_prj4_register_document_accepts_the_limits(env: Env) -> None:
    body = foundation_doc(title="题" * 300, abstract="文" * 5000, keywords=["词" * 50] * 12)
    r = await env.client.post(REGISTER, json=body, headers=FOUNDATION)
    assert r.status_code == 201, r.text
