"""What a process logs (issue 12, item 15): KJT_LOG_LEVEL in any case, warnings that say so, and a
service's access line at debug (the gateway's line is the one per request the console shows)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from shared.app import ConsoleFormatter, configure_logging, create_service_app, log_level_number
from shared.db import Database
from tests.conftest import TEST_SECRET, principal_headers
from tests.shared import sample_app


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger and the libraries' loggers restored after the test."""
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "aiosqlite")}
    yield root
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(("name", "number"), [("debug", 10), ("DEBUG", 10), (" Info ", 20), ("warning", 30)])
def test_log_level_in_any_case(name: str, number: int, root_logging: logging.Logger) -> None:
    """KJT_LOG_LEVEL=debug used to stop every process with ValueError: logging knows upper-case names only."""
    assert log_level_number(name) == number
    configure_logging(name)
    assert root_logging.level == number
    # the libraries' own lines (each internal HTTP call, each SQLite call) stay at warning
    assert logging.getLogger("aiosqlite").level == logging.getLogger("httpx").level == max(30, number)


def test_an_unknown_level_is_info(root_logging: logging.Logger) -> None:
    configure_logging("chatty")
    assert root_logging.level == logging.INFO


def test_warnings_say_so_and_access_lines_stay_json() -> None:
    formatter = ConsoleFormatter("%(message)s")

    def line(level: int, message: str) -> str:
        return formatter.format(logging.LogRecord("kjt", level, __file__, 1, message, None, None))

    assert line(logging.WARNING, "readiness: talent is down") == "WARNING: readiness: talent is down"
    assert line(logging.ERROR, "boom") == "ERROR: boom"
    access = json.dumps({"app": "gateway", "status": 200})
    assert json.loads(line(logging.INFO, access)) == {"app": "gateway", "status": 200}


async def test_a_service_logs_its_access_line_at_debug(sample_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    """The gateway's line names the request already (its id, service, route template, status, time), so
    a service's own line is there only at debug; a probe is debug wherever it lands."""
    settings = sample_app.SampleSettings(internal_secret=TEST_SECRET, env="test", access_log=True)
    app = create_service_app(sample_app.SPEC, settings, database=sample_db)
    caplog.set_level(logging.DEBUG, logger="kjt.access")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sample") as client:
        headers = {**principal_headers("applicant", subject="u1"), "X-Request-ID": "one-line-please"}
        assert (await client.get("/api/v1/sample/public", headers=headers)).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
    records = [r for r in caplog.records if r.name == "kjt.access"]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.DEBUG]
    line = json.loads(records[0].getMessage())
    assert line["request_id"] == "one-line-please" and line["status"] == 200 and "ms" in line
