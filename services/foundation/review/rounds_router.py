"""HTTP of review rounds: the draw (NSF-2, NSF-3), verify, exclusions, assignments."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation review rounds"])
