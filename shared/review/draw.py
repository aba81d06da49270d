"""The reproducible draw of NSF-2: a record (seed, pool and applications hashes, algorithm version,
settings, the assignments and every slot replaced since) that ``verify`` re-runs and compares.

The round draws against a frozen snapshot of the pool: a reviewer who declines is carried by the
record (``replace_slot``), not by changing the pool, so the whole history replays from the record,
the snapshot and the applications. Hashes are sha256 over canonical JSON (sorted keys, sorted
lists, no whitespace), so they do not depend on input order.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shared.errors import Conflict, NotFound
from shared.review.assignment import (
    SHORTFALL_LOAD_CAP,
    SHORTFALL_NOT_ENOUGH_ELIGIBLE,
    CompiledPool,
    Objective,
    Shortfall,
    _fill_from_pool,
    assign,
    derive_seed,
    objective,
)
from shared.review.conflicts import Rule
from shared.review.model import Application, Reviewer, RoundSettings, SlotNotAssigned

ALGORITHM_VERSION = "kjt-review-mcf/1"


class DrawInputChanged(Conflict):
    code = "draw_input_changed"
    title_zh = "专家库快照或申请已变化，不能在原抽取上继续"
    title_en = "The pool snapshot or the applications differ from those of the draw"


class UnknownDrawApplication(NotFound):
    code = "draw_application_not_found"
    title_zh = "该申请不在本轮抽取中"
    title_en = "The application is not part of this draw"


def canonical_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def reviewer_snapshot(r: Reviewer) -> dict[str, Any]:
    return {
        "id": r.id,
        "person_key": r.person_key,
        "institution_key": r.institution_key,
        "disciplines": list(r.disciplines),
        "keywords": sorted(r.keywords),
        "declared_persons": sorted(r.declared_persons),
        "declared_institutions": sorted(r.declared_institutions),
        "available": r.available,
        "active": r.active,
        "load": r.load,
    }


def application_snapshot(a: Application) -> dict[str, Any]:
    return {
        "id": a.id,
        "applicant_key": a.applicant_key,
        "institution_key": a.institution_key,
        "team_keys": sorted(a.team_keys),
        "team_institution_keys": sorted(a.team_institution_keys),
        "disciplines": list(a.disciplines),
        "keywords": sorted(a.keywords),
        "exclusions": sorted(a.exclusions),
        "declared_persons": sorted(a.declared_persons),
        "category": a.category,
        "reviewers_needed": a.reviewers_needed,
    }


def pool_hash(pool: Iterable[Reviewer]) -> str:
    """sha256 of the pool snapshot (order-independent)."""
    return canonical_hash(sorted((reviewer_snapshot(r) for r in pool), key=lambda d: d["id"]))


def applications_hash(applications: Iterable[Application]) -> str:
    return canonical_hash(sorted((application_snapshot(a) for a in applications), key=lambda d: d["id"]))


@dataclass(frozen=True, slots=True)
class Replacement:
    """A declined slot drawn again: ``replacement_id`` is None when nobody could take it."""

    application_id: str
    declined_reviewer_id: str
    replacement_id: str | None


@dataclass(frozen=True)
class DrawRecord:
    """What the projects service stores with a round; ``as_dict``/``from_dict`` round-trip it as JSON."""

    seed: int
    algorithm_version: str
    pool_hash: str
    applications_hash: str
    settings: Mapping[str, Any]
    assignments: Mapping[str, tuple[str, ...]]
    replacements: tuple[Replacement, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "algorithm_version": self.algorithm_version,
            "pool_hash": self.pool_hash,
            "applications_hash": self.applications_hash,
            "settings": dict(self.settings),
            "assignments": {k: list(v) for k, v in sorted(self.assignments.items())},
            "replacements": [
                {
                    "application_id": r.application_id,
                    "declined_reviewer_id": r.declined_reviewer_id,
                    "replacement_id": r.replacement_id,
                }
                for r in self.replacements
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrawRecord:
        return cls(
            seed=int(data["seed"]),
            algorithm_version=str(data["algorithm_version"]),
            pool_hash=str(data["pool_hash"]),
            applications_hash=str(data["applications_hash"]),
            settings=dict(data["settings"]),
            assignments={str(k): tuple(v) for k, v in data["assignments"].items()},
            replacements=tuple(Replacement(**r) for r in data.get("replacements", ())),
        )


@dataclass(frozen=True)
class DrawResult:
    record: DrawRecord
    exclusions: Mapping[str, Mapping[str, tuple[Rule, ...]]]
    shortfalls: tuple[Shortfall, ...]
    objective: Objective
    groups: Mapping[str, str] = field(default_factory=dict)

    @property
    def assignments(self) -> Mapping[str, tuple[str, ...]]:
        """Application id -> ordered reviewer ids."""
        return self.record.assignments

    def declined(self, application_id: str) -> frozenset[str]:
        return frozenset(r.declined_reviewer_id for r in self.record.replacements if r.application_id == application_id)


def draw(
    pool: Sequence[Reviewer], applications: Sequence[Application], settings: RoundSettings, seed: int
) -> DrawResult:
    """NSF-2: draw the reviewers of a round and record how, so that ``verify`` can re-run it."""
    compiled = CompiledPool(pool, settings)
    result = assign(compiled, applications, settings, seed)
    record = DrawRecord(
        seed=seed,
        algorithm_version=ALGORITHM_VERSION,
        pool_hash=pool_hash(pool),
        applications_hash=applications_hash(applications),
        settings=settings.as_dict(),
        assignments=dict(result.assignments),
    )
    return DrawResult(
        record=record,
        exclusions=result.exclusions,
        shortfalls=result.shortfalls,
        objective=result.objective,
        groups=result.groups,
    )


def replace_slot(
    result: DrawResult,
    application_id: str,
    declined_reviewer_id: str,
    pool: Sequence[Reviewer],
    applications: Sequence[Application],
) -> DrawResult:
    """Draw again the one slot ``declined_reviewer_id`` held: every other assignment stays; the new
    reviewer is conflict-free, under the cap, not already on the application and never one who
    declined it; best match first, then the lowest load, then seeded by the slot's identity. When
    nobody fits, the slot is dropped and the application reported as a shortfall."""
    record = result.record
    if pool_hash(pool) != record.pool_hash or applications_hash(applications) != record.applications_hash:
        raise DrawInputChanged(extra={"application_id": application_id})
    current = record.assignments.get(application_id)
    if current is None:
        raise UnknownDrawApplication(extra={"application_id": application_id})
    if declined_reviewer_id not in current:
        raise SlotNotAssigned(extra={"application_id": application_id, "reviewer_id": declined_reviewer_id})
    settings = RoundSettings.from_dict(record.settings)
    compiled = CompiledPool(pool, settings)
    app = next(a for a in applications if a.id == application_id)
    loads = [r.load for r in compiled.reviewers]
    for chosen in record.assignments.values():
        for rid in chosen:
            loads[compiled.position[rid]] += 1
    loads[compiled.position[declined_reviewer_id]] -= 1
    slot = current.index(declined_reviewer_id)
    others = [rid for rid in current if rid != declined_reviewer_id]
    never = result.declined(application_id) | {declined_reviewer_id}
    rng = random.Random(derive_seed(record.seed, "replace", application_id, slot, len(never)))
    excluded = dict(result.exclusions.get(application_id, {}))
    picks, enough = _fill_from_pool(compiled, app, others, 1, loads, rng, excluded, frozenset(never))
    if picks:
        new_id: str | None = compiled.reviewers[picks[0]].id
        chosen_now = (*current[:slot], compiled.reviewers[picks[0]].id, *current[slot + 1 :])
    else:
        new_id = None
        chosen_now = tuple(others)
    assignments = {**record.assignments, application_id: chosen_now}
    needed = settings.reviewers_for(app)
    shortfalls = [s for s in result.shortfalls if s.application_id != application_id]
    if len(chosen_now) < needed:
        reason = SHORTFALL_LOAD_CAP if enough else SHORTFALL_NOT_ENOUGH_ELIGIBLE
        shortfalls.append(Shortfall(application_id, needed, len(chosen_now), reason))
        shortfalls.sort(key=lambda s: s.application_id)
    new_record = replace(
        record,
        assignments=assignments,
        replacements=(*record.replacements, Replacement(application_id, declined_reviewer_id, new_id)),
    )
    exclusions = {**result.exclusions, application_id: excluded} if excluded else dict(result.exclusions)
    return DrawResult(
        record=new_record,
        exclusions=exclusions,
        shortfalls=tuple(shortfalls),
        objective=objective(compiled, applications, assignments),
        groups=result.groups,
    )


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the stored draw differs from a re-run: ``expected`` is the record's, ``actual`` the re-run's."""

    kind: str  # algorithm_version, pool_hash, applications_hash, assignment, replacement
    application_id: str | None
    expected: Any
    actual: Any


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    differences: tuple[Difference, ...]
    pool_hash: str
    applications_hash: str


