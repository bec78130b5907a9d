"""`casebook bundle` without a browser: selection, MkDocs overrides, home-page stamp, printable
pages, the search index files, path confinement, and a
real subset build (only the chosen cases in the zip)."""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import pytest

from casebook import bundle
from casebook.paths import Project
from casebook.site import printpages
from casebook.site.records import from_meta, split_front_matter

ROOT = Path(__file__).resolve().parents[1]


def real_cases() -> list:
    out = []
    for path in sorted((ROOT / "cases").rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        if isinstance(meta.get("region"), dict) and isinstance(meta.get("source"), dict):
            out.append(from_meta(path.relative_to(ROOT / "cases").as_posix(), meta, body))
    return out


# ---------------------------------------------------------------- selection and config


def test_selection_matches_and_describes():
    meta = {"region": {"province": "广东省", "city": "珠海市"}, "themes": ["软弱涣散整顿"], "domain": "农村",
            "tags": ["第一书记"]}
    assert bundle.Selection().matches(meta) and not bundle.Selection().active
    assert bundle.Selection(province=["广东省"], theme=["软弱涣散整顿"]).matches(meta)
    assert bundle.Selection(province=["浙江省", "广东省"]).matches(meta)
    assert not bundle.Selection(province=["广东省"], domain=["社区"]).matches(meta)
    assert not bundle.Selection(tag=["三会一课"]).matches(meta)
    assert bundle.Selection(province=["广东省"], theme=["软弱涣散整顿"]).describe() == "省份：广东省；主题：软弱涣散整顿"


def test_offline_overrides_of_the_real_mkdocs_yml():
    raw = bundle.load_raw_config(ROOT / "mkdocs.yml")
    raw.setdefault("theme", {}).setdefault("features", []).append("navigation.instant")
    raw.setdefault("extra_javascript", []).append("https://cdn.example.org/x.js")
    raw.setdefault("extra", {})["analytics"] = {"provider": "google", "property": "G-X"}
    over = bundle.offline_overrides(raw, title="培训")
    assert over["use_directory_urls"] is False and over["theme"]["font"] is False
    assert "navigation.instant" not in over["theme"]["features"]
    assert over["plugins"][-1] == "offline" and "search" in str(over["plugins"])
    assert over["extra"]["polyfills"] == [bundle.SHIM] and "analytics" not in over["extra"]
    assert "https://cdn.example.org/x.js" not in over["extra_javascript"]
    assert "assets/stylesheets/print.css" in over["extra_css"]
    assert over["site_name"] == "培训"
    # the shim is where the theme's custom_dir is
    assert (ROOT / "overrides" / bundle.SHIM).is_file()


def test_stamp_goes_after_the_first_heading():
    when = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone.utc)
    stamp = bundle.stamp_text(when, 3, bundle.Selection(province=["广东省"]), None)
    # 09:30 UTC is 17:30 in Beijing, and says so
    assert "2026-11-25 17:30（北京时间）" in stamp and "09:30" not in stamp
    assert "**3** 个案例" in stamp and "省份：广东省" in stamp
    page = "---\ntitle: 案例库\n---\n\n# 基层党建案例库\n\n正文\n"
    out = bundle.stamp_home(page, stamp)
    assert out.index("# 基层党建案例库") < out.index("!!! info") < out.index("正文")
    assert out.startswith("---\ntitle: 案例库\n---\n")
    # --title: the home page's heading says the bundle's title instead
    titled = bundle.stamp_home(page, stamp, "茂名*培训*班")
    assert "基层党建案例库" not in titled and titled.index("# 茂名\\*培训\\*班") < titled.index("!!! info")


def test_beijing_time_crosses_midnight():
    assert bundle.beijing_time(dt.datetime(2026, 12, 31, 20, 15, tzinfo=dt.timezone.utc)) == "2027-01-01 04:15（北京时间）"
    assert bundle.beijing_time(dt.datetime(2026, 6, 1, 8, 0)) == "2026-06-01 16:00（北京时间）"  # naive: UTC


def test_output_is_confined_to_dist_or_temp(tmp_path):
    project = Project(ROOT)
    assert bundle.output_dir(project, None) == (ROOT / "dist").resolve()
    assert bundle.output_dir(project, Path("dist/session")) == (ROOT / "dist" / "session").resolve()
    assert bundle.output_dir(project, tmp_path) == tmp_path.resolve()
    for bad in (Path("cases"), ROOT / "scripts", Path("dist/../cases")):
        with pytest.raises(bundle.BundleError):
            bundle.output_dir(project, bad)


# ---------------------------------------------------------------- printable pages


def test_print_pages_group_cases_and_keep_their_metadata():
    cases = real_cases()
    assert cases, "cases/ holds no case files"
    pages = printpages.generate(cases, selection="培训专题", per_page=5)
    provinces = {c.region_path[0] for c in cases}
    for province in provinces:
        members = [c for c in cases if c.region_path[0] == province]
        srcs = [s for s, text in pages.items() if s.startswith("print/regions/") and f"# 打印：{province}" in text]
        assert len(srcs) == math.ceil(len(members) / 5)
        joined = "".join(pages[s] for s in srcs)
        assert joined.count('<section class="cb-print-case"') == len(members)
        assert all(c.title in joined for c in members)
    assert "print/selection.md" in pages or "print/selection-1.md" in pages
    for src, text in pages.items():
        assert "search:\n  exclude: true" in text  # never doubles the search index
    one = next(t for s, t in pages.items() if s.startswith("print/themes/"))
    assert 'class="cb-meta cb-meta--print"' in one and "来源" in one


