"""NSF-2/NSF-3 reviewer assignment, the draw record, verify and slot replacement (shared.review)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from shared.review.assignment import SHORTFALL_LOAD_CAP, SHORTFALL_NOT_ENOUGH_ELIGIBLE, assign
from shared.review.conflicts import ConflictIndex, Rule, is_conflicted
from shared.review.draw import (
    ALGORITHM_VERSION,
    DrawInputChanged,
    DrawRecord,
    draw,
    pool_hash,
    replace_slot,
    verify,
)
from shared.review.model import (
    Application,
    DuplicateReviewInput,
    Match,
    Reviewer,
    RoundSettings,
    SlotNotAssigned,
    match_level,
)

CODES = ["F0201", "F0202", "F0203", "F0301", "B0101", "B0102", "C0501"]
INSTS = [f"I{i}" for i in range(8)]


def random_instance(seed: int, n_reviewers: int = 40, n_apps: int = 30) -> tuple[list[Reviewer], list[Application]]:
    rng = random.Random(seed)
    reviewers = [
        Reviewer(
            id=f"R{i:03d}",
            person_key=f"PR{i}",
            institution_key=rng.choice(INSTS),
            disciplines=tuple(rng.sample(CODES, rng.randint(1, 2))),
            declared_persons=frozenset({f"PA{rng.randrange(n_apps)}"}) if rng.random() < 0.2 else frozenset(),
            declared_institutions=frozenset({rng.choice(INSTS)}) if rng.random() < 0.05 else frozenset(),
            available=rng.random() > 0.1,
            load=rng.choice((0, 0, 0, 1, 2)),
        )
        for i in range(n_reviewers)
    ]
    apps = [
        Application(
            id=f"A{i:03d}",
            applicant_key=f"PA{i}",
            institution_key=rng.choice(INSTS),
            team_keys=(f"PR{rng.randrange(n_reviewers)}",) if rng.random() < 0.3 else (),
            team_institution_keys=(rng.choice(INSTS),) if rng.random() < 0.3 else (),
            disciplines=(rng.choice(CODES),),
            keywords=frozenset(rng.sample(["a", "b", "c", "d", "e"], 2)),
            exclusions=tuple(f"PR{rng.randrange(n_reviewers)}" for _ in range(rng.randint(0, 3))),
            declared_persons=frozenset({f"PR{rng.randrange(n_reviewers)}"}) if rng.random() < 0.2 else frozenset(),
            category=rng.choice(("", "", "key")),
        )
        for i in range(n_apps)
    ]
    return reviewers, apps


def assert_hard_constraints(
    reviewers: list[Reviewer], apps: list[Application], assignments: dict[str, tuple[str, ...]], settings: RoundSettings
) -> None:
    by_id = {r.id: r for r in reviewers}
    loads = Counter({r.id: r.load for r in reviewers})
    assert set(assignments) == {a.id for a in apps}
    for app in apps:
        chosen = assignments[app.id]
        assert len(chosen) == len(set(chosen))  # distinct
        assert len(chosen) <= settings.reviewers_for(app)
        index = ConflictIndex.of(app)
        for rid in chosen:
            assert by_id[rid].eligible
            assert not is_conflicted(by_id[rid], index, exclude_same_institution=settings.exclude_same_institution)
            loads[rid] += 1
    for r in reviewers:
        # the cap binds what the draw adds; an existing load above it is left as it was
        assert loads[r.id] <= max(settings.load_cap, r.load)


@pytest.mark.parametrize("seed", range(8))
def test_nsf2_nsf3_every_assignment_meets_every_hard_constraint(seed: int) -> None:
    reviewers, apps = random_instance(seed)
    settings = RoundSettings(load_cap=rng_cap(seed), exclude_same_institution=seed % 2 == 0)
    result = draw(reviewers, apps, settings, seed=seed)
    assert_hard_constraints(reviewers, apps, dict(result.assignments), settings)
    short = {s.application_id: s for s in result.shortfalls}
    for app in apps:
        n = len(result.assignments[app.id])
        if app.id in short:
            assert short[app.id].assigned == n < settings.reviewers_for(app) == short[app.id].needed
        else:
            assert n == settings.reviewers_for(app)
    # every recorded exclusion names the rule that really matches
    by_id = {r.id: r for r in reviewers}
    apps_by_id = {a.id: a for a in apps}
    for app_id, excluded in result.exclusions.items():
        for rid, rules in excluded.items():
            assert rules
            assert is_conflicted(
                by_id[rid],
                ConflictIndex.of(apps_by_id[app_id]),
                exclude_same_institution=settings.exclude_same_institution,
            )


def rng_cap(seed: int) -> int:
    return 3 + seed % 4


def test_nsf2_reviewers_per_category_key_projects_get_five() -> None:
    reviewers, _ = random_instance(1, n_reviewers=60)
    apps = [
        Application(id="K", applicant_key="PX", institution_key="IX", disciplines=("F0201",), category="key"),
        Application(id="G", applicant_key="PY", institution_key="IY", disciplines=("F0201",)),
        Application(id="N", applicant_key="PZ", institution_key="IZ", disciplines=("F0201",), reviewers_needed=4),
    ]
    settings = RoundSettings()
    result = assign(reviewers, apps, settings, seed=3)
    assert [len(result.assignments[a]) for a in ("K", "G", "N")] == [5, 3, 4]
    assert RoundSettings(reviewers_per_category={"key": 7}).reviewers_for(apps[0]) == 7


def test_nsf2_same_seed_same_result_other_seed_differs() -> None:
    reviewers, apps = random_instance(11, n_reviewers=80, n_apps=40)
    settings = RoundSettings(load_cap=6)
    first = draw(reviewers, apps, settings, seed=42)
    again = draw(list(reversed(reviewers)), list(reversed(apps)), settings, seed=42)  # input order does not matter
    assert first.assignments == again.assignments
    assert first.record == again.record
    other = draw(reviewers, apps, settings, seed=43)
    assert other.assignments != first.assignments
    assert other.record.pool_hash == first.record.pool_hash


def test_nsf2_prefers_exact_then_prefix_and_unrelated_only_when_needed() -> None:
    app = Application(id="A", applicant_key="PA", institution_key="IA", disciplines=("F0203",))
    exact = [Reviewer(id=f"E{i}", person_key=f"PE{i}", institution_key="IX", disciplines=("F0203",)) for i in range(2)]
    prefix = [Reviewer(id=f"P{i}", person_key=f"PP{i}", institution_key="IX", disciplines=("F0209",)) for i in range(2)]
    other = [Reviewer(id=f"O{i}", person_key=f"PO{i}", institution_key="IX", disciplines=("B0101",)) for i in range(5)]
    settings = RoundSettings(reviewers_per_application=3)
    result = assign(exact + prefix + other, [app], settings, seed=1)
    chosen = result.assignments["A"]
    assert set(chosen[:2]) == {"E0", "E1"} and chosen[2] in {"P0", "P1"}  # best match first
    assert (result.objective.exact, result.objective.prefix, result.objective.none) == (2, 1, 0)
    # with no prefix reviewers left, an unrelated one fills the slot rather than leaving it empty
    result = assign(exact + other, [app], settings, seed=1)
    assert set(result.assignments["A"][:2]) == {"E0", "E1"}
    assert result.assignments["A"][2].startswith("O") and not result.shortfalls


def test_nsf2_load_is_spread_evenly() -> None:
    reviewers = [
        Reviewer(id=f"R{i}", person_key=f"P{i}", institution_key=f"I{i}", disciplines=("F0203",)) for i in range(10)
    ]
    apps = [
        Application(id=f"A{i:02d}", applicant_key=f"PA{i}", institution_key="IA", disciplines=("F0203",))
        for i in range(20)
    ]
    result = assign(reviewers, apps, RoundSettings(load_cap=20, group_bonus=0), seed=5)
    assert (result.objective.load_min, result.objective.load_max) == (6, 6)  # 60 slots over 10 reviewers
    # the subject-group bonus may tilt it by about its size in load steps (2), no more
    result = assign(reviewers, apps, RoundSettings(load_cap=20), seed=5)
    assert result.objective.load_max - result.objective.load_min <= 4


def test_nsf2_existing_load_counts_towards_the_cap() -> None:
    reviewers = [
        Reviewer(id="busy", person_key="P0", institution_key="I0", disciplines=("F0203",), load=2),
        *(
            Reviewer(id=f"R{i}", person_key=f"P{i}", institution_key=f"I{i}", disciplines=("B0101",))
            for i in range(1, 4)
        ),
    ]
    apps = [
        Application(
            id=f"A{i}", applicant_key=f"PA{i}", institution_key="IA", disciplines=("F0203",), reviewers_needed=1
        )
        for i in range(3)
    ]
    result = assign(reviewers, apps, RoundSettings(load_cap=3), seed=0)
    assert sum("busy" in chosen for chosen in result.assignments.values()) == 1


def test_nsf2_similar_subjects_share_a_reviewer_group() -> None:
    reviewers = [
        Reviewer(id=f"R{i:02d}", person_key=f"P{i}", institution_key=f"I{i}", disciplines=("F0203",)) for i in range(30)
    ]
    apps = [
        Application(
            id=f"A{i}",
            applicant_key=f"PA{i}",
            institution_key="IA",
            disciplines=("F0203",),
            keywords=frozenset({"激光", "光纤"}),
        )
        for i in range(4)
    ]
    result = assign(reviewers, apps, RoundSettings(load_cap=10), seed=9)
    assert len(set(result.groups.values())) == 1
    distinct = {rid for chosen in result.assignments.values() for rid in chosen}
    # 12 slots: the panel of 3 + 2 takes 2 each before the bonus (2 load steps) is used up, 2 go elsewhere
    assert len(distinct) <= 7
    # without the group bonus the even spread wins: 12 slots, 12 different reviewers
    result = assign(reviewers, apps, RoundSettings(load_cap=10, group_bonus=0), seed=9)
    assert len({rid for chosen in result.assignments.values() for rid in chosen}) == 12


def test_nsf2_shortfall_reported_when_the_pool_is_too_small() -> None:
    reviewers = [
        Reviewer(id=f"R{i}", person_key=f"P{i}", institution_key=f"I{i}", disciplines=("F0203",)) for i in range(4)
    ]
    reviewers.append(Reviewer(id="R-same", person_key="P-same", institution_key="IA", disciplines=("F0203",)))
    apps = [Application(id="A", applicant_key="PA", institution_key="IA", disciplines=("F0203",), category="key")]
    result = draw(reviewers, apps, RoundSettings(), seed=1)
    assert len(result.assignments["A"]) == 4
    assert [(s.application_id, s.needed, s.assigned, s.missing, s.reason) for s in result.shortfalls] == [
        ("A", 5, 4, 1, SHORTFALL_NOT_ENOUGH_ELIGIBLE)
    ]
    assert result.exclusions["A"]["R-same"] == (Rule.SAME_INSTITUTION,)
    # enough reviewers, but the cap is used up by an earlier application
    apps2 = [
        Application(id=f"A{i}", applicant_key=f"PA{i}", institution_key="IZ", disciplines=("F0203",)) for i in range(3)
    ]
    result = draw(reviewers, apps2, RoundSettings(load_cap=1), seed=1)
    assert sum(len(c) for c in result.assignments.values()) == 5
    assert {s.reason for s in result.shortfalls} == {SHORTFALL_LOAD_CAP}
    assert sum(s.missing for s in result.shortfalls) == 4


def test_nsf2_empty_inputs_and_duplicate_ids() -> None:
    assert draw([], [], RoundSettings(), seed=1).assignments == {}
    app = Application(id="A", applicant_key="PA", institution_key="IA", disciplines=("F0203",))
    result = draw([], [app], RoundSettings(), seed=1)
    assert result.assignments == {"A": ()} and result.shortfalls[0].reason == SHORTFALL_NOT_ENOUGH_ELIGIBLE
    r = Reviewer(id="R", person_key="P", institution_key="I")
    with pytest.raises(DuplicateReviewInput):
        draw([r, r], [app], RoundSettings(), seed=1)
    with pytest.raises(DuplicateReviewInput):
        draw([r], [app, app], RoundSettings(), seed=1)


def test_nsf2_verify_accepts_an_untouched_draw_and_the_record_round_trips() -> None:
    reviewers, apps = random_instance(3)
    result = draw(reviewers, apps, RoundSettings(load_cap=5), seed=77)
    record = DrawRecord.from_dict(result.record.as_dict())
    assert record == result.record
    assert record.algorithm_version == ALGORITHM_VERSION and len(record.pool_hash) == 64
    report = verify(record, reviewers, apps)
    assert report.ok and report.differences == ()


def test_nsf2_verify_detects_a_tampered_assignment() -> None:
    reviewers, apps = random_instance(4)
    result = draw(reviewers, apps, RoundSettings(load_cap=5), seed=5)
    target = next(a for a, chosen in result.assignments.items() if chosen)
    outsider = next(r.id for r in reviewers if r.id not in result.assignments[target])
    tampered = replace(
        result.record, assignments={**result.assignments, target: (outsider, *result.assignments[target][1:])}
    )
    report = verify(tampered, reviewers, apps)
    assert not report.ok
    assert [(d.kind, d.application_id) for d in report.differences] == [("assignment", target)]
    assert report.differences[0].actual == result.assignments[target]


def test_nsf2_verify_detects_a_changed_pool_or_applications() -> None:
    reviewers, apps = random_instance(5)
    result = draw(reviewers, apps, RoundSettings(load_cap=5), seed=5)
    changed = [replace(reviewers[0], institution_key="I-new"), *reviewers[1:]]
    report = verify(result.record, changed, apps)
    assert not report.ok and report.differences[0].kind == "pool_hash"
    assert report.differences[0].expected == result.record.pool_hash == pool_hash(reviewers)
    report = verify(result.record, reviewers, apps[1:])
    kinds = {d.kind for d in report.differences}
    assert "applications_hash" in kinds and "assignment" in kinds  # the dropped application is named
    assert any(d.application_id == apps[0].id for d in report.differences)


def test_nsf2_replace_slot_changes_only_that_slot() -> None:
    reviewers, apps = random_instance(6, n_reviewers=60)
    settings = RoundSettings(load_cap=4)
    result = draw(reviewers, apps, settings, seed=8)
    target = next(a for a, chosen in result.assignments.items() if len(chosen) >= 2)
    declined = result.assignments[target][1]
    after = replace_slot(result, target, declined, reviewers, apps)
    for app_id, chosen in result.assignments.items():
        if app_id != target:
            assert after.assignments[app_id] == chosen
    new = after.assignments[target]
    assert new[0] == result.assignments[target][0] and new[2:] == result.assignments[target][2:]
    assert new[1] != declined and declined not in new
    assert_hard_constraints(reviewers, apps, dict(after.assignments), settings)
    # reproducible: the same decline on the same draw gives the same replacement
    assert replace_slot(result, target, declined, reviewers, apps).record == after.record
    # verify replays the replacement
    assert verify(after.record, reviewers, apps).ok
    # the new reviewer declines too: neither is picked again
    again = replace_slot(after, target, new[1], reviewers, apps)
    assert declined not in again.assignments[target] and new[1] not in again.assignments[target]
    assert verify(again.record, reviewers, apps).ok
    forged = replace(
        again.record,
        replacements=(*again.record.replacements[:-1], replace(again.record.replacements[-1], replacement_id="R999")),
    )
    assert any(d.kind == "replacement" for d in verify(forged, reviewers, apps).differences)


def test_nsf2_nsf3_replace_slot_respects_conflicts_and_cap() -> None:
    app = Application(
        id="A",
        applicant_key="PA",
        institution_key="IA",
        disciplines=("F0203",),
        exclusions=("P-excl",),
        reviewers_needed=2,
    )
    other = Application(
        id="B",
        applicant_key="PB",
        institution_key="IB",
        team_institution_keys=("IA",),
        disciplines=("F0203",),
        reviewers_needed=2,
    )
    reviewers = [
        Reviewer(id="R1", person_key="P1", institution_key="I1", disciplines=("F0203",)),
        Reviewer(id="R2", person_key="P2", institution_key="I2", disciplines=("F0203",)),
        Reviewer(id="R-same", person_key="P3", institution_key="IA", disciplines=("F0203",)),
        Reviewer(id="R-excl", person_key="P-excl", institution_key="I4", disciplines=("F0203",)),
        Reviewer(id="R-full", person_key="P5", institution_key="I5", disciplines=("F0203",), load=1),
        Reviewer(id="R-far", person_key="P6", institution_key="I6", disciplines=("B0101",)),
    ]
    settings = RoundSettings(load_cap=1)
    result = draw(reviewers, [app, other], settings, seed=2)
    assert sorted(result.assignments["A"] + result.assignments["B"]) == ["R-excl", "R-far", "R1", "R2"]
    a_first = result.assignments["A"][0]
    # the only free, conflict-free reviewer left is none: R-same and R-excl conflict, R-full is at the cap
    after = replace_slot(result, "A", a_first, reviewers, [app, other])
    assert a_first not in after.assignments["A"]
    assert len(after.assignments["A"]) == 1
    assert after.shortfalls[-1].application_id == "A" and after.record.replacements[-1].replacement_id is None
    assert after.exclusions["A"]["R-excl"] == (Rule.APPLICANT_EXCLUSION,)
    with pytest.raises(SlotNotAssigned):
        replace_slot(result, "A", "R-same", reviewers, [app, other])
    with pytest.raises(DrawInputChanged):
        replace_slot(result, "A", a_first, reviewers[:-1], [app, other])


def test_nsf2_unrelated_reviewers_only_when_nothing_better_is_feasible() -> None:
    reviewers, apps = random_instance(12, n_reviewers=80, n_apps=20)
    settings = RoundSettings(load_cap=10)
    result = assign(reviewers, apps, settings, seed=1)
    by_id = {r.id: r for r in reviewers}
    loads = Counter(rid for chosen in result.assignments.values() for rid in chosen)
    for app in apps:
        index = ConflictIndex.of(app)
        for rid in result.assignments[app.id]:
            if match_level(by_id[rid].disciplines, app.disciplines, 3) is Match.NONE:
                # no matched reviewer was free of conflict with room left
                assert not any(
                    r.eligible
                    and match_level(r.disciplines, app.disciplines, 3) is not Match.NONE
                    and not is_conflicted(r, index)
                    and r.id not in result.assignments[app.id]
                    and loads[r.id] + r.load < settings.load_cap
                    for r in reviewers
                )
