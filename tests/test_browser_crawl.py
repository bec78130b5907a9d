"""Issue 18 in headless Chromium: crawl the whole site built from the sample cases (cases/, as
converted from raw/) the way a reader would. No page shows an English UI string, no link is
broken (pages, assets, #anchors), every tag on a case page leads to a page listing that case,
and the pages added for readers are there (citation, region overview, feed, 404 page)."""
from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from casebook.dev import bench_site
from conftest import guarded_page

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

# English a Chinese reader must not meet: Material's and MkDocs' own UI words (theme strings,
# tooltips, the generator line, the 404 page). Matched as whole words, case-sensitive.
ENGLISH_UI = [
    "Made with", "Material for MkDocs", "MkDocs", "Not found", "Page not found", "Permanent link",
    "Skip to content", "Back to top", "Table of contents", "Search", "Type to start searching",
    "Initializing search", "No matching documents", "Clear", "Share", "Copy to clipboard", "Copied",
    "Previous", "Next", "Edit this page", "View source", "Last update", "Created", "Tags",
    "Navigation", "Footer", "Header", "Light mode", "Dark mode", "Home", "Index", "Welcome",
]
_ENGLISH = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, ENGLISH_UI)) + r")(?![A-Za-z])")

# everything a reader sees: the visible text and the words the UI shows on hover or reads aloud
_READER_TEXT = """() => {
  const out = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title],[aria-label],[placeholder],[alt]"))
    for (const a of ["title", "aria-label", "placeholder", "alt"]) if (el.hasAttribute(a)) out.push(el.getAttribute(a));
  return out.join("\\n");
}"""
_LINKS = """() => [...document.querySelectorAll("a[href],link[href],script[src],img[src]")]
  .map(e => e.getAttribute("href") || e.getAttribute("src")).filter(Boolean)
  .map(v => new URL(v, document.baseURI).href)"""


