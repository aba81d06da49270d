from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DEFAULT_PORTS, DEV_JWT_SECRET, SERVICES, PlatformSettings

# A web app under development on this machine: plain http, localhost or the loopback address, any port.
LOCAL_ORIGINS = r"http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"


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
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API, as JSON (["https://portal.kjt.jl.gov.cn"]); '
        "the only ones in production.",
    )
    cors_local_origins: bool | None = Field(
        default=None,
        description="Also allow a web app under development on this machine: http://localhost and "
        "http://127.0.0.1 on any port. Unset: on unless KJT_ENV is production; never in production.",
    )
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    trust_forwarded_for: bool = False

    def secrets(self) -> dict[str, str]:
        return {**super().secrets(), "KJT_JWT_SECRET": self.jwt_secret}

    @model_validator(mode="after")
    def _no_local_origins_in_production(self) -> GatewaySettings:
        if self.env == "production" and self.cors_local_origins:
            raise ValueError("KJT_CORS_LOCAL_ORIGINS cannot be on in production: list the origins in KJT_CORS_ORIGINS")
        return self

    @property
    def allows_local_origins(self) -> bool:
        return self.env != "production" if self.cors_local_origins is None else self.cors_local_origins

    @property
    def cors_origin_regex(self) -> str | None:
        """The pattern of the origins allowed besides ``cors_origins``: the local ones, when they are."""
        return LOCAL_ORIGINS if self.allows_local_origins else None

    def cors_summary(self) -> str:
        """The browser origins the gateway answers, in a line (for ``kjt run``'s banner)."""
        parts = ["http://localhost:* and http://127.0.0.1:*"] if self.allows_local_origins else []
        parts += self.cors_origins
        if not parts:
            return "none (list the origins of your web apps in KJT_CORS_ORIGINS)"
        why = " (KJT_CORS_LOCAL_ORIGINS=false turns the local ones off)" if self.allows_local_origins else ""
        return ", ".join(parts) + why
