"""The offline bundle of the real cases, unzipped into a temporary folder and opened from file://
in headless Chromium (Debian's `chromium`, driven by Playwright) with every request that is not
file:// blocked and logged: no request leaves file://, no console error, Chinese search finds the
expected case (exact substrings, Traditional input), links between
cases resolve, browse pages open, print CSS hides the navigation."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from casebook import bundle
from casebook.paths import Project
from casebook.site.records import split_front_matter
from conftest import guarded_page

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["党群服务中心", "软弱涣散", "三会一课", "干部推荐", "电白"]

pytestmark = pytest.mark.slow


def case_titles() -> dict[str, str]:
    """{html path in the bundle: title} of the real cases."""
    out = {}
    for path in sorted((ROOT / "cases").rglob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        if isinstance(meta.get("region"), dict) and isinstance(meta.get("source"), dict):
            out[path.relative_to(ROOT / "cases").as_posix()[:-3] + ".html"] = str(meta.get("title"))
    return out


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    work = tmp_path_factory.mktemp("bundle")
    result = bundle.build_bundle(Project(ROOT), work / "dist")
    with zipfile.ZipFile(result.zip_path) as zf:
        zf.extractall(work / "unzipped")
        root = zf.namelist()[0].split("/", 1)[0]
    return {"site": work / "unzipped" / root, "result": result, "work": work}


@pytest.fixture
def page(browser):
    """A page that blocks and records every request not on file://, and records console errors."""
    with guarded_page(browser, lambda url: url.startswith("file://")) as pg:
        yield pg


def search(pg, query: str) -> list[tuple[str, str]]:
    """Type a query into Material's search box; (case path, result HTML) of every result shown."""
    box = pg.locator(".md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(query)
    box.press("End")  # Playwright types Chinese without key events; an IME commit ends with a keyup
    pg.wait_for_function(
        "() => /符合条件|没有找到/.test(document.querySelector('.md-search-result__meta').textContent)",
        timeout=30_000)
    items = pg.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link",
        "els => els.map(a => [a.href, a.querySelector('article').outerHTML])")  # with data-md-score
    return items


def local_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def test_home_page_states_build_and_count_and_stays_offline(bundled, page):
    site = bundled["site"]
    page.goto((site / "index.html").as_uri())
    count = len(case_titles())
    stamp = page.locator(".admonition.info").first.inner_text()
    assert re.search(r"生成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", stamp)
    assert f"收录 {count} 个案例" in stamp and "全部案例" in stamp
    # the page really uses the local shim, not the CDN one Material's offline plugin would add
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(s => s.src)")
    assert any(s.endswith("assets/javascripts/iframe-worker.js") for s in scripts)
    assert all(s.startswith("file://") for s in scripts)


def test_chinese_search_finds_the_expected_case_and_opens_it(bundled, page):
    site = bundled["site"]
    expected = {p for p, title in case_titles().items() if "党群服务中心" in title}
    if not expected:  # titles are cut from the source; fall back to the case bodies
        expected = {p for p in case_titles() if "党群服务中心" in (ROOT / "cases" / p).with_suffix(".md").read_text(
            encoding="utf-8").split("---", 2)[-1]}
    assert expected, "no real case mentions 党群服务中心"
    page.goto((site / "themes" / "index.html").as_uri())  # any page, not only the home page
    items = search(page, "党群服务中心")
    found = [local_path(href).relative_to(site).as_posix().split("#")[0] for href, _ in items]
    assert set(found[:3]) & expected, found
    assert "<mark>党群服务中心</mark>" in "".join(html for _, html in items)
    target = next(i for i, f in enumerate(found) if f in expected)
    page.locator(".md-search-result__item > .md-search-result__link").nth(target).click()
    page.wait_for_load_state()
    assert local_path(page.url).relative_to(site).as_posix() in expected
    assert page.locator("article h1").first.inner_text().strip() == case_titles()[local_path(page.url).relative_to(
        site).as_posix()].strip()


def test_search_from_file_finds_exact_substrings_and_traditional_input(bundled, page):
    site = bundled["site"]
    page.goto((site / "index.html").as_uri())
    titles = case_titles()
    texts = {p: (site / p).read_text(encoding="utf-8") for p in titles}
    for query, folded in (("电白", "电白"), ("預備隊", "预备队"), ("10分钟", "10分钟"), ("黨群服務中心", "党群服务中心")):
        search(page, query)
        page.wait_for_function(  # this query's results, not the last one's (links carry ?h=query)
            "q => { const a = document.querySelector('.md-search-result__item > a');"
            " return a && new URL(a.href).searchParams.get('h') === q; }", arg=folded, timeout=15_000)
        found = [local_path(h).relative_to(site).as_posix().split("?")[0] for h in page.eval_on_selector_all(
            ".md-search-result__item > .md-search-result__link", "els => els.map(a => a.href)")]
        cases = [f for f in found if f in titles]
        expected = {p for p, t in texts.items() if folded in t.split('<section class="cb-related"')[0]}
        assert expected and set(cases[:10]) <= {p for p, t in texts.items() if folded in t}, query
        assert len(set(cases) & expected) >= min(10, len(expected)), query


