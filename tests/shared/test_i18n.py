"""Field errors follow Accept-Language (docs/api-conventions.md "Bodies and errors"): pydantic's own
errors translated from their type, our validators' messages given in both languages, field errors a
service raises itself rendered per request; the ``errors: [{field, code, message}]`` shape kept."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import AfterValidator, Field
from pydantic_core import _pydantic_core

from services.foundation.main import create_app as create_foundation
from services.foundation.settings import FoundationSettings
from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from shared.error_handlers import install_error_handlers
from shared.errors import AppError, ValidationFailed, field_error
from shared.fields import Email
from shared.i18n import PYDANTIC_ZH, custom_error, fill
from shared.schemas import InputSchema
from shared.validators import USCC
from tests.conftest import TEST_SECRET, running
from tests.services.foundation.conftest import OFFICIAL as FOUNDATION_OFFICIAL
from tests.services.foundation.conftest import PREFIX as FOUNDATION
from tests.services.projects.conftest import APPLICANT, application_body, create_call, create_programme
from tests.services.projects.conftest import PREFIX as PROJECTS

ROOT = Path(__file__).resolve().parents[2]
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _even(value: int) -> int:
    if value % 2:
        raise custom_error("odd", "{value} 不是偶数", "{value} is not even", value=value)
    return value


class Body(InputSchema):
    name: str = Field(min_length=3, max_length=10)
    count: Annotated[int, Field(ge=1), AfterValidator(_even)] = 2
    colour: Literal["red", "green", "blue"] = "red"
    email: Email | None = None
    uscc: USCC | None = None


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def create(body: Body) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/things")
    async def search(limit: Annotated[int, Query(le=100)] = 20) -> dict[str, int]:
        return {"limit": limit}

    @app.post("/refuse")
    async def refuse() -> None:
        raise ValidationFailed([field_error("name", "taken", "名称已被占用", "the name is taken")])

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _errors(response: httpx.Response) -> dict[str, dict[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed"
    assert all(set(e) == {"field", "code", "message"} for e in body["errors"]), body
    return {e["field"]: e for e in body["errors"]}


async def test_pydantic_errors_are_translated_from_their_type(client: httpx.AsyncClient) -> None:
    zh = await _errors(await client.post("/things", json={"count": 0, "colour": "pink"}, headers=ZH))
    assert zh["name"] == {"field": "name", "code": "required", "message": "必填"}
    assert zh["count"]["message"] == "应大于或等于 1"
    assert zh["colour"]["message"] == "应为 'red'、'green' 或 'blue'"
    short = await _errors(await client.post("/things", json={"name": "ab"}, headers=ZH))
    assert short["name"] == {"field": "name", "code": "string_too_short", "message": "至少 3 个字符"}
    query = await _errors(await client.get("/things", params={"limit": 101}, headers=ZH))
    assert query["limit"]["message"] == "应小于或等于 100"

    # English stays pydantic's own message; no header at all is Chinese, the platform's first language
    en = await _errors(await client.post("/things", json={"count": 0}, headers=EN))
    assert en["name"]["message"] == "Field required"
    assert en["count"]["message"] == "Input should be greater than or equal to 1"
    assert (await _errors(await client.post("/things", json={"name": "ab"})))["name"]["message"] == "至少 3 个字符"
    preferred = {"Accept-Language": "de, en;q=0.8, zh;q=0.5"}
    assert (await _errors(await client.post("/things", json={}, headers=preferred)))["name"]["message"] == (
        "Field required"
    )


async def test_our_validators_speak_the_language_of_the_request(client: httpx.AsyncClient) -> None:
    body = {"name": "abc", "count": 3, "email": "not-an-address", "uscc": "91110000600037341X"}
    zh = await _errors(await client.post("/things", json=body, headers=ZH))
    en = await _errors(await client.post("/things", json=body, headers=EN))
    assert zh["count"] == {"field": "count", "code": "odd", "message": "3 不是偶数"}
    assert en["count"] == {"field": "count", "code": "odd", "message": "3 is not even"}
    assert zh["email"]["message"] == "电子邮箱地址格式无效" and en["email"]["message"] == "not a valid e-mail address"
    assert "校验码" in zh["uscc"]["message"] and "check character" not in zh["uscc"]["message"]
    assert "check character" in en["uscc"]["message"] and "校验码" not in en["uscc"]["message"]
    assert zh["uscc"]["code"] == en["uscc"]["code"] == "invalid_uscc"


async def test_field_errors_a_service_raises_follow_the_request(client: httpx.AsyncClient) -> None:
    assert (await _errors(await client.post("/refuse", headers=ZH)))["name"]["message"] == "名称已被占用"
    assert (await _errors(await client.post("/refuse", headers=EN)))["name"]["message"] == "the name is taken"
    legacy = ValidationFailed([{"field": "x", "code": "bad", "message": "one language"}])
    assert (
        legacy.to_problem("en")["errors"]
        == legacy.to_problem("zh-CN")["errors"]
        == [{"field": "x", "code": "bad", "message": "one language"}]
    )


def test_every_pydantic_error_type_has_a_chinese_message() -> None:
    """An upgrade of pydantic that adds an error type fails here until the table has its message."""
    types = {e["type"] for e in _pydantic_core.list_all_errors()}
    assert types - set(PYDANTIC_ZH) == set()
    assert set(PYDANTIC_ZH) - types == set(), "a message for a type pydantic no longer has"
    for kind, template in PYDANTIC_ZH.items():
        example = next(e for e in _pydantic_core.list_all_errors() if e["type"] == kind)
        filled = fill(template, {k: "1" for k in example.get("example_context") or {}})
        assert "{" not in filled, f"{kind}: a placeholder pydantic does not give: {template}"


def _python_files() -> list[Path]:
    # Settings are read by operators when a process starts, never shown to a client.
    return [
        p
        for top in ("shared", "gateway", "services", "kjt")
        for p in (ROOT / top).rglob("*.py")
        if p.name != "settings.py"
    ]


def test_every_custom_validator_gives_both_languages() -> None:
    """A validator raises ``shared.i18n.custom_error`` (Chinese and English), never pydantic's one-language
    ``PydanticCustomError`` nor a bare ``ValueError``, whose text would reach a client in one language."""
    offenders = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        validators = {
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and any("validator" in ast.unparse(d) for d in node.decorator_list)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) == "PydanticCustomError"
                and rel != "shared/i18n.py"
            ):
                offenders.append(f"{rel}:{node.lineno} PydanticCustomError")
        for func in validators:
            for node in ast.walk(func):
                if isinstance(node, ast.Raise) and node.exc is not None and "ValueError" in ast.unparse(node.exc):
                    offenders.append(f"{rel}:{node.lineno} ValueError in {func.name}")
    assert offenders == []


# --- every field error a service raises carries both languages ------------------------------------

# The renderer (``localized_field_error``) and the problem schema name ``message`` themselves.
MESSAGE_RENDERERS = {"shared/errors.py", "shared/schemas.py"}


def _one_language_entries(tree: ast.AST) -> list[int]:
    """Lines of the field-error entries built with one ``message``: a dict literal, or ``dict(...)``, with
    both a ``field`` and a ``message`` key."""
    lines = []
    for node in ast.walk(tree):
        keys: set[object] = set()
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            keys = {k.arg for k in node.keywords}
        if {"field", "message"} <= keys:
            lines.append(node.lineno)
    return sorted(lines)


def test_no_field_error_is_built_in_one_language() -> None:
    """docs/api-conventions.md "Bodies and errors": an entry of ``errors`` is made by
    ``shared.errors.field_error(field, code, zh, en)`` (or ``shared.i18n``'s helpers), never as a dict with a
    single ``message``, which would show the same text whatever the request's language."""
    offenders = []
    for top in ("services", "shared", "gateway"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in MESSAGE_RENDERERS:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [f"{rel}:{line}" for line in _one_language_entries(tree)]
    assert offenders == [], "field errors with one language; use shared.errors.field_error: " + ", ".join(offenders)


def test_the_static_check_finds_a_one_language_entry() -> None:
    tree = ast.parse(
        'raise ValidationFailed([{"field": "x", "code": "bad", "message": "one language"}])\n'
        'errors.append(dict(field="y", code="bad", message="one language"))\n'
        'ok = field_error("z", "bad", "两种语言", "two languages")\n'
    )
    assert _one_language_entries(tree) == [1, 2]


async def test_a_domain_rules_field_errors_follow_the_request() -> None:
    """A 422 of a domain rule other than ``ValidationFailed`` that lists ``errors`` (the projects' PRJ-3
    refusals) shows each entry in the request's language and keeps the entry's other keys."""

    class Refused(AppError):
        status = 422
        code = "refused"

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/rule")
    async def rule() -> None:
        entry = field_error("promises", "below_target", "“功率”：承诺值 1，目标值 2", "'power': promised 1, target 2")
        raise Refused("不符合规则", "Breaks a rule", extra={"errors": [{**entry, "indicator_id": "7"}]})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        zh = (await c.post("/rule", headers=ZH)).json()["errors"]
        en = (await c.post("/rule", headers=EN)).json()["errors"]
    common = {"field": "promises", "code": "below_target", "indicator_id": "7"}
    assert zh == [common | {"message": "“功率”：承诺值 1，目标值 2"}]
    assert en == [common | {"message": "'power': promised 1, target 2"}]


# Field errors the services raise themselves, through their API (the app as the service's tests build it).


@pytest.fixture
async def projects_api(make_db: Any) -> AsyncIterator[httpx.AsyncClient]:
    db = await make_db("projects")
    app = create_projects(ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    async with running(app) as c:
        yield c


@pytest.fixture
async def foundation_api(make_db: Any) -> AsyncIterator[httpx.AsyncClient]:
    db = await make_db("foundation")
    app = create_foundation(FoundationSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    async with running(app) as c:
        yield c


async def _service_error(response: httpx.Response) -> dict[str, str]:
    errors = await _errors(response)
    assert len(errors) == 1, errors
    return next(iter(errors.values()))


async def test_a_projects_field_error_follows_the_request(projects_api: httpx.AsyncClient) -> None:
    """An application naming a topic the call does not have (the service's own check, not pydantic's)."""
    programme = await create_programme(projects_api)
    call = await create_call(projects_api, programme["id"])
    body = application_body(call, topic_id=999999)
    url = f"{PROJECTS}/applications"
    zh = await _service_error(await projects_api.post(url, json=body, headers=APPLICANT | ZH))
    en = await _service_error(await projects_api.post(url, json=body, headers=APPLICANT | EN))
    assert zh == {"field": "topic_id", "code": "unknown_topic", "message": "不是本批次的课题"}
    assert en == {"field": "topic_id", "code": "unknown_topic", "message": "not a topic of this call"}
    # no header at all is Chinese
    assert (await _service_error(await projects_api.post(url, json=body, headers=APPLICANT)))["message"] == (
        "不是本批次的课题"
    )


async def test_a_foundation_field_error_follows_the_request(foundation_api: httpx.AsyncClient) -> None:
    """The application list filtered by a status the workflow does not have."""
    url = f"{FOUNDATION}/applications"
    params = {"status": "bogus"}
    zh = await _service_error(await foundation_api.get(url, params=params, headers=FOUNDATION_OFFICIAL | ZH))
    en = await _service_error(await foundation_api.get(url, params=params, headers=FOUNDATION_OFFICIAL | EN))
    assert zh["field"] == en["field"] == "status" and zh["code"] == en["code"] == "invalid_choice"
    assert zh["message"].startswith("应为以下之一：") and "、" in zh["message"], zh
    assert en["message"].startswith("one of: ") and ", " in en["message"], en
    assert "draft" in zh["message"] and "draft" in en["message"]
