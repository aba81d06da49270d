from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ProjectsSettings(ServiceSettings):
    """Settings of the projects service: ``KJT_PROJECTS_*``, falling back to ``KJT_*``."""

    service_name: ClassVar[str] = "projects"
    model_config = SettingsConfigDict(env_prefix="KJT_PROJECTS_", extra="ignore")
