"""AW-2 as the nominations routes run it (issue 13's goal: <= 20 ms at the median against the year's 5,000):
the guards of one nomination read from the database, only the rows that name its own people.

A talent database (SQLite, migrated as production does, in a temporary directory) holds a year of 5,000
filed nominations with one to nine completers each (about 25,000 people rows, indexed by year and person key)
and last year's awarded nominations. Each of 300 fresh nominations is checked with
``services.talent.nominations.service.check_aw2``: three indexed reads (the year's rows naming its people or
its nominator, the year's nominations by its nominator or its people as experts, last year's awards of its
first completer) and the pure ``check_nomination``. Most are clean; some are planted to break the person
limit or last year's bar, and the refusal's code is compared with the planted one."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import insert

from services.talent.award_cycles.models import AwardCycle
from services.talent.nominations.models import Nomination, NominationPerson
from services.talent.nominations.service import check_aw2
from services.talent.nominators.models import Nominator
from shared.db import Database, database_url_for
from shared.db.migrate import upgrade
from shared.errors import AppError
from tests.bench.harness import fmt_latency, percentiles

SEED = 20261207
YEAR = 2027
NOMINATIONS = 5_000
LAST_YEAR = 300
CHECKS = 300
GOAL_MS = 20.0


def key(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


async def fill(db: Database, rng: random.Random) -> tuple[list[str], list[str]]:
    """The year's nominations and last year's awarded ones; returns the year's people and last year's
    barred first completers."""
    async with db.sessionmaker() as session:
        for year in (YEAR - 1, YEAR):
            session.add(
                AwardCycle(
                    code=f"B-{year}",
                    year=year,
                    category="st_progress",
                    title="bench",
                    opens_on=date(year, 3, 1),
                    closes_on=date(year, 4, 30),
                    quotas={"1": 5},
                    votes={},
                    committee=["1"],
                    panel_size=3,
                    panel_disciplines=["D"],
                    acceptance_days=30,
                    winners_days=15,
                    status="open",
                    created_by="bench",
                    version=1,
                )
            )
        session.add(
            Nominator(
                account="bench",
                kind="city_government",
                name="bench",
                recognised=True,
                active=True,
                created_by="bench",
                version=1,
            )
        )
        await session.commit()
    year_people: list[str] = []
    barred: list[str] = []
    nominations, people = [], []
    for i in range(NOMINATIONS + LAST_YEAR):
        this_year = i < NOMINATIONS
        nid = i + 1
        completers = [key(rng) for _ in range(rng.randint(1, 9))]
        nominations.append(
            {
                "id": nid,
                "cycle_id": 2 if this_year else 1,
                "year": YEAR if this_year else YEAR - 1,
                "category": "st_progress",
                "nominator_id": 1,
                "nominator_kind": "city_government",
                "nominator_key": key(rng),
                "owner": "bench",
                "title": "t",
                "summary": "s",
                "disciplines": ["D01"],
                "keywords": [],
                "units": [],
                "status": "submitted" if this_year else "awarded",
                "grade": None if this_year else 1,
                "version": 1,
            }
        )
        for position, person in enumerate(completers, start=1):
            people.append(
                {
                    "nomination_id": nid,
                    "year": YEAR if this_year else YEAR - 1,
                    "position": position,
                    "name": "p",
                    "person_key": person,
                }
            )
        if this_year:
            year_people += completers
        else:
            barred += completers[:3]
    async with db.sessionmaker() as session:
        for start in range(0, len(nominations), 1000):
            await session.execute(insert(Nomination), nominations[start : start + 1000])
        for start in range(0, len(people), 2000):
            await session.execute(insert(NominationPerson), people[start : start + 2000])
        await session.commit()
    return year_people, barred


async def run() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        await asyncio.to_thread(upgrade, "talent", None, var)
        db = Database(database_url_for("talent", None, var), "talent")
        try:
            year_people, barred = await fill(db, rng)
            samples: list[float] = []
            outcomes: Counter[str] = Counter()
            async with db.sessionmaker() as session:
                nominator = await session.get(Nominator, 1)
                assert nominator is not None
                for n in range(CHECKS + 20):
                    keys = [key(rng) for _ in range(rng.randint(1, 9))]
                    planted = rng.choices(
                        (None, "person_nomination_limit", "former_winner_first_completer"), (8, 1, 1)
                    )[0]
                    if planted == "person_nomination_limit":
                        keys[-1] = rng.choice(year_people)
                    elif planted == "former_winner_first_completer":
                        keys[0] = rng.choice(barred)
                    fresh = Nomination(
                        id=10**6 + n, year=YEAR, nominator_kind="city_government", nominator_key=key(rng)
                    )
                    rows = [NominationPerson(position=p, person_key=k) for p, k in enumerate(keys, start=1)]
                    t0 = time.perf_counter()
                    try:
                        await check_aw2(session, fresh, rows, nominator)
                        code = None
                    except AppError as refused:
                        code = refused.code
                    if n >= 20:  # after a warm-up
                        samples.append((time.perf_counter() - t0) * 1000)
                        outcomes[code or "accepted"] += 1
                    assert code == planted, (planted, code)
        finally:
            await db.dispose()
    stats = percentiles(samples)
    verdict = "ok" if stats["p50"] <= GOAL_MS else "OVER the 20 ms goal"
    return [
        ("year's nominations / people rows", f"{NOMINATIONS:,} / {len(year_people):,} (SQLite, migrated)"),
        ("checked (outcomes)", f"{CHECKS}: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common())),
        ("AW-2 from the database, per nomination", f"{fmt_latency(stats)} ({verdict})"),
    ]
