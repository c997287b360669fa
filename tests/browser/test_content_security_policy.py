"""Issue 10 finding 7, in Chromium: every main page keeps to the Content-Security-Policy (the `page` fixture of
tests/browser/conftest.py fails a test on any violation), for guests and for a logged-in moderator; summaries show
images from SUMMARY_IMAGE_HOSTS only; and the policy bites: what an injection would add is blocked and reported."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
# A 2x1 PNG, served by the test for the allowed image host (tests never reach the internet).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGP4z8DAwMDAAAAN/wH/2bq4WQAAAABJRU5ErkJggg=="
)
# Math that KaTeX renders with style attributes of its own (an \fcolorbox's border, \pmb's MathML, the colour of a
# TeX error): static/js/math.js makes them CSSOM styles, which the policy allows.
MATH = (
    r"Residuals $F(x) = H(x) - x$, a box $\fcolorbox{red}{yellow}{x}$, a bold $\pmb{\alpha}$, a typo $\frac{1$"
    "\n\n$$\\sum_{i=1}^{n} x_i^2$$"
)
IMAGES = (
    "The loss curve:\n\nhttps://i.imgur.com/loss.png\n\n"
    "A pixel from elsewhere: ![pixel](https://tracker.example/pixel.gif)"
)


@pytest.fixture
def site(page):
    """A paper with a summary in math and one with images, in a venue, by a writer; the image host answered by
    the test, every request to another host recorded."""
    paper = make_paper(bibtex_key="conf/nips/RenHGS15", title="Deep Residual Learning", year=2015)
    writer = UserFactory(username="writer")
    math = make_summary(paper=paper, author=writer, body=MATH)
    make_summary(paper=paper, body=IMAGES)
    elsewhere = []
    page.context.route("https://i.imgur.com/**", lambda route: route.fulfill(body=PNG, content_type="image/png"))
    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost|i\.imgur\.com)"), _abort_into(elsewhere))
    return {"paper": paper, "writer": writer, "summary": math, "elsewhere": elsewhere}


def _abort_into(requests):
    def handle(route):
        requests.append(route.request.url)
        route.abort()

    return handle


def open_page(page, url):
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    # Every math element typeset (KaTeX runs after the page is parsed), so its styles count too.
    page.wait_for_function(
        "[...document.querySelectorAll('.markup .arithmatex')].every((e) => e.hasAttribute('data-math-typeset'))"
    )
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")  # late violation reports arrive
    assert page.csp_violations == [], (url, page.csp_violations)


def main_pages(site):
    paper, writer = site["paper"], site["writer"]
    return [
        "/",
        "/?tab=best",
        paper.get_absolute_url(),
        f"{paper.get_absolute_url()}&a={writer.username}",
        "/venue",
        "/venue?key=conf/nips&year=2015",
        f"/user?name={writer.username}",
        "/users",
        "/about",
        "/search?q=residual",
    ]


def assert_paper_page_shows_images_and_math(page, site):
    page.goto(site["paper"].get_absolute_url())
    image = page.locator('.markup img[src="https://i.imgur.com/loss.png"]')
    expect(image).to_have_count(1)
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 2", arg=image.element_handle())
    expect(page.get_by_role("link", name="image: tracker.example/pixel.gif")).to_have_attribute(
        "href", "https://tracker.example/pixel.gif"
    )
    assert page.locator('img[src*="tracker.example"]').count() == 0
    expect(page.locator(".markup .katex")).to_have_count(4)
    # KaTeX's own styles hold, set through the CSSOM (static/js/math.js): the box's red border, the error's colour.
    expect(page.locator(".markup .fcolorbox")).to_have_css("border-top-color", "rgb(255, 0, 0)")
    expect(page.locator(".markup .fcolorbox")).to_have_css("background-color", "rgb(255, 255, 0)")
    expect(page.locator(".markup .katex-error")).to_have_css("color", "rgb(204, 0, 0)")


def test_main_pages_keep_to_the_policy_for_guests(page, site):
    accounts = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/confirm-email/"]
    for url in main_pages(site) + accounts:
        open_page(page, url)
    assert_paper_page_shows_images_and_math(page, site)
    assert site["elsewhere"] == []  # no page asked another host for anything (the tracker's pixel above)
    assert page.console_errors == []


def test_main_pages_editor_and_admin_keep_to_the_policy_for_a_logged_in_moderator(page, site):
    moderator = UserFactory(username="moderator", is_staff=True, is_superuser=True)
    own = make_summary(paper=make_paper(title="A paper of the moderator's"), author=moderator, body=MATH)
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("moderator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".site-header").get_by_role("link", name="moderator")).to_be_visible()
    assert page.csp_violations == []

    summary = site["summary"]
    pages = main_pages(site) + [
        "/settings",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/3rdparty/",
        "/settings/delete",
        f"/summary/{own.pk}/revisions",
        f"/report?summary={summary.pk}",
        "/admin/",
        "/admin/summaries/summary/",
        "/admin/summaries/summary/?q=residual",
        f"/admin/summaries/summary/{summary.pk}/change/",
        "/admin/papers/paper/",
        f"/admin/papers/paper/{site['paper'].pk}/change/",
        "/admin/accounts/user/",
    ]
    for url in pages:
        open_page(page, url)
    assert_paper_page_shows_images_and_math(page, site)

    # The editor's live preview: the server's HTML put in place and typeset, the allowed image loaded.
    page.goto(site["paper"].get_absolute_url())
    page.get_by_label("Your summary").fill(MATH + "\n\n" + IMAGES)
    preview = page.locator("#preview")
    expect(preview.locator(".katex-display")).to_have_count(1)
    page.wait_for_function(
        "(root) => [...root.querySelectorAll('img')].some((img) => img.complete && img.naturalWidth === 2)",
        arg=preview.element_handle(),
    )
    expect(preview.get_by_role("link", name="image: tracker.example/pixel.gif")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your summary was saved.")).to_be_visible()

    # Admin actions: the changelist's select-all and action bar (admin/js/actions.js).
    page.goto("/admin/summaries/summary/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("selected")
    assert site["elsewhere"] == []
    assert page.console_errors == []


INJECTIONS = """() => {
    const add = (html) => document.body.insertAdjacentHTML("beforeend", html);
    add('<img src="/static/img/favicon.svg" onload="window.pwned = 1">');
    const script = document.createElement("script");
    script.textContent = "window.pwned = 2";
    document.body.append(script);
    add('<img src="https://tracker.example/pixel.gif">');
    add('<p id="x-style" style="color: rgb(255, 0, 0)">red?</p>');
    add('<a id="x-js" href="javascript:window.pwned = 3">go</a>');
    document.getElementById("x-js").click();
}"""


def test_the_policy_blocks_and_reports_what_an_injection_would_add(page, site):
    page.goto(site["paper"].get_absolute_url())
    page.evaluate(INJECTIONS)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 200))")

    assert page.evaluate("window.pwned") is None  # no inline script, handler or javascript: URL ran
    assert page.evaluate("getComputedStyle(document.getElementById('x-style')).color") != "rgb(255, 0, 0)"
    reported = {v["directive"] for v in page.csp_violations if isinstance(v, dict)}
    assert {"script-src-elem", "script-src-attr", "img-src", "style-src-attr"} <= reported, page.csp_violations
    assert any(isinstance(v, dict) and v["blocked"] == "https://tracker.example/pixel.gif" for v in page.csp_violations)
    assert site["elsewhere"] == []  # the blocked image was never asked for
    page.csp_violations.clear()  # provoked on purpose: the fixture's own check is for the other tests
