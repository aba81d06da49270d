"""HTTP of the ranking per category (NSF-4)."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation ranking"])
