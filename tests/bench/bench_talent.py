"""Talent's pure rules (issue 13's goals): TAL-1 scoring and ranking of 3,000 applications with 15,000
indicator reviews in <= 1 s, and the AW-2 guards for one nomination against 5,000 in <= 20 ms (median).

Synthetic data with a fixed seed, everything in memory (``services.talent.rules``, no database):

* TAL-1: one programme's indicator system (twelve indicators under the four dimensions, weights summing
  to exactly 1, built with ``check_indicator_system``); 3,000 applications with 5 experts each, every
  expert scoring every indicator 0..100 (``Decimal``, about a third with one decimal place; the
  application's merit and the expert's leniency spread the scores). Measured: every expert's weighted
  score (``expert_score``, 15,000), every application's aggregate over its experts (``aggregate_experts``
  with the default ``ScoringRules``: 3 to rank, the plain mean), and the ranking (sorted by the platform's
  NSF-4 order: score, priority opinions, valid reviews, submission time, id). The whole is timed
  ``RUNS`` times after one warm-up run; the ranking is checked against ``shared.review.aggregate.rank``
  (not timed).
* AW-2: a year of 5,000 nominations (one to nine completers each, about 8 % by recognised experts) and
  last year's winners (``PastWin`` -> ``barred_first_completers``); 1,000 fresh nominations, most clean
  and the others each planted to break one guard, checked one at a time with ``check_nomination`` (a
  refusal is caught and its code compared with the planted one). A service reads the year's nominations
  once per request, so both are reported: the check alone against a built ``YearNominations``, and the
  build of the index and the barred set plus the check.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from services.talent.rules.indicators import (
    Dimension,
    ExpertScores,
    Indicator,
    IndicatorSystem,
    aggregate_experts,
    aggregation_settings,
    check_indicator_system,
    expert_score,
)
from services.talent.rules.nominations import (
    Nomination,
    NominatorKind,
    PastWin,
    YearNominations,
    barred_first_completers,
    check_nomination,
)
from shared.errors import AppError
from shared.review.aggregate import Aggregate, AggregationSettings, RankInput, rank, review_value
from shared.review.aggregate import Review as AggReview
from tests.bench.harness import fmt_latency, percentiles

SEED = 20260513
T0 = datetime(2026, 5, 1, tzinfo=UTC)

# --- TAL-1 scoring and ranking ---------------------------------------------------------------------

N_APPS = 3_000
EXPERTS = 5
RUNS = 3
SCORING_GOAL_S = 1.0
INDICATORS = (
    ("orig", Dimension.INNOVATION_ABILITY, "原创性与创新思路", "0.12"),
    ("frontier", Dimension.INNOVATION_ABILITY, "前沿把握能力", "0.10"),
    ("team", Dimension.INNOVATION_ABILITY, "团队组织能力", "0.08"),
    ("rigour", Dimension.QUALITY, "研究质量", "0.10"),
    ("works", Dimension.QUALITY, "代表性成果水平", "0.10"),
    ("ethics", Dimension.QUALITY, "学风与诚信", "0.05"),
    ("industry", Dimension.CONTRIBUTION, "服务产业贡献", "0.10"),
    ("jilin", Dimension.CONTRIBUTION, "服务吉林振兴贡献", "0.08"),
    ("talent", Dimension.CONTRIBUTION, "人才培养贡献", "0.07"),
    ("results", Dimension.PERFORMANCE, "任务完成绩效", "0.08"),
    ("transfer", Dimension.PERFORMANCE, "成果转化绩效", "0.07"),
    ("funds", Dimension.PERFORMANCE, "经费使用绩效", "0.05"),
)


def indicator_system() -> IndicatorSystem:
    return check_indicator_system(Indicator(code, dim, name, Decimal(w)) for code, dim, name, w in INDICATORS)


def score_value(rng: random.Random, mean: float) -> Decimal:
    x = min(100.0, max(0.0, rng.gauss(mean, 6.0)))
    return Decimal(f"{x:.1f}") if rng.random() < 0.35 else Decimal(round(x))


def applications(seed: int = SEED) -> list[tuple[str, datetime, list[ExpertScores]]]:
    """Per application: its id, its submission time and its experts' scores."""
    rng = random.Random(seed)
    leniency = [rng.gauss(0, 4) for _ in range(400)]  # a pool of 400 experts
    out = []
    for i in range(N_APPS):
        merit = 72 + 9 * rng.gauss(0, 1)
        experts = []
        for expert in rng.sample(range(len(leniency)), EXPERTS):
            bias = merit + leniency[expert]
            experts.append(
                ExpertScores(
                    f"E{expert:04d}", {code: score_value(rng, bias + rng.gauss(0, 3)) for code, *_ in INDICATORS}
                )
            )
        out.append((f"RC2026-{i + 1:05d}", T0 + timedelta(seconds=rng.randrange(30 * 86400)), experts))
    return out


