from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.foundation.settings import FoundationSettings
from services.projects.settings import ProjectsSettings


def test_service_variable_overrides_platform_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KJT_DATABASE_URL", "postgresql+asyncpg://db/platform")
    monkeypatch.setenv("KJT_PROJECTS_DATABASE_URL", "postgresql+asyncpg://db/projects")
    assert ProjectsSettings().database_url == "postgresql+asyncpg://db/projects"
    assert FoundationSettings().database_url == "postgresql+asyncpg://db/platform"


def test_default_ports_and_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KJT_PROJECTS_PORT", raising=False)
    assert ProjectsSettings().port == 8101 and ProjectsSettings().db_schema == "projects"
    monkeypatch.setenv("KJT_PROJECTS_PORT", "9101")
    assert ProjectsSettings().port == 9101


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="KJT_INTERNAL_SECRET"):
        ProjectsSettings(env="production")
    with pytest.raises(ValidationError):
        ProjectsSettings(env="production", internal_secret="short")
    with pytest.raises(ValidationError, match="KJT_SUBJECT_KEY_SECRET"):
        ProjectsSettings(env="production", internal_secret="s" * 40)
    ok = ProjectsSettings(env="production", internal_secret="s" * 40, subject_key_secret="k" * 40)
    assert ok.env == "production"


def test_gateway_port_variable_does_not_leak_into_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KJT_PORT", "9000")
    monkeypatch.delenv("KJT_PROJECTS_PORT", raising=False)
    assert ProjectsSettings().port == 8101
