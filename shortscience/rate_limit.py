"""A fixed-window request counter in the default cache (Redis in production, so shared by every app server).

if not rate_limit_allow(f"preview:{user.pk}", limit=30, seconds=60): ...answer 429...
"""

import time

from django.core.cache import cache


def rate_limit_allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one request under `key`; False once more than `limit` were counted in the current `seconds` window."""
    window = int(time.time() // seconds)
    cache_key = f"rate:{key}:{window}"
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds + 1)
        count = 1
    return count <= limit


def rate_limit_retry_after(seconds: int) -> int:
    """Seconds until the current window of `seconds` ends (what a 429's Retry-After says)."""
    return max(1, seconds - int(time.time()) % seconds)
