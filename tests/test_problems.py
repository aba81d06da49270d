"""Every problem code is defined once in the whole platform: a code names one ``AppError`` class, in
``shared.errors`` when more than one service raises it, else in the service's own ``errors.py`` (or
the shared machinery's ``errors.py``). A code is never set on an instance, so the class says it all."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import gateway
import kjt
import services
import shared
from shared.errors import AppError, Conflict, NotFound

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _import_everything() -> None:
    for package in (shared, gateway, services, kjt):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def platform_problems() -> list[type[AppError]]:
    _import_everything()
    roots = ("shared.", "gateway.", "services.", "kjt.")
    return [c for c in set(_subclasses(AppError)) if c.__module__.startswith(roots)]


def declared_twice(classes: Iterable[type]) -> dict[str, list[str]]:
    """Codes that more than one class declares (a class that only inherits its code declares none)."""
    by_code: dict[str, list[str]] = defaultdict(list)
    for cls in classes:
        if "code" in cls.__dict__:
            by_code[cls.__dict__["code"]].append(f"{cls.__module__}.{cls.__qualname__}")
    return {code: sorted(names) for code, names in by_code.items() if len(names) > 1}


def test_every_problem_code_is_defined_once() -> None:
    classes = [AppError, *platform_problems()]
    assert len(classes) > 100
    assert declared_twice(classes) == {}
    for cls in classes:
        if "code" in cls.__dict__:
            assert CODE.fullmatch(cls.__dict__["code"]), cls


def test_a_code_declared_by_two_classes_is_caught() -> None:
    class First(Conflict):
        code = "same_code"

    class Second(NotFound):
        code = "same_code"

    class Inherits(First):  # inherits the code: declares none
        pass

    assert declared_twice([First, Second, Inherits]) == {
        "same_code": sorted(f"{__name__}.{c.__qualname__}" for c in (First, Second))
    }


def test_no_code_is_set_on_an_instance() -> None:
    """``self.code = ...`` or ``code=...`` passed to a problem would give one class several codes."""
    offenders = []
    for path in [*ROOT.glob("shared/**/*.py"), *ROOT.glob("gateway/**/*.py"), *ROOT.glob("services/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"self\.code\s*=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
