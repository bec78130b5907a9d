"""The built site (no browser): browse pages, case pages, search index, map, downloads.

Builds the real mkdocs.yml once into a temporary folder from the repository's cases/ plus
synthetic cases (casebook.dev.synth), and once more with directory URLs off (as the offline bundle)."""
from __future__ import annotations

import csv
import html as html_mod
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from casebook.dev import bench_site, synth
from casebook.site import glossary, related, search, slugs
from casebook.site.records import Case
from conftest import SAMPLE_SYNTH

ROOT = Path(__file__).resolve().parents[1]
BROWSE_TABS = {"首页", "地区", "主题", "领域", "标签", "年份", "筛选", "编者指南"}


@pytest.fixture(scope="module")
def built(sample_site):
    return sample_site


def case_html(built, record) -> Path:
    url = record["url"]
    path = built["site"] / unquote(url)
    return path / "index.html" if url.endswith("/") or not url else path


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def check_links(page: Path, site: Path, html: str) -> list[str]:
    broken = []
    for href in hrefs(html):
        parts = urlsplit(href)
        if parts.scheme or href.startswith(("#", "//", "mailto:", "javascript:")) or not parts.path:
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
    return broken


# ---------------------------------------------------------------- pure functions


def test_slugify_gives_readable_ids_never_empty_or_numeric():
    assert slugs.slugify("主要做法", "-") == "主要做法"
    assert slugs.slugify("2021", "-") == "sec-2021"
    assert slugs.slugify("（一）", "-") not in ("", "一") or slugs.slugify("（一）", "-") == "一"
    assert slugs.slugify("……", "-") == "sec"
    for text in ("1.", "2021年", "（三）强化保障", "12 3"):
        slug = slugs.slugify(text, "-")
        assert slug and not slug.replace("-", "").isdigit()


def test_glossary_marks_first_occurrence_outside_links_and_headings():
    g = glossary.Glossary({"三会一课": "组织生活制度", "两新组织": "新经济组织和新社会组织"})
    html = ('<h2>三会一课</h2><p><a href="x">三会一课</a>落实三会一课，再落实三会一课。</p>'
            "<p>两新组织党建</p>")
    out = g.annotate(html)
    assert out.count("<abbr") == 2
    assert '<h2>三会一课</h2>' in out and '<a href="x">三会一课</a>' in out
    assert '落实<abbr title="组织生活制度">三会一课</abbr>，再落实三会一课。' in out


def _case(i, county, themes, body):
    return Case(src_uri=f"c{i}.md", title=f"案例{i}", summary="", region={
        "province": "广东省", "city": "茂名市", "county": county}, domain="农村", themes=themes,
        tags=[], year=2021, source={}, body=body, index=i)


def test_related_prefers_shared_text_theme_and_region_and_explains():
    cases = [
        _case(0, "电白区", ["干部队伍建设"], "建立村级后备干部人才库，实行后备干部动态管理和跟踪培养。" * 3),
        _case(1, "信宜市", ["干部队伍建设"], "后备干部人才库动态管理，后备干部跟踪培养考察。" * 3),
        _case(2, "电白区", ["乡村振兴"], "发展特色种植产业，建设农产品加工园区。" * 3),
        _case(3, "高州市", ["乡村振兴"], "修建乡村道路，改造农村人居环境。" * 3),
    ]
    result = related.compute(cases, count=3)
    first = result[0][0]
    assert first.index == 1 and "同主题" in first.reasons and "内容相近" in first.reasons
    # same county, nothing else shared: still listed, explained as 同地区
    same_place = next(r for r in result[0] if r.index == 2)
    assert same_place.reasons == ["同地区"]
    assert all(r.index != 0 for r in result[0])


def test_fold_table_comes_from_opencc_and_keeps_lengths():
    assert search.fold("黨群服務中心 選聘分離 電白") == "党群服务中心 选聘分离 电白"
    assert search.fold("ＡＢＣ１０分鐘 Mkdocs") == "abc10分钟 mkdocs"
    pairs = search.fold_pairs()
    assert len(pairs) > 2000
    assert all(len(a.encode("utf-16-le")) == len(b.encode("utf-16-le")) == 2 for a, b in pairs)


def _positions(files: dict, bigram: str) -> dict[int, list[int]]:
    """Decode one bigram's postings as the worker does."""
    manifest = search._unjsonp(files["manifest.js"])
    shard = search._unjsonp(files[f"p/{search.fnv1a(bigram) % manifest['shards']}.js"])
    numbers = search.decode_numbers(shard.get(bigram, ""))
    out, d, k = {}, 0, 0
    while k < len(numbers):
        d += numbers[k]
        count, k = numbers[k + 1], k + 2
        p, got = 0, []
        for delta in numbers[k:k + count]:
            p += delta
            got.append(p)
        out[d], k = got, k + count
    return out


