"""Logging in, access tokens and the lockout: POST /api/v1/auth/token, GET /api/v1/auth/me."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.warnings import InsecureKeyLengthWarning
from sqlalchemy import select, update

from gateway.accounts.models import User
from shared.principal import Principal, sign_principal
from tests.conftest import TEST_SECRET
from tests.gateway.accounts_fixtures import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    GOOD_PASSWORD,
    JWT_SECRET,
    Gateway,
    running_gateway,
)

ME = "/api/v1/auth/me"


@pytest.fixture
async def gateway(make_db: Any) -> AsyncIterator[Gateway]:
    async with running_gateway(make_db) as gw:
        yield gw


EMAIL = "li.si@jlu.edu.cn"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["code"] == code, body
    return body


async def _user(gw: Gateway, *roles: str, email: str = EMAIL, org: int | None = None) -> dict[str, Any]:
    return await gw.create_user(await gw.admin(), email, *roles, organization_id=org)


def _claims(gw: Gateway, token: str) -> dict[str, Any]:
    return dict(
        jwt.decode(
            token,
            JWT_SECRET,
            algorithms=["HS256"],
            audience="kjt-api",
            options={"verify_exp": False, "verify_iat": False},
        )
    )


def _hs512(claims: dict[str, Any]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # our 43-byte key is short for HS512
        return jwt.encode(claims, JWT_SECRET, algorithm="HS512")


def _forge(claims: dict[str, Any], key: Any = JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


# --- logging in ---------------------------------------------------------------------------------


async def test_login_returns_a_bearer_token_with_the_documented_claims(gateway: Gateway) -> None:
    org = await gateway.create_org(await gateway.admin())
    user = await _user(gateway, "applicant", "reviewer", org=org["id"])
    response = await gateway.login(EMAIL, GOOD_PASSWORD)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    claims = _claims(gateway, body["access_token"])
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    assert claims["sub"] == str(user["id"]) and claims["roles"] == ["applicant", "reviewer"]
    assert claims["org_id"] == org["id"] and claims["iss"] == "kjt-gateway" and claims["aud"] == "kjt-api"
    assert claims["exp"] - claims["iat"] == 30 * 60 and len(claims["jti"]) >= 16
    # every token is distinct
    assert _claims(gateway, await gateway.token(EMAIL, GOOD_PASSWORD))["jti"] != claims["jti"]


async def test_me_shows_the_person_behind_the_token(gateway: Gateway) -> None:
    org = await gateway.create_org(await gateway.admin())
    user = await _user(gateway, "applicant", org=org["id"])
    me = await gateway.client.get(ME, headers=await gateway.bearer(EMAIL, GOOD_PASSWORD))
    assert me.status_code == 200, me.text
    assert me.json() == {
        "kind": "user",
        "id": str(user["id"]),
        "name": "张三",
        "agency": None,
        "email": EMAIL,
        "roles": ["applicant"],
        "scopes": [],
        "organization_id": org["id"],
        "organization_uscc": org["uscc"],
    }
    _problem(await gateway.client.get(ME), 401, "unauthorized")


async def test_login_is_case_insensitive_on_the_email(gateway: Gateway) -> None:
    await _user(gateway)
    assert (await gateway.login("  Li.Si@JLU.edu.CN ", GOOD_PASSWORD)).status_code == 200


async def test_wrong_password_and_unknown_email_look_the_same(gateway: Gateway) -> None:
    await _user(gateway)
    wrong = _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "invalid_credentials")
    unknown = _problem(await gateway.login("nobody@jlu.edu.cn", "Wrong-Password-1"), 401, "invalid_credentials")
    assert {k: v for k, v in wrong.items() if k != "instance"} == {k: v for k, v in unknown.items() if k != "instance"}
    english = await gateway.client.post(
        "/api/v1/auth/token", data={"username": EMAIL, "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert english.json()["title"] == "Wrong e-mail or password"


async def test_login_form_problems_are_4xx_never_500(gateway: Gateway) -> None:
    url = "/api/v1/auth/token"
    _problem(await gateway.client.post(url, data={"username": EMAIL}), 422, "validation_failed")
    _problem(
        await gateway.client.post(url, data={"username": EMAIL, "password": "x", "grant_type": "code"}),
        422,
        "validation_failed",
    )
    _problem(await gateway.login("a\x00b@jlu.edu.cn", GOOD_PASSWORD), 401, "invalid_credentials")
    _problem(await gateway.login("x" * 5000, GOOD_PASSWORD), 401, "invalid_credentials")
    await _user(gateway)
    _problem(await gateway.login(EMAIL, "A1-" * 10_000), 401, "invalid_credentials")


async def test_login_takes_a_form_and_says_so_to_a_json_body(gateway: Gateway) -> None:
    """OAuth2's token endpoint takes a form; JSON (or no body at all) is told that, not "Field required"."""
    await _user(gateway)
    url = "/api/v1/auth/token"
    refused: list[dict[str, Any]] = [
        {"json": {"username": EMAIL, "password": GOOD_PASSWORD}, "headers": {"Accept-Language": "en"}},
        {"content": b"username=x", "headers": {"Content-Type": "text/plain"}},
        {},
    ]
    for sent in refused:
        response = await gateway.client.post(url, **sent)
        body = _problem(response, 415, "form_required")
        assert "application/x-www-form-urlencoded" in body["detail"], body
        assert "errors" not in body
    english = await gateway.client.post(url, json={}, headers={"Accept-Language": "en"})
    assert "form" in english.json()["detail"] and "JSON" in english.json()["detail"]
    chinese = await gateway.client.post(url, json={})
    assert "表单" in chinese.json()["detail"]
    # a form, with its charset or as multipart, still logs in
    form = await gateway.client.post(
        url,
        content=f"username={EMAIL}&password={GOOD_PASSWORD}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert form.status_code == 200, form.text
    multipart = await gateway.client.post(url, files={"username": (None, EMAIL), "password": (None, GOOD_PASSWORD)})
    assert multipart.status_code == 200, multipart.text
    # and the document says so
    operation = gateway.app.openapi()["paths"][url]["post"]
    assert "form_required" in operation["responses"]["415"]["description"]


async def test_login_upgrades_a_hash_made_with_older_parameters(gateway: Gateway) -> None:
    user = await _user(gateway)
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(GOOD_PASSWORD)
    async with gateway.db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == user["id"]).values(password_hash=old))
        await session.commit()
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200
    async with gateway.db.sessionmaker() as session:
        stored = (await session.execute(select(User.password_hash).where(User.id == user["id"]))).scalar_one()
    assert stored != old and not PasswordHasher().check_needs_rehash(stored)
    assert "m=65536" in stored
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200


