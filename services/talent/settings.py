from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TalentSettings(ServiceSettings):
    """Settings of the talent service: ``KJT_TALENT_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "talent"
    model_config = SettingsConfigDict(env_prefix="KJT_TALENT_", extra="ignore")
