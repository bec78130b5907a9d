"""Benchmark of the offline bundle: build time, zip size per 1,000 cases, and search readiness
from file:// in headless Chromium (time from opening a page until a typed Chinese query shows
results), with and without the prebuilt index.

    python -m casebook.dev.bench_bundle --cases 1000 [--pages 4] [--compare]

Cases are synthetic (casebook.dev.synth) in a temporary docs folder next to the project's own
non-case pages; nothing is written into the project.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from ..paths import Project

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def make_docs(project: Project, target: Path, count: int, seed: int = 0) -> Path:
    """A docs folder: the project's non-case pages plus `count` synthetic cases."""
    from ..bundle import Selection, load_raw_config, plan_docs
    from . import synth

    raw = load_raw_config(project.mkdocs_yml)
    source = project.root / (raw.get("docs_dir") or "docs")
    plan = plan_docs(source, Selection())
    for path, rel in plan.pages:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    synth.generate(count, target / "synth", seed=seed)
    return target


def unzip(zip_path: Path, target: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(target)
        root = zf.namelist()[0].split("/", 1)[0]
    return target / root


def launch(playwright):
    return playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)


def search_ready(page, url: str, query: str, timeout: float = 60.0) -> tuple[float, int]:
    """Seconds from navigation start until a query entered right away shows results; (seconds, results)."""
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    box = page.locator(".md-search__input")
    box.click()
    # the query arrives at once (as an IME commits it); Playwright fills Chinese text without key
    # events, so one keyup follows, which is what Material listens to
    box.fill(query)
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=timeout * 1000)
    seconds = time.perf_counter() - started
    return seconds, page.locator(".md-search-result__item").count()


def sample_pages(site: Path, n: int) -> list[Path]:
    """The home page, a browse page and some case pages spread over the bundle."""
    pages = [site / "index.html"]
    for browse in ("themes/index.html", "regions/index.html"):
        if (site / browse).is_file():
            pages.append(site / browse)
            break
    cases = sorted((site / "synth").rglob("*.html")) if (site / "synth").is_dir() else []
    step = max(1, len(cases) // max(1, n - len(pages)))
    pages += cases[::step][: max(0, n - len(pages))]
    return pages


def measure(site: Path, pages: list[Path], query: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    figures = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for page_path in pages:
                for _ in range(rounds):
                    page = browser.new_page()
                    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                               else r.abort())
                    seconds, _count = search_ready(page, page_path.as_uri(), query)
                    figures.append(seconds)
                    page.close()
        finally:
            browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--pages", type=int, default=4, help="pages to open (home, a browse page, case pages)")
    ap.add_argument("--rounds", type=int, default=2, help="openings per page")
    ap.add_argument("--query", default="党群服务中心")
    args = ap.parse_args(argv)

    from ..bundle import build_bundle

    project = Project.here()
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        tmp = Path(tmp)
        docs = make_docs(project, tmp / "docs", args.cases)
        started = time.perf_counter()
        result = build_bundle(project, tmp / "out", docs_dir=docs)
        build_s = time.perf_counter() - started
        site = unzip(result.zip_path, tmp / "unzipped")
        per_1000 = result.size / 1e6 * 1000 / result.cases
        s = result.search
        print(f"bundle: {result.cases} cases, zip {result.size / 1e6:.1f} MB ({per_1000:.1f} MB per 1,000 cases), "
              f"built in {build_s:.1f} s (search index {s.get('bytes', 0) / 1e6:.1f} MB in {s.get('files', 0)} files)")
        pages = sample_pages(site, args.pages)
        figures = measure(site, pages, args.query, args.rounds)
        print(f"search ready, {len(figures)} page openings: median {statistics.median(figures):.2f} s,"
              f" max {max(figures):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
