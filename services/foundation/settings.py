from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FoundationSettings(ServiceSettings):
    """Settings of the foundation service: ``KJT_FOUNDATION_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "foundation"
    model_config = SettingsConfigDict(env_prefix="KJT_FOUNDATION_", extra="ignore")

    projects_url: str | None = Field(
        default=None,
        description="Where the projects service listens (unset: from service_urls): the limits ledger (NSF-5, "
        "PRJ-1), the integrity check (PRJ-5) and the reviewer pool (NSF-2) are asked there; when it does not "
        "answer, a submission or a draw is refused with 503 and Retry-After.",
    )

    @property
    def projects_base_url(self) -> str:
        return self.projects_url or self.service_url("projects")
