"""The shared cache against a real Redis server, started for these tests and stopped in the middle of them."""

import logging
import shutil
import socket
import time

import pytest
from django.core.cache import caches

from shortscience.cache import ResilientRedisCache
from tests.servers import RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def make_cache(url, retry_interval=0.2):
    return ResilientRedisCache(url, {"RETRY_INTERVAL": retry_interval})


def test_cache_stores_and_reads_through_redis(redis_server):
    cache = make_cache(redis_server.url)
    cache.set("greeting", {"hello": "world"}, 30)
    assert make_cache(redis_server.url).get("greeting") == {"hello": "world"}  # another app server sees it
    assert cache.add("greeting", "other") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert cache.ping()


def test_cache_behaves_as_a_miss_while_redis_is_down_and_logs_once(redis_server, caplog):
    cache = make_cache(redis_server.url, retry_interval=60)
    cache.set("kept", "value", 30)
    assert cache.get("kept") == "value"

    redis_server.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="shortscience.cache"):
        assert cache.get("kept") is None
        assert cache.get("kept", "fallback") == "fallback"
        cache.set("other", "value", 30)
        assert cache.add("lock", True) is True  # allauth's rate-limit lock is granted: logins keep working
        assert cache.delete("lock") is False
        assert cache.get_many(["kept", "other"]) == {}
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.has_key("kept") is False
        assert cache.get_or_set("computed", lambda: 42) == 42
        with pytest.raises(ValueError):
            cache.incr("counter")
    assert time.monotonic() - started < 2
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "unreachable" in caplog.records[0].getMessage()
    assert not cache.ping()


def test_cache_comes_back_when_redis_does(redis_server, caplog):
    cache = make_cache(redis_server.url, retry_interval=0.2)
    cache.set("before", "value", 30)
    redis_server.stop()
    assert cache.get("before") is None

    redis_server.start()  # an empty Redis: nothing was saved
    assert cache.get("before") is None  # still within the interval without Redis: not asked
    time.sleep(0.3)
    cache.set("after", "value", 30)
    assert cache.get("after") == "value"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="shortscience.cache"):
        redis_server.stop()
        cache.get("after")
        time.sleep(0.3)
        redis_server.start()
        cache.set("again", "value", 30)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2 and "unreachable" in messages[0] and messages[1].endswith("answers again")
    assert cache.get("again") == "value"


def test_a_stalled_redis_costs_short_timeouts_once_per_interval():
    # A socket that accepts connections (the kernel's backlog) but never answers: a hung server.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(0)
        cache = make_cache(f"redis://127.0.0.1:{stalled.getsockname()[1]}/9", retry_interval=60)
        started = time.monotonic()
        for _ in range(20):
            assert cache.get("anything", "miss") == "miss"
        assert time.monotonic() - started < 3  # one call's half-second timeouts, then no waiting at all


@pytest.mark.django_db
def test_site_pages_work_with_redis_down(client, settings, redis_server):
    settings.CACHES = {"default": {"BACKEND": "shortscience.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    caches["default"].clear()
    assert client.get("/healthz").json()["cache"] == "ok"

    redis_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}
    assert client.get("/").status_code == 200
    login = client.post("/accounts/login/", {"login": "nobody", "password": "wrong-password"})
    assert login.status_code == 200  # the form's error, not a 429 or a 500: the rate limiter runs without cache


@pytest.mark.django_db
def test_cache_is_local_memory_without_redis_url(client):
    assert client.get("/healthz").json()["cache"] == "not configured"
