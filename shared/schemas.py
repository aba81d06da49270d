"""Base classes of every API schema, and the Problem document of RFC 9457."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.i18n import custom_error


def _reject_nul(value: Any, depth: int = 0) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise custom_error("nul_character", "文本不能包含 NUL 字符", "text may not contain NUL characters")
    elif isinstance(value, dict):
        for k, v in value.items():
            _reject_nul(k, depth + 1)
            _reject_nul(v, depth + 1)
    elif isinstance(value, list | tuple):
        for v in value:
            _reject_nul(v, depth + 1)


class InputSchema(BaseModel):
    """Request bodies: unknown fields are refused, so a client cannot set status or owner (mass assignment),
    and NUL characters, which PostgreSQL text cannot hold, are refused before they reach the database."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _reject_nul(data)
        return data


# Database ids: positive and within BIGINT, so an absurd id in a path is a 422, not a database error.
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="Record id")]


class OutputSchema(BaseModel):
    """Response bodies, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details, with a stable code. 问题详情（RFC 9457），带稳定错误码。",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string", "examples": ["invalid_transition"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}


class CommentBody(InputSchema):
    """The body of a plain workflow action (``POST .../{id}/<action>``): an optional comment, kept in the
    history; the actions whose transition says so require it."""

    comment: str | None = Field(
        default=None,
        max_length=2000,
        description="shown in the history; required where the action says so",
        examples=["材料齐全，予以受理。", "Complete; accepted."],
    )


class Label(BaseModel):
    """A name shown to people in both of the platform's languages (an enum value, a document, a rule)."""

    zh: str
    en: str
