"""WP-7 the documents of a permit application (services/foreign_experts/rules/documents.py), pure: the full
checklist passes, each missing item fails, the criminal record's 6 months at their edge, authentication of the
degree and the criminal record, dates after the check, and the A-class green channel deferring what is missing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.foreign_experts.errors import DocumentsIncomplete
from services.foreign_experts.rules.documents import (
    DOCUMENT_CODES,
    DOCUMENT_SPECS,
    DocumentCheck,
    SubmittedDocument,
    check_documents,
    document_problems,
)
from tests.services.foreign_experts.rules_helpers import P2026, code_of, params

CHECKED_ON = date(2026, 9, 15)

CHECKLIST = (
    "application_form",
    "work_experience",
    "highest_degree",
    "criminal_record",
    "medical_certificate",
    "employment_contract",
    "passport",
    "photo",
)


def full_set(
    *,
    criminal_record_issued_on: date = date(2026, 8, 1),
    degree_authenticated: bool = True,
    record_authenticated: bool = True,
    leave_out: str | None = None,
) -> list[SubmittedDocument]:
    """Every document of the checklist, valid on CHECKED_ON unless changed (the others dated no later than
    December 2025, so that they are not dated after any day of checking below)."""
    documents = [
        SubmittedDocument("application_form", date(2025, 12, 1)),
        SubmittedDocument("work_experience", date(2025, 11, 20)),
        SubmittedDocument("highest_degree", date(2015, 7, 1), authenticated=degree_authenticated),
        SubmittedDocument("criminal_record", criminal_record_issued_on, authenticated=record_authenticated),
        SubmittedDocument("medical_certificate", date(2025, 12, 20)),
        SubmittedDocument("employment_contract", date(2025, 12, 10)),
        SubmittedDocument("passport", date(2022, 3, 1)),
        SubmittedDocument("photo"),
    ]
    return [d for d in documents if d.code != leave_out]


def problems(documents: list[SubmittedDocument], checked_on: date = CHECKED_ON) -> list[tuple[str, str]]:
    return [(p.code, p.problem) for p in document_problems(documents, checked_on=checked_on, params=P2026)]


def test_wp7_checklist_is_the_eight_documents_all_required() -> None:
    """WP-7: application form, work experience, highest degree (authenticated), criminal record (authenticated,
    within 6 months), medical certificate, contract, passport, photo; all required."""
    assert DOCUMENT_CODES == CHECKLIST
    assert all(DOCUMENT_SPECS[code].required for code in CHECKLIST)
    assert {c for c in CHECKLIST if DOCUMENT_SPECS[c].authenticated} == {"highest_degree", "criminal_record"}
    assert {c for c in CHECKLIST if DOCUMENT_SPECS[c].recent} == {"criminal_record"}
    assert P2026.criminal_record_max_age_months == 6


def test_wp7_full_checklist_passes() -> None:
    check = check_documents(full_set(), checked_on=CHECKED_ON, params=P2026)
    assert isinstance(check, DocumentCheck)
    assert check.problems == ()
    assert check.complete is True
    assert check.blocking is False


@pytest.mark.parametrize("code", CHECKLIST)
def test_wp7_each_missing_document_fails(code: str) -> None:
    """WP-7: submission needs every document; the one left out is reported as missing (409 documents_incomplete)."""
    documents = full_set(leave_out=code)
    assert problems(documents) == [(code, "missing")]
    with pytest.raises(DocumentsIncomplete) as info:
        check_documents(documents, checked_on=CHECKED_ON, params=P2026)
    assert info.value.code == "documents_incomplete"
    assert info.value.status == 409
    assert info.value.extra["clause"] == "WP-7"
    assert info.value.extra["documents"] == [{"code": code, "problem": "missing"}]


def test_wp7_nothing_submitted_lists_every_document_in_checklist_order() -> None:
    assert problems([]) == [(code, "missing") for code in CHECKLIST]


# --- the criminal record: issued within 6 months (as validity.add_months counts them) ----------------------


@pytest.mark.parametrize(
    ("checked_on", "issued_on", "problem"),
    [
        (date(2026, 9, 15), date(2026, 3, 15), None),  # exactly 6 months before: passes
        (date(2026, 9, 15), date(2026, 3, 14), "issued_too_long_ago"),  # one day more
        (date(2026, 9, 15), date(2026, 9, 15), None),  # issued the day of the check
        (date(2026, 9, 15), date(2026, 9, 16), "issued_in_future"),
        (date(2026, 8, 31), date(2026, 2, 28), None),  # 6 months before 31 August is 28 February
        (date(2026, 8, 31), date(2026, 2, 27), "issued_too_long_ago"),
        (date(2028, 8, 31), date(2028, 2, 29), None),  # leap year
        (date(2028, 8, 31), date(2028, 2, 28), "issued_too_long_ago"),
        (date(2026, 3, 31), date(2025, 9, 30), None),  # across the year end, 31 → 30 September
        (date(2026, 3, 31), date(2025, 9, 29), "issued_too_long_ago"),
        (date(2026, 9, 15), date(2020, 1, 1), "issued_too_long_ago"),
    ],
)
def test_wp7_criminal_record_six_months_edge(checked_on: date, issued_on: date, problem: str | None) -> None:
    """WP-7: the criminal record is issued within 6 months of the check: the corresponding day 6 months back
    (or that month's last day) passes, the day before it fails."""
    found = problems(full_set(criminal_record_issued_on=issued_on), checked_on)
    assert found == ([] if problem is None else [("criminal_record", problem)])


def test_wp7_criminal_record_too_old_says_the_earliest_day() -> None:
    (problem,) = document_problems(
        full_set(criminal_record_issued_on=date(2026, 3, 14)), checked_on=CHECKED_ON, params=P2026
    )
    assert "2026-03-15" in problem.reason.zh
    assert "2026-03-15" in problem.reason.en
    assert problem.description.en.startswith(problem.label.en + ": ")


def test_wp7_criminal_record_without_a_date_fails() -> None:
    documents = [d for d in full_set() if d.code != "criminal_record"]
    documents.append(SubmittedDocument("criminal_record", None, authenticated=True))
    assert problems(documents) == [("criminal_record", "issue_date_missing")]


def test_wp7_criminal_record_age_is_a_parameter() -> None:
    documents = full_set(criminal_record_issued_on=date(2026, 5, 15))
    assert problems(documents) == []
    found = document_problems(documents, checked_on=CHECKED_ON, params=params(criminal_record_max_age_months=3))
    assert [(p.code, p.problem) for p in found] == [("criminal_record", "issued_too_long_ago")]


# --- authentication (认证) of the degree and the criminal record -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"degree_authenticated": False}, [("highest_degree", "not_authenticated")]),
        ({"record_authenticated": False}, [("criminal_record", "not_authenticated")]),
        (
            {"degree_authenticated": False, "record_authenticated": False},
            [("highest_degree", "not_authenticated"), ("criminal_record", "not_authenticated")],
        ),
        (
            {"record_authenticated": False, "criminal_record_issued_on": date(2025, 1, 1)},
            [("criminal_record", "not_authenticated"), ("criminal_record", "issued_too_long_ago")],
        ),
    ],
)
def test_wp7_unauthenticated_degree_or_criminal_record_fails(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    documents = full_set(**changes)
    assert problems(documents) == expected
    assert code_of(lambda: check_documents(documents, checked_on=CHECKED_ON, params=P2026)) == "documents_incomplete"


def test_wp7_other_documents_need_no_authentication() -> None:
    """WP-7: only the degree and the criminal record must be authenticated (full_set leaves the others not)."""
    assert all(not d.authenticated for d in full_set() if d.code not in {"highest_degree", "criminal_record"})
    assert problems(full_set()) == []


def test_wp7_any_document_dated_after_the_check_fails() -> None:
    documents = [d for d in full_set() if d.code != "medical_certificate"]
    documents.append(SubmittedDocument("medical_certificate", date(2026, 9, 16)))
    assert problems(documents) == [("medical_certificate", "issued_in_future")]


def test_wp7_a_good_copy_outweighs_a_bad_one() -> None:
    """WP-7: a code passes when at least one of its documents has no problem."""
    documents = [*full_set(), SubmittedDocument("criminal_record", date(2025, 1, 1), authenticated=False)]
    assert problems(documents) == []


def test_wp7_bad_copies_report_each_problem_once() -> None:
    documents = [d for d in full_set() if d.code != "highest_degree"]
    documents += [SubmittedDocument("highest_degree", date(2015, 7, 1)), SubmittedDocument("highest_degree")]
    assert problems(documents) == [("highest_degree", "not_authenticated")]


def test_wp7_unknown_document_is_reported() -> None:
    assert problems([*full_set(), SubmittedDocument("diploma_supplement")]) == [
        ("diploma_supplement", "unknown_document")
    ]


def test_wp7_stored_metadata_is_read_from_mappings() -> None:
    """WP-7: the stored metadata (ISO dates, extra keys such as the file name ignored) is checked the same way."""
    stored = [
        {
            "code": d.code,
            "issued_on": d.issued_on.isoformat() if d.issued_on else None,
            "authenticated": d.authenticated,
            "file_name": f"{d.code}.pdf",
        }
        for d in full_set()
    ]
    assert check_documents(stored, checked_on=CHECKED_ON, params=P2026).complete is True
    stored[3] = {**stored[3], "issued_on": "2026-03-14"}
    assert code_of(lambda: check_documents(stored, checked_on=CHECKED_ON, params=P2026)) == "documents_incomplete"


# --- the A-class green channel (容缺受理): documents to follow -------------------------------------------


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        (full_set(leave_out="criminal_record"), [("criminal_record", "missing")]),
        (full_set(leave_out="medical_certificate"), [("medical_certificate", "missing")]),
        ([], [(code, "missing") for code in CHECKLIST]),
        (full_set(degree_authenticated=False), [("highest_degree", "not_authenticated")]),
    ],
)
def test_wp7_green_channel_defers_missing_documents(
    documents: list[SubmittedDocument], expected: list[tuple[str, str]]
) -> None:
    """WP-7/WP-2: class A's green channel accepts with documents to follow: the problems are returned, not raised."""
    check = check_documents(documents, checked_on=CHECKED_ON, params=P2026, green_channel=True)
    assert [(p.code, p.problem) for p in check.problems] == expected
    assert check.green_channel is True
    assert check.complete is False
    assert check.blocking is False
    # without the green channel the same documents are refused
    assert code_of(lambda: check_documents(documents, checked_on=CHECKED_ON, params=P2026)) == "documents_incomplete"


def test_wp7_green_channel_with_every_document_is_complete() -> None:
    check = check_documents(full_set(), checked_on=CHECKED_ON, params=P2026, green_channel=True)
    assert (check.complete, check.blocking, check.problems) == (True, False, ())
