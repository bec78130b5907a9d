"""The built site in headless Chromium (Debian's `chromium`, driven by Playwright), served on
127.0.0.1: Chinese search, region tree, map, filter page, related cases; no console errors and no
request to any other host."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import guarded_page

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(sample_site):
    out = sample_site["site"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_address[1]}/", "dir": out, "data": sample_site["data"]}
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser, site):
    """A page that records console errors and blocks (and records) any request off 127.0.0.1."""
    def allowed(url: str) -> bool:
        return url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1"

    with guarded_page(browser, allowed) as pg:
        yield pg


def search(pg, base: str, query: str) -> list[str]:
    """Type a query into Material's search box and return the result links, best first.
    Waits for the search worker to be ready first."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    pg.goto(base)
    box = "input.md-search__input"
    pg.click(box)
    # Material shows 正在初始化搜索引擎 until its worker has built the index, then 键入以开始搜索
    pg.wait_for_function("(document.querySelector('.md-search-result__meta') || {}).textContent"
                         " === '键入以开始搜索'", timeout=30_000)
    for attempt in range(3):
        pg.fill(box, query)
        pg.press(box, "End")  # Material reads the query on keyup, which fill() does not send
        try:
            pg.wait_for_selector(".md-search-result__item", timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    return [a.get_attribute("href") for a in pg.query_selector_all(".md-search-result__item > a")]


def h1(pg) -> str:
    return pg.locator("h1").first.inner_text().rstrip("¶").strip()


def case_record(site, url: str) -> dict | None:
    path = urlsplit(url).path.lstrip("/").split("#")[0]
    return next((r for r in site["data"]["cases"] if r["url"] == path), None)


def test_chinese_search_finds_place_and_term(page, site):
    # a county with few cases: the first hit is one of its cases
    counties: dict[str, int] = {}
    for r in site["data"]["cases"]:
        counties[r["county"]] = counties.get(r["county"], 0) + 1
    county = min((c for c in counties if c), key=lambda c: (counties[c], c))
    hits = search(page, site["base"], county)
    record = case_record(site, hits[0])
    assert record and record["county"] == county
    # jargon: every page among the top hits really contains the term
    for term in ("党群服务中心", "三会一课"):
        hits = search(page, site["base"], term)
        assert hits
        for href in hits[:3]:
            rec = case_record(site, href)
            assert rec, href
            html = (site["dir"] / rec["url"] / "index.html").read_text(encoding="utf-8")
            assert term in html.replace("<abbr", "").replace("\u200b", ""), (term, href)


def test_real_cases_are_found_by_search(page, site):
    real = [r for r in site["data"]["cases"] if not r["url"].startswith("synth/")]
    assert real, "the sample site has no case from cases/"
    target = next((r for r in real if "干部推荐" in r["title"]), real[0])
    query = "干部推荐" if "干部推荐" in target["title"] else target["title"][:8]
    hits = search(page, site["base"], query)
    assert any(case_record(site, h) == target for h in hits[:5]), (query, hits[:5])


def test_region_tree_and_map(page, site):
    page.goto(site["base"] + "regions/")
    first = page.locator(".md-content ul > li > a").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert h1(page) == name
    count = sum(1 for r in site["data"]["cases"] if r["province"] == name)
    assert f"共 {count} 个案例" in page.inner_text(".md-content")
    # the map on the home page: the province's area links to the same page
    page.goto(site["base"])
    area = page.locator("svg.cb-map a").first
    assert "个案例" in area.locator("title").text_content()
    area.click()
    page.wait_for_load_state()
    assert "/regions/" in page.url


def test_filter_page_narrows_and_links(page, site):
    page.goto(site["base"] + "filter/")
    total = site["data"]["count"]
    page.wait_for_selector(".cb-filter__count")
    assert f"共 {total} 个案例" in page.inner_text(".cb-filter__count")
    rec = site["data"]["cases"][0]
    page.select_option("select[name=province]", rec["province"])
    page.select_option("select[name=domain]", rec["domain"])
    expected = [r for r in site["data"]["cases"] if r["province"] == rec["province"] and r["domain"] == rec["domain"]]
    assert f"共 {len(expected)} 个案例" in page.inner_text(".cb-filter__count")
    titles = page.locator(".cb-filter__results li > a").all_inner_texts()
    assert sorted(titles) == sorted(r["title"] for r in expected)
    page.select_option("select[name=year]", str(rec["year"]))
    titles = page.locator(".cb-filter__results li > a").all_inner_texts()
    assert rec["title"] in titles and all(
        r["year"] == rec["year"] for r in site["data"]["cases"] if r["title"] in titles)
    page.locator(".cb-filter__results li > a", has_text=rec["title"]).first.click()
    page.wait_for_load_state()
    assert h1(page) == rec["title"]


def test_case_page_shows_related_cases(page, site):
    rec = site["data"]["cases"][1]
    page.goto(site["base"] + rec["url"])
    items = page.locator(".cb-related li")
    assert 1 <= items.count() <= 5
    assert "同" in items.first.locator(".cb-related__why").inner_text() or \
        "内容相近" in items.first.locator(".cb-related__why").inner_text()
    assert rec["county"] in page.inner_text(".cb-meta")
    title = items.first.locator("a").inner_text()
    items.first.locator("a").click()
    page.wait_for_load_state()
    assert h1(page) == title
