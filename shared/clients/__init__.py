"""Typed clients of the internal HTTP APIs one service offers the others (reviewers, integrity, ledger).

Each client sits on ``shared.http_client.InternalClient`` and raises ``DependencyUnavailable`` (503 with
``Retry-After``) when the service it calls is down: callers refuse, never guess (ARCHITECTURE rule 1).
"""
