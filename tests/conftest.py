"""Shared fixtures: one headless Chromium (Debian's package, driven by Playwright) for every browser test."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags Chromium tries to reach Google's hosts at start-up.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def guarded_page(browser, allowed: Callable[[str], bool], **context_options) -> Iterator:
    """A page that aborts and records every request `allowed` refuses, and records console errors;
    both lists must be empty when the block ends. They are also on the page as .outside / .errors."""
    context = browser.new_context(**context_options)
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if allowed(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    pg.outside, pg.errors = outside, errors
    try:
        yield pg
    finally:
        context.close()
    assert outside == [], f"requests that were not allowed: {outside}"
    assert errors == [], f"console errors: {errors}"
