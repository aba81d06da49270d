"""A quiet start (issue 12, item 15), the parts that need no running platform: uvicorn's flags and the
runner's console. A real start is counted in tests/e2e/test_gateway_e2e.py."""

from __future__ import annotations

import io

from kjt import runner

CHILDREN = runner.plan("127.0.0.1", {})


# --- a quiet console -----------------------------------------------------------------------------


def test_uvicorn_is_quiet_unless_debug() -> None:
    """uvicorn's own lines (started, running on, shutting down) and its access log are the runner's and
    the gateway's business; KJT_LOG_LEVEL=debug shows everything."""
    child = runner.Child("talent", "services.talent.main", "127.0.0.1", 8103)
    for level in ("INFO", "info"):
        cmd = runner.uvicorn_command(child, level, python="python")
        assert cmd[cmd.index("--log-level") + 1] == "warning" and "--no-access-log" in cmd
    for level in ("debug", "DEBUG"):
        cmd = runner.uvicorn_command(child, level, python="python")
        assert cmd[cmd.index("--log-level") + 1] == "debug" and "--no-access-log" not in cmd
    cmd = runner.uvicorn_command(child, "error", python="python")
    assert cmd[cmd.index("--log-level") + 1] == "error"


class _Output:
    def __init__(self, text: str) -> None:
        self.stdout = io.BytesIO(text.encode())


def test_the_demos_access_lines_are_counted_not_listed() -> None:
    """The runner's own demo requests (their X-Request-ID) are folded on the console; everything else
    the children write is copied, and a dead child's report still has the folded lines."""
    out = io.StringIO()
    sup = runner.Supervisor(CHILDREN, {}, out=out, fold_requests="kjt-demo-abc-")
    written = "\n".join(
        [
            '{"app": "gateway", "request_id": "kjt-demo-abc-1", "method": "GET", "status": 200}',
            '{"app": "gateway", "request_id": "mine-1", "method": "GET", "status": 200}',
            '{"app": "gateway", "request_id": "kjt-demo-zzz-1", "method": "GET", "status": 200}',
            "WARNING: something the operator must see about kjt-demo-abc-1",
        ]
    )
    sup._pump("gateway", _Output(written + "\n"))  # type: ignore[arg-type]
    shown = out.getvalue()
    assert 'kjt-demo-abc-1"' not in shown and "mine-1" in shown and "kjt-demo-zzz-1" in shown
    assert "WARNING: something" in shown
    assert len(sup.tails["gateway"]) == 4