def test_number_encoding_round_trips():
    values = [0, 1, 31, 32, 1023, 1024, 99999, 2**31]
    text, offsets = search.encode_numbers(values)
    assert search.decode_numbers(text) == values
    assert list(offsets[:3]) == [0, 1, 2] and len(text) == offsets[-1]
    assert len(search.encode_numbers([31])[0]) == 1 and len(search.encode_numbers([32])[0]) == 2


def test_bigram_postings_give_exact_positions_within_words():
    entries = [search.document("a/", "电白区经验", "<p>电白区、10分钟。</p>", "case"),
               search.document("b/", "其他", '<div class="cb-meta" aria-label="案例信息"><dl><div class="cb-meta__row">'
                               "<dt>地区</dt><dd>广东省 › 茂名市 › 电白区</dd></div></dl></div><p>電白</p>", "case")]
    assert entries[1]["meta"] == [["地区", "广东省 › 茂名市 › 电白区"]]
    files = search.build_files(entries)
    texts = [search.layout(e)[0] for e in entries]
    found = _positions(files, "电白")
    assert set(found) == {0, 1}
    for d, starts in found.items():
        assert [texts[d][p:p + 2] for p in starts] in (["电白"] * len(starts), ["电白", "電白"])
    assert len(found[1]) == 2                # the panel and the Traditional 電白 in the text
    assert _positions(files, "白、") == {}    # no bigram across punctuation
    assert set(_positions(files, "10")) == {0} and set(_positions(files, "0分")) == {0}


# ---------------------------------------------------------------- built site


