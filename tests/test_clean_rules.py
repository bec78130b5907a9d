"""Cleaner behaviour on small pages: rules are data, anchored and bounded; metadata; CLI."""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from casebook import clean
from casebook.clean import clean_file, clean_text

ROOT = Path(__file__).resolve().parents[1]
REASONS = {"nav", "ui", "footer", "disclaimer", "spam", "debris",
           "meta:byline", "meta:dateline", "meta:author", "meta:editor"}
BODY = "近年来，某县坚持党建引领，推动党员干部下沉一线，为群众办实事好事1200余件，群众满意度明显提升。"


def body_texts(res):
    return [b["text"] for b in res["blocks"]]


def test_rules_file_is_complete_data():
    data = yaml.safe_load((ROOT / "scripts/casebook/data/clean_rules.yaml").read_text(encoding="utf-8"))
    names = set()
    for r in data["line_rules"]:
        assert {"name", "reason", "pattern", "desc"} <= set(r), r
        assert r["reason"] in REASONS and r["name"] not in names
        names.add(r["name"])
        re.compile(r["pattern"])
    for name, cfg in data["structure"].items():
        if "reason" in cfg:
            assert cfg["reason"] in REASONS and cfg.get("desc"), name
    # every rule named in a `dropped` record can be looked up with its description
    res = clean_file(ROOT / "raw/004_3e2a05e08a074a72.txt")
    for d in res["dropped"]:
        assert clean.describe(d["rule"]), d["rule"]


def test_body_sentence_mentioning_organisers_stays():
    text = "\n".join([
        "标题：某镇开展党员志愿服务月活动",
        BODY,
        "本次活动由县委组织部主办、县融媒体中心承办，全县300余名党员参加。",
        "主办单位表示，将把志愿服务纳入党员积分管理。",
        "记者了解到，该县已建成党员志愿服务队56支。",
        "主办：某县人民政府办公室",
        "承办：某县大数据中心",
    ])
    res = clean_text(text, "t.txt")
    kept = "".join(body_texts(res))
    assert "由县委组织部主办、县融媒体中心承办" in kept
    assert "主办单位表示" in kept
    assert "记者了解到" in kept
    by_line = {n: d for d in res["dropped"] for n in range(d["lines"][0], d["lines"][1] + 1)}
    assert set(by_line) == {6, 7}
    assert by_line[6]["reason"] == "footer" and by_line[6]["rule"] == "site-owner"
    assert "主办：某县人民政府办公室" in by_line[6]["text"] and "承办：某县大数据中心" not in kept


def test_metadata_lines_fill_meta():
    text = "\n".join([
        "首页 > 党建工作 > 基层党建",
        "“红色议事厅”让居民事居民议",
        "发布时间：2021-06-18 10:20　来源：某某日报",
        "记者 张晓明 通讯员 李卫东",
        BODY,
        "责任编辑：王芳",
    ])
    res = clean_text(text, "t.txt", sidecar={"url": "https://example.gov.cn/a.html", "title": "旁注标题"})
    reasons = {d["text"]: d["reason"] for d in res["dropped"]}
    assert reasons["发布时间：2021-06-18 10:20　来源：某某日报"] == "meta:dateline"
    assert reasons["记者 张晓明 通讯员 李卫东"] == "meta:byline"
    assert reasons["责任编辑：王芳"] == "meta:editor"
    assert reasons["首页 > 党建工作 > 基层党建"] == "nav"
    assert res["title"] == "“红色议事厅”让居民事居民议"  # page text wins over the sidecar
    assert res["meta"]["published"] == "2021-06-18"
    assert res["meta"]["outlet"] == "某某日报"
    assert res["meta"]["url"] == "https://example.gov.cn/a.html"  # sidecar wins for url
    assert res["meta"]["authors"] == ["张晓明", "李卫东"]
    assert res["blocks"][0]["kind"] == "title"


def test_seed_multi_article_page_has_titles_in_order():
    res = clean_file(ROOT / "raw/001_846aa8a43b3d4e7d.txt")
    titles = [b["text"] for b in res["blocks"] if b["kind"] == "title"]
    assert titles == ["强化城市基层党建工作", "打造社区“10分钟党建便民服务圈”", "严把四个关口 确保干部推荐质量",
                      "“四举措”扎实推进人才工作"]
    authors = [(d["lines"][0], d["text"]) for d in res["dropped"] if d["reason"] == "meta:author"]
    assert authors == [(10, "中共伊春区委组织部"), (17, "中共翠峦区委组织部"), (24, "中共美溪区委组织部")]
    headings = [b["text"] for b in res["blocks"] if b["kind"] == "heading"]
    assert headings[0].startswith("一、提高认识")