def test_print_page_links_are_made_relative_to_the_page():
    case = from_meta("gd/zh/a.md", {"title": "甲", "region": {"province": "广东省"}, "source": {}},
                     "# 甲\n\n见[乙](../sz/b.md#x)和![图](img/p.png)与[外](https://e.org/a)。\n\n## 做法\n\n正文")
    page = printpages.render_page("打印：x", [case], "print/regions/x.md")
    assert "[乙](../../gd/sz/b.md#x)" in page and "![图](../../gd/zh/img/p.png)" in page
    assert "[外](https://e.org/a)" in page
    assert "### 做法" in page and "\n# 甲" not in page  # headings one level down, no second H1
    assert "[查看案例页](../../gd/zh/a.md)" in page


# ---------------------------------------------------------------- a real subset build


def test_subset_bundle_holds_only_the_chosen_cases(tmp_path):
    cases = real_cases()
    province = sorted({c.region_path[0] for c in cases}, key=lambda p: sum(c.region_path[0] == p for c in cases))[0]
    chosen = {c.src_uri[:-3] + ".html" for c in cases if c.region_path[0] == province}
    others = {c.src_uri[:-3] + ".html" for c in cases} - chosen
    assert chosen and others
    before = sorted(p.stat().st_mtime_ns for p in (ROOT / "cases").rglob("*"))
    result = bundle.build_bundle(Project(ROOT), tmp_path, bundle.Selection(province=[province]), title="分省培训",
                                 now=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc))
    assert result.zip_path == tmp_path.resolve() / f"casebook-offline-{province}-20260102.zip"
    assert result.cases == len(chosen) and result.skipped == len(others)
    with zipfile.ZipFile(result.zip_path) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        home = zf.read(f"casebook-offline-{province}-20260102/index.html").decode("utf-8")
        search = zf.read(f"casebook-offline-{province}-20260102/search/search_index.js").decode("utf-8")
    assert chosen <= names and not (others & names)
    assert f"收录 <strong>{len(chosen)}</strong> 个案例" in home and f"省份：{province}" in home
    assert "2026-01-02 11:04（北京时间）" in home and "分省培训" in home
    assert re.search(r"<h1[^>]*>分省培训", home)   # the heading too, not only the site name
    assert search.startswith("var __index = ") and "search/search_index.json" not in names
    assert "search/cb/manifest.js" in names and any(n.startswith("search/cb/p/") for n in names)
    assert "print/selection.html" in names and "assets/javascripts/iframe-worker.js" in names
    # the trainers' bundle leaves out the editor guide and the home page's pointer to it
    assert not any(n.startswith("guide/") for n in names) and "编者指南" not in home
    # a second bundle of the same filter on the same day does not overwrite the first
    again = bundle.build_bundle(Project(ROOT), tmp_path, bundle.Selection(province=[province]),
                                now=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc))
    assert again.zip_path.name == f"casebook-offline-{province}-20260102-2.zip" and result.zip_path.exists()
    # nothing in cases/ was touched
    assert sorted(p.stat().st_mtime_ns for p in (ROOT / "cases").rglob("*")) == before


def test_names_and_short_filters():
    day = dt.date(2026, 12, 2)
    assert bundle.bundle_filename(bundle.Selection(), day) == "casebook-offline-20261202.zip"
    assert bundle.bundle_filename(bundle.Selection(province=["广东省"]), day) == "casebook-offline-广东省-20261202.zip"
    assert bundle.bundle_filename(bundle.Selection(province=["广东省", "浙江省"], theme=["软弱涣散整顿"]), day) \
        == "casebook-offline-广东省+浙江省-软弱涣散整顿-20261202.zip"
    assert "/" not in bundle.bundle_filename(bundle.Selection(tag=["a/../b"]), day)
    full = bundle.resolve_filters(bundle.Selection(province=["广东"], theme=["软弱涣散"]))
    assert full.province == ["广东省"] and full.theme == ["软弱涣散整顿"]
    assert len(bundle.resolve_filters(bundle.Selection(county=["市中区"])).county) == 1  # one name, four cities
    with pytest.raises(bundle.BundleError, match="省份「广栋」不存在"):
        bundle.resolve_filters(bundle.Selection(province=["广栋"]))
    with pytest.raises(bundle.BundleError, match="主题「不存在主题」不在分类表中（可选："):
        bundle.resolve_filters(bundle.Selection(theme=["不存在主题"]))


def test_no_matching_cases_is_a_clear_error(tmp_path):
    with pytest.raises(bundle.BundleError, match="没有可以打包的案例.*省份：不存在省"):
        bundle.build_bundle(Project(ROOT), tmp_path, bundle.Selection(province=["不存在省"]))


@pytest.mark.slow
def test_pdf_of_a_selection_prints_every_case_in_chinese(tmp_path):
    import shutil
    import subprocess

    cases = real_cases()
    province = sorted({c.region_path[0] for c in cases}, key=lambda p: sum(c.region_path[0] == p for c in cases))[0]
    chosen = [c for c in cases if c.region_path[0] == province]
    result = bundle.build_bundle(Project(ROOT), tmp_path, bundle.Selection(province=[province]), title="打印培训",
                                 now=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc), pdf=True)
    assert result.pdf == tmp_path.resolve() / f"casebook-offline-{province}-20260102.pdf"
    data = result.pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    text = subprocess.run([shutil.which("pdftotext"), "-layout", str(result.pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    assert "打印培训" in flat and "2026-01-0211:04（北京时间）" in flat
    for case in chosen:                      # every chosen case's title, as text (CJK glyphs with a text layer)
        assert re.sub(r"\s+", "", case.title) in flat, case.title
    others = [c for c in cases if c.region_path[0] != province]
    assert not any(re.sub(r"\s+", "", c.title) in flat for c in others)
    assert "第1页/共" in flat                 # page numbers in the footer
