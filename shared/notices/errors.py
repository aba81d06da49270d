"""The problems of public notices and objections, the same in every service that mounts them."""

from __future__ import annotations

from shared.errors import Conflict


class NoticeClosed(Conflict):
    code = "notice_closed"
    title_zh = "公示期已结束"
    title_en = "The notice period is over"


class NoticeNotStarted(Conflict):
    code = "notice_not_started"
    title_zh = "公示尚未开始"
    title_en = "The notice period has not started"


class NoticePeriodRunning(Conflict):
    code = "notice_period_running"
    title_zh = "公示期尚未结束"
    title_en = "The notice period is still running"


class ObjectionsUnresolved(Conflict):
    code = "objections_unresolved"
    title_zh = "尚有未处理的异议"
    title_en = "Objections are still unresolved"