# --- lockout ------------------------------------------------------------------------------------


async def test_five_failures_lock_the_account_even_for_the_right_password(gateway: Gateway) -> None:
    await _user(gateway)
    for _ in range(4):
        _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "invalid_credentials")
    fifth = _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "account_locked")
    assert "15" in fifth["detail"]
    sixth = await gateway.login(EMAIL, GOOD_PASSWORD)
    _problem(sixth, 401, "account_locked")
    assert 0 < int(sixth.headers["retry-after"]) <= 15 * 60
    gateway.clock.advance(minutes=14, seconds=59)
    _problem(await gateway.login(EMAIL, GOOD_PASSWORD), 401, "account_locked")
    gateway.clock.advance(seconds=2)
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200
    # the count starts afresh after the lock lifts
    for _ in range(4):
        _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "invalid_credentials")
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200


async def test_lockout_does_not_reveal_whether_the_email_exists(gateway: Gateway) -> None:
    await _user(gateway)
    existing = [(await gateway.login(EMAIL, "Wrong-Password-1")) for _ in range(6)]
    unknown = [(await gateway.login("ghost@jlu.edu.cn", "Wrong-Password-1")) for _ in range(6)]
    for a, b in zip(existing, unknown, strict=True):
        assert a.status_code == b.status_code == 401
        assert a.json()["code"] == b.json()["code"]
        assert a.json()["detail"] == b.json()["detail"]
    assert existing[-1].json()["code"] == "account_locked"


async def test_only_consecutive_recent_failures_count(gateway: Gateway) -> None:
    await _user(gateway)
    for _ in range(4):
        await gateway.login(EMAIL, "Wrong-Password-1")
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200  # success resets the count
    for _ in range(4):
        await gateway.login(EMAIL, "Wrong-Password-1")
    gateway.clock.advance(minutes=16)  # older than the window: they no longer count
    for _ in range(4):
        _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "invalid_credentials")
    assert (await gateway.login(EMAIL, GOOD_PASSWORD)).status_code == 200


async def test_password_reset_lifts_the_lockout(gateway: Gateway) -> None:
    user = await _user(gateway)
    for _ in range(5):
        await gateway.login(EMAIL, "Wrong-Password-1")
    _problem(await gateway.login(EMAIL, GOOD_PASSWORD), 401, "account_locked")
    reset = await gateway.client.post(
        f"/api/v1/admin/users/{user['id']}/reset-password",
        json={"password": "New-Passw0rd-2026"},
        headers=await gateway.admin(),
    )
    assert reset.status_code == 200, reset.text
    assert (await gateway.login(EMAIL, "New-Passw0rd-2026")).status_code == 200


# --- verifying tokens ---------------------------------------------------------------------------


async def test_token_expires_after_its_lifetime(gateway: Gateway) -> None:
    await _user(gateway)
    headers = await gateway.bearer(EMAIL, GOOD_PASSWORD)
    gateway.clock.advance(minutes=29)
    assert (await gateway.client.get(ME, headers=headers)).status_code == 200
    gateway.clock.advance(minutes=1, seconds=10)
    body = _problem(await gateway.client.get(ME, headers=headers), 401, "token_expired")
    assert body["title"] == "访问令牌已过期"


