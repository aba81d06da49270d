from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ForeignExpertsSettings(ServiceSettings):
    """Settings of the foreign_experts service: ``KJT_FOREIGN_EXPERTS_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "foreign_experts"
    model_config = SettingsConfigDict(env_prefix="KJT_FOREIGN_EXPERTS_", extra="ignore")
