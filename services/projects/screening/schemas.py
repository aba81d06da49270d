"""查重 API schemas. The length limits bound the work one request can cause (rules.similarity)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from services.projects.rules.similarity import (
    MAX_ABSTRACT_CHARS,
    MAX_KEYWORD_CHARS,
    MAX_KEYWORDS,
    MAX_TITLE_CHARS,
)
from shared.schemas import InputSchema, OutputSchema

Keyword = Annotated[str, Field(min_length=1, max_length=MAX_KEYWORD_CHARS)]


class DocumentRegister(InputSchema):
    """A document another service registers for screening: idempotent by (source, reference_id)."""

    source: str = Field(
        pattern=r"^[a-z][a-z_]{1,31}$", examples=["foundation"], description="The service that owns the record."
    )
    kind: Literal["application", "funded"] = Field(description="A submitted application or a funded project.")
    reference_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", examples=["NSF-2026-00042"])
    year: int = Field(ge=1990, le=2200, description="Year of submission, or of funding for a funded project.")
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    abstract: str = Field(default="", max_length=MAX_ABSTRACT_CHARS)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "foundation",
                    "kind": "funded",
                    "reference_id": "NSF-2024-00042",
                    "year": 2024,
                    "title": "黑土地有机质提升的微生物机制研究",
                    "abstract": "研究黑土地退化过程中土壤微生物群落的演替规律……",
                    "keywords": ["黑土地", "土壤微生物"],
                }
            ]
        }
    )


class DocumentRead(OutputSchema):
    id: int
    source: str
    kind: str
    reference_id: str
    year: int
    title: str
    token_count: int
    scheme: str
    created_at: datetime


class MatchedRecord(OutputSchema):
    """The record an application resembles."""

    document_id: int
    source: str
    kind: str = Field(description="application (this year's submissions) or funded (the last years' projects)")
    reference_id: str
    year: int
    title: str


class FlagRead(OutputSchema):
    """One near-duplicate found at submission. Informs formal review; it never rejects by itself."""

    id: int
    application_id: int
    score: float = Field(description="Jaccard similarity of title, abstract and keyword tokens, 0-1.")
    threshold: float
    rule: str
    matched: MatchedRecord
    created_at: datetime
