"""STUB (to be replaced): /api/v1/auth and /api/v1/admin."""

from fastapi import APIRouter

auth_router = APIRouter(tags=["auth"])
admin_router = APIRouter(tags=["admin"])
