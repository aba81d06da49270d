"""The cycle's results (AW-1, AW-3): published once the proposed-winners notice is concluded, every
objection resolved and no nomination pending; each confirmed winner is awarded with a certificate number.

The number is ``<cycle code>-<grade>-<serial>`` (``JLSTA-2027-STP-1-001``; ``0`` for a category without
grades): the cycle's code is unique and the serial runs per grade, winners in order of the panel's score
(then by id), so the numbers are unique, stable once given and read back to the cycle and the grade."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import service as cycles
from services.talent.award_cycles.models import AwardCycle
from services.talent.db import common
from services.talent.errors import AwardResultsNotReady
from services.talent.nominations import repository as repo
from services.talent.nominations.models import Nomination
from services.talent.rules.award_flows import CYCLE_WORKFLOW, NOMINATION_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.principal import Principal

# The states a nomination is still on its way in: results wait for them.
PENDING = ("submitted", "accepted", "on_acceptance_notice", "in_review", "proposed", "on_winners_notice")


def certificate_no(cycle: AwardCycle, grade: int | None, serial: int) -> str:
    return f"{cycle.code}-{grade or 0}-{serial:03d}"


def _order(n: Nomination) -> tuple[int, Decimal, int]:
    return (n.grade or 0, -(n.score or Decimal(0)), n.id)


async def publish(
    session: AsyncSession, principal: Principal, cycle_id: int, comment: str | None, if_match: str | None, env: object
) -> AwardCycle:
    await cycles.load(session, principal, cycle_id)
    cycle = await cycles.locked(session, cycle_id)
    check_if_match(if_match, cycles.KIND, cycle.id, cycle.version, required=False)
    CYCLE_WORKFLOW.decide(cycle.status, "publish_results", principal)
    counts = await repo.counts_by_state(session, cycle.id)
    pending = {state: counts[state] for state in PENDING if counts.get(state)}
    if pending:
        raise AwardResultsNotReady(
            "尚有提名未完成评审或公示（见 pending），拟授奖公示结束且异议处理完毕后才能公布结果（AW-3）。",
            "Some nominations are still in review or on a notice (see pending); results follow the concluded "
            "proposed-winners notice with every objection resolved (AW-3).",
            extra={"clause": "AW-3", "pending": pending},
        )
    serials: dict[int | None, int] = {}
    winners = sorted(await repo.in_states(session, cycle.id, ["confirmed"]), key=_order)
    for nomination in winners:
        serials[nomination.grade] = serials.get(nomination.grade, 0) + 1
        nomination.certificate_no = certificate_no(cycle, nomination.grade, serials[nomination.grade])
        await NOMINATION_WORKFLOW.apply(session, common, nomination, "award", principal, comment=comment)
    await CYCLE_WORKFLOW.apply(session, common, cycle, "publish_results", principal, comment=comment)
    await flush_versioned(session, "评审周期")
    facts = {"awarded": len(winners), "by_grade": {str(g): n for g, n in serials.items()}}
    await audit.append(session, common, principal, "publish_results", cycles.KIND, cycle.id, facts)
    return cycle
