"""TAL-1: the indicator system under the four dimensions, the experts' weighted scores and the
representative works (rules/indicators.py, rules/evidence.py)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from services.talent.errors import (
    InvalidIndicatorScores,
    InvalidIndicatorSystem,
    InvalidProgrammeRules,
    InvalidRepresentativeWorks,
)
from services.talent.rules import evidence, indicators
from services.talent.rules.evidence import EvidenceRules, RepresentativeWork, check_representative_works
from services.talent.rules.indicators import (
    Dimension,
    ExpertScores,
    Indicator,
    IndicatorSystem,
    ScoringRules,
    aggregate_experts,
    check_indicator_system,
    expert_score,
    shown,
)
from shared.review.aggregate import STATUS_LACKING_REVIEWS, STATUS_RANKED

D = Decimal


def four(weights: tuple[str, str, str, str] = ("0.3", "0.3", "0.2", "0.2")) -> list[Indicator]:
    return [
        Indicator("ability", Dimension.INNOVATION_ABILITY, "创新能力", D(weights[0])),
        Indicator("quality", Dimension.QUALITY, "质量", D(weights[1])),
        Indicator("contribution", Dimension.CONTRIBUTION, "贡献", D(weights[2])),
        Indicator("performance", Dimension.PERFORMANCE, "绩效", D(weights[3])),
    ]


def codes(err: pytest.ExceptionInfo[InvalidIndicatorSystem]) -> list[str]:
    return [e["code"] for e in err.value.extra["errors"]]


def test_tal1_four_dimensions_with_weights_summing_to_one_is_valid() -> None:
    system = check_indicator_system(four())
    assert [i.code for i in system.indicators] == ["ability", "quality", "contribution", "performance"]
    assert system.dimension_weights() == {
        Dimension.INNOVATION_ABILITY: D("0.3"),
        Dimension.QUALITY: D("0.3"),
        Dimension.CONTRIBUTION: D("0.2"),
        Dimension.PERFORMANCE: D("0.2"),
    }
    # the system is the shared review form, without grades
    assert system.form.graded is False
    assert [c.code for c in system.form.scored] == ["ability", "quality", "contribution", "performance"]


def test_tal1_several_indicators_under_one_dimension_add_up() -> None:
    inds = [
        *four(("0.2", "0.3", "0.2", "0.2")),
        Indicator("originality", Dimension.INNOVATION_ABILITY, "原创性", D("0.1")),
    ]
    system = IndicatorSystem(tuple(inds))
    assert system.dimension_weights()[Dimension.INNOVATION_ABILITY] == D("0.3")


@pytest.mark.parametrize(
    ("weights", "valid"),
    [
        (("0.25", "0.25", "0.25", "0.25"), True),
        (("0.25", "0.25", "0.25", "0.2500000001"), False),  # one ten-billionth over: not exactly 1
        (("0.25", "0.25", "0.25", "0.2499999999"), False),
        (("0.5", "0.3", "0.2", "0.1"), False),
    ],
)
def test_tal1_weights_must_sum_to_exactly_one(weights: tuple[str, str, str, str], valid: bool) -> None:
    if valid:
        assert sum(check_indicator_system(four(weights)).dimension_weights().values()) == 1
        return
    with pytest.raises(InvalidIndicatorSystem) as err:
        check_indicator_system(four(weights))
    assert codes(err) == ["weights_not_one"]
    assert err.value.code == "invalid_indicator_system" and err.value.status == 422
    assert err.value.extra["clause"] == "TAL-1" and "TAL-1" in (err.value.detail_en or "")


def test_tal1_a_dimension_without_indicator_is_refused() -> None:
    inds = [i for i in four() if i.dimension != Dimension.PERFORMANCE]
    inds[0] = dataclasses.replace(inds[0], weight=D("0.5"))
    with pytest.raises(InvalidIndicatorSystem) as err:
        check_indicator_system(inds)
    assert codes(err) == ["dimension_without_indicator"]
    assert "绩效" in (err.value.detail_zh or "")


def test_tal1_a_fifth_dimension_is_refused() -> None:
    inds = [*four(("0.3", "0.3", "0.2", "0.1")), Indicator("papers", "paper_count", "论文数", D("0.1"))]
    with pytest.raises(InvalidIndicatorSystem) as err:
        check_indicator_system(inds)
    assert codes(err) == ["unknown_dimension"]
    assert err.value.extra["errors"][0]["field"] == "indicators[4].dimension"


def test_tal1_zero_or_negative_weight_and_duplicate_code_are_refused() -> None:
    inds = four(("0.5", "0.5", "0", "0"))
    inds[3] = dataclasses.replace(inds[3], code="ability")
    with pytest.raises(InvalidIndicatorSystem) as err:
        check_indicator_system(inds)
    assert sorted(codes(err)) == ["duplicate", "not_positive", "not_positive"]


def test_tal1_expert_weighted_score_is_exact() -> None:
    system = check_indicator_system(four())
    scores = {"ability": D(90), "quality": D(80), "contribution": D(70), "performance": D("60.5")}
    # 0.3*90 + 0.3*80 + 0.2*70 + 0.2*60.5 = 27 + 24 + 14 + 12.1
    assert expert_score(system, scores) == Fraction(771, 10)
    assert shown(expert_score(system, scores)) == D("77.1000")


@pytest.mark.parametrize(("score", "ok"), [(D(0), True), (D(100), True), (D("-0.01"), False), (D("100.01"), False)])
def test_tal1_each_indicator_scored_0_to_100(score: Decimal, ok: bool) -> None:
    system = check_indicator_system(four())
    scores = {"ability": score, "quality": D(50), "contribution": D(50), "performance": D(50)}
    if ok:
        assert expert_score(system, scores) == Fraction(3, 10) * Fraction(score) + Fraction(35)
        return
    with pytest.raises(InvalidIndicatorScores) as err:
        expert_score(system, scores)
    assert err.value.extra["errors"][0]["field"] == "scores.ability"
    assert err.value.extra["errors"][0]["code"] == "score_out_of_range"


def test_tal1_an_expert_must_score_every_indicator_and_no_other() -> None:
    system = check_indicator_system(four())
    with pytest.raises(InvalidIndicatorScores) as err:
        expert_score(system, {"ability": D(80), "quality": D(80), "contribution": D(80), "papers": D(100)})
    found = {(e["field"], e["code"]) for e in err.value.extra["errors"]}
    assert found == {("scores.papers", "unknown_criterion"), ("scores.performance", "missing_score")}


def _expert(expert_id: str, a: int, q: int, c: int, p: int, *, submitted: bool = True) -> ExpertScores:
    return ExpertScores(
        expert_id, {"ability": D(a), "quality": D(q), "contribution": D(c), "performance": D(p)}, submitted
    )


def test_tal1_aggregate_over_experts_uses_the_shared_mean() -> None:
    system = check_indicator_system(four())
    experts = [_expert("e1", 90, 90, 90, 90), _expert("e2", 80, 80, 80, 80), _expert("e3", 70, 70, 70, 70)]
    agg = aggregate_experts(system, "app-1", experts)
    assert agg.exact_score == 80 and agg.valid_reviews == 3 and agg.status == STATUS_RANKED


def test_tal1_aggregate_counts_only_complete_submitted_scores_and_needs_min_valid() -> None:
    system = check_indicator_system(four())
    partial = ExpertScores("e3", {"ability": D(10)})
    experts = [
        _expert("e1", 90, 90, 90, 90),
        _expert("e2", 80, 80, 80, 80),
        partial,
        _expert("e4", 0, 0, 0, 0, submitted=False),
    ]
    agg = aggregate_experts(system, "app-1", experts)
    assert agg.valid_reviews == 2 and agg.ignored_reviews == 2
    assert agg.exact_score == 85 and agg.status == STATUS_LACKING_REVIEWS
    assert aggregate_experts(system, "app-1", experts, ScoringRules(min_valid=2)).status == STATUS_RANKED


def test_tal1_aggregate_trims_from_the_programmes_figure() -> None:
    system = check_indicator_system(four())
    experts = [_expert(f"e{i}", s, s, s, s) for i, s in enumerate((100, 80, 80, 80, 0))]
    assert aggregate_experts(system, "a", experts).exact_score == 68
    trimmed = aggregate_experts(system, "a", experts, ScoringRules(trim_from=5))
    assert trimmed.exact_score == 80 and trimmed.trimmed


def test_tal1_aggregate_refuses_an_out_of_range_score() -> None:
    system = check_indicator_system(four())
    with pytest.raises(InvalidIndicatorScores) as err:
        aggregate_experts(system, "a", [_expert("e1", 101, 80, 80, 80)])
    assert err.value.extra["errors"][0]["field"] == "experts.e1.scores.ability"


# --- representative works ---------------------------------------------------------------------------


def work(kind: str = "paper", contribution: str = "第一作者，提出方法并完成实验") -> RepresentativeWork:
    return RepresentativeWork(kind, "一种寒地玉米抗逆育种方法", contribution)


@pytest.mark.parametrize(("n", "ok"), [(1, True), (5, True), (6, False)])
def test_tal1_at_most_five_representative_works_by_default(n: int, ok: bool) -> None:
    works = [work() for _ in range(n)]
    if ok:
        check_representative_works(works)
        return
    with pytest.raises(InvalidRepresentativeWorks) as err:
        check_representative_works(works)
    assert [e["code"] for e in err.value.extra["errors"]] == ["too_many_works"]
    assert err.value.extra["max_works"] == 5 and err.value.extra["clause"] == "TAL-1"


def test_tal1_the_works_cap_is_configurable_per_programme() -> None:
    three = EvidenceRules(max_works=3)
    check_representative_works([work()] * 3, three)
    with pytest.raises(InvalidRepresentativeWorks):
        check_representative_works([work()] * 4, three)
    check_representative_works([work()] * 8, EvidenceRules(max_works=8))


def test_tal1_no_work_at_all_is_refused() -> None:
    with pytest.raises(InvalidRepresentativeWorks) as err:
        check_representative_works([])
    assert [e["code"] for e in err.value.extra["errors"]] == ["too_few_works"]


@pytest.mark.parametrize("kind", list(evidence.WorkKind))
def test_tal1_every_allowed_kind_of_work_is_taken(kind: str) -> None:
    check_representative_works([work(kind)])


def test_tal1_a_kind_outside_the_list_or_the_programmes_kinds_is_refused() -> None:
    with pytest.raises(InvalidRepresentativeWorks) as err:
        check_representative_works([work("award_certificate")])
    assert err.value.extra["errors"][0] == {
        **err.value.extra["errors"][0],
        "field": "works[0].kind",
        "code": "kind_not_allowed",
    }
    patents_only = EvidenceRules(kinds=("patent",))
    check_representative_works([work("patent")], patents_only)
    with pytest.raises(InvalidRepresentativeWorks):
        check_representative_works([work("paper")], patents_only)


@pytest.mark.parametrize("contribution", ["", "   ", "\n"])
def test_tal1_each_work_states_the_own_contribution(contribution: str) -> None:
    with pytest.raises(InvalidRepresentativeWorks) as err:
        check_representative_works([work(), work(contribution=contribution)])
    assert [(e["field"], e["code"]) for e in err.value.extra["errors"]] == [
        ("works[1].own_contribution", "own_contribution_required")
    ]


def test_tal1_evidence_rules_refuse_nonsense_figures() -> None:
    with pytest.raises(InvalidProgrammeRules):
        EvidenceRules(max_works=0)
    with pytest.raises(InvalidProgrammeRules):
        EvidenceRules(kinds=("paper", "degree"))


def test_tal1_no_rule_type_counts_papers_titles_degrees_or_awards() -> None:
    """TAL-1 (破"四唯"): no figure of the talent rules is a threshold on such counts."""
    figures = {f.name for cls in (EvidenceRules, ScoringRules) for f in dataclasses.fields(cls)}
    assert figures == {"max_works", "min_works", "kinds", "min_valid", "trim_from"}
    names = " ".join(dir(indicators) + dir(evidence)).lower()
    for word in ("paper_count", "min_papers", "title_count", "degree", "award_count"):
        assert word not in names
