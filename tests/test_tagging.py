"""Domain/theme tagging, free tags and key figures (casebook.tagging) on real seed paragraphs."""
from __future__ import annotations

from pathlib import Path

import opencc
import pytest
import yaml

from casebook import regions, tagging

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "scripts/casebook/data"
_T2S = opencc.OpenCC("t2s")


def page(stem: str) -> str:
    path = next((ROOT / "raw").glob(f"{stem}*.txt"))
    return _T2S.convert(path.read_text(encoding="utf-8"))


def practice_000(n: str) -> str:
    return next(ln for ln in page("000").splitlines() if ln.startswith(f"特色做法{n}"))


def article_001(title: str) -> str:
    """One article of page 001, from its title to the next title (or the page footer)."""
    text = page("001")
    start = text.index(title)
    ends = [text.find(t, start + len(title)) for t in
            ("严把四个关口", "“四举措”扎实推进人才工作", "严格遵守保密法律法规")]
    end = min(e for e in ends if e > 0)
    return text[start:end]


def section_004(heading: str, next_heading: str) -> str:
    text = page("004")
    return text[text.index(heading):text.index(next_heading)]


# ---------------------------------------------------------------- taxonomy

def test_taxonomy_file_has_required_categories_with_definitions_and_terms():
    tax = tagging.load_taxonomy()
    domains = {c.name: c for c in tax["domains"]}
    themes = {c.name: c for c in tax["themes"]}
    for name in ("农村", "城市社区", "机关", "国有企业", "学校", "两新组织", "园区与重大项目"):
        assert name in domains and domains[name].definition and domains[name].terms
    for name in ("组织体系建设", "干部队伍建设", "党员教育管理", "基层治理", "软弱涣散整顿", "阵地建设",
                 "人才工作", "考核评价", "服务群众", "乡村振兴", "互联网+党建"):
        assert name in themes and themes[name].definition and themes[name].terms
    raw = yaml.safe_load((DATA / "taxonomy.yaml").read_text(encoding="utf-8"))
    assert [d["name"] for d in raw["domains"]] == [c.name for c in tax["domains"]]


@pytest.mark.parametrize("term,kind,want", [
    ("党员教育", "theme", "党员教育管理"), ("互联网党建", "theme", "互联网+党建"),
    ("社区", "domain", "城市社区"), ("国企", "domain", "国有企业"), ("软弱涣散", "theme", "软弱涣散整顿"),
    ("农村", "domain", "农村"),
])
def test_closest(term, kind, want):
    assert tagging.closest(term, kind) == want


# ---------------------------------------------------------------- domain and themes on real paragraphs

def check_shape(result: dict, text: str) -> None:
    assert 1 <= len(result["themes"]) <= 4
    assert 3 <= len(result["tags"]) <= 8
    assert len(result["figures"]) <= 6
    for fig in result["figures"]:
        assert fig in text                      # cut verbatim, never invented
    assert set(result["evidence"]["themes"]) == set(result["themes"])
    assert list(result["evidence"]["domain"]) == [result["domain"]]
    stop = tagging._stopwords()
    for t in result["tags"]:
        assert t not in stop and t not in regions._db().by_name and len(t) >= 2


def test_000_practice_one_is_rural_cadre_work():
    text = practice_000("一")
    got = tagging.tag("村(社区)干部后备队伍制度", text)
    check_shape(got, text)
    assert got["domain"] == "农村"
    assert got["themes"][0] == "干部队伍建设"
    assert "村民小组长" in got["evidence"]["domain"]["农村"]
    assert "后备干部" in got["evidence"]["themes"]["干部队伍建设"]
    assert "累计选配932人进入村(社区)“两委”干部队伍" in got["figures"]
    # a date, an issue number and a cited title are not key figures
    assert not any("2014年起" == f or "第23期" in f or "2700多名" in f for f in got["figures"])


