"""Starting again on an existing var dir (issue 12, item 14): the banner names the administrator that
exists, not the one the settings name, and says whether the demo loaded, why not and how to fix it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import ADMIN_EMAIL, running_platform

pytestmark = pytest.mark.e2e

OTHER_ADMIN = "ops@kjt.jl.gov.cn"


def test_a_restart_with_another_administrator_is_told_the_truth(tmp_path: Path) -> None:
    with running_platform(tmp_path, KJT_DEMO="false") as first:
        banner = first.banner()
        assert f"administrator    {ADMIN_EMAIL}   password: the value of KJT_ADMIN_PASSWORD" in banner
        assert "demo data        not loaded (--no-demo or KJT_DEMO=false)" in banner

    with running_platform(tmp_path, KJT_ADMIN_EMAIL=OTHER_ADMIN) as second:
        banner = second.banner()
        before = second.before_banner()
        assert (
            before[-1]
            == f"kjt run: the demo data was not loaded: KJT_ADMIN_EMAIL={OTHER_ADMIN} has no account in this "
            "gateway database"
        )
        with httpx.Client(base_url=second.base_url, trust_env=False, timeout=10) as client:
            metrics = client.get("/metrics").text.splitlines()
        posts = [line for line in metrics if line.startswith("kjt_http_requests_total") and 'method="POST"' in line]
        assert posts == [], "the demo tried no login it knew would fail (a failed login counts towards a lockout)"
        lines = banner.splitlines()
        assert f"  administrator    {ADMIN_EMAIL}   password: the value of KJT_ADMIN_PASSWORD" in lines
        assert (
            f"                   (not KJT_ADMIN_EMAIL={OTHER_ADMIN}: the gateway creates its first administrator "
            "only in an empty database)"
        ) in lines
        assert (
            f"  demo data        NOT LOADED: KJT_ADMIN_EMAIL={OTHER_ADMIN} has no account in this gateway database, "
            "so the demo cannot log in"
        ) in lines
        assert (
            f"  to load it       start as the administrator that exists: KJT_ADMIN_EMAIL={ADMIN_EMAIL} make run"
            in lines
        )
        var = tmp_path / "var"
        assert f"                   or start afresh: KJT_VAR_DIR={var} make reset (deletes {var} after asking)" in lines

    # the first fix, followed: the demo loads
    with running_platform(tmp_path) as third:
        assert "  demo data        loaded now (the kjt run line above says what)" in third.banner().splitlines()
