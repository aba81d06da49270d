"""WP-9 the state of a permit as a verifying agency learns it (the permit's state, never the person's data).

An issued permit is one of:

* ``in_force``          its state is valid and today is within ``valid_from``..``valid_until`` (both days
  included: ``valid_until`` is the last valid day, WP-5);
* ``not_yet_in_force``  its state is valid and today is before ``valid_from`` (a contract that starts later);
* ``expired``           its state is valid and today is after ``valid_until``;
* ``cancelled``         注销: cancelled by a change, or superseded (the bureau replaced it by a newer permit
  under the same lifelong number, WP-8, and the old one no longer counts);
* ``revoked``           撤销: withdrawn by the bureau's decision. The permit workflow has no such move yet;
  the value is part of the answer's contract so that an agency's integration covers it from the start.

A cancelled or revoked permit says so whatever its dates. Today is the Asia/Shanghai date (CAL-2): a
timestamp is placed there first, so a permit valid from 6 January is in force from 00:00 Beijing time,
which is still 5 January in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.workdays import local_date

PermitStatus = Literal["in_force", "not_yet_in_force", "expired", "cancelled", "revoked"]

# the permit workflow's end states and what an agency is told of them
_ENDED: dict[str, PermitStatus] = {"cancelled": "cancelled", "superseded": "cancelled", "revoked": "revoked"}


def permit_status(state: str, valid_from: date, valid_until: date, on: date | datetime) -> PermitStatus:
    """The permit's status on ``on`` (a date, or a timestamp placed in Asia/Shanghai)."""
    if state in _ENDED:
        return _ENDED[state]
    if state != "valid":
        raise ValueError(f"unknown permit state {state!r}")
    today = local_date(on)
    if today < valid_from:
        return "not_yet_in_force"
    if today > valid_until:
        return "expired"
    return "in_force"
