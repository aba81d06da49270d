"""Agency API keys: issued once, stored as a digest, revocable, expiring, carrying their scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.requests import Request

from gateway.accounts import commands
from gateway.accounts.errors import UnknownScope
from gateway.accounts.keys import digest
from gateway.accounts.models import ApiKey
from gateway.security import authenticate
from shared.errors import NotFound, Unauthorized, ValidationFailed
from shared.principal import ANONYMOUS
from shared.scopes import SCOPES
from tests.gateway.accounts_fixtures import USCC_CHANGCHUN, Gateway, running_gateway

KEYS = "/api/v1/admin/api-keys"
ME = "/api/v1/auth/me"
VERIFY = "foreign-experts:permits:verify"
INTEGRITY = "projects:integrity:read"


@pytest.fixture
async def gateway(make_db: Any) -> AsyncIterator[Gateway]:
    async with running_gateway(make_db) as gw:
        yield gw


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert body["code"] == code, body
    return body


async def _issue(gw: Gateway, **body: Any) -> dict[str, Any]:
    payload = {"name": "出入境核验", "agency": "吉林省公安厅出入境管理局", "scopes": [VERIFY], **body}
    response = await gw.client.post(KEYS, json=payload, headers=await gw.admin())
    assert response.status_code == 201, response.text
    return dict(response.json())


def _request(gw: Gateway, headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/foreign-experts/permits",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "app": gw.app,
    }
    return Request(scope)


async def test_the_key_is_shown_once_and_only_its_digest_is_stored(gateway: Gateway) -> None:
    created = await gateway.client.post(
        KEYS,
        json={
            "name": "出入境核验",
            "agency": "吉林省公安厅出入境管理局",
            "scopes": [INTEGRITY, VERIFY, INTEGRITY],
        },
        headers=await gateway.admin(),
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    key = created.json()
    secret = key["key"]
    assert secret.startswith(f"kjt_{key['id']}_") and len(secret) > 50
    assert key["scopes"] == [VERIFY, INTEGRITY] and key["status"] == "active"
    secret_part = secret.rsplit("_", 1)[-1][-20:]

    admin = await gateway.admin()
    listed = await gateway.client.get(KEYS, headers=admin)
    fetched = await gateway.client.get(f"{KEYS}/{key['id']}", headers=admin)
    for response in (listed, fetched):
        assert response.status_code == 200
        assert secret_part not in response.text and '"key"' not in response.text and "digest" not in response.text
    assert [k["id"] for k in listed.json()["items"]] == [key["id"]]
    assert fetched.json() == {k: v for k, v in key.items() if k != "key"}

    async with gateway.db.sessionmaker() as session:
        row = (await session.execute(select(ApiKey).where(ApiKey.id == key["id"]))).scalar_one()
    assert row.key_digest == digest(secret) and secret_part not in row.key_digest


async def test_a_key_authenticates_with_its_scopes(gateway: Gateway) -> None:
    key = await _issue(gateway, scopes=[INTEGRITY])
    principal = await authenticate(_request(gateway, {"X-API-Key": key["key"]}))
    assert principal.kind == "api_key" and principal.subject == key["id"]
    assert principal.name == "吉林省公安厅出入境管理局"
    assert principal.scopes == frozenset({INTEGRITY}) and principal.roles == frozenset()
    assert principal.has_scope(INTEGRITY) and not principal.has_scope(VERIFY)

    # /me names the key by its own name and the agency that holds it (issue 12 item 10)
    me = await gateway.client.get(ME, headers={"X-API-Key": key["key"]})
    assert me.status_code == 200
    assert me.json() == {
        "kind": "api_key",
        "id": key["id"],
        "name": "出入境核验",
        "agency": "吉林省公安厅出入境管理局",
        "email": None,
        "roles": [],
        "scopes": [INTEGRITY],
        "organization_id": None,
        "organization_uscc": None,
    }
    # keys are for the services, not for administration
    _problem(await gateway.client.get(KEYS, headers={"X-API-Key": key["key"]}), 403, "forbidden")
    assert await authenticate(_request(gateway, {})) == ANONYMOUS


async def test_a_key_owned_by_a_registered_organisation(gateway: Gateway) -> None:
    org = await gateway.create_org(await gateway.admin(), USCC_CHANGCHUN, "吉林省某市场监管局", "government")
    key = await _issue(gateway, agency=None, organization_id=org["id"])
    assert key["agency"] == "吉林省某市场监管局" and key["organization_id"] == org["id"]
    principal = await authenticate(_request(gateway, {"X-API-Key": key["key"]}))
    assert principal.org_id == org["id"] and principal.org_uscc == USCC_CHANGCHUN
    assert principal.name == "吉林省某市场监管局"


async def test_revoked_key_is_refused(gateway: Gateway) -> None:
    key = await _issue(gateway)
    admin = await gateway.admin()
    assert (await gateway.client.get(ME, headers={"X-API-Key": key["key"]})).status_code == 200
    revoked = await gateway.client.delete(f"{KEYS}/{key['id']}", headers=admin)
    assert revoked.status_code == 204 and revoked.content == b""
    _problem(await gateway.client.get(ME, headers={"X-API-Key": key["key"]}), 401, "api_key_revoked")
    with pytest.raises(Unauthorized) as refused:
        await authenticate(_request(gateway, {"X-API-Key": key["key"]}))
    assert refused.value.code == "api_key_revoked"
    shown = (await gateway.client.get(f"{KEYS}/{key['id']}", headers=admin)).json()
    assert shown["status"] == "revoked" and shown["revoked_at"] is not None
    # revoking again is harmless; an unknown key is a 404
    assert (await gateway.client.delete(f"{KEYS}/{key['id']}", headers=admin)).status_code == 204
    _problem(await gateway.client.delete(f"{KEYS}/0123456789ab", headers=admin), 404, "not_found")
    assert (await gateway.client.delete(f"{KEYS}/not-hex!", headers=admin)).status_code in (404, 422)
    # only the administrator may revoke
    other = await _issue(gateway)
    _problem(
        await gateway.client.delete(f"{KEYS}/{other['id']}", headers={"X-API-Key": other["key"]}), 403, "forbidden"
    )
    listed = (await gateway.client.get(KEYS, params={"revoked": "true"}, headers=admin)).json()
    assert [k["id"] for k in listed["items"]] == [key["id"]]


async def test_expired_key_is_refused(gateway: Gateway) -> None:
    expires = gateway.clock.now + timedelta(hours=1)
    key = await _issue(gateway, expires_at=expires.isoformat())
    assert (await gateway.client.get(ME, headers={"X-API-Key": key["key"]})).status_code == 200
    gateway.clock.advance(hours=1)
    _problem(await gateway.client.get(ME, headers={"X-API-Key": key["key"]}), 401, "api_key_expired")
    shown = (await gateway.client.get(f"{KEYS}/{key['id']}", headers=await gateway.admin())).json()
    assert shown["status"] == "expired"


async def test_bad_keys_reveal_nothing(gateway: Gateway) -> None:
    key = await _issue(gateway)
    other = await _issue(gateway)
    await gateway.client.delete(f"{KEYS}/{key['id']}", headers=await gateway.admin())
    wrong_secret_of_revoked = key["key"][:-4] + ("AAAA" if not key["key"].endswith("AAAA") else "BBBB")
    swapped = f"kjt_{other['id']}_{key['key'].rsplit('_', 1)[-1]}"
    for bad in (
        "kjt_",
        "nope",
        "kjt_0123456789ab_" + "x" * 43,
        wrong_secret_of_revoked,
        key["key"][: len(key["key"]) // 2],
        swapped,
        "kjt_" + "a" * 500,
        other["key"] + " extra",
    ):
        _problem(await gateway.client.get(ME, headers={"X-API-Key": bad}), 401, "invalid_api_key")
    assert (await gateway.client.get(ME, headers={"X-API-Key": f"  {other['key']}  "})).status_code == 200


async def test_last_use_is_recorded_at_most_once_a_minute(gateway: Gateway) -> None:
    key = await _issue(gateway)
    admin = await gateway.admin()
    url = f"{KEYS}/{key['id']}"
    assert (await gateway.client.get(url, headers=admin)).json()["last_used_at"] is None
    first = gateway.clock.now
    await gateway.client.get(ME, headers={"X-API-Key": key["key"]})
    used = (await gateway.client.get(url, headers=admin)).json()["last_used_at"]
    assert used is not None

    gateway.clock.advance(seconds=30)
    await gateway.client.get(ME, headers={"X-API-Key": key["key"]})
    assert (await gateway.client.get(url, headers=admin)).json()["last_used_at"] == used

    gateway.clock.advance(seconds=31)
    await gateway.client.get(ME, headers={"X-API-Key": key["key"]})
    later = (await gateway.client.get(url, headers=admin)).json()["last_used_at"]
    assert later != used
    async with gateway.db.sessionmaker() as session:
        row = (await session.execute(select(ApiKey.last_used_at).where(ApiKey.id == key["id"]))).scalar_one()
    assert row == first + timedelta(seconds=61)


async def test_key_input_is_validated(gateway: Gateway) -> None:
    admin = await gateway.admin()
    base = {"name": "核验", "agency": "某机关", "scopes": [VERIFY]}

    async def field_error(body: dict[str, Any], field: str, code: str) -> None:
        body_ = _problem(await gateway.client.post(KEYS, json=body, headers=admin), 422, "validation_failed")
        assert any(e["field"] == field and e["code"] == code for e in body_["errors"]), body_

    for scope in (
        "foreign-experts:permits",
        "Foreign-Experts:permits:verify",
        "unknown:things:read",
        "projects:integrity:read:extra",
        "projects::read",
        "projects:integrity:*",
        "",
    ):
        await field_error({**base, "scopes": [scope]}, "scopes", "invalid_scope")
    await field_error({**base, "scopes": []}, "scopes", "too_short")
    await field_error({"name": "核验", "scopes": [VERIFY]}, "agency", "agency_required")
    await field_error(
        {**base, "expires_at": (gateway.clock.now - timedelta(minutes=1)).isoformat()}, "expires_at", "in_past"
    )
    await field_error({**base, "expires_at": "2030-01-01T00:00:00"}, "expires_at", "timezone_aware")
    await field_error({**base, "organization_id": 2**62}, "organization_id", "unknown_organization")
    await field_error({**base, "key": "kjt_mine"}, "key", "unknown_field")
    await field_error({**base, "id": "0123456789ab"}, "id", "unknown_field")


async def test_an_unknown_scope_is_refused_with_the_known_ones(gateway: Gateway) -> None:
    """A well-formed scope no service declares (shared/scopes.py) would open nothing: a misspelt one is
    refused at once, naming what was probably meant and listing the known ones, and nothing is issued."""
    admin = await gateway.admin()
    body = {"name": "核验", "agency": "某机关", "scopes": [VERIFY, "foreign-experts:permits:verfy"]}
    english = _problem(
        await gateway.client.post(KEYS, json=body, headers={**admin, "Accept-Language": "en"}), 422, "unknown_scope"
    )
    assert english["unknown_scopes"] == ["foreign-experts:permits:verfy"]
    assert english["known_scopes"] == list(SCOPES) and {VERIFY, INTEGRITY} <= set(english["known_scopes"])
    assert "did you mean foreign-experts:permits:verify?" in english["detail"]
    assert all(name in english["detail"] for name in SCOPES)
    assert english["errors"] == [{"field": "scopes", "code": "unknown_scope", "message": english["detail"]}]
    chinese = _problem(await gateway.client.post(KEYS, json=body, headers=admin), 422, "unknown_scope")
    assert chinese["title"] == "未知的授权范围" and "是否应为 foreign-experts:permits:verify" in chinese["detail"]
    # a service that declares no scope has none to give
    other = {**body, "scopes": ["transfer:smes:read"]}
    _problem(await gateway.client.post(KEYS, json=other, headers=admin), 422, "unknown_scope")
    assert (await gateway.client.get(KEYS, headers=admin)).json()["items"] == []
    with pytest.raises(UnknownScope):
        await commands.create_api_key(gateway.db, "x", "某机关", ["foreign-experts:permits:verfy"], None)


async def test_cli_functions_issue_and_revoke_keys(gateway: Gateway) -> None:
    expires = gateway.clock.now + timedelta(days=365)
    key_id, secret = await commands.create_api_key(gateway.db, "许可核验", "吉林省公安厅", [VERIFY], expires)
    assert secret.startswith(f"kjt_{key_id}_")
    principal = await authenticate(_request(gateway, {"X-API-Key": secret}))
    assert principal.subject == key_id and principal.scopes == frozenset({VERIFY}) and principal.name == "吉林省公安厅"
    shown = (await gateway.client.get(f"{KEYS}/{key_id}", headers=await gateway.admin())).json()
    assert shown["created_by"] == "cli"

    await commands.revoke_api_key(gateway.db, key_id)
    await commands.revoke_api_key(gateway.db, key_id)
    _problem(await gateway.client.get(ME, headers={"X-API-Key": secret}), 401, "api_key_revoked")
    with pytest.raises(NotFound):
        await commands.revoke_api_key(gateway.db, "0123456789ab")
    with pytest.raises(ValidationFailed) as bad:
        await commands.create_api_key(gateway.db, "x", "某机关", ["not a scope"], None)
    assert bad.value.extra["errors"][0]["code"] == "invalid_scope"


async def test_deactivating_an_organisation_stops_its_people_and_keys(gateway: Gateway) -> None:
    admin = await gateway.admin()
    org = await gateway.create_org(admin, USCC_CHANGCHUN, "吉林省某市场监管局", "government")
    await gateway.create_user(admin, "li@example.cn", "applicant", organization_id=org["id"])
    person = await gateway.bearer("li@example.cn", "Zhang-San-2026")
    key = await _issue(gateway, agency=None, organization_id=org["id"])
    assert (await gateway.client.get(ME, headers=person)).status_code == 200
    assert (await gateway.client.get(ME, headers={"X-API-Key": key["key"]})).status_code == 200

    url = f"/api/v1/admin/organizations/{org['id']}"
    etag = (await gateway.client.get(url, headers=admin)).headers["etag"]
    off = await gateway.client.patch(url, json={"active": False}, headers={**admin, "If-Match": etag})
    assert off.status_code == 200, off.text

    _problem(await gateway.client.get(ME, headers=person), 401, "account_disabled")
    _problem(await gateway.client.get(ME, headers={"X-API-Key": key["key"]}), 401, "api_key_revoked")
    _problem(await gateway.login("li@example.cn", "Zhang-San-2026"), 401, "account_disabled")
