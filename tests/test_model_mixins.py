"""Every table's version and timestamps come from the shared mixins (shared/db/models.py), so each
``version`` carries the optimistic check of docs/api-conventions.md "Safety of writes" and no model drifts from it."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapper

from shared.db.models import CreatedAtMixin, UpdatedAtMixin, VersionedMixin

MODEL_MODULES = (
    "gateway.models",
    "services.projects.models",
    "services.foundation.models",
    "services.foreign_experts.models",
    "services.talent.models",
    "services.transfer.models",
)
MIXIN_OF = {"version": VersionedMixin, "created_at": CreatedAtMixin, "updated_at": UpdatedAtMixin}


def mappers() -> list[pytest.ParameterSet]:
    found = []
    for name in MODEL_MODULES:
        base: type[DeclarativeBase] = importlib.import_module(name).Base
        for mapper in sorted(base.registry.mappers, key=lambda m: m.local_table.name):
            found.append(pytest.param(mapper, id=f"{name.split('.')[-2]}.{mapper.local_table.name}"))
    return found


@pytest.mark.parametrize("mapper", mappers())
def test_version_and_timestamps_come_from_the_mixins(mapper: Mapper[object]) -> None:
    for column, mixin in MIXIN_OF.items():
        if column in mapper.local_table.c:
            assert issubclass(mapper.class_, mixin), f"{mapper.class_.__name__}.{column}: use {mixin.__name__}"
    if "version" in mapper.local_table.c:
        # every UPDATE carries "AND version = :old"; the code, not SQLAlchemy, bumps the number
        assert mapper.version_id_col is mapper.local_table.c.version
        assert mapper.version_id_generator is False
