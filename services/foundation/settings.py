from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FoundationSettings(ServiceSettings):
    """Settings of the foundation service: ``KJT_FOUNDATION_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "foundation"
    model_config = SettingsConfigDict(env_prefix="KJT_FOUNDATION_", extra="ignore")
