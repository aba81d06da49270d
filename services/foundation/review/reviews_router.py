"""HTTP of reviews (NSF-4): draft, submit, close a round, the lacking list."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation reviews"])
