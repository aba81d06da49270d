"""STUB (to be replaced): the reverse proxy to the services."""

from fastapi import APIRouter

proxy_router = APIRouter()
