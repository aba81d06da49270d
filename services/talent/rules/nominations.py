"""AW-2 nominations: who may nominate, and one nomination against the year's others.

Awards are by nomination only (提名制). Nominators are city governments, provincial departments, central
units in Jilin, and experts or organisations recognised by the department (the caller says whether this
expert or organisation is recognised). In a year:

* no self-nomination: the nominator is not one of the nomination's completers;
* an expert nominates at most ``expert_max_per_year`` (1) and is no candidate in any nomination;
* a person is on at most ``person_max_per_year`` (1) nominations;
* last year's winners cannot be first completer again: the first ``barred_positions[grade]`` completers of
  last year's winning projects (1st grade: 3, 2nd grade: 2, 3rd grade: 1).

People and organisations are known by their subject keys (``shared.subject_keys``: keyed hashes, never the
ID number). The year's nominations are handed in once as small records and indexed by person and by expert
nominator (``YearNominations``), so checking one nomination costs its own completers' lookups, not a pass
over the year: a service checks a nomination against 5,000 in microseconds. The figures are DOMAIN's; they
are data here so a year's policy reads in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from services.talent.errors import (
    ExpertNominationLimit,
    ExpertNominatorIsCandidate,
    FormerWinnerFirstCompleter,
    NominatorNotAllowed,
    PersonNominationLimit,
    SelfNomination,
)
from shared.errors import ValidationFailed, field_error

CLAUSE = "AW-2"


class NominatorKind(StrEnum):
    CITY_GOVERNMENT = "city_government"  # 设区的市（州）人民政府
    PROVINCIAL_DEPARTMENT = "provincial_department"  # 省直有关部门
    CENTRAL_UNIT_IN_JILIN = "central_unit_in_jilin"  # 中直驻吉单位
    EXPERT = "expert"  # 经科技厅认定的专家
    ORGANISATION = "organisation"  # 经科技厅认定的机构


# Kinds that nominate only once the department has recognised them.
RECOGNISED_KINDS: frozenset[str] = frozenset({NominatorKind.EXPERT, NominatorKind.ORGANISATION})


@dataclass(frozen=True)
class NominationRules:
    """AW-2's figures: the nominator kinds, an expert's nominations a year (1), a person's nominations a
    year (1), and how many of last year's completers per grade cannot be first completer (3, 2, 1)."""

    kinds: tuple[str, ...] = tuple(NominatorKind)
    expert_max_per_year: int = 1
    person_max_per_year: int = 1
    barred_positions: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({1: 3, 2: 2, 3: 1}))


NOMINATIONS = NominationRules()


@dataclass(frozen=True, slots=True)
class Nomination:
    id: str
    nominator_kind: str
    nominator_key: str  # a person key for an expert, the organisation's key otherwise
    completers: tuple[str, ...]  # person keys, the first completer first
    nominator_recognised: bool = False  # an expert or organisation recognised by the department


@dataclass(frozen=True, slots=True)
class PastWin:
    """A completer of one of last year's winning projects: its grade (None without grades) and position."""

    person_key: str
    grade: int | None
    position: int  # 1-based


def barred_first_completers(last_year: Iterable[PastWin], rules: NominationRules = NOMINATIONS) -> frozenset[str]:
    """AW-2: the people who cannot be first completer this year."""
    return frozenset(
        w.person_key for w in last_year if w.grade is not None and w.position <= rules.barred_positions.get(w.grade, 0)
    )


class YearNominations:
    """The year's nominations, indexed by completer and by expert nominator."""

    def __init__(self, nominations: Iterable[Nomination] = ()) -> None:
        self._by_person: dict[str, list[str]] = defaultdict(list)
        self._by_expert: dict[str, list[str]] = defaultdict(list)
        for nomination in nominations:
            self.add(nomination)

    def add(self, nomination: Nomination) -> None:
        for person in dict.fromkeys(nomination.completers):
            self._by_person[person].append(nomination.id)
        if nomination.nominator_kind == NominatorKind.EXPERT:
            self._by_expert[nomination.nominator_key].append(nomination.id)

    def with_person(self, person_key: str, excluding: str | None = None) -> list[str]:
        """The nominations (ids) naming the person as a completer, ``excluding`` one."""
        return [i for i in self._by_person.get(person_key, ()) if i != excluding]

    def by_expert(self, expert_key: str, excluding: str | None = None) -> list[str]:
        """The nominations (ids) the expert made, ``excluding`` one."""
        return [i for i in self._by_expert.get(expert_key, ()) if i != excluding]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message_zh: str
    message_en: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en, **self.details}


def _shape_errors(nomination: Nomination) -> list[dict[str, str]]:
    errors = []
    if not nomination.completers:
        errors.append(field_error("completers", "required", "至少一名完成人", "at least one completer"))
    if len(set(nomination.completers)) != len(nomination.completers):
        errors.append(field_error("completers", "duplicate", "完成人重复", "a completer appears twice"))
    return errors


