"""The problems of public notices and objections, the same in every service that mounts them."""

from __future__ import annotations

from shared.errors import Conflict


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
