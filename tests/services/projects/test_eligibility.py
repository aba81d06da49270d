"""The pure guards at submit (rules/eligibility.py), one row per band edge: the call window's exact
instants (CAL-2), the birthday that crosses the age limit (ID-2), caps at the limit and one fen over,
co-funding at the ratio and one fen under, organisation kinds, PRJ-5 and PRJ-1 answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.projects.rules import eligibility as e
from shared.errors import AppError

SH = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2026, 3, 1, 9, 0, tzinfo=SH)
CLOSES = datetime(2026, 4, 1, 17, 0, tzinfo=SH)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (OPENS - TICK, "call_not_open"),
        (OPENS, None),
        (CLOSES - TICK, None),
        (CLOSES, "call_closed"),
        (CLOSES.astimezone(ZoneInfo("UTC")), "call_closed"),  # the same instant in another zone
    ],
)
def test_cal2_call_window_edges(now: datetime, code: str | None) -> None:
    if code is None:
        e.check_call_window(OPENS, CLOSES, now)
        return
    with pytest.raises(AppError) as err:
        e.check_call_window(OPENS, CLOSES, now)
    assert err.value.code == code
    assert "CAL-2" in (err.value.detail_zh or "") and "Asia/Shanghai" in (err.value.detail_en or "")


def test_cal2_window_detail_shows_shanghai_time() -> None:
    with pytest.raises(e.CallClosed) as err:
        e.check_call_window(OPENS, CLOSES, CLOSES)
    assert "2026-04-01 17:00:00" in (err.value.detail_zh or "")


def test_call_closed_by_hand() -> None:
    e.check_call_status("published")
    for status in ("closed", "draft"):
        with pytest.raises(e.CallClosed):
            e.check_call_status(status)


BIRTH = date(1966, 4, 1)  # turns 60 on 2026-04-01, 61 on 2027-04-01


@pytest.mark.parametrize(
    ("reference", "allowed"),
    [
        (date(2027, 3, 31), True),  # 60 the day before the 61st birthday: still within 不超过60周岁
        (date(2027, 4, 1), False),  # the 61st birthday
        (date(2026, 4, 1), True),
    ],
)
def test_id2_leader_age_birthday_edges(reference: date, allowed: bool) -> None:
    if allowed:
        e.check_leader_age(BIRTH, reference, 60)
    else:
        with pytest.raises(e.LeaderTooOld) as err:
            e.check_leader_age(BIRTH, reference, 60)
        assert err.value.extra["age"] == 61 and "ID-2" in (err.value.detail_en or "")


def test_id2_age_of_a_leap_day_birth_and_no_limit() -> None:
    leap = date(1968, 2, 29)
    assert e.age_on(leap, date(2029, 2, 28)) == 60
    assert e.age_on(leap, date(2029, 3, 1)) == 61
    e.check_leader_age(date(1900, 1, 1), date(2026, 1, 1), None)


CAP = Decimal("1000000.00")
FEN = Decimal("0.01")


@pytest.mark.parametrize(
    ("requested", "months", "over"),
    [
        (CAP, 36, []),
        (CAP + FEN, 36, [("budget", "topic")]),
        (Decimal("1500000.00"), 36, [("budget", "topic")]),
        (Decimal("1500000.01"), 36, [("budget", "topic"), ("budget", "programme")]),
        (CAP, 37, [("duration_months", "programme")]),
    ],
)
def test_budget_and_duration_caps_at_the_cap_and_one_fen_over(
    requested: Decimal, months: int, over: list[tuple[str, str]]
) -> None:
    kwargs = {"topic_cap": CAP, "programme_cap": Decimal("1500000.00"), "programme_max_months": 36}
    if not over:
        e.check_budget(requested, months, **kwargs)
        return
    with pytest.raises(e.BudgetOverCap) as err:
        e.check_budget(requested, months, **kwargs)
    assert [(o["field"], o["cap"]) for o in err.value.extra["over"]] == over
    assert err.value.status == 422 and err.value.code == "budget_over_cap"


def test_budget_topic_without_cap_uses_the_programme_cap() -> None:
    e.check_budget(
        Decimal("1500000.00"), 12, topic_cap=None, programme_cap=Decimal("1500000.00"), programme_max_months=36
    )


@pytest.mark.parametrize(
    ("self_raised", "ok"),
    [
        (Decimal("400000.00"), True),
        (Decimal("399999.99"), False),
    ],
)
def test_enterprise_cofunding_at_the_ratio_and_one_fen_under(self_raised: Decimal, ok: bool) -> None:
    args = ("enterprise", Decimal("400000.00"), self_raised, Decimal("1.00"))
    if ok:
        e.check_cofunding(*args)
    else:
        with pytest.raises(e.CofundingTooLow) as err:
            e.check_cofunding(*args)
        assert err.value.extra["required"] == "400000.00"


def test_cofunding_rounds_to_the_fen_and_spares_non_enterprises() -> None:
    assert e.required_cofunding(Decimal("333333.33"), Decimal("0.5")) == Decimal("166666.67")
    e.check_cofunding("enterprise", Decimal("333333.33"), Decimal("166666.67"), Decimal("0.5"))
    e.check_cofunding("university", Decimal("1000000"), Decimal("0"), Decimal("1"))
    e.check_cofunding("enterprise", Decimal("1000000"), Decimal("0"), None)


def test_org_kinds_and_the_enterprise_code() -> None:
    e.check_org_kind("university", ["university", "enterprise"])
    with pytest.raises(e.OrgKindNotAllowed):
        e.check_org_kind("hospital", ["university"])
    assert e.effective_org_kind("other", "91220101123456789X") == "enterprise"
    assert e.effective_org_kind("university", "12220000412755413X") == "university"


def test_defaults_are_documented_data() -> None:
    assert e.DEFAULTS.leader_max_age == 60 and e.DEFAULTS.enterprise_cofunding_ratio == Decimal("1.00")
    assert set(e.DEFAULTS.org_kinds) == set(e.APPLICANT_ORG_KINDS)
    assert {
        "equipment",
        "materials",
        "testing",
        "travel",
        "meetings",
        "international_cooperation",
        "publication",
        "labour",
        "expert_consultation",
        "indirect",
    } <= set(e.BUDGET_LINES)


def test_prj5_debarment_findings_block() -> None:
    e.check_not_debarred([])
    with pytest.raises(e.Debarred) as err:
        e.check_not_debarred([e.DebarmentFinding("organization", "debarment", date(2026, 1, 1), date(2027, 1, 1))])
    assert err.value.code == "debarred" and "PRJ-5" in (err.value.detail_zh or "")
    assert err.value.extra["debarments"][0]["ends_on"] == "2027-01-01"


def test_prj1_limit_violations_carry_counts() -> None:
    e.check_limits([])
    with pytest.raises(e.LimitExceeded) as err:
        e.check_limits([e.LimitViolation("PRJ-1", "plan_projects_per_year", 1, 1, ({"item_id": "7"},))])
    assert err.value.code == "limit_exceeded" and "PRJ-1" in (err.value.detail_en or "")
    assert err.value.extra["counts"] == [
        {"clause": "PRJ-1", "rule": "plan_projects_per_year", "limit": 1, "count": 1, "items": [{"item_id": "7"}]}
    ]