def verify(record: DrawRecord, pool: Sequence[Reviewer], applications: Sequence[Application]) -> VerifyReport:
    """Re-run the draw (and every replacement in order) from the record's seed and settings and name
    every difference: inputs whose hashes changed, and each application whose reviewers differ."""
    differences: list[Difference] = []
    p_hash, a_hash = pool_hash(pool), applications_hash(applications)
    if record.algorithm_version != ALGORITHM_VERSION:
        differences.append(Difference("algorithm_version", None, record.algorithm_version, ALGORITHM_VERSION))
    if p_hash != record.pool_hash:
        differences.append(Difference("pool_hash", None, record.pool_hash, p_hash))
    if a_hash != record.applications_hash:
        differences.append(Difference("applications_hash", None, record.applications_hash, a_hash))
    settings = RoundSettings.from_dict(record.settings)
    rerun = draw(pool, applications, settings, record.seed)
    for step in record.replacements:
        try:
            rerun = replace_slot(rerun, step.application_id, step.declined_reviewer_id, pool, applications)
        except (SlotNotAssigned, UnknownDrawApplication, DrawInputChanged):
            differences.append(Difference("replacement", step.application_id, step.declined_reviewer_id, None))
            continue
        again = rerun.record.replacements[-1].replacement_id
        if again != step.replacement_id:
            differences.append(Difference("replacement", step.application_id, step.replacement_id, again))
    actual = rerun.record.assignments
    for app_id in sorted(set(record.assignments) | set(actual)):
        expected, got = record.assignments.get(app_id), actual.get(app_id)
        if expected != got:
            differences.append(Difference("assignment", app_id, expected, got))
    return VerifyReport(ok=not differences, differences=tuple(differences), pool_hash=p_hash, applications_hash=a_hash)
