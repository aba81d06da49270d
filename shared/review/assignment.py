"""Reviewer assignment (NSF-2, NSF-3): k distinct, conflict-free reviewers per application under a
load cap, by min-cost flow (OR-Tools ``SimpleMinCostFlow``).

The flow graph: each application supplies its k; it has one arc of capacity 1 to each of its
candidate reviewers (so the k are distinct) costing the discipline match (``RoundSettings.match_costs``)
plus seeded noise and minus the subject-group bonus; each reviewer reaches the sink through one arc
per free place up to the cap, the n-th costing ``load_step_cost`` x (n - 1) (a convex load term, so
the solver spreads the load); an application's overflow arc to the sink costs more than any real
path and is used only when its candidates cannot staff it.

The graph stays small: each application gets only its best ``candidates_per_application`` eligible
reviewers, taken from a discipline index (its subject group's panel, then the same codes, then the
same prefixes, in seeded random order; unrelated reviewers only when those run short), never by
scanning every pair. Slots the flow could not fill are retried against the whole pool (best match,
then lowest load); what is still empty is reported as a shortfall, never an exception.

NSF-2 "similar subjects go to the same reviewer group": applications of one primary discipline whose
keywords overlap (Jaccard >= ``group_keyword_overlap``) form a subject group, and a seeded panel of
reviewers of that discipline gets ``group_bonus`` off for the group's applications.

All randomness comes from the seed, derived per application (``derive_seed``), so one application's
candidates do not depend on which others are in the round.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from shared.review.conflicts import ConflictIndex, Rule, conflicts, is_conflicted
from shared.review.model import Application, DuplicateReviewInput, Match, Reviewer, RoundSettings, match_level

SHORTFALL_NOT_ENOUGH_ELIGIBLE = "not_enough_eligible_reviewers"
SHORTFALL_LOAD_CAP = "load_cap_reached"


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed for one part of a draw (an application, a slot), stable across processes."""
    text = "|".join([str(seed), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass(frozen=True, slots=True)
class Shortfall:
    """An application the pool could not staff fully: it keeps the slots that were filled."""

    application_id: str
    needed: int
    assigned: int
    reason: str  # SHORTFALL_NOT_ENOUGH_ELIGIBLE or SHORTFALL_LOAD_CAP

    @property
    def missing(self) -> int:
        return self.needed - self.assigned


@dataclass(frozen=True, slots=True)
class Objective:
    """Figures of a solution: its true cost (match + convex load, no noise, no group bonus),
    discipline-match counts, and the spread of loads over the eligible pool (existing load included)."""

    total_cost: int
    match_cost: int
    load_cost: int
    exact: int
    prefix: int
    none: int
    slots_needed: int
    slots_filled: int
    load_min: int
    load_max: int
    load_mean: float
    load_std: float

    def as_dict(self) -> dict[str, int | float]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True)
class Assignment:
    """The result of ``assign``: application id -> ordered reviewer ids (best match first)."""

    assignments: Mapping[str, tuple[str, ...]]
    # application id -> reviewer id -> the NSF-3 rules that excluded that reviewer, for every
    # reviewer the draw considered for the application (``conflicts.explain`` answers any other pair)
    exclusions: Mapping[str, Mapping[str, tuple[Rule, ...]]]
    shortfalls: tuple[Shortfall, ...]
    objective: Objective
    groups: Mapping[str, str] = field(default_factory=dict)  # application id -> subject group id


class CompiledPool:
    """The pool sorted by id with its discipline indexes; built once per draw."""

    def __init__(self, pool: Iterable[Reviewer], settings: RoundSettings) -> None:
        self.settings = settings
        self.reviewers: list[Reviewer] = sorted(pool, key=lambda r: r.id)
        self.position: dict[str, int] = {}
        for i, r in enumerate(self.reviewers):
            if r.id in self.position:
                raise DuplicateReviewInput(
                    f"专家编号重复：{r.id}", f"Reviewer id {r.id} appears twice", extra={"reviewer_id": r.id}
                )
            self.position[r.id] = i
        self.capacity = [max(0, settings.load_cap - r.load) if r.eligible else 0 for r in self.reviewers]
        self.by_code: dict[str, list[int]] = {}
        self.by_prefix: dict[str, list[int]] = {}
        p = settings.prefix_length
        for i, r in enumerate(self.reviewers):
            if not r.eligible:
                continue
            for code in r.disciplines:
                self.by_code.setdefault(code, []).append(i)
            for prefix in dict.fromkeys(c[:p] for c in r.disciplines if len(c) >= p):
                self.by_prefix.setdefault(prefix, []).append(i)
        self.eligible = [i for i, r in enumerate(self.reviewers) if r.eligible]

    def match(self, reviewer: int, application: Application) -> Match:
        return match_level(self.reviewers[reviewer].disciplines, application.disciplines, self.settings.prefix_length)


def _check_applications(applications: Sequence[Application]) -> list[Application]:
    ordered = sorted(applications, key=lambda a: a.id)
    for a, b in itertools.pairwise(ordered):
        if a.id == b.id:
            raise DuplicateReviewInput(
                f"申请编号重复：{a.id}", f"Application id {a.id} appears twice", extra={"application_id": a.id}
            )
    return ordered


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def subject_groups(applications: Sequence[Application], settings: RoundSettings) -> dict[str, str]:
    """NSF-2 subject groups: per primary discipline code, applications (in id order) join the first
    group whose founding application's keywords overlap theirs enough, up to ``group_max_size``."""
    founders: dict[str, list[tuple[str, frozenset[str], list[int]]]] = {}
    result: dict[str, str] = {}
    for app in sorted(applications, key=lambda a: a.id):
        code = app.disciplines[0] if app.disciplines else ""
        groups = founders.setdefault(code, [])
        for group_id, keywords, size in groups:
            if size[0] < settings.group_max_size and _jaccard(keywords, app.keywords) >= settings.group_keyword_overlap:
                size[0] += 1
                result[app.id] = group_id
                break
        else:
            group_id = f"{code}#{len(groups) + 1}"
            groups.append((group_id, app.keywords, [1]))
            result[app.id] = group_id
    return result


def _random_order(population: Sequence[int], want: int, rng: random.Random) -> Iterator[int]:
    """Population members in seeded random order, drawing only about ``want`` of them up front."""
    if len(population) <= want:
        yield from rng.sample(population, len(population))
        return
    first = rng.sample(population, want)
    yield from first
    taken = set(first)
    rest = [x for x in population if x not in taken]
    rng.shuffle(rest)
    yield from rest


def _group_panels(
    compiled: CompiledPool, applications: Sequence[Application], groups: Mapping[str, str], seed: int
) -> dict[str, list[int]]:
    """A seeded panel per subject group: reviewers of the group's discipline with free places."""
    settings = compiled.settings
    needed: dict[str, int] = {}
    code_of: dict[str, str] = {}
    for app in applications:
        g = groups[app.id]
        needed[g] = max(needed.get(g, 0), settings.reviewers_for(app))
        code_of[g] = app.disciplines[0] if app.disciplines else ""
    panels: dict[str, list[int]] = {}
    for g in sorted(needed):
        code = code_of[g]
        if not code:
            continue
        rng = random.Random(derive_seed(seed, "panel", g))
        size = needed[g] + settings.group_panel_extra
        panel: list[int] = []
        for tier in (compiled.by_code.get(code, []), compiled.by_prefix.get(code[: settings.prefix_length], [])):
            for i in _random_order(tier, size * 2, rng):
                if len(panel) >= size:
                    break
                if compiled.capacity[i] > 0 and i not in panel:
                    panel.append(i)
        panels[g] = panel
    return panels


@dataclass
class CandidateGraph:
    """Candidate edges of one draw (application index -> reviewer index) with their costs."""

    compiled: CompiledPool
    applications: list[Application]
    needed: list[int]
    edge_app: np.ndarray
    edge_reviewer: np.ndarray
    edge_match: np.ndarray  # Match level per edge
    edge_noise: np.ndarray  # seeded perturbation minus group bonus per edge
    exclusions: dict[str, dict[str, tuple[Rule, ...]]]
    groups: dict[str, str]

    def edge_costs(self, *, perturbed: bool = True) -> np.ndarray:
        base: np.ndarray = np.asarray(self.compiled.settings.match_costs, dtype=np.int64)[self.edge_match]
        return base + self.edge_noise if perturbed else base


def build_candidates(
    pool: Iterable[Reviewer] | CompiledPool,
    applications: Sequence[Application],
    settings: RoundSettings,
    seed: int,
) -> CandidateGraph:
    compiled = pool if isinstance(pool, CompiledPool) else CompiledPool(pool, settings)
    apps = _check_applications(applications)
    groups = subject_groups(apps, settings)
    panels = _group_panels(compiled, apps, groups, seed)
    reviewers = compiled.reviewers
    capacity = compiled.capacity
    same_inst = settings.exclude_same_institution
    p = settings.prefix_length
    per_app = settings.candidates_per_application
    edge_app: list[int] = []
    edge_rev: list[int] = []
    edge_match: list[int] = []
    edge_noise: list[int] = []
    exclusions: dict[str, dict[str, tuple[Rule, ...]]] = {}
    needed: list[int] = []
    for a, app in enumerate(apps):
        k = settings.reviewers_for(app)
        needed.append(k)
        rng = random.Random(derive_seed(seed, "candidates", app.id))
        index = ConflictIndex.of(app)
        codes = set(app.disciplines)
        prefixes = {c[:p] for c in app.disciplines if len(c) >= p}
        panel = set(panels.get(groups[app.id], ()))
        exact_pool = list(dict.fromkeys(i for c in app.disciplines for i in compiled.by_code.get(c, ())))
        exact_set = set(exact_pool)
        prefix_pool = [
            i for i in dict.fromkeys(i for x in prefixes for i in compiled.by_prefix.get(x, ())) if i not in exact_set
        ]
        want = per_app + 4
        tiers: list[tuple[Match, Iterable[int]]] = [
            (Match.EXACT, [i for i in exact_pool if i in panel]),
            (Match.PREFIX, [i for i in prefix_pool if i in panel]),
            (Match.EXACT, _random_order(exact_pool, want, rng)),
            (Match.PREFIX, _random_order(prefix_pool, want, rng)),
        ]
        seen: set[int] = set()
        excluded: dict[str, tuple[Rule, ...]] = {}
        count = 0
        for level, members in tiers:
            for i in members:
                if count >= per_app:
                    break
                if i in seen:
                    continue
                seen.add(i)
                if capacity[i] <= 0:
                    continue
                r = reviewers[i]
                if is_conflicted(r, index, exclude_same_institution=same_inst):
                    excluded[r.id] = conflicts(r, index, exclude_same_institution=same_inst)
                    continue
                edge_app.append(a)
                edge_rev.append(i)
                edge_match.append(level)
                bonus = settings.group_bonus if i in panel else 0
                edge_noise.append((rng.randrange(settings.perturbation) if settings.perturbation else 0) - bonus)
                count += 1
        # Unrelated reviewers only when the subject-matched ones are too few to choose from.
        if count < per_app and settings.fallback_candidates:
            fallback = 0
            limit = min(per_app - count, settings.fallback_candidates + k)
            for i in _random_order(compiled.eligible, limit * 4, rng):
                if fallback >= limit:
                    break
                if i in seen or capacity[i] <= 0:
                    continue
                r = reviewers[i]
                if not codes.isdisjoint(r.disciplines) or compiled.match(i, app) != Match.NONE:
                    continue
                seen.add(i)
                if is_conflicted(r, index, exclude_same_institution=same_inst):
                    excluded[r.id] = conflicts(r, index, exclude_same_institution=same_inst)
                    continue
                edge_app.append(a)
                edge_rev.append(i)
                edge_match.append(Match.NONE)
                edge_noise.append(rng.randrange(settings.perturbation) if settings.perturbation else 0)
                fallback += 1
        if excluded:
            exclusions[app.id] = excluded
    return CandidateGraph(
        compiled=compiled,
        applications=apps,
        needed=needed,
        edge_app=np.asarray(edge_app, dtype=np.int32),
        edge_reviewer=np.asarray(edge_rev, dtype=np.int32),
        edge_match=np.asarray(edge_match, dtype=np.int8),
        edge_noise=np.asarray(edge_noise, dtype=np.int64),
        exclusions=exclusions,
        groups=groups,
    )


def solve_flow(graph: CandidateGraph, *, perturbed: bool = True) -> np.ndarray:
    """Min-cost flow over the candidate edges; returns a boolean mask of the chosen edges."""
    settings = graph.compiled.settings
    n_apps = len(graph.applications)
    if n_apps == 0 or len(graph.edge_app) == 0:
        return np.zeros(len(graph.edge_app), dtype=bool)
    costs = graph.edge_costs(perturbed=perturbed)
    used, rev_local = np.unique(graph.edge_reviewer, return_inverse=True)
    sink = n_apps + len(used)
    degree = np.bincount(rev_local, minlength=len(used))
    capacity = np.asarray(graph.compiled.capacity, dtype=np.int64)[used]
    base_load = np.asarray([graph.compiled.reviewers[i].load for i in used], dtype=np.int64)
    places = np.minimum(capacity, degree)
    # One arc per free place; the n-th assignment overall (existing load included) costs step x (n - 1).
    load_tail = np.repeat(np.arange(len(used)), places)
    offsets = np.arange(places.sum()) - np.repeat(np.cumsum(places) - places, places)
    load_cost = settings.load_step_cost * (np.repeat(base_load, places) + offsets)
    big = int(costs.max(initial=0)) + int(load_cost.max(initial=0)) + max(settings.match_costs) + 1
    needed = np.asarray(graph.needed, dtype=np.int64)

    smcf = min_cost_flow.SimpleMinCostFlow()
    cand_arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        graph.edge_app.astype(np.int32),
        (n_apps + rev_local).astype(np.int32),
        np.ones(len(costs), dtype=np.int64),
        costs.astype(np.int64),
    )
    if len(load_tail):
        smcf.add_arcs_with_capacity_and_unit_cost(
            (n_apps + load_tail).astype(np.int32),
            np.full(len(load_tail), sink, dtype=np.int32),
            np.ones(len(load_tail), dtype=np.int64),
            load_cost.astype(np.int64),
        )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_apps, dtype=np.int32),
        np.full(n_apps, sink, dtype=np.int32),
        needed,
        np.full(n_apps, big, dtype=np.int64),
    )
    smcf.set_nodes_supplies(
        np.arange(sink + 1, dtype=np.int32),
        np.concatenate([needed, np.zeros(len(used), dtype=np.int64), [-needed.sum()]]).astype(np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # cannot happen: the overflow arcs make every instance feasible
        raise RuntimeError(f"min-cost flow ended with status {status}")
    return np.asarray(smcf.flows(cand_arcs)) > 0


def objective(
    compiled: CompiledPool, applications: Sequence[Application], assignments: Mapping[str, Sequence[str]]
) -> Objective:
    """The true objective of an assignment: match costs and convex load cost, with load spread."""
    settings = compiled.settings
    loads = [r.load for r in compiled.reviewers]
    counts = [0, 0, 0]
    needed = 0
    by_id = {a.id: a for a in applications}
    for app in applications:
        needed += settings.reviewers_for(app)
    for app_id, reviewer_ids in assignments.items():
        app = by_id[app_id]
        for rid in reviewer_ids:
            i = compiled.position[rid]
            loads[i] += 1
            counts[compiled.match(i, app)] += 1
    match_cost = sum(c * n for c, n in zip(settings.match_costs, counts, strict=True))
    load_cost = sum(settings.load_step_cost * n * (n - 1) // 2 for n in loads)
    spread = [loads[i] for i in compiled.eligible] or [0]
    mean = sum(spread) / len(spread)
    std = math.sqrt(sum((x - mean) ** 2 for x in spread) / len(spread))
    return Objective(
        total_cost=match_cost + load_cost,
        match_cost=match_cost,
        load_cost=load_cost,
        exact=counts[Match.EXACT],
        prefix=counts[Match.PREFIX],
        none=counts[Match.NONE],
        slots_needed=needed,
        slots_filled=sum(counts),
        load_min=min(spread),
        load_max=max(spread),
        load_mean=round(mean, 4),
        load_std=round(std, 4),
    )


def _fill_from_pool(
    compiled: CompiledPool,
    app: Application,
    chosen: list[str],
    missing: int,
    loads: list[int],
    rng: random.Random,
    excluded: dict[str, tuple[Rule, ...]],
    never: frozenset[str] = frozenset(),
) -> tuple[list[int], bool]:
    """Best reviewers of the whole pool for ``missing`` slots: best match, then lowest load, then
    seeded. Returns the picks and whether enough conflict-free eligible reviewers exist at all."""
    settings = compiled.settings
    index = ConflictIndex.of(app)
    same_inst = settings.exclude_same_institution
    already = set(chosen)
    ranked: list[tuple[int, int, float, int]] = []
    free_of_conflict = 0
    for i in compiled.eligible:
        r = compiled.reviewers[i]
        if is_conflicted(r, index, exclude_same_institution=same_inst):
            excluded[r.id] = conflicts(r, index, exclude_same_institution=same_inst)
            continue
        if r.id in never:
            continue
        free_of_conflict += 1
        if r.id in already or loads[i] >= settings.load_cap:
            continue
        ranked.append((compiled.match(i, app), loads[i], rng.random(), i))
    ranked.sort()
    picks = [i for *_, i in ranked[:missing]]
    return picks, free_of_conflict >= settings.reviewers_for(app)


def assign(
    pool: Iterable[Reviewer] | CompiledPool,
    applications: Sequence[Application],
    settings: RoundSettings,
    seed: int,
) -> Assignment:
    """Draw reviewers for every application (NSF-2, NSF-3); see the module docstring."""
    graph = build_candidates(pool, applications, settings, seed)
    return assignment_from_graph(graph, seed)


def assignment_from_graph(graph: CandidateGraph, seed: int, *, perturbed: bool = True) -> Assignment:
    compiled = graph.compiled
    chosen = solve_flow(graph, perturbed=perturbed)
    costs = graph.edge_costs(perturbed=perturbed)
    picked: list[list[tuple[int, int]]] = [[] for _ in graph.applications]
    for e in np.flatnonzero(chosen):
        picked[int(graph.edge_app[e])].append((int(costs[e]), int(graph.edge_reviewer[e])))
    loads = [r.load for r in compiled.reviewers]
    result: dict[str, tuple[str, ...]] = {}
    short: list[int] = []
    for a, app in enumerate(graph.applications):
        ordered = [compiled.reviewers[i].id for _, i in sorted(picked[a])]
        for _, i in picked[a]:
            loads[i] += 1
        result[app.id] = tuple(ordered)
        if len(ordered) < graph.needed[a]:
            short.append(a)
    shortfalls: list[Shortfall] = []
    exclusions = graph.exclusions
    for a in short:  # rare: the candidates ran out; try the whole pool
        app = graph.applications[a]
        have = list(result[app.id])
        missing = graph.needed[a] - len(have)
        excluded = exclusions.setdefault(app.id, {})
        rng = random.Random(derive_seed(seed, "fill", app.id))
        picks, enough = _fill_from_pool(compiled, app, have, missing, loads, rng, excluded)
        for i in picks:
            loads[i] += 1
            have.append(compiled.reviewers[i].id)
        result[app.id] = tuple(have)
        if not excluded:
            del exclusions[app.id]
        if len(have) < graph.needed[a]:
            reason = SHORTFALL_LOAD_CAP if enough else SHORTFALL_NOT_ENOUGH_ELIGIBLE
            shortfalls.append(Shortfall(app.id, graph.needed[a], len(have), reason))
    return Assignment(
        assignments=result,
        exclusions=exclusions,
        shortfalls=tuple(shortfalls),
        objective=objective(compiled, graph.applications, result),
        groups=graph.groups,
    )
