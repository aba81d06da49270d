"""STUB (to be replaced by the accounts work): who is calling the gateway.

Interface: ``await authenticate(request)`` returns the ``Principal`` for the request's
``Authorization: Bearer <JWT>`` or ``X-API-Key`` header, ``ANONYMOUS`` when neither is present, and
raises ``shared.errors.Unauthorized`` for a bad, expired, revoked or forged credential.
"""

from fastapi import Request

from shared.principal import ANONYMOUS, Principal


async def authenticate(request: Request) -> Principal:
    return ANONYMOUS
