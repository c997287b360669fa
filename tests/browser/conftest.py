"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Every page of every browser test keeps to the Content-Security-Policy (issue 10 finding 7): the `page` fixture
collects each `securitypolicyviolation` event and each console message about the policy, and a test that saw
any fails at its end. A test that provokes violations on purpose empties `page.csp_violations` itself.
"""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """Guests' pages come from the page cache, as on the site (the live server's writes commit)."""
    settings.PAGE_CACHE_SECONDS = 600


# Runs in every document before its own scripts (Playwright injects it, so the policy does not apply to it).
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolation({
        page: document.location.href, directive: event.effectiveDirective, blocked: event.blockedURI,
        source: event.sourceFile, line: event.lineNumber, sample: event.sample, disposition: event.disposition,
    });
});"""


def is_policy_message(message) -> bool:
    return "Content Security Policy" in message.text or "Content-Security-Policy" in message.text


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    violations = []
    context.expose_function("__cspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("console", lambda message: is_policy_message(message) and violations.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.csp_violations = violations
    yield page
    if not page.is_closed():
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")  # events still on their way
    context.close()
    assert violations == [], "the page broke its Content-Security-Policy"
