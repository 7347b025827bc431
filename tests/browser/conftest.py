"""Real headless Chromium (Debian's), driven by Playwright; skipped with the reason when absent."""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The network here is closed: without these flags Chromium keeps trying to reach Google.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_instance():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, playwright_instance):
    """A new phone-sized browser context (its own cookies and localStorage) per call."""
    contexts = []

    def open_phone(locale: str = "de-DE", **options):
        context = browser.new_context(**playwright_instance.devices["Pixel 5"], locale=locale,
                                      **options)
        contexts.append(context)
        return context.new_page()
    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(browser):
    contexts = []

    def open_desktop(width: int = 1440, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()
    yield open_desktop
    for context in contexts:
        context.close()
