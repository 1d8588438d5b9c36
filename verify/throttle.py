"""A per-address limit on verifications, kept in the cache.

Each verification can make the server fetch up to 25 documents from other sites, so anonymous
visitors get a budget per window. With the default local-memory cache the count is per process;
a shared cache (CACHES) makes it per site.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def _limit() -> tuple[int, int]:
    return getattr(settings, "VERIFY_THROTTLE", (30, 600))


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def allow(request, scope: str = "verify") -> bool:
    """Count one use for the visitor's address; False once the window's budget is spent."""
    count, window = _limit()
    bucket = int(time.time() // window)
    key = f"throttle:{scope}:{client_address(request)}:{bucket}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        used = 1
    return used <= count
