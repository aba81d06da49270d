"""The zh/en label of a state, a level, a kind or a dimension, for every Read schema of the service."""

from __future__ import annotations

from collections.abc import Mapping

from services.talent.rules.indicators import DIMENSION_NAMES, Dimension
from services.talent.rules.workflows import KINDS, LEVELS, STATE_LABELS
from shared.schemas import Label


def _label(table: Mapping[str, tuple[str, str]], key: str) -> Label:
    zh, en = table.get(key, (key, key))
    return Label(zh=zh, en=en)


def state_label(state: str) -> Label:
    return _label(STATE_LABELS, state)


def level_label(level: str) -> Label:
    return _label(LEVELS, level)


def kind_label(kind: str) -> Label:
    return _label(KINDS, kind)


def dimension_label(dimension: str) -> Label:
    return _label({d.value: names for d, names in DIMENSION_NAMES.items()}, Dimension(dimension).value)
