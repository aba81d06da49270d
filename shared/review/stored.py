"""A draw as a service stores it, back into ``shared.review``'s terms (NSF-2, NSF-3).

A service keeps the frozen inputs of a draw (``draw.reviewer_snapshot``/``application_snapshot`` as
JSON), the record (``DrawRecord.as_dict``), one row per assignment slot and one per exclusion. These
functions turn those back into what ``draw.verify`` and ``draw.replace_slot`` take:

* ``reviewer_from_snapshot``/``application_from_snapshot``: the inverses of the snapshots;
* ``record_from_rows``: the stored record with its assignments as the rows say *now*, so a row
  changed behind the service's back shows up in ``verify``;
* ``stored_result``: a ``DrawResult`` rebuilt from the record, the exclusion rows and the shortfalls,
  for ``replace_slot`` (a declined or late slot drawn again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from shared.review.assignment import CompiledPool, Shortfall, objective
from shared.review.conflicts import Rule
from shared.review.draw import DrawRecord, DrawResult
from shared.review.model import Application, Reviewer, RoundSettings


def reviewer_from_snapshot(d: Mapping[str, Any]) -> Reviewer:
    """Inverse of ``shared.review.draw.reviewer_snapshot``."""
    return Reviewer(
        id=d["id"],
        person_key=d["person_key"],
        institution_key=d["institution_key"],
        disciplines=tuple(d["disciplines"]),
        keywords=frozenset(d["keywords"]),
        declared_persons=frozenset(d["declared_persons"]),
        declared_institutions=frozenset(d["declared_institutions"]),
        available=d["available"],
        active=d["active"],
        load=d["load"],
    )


def application_from_snapshot(d: Mapping[str, Any]) -> Application:
    """Inverse of ``shared.review.draw.application_snapshot``."""
    return Application(
        id=d["id"],
        applicant_key=d["applicant_key"],
        institution_key=d["institution_key"],
        team_keys=tuple(d["team_keys"]),
        team_institution_keys=tuple(d["team_institution_keys"]),
        disciplines=tuple(d["disciplines"]),
        keywords=frozenset(d["keywords"]),
        exclusions=tuple(d["exclusions"]),
        declared_persons=frozenset(d["declared_persons"]),
        category=d["category"],
        reviewers_needed=d["reviewers_needed"],
    )


def record_from_rows(
    record: DrawRecord | Mapping[str, Any],
    application_ids: Iterable[object],
    holding: Iterable[tuple[object, int, object]],
) -> DrawRecord:
    """``record`` with its assignments replaced by the slots held now: ``holding`` is one
    ``(application id, slot, reviewer id)`` per assignment row still holding its slot (assigned or
    submitted). Every application of ``application_ids`` appears, with no reviewer if none holds."""
    stored = record if isinstance(record, DrawRecord) else DrawRecord.from_dict(record)
    slots: dict[str, list[tuple[int, str]]] = {str(a): [] for a in application_ids}
    for app_id, slot, reviewer_id in holding:
        slots.setdefault(str(app_id), []).append((slot, str(reviewer_id)))
    assignments = {app_id: tuple(rid for _, rid in sorted(held)) for app_id, held in slots.items()}
    return replace(stored, assignments=assignments)


def stored_result(
    record: DrawRecord | Mapping[str, Any],
    exclusions: Iterable[tuple[object, object, Sequence[str]]],
    shortfalls: Iterable[Mapping[str, Any]],
    pool: Sequence[Reviewer],
    applications: Sequence[Application],
) -> DrawResult:
    """The ``DrawResult`` a stored draw stands for: ``exclusions`` one ``(application id, reviewer
    id, rule ids)`` per exclusion row, ``shortfalls`` as stored (``application_id``, ``needed``,
    ``assigned``, ``reason``). The objective is recomputed from the record's assignments."""
    stored = record if isinstance(record, DrawRecord) else DrawRecord.from_dict(record)
    by_app: dict[str, dict[str, tuple[Rule, ...]]] = {}
    for app_id, reviewer_id, rules in exclusions:
        by_app.setdefault(str(app_id), {})[str(reviewer_id)] = tuple(Rule(r) for r in rules)
    missing = tuple(
        Shortfall(str(s["application_id"]), int(s["needed"]), int(s["assigned"]), str(s["reason"])) for s in shortfalls
    )
    compiled = CompiledPool(pool, RoundSettings.from_dict(stored.settings))
    return DrawResult(
        record=stored,
        exclusions=by_app,
        shortfalls=missing,
        objective=objective(compiled, applications, stored.assignments),
    )
