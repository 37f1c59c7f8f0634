"""API keys, roles and rate limits.

Keys travel in the ``X-API-Key`` header as ``ssa_<key id>_<secret>``; the store
keeps only the secret's SHA-256. Roles: ``operator`` sees conjunctions of its own
objects, ``agency`` the alerts routed to its party, ``analyst`` everything
read-only, ``admin`` everything.
"""
from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from ssa.serve.enums import Role

KEY_FORMAT = re.compile(r"ssa_[0-9a-f]{1,16}_[A-Za-z0-9_-]{1,100}")  # what Store.create_key makes
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="ssa_<key id>_<secret> from `ssa keys create`")


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    party: str | None
    objects: frozenset[int]
    tenant: str = ""  # operator: the name its objects are registered under (Store.object_tenants)

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ANALYST, Role.ADMIN)


class RateLimiter:
    """Token bucket per key: ``per_minute`` tokens a minute, bucket of one minute."""

    def __init__(self, per_minute: int):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    PRUNE_AT = 10_000  # keys kept before full buckets (the same as no entry) are dropped

    def retry_after(self, key: str, spend: bool = True) -> int:
        """0 when the request may go ahead (taking a token unless `spend` is false), else whole seconds to wait."""
        now = time.monotonic()
        with self.lock:
            if len(self.buckets) >= self.PRUNE_AT:  # keyed by client address too: do not grow without bound
                self.buckets = {k: (t, at) for k, (t, at) in self.buckets.items()
                                if t + (now - at) * self.rate < self.capacity}
            tokens, last = self.buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self.buckets[key] = (tokens - 1.0 if spend else tokens, now)
                return 0
            self.buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))


class ProblemException(HTTPException):
    """An HTTP error rendered as RFC 9457 problem+json; ``field`` names the culprit."""

    def __init__(self, status: int, title: str, detail: str, field: str | None = None,
                 headers: dict | None = None, extra: dict | None = None):
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.title, self.field, self.extra = title, field, extra or {}


async def principal(request: Request, key: str | None = Security(api_key_header)) -> Principal:
    """The caller, from its API key (401 without a valid one, 429 over its rate or
    when its address has failed too many key attempts). A key seen in the last 10 s
    is answered on the event loop; only a store lookup goes to a worker thread."""
    checked = getattr(request.state, "principal", None)  # BodyGuard checked it before reading the body
    if checked is not None:
        return checked
    state = request.app.state
    cached = state.key_cache.get(key) if key else None
    if cached is not None and cached[1] >= time.monotonic():
        return within_rate(state, cached[0])
    return await run_in_threadpool(authenticate, state, key, request.client.host if request.client else "")


def authenticate(state, key: str | None, client: str) -> Principal:
    """`principal` for the app state `state` and the client address `client` (may query the store)."""
    if not key:
        raise ProblemException(401, "Missing API key", "send an API key in the X-API-Key header", field="X-API-Key",
                               headers={"WWW-Authenticate": "ApiKey"})
    cached = state.key_cache.get(key)
    if cached is None or cached[1] < time.monotonic():
        wait = state.failed_keys.retry_after(client, spend=False)
        if wait:
            raise ProblemException(429, "Too many failed API key attempts",
                                   f"more than {state.settings.failed_keys_per_minute} failed API key attempts a "
                                   f"minute from this address; retry after {wait} s", headers={"Retry-After": str(wait)})
        row = state.store.lookup_key(key) if KEY_FORMAT.fullmatch(key) else None
        if row is None:
            state.failed_keys.retry_after(client)
            raise ProblemException(401, "Invalid API key", "the API key is unknown or revoked", field="X-API-Key",
                                   headers={"WWW-Authenticate": "ApiKey"})
        cached = (Principal(row.key_id, Role(row.role), row.party, frozenset(int(n) for n in row.objects),
                            row.party or row.label or row.key_id), time.monotonic() + 10.0)
        state.key_cache[key] = cached
    return within_rate(state, cached[0])


def within_rate(state, who: Principal) -> Principal:
    """`who`, after taking a token of its rate limit (429 when it has none left)."""
    wait = state.rate_limiter.retry_after(who.key_id)
    if wait:
        raise ProblemException(429, "Too many requests", f"rate limit of {state.settings.rate_limit_per_minute} "
                               f"requests a minute exceeded; retry after {wait} s", headers={"Retry-After": str(wait)})
    return who
