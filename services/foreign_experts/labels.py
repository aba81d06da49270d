"""The zh/en label of a state or a kind, for every Read schema of the service."""

from __future__ import annotations

from services.foreign_experts.rules.workflows import CHANGE_KINDS, STATE_LABELS
from shared.schemas import Label


def state_label(state: str) -> Label:
    zh, en = STATE_LABELS.get(state, (state, state))
    return Label(zh=zh, en=en)


def change_kind_label(kind: str) -> Label:
    zh, en = CHANGE_KINDS.get(kind, (kind, kind))
    return Label(zh=zh, en=en)
