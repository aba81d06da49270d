"""Every problem a test provokes must be one its operation declares in the OpenAPI document.

``install()`` registers an observer of every problem answered (``shared.error_handlers.problem_observers``).
It finds the operation the request reached (its method and path template) in the app that answered and
checks the problem's code against the codes ``shared.contract`` declares for it. A code the operation does
not declare is written down, and the test that provoked it fails at its end (``tests/conftest.py``), naming
the operation and the code: declare it (a route that reaches a problem through code the reading cannot
follow gives it in ``__problem_sources__``), or stop raising it.

Answers of 500 and above are not checked (a 500 is a defect, never a contract), nor requests that reached
no documented operation (an unknown path or method).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.routing import compile_path

from gateway.docs.cache import proxy_problems
from shared.contract.document import OperationContract, operation_contracts
from shared.error_handlers import problem_observers
from shared.errors import AppError, TooManyRequests
from shared.settings import SERVICES, url_segment

PROXIED = re.compile("^/api/v1/(" + "|".join(url_segment(s) for s in SERVICES) + ")(/|$)")


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    pattern: re.Pattern[str]
    contract: OperationContract


# By service spec (the apps of one service share their routers, module objects, so one reading serves them
# all; the spec is kept, so its id stays its own), else by app, weakly (an id is another app's once it is gone).
_by_spec: dict[int, tuple[Any, list[_Operation]]] = {}
_by_app: weakref.WeakKeyDictionary[Any, list[_Operation]] = weakref.WeakKeyDictionary()
violations: list[str] = []


def _of(app: Any) -> list[_Operation]:
    spec = getattr(app.state, "spec", None)
    if spec is not None and id(spec) not in _by_spec:
        _by_spec[id(spec)] = spec, _read(app, service=True)
    if spec is not None:
        return _by_spec[id(spec)][1]
    if app not in _by_app:
        _by_app[app] = _read(app, service=False)
    return _by_app[app]


def _read(app: Any, *, service: bool) -> list[_Operation]:
    # The gateway's own operations also answer its rate limit (gateway.docs.cache adds it to the document).
    extra = None if service else (lambda route: {TooManyRequests})
    contracts = operation_contracts(app.routes, service=service, extra=extra)
    operations = [
        _Operation(method, path, compile_path(path)[0], contract) for (method, path), contract in contracts.items()
    ]
    # A fixed segment wins over a parameter (``/calls/open`` before ``/calls/{call_id}``), as in the router.
    return sorted(operations, key=lambda o: [part.startswith("{") for part in o.path.split("/")])


def check(request: Request | None, error: AppError) -> None:
    if request is None or error.status >= 500:
        return
    app = request.scope.get("app")
    if app is None or not hasattr(app, "routes"):
        return
    method, path = request.scope["method"], request.scope["path"]
    if getattr(app.state, "spec", None) is None and PROXIED.match(path):
        # The gateway answering for a service: its own problems on a proxied call (a service's answers
        # pass through as they are, checked in the service's app).
        declared = {p.code for p in proxy_problems() if p.status == error.status}
        if error.code not in declared and error.status not in (404, 405):  # 404: no such operation
            violations.append(f"{method} {path} (proxied) answered {error.status} {error.code}, not declared")
        return
    for operation in _of(app):
        if operation.method == method and operation.pattern.match(path):
            declared = {p.code for p in operation.contract.problems if p.status == error.status}
            if error.code not in declared:
                violations.append(
                    f"{method} {operation.path} answered {error.status} {error.code}, which it does not "
                    f"declare (declared under {error.status}: {', '.join(sorted(declared)) or 'none'})"
                )
            return


def install() -> None:
    if check not in problem_observers:
        problem_observers.append(check)


def read_before_any_test() -> None:
    """Read every operation's code now, before a test replaces a function (``monkeypatch``): a reading made
    during such a test would follow the stand-in, and the readings are kept for the whole run."""
    import importlib

    proxy_problems()
    for name in SERVICES:
        _of(importlib.import_module(f"services.{name}.main").create_app())
