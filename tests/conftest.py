"""Shared fixtures: one headless Chromium (Debian's package, driven by Playwright) for every browser
test, and one built sample site (the repository's cases/ plus synthetic cases) for every test that
only reads a built site."""
from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

from casebook.dev import bench_site

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SYNTH = 80  # synthetic cases added to the real ones in the shared sample site
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


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> dict:
    """The sample site, built once per session: {docs, site, data (data/cases.json), work}.
    Tests must not change it (build into their own tmp_path instead)."""
    work = tmp_path_factory.mktemp("sample-site")
    docs = bench_site.prepare_docs(work / "docs", SAMPLE_SYNTH, real=True, root=ROOT)
    site = work / "site"
    bench_site.build(docs, site, root=ROOT)
    data = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    return {"docs": docs, "site": site, "data": data, "work": work}


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
