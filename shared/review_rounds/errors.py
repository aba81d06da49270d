"""The problems of review rounds, the same in every service that mounts them."""

from __future__ import annotations

from shared.errors import Conflict


class NoApplicationsToDraw(Conflict):
    code = "review_round_no_applications"
    title_zh = "没有可送评审的申请"
    title_en = "No application of the round can be sent to review"
    advice_zh = "本轮范围内没有通过形式审查、待送评审的申请；请先受理申请（accept），或核对轮次范围。"
    advice_en = (
        "No application in the round's scope is accepted at formal review; accept some first, or check the scope."
    )


class RoundNotDrawn(Conflict):
    code = "review_round_not_drawn"
    title_zh = "评审轮次尚未抽取专家"
    title_en = "The round has not been drawn yet"
    advice_zh = "先抽取评审专家（POST /review-rounds/{round_id}/draw）。"
    advice_en = "Draw the reviewers first (POST /review-rounds/{round_id}/draw)."


class RoundClosed(Conflict):
    code = "review_round_closed"
    title_zh = "评审轮次已结束"
    title_en = "The review round is closed"
    advice_zh = "评审轮次已结束，专家和评审意见不再变动；请查看其结果（ranking）。"
    advice_en = "The round is closed and its reviewers and reviews no longer change; read its results (ranking)."


class RoundNotClosed(Conflict):
    code = "review_round_not_closed"
    title_zh = "评审轮次尚未结束"
    title_en = "The round is not closed yet"
    advice_zh = "先结束评审轮次（POST /review-rounds/{round_id}/close），再使用其排序。"
    advice_en = "Close the round first (POST /review-rounds/{round_id}/close), then use its ranking."


class AssignmentNotOpen(Conflict):
    code = "assignment_not_open"
    title_zh = "该评审任务已不能谢绝、收回或评审"
    title_en = "The assignment can no longer be declined, released or reviewed"
    advice_zh = "只有尚未提交评审意见的任务可以谢绝、收回或评审；该任务已不在此状态。"
    advice_en = "Only an assignment whose review is not yet submitted can be declined, released or reviewed."


class AssignmentReleased(Conflict):
    code = "assignment_released"
    title_zh = "该评审任务已谢绝或已被收回"
    title_en = "The assignment was declined or released"
    advice_zh = "您已谢绝或被收回该任务，不再能查看该申请；请处理其他评审任务。"
    advice_en = "You no longer hold this assignment (declined or released); go on with your other assignments."


class ReviewAlreadySubmitted(Conflict):
    code = "review_already_submitted"
    title_zh = "评审意见已提交，不能再修改"
    title_en = "The review was submitted and cannot be changed"
    advice_zh = "评审意见提交后不能修改；如确有错误，请联系评审组织方。"
    advice_en = "A submitted review is final; contact the round's organisers if it is wrong."


class ReviewNotOverdue(Conflict):
    code = "review_not_overdue"
    title_zh = "评审尚未逾期"
    title_en = "The review is not overdue"
    advice_zh = "待评审截止时间（review_due_at）过后再按逾期收回；未设截止时间的轮次不能按逾期收回。"
    advice_en = (
        "Release a reviewer as late only after review_due_at has passed; a round without one has no late reviews."
    )
