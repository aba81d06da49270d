"""Settings shared by every process.

Every variable starts with ``KJT_``. A service reads its own ``KJT_<SERVICE>_`` variables first and
falls back to the platform-wide ``KJT_`` ones, so ``KJT_FOUNDATION_DATABASE_URL`` overrides
``KJT_DATABASE_URL`` for the foundation service alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

# Development defaults: long enough for HS256, refused in production.
DEV_INTERNAL_SECRET = "changethis-internal-secret-for-development-only"
DEV_JWT_SECRET = "changethis-jwt-secret-for-development-only"
DEV_SUBJECT_KEY_SECRET = "changethis-subject-key-secret-for-development-only"
DEV_PII_SECRET = "changethis-pii-secret-for-development-only"
PLACEHOLDER_SECRETS = {"changethis", DEV_INTERNAL_SECRET, DEV_JWT_SECRET, DEV_SUBJECT_KEY_SECRET, DEV_PII_SECRET}

SERVICES: tuple[str, ...] = ("projects", "foundation", "talent", "transfer", "foreign_experts")
DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8000,
    "projects": 8101,
    "foundation": 8102,
    "talent": 8103,
    "transfer": 8104,
    "foreign_experts": 8105,
}


def url_segment(service: str) -> str:
    """The service's name as it appears in URLs (``foreign_experts`` -> ``foreign-experts``)."""
    return service.replace("_", "-")


class PlatformSettings(BaseSettings):
    """What every process of the platform reads (``KJT_`` variables)."""

    model_config = SettingsConfigDict(env_prefix="KJT_", extra="ignore", env_file=None)

    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL. Unset: a SQLite file per process under var_dir. "
        "PostgreSQL: every service in its own schema of this database.",
    )
    internal_secret: str = Field(
        default=DEV_INTERNAL_SECRET,
        description="HMAC key of the short-lived principal token the gateway signs for the services.",
    )
    subject_key_secret: str = Field(
        default=DEV_SUBJECT_KEY_SECRET,
        description="HMAC key of the subject keys (shared.subject_keys): integrity records and the limits "
        "ledger name people and organisations by it, never by their ID number or USCC. The same in every "
        "process; changing it re-keys every stored subject.",
    )
    internal_token_ttl_seconds: int = 60
    log_level: str = "INFO"
    access_log: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    db_pool_size: int = 10
    dependency_timeout_seconds: float = 5.0

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> PlatformSettings:
        if self.env == "production":
            for name, value in self.secrets().items():
                if value in PLACEHOLDER_SECRETS or len(value) < 32:
                    raise ValueError(f"{name} must be set to a real secret of at least 32 characters in production")
        return self

    def secrets(self) -> dict[str, str]:
        return {"KJT_INTERNAL_SECRET": self.internal_secret}


class _PlatformFallbackSource(EnvSettingsSource):
    """The platform-wide ``KJT_`` variables, less those that name the gateway itself (``KJT_PORT``)."""

    own_fields = frozenset({"port"})

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k not in self.own_fields}


class ServiceSettings(PlatformSettings):
    """A service's settings: ``KJT_<SERVICE>_`` first, then the platform-wide ``KJT_`` variable."""

    service_name: ClassVar[str] = ""
    model_config = SettingsConfigDict(env_prefix="KJT_SERVICE_", extra="ignore")

    port: int = 0
    gateway_url: str = "http://127.0.0.1:8000"
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        description='Where the other services listen, as JSON ({"projects": "http://..."}); `kjt run` sets '
        "it for every process. A service missing here is looked for on 127.0.0.1 at its default port.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        platform_env = _PlatformFallbackSource(settings_cls, env_prefix="KJT_")
        return init_settings, env_settings, platform_env, file_secret_settings

    def model_post_init(self, context: Any, /) -> None:
        if not self.port:
            self.port = DEFAULT_PORTS.get(self.service_name, 0)

    def service_url(self, name: str) -> str:
        """The base URL of service ``name`` (``service_urls``, else 127.0.0.1 at its default port)."""
        return self.service_urls.get(name) or f"http://127.0.0.1:{DEFAULT_PORTS[name]}"

    def secrets(self) -> dict[str, str]:
        # Services hash ID numbers into subject keys; the gateway never does, so only they need it.
        return {**super().secrets(), "KJT_SUBJECT_KEY_SECRET": self.subject_key_secret}

    @property
    def db_schema(self) -> str:
        return self.service_name
