"""What a readiness probe logs: changes, not probes."""

from __future__ import annotations

import logging
from typing import Any


class ReadinessLog:
    """Logs what readiness probes find only when it changes, not on every probe.

    A probe's answer is the 503 itself: whoever polls ``/readyz`` while the platform starts (``kjt run``,
    an orchestrator) must not fill the log with what it already knows. A component that has not been up
    since this process started is only waited for (debug). Once it has been up, its going down is one
    warning with the reason, however often it is probed, and its coming back one info line.
    """

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.up: dict[str, bool] = {}
        self.went_down: set[str] = set()  # down since it was last up

    def record(self, name: str, state: dict[str, str], cause: str | None = None) -> dict[str, str]:
        """Remember ``name``'s state (``{"status": "up" | "down", "reason": ...}``), log a change; return it."""
        was, now = self.up.get(name), state["status"] == "up"
        self.up[name] = now
        detail = f"{state.get('reason', '')} ({cause})" if cause else state.get("reason", "")
        if now and name in self.went_down:
            self.went_down.discard(name)
            self.log.info("readiness: %s is up again", name)
        elif now and was is not True:
            self.log.debug("readiness: %s is up", name)
        elif not now and was:
            self.went_down.add(name)
            self.log.warning("readiness: %s is down: %s", name, detail)
        elif not now:
            self.log.debug("readiness: %s is not up (yet): %s", name, detail)
        return state


def readiness_log(app: Any, log: logging.Logger) -> ReadinessLog:
    """The app's one ``ReadinessLog`` (on ``app.state``), made on first use."""
    found: ReadinessLog | None = getattr(app.state, "readiness_log", None)
    if found is None:
        found = app.state.readiness_log = ReadinessLog(log)
    return found
