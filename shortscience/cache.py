"""The shared cache: Django's RedisCache, degrading to no cache (never to errors) while Redis is unreachable.

Everything that uses the `default` cache (allauth's rate limits, the on-demand import's remembered failures, any
page cache) keeps working without it; it only loses what the cache remembers. While Redis is down each operation
answers as `DummyCache` would, and Redis is not asked again for `RETRY_INTERVAL` seconds, so a dead or unroutable
server costs one short socket timeout per interval and process, not one per call. One warning is logged per
interval while it stays down, and one line when it answers again.

`add()` answers True while Redis is down, as DummyCache does: allauth's rate limiter takes a lock with
`cache.add()` and, when the lock is refused, waits a second and then refuses the login. True keeps logins and
sign-ups working, without rate limits until Redis is back (fail open); False would lock everyone out.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Redis answers a cache look-up in well under a millisecond on the same network: half a second means it is gone.
# One retry on a fresh connection covers a pooled connection that a Redis restart closed.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 1)}


class ResilientRedisCache(RedisCache):
    """`RedisCache` whose operations behave as misses, after a short timeout, when Redis cannot be reached.

    Settings: the usual `LOCATION` and `OPTIONS` (passed to redis-py's connection pool, over `DEFAULT_OPTIONS`),
    and `RETRY_INTERVAL`, the seconds to go without Redis after a failure (default 5).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options = {**DEFAULT_OPTIONS, **self._options}
        self.retry_interval = float(params.get("RETRY_INTERVAL", 5))
        self._down_until = 0.0  # time.monotonic() before which Redis is not asked
        self._down = False

    def _run(self, miss, operation, *args):
        if self._down and time.monotonic() < self._down_until:
            return miss
        try:
            result = operation(*args)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + self.retry_interval
            self._down = True
            logger.warning(
                "Redis cache at %s unreachable (%s: %s): serving without cache for %g s",
                self._servers[0],
                type(exc).__name__,
                exc,
                self.retry_interval,
            )
            return miss
        if self._down:
            self._down = False
            logger.info("Redis cache at %s answers again", self._servers[0])
        return result

    def ping(self):
        """True when Redis answers now (bypassing the interval without Redis), for the health check."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._run(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._run(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._run({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._run(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._run(missing, super().incr, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._run(None, super().delete_many, keys, version)

    def clear(self):
        return self._run(False, super().clear)