def score_and_rank(
    system: IndicatorSystem, apps: list[tuple[str, datetime, list[ExpertScores]]]
) -> tuple[dict[str, float], list[Aggregate]]:
    """The measured work: every expert's score, every aggregate, the ranking; returns seconds per part."""
    t0 = time.perf_counter()
    expert_scores = [[expert_score(system, e.scores) for e in experts] for _, _, experts in apps]
    t1 = time.perf_counter()
    aggregates = [(aggregate_experts(system, app_id, experts), at) for app_id, at, experts in apps]
    t2 = time.perf_counter()
    ranked = sorted(
        (x for x in aggregates if x[0].rankable),
        key=lambda x: (-(x[0].exact_score or 0), -x[0].priority_count, -x[0].valid_reviews, x[1], x[0].application_id),
    )
    t3 = time.perf_counter()
    assert len(expert_scores) == N_APPS
    return {"experts": t1 - t0, "aggregates": t2 - t1, "ranking": t3 - t2, "total": t3 - t0}, [a for a, _ in ranked]


def fraction_value(review: AggReview, settings: AggregationSettings) -> Fraction:
    """The baseline: a review's value as it was computed before, one Fraction per criterion (a gcd each)."""
    total = weights = Fraction(0)
    for c in settings.criteria:
        total += Fraction(c.weight) * Fraction(Decimal(review.criteria[c.code]))
        weights += Fraction(c.weight)
    return total / weights


def review_values_against_baseline(settings: AggregationSettings, reviews: list[AggReview]) -> tuple[float, float]:
    """Seconds for the values of every review, today's ``review_value`` and the baseline, same run, same data."""
    t0 = time.perf_counter()
    today = [review_value(r, settings) for r in reviews]
    t1 = time.perf_counter()
    before = [fraction_value(r, settings) for r in reviews]
    t2 = time.perf_counter()
    assert today == before  # exact either way
    return t1 - t0, t2 - t1


