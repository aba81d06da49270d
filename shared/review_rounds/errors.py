"""The problems of review rounds, the same in every service that mounts them."""

from __future__ import annotations

from shared.errors import Conflict


class NoApplicationsToDraw(Conflict):
    code = "review_round_no_applications"
    title_zh = "没有可送评审的申请"
    title_en = "No application of the round can be sent to review"


class RoundNotDrawn(Conflict):
    code = "review_round_not_drawn"
    title_zh = "评审轮次尚未抽取专家"
    title_en = "The round has not been drawn yet"


class RoundClosed(Conflict):
    code = "review_round_closed"
    title_zh = "评审轮次已结束"
    title_en = "The review round is closed"


class RoundNotClosed(Conflict):
    code = "review_round_not_closed"
    title_zh = "评审轮次尚未结束"
    title_en = "The round is not closed yet"


class AssignmentNotOpen(Conflict):
    code = "assignment_not_open"
    title_zh = "该评审任务已不能谢绝、收回或评审"
    title_en = "The assignment can no longer be declined, released or reviewed"


class AssignmentReleased(Conflict):
    code = "assignment_released"
    title_zh = "该评审任务已谢绝或已被收回"
    title_en = "The assignment was declined or released"


class ReviewAlreadySubmitted(Conflict):
    code = "review_already_submitted"
    title_zh = "评审意见已提交，不能再修改"
    title_en = "The review was submitted and cannot be changed"


class ReviewNotOverdue(Conflict):
    code = "review_not_overdue"
    title_zh = "评审尚未逾期"
    title_en = "The review is not overdue"