async def test_forged_tokens_are_refused(gateway: Gateway) -> None:
    user = await _user(gateway)
    token = await gateway.token(EMAIL, GOOD_PASSWORD)
    claims = _claims(gateway, token)
    escalated = {**claims, "sub": "1", "roles": ["admin"]}

    header_b64, payload_b64, signature = token.split(".")
    tampered_payload = base64.urlsafe_b64encode(json.dumps(escalated).encode()).rstrip(b"=").decode()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    internal = sign_principal(Principal(kind="user", subject=str(user["id"]), roles=frozenset({"admin"})), TEST_SECRET)
    forged = {
        "alg none": jwt.encode(escalated, None, algorithm="none"),
        "alg none, signature kept": jwt.encode(escalated, None, algorithm="none") + signature,
        "wrong key": _forge(escalated, "another-secret-that-is-long-enough-0123"),
        "tampered payload": f"{header_b64}.{tampered_payload}.{signature}",
        "RS256 with own key": _forge(escalated, rsa_key, "RS256"),
        "HS512 with the right key": _hs512(escalated),
        "internal principal token": internal,
        "wrong audience": _forge({**claims, "aud": "kjt-internal"}),
        "wrong issuer": _forge({**claims, "iss": "somebody"}),
        "no exp": _forge({k: v for k, v in claims.items() if k != "exp"}),
        "no jti": _forge({k: v for k, v in claims.items() if k != "jti"}),
        "string exp": _forge({**claims, "exp": str(claims["exp"])}),
        "issued in the future": _forge({**claims, "iat": claims["iat"] + 3600, "exp": claims["exp"] + 3600}),
        "non-numeric subject": _forge({**claims, "sub": "admin"}),
        "huge subject": _forge({**claims, "sub": "9" * 40}),
        "unknown user": _forge({**claims, "sub": "987654321"}),
        "garbage": "not.a.token",
        "empty segments": "..",
        "oversized": "a" * 10_000,
    }
    for name, bad in forged.items():
        response = await gateway.client.get(ME, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, (name, response.text)
        assert response.json()["code"] == "invalid_token", name
        assert response.headers["www-authenticate"] == "Bearer"
    # the genuine one still works
    assert (await gateway.client.get(ME, headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_malformed_authorization_headers(gateway: Gateway) -> None:
    for value in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer   ", "Token abc", "bearer"):
        _problem(await gateway.client.get(ME, headers={"Authorization": value}), 401, "invalid_token")
    token = await gateway.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert (await gateway.client.get(ME, headers={"Authorization": f"bearer {token}"})).status_code == 200
    _problem(
        await gateway.client.get(ME, headers={"Authorization": f"Bearer {token}", "X-API-Key": "kjt_x"}),
        401,
        "ambiguous_credentials",
    )


async def test_token_of_a_deactivated_user_is_refused(gateway: Gateway) -> None:
    user = await _user(gateway)
    headers = await gateway.bearer(EMAIL, GOOD_PASSWORD)
    admin = await gateway.admin()
    etag = (await gateway.client.get(f"/api/v1/admin/users/{user['id']}", headers=admin)).headers["etag"]
    patched = await gateway.client.patch(
        f"/api/v1/admin/users/{user['id']}", json={"active": False}, headers={**admin, "If-Match": etag}
    )
    assert patched.status_code == 200, patched.text
    _problem(await gateway.client.get(ME, headers=headers), 401, "account_disabled")
    # logging in again tells the owner (who knows the password) why, and nobody else
    _problem(await gateway.login(EMAIL, GOOD_PASSWORD), 401, "account_disabled")
    _problem(await gateway.login(EMAIL, "Wrong-Password-1"), 401, "invalid_credentials")


async def test_role_changes_apply_to_tokens_already_issued(gateway: Gateway) -> None:
    user = await _user(gateway, "applicant")
    headers = await gateway.bearer(EMAIL, GOOD_PASSWORD)
    admin = await gateway.admin()
    etag = (await gateway.client.get(f"/api/v1/admin/users/{user['id']}", headers=admin)).headers["etag"]
    await gateway.client.patch(
        f"/api/v1/admin/users/{user['id']}", json={"roles": ["reviewer"]}, headers={**admin, "If-Match": etag}
    )
    assert (await gateway.client.get(ME, headers=headers)).json()["roles"] == ["reviewer"]


async def test_password_reset_ends_existing_sessions(gateway: Gateway) -> None:
    user = await _user(gateway)
    headers = await gateway.bearer(EMAIL, GOOD_PASSWORD)
    gateway.clock.advance(seconds=2)
    reset = await gateway.client.post(
        f"/api/v1/admin/users/{user['id']}/reset-password",
        json={"password": "New-Passw0rd-2026"},
        headers=await gateway.admin(),
    )
    assert reset.status_code == 200, reset.text
    _problem(await gateway.client.get(ME, headers=headers), 401, "invalid_token")
    _problem(await gateway.login(EMAIL, GOOD_PASSWORD), 401, "invalid_credentials")
    fresh = await gateway.bearer(EMAIL, "New-Passw0rd-2026")
    assert (await gateway.client.get(ME, headers=fresh)).status_code == 200
