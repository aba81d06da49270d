from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TransferSettings(ServiceSettings):
    """Settings of the transfer service: ``KJT_TRANSFER_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "transfer"
    model_config = SettingsConfigDict(env_prefix="KJT_TRANSFER_", extra="ignore")