def test_000_other_practices():
    assert tagging.tag("", practice_000("七"))["themes"][0] == "考核评价"
    six = tagging.tag("", practice_000("六"))
    assert six["domain"] == "园区与重大项目"
    assert "园区企业实现100%“两个覆盖”" in six["figures"]
    assert tagging.tag("", practice_000("八"))["domain"] == "城市社区"
    four = tagging.tag("", practice_000("四"))
    assert four["themes"][0] == "党员教育管理"
    assert "无职党员" in four["evidence"]["themes"]["党员教育管理"]


def test_001_community_article_is_urban():
    text = article_001("强化城市基层党建工作")
    got = tagging.tag("强化城市基层党建工作 打造社区“10分钟党建便民服务圈”", text)
    check_shape(got, text)
    assert got["domain"] == "城市社区"
    assert "服务群众" in got["themes"]
    assert "大党委" in got["evidence"]["domain"]["城市社区"]


def test_001_talent_article():
    text = article_001("“四举措”扎实推进人才工作")
    got = tagging.tag("“四举措”扎实推进人才工作", text)
    check_shape(got, text)
    assert got["themes"][0] == "人才工作"
    assert got["domain"] != "学校"              # 大学生“三官” is not a school
    assert "人才工作" in got["tags"]


def test_001_cadre_recommendation_article():
    text = article_001("严把四个关口")
    got = tagging.tag("严把四个关口 确保干部推荐质量", text)
    assert got["domain"] == "机关"
    assert got["themes"] == ["干部队伍建设"]
    assert "干部推荐" in got["evidence"]["themes"]["干部队伍建设"]


def test_004_sections():
    rectify = section_004("“第一书记”走马上任", "党员能人“挂帅”")
    got = tagging.tag("“第一书记”走马上任 10个党组织软弱涣散村得到全面整顿", rectify)
    check_shape(got, rectify)
    assert got["domain"] == "农村" and got["themes"][0] == "软弱涣散整顿"
    school = section_004("创新开办“家庭党校”", "本文章内容来源于网络")
    got = tagging.tag("创新开办“家庭党校” 解决党员学习教育难题", school)
    assert got["domain"] == "农村" and got["themes"][0] == "党员教育管理"
    assert "家庭党校" in got["tags"]             # user dictionary keeps the term whole


def test_002_city_wide_plan_across_domains_is_mixed():
    text = page("002").split("文/图 惠州日报")[0]
    got = tagging.tag("", text)
    assert got["domain"] == "综合"
    assert len(got["themes"]) == 4
    fired = got["evidence"]["domain"]["综合"]
    assert "农村" in fired and "社区" in fired


def test_no_trigger_terms():
    """Every case gets a domain and a theme; when no term fired, the defaults say so in the evidence."""
    settings = tagging.load_taxonomy()["settings"]
    got = tagging.classify("", "今天天气很好。")
    assert got["domain"] == settings["default_domain"] and got["evidence"]["domain"] == {}
    assert got["themes"] == [settings["default_theme"]]
    assert got["evidence"]["themes"] == {settings["default_theme"]: ["未命中触发词，默认"]}


# ---------------------------------------------------------------- figures and tokens

def test_figures_are_verbatim_clauses_with_units():
    text = practice_000("三")
    figs = tagging.figures(text)
    assert "投入1900多万元落实村(居)民小组长待遇补贴" in figs
    assert "共有村(居)民小组长4526人" in figs
    for fig in figs:
        assert fig in text and any(ch.isdigit() for ch in fig)
    assert tagging.figures("2014年起，在全市率先推行。按照宣传发动等4个程序进行。") == []


def test_figures_at_most_six():
    text = page("003")
    assert 1 <= len(tagging.figures(text)) <= 6


def test_tokenize_keeps_party_terms_whole():
    toks = tagging.tokenize("严格落实“三会一课”和“四议两公开”制度，整顿软弱涣散村党组织。")
    assert "三会一课" in toks and "四议两公开" in toks and "软弱涣散" in toks
    assert "“" not in toks and "。" not in toks
    assert "制度" not in tagging.tokenize("落实三会一课制度", drop_stopwords=True)
