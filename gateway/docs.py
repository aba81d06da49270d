"""STUB (to be replaced): merged OpenAPI, /docs, /redoc."""

from fastapi import APIRouter

docs_router = APIRouter()
