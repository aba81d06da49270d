"""HTTP of the foundation's statistics."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation statistics"])