class _Server(http.server.SimpleHTTPRequestHandler):
    """A static server that answers a missing page with the site's 404.html, as hosts do."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("crawl")
    docs = bench_site.prepare_docs(work / "docs", 0, real=True, root=ROOT)
    out = work / "site"
    bench_site.build(docs, out, root=ROOT)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Server, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"base": f"http://127.0.0.1:{server.server_address[1]}/", "dir": out}
    server.shutdown()
    server.server_close()


def _local(url: str, base: str) -> bool:
    return url.startswith(base)


def _status(url: str) -> int:
    try:
        with urlopen(url) as r:
            return r.status
    except HTTPError as err:
        return err.code


@pytest.fixture(scope="module")
def crawl(browser, site):
    """Visit every page reachable from the home page: {url: {text, links, ids, tags, title}}."""
    base = site["base"]
    pages: dict[str, dict] = {}
    with guarded_page(browser, lambda u: u.startswith(("data:", "blob:")) or _local(u, base)) as pg:
        todo = [base]
        while todo:
            url = todo.pop()
            if url in pages:
                continue
            resp = pg.goto(url)
            assert resp is not None and resp.status == 200, url
            info = {
                "text": pg.evaluate(_READER_TEXT),
                "links": pg.evaluate(_LINKS),
                "ids": set(pg.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")),
                "h1": pg.evaluate("() => (document.querySelector('article h1') || {}).textContent || ''"),
                "case": pg.evaluate("() => !!document.querySelector('.cb-meta')"),
                "tags": pg.evaluate("() => [...document.querySelectorAll('.cb-meta__tags a')].map(a => [a.textContent, a.href])"),
                "material_tags": pg.evaluate("() => document.querySelectorAll('.md-tags .md-tag').length"),
                "cite": pg.evaluate("() => (document.querySelector('.cb-cite') || {}).innerText || ''"),
            }
            pages[url] = info
            for link in info["links"]:
                target, _ = urldefrag(link)
                path = urlsplit(target).path
                if _local(target, base) and (path.endswith("/") or path.endswith(".html")) and target not in pages:
                    todo.append(target)
        yield {"pages": pages, "base": base, "page": pg}


def test_the_crawl_reaches_every_page_of_the_site(site, crawl):
    built = {p.relative_to(site["dir"]).as_posix() for p in site["dir"].rglob("*.html")} - {"404.html"}
    seen = {urlsplit(u).path.lstrip("/") for u in crawl["pages"]}
    seen = {s + "index.html" if s.endswith("/") or not s else s for s in seen}
    assert built - seen == set()


def test_no_page_shows_english_ui(crawl):
    found = {url: sorted(set(_ENGLISH.findall(info["text"]))) for url, info in crawl["pages"].items()}
    found = {u: f for u, f in found.items() if f}
    assert found == {}


def test_no_broken_link_or_anchor(crawl):
    pages, base = crawl["pages"], crawl["base"]
    broken, checked = [], {}
    for url, info in pages.items():
        for link in info["links"]:
            target, frag = urldefrag(link)
            if not _local(target, base):
                continue
            if target in pages:
                if frag and unquote(frag) not in pages[target]["ids"]:
                    broken.append(f"{url} -> {link} (no such anchor)")
                continue
            if target not in checked:
                checked[target] = _status(target)
            if checked[target] != 200:
                broken.append(f"{url} -> {link} ({checked[target]})")
    assert broken == []


def test_every_tag_on_a_case_page_links_to_a_page_listing_the_case(crawl):
    pages = crawl["pages"]
    cases = {u: i for u, i in pages.items() if i["case"]}
    assert len(cases) > 20
    for url, info in cases.items():
        names = [t for t, _ in info["tags"]]
        assert names and len(names) == len(set(names)) <= 8, url
        assert info["material_tags"] == 0, url            # the tags are shown once, in the panel
        for name, href in info["tags"]:
            listing = pages[urldefrag(href)[0]]
            assert listing["h1"].rstrip("¶") == f"标签：{name}", href
            assert url in listing["links"], (url, href)


def test_every_case_page_says_how_to_cite_it(crawl):
    for url, info in crawl["pages"].items():
        if info["case"]:
            cite = info["cite"]
            assert cite.startswith("如何引用本案例"), url
            assert url in cite, url                       # the casebook's own permalink, in full


def test_region_pages_have_an_overview(crawl):
    regions = [i for u, i in crawl["pages"].items() if "/regions/" in u and not u.endswith("/regions/")]
    assert regions
    for info in regions:
        assert "按主题" in info["text"] and "按领域" in info["text"] and "最新案例" in info["text"]


def test_feed_is_linked_and_lists_the_newest_cases(crawl):
    import xml.etree.ElementTree as ET

    base = crawl["base"]
    home = crawl["pages"][base]
    assert base + "feed.xml" in home["links"]                 # the home page and the footer link it
    with urlopen(base + "feed.xml") as r:
        feed = ET.fromstring(r.read())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert entries
    for e in entries:
        link = urljoin(base + "feed.xml", e.find("a:link", ns).get("href"))
        assert link in crawl["pages"] and crawl["pages"][link]["case"]


def test_missing_page_answers_in_chinese(browser, site):
    pg = browser.new_page()     # not a guarded page: the 404 status is logged as a console error
    resp = pg.goto(site["base"] + "no/such/page/")
    assert resp.status == 404
    text = pg.evaluate(_READER_TEXT)
    assert "页面不存在" in text and not _ENGLISH.search(text)
    home = pg.locator("article a", has_text="返回首页")
    home.click()
    assert pg.url == site["base"] and "基层党建案例库" in pg.title() + pg.inner_text("article h1")
    pg.close()


def test_filter_and_year_pages_offer_the_unknown_year(crawl, site):
    import json

    data = json.loads((site["dir"] / "data" / "cases.json").read_text(encoding="utf-8"))
    no_year = [c for c in data["cases"] if not c["year"]]
    assert no_year                                    # the sample has cases without a year
    province = no_year[0]["province"]
    want = sum(1 for c in no_year if c["province"] == province)
    pg = crawl["page"]
    pg.goto(crawl["base"] + "filter/")
    pg.select_option("select[name=province]", province)
    options = pg.eval_on_selector_all("select[name=year] option", "els => els.map(e => e.textContent)")
    assert options[-1] == f"年份不详（{want}）"        # last, after the years
    pg.select_option("select[name=year]", "年份不详")
    assert pg.inner_text(".cb-filter__count").startswith(f"共 {want} 个案例")
    years = crawl["pages"][crawl["base"] + "years/"]
    assert f"年份不详（{len(no_year)}）" in years["text"]
