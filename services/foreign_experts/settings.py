from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_PII_SECRET, ServiceSettings


class ForeignExpertsSettings(ServiceSettings):
    """Settings of the foreign_experts service: ``KJT_FOREIGN_EXPERTS_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "foreign_experts"
    model_config = SettingsConfigDict(env_prefix="KJT_FOREIGN_EXPERTS_", extra="ignore")

    pii_secret: str = Field(
        default=DEV_PII_SECRET,
        description="The key of foreigners' personal information at rest (PIPL, shared.pii): passport numbers "
        "and birth dates are SM4-encrypted and looked up by HMAC under keys derived from it. Changing it makes "
        "every stored passport unreadable: keep it with the database's backups. Refused in production "
        "unless set to a real secret of at least 32 characters.",
    )

    def secrets(self) -> dict[str, str]:
        return {**super().secrets(), "KJT_FOREIGN_EXPERTS_PII_SECRET": self.pii_secret}