def test_every_case_has_a_page_and_downloads_agree(built):
    data = built["data"]
    assert data["count"] >= SAMPLE_SYNTH
    for record in data["cases"][:40]:
        assert case_html(built, record).exists(), record["url"]
    rows = list(csv.DictReader(io.StringIO((built["site"] / "data" / "cases.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == data["count"]
    assert {r["title"] for r in rows} == {r["title"] for r in data["cases"]}
    js = (built["site"] / "data" / "cases.js").read_text(encoding="utf-8")
    assert js.startswith("window.CASEBOOK_INDEX=")


def test_navigation_is_browse_pages_only(built):
    html = (built["site"] / "index.html").read_text(encoding="utf-8")
    tabs = set(re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', html))
    assert tabs and tabs <= BROWSE_TABS and {"地区", "筛选"} <= tabs
    case_page = case_html(built, built["data"]["cases"][0]).read_text(encoding="utf-8")
    nav_links = re.findall(r'class="md-nav__link', case_page)
    assert len(nav_links) < 30  # no per-case entries (there are 80+ cases)
    titles = {r["title"] for r in built["data"]["cases"]}
    nav = case_page[case_page.find('<nav class="md-nav md-nav--primary"'):case_page.find("</nav>")]
    assert not any(t in nav for t in titles)


def test_region_tree_counts_add_up(built):
    data = built["data"]
    site = built["site"]
    html = (site / "regions" / "index.html").read_text(encoding="utf-8")
    by_province: dict[str, int] = {}
    for r in data["cases"]:
        by_province[r["province"]] = by_province.get(r["province"], 0) + 1
    for province, n in by_province.items():
        assert re.search(rf">{re.escape(province)}</a>（{n}）", html), province
    # one province page: count, breadcrumb back to the tree, and its cases
    province, n = max(by_province.items(), key=lambda kv: kv[1])
    link = re.search(rf'<a href="([^"]+)">{re.escape(province)}</a>（{n}）', html).group(1)
    page = (site / "regions" / link / "index.html").read_text(encoding="utf-8")
    assert f"共 {n} 个案例" in page
    listed = [r for r in data["cases"] if r["province"] == province]
    text = html_mod.unescape(page)  # the sanitiser writes U+00A0 as &nbsp;
    assert all(r["title"] in text for r in listed)


def test_map_links_provinces_with_counts(built):
    site = built["site"]
    for page in (site / "index.html", site / "regions" / "index.html"):
        html = page.read_text(encoding="utf-8")
        svg = html[html.find("<svg class=\"cb-map\""):html.find("</svg>", html.find("<svg class=\"cb-map\""))]
        assert svg, page
        areas = re.findall(r'<a href="([^"]+)"[^>]*><path[^>]*><title>([^<]+)</title>', svg)
        provinces = {r["province"] for r in built["data"]["cases"]}
        assert len(areas) == len(provinces)
        for href, title in areas:
            name, count = re.match(r"(.+?)：(\d+) 个案例", title).groups()
            assert int(count) == sum(1 for r in built["data"]["cases"] if r["province"] == name)
            assert not check_links(page, site, f'<a href="{href}">'), href


def test_case_page_metadata_related_and_glossary(built):
    record = next(r for r in built["data"]["cases"] if r["code"])
    path = case_html(built, record)
    html = path.read_text(encoding="utf-8")
    panel = html[html.find('class="cb-meta"'):html.find("</dl>")]
    for value in (record["province"], record["county"], record["code"], record["domain"], *record["themes"],
                  str(record["year"]), record["outlet"], record["published"]):
        assert value in panel, value
    assert f'href="{record["source_url"]}"' in panel
    related_block = re.search(r'<section class="cb-related">(.*?)</section>', html).group(1)
    items = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="cb-related__why">([^<]+)</span>',
                       related_block)
    assert 1 <= len(items) <= 5
    for href, title, why in items:
        assert title != record["title"]
        assert set(why.split(" · ")) <= {"同主题", "同地区", "内容相近"}
    assert not check_links(path, built["site"], related_block)
    glossed = next(r for r in built["data"]["cases"]
                   if "三会一课" in case_html(built, r).read_text(encoding="utf-8"))
    assert '<abbr title="党支部定期召开' in case_html(built, glossed).read_text(encoding="utf-8")


def test_heading_ids_are_never_empty_or_numeric(built):
    for page in list(built["site"].rglob("*.html"))[:300]:
        for hid in re.findall(r'<h[1-6][^>]* id="([^"]*)"', page.read_text(encoding="utf-8")):
            assert hid and not hid.replace("-", "").replace("_", "").isdigit(), (page, hid)


def test_search_index_is_sharded_one_document_per_page(built):
    manifest, texts = search.read_index(built["site"])
    cases = [d for d in manifest["docs"] if d[2] == search.KINDS["case"]]
    assert len(cases) == built["data"]["count"]
    assert all("#" not in d[0] for d in manifest["docs"])
    folder = built["site"] / "search" / "cb"
    size = sum(p.stat().st_size for p in folder.rglob("*.js"))
    assert size / len(cases) <= 24 * 1024, size / len(cases)  # positions included: exact phrases
    largest = max(p.stat().st_size for p in (folder / "p").glob("*.js"))
    assert largest < 8 * search.SHARD_BYTES, largest
    joined = "\n".join(texts)
    assert "\u200b" not in joined
    for term in ("三会一课", "软弱涣散", "干部推荐"):
        assert term in joined

def test_no_outside_assets(built):
    for page in [built["site"] / "index.html", built["site"] / "filter" / "index.html",
                 case_html(built, built["data"]["cases"][0])]:
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
            src = re.search(r'(?:src|href)="([^"]+)"', tag)
            if src and 'rel="canonical"' not in tag:
                assert not re.match(r"(https?:)?//", src.group(1)), tag
        assert "fonts.googleapis" not in html and "unpkg.com" not in html


def test_links_resolve_with_and_without_directory_urls(built, tmp_path):
    site = built["site"]
    pages = [site / "index.html", site / "regions" / "index.html", site / "themes" / "index.html",
             site / "years" / "index.html", site / "tags" / "index.html", site / "filter" / "index.html",
             case_html(built, built["data"]["cases"][0])]
    for page in pages:
        assert not check_links(page, site, page.read_text(encoding="utf-8")), page
    flat = tmp_path / "flat"
    bench_site.build(built["docs"], flat, root=ROOT, use_directory_urls=False)
    flat_pages = [flat / "index.html", flat / "regions" / "index.html", flat / "filter.html"]
    record = json.loads((flat / "data" / "cases.json").read_text(encoding="utf-8"))["cases"][0]
    assert record["url"].endswith(".html")
    flat_pages.append(flat / record["url"])
    for page in flat_pages:
        broken = check_links(page, flat, page.read_text(encoding="utf-8"))
        assert not broken, (page, broken[:5])


def test_synth_refuses_repository_cases(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert synth.main(["1", "cases/x"]) == 2
    assert not (ROOT / "cases" / "x").exists()


def test_tag_links_land_on_tag_pages_listing_the_case(built):
    from bs4 import BeautifulSoup

    for record in built["data"]["cases"][:5]:
        page = case_html(built, record)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        links = soup.select(".cb-meta__tags a")
        assert [a.get_text() for a in links] == list(dict.fromkeys(record["tags"]))   # each tag once
        assert not soup.select(".md-tags")                                            # not twice
        for a in links:
            target = (page.parent / unquote(a["href"])).resolve()
            target = target / "index.html" if a["href"].endswith("/") else target
            listing = BeautifulSoup(target.read_text(encoding="utf-8"), "lxml").find("article")
            assert listing.find("h1").get_text(strip=True).rstrip("¶") == f"标签：{a.get_text()}"
            assert record["title"] in listing.get_text()


def test_tags_index_links_every_tag_once_with_its_count(built):
    from bs4 import BeautifulSoup

    counts: dict[str, int] = {}
    for record in built["data"]["cases"]:
        for t in set(record["tags"]):
            counts[t] = counts.get(t, 0) + 1
    soup = BeautifulSoup((built["site"] / "tags" / "index.html").read_text(encoding="utf-8"), "lxml")
    shown = [a.get_text() for a in soup.find("article").select("a.cb-tag")]
    assert sorted(shown) == sorted(f"{t}（{n}）" for t, n in counts.items())


def test_material_search_worker_is_replaced(built):
    workers = list((built["site"] / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert workers
    ours = (ROOT / "overrides" / search.WORKER).read_text(encoding="utf-8")
    assert workers[0].read_text(encoding="utf-8") == ours
