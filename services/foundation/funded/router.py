"""HTTP of funded projects: disbursements, annual reports, the final report, the conclusion."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation funded projects"])
