"""STUB (to be replaced): creates the first administrator."""

from gateway.settings import GatewaySettings
from shared.db import Database


async def ensure_admin(db: Database, settings: GatewaySettings) -> None:
    return None
