"""Search benchmark: what a reader's first search costs, in headless Chromium.

    python scripts/casebook/dev/bench_search.py                 # 1,000 synthetic cases + the samples
    python scripts/casebook/dev/bench_search.py --index-cases 10000   # then an index of 10,000 cases
    python scripts/casebook/dev/bench_search.py --cases 10000   # by hand: the build takes many minutes
    python scripts/casebook/dev/bench_search.py --site DIR --bundle-site DIR   # sites built already

Builds the site (http) and the offline bundle's site (file://) from the same cases in a scratch
folder, then for each query opens the home page in a NEW browser context (empty cache: cold),
types the query as soon as the page has loaded and waits for Material's result list. Printed per
query and protocol: bytes of the search files loaded from opening the page until the results show
(the worker, search_index.json/.js, the manifest, shards, text chunks: file sizes, http.server does
not compress), time from typing to results and from opening the page to results; then the same
query again in the same page after another query (warm: the manifest and shards already loaded).
Index sizes (manifest, shards, text chunks) are printed too.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

if __package__ in (None, ""):  # run as a script: make `casebook` importable from this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

QUERIES = ["党群服务中心", "电白", "三会一课", "10分钟", "黨群服務中心", "软弱涣散整顿", "预备队"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build_sites(work: Path, cases: int, seed: int = 0) -> tuple[Path, Path]:
    """(site for http, bundle site for file://) of the samples plus `cases` synthetic cases."""
    from casebook import bundle
    from casebook.dev import bench_site
    from casebook.paths import Project, find_root

    root = find_root()
    docs = bench_site.prepare_docs(work / "docs", cases, real=True, root=root, seed=seed)
    site = work / "site"
    t0 = time.perf_counter()
    bench_site.build(docs, site, root=root, strict=False)
    print(f"site built in {time.perf_counter() - t0:.1f} s")
    offline = work / "bundle-site"
    t0 = time.perf_counter()
    bundle.build_bundle(Project(root), work / "dist", docs_dir=docs, keep_site=offline)
    print(f"bundle built in {time.perf_counter() - t0:.1f} s")
    return site, offline


def synthetic_index(site: Path, count: int, seed: int = 1) -> None:
    """Replace the site's search index with one of `count` synthetic cases (rendered with
    Python-Markdown, a metadata panel like the plugin's), to measure first-search transfer and
    time at a size whose full site build would take too long here. Result links then point at
    pages that do not exist; what is measured is the index."""
    import html
    import random

    import markdown

    from casebook.dev import synth
    from casebook.site import search

    rng = random.Random(seed)
    md = markdown.Markdown(extensions=["tables"])
    entries = []
    for i in range(count):
        meta, body = synth.make_case(i, rng)
        region = meta.get("region") or {}
        rows = [("地区", " › ".join(region.get(k, "") for k in ("province", "city", "county") if region.get(k))
                 + f" {region.get('code', '')}"), ("领域", meta.get("domain", "")),
                ("主题", "、".join(meta.get("themes") or [])), ("标签", "、".join(meta.get("tags") or [])),
                ("年份", str(meta.get("year") or ""))]
        panel = '<div class="cb-meta"><dl>' + "".join(
            f"<div><dt>{k}</dt><dd>{html.escape(v)}</dd></div>" for k, v in rows) + "</dl></div>"
        content = panel + md.reset().convert(body)
        entries.append(search.document(f"synth/{i}/", str(meta.get("title", "")), content, "case"))
    search.write(site, entries)


def index_sizes(site: Path) -> str:
    folder = site / "search" / "cb"
    parts = {name: sorted(p.stat().st_size for p in (folder / name).glob("*.js")) for name in ("p", "d")}
    manifest = (folder / "manifest.js").stat().st_size
    total = manifest + sum(map(sum, parts.values()))
    p, d = parts["p"], parts["d"]
    return (f"index {total / 1e6:.1f} MB: manifest {manifest / 1e3:.0f} kB, {len(p)} shards "
            f"(median {statistics.median(p) / 1e3:.0f} kB, largest {p[-1] / 1e3:.0f} kB), "
            f"{len(d)} text chunks (median {statistics.median(d) / 1e3:.0f} kB)")


def _local(url: str, root: Path, base: str) -> Path | None:
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    if url.startswith(base):
        rel = unquote(urlsplit(url).path)[len(urlsplit(base).path):]
        return root / (rel or "index.html")
    return None


def _is_search_file(path: Path) -> bool:
    parts = path.as_posix()
    return "/search/" in parts or "/workers/" in parts


def measure(browser, home: str, root: Path, base: str, query: str, again: str) -> dict:
    """Cold first search in a new context, then a warm one (`again`) in the same page."""
    context = browser.new_context()
    loaded: list[Path] = []

    def route(r):
        path = _local(r.request.url, root, base)
        if path is not None and path.is_file() and _is_search_file(path):
            loaded.append(path)
        r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    t_open = time.perf_counter()
    page.goto(home)
    box = page.locator("input.md-search__input")
    box.click()
    t_type = time.perf_counter()
    box.fill(query)
    box.press("End")
    page.wait_for_function("() => /符合条件|没有找到/.test(document.querySelector('.md-search-result__meta')"
                           ".textContent)", timeout=60_000)
    t_done = time.perf_counter()
    first = {"bytes": sum(p.stat().st_size for p in dict.fromkeys(loaded)), "files": len(set(loaded)),
             "typed_to_results": t_done - t_type, "open_to_results": t_done - t_open,
             "results": page.locator(".md-search-result__item").count()}
    before = len(loaded)
    box.fill("")
    box.fill(again)
    t_type = time.perf_counter()
    box.press("End")
    page.wait_for_function(
        "q => { const a = document.querySelector('.md-search-result__item > a');"
        " return /没有找到/.test(document.querySelector('.md-search-result__meta').textContent)"
        " || (a && new URL(a.href).searchParams.get('h') !== q); }", arg=query, timeout=60_000)
    first["warm_typed_to_results"] = time.perf_counter() - t_type
    first["warm_bytes"] = sum(p.stat().st_size for p in dict.fromkeys(loaded[before:]))
    context.close()
    return first


def run(site: Path, offline: Path | None) -> None:
    import shutil as _shutil

    from playwright.sync_api import sync_playwright

    print(index_sizes(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    targets = [("http", base, site, base)]
    if offline is not None:
        targets.append(("file://", (offline / "index.html").as_uri(), offline, "file://"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_shutil.which("chromium"), args=CHROMIUM_ARGS)
            for label, home, root, prefix in targets:
                rows = []
                for i, query in enumerate(QUERIES):
                    again = QUERIES[(i + 1) % len(QUERIES)]
                    r = measure(browser, home, root, prefix, query, again)
                    rows.append(r)
                    print(f"{label:7} {query:8} cold: {r['bytes'] / 1e3:7.0f} kB in {r['files']:3d} files, "
                          f"typed→results {r['typed_to_results']:.2f} s, open→results {r['open_to_results']:.2f} s, "
                          f"{r['results']} shown; warm ({again}): {r['warm_typed_to_results']:.2f} s, "
                          f"+{r['warm_bytes'] / 1e3:.0f} kB")
                print(f"{label:7} cold first search: max {max(r['bytes'] for r in rows) / 1e6:.2f} MB, "
                      f"typed→results median {statistics.median(r['typed_to_results'] for r in rows):.2f} s "
                      f"(max {max(r['typed_to_results'] for r in rows):.2f} s), open→results max "
                      f"{max(r['open_to_results'] for r in rows):.2f} s; warm median "
                      f"{statistics.median(r['warm_typed_to_results'] for r in rows):.2f} s")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000, help="synthetic cases added to the samples (default 1000)")
    ap.add_argument("--site", type=Path, help="a site built already (http)")
    ap.add_argument("--bundle-site", type=Path, help="an unzipped offline bundle built already (file://)")
    ap.add_argument("--keep", type=Path, help="build into this folder and keep it")
    ap.add_argument("--index-cases", type=int, default=0,
                    help="then swap in an index of this many synthetic cases (e.g. 10000) and measure again")
    args = ap.parse_args(argv)
    if args.site:
        run(args.site, args.bundle_site)
        if args.index_cases:  # the given sites' indexes are replaced
            for folder in (f for f in (args.site, args.bundle_site) if f):
                synthetic_index(folder, args.index_cases)
            print(f"\nindex of {args.index_cases} synthetic cases swapped in")
            run(args.site, args.bundle_site)
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="casebook-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        site, offline = build_sites(work, args.cases)
        run(site, offline)
        if args.index_cases:
            t0 = time.perf_counter()
            for folder in (site, offline):
                synthetic_index(folder, args.index_cases)
            print(f"\nindex of {args.index_cases} synthetic cases swapped in ({time.perf_counter() - t0:.0f} s)")
            run(site, offline)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
