"""A banned user's open session, in Chromium: they are logged in and reading; a moderator bans them from another
process (`manage.py shell`, as the admin's action or any other server would); their next click is refused with a
clear "This account is suspended" page, and they are a guest from then on."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from accounts.models import User
from summaries.models import Summary
from tests import workers
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-123"
BAN = (
    "from accounts.models import User; from summaries import services; "
    "services.user_banned_set(users=User.objects.filter(username='spammer'), is_banned=True)"
)


def test_a_banned_users_open_session_is_refused_on_the_next_click_with_a_clear_message(page, tmp_path):
    paper = make_paper(bibtex_key="conf/nips/Ban15", title="A paper worth reading")
    make_summary(paper=paper, author=UserFactory(username="writer"), body="A good summary.")
    spammer = UserFactory(username="spammer", password=PASSWORD)
    make_summary(paper=make_paper(), author=spammer, body="Buy cheap pills.")

    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("spammer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".nav-user")).to_have_text("spammer")
    page.goto(paper.get_absolute_url())
    expect(page.get_by_text("A good summary.")).to_be_visible()

    # Another process bans them while their page is open.
    env = workers.subprocess_env()
    ban = subprocess.run(
        [sys.executable, str(workers.BASE_DIR / "manage.py"), "shell", "-c", BAN],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ban.returncode == 0, ban.stderr
    assert User.objects.get(username="spammer").is_banned

    # Their next click: the suspended page, in the site's layout, and logged out.
    page.get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("heading", name="This account is suspended.")).to_be_visible()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()
    expect(page.locator(".nav-user")).to_have_count(0)

    # From then on a guest: the site works, their summary is gone, and they cannot write.
    page.goto(paper.get_absolute_url())
    expect(page.get_by_text("A good summary.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_text("Buy cheap pills.")).to_have_count(0)
    assert not Summary.objects.filter(author__username="spammer", is_listed=True).exists()
    # Chromium logs the suspended page's 403 status; nothing else went wrong.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
