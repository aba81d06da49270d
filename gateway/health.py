"""STUB (to be replaced): /healthz, /readyz, /metrics."""

from fastapi import APIRouter

health_router = APIRouter()


@health_router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "gateway"}
