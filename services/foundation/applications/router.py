"""HTTP of foundation applications (基金申请书)."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation applications"])