def bench_scoring() -> list[tuple[str, str]]:
    system = indicator_system()
    apps = applications()
    score_and_rank(system, apps)  # warm-up
    runs = [score_and_rank(system, apps) for _ in range(RUNS)]
    ranked = runs[0][1]
    # The same order as the platform's NSF-4 ranking (not timed).
    reference = rank(
        (
            RankInput(app_id, "programme", at, [AggReview(e.expert_id, criteria=e.scores, submitted=True) for e in ex])
            for app_id, at, ex in apps
        ),
        aggregation_settings(system),
    )["programme"]
    assert [a.application_id for a in ranked] == [r.application_id for r in reference] and len(ranked) == N_APPS
    ties = sum(r.tied_on_score for r in reference)

    def spread(part: str) -> str:
        values = sorted(r[0][part] * 1000 for r in runs)
        return f"median {statistics.median(values):.0f} ms (min {values[0]:.0f}, max {values[-1]:.0f})"

    total = statistics.median(r[0]["total"] for r in runs)
    verdict = "ok" if total <= SCORING_GOAL_S else "OVER the 1 s goal"
    settings = aggregation_settings(system)
    reviews = [AggReview(e.expert_id, criteria=e.scores, submitted=True) for _, _, ex in apps for e in ex]
    review_values_against_baseline(settings, reviews)  # warm-up
    pairs = [review_values_against_baseline(settings, reviews) for _ in range(RUNS)]
    now_ms = statistics.median(a for a, _ in pairs) * 1000
    before_ms = statistics.median(b for _, b in pairs) * 1000
    return [
        (
            "TAL-1 applications / expert reviews",
            f"{N_APPS:,} / {N_APPS * EXPERTS:,} ({len(INDICATORS)} indicators, {RUNS} runs after a warm-up)",
        ),
        ("expert_score x 15,000", spread("experts")),
        ("aggregate_experts x 3,000", spread("aggregates")),
        ("ranking (sort)", spread("ranking")),
        ("score and rank, whole", f"{spread('total')} ({verdict})"),
        (
            "review values x 15,000: Decimal sum vs Fractions",
            f"{now_ms:.0f} ms vs {before_ms:.0f} ms baseline, same run: {before_ms / now_ms:.1f}x faster",
        ),
        ("top score / ties decided by tie-break", f"{ranked[0].score} / {ties}"),
    ]


# --- AW-2 nominations ------------------------------------------------------------------------------

YEAR_NOMINATIONS = 5_000
LAST_YEAR_WINS = 250
CHECKS = 1_000
WARMUP = 20
BUILD_CHECKS = 100
CHECK_GOAL_MS = 20.0
GOVERNMENT = (NominatorKind.CITY_GOVERNMENT, NominatorKind.PROVINCIAL_DEPARTMENT, NominatorKind.CENTRAL_UNIT_IN_JILIN)
# What each fresh nomination is planted to break (None: clean), with its share.
PLANTED: tuple[tuple[str | None, float], ...] = (
    (None, 0.60),
    ("person_nomination_limit", 0.12),
    ("expert_nomination_limit", 0.06),
    ("expert_nominator_is_candidate", 0.09),  # the expert is a completer, or a completer nominates
    ("former_winner_first_completer", 0.05),
    ("self_nomination", 0.03),
    ("nominator_not_allowed", 0.03),
    ("validation_failed", 0.02),  # a completer twice
)


def key(rng: random.Random) -> str:
    """A subject key's shape (64 hex characters)."""
    return f"{rng.getrandbits(256):064x}"


def year_data(
    seed: int = SEED,
) -> tuple[list[Nomination], list[PastWin], list[tuple[Nomination, str | None]]]:
    """The year's nominations, last year's winners and the fresh nominations with their planted guard."""
    rng = random.Random(seed + 1)
    orgs = [key(rng) for _ in range(300)]
    year: list[Nomination] = []
    for i in range(YEAR_NOMINATIONS):
        completers = tuple(key(rng) for _ in range(rng.randint(1, 9)))
        if rng.random() < 0.08:
            year.append(Nomination(f"N2026-{i:05d}", NominatorKind.EXPERT, key(rng), completers, True))
        else:
            year.append(Nomination(f"N2026-{i:05d}", rng.choice(GOVERNMENT), rng.choice(orgs), completers))
    past: list[PastWin] = []
    for _ in range(LAST_YEAR_WINS):
        grade = rng.choices((1, 2, 3), (1, 3, 6))[0]
        past += [PastWin(key(rng), grade, position) for position in range(1, rng.randint(1, 9) + 1)]
    barred = sorted(barred_first_completers(past))
    year_people = [p for n in year for p in n.completers]
    experts = [n.nominator_key for n in year if n.nominator_kind == NominatorKind.EXPERT]

    fresh: list[tuple[Nomination, str | None]] = []
    codes = [c for c, _ in PLANTED]
    shares = [s for _, s in PLANTED]
    for i in range(CHECKS):
        nid = f"N2026-F{i:04d}"
        people = [key(rng) for _ in range(rng.randint(1, 9))]
        kind, nominator, recognised = rng.choice(GOVERNMENT), rng.choice(orgs), False
        code = rng.choices(codes, shares)[0]
        if code == "person_nomination_limit":
            people[rng.randrange(len(people))] = rng.choice(year_people)
        elif code == "expert_nomination_limit":
            kind, nominator, recognised = NominatorKind.EXPERT, rng.choice(experts), True
        elif code == "expert_nominator_is_candidate":
            if rng.random() < 0.5:
                kind, nominator, recognised = NominatorKind.EXPERT, rng.choice(year_people), True
            else:
                people[rng.randrange(len(people))] = rng.choice(experts)
        elif code == "former_winner_first_completer":
            people[0] = rng.choice(barred)
        elif code == "self_nomination":
            kind, nominator, recognised = NominatorKind.EXPERT, rng.choice(people), True
        elif code == "nominator_not_allowed":
            kind, nominator = rng.choice((NominatorKind.EXPERT, NominatorKind.ORGANISATION)), key(rng)
        elif code == "validation_failed":
            people.append(people[0])
        elif rng.random() < 0.08:
            kind, nominator, recognised = NominatorKind.EXPERT, key(rng), True
        fresh.append((Nomination(nid, kind, nominator, tuple(people), recognised), code))
    return year, past, fresh


