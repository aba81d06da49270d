"""Pure rules of funded projects (资助项目): disbursements never above the grant, the years an annual
report may cover, when the grant may be paid, and the small workflow of an annual report.

* Disbursements (拨款): the sum of an application's disbursements never exceeds its approved amount
  (equal is allowed); a payment is dated from the funding year to today in Asia/Shanghai (CAL-2), and is made
  only while the project is funded or after (``DISBURSABLE_STATES``), never once it failed or was
  terminated.
* Annual reports (年度进展报告): one per year of the project. The project's term is read from the
  application: it is funded in the plan's year and runs ``duration_months`` from then on; as the
  grant is made late in that year, its last year is ``year + ceil(duration_months / 12)``. A report
  may cover any year of that term that has begun (not a future year).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from services.foundation.rules.workflows import STAFF
from shared.errors import field_error
from shared.workflow import Workflow, transition

# The grant may be paid while the project runs, while its final report is examined, and once it
# concluded (a last instalment is often paid on conclusion); never after failure or termination.
DISBURSABLE_STATES = frozenset({"funded", "final_submitted", "concluded"})
# Annual reports are written while the project runs (``funded``).
REPORTING_STATES = frozenset({"funded"})


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal("0.00"))


def exceeds_grant(approved: Decimal, paid: Iterable[Decimal], adding: Decimal) -> bool:
    """True when ``adding`` to what was ``paid`` would exceed the ``approved`` grant (equal is fine)."""
    return total(paid) + adding > approved


def paid_on_problems(paid_on: date, today: date, funding_year: int) -> list[dict[str, str]]:
    """A payment is dated between 1 January of the funding year and today (Asia/Shanghai)."""
    if paid_on > today:
        return [
            field_error(
                "paid_on",
                "in_the_future",
                f"{paid_on.isoformat()} 晚于今天（{today.isoformat()}，北京时间）",
                f"{paid_on.isoformat()} is after today ({today.isoformat()}, Asia/Shanghai)",
            )
        ]
    if paid_on.year < funding_year:
        return [
            field_error(
                "paid_on",
                "before_funding_year",
                f"{paid_on.isoformat()} 早于资助年度 {funding_year} 年",
                f"{paid_on.isoformat()} is before the funding year {funding_year}",
            )
        ]
    return []


def term_years(funding_year: int, duration_months: int) -> range:
    """The calendar years of the project's term, the funding year first."""
    years = -(-max(duration_months, 1) // 12)  # ceil
    return range(funding_year, funding_year + years + 1)


def report_year_problems(year: int, funding_year: int, duration_months: int, today: date) -> list[dict[str, str]]:
    term = term_years(funding_year, duration_months)
    if year not in term:
        return [
            field_error(
                "year",
                "outside_project_term",
                f"项目的执行年度为 {term.start}—{term.stop - 1} 年",
                f"the project's years are {term.start}-{term.stop - 1}",
            )
        ]
    if year > today.year:
        return [field_error("year", "year_not_started", f"{year} 年尚未开始", f"{year} has not begun")]
    return []


# The annual report: submitted by the project's applicant; staff accept it or return it for revision
# (with a comment), and the applicant resubmits the revised report.
ANNUAL_REPORT_WORKFLOW = Workflow(
    "foundation_annual_report",
    "submitted",
    [
        transition("accept", "submitted", "accepted", STAFF),
        transition("return", "submitted", "returned", STAFF, comment_required=True),
        transition("resubmit", "returned", "submitted", ["applicant"]),
    ],
)

# The final report's actions, each an application move (rules/workflows.py APPLICATION_WORKFLOW).
FINAL_REPORT_ACTIONS = ("submit_final_report", "return_final_report", "conclude", "fail")
