"""The foundation app starts on its migrated database and reaches the projects app in process."""

from __future__ import annotations

from tests.services.foundation.conftest import OFFICIAL, PREFIX, PROJECTS, Platform


async def test_foundation_and_projects_answer(platform: Platform) -> None:
    r = await platform.c.get(f"{PREFIX}/about", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    r = await platform.projects.get(f"{PROJECTS}/about", headers=OFFICIAL)
    assert r.status_code == 200, r.text
