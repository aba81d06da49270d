"""WP-7 the documents of a permit application, as data, and what is missing or invalid.

The checklist: application form, proof of work experience, highest degree (authenticated), criminal
record certificate (authenticated, issued within 6 months), medical certificate, employment contract
(in Chinese), passport, photo. All are required; an A-class application may go through the green
channel (容缺受理) with documents to follow.

Checks on the submitted metadata (``SubmittedDocument``: code, date of issue, authenticated):

* every required code has at least one document without problems;
* "authenticated" (legalised or apostilled, 认证) for the highest degree and the criminal record;
* the criminal record has a date of issue, not after the checking day and no earlier than 6 months
  (``params.criminal_record_max_age_months``) before it, counted as ``validity.add_months``: checked on
  15 September, one issued 15 March passes and 14 March does not;
* no document is dated after the checking day.

What the checks cannot see (that the contract is in Chinese, that a photo is a photo) is the official's
to examine. ``check_documents`` refuses with ``documents_incomplete`` unless ``green_channel`` defers
every problem; the caller decides when it applies (at submission and acceptance of class A; not at the
approval, when the documents that were to follow must be there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.foreign_experts.errors import DocumentsIncomplete
from services.foreign_experts.rules.labels import Texts, label, text
from services.foreign_experts.rules.parameters import YearParameters
from services.foreign_experts.rules.validity import add_months
from shared.schemas import Label


@dataclass(frozen=True)
class DocumentSpec:
    code: str
    name_zh: str
    name_en: str
    required: bool = True
    authenticated: bool = False  # must be legalised or apostilled
    recent: bool = False  # issued within params.criminal_record_max_age_months

    @property
    def label(self) -> Label:
        return text(self.name_zh, self.name_en)


DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("application_form", "外国人来华工作许可申请表", "application form for a work permit"),
    DocumentSpec("work_experience", "工作资历证明", "proof of work experience"),
    DocumentSpec(
        "highest_degree",
        "最高学位（学历）证书（经认证）",
        "highest degree certificate (authenticated)",
        authenticated=True,
    ),
    DocumentSpec(
        "criminal_record",
        "无犯罪记录证明（经认证，6个月内出具）",
        "criminal record certificate (authenticated, issued within 6 months)",
        authenticated=True,
        recent=True,
    ),
    DocumentSpec("medical_certificate", "体检证明", "medical certificate"),
    DocumentSpec(
        "employment_contract", "聘用合同或任职证明（中文）", "employment contract or appointment (in Chinese)"
    ),
    DocumentSpec("passport", "护照或国际旅行证件", "passport or international travel document"),
    DocumentSpec("photo", "近期正面免冠照片", "recent frontal photo without headwear"),
)
DOCUMENT_CODES: tuple[str, ...] = tuple(d.code for d in DOCUMENTS)
DOCUMENT_SPECS: dict[str, DocumentSpec] = {d.code: d for d in DOCUMENTS}
DOCUMENT_NAMES: Texts = {d.code: (d.name_zh, d.name_en) for d in DOCUMENTS}

PROBLEM_KINDS: Texts = {
    "missing": ("未提交", "missing"),
    "not_authenticated": ("未经认证", "not authenticated"),
    "issue_date_missing": ("未填写出具日期", "no date of issue"),
    "issued_too_long_ago": ("出具时间超过6个月", "issued more than 6 months ago"),
    "issued_in_future": ("出具日期晚于审核日期", "dated after the day of checking"),
    "unknown_document": ("不属于申请材料清单", "not a document of the checklist"),
}


def document_label(code: str) -> Label:
    return label(DOCUMENT_NAMES, code)


@dataclass(frozen=True)
class SubmittedDocument:
    code: str
    issued_on: date | None = None
    authenticated: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SubmittedDocument:
        """From the stored metadata (file name, size and hash are ignored here); ISO dates accepted."""
        issued = data.get("issued_on")
        if isinstance(issued, str):
            issued = date.fromisoformat(issued)
        return cls(str(data["code"]), issued, bool(data.get("authenticated", False)))


@dataclass(frozen=True)
class DocumentProblem:
    code: str  # the document's code
    problem: str  # a PROBLEM_KINDS code
    label: Label  # the document's name
    reason: Label

    @property
    def description(self) -> Label:
        """``label: reason`` in each language, for a list shown to people."""
        return text(f"{self.label.zh}：{self.reason.zh}", f"{self.label.en}: {self.reason.en}")


@dataclass(frozen=True)
class DocumentCheck:
    problems: tuple[DocumentProblem, ...]
    green_channel: bool

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def blocking(self) -> bool:
        """Problems that stop the step: any, unless the green channel defers them (documents to follow)."""
        return bool(self.problems) and not self.green_channel


def _problem(code: str, kind: str, detail: Label | None = None) -> DocumentProblem:
    return DocumentProblem(code, kind, document_label(code), detail or label(PROBLEM_KINDS, kind))


def problems_of(document: SubmittedDocument, checked_on: date, params: YearParameters) -> list[DocumentProblem]:
    spec = DOCUMENT_SPECS.get(document.code)
    if spec is None:
        return [_problem(document.code, "unknown_document")]
    found = []
    if spec.authenticated and not document.authenticated:
        found.append(_problem(spec.code, "not_authenticated"))
    if document.issued_on is not None and document.issued_on > checked_on:
        found.append(_problem(spec.code, "issued_in_future"))
    if spec.recent:
        months = params.criminal_record_max_age_months
        earliest = add_months(checked_on, -months)
        if document.issued_on is None:
            found.append(_problem(spec.code, "issue_date_missing"))
        elif document.issued_on < earliest:
            found.append(
                _problem(
                    spec.code,
                    "issued_too_long_ago",
                    text(
                        f"{document.issued_on.isoformat()}出具，超过{months}个月（应不早于{earliest.isoformat()}）",
                        f"issued {document.issued_on.isoformat()}, over {months} months ago (not before "
                        f"{earliest.isoformat()})",
                    ),
                )
            )
    return found


def document_problems(
    submitted: Iterable[SubmittedDocument | Mapping[str, Any]], *, checked_on: date, params: YearParameters
) -> tuple[DocumentProblem, ...]:
    """Every problem, in checklist order: a required code with no document without problems is reported
    with the problems of each of its documents, or as ``missing`` when there is none."""
    documents = [d if isinstance(d, SubmittedDocument) else SubmittedDocument.from_mapping(d) for d in submitted]
    found: list[DocumentProblem] = []
    for spec in DOCUMENTS:
        mine = [problems_of(d, checked_on, params) for d in documents if d.code == spec.code]
        if any(not p for p in mine):
            continue
        if not mine:
            if spec.required:
                found.append(_problem(spec.code, "missing"))
            continue
        for problems in mine:
            found.extend(p for p in problems if p not in found)
    found.extend(_problem(d.code, "unknown_document") for d in documents if d.code not in DOCUMENT_SPECS)
    return tuple(found)


def check_documents(
    submitted: Iterable[SubmittedDocument | Mapping[str, Any]],
    *,
    checked_on: date,
    params: YearParameters,
    green_channel: bool = False,
) -> DocumentCheck:
    """The check, raising ``DocumentsIncomplete`` (409, ``documents_incomplete``, each problem listed) when it
    blocks; with ``green_channel`` the problems are returned as documents to follow."""
    check = DocumentCheck(document_problems(submitted, checked_on=checked_on, params=params), green_channel)
    if check.blocking:
        problems = check.problems
        raise DocumentsIncomplete(
            "申请材料不齐全或不符合要求：" + "；".join(p.description.zh for p in problems),
            "Documents missing or not valid: " + "; ".join(p.description.en for p in problems),
            extra={"documents": [{"code": p.code, "problem": p.problem} for p in problems]},
        )
    return check
