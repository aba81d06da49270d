"""HTTP of yearly funding plans (年度资助计划)."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation plans"])