def test_links_between_cases_resolve(bundled, page):
    site = bundled["site"]
    titles = case_titles()
    pages_with_related = [p for p in titles if 'class="cb-related"' in (site / p).read_text(encoding="utf-8")]
    assert pages_with_related
    start = pages_with_related[0]
    page.goto((site / start).as_uri())
    hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(a => a.href)")
    local = [h for h in hrefs if h.startswith("file://")]
    assert local
    for href in local:
        assert local_path(href).is_file(), href
    link = page.locator(".cb-related a").first
    name = link.inner_text()
    link.click()
    page.wait_for_load_state()
    landed = local_path(page.url).relative_to(site).as_posix()
    assert landed in titles and landed != start
    assert page.locator("article h1").first.inner_text().strip() == name.strip()


def test_browse_pages_open_and_lead_to_cases(bundled, page):
    site = bundled["site"]
    for rel in ("regions/index.html", "themes/index.html", "domains/index.html", "years/index.html",
                "tags/index.html", "filter.html", "print/index.html"):
        assert (site / rel).is_file(), rel
        page.goto((site / rel).as_uri())
        assert page.locator("article h1").count() == 1, rel
    # region tree: province -> a case
    page.goto((site / "regions" / "index.html").as_uri())
    page.locator("article a[href$='/index.html']").first.click()
    page.wait_for_load_state()
    assert local_path(page.url).parent.parent == site / "regions"
    titles = case_titles()
    # HTML links only: a map's SVG <a> has no string href
    hrefs = page.eval_on_selector_all(
        "article a[href]", "els => els.filter(a => !(a instanceof SVGElement)).map(a => [a.getAttribute('href'), a.href])")
    to_case = [raw for raw, full in hrefs
               if full.startswith("file://") and local_path(full).relative_to(site).as_posix() in titles]
    assert to_case, hrefs
    page.locator(f"article a[href='{to_case[0]}']").first.click()
    page.wait_for_load_state()
    assert local_path(page.url).relative_to(site).as_posix() in titles


def test_print_css_hides_navigation_and_keeps_the_metadata(bundled, page):
    site = bundled["site"]
    case = next(iter(case_titles()))
    page.goto((site / case).as_uri())
    page.emulate_media(media="screen")
    assert page.locator(".md-header").is_visible()
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-search", ".md-footer"):
        if page.locator(selector).count():
            assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".cb-meta").first.is_visible()
    # the combined page: every case starts a new sheet
    page.goto((site / "print" / "index.html").as_uri())
    page.locator("article a[href*='regions/']").first.click()
    page.wait_for_load_state()
    page.emulate_media(media="print")
    sections = page.locator(".cb-print-case")
    assert sections.count() >= 1
    assert sections.first.evaluate("el => getComputedStyle(el).breakBefore") == "page"
    assert sections.first.locator(".cb-meta").is_visible()


def test_bundle_of_the_samples_is_small(bundled):
    result = bundled["result"]
    assert result.cases == len(case_titles())
    assert result.size < 5_000_000, result.size
    assert result.search.get("prebuilt") is True


def test_filter_page_narrows_cases_offline(bundled, page):
    site = bundled["site"]
    by_province: dict[str, list[str]] = {}
    for path in sorted((ROOT / "cases").rglob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        if isinstance(meta.get("region"), dict) and isinstance(meta.get("source"), dict):
            html = path.relative_to(ROOT / "cases").as_posix()[:-3] + ".html"
            by_province.setdefault(meta["region"]["province"], []).append(html)
    province, members = min(by_province.items(), key=lambda kv: len(kv[1]))
    page.goto((site / "filter.html").as_uri())
    page.wait_for_selector(".cb-filter__count")
    assert f"共 {len(case_titles())} 个案例" in page.locator(".cb-filter__count").inner_text()
    page.select_option("select[name=province]", province)
    assert f"共 {len(members)} 个案例" in page.locator(".cb-filter__count").inner_text()
    page.locator(".cb-filter__results a").first.click()
    page.wait_for_load_state()
    assert local_path(page.url).relative_to(site).as_posix() in members
