"""What bench/load.sh loads: the pages of the issue's table, picked from the database it runs on, and a session
cookie of a reader for the logged-in run. Prints `name<TAB>path` lines, then `cookie<TAB>sessionid=…`.

    DATABASE_URL=postgres://… .venv/bin/python bench/load_targets.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count  # noqa: E402

from papers.models import Paper  # noqa: E402
from summaries.models import Summary  # noqa: E402

PAPER_SUMMARIES = 30  # the "paper page with 30 summaries"


def main() -> None:
    by_paper = (
        Summary.objects.public().values("paper_id").annotate(n=Count("pk")).filter(n__gte=PAPER_SUMMARIES).order_by("n")
    )
    busiest = by_paper.first() or Summary.objects.public().values("paper_id").annotate(n=Count("pk")).order_by("-n")[0]
    paper = Paper.objects.select_related("venue").get(pk=busiest["paper_id"])
    venue_year = (
        Paper.objects.exclude(venue=None).values("venue", "year").annotate(n=Count("pk")).order_by("-n").first()
    )
    venue_paper = Paper.objects.select_related("venue").filter(venue=venue_year["venue"], year=venue_year["year"])[0]
    author = (
        Summary.objects.public()
        .filter(is_anonymous=False)
        .values("author__username")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["author__username"]
    )
    targets = {
        "healthz": "/healthz",
        "home recent": "/",
        "home best": "/?tab=best",
        "home popular": "/?tab=popular",
        f"paper ({busiest['n']} summaries)": paper.get_absolute_url(),
        f"venue year ({venue_year['n']} papers)": venue_paper.venue_url,
        "profile": get_user_model().objects.get(username=author).get_absolute_url(),
        "users": "/users",
        "about": "/about",
    }
    for name, path in targets.items():
        print(f"{name}\t{path}")

    reader, _ = get_user_model().objects.get_or_create(username="load-bench-reader", defaults={"email": ""})
    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    print(f"cookie\t{settings.SESSION_COOKIE_NAME}={session.session_key}")


if __name__ == "__main__":
    main()
