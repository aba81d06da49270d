"""The in-process LSH index of screened documents: one per process, the database its only source.

Built from ``screening_documents`` at first use and brought up to date before every query by
loading the rows above the highest id it has seen (ARCHITECTURE rule 8: any replica answers the
same, with no shared memory). On PostgreSQL a transaction may commit a lower id after a higher one
was loaded; ids missing below the watermark are therefore remembered as gaps for a while
(``GAP_TTL_SECONDS``) and asked for again on each refresh.

The banding is held in numpy arrays: per band, the sorted 64-bit band keys and the rows they
belong to, plus a small unsorted tail of recent rows that is merged in from time to time. That is
12 bytes per document and band (about 19 MB for 50,000 documents at 32 bands), where
``datasketch.MinHashLSH``'s dict-of-sets layout measured about 10 kB per document.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import numpy as np
from fastapi import Depends, FastAPI, Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.rules.similarity import (
    SCHEME,
    ScreeningPolicy,
    SignatureScheme,
    band_keys,
    lsh_bands,
    unpack_signature,
)
from services.projects.screening import repository

LOAD_BATCH = 5000
GAP_TTL_SECONDS = 300.0
GAP_SPAN = 2000  # only missing ids this close below the newest loaded one can still be in flight
MAX_GAPS = 2000


class ScreeningSettings(BaseSettings):
    """PRJ-4's configurable figures: ``KJT_PROJECTS_SCREENING_THRESHOLD`` (default 0.6),
    ``..._WINDOW_YEARS`` (5), ``..._MAX_FLAGS`` (50)."""

    model_config = SettingsConfigDict(env_prefix="KJT_PROJECTS_SCREENING_", extra="ignore", env_file=None)

    threshold: float = Field(default=0.6, gt=0.0, le=1.0)
    window_years: int = Field(default=5, ge=0, le=50)
    max_flags: int = Field(default=50, ge=1, le=1000)

    def policy(self) -> ScreeningPolicy:
        return ScreeningPolicy(threshold=self.threshold, window_years=self.window_years, max_flags=self.max_flags)


class ScreeningIndex:
    """Candidates for near-duplicate screening: documents sharing an LSH band with a signature."""

    def __init__(self, policy: ScreeningPolicy | None = None, scheme: SignatureScheme = SCHEME) -> None:
        self.policy = policy or ScreeningPolicy()
        self.scheme = scheme
        self.bands, self.rows = lsh_bands(self.policy.threshold, scheme.num_perm, self.policy.target_recall)
        self._doc_ids = np.empty(0, dtype=np.int64)  # row -> document id
        self._sorted_keys = np.empty((self.bands, 0), dtype=np.uint64)
        self._sorted_rows = np.empty((self.bands, 0), dtype=np.int32)
        self._tail_keys = np.empty((0, self.bands), dtype=np.uint64)
        self._tail_start = 0  # rows below this are in the sorted arrays
        self._last_id = 0
        self._gaps: dict[int, float] = {}
        self._lock = asyncio.Lock()

    # --- state ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._doc_ids.size)

    @property
    def last_id(self) -> int:
        return self._last_id

    @property
    def nbytes(self) -> int:
        return int(self._doc_ids.nbytes + self._sorted_keys.nbytes + self._sorted_rows.nbytes + self._tail_keys.nbytes)

    # --- loading -------------------------------------------------------------------------------

    async def refresh(self, session: AsyncSession) -> int:
        """Load the rows this process has not seen yet; returns how many were added."""
        async with self._lock:
            now = time.monotonic()
            self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_TTL_SECONDS}
            added = 0
            also = sorted(self._gaps)
            while True:
                rows = await repository.signatures_after(session, self._last_id, LOAD_BATCH, also)
                also = []
                if not rows:
                    break
                fresh: list[tuple[int, bytes]] = []
                for doc_id, scheme, token_count, blob in rows:
                    if doc_id > self._last_id:
                        self._note_gaps(doc_id, now)
                        self._last_id = doc_id
                    else:
                        self._gaps.pop(doc_id, None)
                    if scheme == self.scheme.name and token_count > 0:
                        fresh.append((doc_id, blob))
                # ids that fell far below the newest one are no longer in flight
                floor = self._last_id - GAP_SPAN
                self._gaps = {i: t for i, t in self._gaps.items() if i >= floor}
                self._add(fresh)
                added += len(fresh)
                if len(rows) < LOAD_BATCH:
                    break
            return added

    def _note_gaps(self, doc_id: int, now: float) -> None:
        start = max(self._last_id + 1, doc_id - GAP_SPAN)
        for missing in range(start, doc_id):
            if len(self._gaps) >= MAX_GAPS:
                break
            self._gaps[missing] = now

    def _add(self, rows: list[tuple[int, bytes]]) -> None:
        if not rows:
            return
        values = np.stack([unpack_signature(blob).hashvalues for _, blob in rows])
        keys = band_keys(values, self.bands, self.rows, self.scheme.seed)
        self._doc_ids = np.concatenate([self._doc_ids, np.fromiter((i for i, _ in rows), dtype=np.int64)])
        self._tail_keys = np.concatenate([self._tail_keys, keys])
        if self._tail_keys.shape[0] > max(2048, self._tail_start // 4):
            self._merge_tail()

    def _merge_tail(self) -> None:
        tail_rows = np.arange(self._tail_start, self._doc_ids.size, dtype=np.int32)
        keys = np.concatenate([self._sorted_keys, self._tail_keys.T], axis=1)
        rows = np.concatenate([self._sorted_rows, np.broadcast_to(tail_rows, (self.bands, tail_rows.size))], axis=1)
        order = np.argsort(keys, axis=1, kind="stable")
        self._sorted_keys = np.take_along_axis(keys, order, axis=1)
        self._sorted_rows = np.take_along_axis(rows, order, axis=1)
        self._tail_keys = np.empty((0, self.bands), dtype=np.uint64)
        self._tail_start = int(self._doc_ids.size)

    # --- querying ------------------------------------------------------------------------------

    def candidates(self, hashvalues: np.ndarray) -> list[int]:
        """Ids of the documents that share at least one band with this MinHash signature."""
        query = band_keys(hashvalues, self.bands, self.rows, self.scheme.seed)[0]
        found: list[np.ndarray] = []
        for band in range(self.bands):
            keys = self._sorted_keys[band]
            lo = int(np.searchsorted(keys, query[band], side="left"))
            hi = int(np.searchsorted(keys, query[band], side="right"))
            if hi > lo:
                found.append(self._sorted_rows[band, lo:hi])
        if self._tail_keys.shape[0]:
            hits = np.flatnonzero((self._tail_keys == query).any(axis=1))
            if hits.size:
                found.append((hits + self._tail_start).astype(np.int32))
        if not found:
            return []
        return [int(i) for i in np.unique(self._doc_ids[np.unique(np.concatenate(found))])]


def install(app: FastAPI) -> None:
    """Startup hook (``ServiceSpec.on_startup``): one index per process, empty until first used.
    A test may put its own ``ScreeningPolicy`` in ``app.state.screening_policy`` first."""
    policy = getattr(app.state, "screening_policy", None) or ScreeningSettings().policy()
    app.state.screening_index = ScreeningIndex(policy)


def get_screening_index(request: Request) -> ScreeningIndex:
    index = getattr(request.app.state, "screening_index", None)
    if not isinstance(index, ScreeningIndex):  # an app started without the hook
        index = request.app.state.screening_index = ScreeningIndex()
    return index


ScreeningIndexDep = Annotated[ScreeningIndex, Depends(get_screening_index)]
