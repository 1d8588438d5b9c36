"""Flood limits for claim requests, counted in Django's cache over a fixed window.

Two counters: one per client IP address (a script hammering the form) and one per email address
(someone making the site mail a stranger again and again). The limits are settings so that an
event with many people behind one network can raise them. With several web nodes, use a shared
cache (CACHES) so the counters are shared too; the default local-memory cache counts per process.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW = 3600


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _hit(key: str, limit: int) -> bool:
    """Count one attempt; False when the limit of the window was already reached."""
    cache.add(key, 0, timeout=WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW)
        count = 1
    return count <= limit


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def allow_ip(ip: str) -> bool:
    return _hit(f"claims:ip:{_digest(ip or 'unknown')}", _limit("CLAIM_LIMIT_PER_IP", 20))


def allow_address(email: str) -> bool:
    return _hit(f"claims:address:{_digest(email)}", _limit("CLAIM_LIMIT_PER_ADDRESS", 3))