def nomination_findings(
    nomination: Nomination,
    year: YearNominations,
    barred: frozenset[str] = frozenset(),
    rules: NominationRules = NOMINATIONS,
) -> list[Finding]:
    """AW-2: every rule the nomination breaks against the year's others (``year`` may hold the nomination
    itself: it is left out by id), in the order of the module docstring; empty when it may stand."""
    found: list[Finding] = []
    kind = nomination.nominator_kind
    nid = nomination.id
    if kind not in rules.kinds or (kind in RECOGNISED_KINDS and not nomination.nominator_recognised):
        found.append(
            Finding(
                NominatorNotAllowed.code,
                "提名者不在规定的提名者范围内，或其专家、机构资格未经科技厅认定（AW-2）",
                "the nominator is not of an admitted kind, or is an expert or organisation not recognised (AW-2)",
                {"nominator_kind": kind, "kinds": list(rules.kinds)},
            )
        )
    if nomination.nominator_key in nomination.completers:
        found.append(
            Finding(SelfNomination.code, "提名者是本提名的完成人（AW-2）", "the nominator is a completer (AW-2)")
        )
    if kind == NominatorKind.EXPERT:
        as_candidate = year.with_person(nomination.nominator_key, excluding=nid)
        if as_candidate:
            found.append(
                Finding(
                    ExpertNominatorIsCandidate.code,
                    "提名专家是当年其他提名的完成人（AW-2）",
                    "the expert nominator is a completer of another nomination this year (AW-2)",
                    {"nomination_ids": as_candidate},
                )
            )
        made = year.by_expert(nomination.nominator_key, excluding=nid)
        if len(made) >= rules.expert_max_per_year:
            found.append(
                Finding(
                    ExpertNominationLimit.code,
                    f"该专家当年已提名 {len(made)} 项，每年至多 {rules.expert_max_per_year} 项（AW-2）",
                    f"the expert has nominated {len(made)} this year, at most {rules.expert_max_per_year} (AW-2)",
                    {"nomination_ids": made, "limit": rules.expert_max_per_year},
                )
            )
    for position, person in enumerate(nomination.completers, start=1):
        nominating = year.by_expert(person, excluding=nid)
        if nominating:
            found.append(
                Finding(
                    ExpertNominatorIsCandidate.code,
                    f"第 {position} 完成人是当年的提名专家，不能作为候选人（AW-2）",
                    f"completer {position} nominates as an expert this year and cannot be a candidate (AW-2)",
                    {"position": position, "nomination_ids": nominating},
                )
            )
        elsewhere = year.with_person(person, excluding=nid)
        if len(elsewhere) >= rules.person_max_per_year:
            found.append(
                Finding(
                    PersonNominationLimit.code,
                    f"第 {position} 完成人当年已在 {len(elsewhere)} 项其他提名中，每人每年至多 "
                    f"{rules.person_max_per_year} 项（AW-2）",
                    f"completer {position} is on {len(elsewhere)} other nomination(s) this year, at most "
                    f"{rules.person_max_per_year} (AW-2)",
                    {"position": position, "nomination_ids": elsewhere, "limit": rules.person_max_per_year},
                )
            )
    if nomination.completers and nomination.completers[0] in barred:
        found.append(
            Finding(
                FormerWinnerFirstCompleter.code,
                "第一完成人是上年度获奖项目的主要完成人，本年度不能作为第一完成人（AW-2）",
                "the first completer was among last year's barred winners and cannot be first completer (AW-2)",
            )
        )
    return found


def check_nomination(
    nomination: Nomination,
    year: YearNominations,
    barred: frozenset[str] = frozenset(),
    rules: NominationRules = NOMINATIONS,
) -> None:
    """AW-2: refuse a nomination that breaks a rule, with the class of the first rule broken and every
    finding listed in ``findings``. An empty or repeated completer list is a ``validation_failed``."""
    shape = _shape_errors(nomination)
    if shape:
        raise ValidationFailed(shape, "完成人名单无效（AW-2）。", "The completers are not valid (AW-2).")
    found = nomination_findings(nomination, year, barred, rules)
    if not found:
        return
    zh = "提名不予受理：" + "；".join(f.message_zh for f in found) + "。"
    en = "The nomination is refused: " + "; ".join(f.message_en for f in found) + "."
    findings = [f.as_json() for f in found]
    # The first rule broken names the problem; written out so the API contract can follow every raise.
    code = found[0].code
    if code == NominatorNotAllowed.code:
        raise NominatorNotAllowed(zh, en, findings)
    if code == SelfNomination.code:
        raise SelfNomination(zh, en, findings)
    if code == ExpertNominatorIsCandidate.code:
        raise ExpertNominatorIsCandidate(zh, en, findings)
    if code == ExpertNominationLimit.code:
        raise ExpertNominationLimit(zh, en, findings)
    if code == PersonNominationLimit.code:
        raise PersonNominationLimit(zh, en, findings)
    raise FormerWinnerFirstCompleter(zh, en, findings)
