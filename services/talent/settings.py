from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_PII_SECRET, ServiceSettings


class TalentSettings(ServiceSettings):
    """Settings of the talent service: ``KJT_TALENT_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "talent"
    model_config = SettingsConfigDict(env_prefix="KJT_TALENT_", extra="ignore")

    pii_secret: str = Field(
        default=DEV_PII_SECRET,
        description="The key of applicants' ID numbers at rest (PIPL, shared.pii): they are SM4-encrypted under "
        "it. Changing it makes every stored number unreadable: keep it with the database's backups. Refused in "
        "production unless set to a real secret of at least 32 characters.",
    )
    projects_url: str | None = Field(
        default=None,
        description="Where the projects service listens (unset: from service_urls): the integrity check (PRJ-5) "
        "is asked there; when it does not answer, a submission is refused with 503 and Retry-After.",
    )

    foreign_experts_url: str | None = Field(
        default=None,
        description="Where the foreign-experts service listens (unset: from service_urls): a Friendship Award "
        "nominee's work permit is checked there; when it does not answer, the nomination is refused with 503 and "
        "Retry-After.",
    )

    @property
    def projects_base_url(self) -> str:
        return self.projects_url or self.service_url("projects")

    @property
    def foreign_experts_base_url(self) -> str:
        return self.foreign_experts_url or self.service_url("foreign_experts")

    def secrets(self) -> dict[str, str]:
        return {**super().secrets(), "KJT_TALENT_PII_SECRET": self.pii_secret}
