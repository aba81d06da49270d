"""Organisations and users under /api/v1/admin, who may use them, and the first administrator."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.accounts import commands
from gateway.accounts.bootstrap import DEVELOPMENT_ADMIN_PASSWORD, ensure_admin
from gateway.accounts.models import User
from gateway.models import common
from shared import audit
from shared.errors import Duplicate, ValidationFailed
from tests.gateway.accounts_fixtures import (
    ADMIN_EMAIL,
    GOOD_PASSWORD,
    USCC_CHANGCHUN,
    USCC_JLU,
    Gateway,
    gateway_settings,
    make_uscc,
    running_gateway,
)

ORGS = "/api/v1/admin/organizations"
USERS = "/api/v1/admin/users"


@pytest.fixture
async def gateway(make_db: Any) -> AsyncIterator[Gateway]:
    async with running_gateway(make_db) as gw:
        yield gw


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def _field_error(response: Any, field: str, code: str) -> None:
    body = _problem(response, 422, "validation_failed")
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in body["errors"]], body


async def _admin_id(gw: Gateway) -> int:
    return int((await gw.client.get("/api/v1/auth/me", headers=await gw.admin())).json()["id"])


async def _count_users(gw: Gateway) -> int:
    async with gw.db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


# --- the first administrator --------------------------------------------------------------------


async def test_first_start_creates_the_administrator_once(gateway: Gateway) -> None:
    assert await _count_users(gateway) == 1
    me = await gateway.client.get("/api/v1/auth/me", headers=await gateway.admin())
    assert me.json()["email"] == ADMIN_EMAIL and me.json()["roles"] == ["admin"]
    await ensure_admin(gateway.db, gateway_settings(admin_password="Another-Passw0rd"))
    assert await _count_users(gateway) == 1
    # an existing account means nothing is required, even in production
    prod = gateway_settings(env="production", admin_password=None, jwt_secret="j" * 40, internal_secret="i" * 40)
    await ensure_admin(gateway.db, prod)


async def test_development_default_admin_password_is_announced(make_db: Any, caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="kjt.gateway.accounts")
    async with running_gateway(make_db, env="development", admin_password=None) as gw:
        assert DEVELOPMENT_ADMIN_PASSWORD in caplog.text and ADMIN_EMAIL in caplog.text
        assert (await gw.login(ADMIN_EMAIL, DEVELOPMENT_ADMIN_PASSWORD)).status_code == 200


async def test_production_refuses_to_start_without_an_admin_password(make_db: Any) -> None:
    db = await make_db("gateway")
    prod = gateway_settings(env="production", admin_password=None, jwt_secret="j" * 40, internal_secret="i" * 40)
    with pytest.raises(RuntimeError, match="KJT_ADMIN_PASSWORD"):
        await ensure_admin(db, prod)
    with pytest.raises(RuntimeError, match="KJT_ADMIN_PASSWORD"):
        await ensure_admin(db, gateway_settings(admin_password="short"))


async def test_cli_create_admin(gateway: Gateway) -> None:
    user_id = await commands.create_admin(gateway.db, "Wang.Wu@kjt.jl.gov.cn", "Wang-Wu-Admin-1", "王五")
    assert user_id > 1
    me = await gateway.client.get(
        "/api/v1/auth/me", headers=await gateway.bearer("wang.wu@kjt.jl.gov.cn", "Wang-Wu-Admin-1")
    )
    assert me.json()["roles"] == ["admin"] and me.json()["name"] == "王五"
    with pytest.raises(Duplicate):
        await commands.create_admin(gateway.db, "WANG.WU@kjt.jl.gov.cn", "Wang-Wu-Admin-1", "王五")
    with pytest.raises(ValidationFailed) as weak:
        await commands.create_admin(gateway.db, "zhao@kjt.jl.gov.cn", "short", "赵六")
    assert weak.value.extra["errors"][0]["field"] == "password"


# --- who may administer -------------------------------------------------------------------------


async def test_only_admins_write_and_auditors_read(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin)
    await gateway.create_user(admin, "applicant@jlu.edu.cn", "applicant")
    await gateway.create_user(admin, "auditor@kjt.jl.gov.cn", "auditor")
    applicant = await gateway.bearer("applicant@jlu.edu.cn", GOOD_PASSWORD)
    auditor = await gateway.bearer("auditor@kjt.jl.gov.cn", GOOD_PASSWORD)
    body = {"name": "长春某公司", "kind": "enterprise", "uscc": USCC_CHANGCHUN}
    reads = [ORGS, f"{ORGS}/{org['id']}", USERS, f"{USERS}/{await _admin_id(gateway)}", "/api/v1/admin/api-keys"]

    for url in reads:
        _problem(await gateway.client.get(url), 401, "unauthorized")
        _problem(await gateway.client.get(url, headers=applicant), 403, "forbidden")
        assert (await gateway.client.get(url, headers=auditor)).status_code == 200, url
        assert (await gateway.client.get(url, headers=admin)).status_code == 200, url
    _problem(await gateway.client.post(ORGS, json=body), 401, "unauthorized")
    _problem(await gateway.client.post(ORGS, json=body, headers=applicant), 403, "forbidden")
    _problem(await gateway.client.post(ORGS, json=body, headers=auditor), 403, "forbidden")
    _problem(
        await gateway.client.patch(f"{ORGS}/{org['id']}", json={"active": False}, headers={**auditor, "If-Match": "*"}),
        403,
        "forbidden",
    )
    _problem(
        await gateway.client.post(
            f"{USERS}/{await _admin_id(gateway)}/reset-password", json={"password": "Whatever-2026"}, headers=auditor
        ),
        403,
        "forbidden",
    )
    english = await gateway.client.get(ORGS, headers={**applicant, "Accept-Language": "en"})
    assert english.json()["title"] == "Not allowed"
    # a bad credential is a 401 even where anonymous callers would be refused anyway
    _problem(await gateway.client.get(ORGS, headers={"Authorization": "Bearer nope"}), 401, "invalid_token")


async def test_admin_actions_are_audited_in_a_valid_chain(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin)
    user = await gateway.create_user(admin, "li@jlu.edu.cn", organization_id=org["id"])
    await gateway.client.patch(
        f"{ORGS}/{org['id']}", json={"name": "吉林大学（中心校区）"}, headers={**admin, "If-Match": "*"}
    )
    await gateway.client.post(
        f"{USERS}/{user['id']}/reset-password", json={"password": "New-Passw0rd-1"}, headers=admin
    )
    async with gateway.db.sessionmaker() as session:
        rows = (await session.execute(select(common.audit).order_by(common.audit.id))).scalars().all()
        report = await audit.verify(session, common)
    actions = [(r.action, r.actor_id) for r in rows]
    me = f"user:{await _admin_id(gateway)}"
    assert actions == [
        ("user.create", "cli"),  # the first administrator
        ("organization.create", me),
        ("user.create", me),
        ("organization.update", me),
        ("user.reset_password", me),
    ]
    assert rows[3].data == {"name": ["吉林大学", "吉林大学（中心校区）"]}
    assert "password" not in json.dumps([r.data for r in rows])
    assert report.valid and report.entries == 5


# --- organisations ------------------------------------------------------------------------------


async def test_create_organization_takes_the_region_from_the_uscc(gateway: Gateway) -> None:
    admin = await gateway.admin()
    created = await gateway.client.post(
        ORGS, json={"name": "吉林大学", "kind": "university", "uscc": " 1222 0000 4127-5503 6w "}, headers=admin
    )
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["uscc"] == USCC_JLU and org["region_code"] == "220000" and org["active"] is True
    assert org["version"] == 1 and created.headers["etag"] == f'"organization-{org["id"]}-v1"'
    fetched = await gateway.client.get(f"{ORGS}/{org['id']}", headers=admin)
    assert fetched.json() == org and fetched.headers["etag"] == created.headers["etag"]
    other = await gateway.create_org(admin, USCC_CHANGCHUN, "长春某科技有限公司", "enterprise")
    assert other["region_code"] == "220101"


async def test_uscc_is_checked_by_its_check_character(gateway: Gateway) -> None:
    admin = await gateway.admin()
    wrong_check = USCC_JLU[:-1] + ("X" if USCC_JLU[-1] != "X" else "Y")
    for bad in (wrong_check, USCC_JLU[:-1], USCC_JLU + "0", "I2220000412755036W", "", "东" * 18):
        response = await gateway.client.post(ORGS, json={"name": "某单位", "kind": "other", "uscc": bad}, headers=admin)
        _field_error(response, "uscc", "invalid_uscc" if bad else "invalid_uscc")
    # a registering authority with a letter code is not refused (DOMAIN ID-1: do not hard-code them)
    letter = make_uscc("Y1220100MA0Y3N4P0")
    assert (
        await gateway.client.post(ORGS, json={"name": "某社会组织", "kind": "other", "uscc": letter}, headers=admin)
    ).status_code == 201


async def test_duplicate_uscc_is_a_conflict(gateway: Gateway) -> None:
    admin = await gateway.admin()
    await gateway.create_org(admin)
    again = await gateway.client.post(
        ORGS, json={"name": "另一个名字", "kind": "university", "uscc": USCC_JLU.lower()}, headers=admin
    )
    assert _problem(again, 409, "duplicate")["field"] == "uscc"


async def test_organization_input_is_validated(gateway: Gateway) -> None:
    admin = await gateway.admin()
    base = {"name": "吉林大学", "kind": "university", "uscc": USCC_JLU}
    _field_error(
        await gateway.client.post(ORGS, json={**base, "kind": "school"}, headers=admin), "kind", "literal_error"
    )
    _field_error(
        await gateway.client.post(ORGS, json={**base, "region_code": "110000"}, headers=admin),
        "region_code",
        "unknown_field",
    )
    _field_error(
        await gateway.client.post(ORGS, json={**base, "name": "吉"}, headers=admin), "name", "string_too_short"
    )
    nul = await gateway.client.post(ORGS, json={**base, "name": "吉林\x00大学"}, headers=admin)
    assert nul.status_code == 422
    _problem(
        await gateway.client.post(ORGS, content=b"{not json", headers={**admin, "Content-Type": "application/json"}),
        400,
        "bad_request",
    )


async def test_unknown_organization_is_404(gateway: Gateway) -> None:
    admin = await gateway.admin()
    _problem(await gateway.client.get(f"{ORGS}/{2**62}", headers=admin), 404, "not_found")
    _problem(
        await gateway.client.patch(f"{ORGS}/{2**62}", json={"active": False}, headers={**admin, "If-Match": "*"}),
        404,
        "not_found",
    )
    assert (await gateway.client.get(f"{ORGS}/{2**70}", headers=admin)).status_code == 422
    assert (await gateway.client.get(f"{ORGS}/abc", headers=admin)).status_code == 422


async def test_organization_list_pages_with_a_cursor(gateway: Gateway) -> None:
    admin = await gateway.admin()
    ids = [
        (await gateway.create_org(admin, make_uscc(f"9122010{i}MA0Y3N4P0"), f"公司{i}", "enterprise"))["id"]
        for i in range(5)
    ]
    await gateway.create_org(admin)  # a university
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "kind": "enterprise"}
        if cursor:
            params["cursor"] = cursor
        page = (await gateway.client.get(ORGS, params=params, headers=admin)).json()
        assert len(page["items"]) <= 2
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    by_name = (await gateway.client.get(ORGS, params={"sort": "name", "limit": 100}, headers=admin)).json()
    assert [o["name"] for o in by_name["items"]] == sorted(o["name"] for o in by_name["items"])
    region = (await gateway.client.get(ORGS, params={"region_code": "220103"}, headers=admin)).json()
    assert [o["name"] for o in region["items"]] == ["公司3"]


async def test_bad_cursors_and_sorts_are_422(gateway: Gateway) -> None:
    admin = await gateway.admin()
    crafted = [
        "!!!",
        base64.urlsafe_b64encode(b'["abc"]').decode(),
        base64.urlsafe_b64encode(b"[99999999999999999999999999]").decode(),
        base64.urlsafe_b64encode(b'[{"dt": "2026-01-01T00:00:00"}, 1]').decode(),
    ]
    for cursor in crafted:
        response = await gateway.client.get(ORGS, params={"cursor": cursor}, headers=admin)
        assert response.status_code == 422, (cursor, response.text)
    naive = base64.urlsafe_b64encode(b'[{"dt": "2026-01-01T00:00:00"}, 1]').decode()
    response = await gateway.client.get(ORGS, params={"cursor": naive, "sort": "created_at"}, headers=admin)
    assert response.status_code == 422, response.text
    _field_error(await gateway.client.get(ORGS, params={"sort": "uscc"}, headers=admin), "sort", "invalid_sort")
    assert (await gateway.client.get(ORGS, params={"limit": 101}, headers=admin)).status_code == 422


async def test_patch_organization_needs_a_current_if_match(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin)
    url = f"{ORGS}/{org['id']}"
    etag = (await gateway.client.get(url, headers=admin)).headers["etag"]

    _problem(await gateway.client.patch(url, json={"active": False}, headers=admin), 428, "precondition_required")
    ok = await gateway.client.patch(
        url, json={"active": False, "kind": "research_institute"}, headers={**admin, "If-Match": etag}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["active"] is False and ok.json()["kind"] == "research_institute"
    assert ok.json()["version"] == 2 and ok.headers["etag"] != etag
    stale = _problem(
        await gateway.client.patch(url, json={"active": True}, headers={**admin, "If-Match": etag}),
        412,
        "precondition_failed",
    )
    assert stale["current_etag"] == ok.headers["etag"]
    # the USCC is the organisation's identity and cannot be patched; nulls are refused
    _field_error(
        await gateway.client.patch(
            url, json={"uscc": USCC_CHANGCHUN}, headers={**admin, "If-Match": ok.headers["etag"]}
        ),
        "uscc",
        "unknown_field",
    )
    _field_error(
        await gateway.client.patch(url, json={"name": None}, headers={**admin, "If-Match": ok.headers["etag"]}),
        "name",
        "null_not_allowed",
    )
    # an empty patch changes nothing, not even the version
    same = await gateway.client.patch(url, json={}, headers={**admin, "If-Match": ok.headers["etag"]})
    assert same.status_code == 200 and same.json()["version"] == 2


# --- users --------------------------------------------------------------------------------------


async def test_create_user_and_read_it_back(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin)
    created = await gateway.client.post(
        USERS,
        json={
            "email": "Zhang.San@JLU.edu.cn",
            "display_name": "张三",
            "roles": ["reviewer", "applicant", "applicant"],
            "organization_id": org["id"],
            "password": GOOD_PASSWORD,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "zhang.san@jlu.edu.cn" and user["roles"] == ["applicant", "reviewer"]
    assert user["organization_id"] == org["id"] and user["active"] is True and user["last_login_at"] is None
    assert GOOD_PASSWORD not in created.text and "argon2" not in created.text and "hash" not in created.text
    fetched = await gateway.client.get(f"{USERS}/{user['id']}", headers=admin)
    assert fetched.json() == user
    listed = (await gateway.client.get(USERS, params={"organization_id": org["id"]}, headers=admin)).json()
    assert [u["id"] for u in listed["items"]] == [user["id"]]
    _problem(await gateway.client.get(f"{USERS}/{2**62}", headers=admin), 404, "not_found")


async def test_duplicate_email_is_a_conflict_whatever_the_case(gateway: Gateway) -> None:
    admin = await gateway.admin()
    await gateway.create_user(admin, "li.si@jlu.edu.cn")
    again = await gateway.client.post(
        USERS,
        json={"email": "LI.SI@jlu.edu.cn", "display_name": "李四", "roles": ["applicant"], "password": GOOD_PASSWORD},
        headers=admin,
    )
    assert _problem(again, 409, "duplicate")["field"] == "email"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("Abcdefgh1", False),  # 9 characters, 3 classes
        ("Abcdefgh1!", True),  # 10 characters, 4 classes
        ("Abcdefgh12", True),  # 10 characters, 3 classes: upper, lower, digit
        ("abcdefgh12", False),  # 10 characters, 2 classes
        ("abcdefgh-1", True),  # lower, other, digit
        ("ABCDEFGH-!", False),  # upper, other
        ("科技厅密码abcde1", True),  # Chinese characters count as "other"
        ("A1-" + "x" * 254, False),  # longer than 256
    ],
)
async def test_password_policy_edges(gateway: Gateway, password: str, accepted: bool) -> None:
    admin = await gateway.admin()
    response = await gateway.client.post(
        USERS,
        json={"email": "p@jlu.edu.cn", "display_name": "测试", "roles": ["applicant"], "password": password},
        headers=admin,
    )
    if accepted:
        assert response.status_code == 201, response.text
        assert (await gateway.login("p@jlu.edu.cn", password)).status_code == 200
    else:
        _field_error(response, "password", "weak_password")
        assert password not in response.text


async def test_user_input_is_validated(gateway: Gateway) -> None:
    admin = await gateway.admin()
    base = {"email": "x@jlu.edu.cn", "display_name": "某人", "roles": ["applicant"], "password": GOOD_PASSWORD}
    _field_error(await gateway.client.post(USERS, json={**base, "roles": []}, headers=admin), "roles", "too_short")
    _field_error(
        await gateway.client.post(USERS, json={**base, "roles": ["root"]}, headers=admin), "roles.0", "literal_error"
    )
    for email in ("not-an-email", "a@b", "x@@jlu.edu.cn", "张@jlu.edu.cn", "a" * 250 + "@jlu.edu.cn"):
        _field_error(
            await gateway.client.post(USERS, json={**base, "email": email}, headers=admin), "email", "invalid_email"
        )
    _field_error(
        await gateway.client.post(USERS, json={**base, "organization_id": 2**62}, headers=admin),
        "organization_id",
        "unknown_organization",
    )
    _field_error(
        await gateway.client.post(USERS, json={**base, "organization_id": 2**64}, headers=admin),
        "organization_id",
        "less_than_equal",
    )
    _field_error(
        await gateway.client.post(USERS, json={**base, "version": 9}, headers=admin), "version", "unknown_field"
    )
    org = await gateway.create_org(admin)
    etag = (await gateway.client.get(f"{ORGS}/{org['id']}", headers=admin)).headers["etag"]
    await gateway.client.patch(f"{ORGS}/{org['id']}", json={"active": False}, headers={**admin, "If-Match": etag})
    _field_error(
        await gateway.client.post(USERS, json={**base, "organization_id": org["id"]}, headers=admin),
        "organization_id",
        "organization_inactive",
    )


async def test_patch_user_roles_with_if_match(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin)
    user = await gateway.create_user(admin, "li@jlu.edu.cn", "applicant")
    url = f"{USERS}/{user['id']}"
    etag = (await gateway.client.get(url, headers=admin)).headers["etag"]
    # logging in is not an edit: the administrator's ETag stays current
    await gateway.login("li@jlu.edu.cn", GOOD_PASSWORD)
    assert (await gateway.client.get(url, headers=admin)).headers["etag"] == etag

    _problem(
        await gateway.client.patch(url, json={"roles": ["org_admin"]}, headers=admin), 428, "precondition_required"
    )
    ok = await gateway.client.patch(
        url,
        json={"roles": ["org_admin", "applicant"], "organization_id": org["id"], "display_name": "李老师"},
        headers={**admin, "If-Match": etag},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["roles"] == ["applicant", "org_admin"] and ok.json()["organization_id"] == org["id"]
    assert ok.json()["version"] == 2
    _problem(
        await gateway.client.patch(url, json={"active": False}, headers={**admin, "If-Match": etag}),
        412,
        "precondition_failed",
    )
    detached = await gateway.client.patch(
        url, json={"organization_id": None}, headers={**admin, "If-Match": ok.headers["etag"]}
    )
    assert detached.status_code == 200 and detached.json()["organization_id"] is None
    _field_error(
        await gateway.client.patch(url, json={"roles": None}, headers={**admin, "If-Match": detached.headers["etag"]}),
        "roles",
        "null_not_allowed",
    )
    _field_error(
        await gateway.client.patch(
            url, json={"email": "new@jlu.edu.cn"}, headers={**admin, "If-Match": detached.headers["etag"]}
        ),
        "email",
        "unknown_field",
    )


async def test_an_admin_cannot_lock_themselves_out(gateway: Gateway) -> None:
    admin = await gateway.admin()
    url = f"{USERS}/{await _admin_id(gateway)}"
    for change in ({"active": False}, {"roles": ["official"]}):
        _problem(await gateway.client.patch(url, json=change, headers={**admin, "If-Match": "*"}), 409, "self_lockout")
    ok = await gateway.client.patch(url, json={"roles": ["admin", "official"]}, headers={**admin, "If-Match": "*"})
    assert ok.status_code == 200 and ok.json()["roles"] == ["admin", "official"]


async def test_reset_password_checks_policy_and_optional_if_match(gateway: Gateway) -> None:
    admin = await gateway.admin()
    user = await gateway.create_user(admin, "li@jlu.edu.cn")
    url = f"{USERS}/{user['id']}/reset-password"
    _field_error(
        await gateway.client.post(url, json={"password": "weakweak"}, headers=admin), "password", "weak_password"
    )
    _problem(
        await gateway.client.post(
            url, json={"password": "New-Passw0rd-1"}, headers={**admin, "If-Match": f'"user-{user["id"]}-v9"'}
        ),
        412,
        "precondition_failed",
    )
    ok = await gateway.client.post(url, json={"password": "  New-Passw0rd-1  "}, headers=admin)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    # the password is taken exactly as typed, spaces included
    assert (await gateway.login("li@jlu.edu.cn", "  New-Passw0rd-1  ")).status_code == 200
    _problem(
        await gateway.client.post(
            f"{USERS}/{2**62}/reset-password", json={"password": "New-Passw0rd-1"}, headers=admin
        ),
        404,
        "not_found",
    )
