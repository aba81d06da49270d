"""shared.review.stored (NSF-2): a draw as a service stores it comes back whole — snapshots invert,
the record follows the rows (a tampered row shows in verify), and a stored result takes a replacement."""

from __future__ import annotations

from shared.review.draw import application_snapshot, draw, pool_hash, replace_slot, reviewer_snapshot, verify
from shared.review.model import Application, Reviewer, RoundSettings
from shared.review.stored import application_from_snapshot, record_from_rows, reviewer_from_snapshot, stored_result

POOL = [
    Reviewer(
        id=str(i),
        person_key=f"p{i}",
        institution_key=f"i{i % 4}",
        disciplines=("F0203",),
        keywords=frozenset({"黑土地"}),
        declared_persons=frozenset({"a1"}) if i == 3 else frozenset(),
        load=i % 2,
    )
    for i in range(1, 10)
]
APPS = [
    Application(
        id=str(n),
        applicant_key=f"a{n}",
        institution_key="i0",
        team_keys=(f"t{n}",),
        disciplines=("F0203",),
        keywords=frozenset({"黑土地", f"k{n}"}),
        exclusions=("p5",) if n == 2 else (),
        declared_persons=frozenset({"p6"}) if n == 1 else frozenset(),
        category="general",
    )
    for n in (1, 2, 3)
]


def test_nsf2_snapshots_invert_and_hash_alike() -> None:
    pool = [reviewer_from_snapshot(reviewer_snapshot(r)) for r in POOL]
    apps = [application_from_snapshot(application_snapshot(a)) for a in APPS]
    assert pool == POOL and apps == APPS and pool_hash(pool) == pool_hash(POOL)


def test_nsf2_record_from_rows_names_a_tampered_row() -> None:
    result = draw(POOL, APPS, RoundSettings(), 7)
    rows = [(app_id, slot, rid) for app_id, chosen in result.assignments.items() for slot, rid in enumerate(chosen)]
    same = record_from_rows(result.record.as_dict(), [a.id for a in APPS], reversed(rows))
    assert same == result.record and verify(same, POOL, APPS).ok
    victim = rows[0]
    intruder = next(r.id for r in POOL if r.id not in result.assignments[victim[0]])
    tampered = record_from_rows(result.record, [a.id for a in APPS], [(victim[0], victim[1], intruder), *rows[1:]])
    report = verify(tampered, POOL, APPS)
    assert not report.ok and [(d.kind, d.application_id) for d in report.differences] == [("assignment", victim[0])]


def test_nsf2_a_stored_result_takes_a_replacement_like_the_live_one() -> None:
    result = draw(POOL, APPS, RoundSettings(), 7)
    exclusions = [(a, r, [str(x) for x in rules]) for a, by in result.exclusions.items() for r, rules in by.items()]
    shortfalls = [
        {"application_id": s.application_id, "needed": s.needed, "assigned": s.assigned, "reason": s.reason}
        for s in result.shortfalls
    ]
    stored = stored_result(result.record.as_dict(), exclusions, shortfalls, POOL, APPS)
    assert stored.objective == result.objective and stored.exclusions == result.exclusions
    declined = result.assignments["1"][0]
    live = replace_slot(result, "1", declined, POOL, APPS)
    again = replace_slot(stored, "1", declined, POOL, APPS)
    assert again.record == live.record and again.assignments["2"] == result.assignments["2"]
