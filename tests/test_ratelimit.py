"""Per-client rate limits (shortscience.ratelimit): who a client is, and counting in the cache."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from shortscience.ratelimit import client_address, parse_rate, rate_limit_hit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "remote, forwarded, proxies, client",
    [
        ("203.0.113.9", "", 0, "203.0.113.9"),
        ("10.0.0.2", "198.51.100.1, 203.0.113.9", 0, "10.0.0.2"),  # X-Forwarded-For is not trusted by default
        ("10.0.0.2", "198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),  # one proxy: the address it saw
        ("10.0.0.2", "198.51.100.1, 203.0.113.9", 2, "198.51.100.1"),
        ("10.0.0.2", "", 1, "10.0.0.2"),  # a request that did not come through the proxy
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),  # IPv6: a whole /64 is one client
        ("::ffff:203.0.113.9", "", 0, "203.0.113.9"),
    ],
)
def test_client_address(settings, remote, forwarded, proxies, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_address(request) == client


def test_rate_limit_counts_per_bucket_and_client():
    assert parse_rate("2/600") == (2, 600)
    assert [rate_limit_hit("b", "one", rate="2/600") for _ in range(2)] == [0, 0]
    retry_after = rate_limit_hit("b", "one", rate="2/600")
    assert 0 < retry_after <= 600
    assert rate_limit_hit("b", "two", rate="2/600") == 0
    assert rate_limit_hit("other", "one", rate="2/600") == 0


def test_rate_limit_is_open_without_a_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [rate_limit_hit("b", "one", rate="1/60") for _ in range(3)] == [0, 0, 0]
