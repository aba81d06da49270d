"""Request dependencies several projects routers share: the service's audit and history tables, and the
moment a plain workflow action runs in (those tables and the request's now)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NamedTuple

from fastapi import Depends, Request

from shared.clock import Now
from shared.db.models import CommonTables


def _common(request: Request) -> CommonTables:
    common: CommonTables = request.app.state.common
    return common


Common = Annotated[CommonTables, Depends(_common)]


class Moment(NamedTuple):
    """The context ``shared.actions`` hands to a challenge list's or a pledge's plain actions."""

    common: CommonTables
    now: datetime


def _moment(common: Common, now: Now) -> Moment:
    return Moment(common, now)


ActionMoment = Annotated[Moment, Depends(_moment)]
