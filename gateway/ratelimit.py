"""STUB (to be replaced): rate limits with the limits library."""

from gateway.settings import GatewaySettings


class RateLimiter:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings

    async def close(self) -> None:
        return None
