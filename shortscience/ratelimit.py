"""Per-client rate limits kept in the `default` cache (Redis with REDIS_URL: shared by every app server).

A client is its IP address, an IPv6 address counted by its /64 (one home or server gets a whole /64). Behind
proxies, settings.TRUSTED_PROXY_COUNT says how many of them append to X-Forwarded-For, as allauth reads it.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address as rate limits count it."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if settings.TRUSTED_PROXY_COUNT and len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
        address = forwarded[-settings.TRUSTED_PROXY_COUNT]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/600" -> (20, 600): so many events per so many seconds."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 1)


def rate_limit_hit(bucket: str, client: str, *, rate: str) -> int:
    """Count one event of `client` in `bucket`; 0 when it is within `rate` ("COUNT/SECONDS", fixed windows), else
    the seconds until the client may try again (the event is counted all the same). Without a cache (Redis down)
    nothing is limited."""
    limit, window = parse_rate(rate)
    now = time.time()
    start = int(now // window) * window
    key = f"ratelimit:{bucket}:{client}:{start}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is unreachable
        count = 1
    return 0 if count <= limit else max(1, int(start + window - now))