def test_seed_metadata():
    r3 = clean_file(ROOT / "raw/003_a3afd088e8670e18.txt")
    assert r3["meta"]["published"] == "2022-12-01" and r3["meta"]["outlet"] == "南方日报"
    r4 = clean_file(ROOT / "raw/004_3e2a05e08a074a72.txt")
    assert r4["meta"]["byline"] == "采写:本报记者 廖明山 何进; 摄影:本报记者 曾遥"
    # the repost stamp of 2022 is not the publication date of an article about 2018
    assert r4["meta"]["published"] is None and r4["meta"]["republished"] == "2022-04-22"
    assert any(w["kind"] == "censored" and w["lines"] == [10, 10] for w in r4["warnings"])
    assert any("乾务镇荔山村" in b["text"] for b in r4["blocks"])
    r0 = clean_file(ROOT / "raw/000_2f277b85c8c35e1a.txt")
    assert r0["script"] == "traditional" and r0["title"] == "八大党建品牌引领高质量发展"
    assert r0["meta"]["byline"] == "通讯员 李华斌 杨子劲 周群富"
    para8 = next(b["text"] for b in r0["blocks"] if b["text"].startswith("特色做法八"))
    assert "党建模式。“一核”就是突出街道社区党组织核心作用" in para8
    assert not any(w["kind"] == "mojibake" for w in r0["warnings"])
    r2 = clean_file(ROOT / "raw/002_ce403bb1dc459ece.txt")
    joined = "\n".join(body_texts(r2))
    for term in ("“1+6”", "“10万+”", "“党建+改革”", "“1+N”", "“1+1”", "“点单+配送”"):
        assert term in joined, term
    assert "1:1.5的比例" in joined


def test_menu_spam_and_debris_runs():
    text = "\n".join([
        "首页", "新闻中心", "通知公告", "党建动态", "联系我们",
        "某社区推行“楼栋党小组”工作法",
        BODY,
        "热门推荐",
        "某市召开组织工作会议",
        "某区开展党员冬训",
        "1. 某县召开党风廉政建设工作会议",
        "2. 某镇举办乡村振兴培训班",
        "3. 我市开展安全生产大检查",
        "4. 某区召开经济运行分析会",
        "某某劳务派遣公司 某区劳务派遣公司 某市劳务派遣公司 某县劳务派遣公司",
        "? ?", "![]() |", "12",
    ])
    res = clean_text(text, "t.txt")
    assert body_texts(res) == ["某社区推行“楼栋党小组”工作法", BODY.replace("1200", "1200")]
    rules = {d["rule"] for d in res["dropped"]}
    assert {"menu-run", "list-header", "numbered-headlines", "seo-keywords"} <= rules


def test_numbered_body_list_stays():
    text = "\n".join([
        "1. 建立联系制度，每名党员联系10户群众，定期走访。",
        "2. 推行积分管理，积分结果与评优挂钩。",
        "3. 开展主题党日，每月固定一天集中学习。",
        "4. 落实谈心谈话，支部书记每季度与党员谈话一次。",
    ])
    res = clean_text(text, "t.txt")
    assert len(res["blocks"]) == 4 and not res["dropped"]


def test_cli_json_prints_one_object(tmp_path):
    p = subprocess.run([sys.executable, "-m", "casebook", "clean", str(ROOT / "raw/003_a3afd088e8670e18.txt"), "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)  # exactly one JSON document, nothing else on stdout
    assert obj["source"].endswith("003_a3afd088e8670e18.txt")
    assert set(obj) >= {"source", "title", "meta", "blocks", "dropped", "repairs", "warnings"}
    assert "\\u" not in p.stdout  # ensure_ascii=False


def test_cli_bad_file_reported_others_processed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    png = tmp_path / "pic.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    good = ROOT / "raw/003_a3afd088e8670e18.txt"
    p = subprocess.run([sys.executable, "-m", "casebook", "clean", str(empty), str(png), str(good)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 1
    assert "empty.txt" in p.stderr and "pic.html" in p.stderr
    assert "003_a3afd088e8670e18.txt" in p.stdout and "保留" in p.stdout


def test_rules_version_is_a_stable_hash():
    assert re.fullmatch(r"[0-9a-f]{16}", clean.RULES_VERSION)
    assert clean.rules_version() == clean.RULES_VERSION


def test_short_numbered_list_and_slogans_inside_article_stay():
    text = "\n".join([
        "某县多措并举加强基层党建",
        "近年来，某县坚持党建引领，推动党员干部下沉一线，取得明显成效，具体做法如下。",
        "1、建立健全党建工作责任制", "2、推行村级党组织星级评定", "3、实施头雁工程培育带头人",
        "4、开展党员积分制管理", "5、强化基层党建经费保障",
        "党建引领 党建赋能 党建聚力 党建惠民",
        "下一步，该县将继续深化基层党建工作，推动各项举措落地见效，为乡村振兴提供坚强保证。",
    ])
    res = clean_text(text, "t.txt")
    assert res["dropped"] == []
    assert len(res["blocks"]) == 9
