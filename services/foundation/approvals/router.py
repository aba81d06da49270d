"""HTTP of approval, the public notice (公示) and funding."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation approvals"])
