"""Pure rules of the public notice (公示) of an approved list: the period in working days (CAL-1)
counted from the notice's start in Asia/Shanghai (CAL-2), objections only within it, and when the
notice may be concluded. They are the platform's (``shared.notices``), re-exported here."""

from __future__ import annotations

from shared.notices import (
    DEFAULTS,
    NoticeRules,
    Period,
    conclusion_blockers,
    notice_period,
    objection_window,
)

__all__ = ["DEFAULTS", "NoticeRules", "Period", "conclusion_blockers", "notice_period", "objection_window"]
