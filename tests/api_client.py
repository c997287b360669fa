"""Reading the JSON API in tests as a client would: one page, or every page of a list by following `next`."""

API_BASE = "http://127.0.0.1:8000"  # SITE_URL in tests: the `next` links are absolute


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def walk(client, url, params):
    """Every item of a list, following `next` from the first page; and how many pages it took."""
    items, pages = [], 0
    data = get_json(client, url, params)
    while True:
        items += data["results"]
        pages += 1
        if data["next"] is None:
            return items, pages
        assert data["next"].startswith(API_BASE + "/api/")
        data = get_json(client, data["next"].removeprefix(API_BASE))
