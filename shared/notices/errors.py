"""The problems of public notices and objections, the same in every service that mounts them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import AppError, Conflict


class NoticeClosed(Conflict):
    code = "notice_closed"
    title_zh = "公示期已结束"
    title_en = "The notice period is over"
    advice_zh = "公示已结束，不再受理异议；异议须在公示期内提出。"
    advice_en = "Objections are taken only within the notice period, and this one has ended."


class NoticeNotStarted(Conflict):
    code = "notice_not_started"
    title_zh = "公示尚未开始"
    title_en = "The notice period has not started"
    advice_zh = "待公示开始（starts_at）后再提出异议。"
    advice_en = "Object once the notice has started (starts_at)."


class NoticePeriodRunning(Conflict):
    code = "notice_period_running"
    title_zh = "公示期尚未结束"
    title_en = "The notice period is still running"
    advice_zh = "公示期至 ends_on 结束，期满后再结束公示。"
    advice_en = "Conclude the notice after its period has ended (ends_on)."


class ObjectionsUnresolved(Conflict):
    code = "objections_unresolved"
    title_zh = "尚有未处理的异议"
    title_en = "Objections are still unresolved"
    advice_zh = "先逐件处理 objection_ids 所列异议（uphold 或 dismiss），再结束公示。"
    advice_en = "Uphold or dismiss each objection in objection_ids first, then conclude the notice."


class ObjectionIncomplete(AppError):
    """An objection that is not written, not real-name or (where the rules ask for it, AW-3) has no
    evidence: a 422 listing the fields at fault, with the clause that asks for them."""

    status = 422
    code = "objection_incomplete"
    title_zh = "异议材料不完整"
    title_en = "The objection is incomplete"
    advice_zh = "异议须书面提出，署真实姓名和联系方式，写明理由并附证明材料（见 errors）；匿名异议不予受理。"
    advice_en = (
        "Object in writing under your real name with a contact, state the grounds and attach evidence (see errors); "
        "anonymous objections are not accepted."
    )

    def __init__(
        self, detail_zh: str, detail_en: str, errors: Sequence[Mapping[str, Any]], *, clause: str | None = None
    ) -> None:
        extra: dict[str, Any] = {"errors": [dict(e) for e in errors]}
        if clause:
            extra["clause"] = clause
        super().__init__(detail_zh, detail_en, extra=extra)