def check(nomination: Nomination, year: YearNominations, barred: frozenset[str]) -> str | None:
    """One AW-2 check; the refusal's code (``None`` when the nomination may stand)."""
    try:
        check_nomination(nomination, year, barred)
    except AppError as refused:
        return refused.code
    return None


def bench_nominations() -> list[tuple[str, str]]:
    records, past, fresh = year_data()

    started = time.perf_counter()
    year = YearNominations(records)
    barred = barred_first_completers(past)
    first_build = (time.perf_counter() - started) * 1000

    for nomination, _ in fresh[:WARMUP]:
        check(nomination, year, barred)
    samples: list[float] = []
    outcomes: Counter[str] = Counter()
    for nomination, planted in fresh:
        t0 = time.perf_counter()
        code = check(nomination, year, barred)
        samples.append((time.perf_counter() - t0) * 1000)
        assert code == planted, (nomination.id, planted, code)
        outcomes[code or "accepted"] += 1
    checked = percentiles(samples)

    builds: list[float] = []
    whole: list[float] = []
    for nomination, planted in fresh[:BUILD_CHECKS]:
        t0 = time.perf_counter()
        year_now = YearNominations(records)
        barred_now = barred_first_completers(past)
        t1 = time.perf_counter()
        code = check(nomination, year_now, barred_now)
        t2 = time.perf_counter()
        assert code == planted
        builds.append((t1 - t0) * 1000)
        whole.append((t2 - t0) * 1000)
    built, both = percentiles(builds), percentiles(whole)

    def verdict(stats: dict[str, float]) -> str:
        return "ok" if stats["p50"] <= CHECK_GOAL_MS else "OVER the 20 ms goal"

    people = sum(len(n.completers) for n in records)
    return [
        (
            "AW-2 year's nominations / completers",
            f"{len(records):,} / {people:,}; {len(past):,} past winners, {len(barred):,} barred",
        ),
        (
            "fresh nominations checked (outcomes)",
            f"{len(fresh):,}: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()),
        ),
        (
            "check, index built (per nomination)",
            f"{fmt_latency(checked)} ({verdict(checked)}; mean {checked['mean'] * 1000:.1f} µs)",
        ),
        ("build YearNominations + barred (5,000)", f"{fmt_latency(built)} (first {first_build:.1f} ms)"),
        ("build + check (per request)", f"{fmt_latency(both)} ({verdict(both)}, {BUILD_CHECKS} requests)"),
    ]


async def run() -> list[tuple[str, str]]:
    return bench_scoring() + bench_nominations()
