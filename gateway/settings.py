from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DEFAULT_PORTS, DEV_JWT_SECRET, SERVICES, PlatformSettings


class GatewaySettings(PlatformSettings):
    """The gateway's settings (``KJT_`` variables)."""

    model_config = SettingsConfigDict(env_prefix="KJT_", extra="ignore")

    port: int = DEFAULT_PORTS["gateway"]
    jwt_secret: str = Field(default=DEV_JWT_SECRET, description="HMAC key of people's access tokens.")
    jwt_ttl_minutes: int = 30
    admin_email: str = "admin@kjt.jl.gov.cn"
    admin_password: str | None = Field(
        default=None,
        description="Password of the first administrator; in development a default is used and printed.",
    )
    service_urls: dict[str, str] = Field(
        default_factory=lambda: {s: f"http://127.0.0.1:{DEFAULT_PORTS[s]}" for s in SERVICES},
        description='Where each service listens, as JSON: {"projects": "http://..."}.',
    )
    upstream_timeout_seconds: float = 30.0
    redis_url: str | None = None
    rate_limit_user: str = "600/minute"
    rate_limit_api_key: str = "1200/minute"
    rate_limit_anonymous: str = "120/minute"
    rate_limit_login: str = "10/minute"
    cors_origins: list[str] = Field(default_factory=list)
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    trust_forwarded_for: bool = False

    def secrets(self) -> dict[str, str]:
        return {**super().secrets(), "KJT_JWT_SECRET": self.jwt_secret}
