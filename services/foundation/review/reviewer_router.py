"""HTTP of the reviewer's side: my assignments, the application as a reviewer sees it, decline."""

from fastapi import APIRouter

router = APIRouter(tags=["foundation reviews"])
