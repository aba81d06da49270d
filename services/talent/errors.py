"""The problems of the talent service (talent programmes TAL-1..TAL-5, provincial awards AW-1..AW-3), each
with a stable code (every code is defined once in the platform: the ones more than one service raises are in
``shared.errors``; a late or early objection is ``shared.notices.errors``' ``notice_closed`` and
``notice_not_started``, a debarment ``shared.errors.Debarred``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import AppError, Conflict


class _RulesRefused(AppError):
    """Input that breaks a rule of its clause: a 422 listing the fields at fault (``field_error`` entries)."""

    status = 422

    def __init__(
        self, detail_zh: str, detail_en: str, errors: Sequence[Mapping[str, Any]], *, clause: str, **extra: Any
    ) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": clause, "errors": [dict(e) for e in errors], **extra})


# --- talent programmes -----------------------------------------------------------------------------


class InvalidProgrammeRules(_RulesRefused):
    code = "invalid_programme_rules"
    title_zh = "人才计划的规则参数无效"
    title_en = "The programme's rule figures are not valid"
    advice_zh = "按 errors 所列修正计划的参数（任期、年龄限制、代表作数量、公示天数等）后再保存。"
    advice_en = (
        "Correct the programme's figures listed in errors (tenure, age limits, works, notice days) and save again."
    )


class ProgrammeRetired(Conflict):
    code = "programme_retired"
    title_zh = "人才计划已停用"
    title_en = "The talent programme is retired"
    advice_zh = "停用的人才计划不能再发布年度申报；请选择有效的计划，或请处室先恢复该计划。"
    advice_en = "No call is made under a retired programme; choose an active one, or have an official reinstate it."

    def __init__(self, code: str) -> None:
        super().__init__(
            f"人才计划 {code} 已停用，不能新建年度申报。",
            f"The programme {code} is retired: no new call may be made under it.",
            extra={"programme": code},
        )


class EndorsementCapReached(Conflict):
    code = "endorsement_cap_reached"
    title_zh = "单位推荐名额已满"
    title_en = "The organisation's recommendations for this call are used up"
    advice_zh = "本单位在该年度申报的推荐名额（cap_per_org）已用完：退回其他申请人，或不再推荐。"
    advice_en = "The organisation has endorsed as many as the call allows (cap_per_org): return this one instead."

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"本单位在该年度申报中已推荐 {cap} 项，达到推荐名额上限。",
            f"The organisation has endorsed {cap} application(s) in this call, the most it may.",
            extra={"cap_per_org": cap},
        )


class InvalidIndicatorSystem(_RulesRefused):
    code = "invalid_indicator_system"
    title_zh = "评价指标体系无效"
    title_en = "The programme's indicator system is not valid"
    advice_zh = (
        "指标须归入创新能力、质量、贡献、绩效四个维度（每个维度至少一项），"
        "代码不重复，权重为正且合计恰为 1（见 errors）。"
    )
    advice_en = (
        "Put indicators under the four dimensions (each at least one), codes unique, weights positive "
        "and summing to exactly 1 (see errors)."
    )


class InvalidIndicatorScores(_RulesRefused):
    code = "invalid_indicator_scores"
    title_zh = "专家指标评分不完整或超出范围"
    title_en = "An expert's indicator scores are incomplete or out of range"
    advice_zh = "为本计划的每项指标打分（0 至 100），不填其他指标（见 errors）。"
    advice_en = "Score every indicator of the programme between 0 and 100, and no other (see errors)."


class InvalidRepresentativeWorks(_RulesRefused):
    code = "invalid_representative_works"
    title_zh = "代表作不符合要求"
    title_en = "The representative works do not meet the rules"
    advice_zh = "代表作不超过 max_works 项，类型在 allowed_kinds 之内，每项须写明本人贡献（见 errors）。"
    advice_en = (
        "Give at most max_works works of the allowed_kinds, each with your own contribution stated (see errors)."
    )


class SameLevelSupportActive(Conflict):
    code = "same_level_support_active"
    title_zh = "已在同层次人才计划支持期内"
    title_en = "Already supported by a programme of the same level"
    advice_zh = (
        "同一层次的人才计划同时只能入选一项：待 holdings 所列支持期结束（ends_on 之后）再申报，或改报其他层次的计划。"
    )
    advice_en = (
        "One programme of a level at a time: apply after the tenure in holdings ends (after ends_on), "
        "or to a programme of another level."
    )


class InvalidTrancheSchedule(_RulesRefused):
    code = "invalid_tranche_schedule"
    title_zh = "分期拨付方案无效"
    title_en = "The tranche schedule is not valid"
    advice_zh = "各期比例须为正数且合计恰为 1，支持经费不为负且精确到分（见 errors）。"
    advice_en = "Tranche shares must be positive and sum to exactly 1, the amount non-negative and in fen (see errors)."


class OverProgrammeAgeLimit(AppError):
    status = 422
    code = "over_programme_age_limit"
    title_zh = "申请人年龄超过本计划的限制"
    title_en = "The applicant is over the programme's age limit"
    advice_zh = (
        "本计划要求申请人在 reference_date 当天不超过 max_age 周岁"
        "（按身份证号码中的出生日期和性别计算）；请改报其他计划。"
    )
    advice_en = (
        "The programme takes applicants at most max_age on reference_date (birth date and sex from the ID number); "
        "apply to another programme."
    )


# --- provincial awards -----------------------------------------------------------------------------


class InvalidAwardRules(_RulesRefused):
    code = "invalid_award_rules"
    title_zh = "奖励类别的规则参数无效"
    title_en = "An award category's rule figures are not valid"
    advice_zh = "按 errors 所列修正奖励类别的参数（等级、名额、评审周期、表决比例）后再保存。"
    advice_en = (
        "Correct the category's figures listed in errors (grades, quotas, cycle, vote thresholds) and save again."
    )


class AwardCycleNotAllowed(Conflict):
    code = "award_cycle_not_allowed"
    title_zh = "本年度不评审该奖励类别"
    title_en = "The award category is not given in this year"
    advice_zh = "该类别每 every_years 年评审一次；请在 next_year 年度提名。"
    advice_en = "This category is given every every_years years; nominate for next_year."


class AwardGradeNotAllowed(AppError):
    status = 422
    code = "award_grade_not_allowed"
    title_zh = "该奖励类别没有此等级"
    title_en = "The award category has no such grade"
    advice_zh = "只使用 grades 所列的等级；不分等级的类别不填等级。"
    advice_en = "Use one of the grades listed in grades; give no grade for a category without grades."


class AwardQuotaExceeded(Conflict):
    code = "award_quota_exceeded"
    title_zh = "超过该奖励类别（等级）的名额"
    title_en = "Over the quota of the award category or grade"
    advice_zh = "该类别（等级）本年度至多授予 quota 项，已有 awarded 项；请减少人选或改列其他等级。"
    advice_en = (
        "The category (grade) takes at most quota this cycle and awarded are taken; propose fewer or another grade."
    )


class AwardQuotaNotSet(Conflict):
    code = "award_quota_not_set"
    title_zh = "该奖励类别（等级）本年度名额尚未设定"
    title_en = "The cycle's quota of the award category or grade is not set"
    advice_zh = "请先由科技厅设定本年度该类别（等级）的名额，再提出授奖建议。"
    advice_en = "Have the department set the cycle's quota for the category (grade) first."


class InvalidCommitteeVote(_RulesRefused):
    code = "invalid_committee_vote"
    title_zh = "评审委员会表决数据不一致"
    title_en = "The committee vote's figures are inconsistent"
    advice_zh = "委员总数须为正，到会人数不超过委员总数，赞成票不超过到会人数（见 errors）。"
    advice_en = "Members must be positive, present at most members, in favour at most present (see errors)."


# --- nominations (AW-2): one class per guard, each listing every finding of the check -------------------


class _NominationRefused(AppError):
    def __init__(self, detail_zh: str, detail_en: str, findings: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": "AW-2", "findings": [dict(f) for f in findings]})


class NominatorNotAllowed(_NominationRefused):
    status = 422
    code = "nominator_not_allowed"
    title_zh = "提名者不具备提名资格"
    title_en = "The nominator may not nominate"
    advice_zh = "由设区的市（州）政府、省直部门、中直驻吉单位，或经科技厅认定的专家、机构提名。"
    advice_en = (
        "Have a city government, a provincial department, a central unit in Jilin, or an expert or "
        "organisation recognised by the department nominate."
    )


class SelfNomination(_NominationRefused):
    status = 409
    code = "self_nomination"
    title_zh = "不得自荐"
    title_en = "Self-nomination is not allowed"
    advice_zh = "省科学技术奖实行提名制，候选人不能提名自己；请由其他具备资格的提名者提名。"
    advice_en = "Awards are by nomination only: a candidate cannot nominate themselves; find another nominator."


class ExpertNominatorIsCandidate(_NominationRefused):
    status = 409
    code = "expert_nominator_is_candidate"
    title_zh = "提名专家不能同时作为候选人"
    title_en = "An expert nominator cannot be a candidate"
    advice_zh = "当年作为提名者的专家不能作为候选人（见 findings 所列提名）；请调整提名者或完成人。"
    advice_en = (
        "An expert who nominates this year cannot be a candidate (see findings); change the nominator or completers."
    )


class ExpertNominationLimit(_NominationRefused):
    status = 409
    code = "expert_nomination_limit"
    title_zh = "提名专家当年已提名"
    title_en = "The expert has already nominated this year"
    advice_zh = "每位专家每年至多提名 limit 项（见 findings 所列已有提名）。"
    advice_en = "An expert nominates at most limit a year (see the existing nominations in findings)."


class PersonNominationLimit(_NominationRefused):
    status = 409
    code = "person_nomination_limit"
    title_zh = "完成人当年已在其他提名中"
    title_en = "A completer is already on another nomination this year"
    advice_zh = "同一人每年只能作为 limit 项提名的完成人；从本提名或 findings 所列提名中去掉该完成人。"
    advice_en = (
        "A person is on at most limit nominations a year; take the person off this nomination or those in findings."
    )


class FormerWinnerFirstCompleter(_NominationRefused):
    status = 409
    code = "former_winner_first_completer"
    title_zh = "上年度获奖人不能再作为第一完成人"
    title_en = "Last year's winner cannot be first completer again"
    advice_zh = "上年度获一等奖项目前三名、二等奖前两名、三等奖第一完成人，本年度不能作为第一完成人；请调整完成人排序。"
    advice_en = (
        "Last year's 1st-grade top 3, 2nd-grade top 2 and 3rd-grade first completers cannot be first completer "
        "this year; reorder the completers."
    )


# --- award cycles, nominations, panels, results, national nominations --------------------------------


class NominatorNotRegistered(AppError):
    status = 403
    code = "nominator_not_registered"
    title_zh = "调用者不是已登记的提名者"
    title_en = "The caller is not a registered nominator"
    advice_zh = (
        "省科学技术奖实行提名制：请先由科技厅将本账号登记为提名者"
        "（市州政府、省直部门、中直驻吉单位或认定的专家、机构）。"
    )
    advice_en = (
        "Awards are by nomination only: have the department register this account as a nominator (a city "
        "government, a provincial department, a central unit in Jilin, or a recognised expert or organisation)."
    )


class WorkPermitNotValid(AppError):
    status = 422
    code = "work_permit_not_valid"
    title_zh = "候选人的外国人工作许可无效"
    title_en = "The candidate's work permit is not valid"
    advice_zh = "友谊奖候选人须持有在有效期内的外国人工作许可（未注销、未过期）；请核对许可证号。"
    advice_en = (
        "A Friendship Award nominee holds a work permit in force (not cancelled, not expired); check its number."
    )


class WorkPermitEmployerMismatch(AppError):
    status = 422
    code = "work_permit_employer_mismatch"
    title_zh = "工作许可的聘用单位与提名书不一致"
    title_en = "The work permit's employer is not the nomination's"
    advice_zh = "提名书所列聘用单位须与外国人工作许可登记的聘用单位一致（统一社会信用代码）。"
    advice_en = "Name the employer the work permit is registered to (its unified social credit code)."


class AwardResultsNotReady(Conflict):
    code = "award_results_not_ready"
    title_zh = "授奖结果尚不能公布"
    title_en = "The cycle's results cannot be published yet"
    advice_zh = "拟授奖公示结束、异议全部处理完毕、没有待定的提名后，才能公布结果（见 pending）。"
    advice_en = (
        "Publish once the proposed-winners notice is concluded, every objection resolved and no nomination "
        "is pending (see pending)."
    )


class PanelAlreadyDrawn(Conflict):
    code = "panel_already_drawn"
    title_zh = "本周期的专业评审组已抽取"
    title_en = "The cycle's panel is already drawn"
    advice_zh = "每个评审周期只抽取一次专业评审组；抽取记录可复核。"
    advice_en = "A cycle's panel is drawn once; its draw record can be verified."


class PanelNotDrawn(Conflict):
    code = "panel_not_drawn"
    title_zh = "本周期尚未抽取专业评审组"
    title_en = "The cycle's panel is not drawn yet"
    advice_zh = "受理公示结束后，先抽取专业评审组，再评分和表决。"
    advice_en = "Draw the panel once the acceptance notice is concluded, then score and vote."


class PanelScoresIncomplete(Conflict):
    code = "panel_scores_incomplete"
    title_zh = "专业评审组评分尚未完成"
    title_en = "The panel has not finished scoring"
    advice_zh = "该提名的评审专家全部提交评分后，评审委员会才能表决（见 missing）。"
    advice_en = "The committee votes once every panel member assigned to the nomination has scored it (see missing)."


class NoNominationsToPublish(Conflict):
    code = "no_nominations_to_publish"
    title_zh = "没有可公示的提名"
    title_en = "No nomination to publish"
    advice_zh = "受理公示列出形式审查通过、尚未公示的提名；拟授奖公示列出评审委员会表决通过、尚未公示的提名。"
    advice_en = (
        "The acceptance notice lists formally accepted nominations not yet published; the proposed-winners "
        "notice those the committee passed and not yet published."
    )


class AwardNoticeRunning(Conflict):
    code = "award_notice_running"
    title_zh = "本周期已有同类公示正在进行"
    title_en = "A notice of this kind is already running for the cycle"
    advice_zh = "每个评审周期同类公示一次只开一个：先结束正在进行的公示，再公示其后受理或表决通过的提名。"
    advice_en = (
        "A cycle runs one notice of a kind at a time: conclude the running one, then publish the nominations "
        "accepted or proposed since."
    )


class NationalQuotaNotSet(Conflict):
    code = "national_quota_not_set"
    title_zh = "该国家奖类别本年度推荐名额尚未设定"
    title_en = "The year's quota for the national category is not set"
    advice_zh = "请先设定本年度该国家科学技术奖类别的提名名额。"
    advice_en = "Set the year's nomination quota for the national category first."


class NationalQuotaExceeded(Conflict):
    code = "national_quota_exceeded"
    title_zh = "超过国家科学技术奖提名名额"
    title_en = "Over the national nomination quota"
    advice_zh = "本年度该类别至多提名 quota 项，已提名 used 项。"
    advice_en = "The category takes at most quota nominations this year; used are taken."


class NotAProvincialWinner(Conflict):
    code = "not_a_provincial_winner"
    title_zh = "只能提名省科学技术奖获奖项目"
    title_en = "Only provincial award winners may be nominated"
    advice_zh = "国家科学技术奖提名限于已公布结果的省科学技术奖获奖项目。"
    advice_en = "Nominate for the national awards only provincial winners whose results are published."


# --- expert review, the committee, selection and tenure (TAL-1, TAL-3, TAL-5) -----------------------


class CallNotPublished(Conflict):
    code = "call_not_published"
    title_zh = "年度申报尚未发布"
    title_en = "The call is not published"
    advice_zh = "年度申报发布并受理申报书后，才能设立专家评审轮次。"
    advice_en = "Set up expert review once the call is published and has taken applications."


class InvalidVoteRule(_RulesRefused):
    code = "invalid_vote_rule"
    title_zh = "评审委员会表决规则无效"
    title_en = "The committee's vote rule is not valid"
    advice_zh = (
        "通过比例和法定到会比例均为大于 0、不超过 1 的分数（如 1/2、2/3），基数为 members 或 present（见 errors）。"
    )
    advice_en = (
        "The threshold and the quorum are fractions above 0 and at most 1 (e.g. 1/2, 2/3), the basis members or "
        "present (see errors)."
    )


class CommitteeNotSet(Conflict):
    code = "committee_not_set"
    title_zh = "本年度申报尚未组建评审委员会"
    title_en = "The call has no committee yet"
    advice_zh = "请先由科技厅设定本年度申报的评审委员会委员及表决规则。"
    advice_en = "Have an official set the call's committee members and vote rule first."


class CommitteeTallied(Conflict):
    code = "committee_tallied"
    title_zh = "评审委员会已计票"
    title_en = "The committee's vote is tallied"
    advice_zh = "计票后委员名单、表决规则和表决票都不能再改；结果见计票记录。"
    advice_en = "After the tally the members, the rule and the ballots no longer change; see the tally."


class NothingToTally(Conflict):
    code = "nothing_to_tally"
    title_zh = "没有待评审委员会表决的申报书"
    title_en = "No application awaits the committee's vote"
    advice_zh = "专家评审轮次结束（申报书状态为“专家评审完成”）后，评审委员会才能表决。"
    advice_en = "The committee votes on applications whose expert review round is closed (status reviewed)."


class CommitteeQuorumNotMet(Conflict):
    code = "committee_quorum_not_met"
    title_zh = "到会委员不足法定人数"
    title_en = "Too few members are present for a quorum"
    advice_zh = "到会委员须达到 present_needed 人，表决才有效；请待更多委员到会表决后再计票。"
    advice_en = "The vote counts with at least present_needed members present; tally once more members have voted."


class InvalidBallot(_RulesRefused):
    code = "invalid_ballot"
    title_zh = "表决票不符合要求"
    title_en = "The ballot is not valid"
    advice_zh = "到会委员对排序名单上的每份申报书投赞成、反对或弃权票，不投名单外的；未到会的不投票（见 errors）。"
    advice_en = (
        "A member present votes for, against or abstains on every application of the ranked list and on no "
        "other; a member absent casts no vote (see errors)."
    )


class NoProposedApplications(Conflict):
    code = "no_proposed_applications"
    title_zh = "没有可公示的拟入选人选"
    title_en = "No proposed application to publish"
    advice_zh = "公示列出评审委员会建议入选、尚未公示的申报书；请先完成评审委员会表决。"
    advice_en = "The notice lists the applications the committee proposed and not yet published; tally the vote first."


class TenureNotRunning(Conflict):
    code = "tenure_not_running"
    title_zh = "支持期不在进行中"
    title_en = "The tenure is not running"
    advice_zh = "入选后支持期开始；支持期终止或届满后，不再拨付经费或报送考核。"
    advice_en = "A tenure runs from selection; once ended or completed no tranche is paid and no assessment filed."


class SupportTrancheNotPayable(Conflict):
    code = "support_tranche_not_payable"
    title_zh = "该期经费不能拨付"
    title_en = "The tranche cannot be paid"
    advice_zh = "经费按期次依次拨付，每期只拨付一次；已停拨的不再拨付（见 status）。"
    advice_en = "Tranches are paid in order, each once; a cancelled one is never paid (see status)."


class AssessmentNotDue(Conflict):
    code = "assessment_not_due"
    title_zh = "尚不能报送该考核"
    title_en = "The assessment is not due"
    advice_zh = "年度考核按任期年度依次报送（该年度开始后、上一年度评定后）；期满评价在最后一个年度考核评定后报送。"
    advice_en = (
        "Annual assessments are filed year by year (once the year has begun and the previous one is graded); "
        "the final evaluation after the last annual one is graded."
    )


class AssessmentAlreadyGraded(Conflict):
    code = "assessment_already_graded"
    title_zh = "考核已评定"
    title_en = "The assessment is already graded"
    advice_zh = "每份考核只评定一次。"
    advice_en = "An assessment is graded once."


class NominationNotRegradable(Conflict):
    code = "nomination_not_regradable"
    title_zh = "该提名不能重新评定等级"
    title_en = "The nomination cannot be graded again"
    advice_zh = "只有在拟授奖公示中因异议成立被取消、且本周期结果尚未公布的提名，才能退回评审委员会重新评定等级。"
    advice_en = (
        "Only a nomination taken off the proposed-winners notice by an upheld objection, before the cycle's results "
        "are published, goes back to the committee for a new grade."
    )
