"""Browser origins (docs/operations.md "CORS"): in development a web app served from this machine
(http://localhost:5173, http://127.0.0.1:3000 ...) may call the API out of the box; in production
only the origins KJT_CORS_ORIGINS lists may."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.gateway.conftest import Platform, gateway_settings

LOCAL = ("http://localhost:5173", "http://127.0.0.1:3000", "http://localhost", "http://[::1]:8080")
FOREIGN = (
    "https://evil.example",
    "http://localhost.evil.example",
    "http://evil.example/http://localhost:5173",
    "https://localhost:5173",  # a local server on https is not the development default: list it
    "http://192.168.1.20:5173",
    "http://localhost:5173.evil.example",
)
PORTAL = "https://portal.kjt.jl.gov.cn"


async def preflight(platform: Platform, origin: str) -> bool:
    response = await platform.client.options(
        "/api/v1/projects/about",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, Content-Type, If-Match, Idempotency-Key",
        },
    )
    allowed = response.headers.get("access-control-allow-origin") == origin
    assert allowed == (response.status_code == 200), (origin, response.status_code)
    return allowed


async def test_development_allows_a_local_web_app_out_of_the_box(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(env="development")
    for origin in LOCAL:
        assert await preflight(platform, origin), origin
    for origin in FOREIGN:
        assert not await preflight(platform, origin), origin
    actual = await platform.client.get("/api/v1/projects/about", headers={"Origin": "http://localhost:5173"})
    assert actual.status_code == 200
    assert actual.headers["access-control-allow-origin"] == "http://localhost:5173"
    exposed = actual.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "idempotent-replayed" in exposed


async def test_production_allows_only_the_listed_origins(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(
        env="production", cors_origins=[PORTAL], jwt_secret="j" * 40, internal_secret="i" * 40
    )
    assert await preflight(platform, PORTAL)
    for origin in LOCAL + FOREIGN:
        assert not await preflight(platform, origin), origin


def test_the_local_origins_follow_the_environment_and_can_be_turned_off() -> None:
    assert gateway_settings(env="development").allows_local_origins
    assert gateway_settings(env="test").allows_local_origins
    assert not gateway_settings(env="development", cors_local_origins=False).allows_local_origins
    assert gateway_settings(env="development", cors_local_origins=False).cors_origin_regex is None
    production = {"env": "production", "jwt_secret": "j" * 40, "internal_secret": "i" * 40}
    assert not gateway_settings(**production).allows_local_origins
    with pytest.raises(ValidationError, match="KJT_CORS_LOCAL_ORIGINS"):
        gateway_settings(**production, cors_local_origins=True)


def test_the_banner_states_the_setting() -> None:
    development = gateway_settings(env="development")
    assert development.cors_summary().startswith("http://localhost:* and http://127.0.0.1:*")
    listed = gateway_settings(env="development", cors_origins=[PORTAL])
    assert PORTAL in listed.cors_summary() and "localhost" in listed.cors_summary()
    production = gateway_settings(env="production", jwt_secret="j" * 40, internal_secret="i" * 40)
    assert production.cors_summary().startswith("none") and "KJT_CORS_ORIGINS" in production.cors_summary()
    assert (
        gateway_settings(
            env="production", jwt_secret="j" * 40, internal_secret="i" * 40, cors_origins=[PORTAL]
        ).cors_summary()
        == PORTAL
    )


def test_kjt_runs_banner_prints_it() -> None:
    from kjt import runner, startup
    from tests.test_start import CHILDREN

    text = runner.banner(
        CHILDREN, startup.Accounts(), "admin@kjt.jl.gov.cn", None, cors=gateway_settings().cors_summary()
    )
    assert "  CORS             http://localhost:* and http://127.0.0.1:*" in text
