"""Text repairs: each repair is recorded; normal text is left alone (no false alarms)."""
from pathlib import Path

import pytest

from casebook import repair as rp

ROOT = Path(__file__).resolve().parents[1]


def fixed(line, **kw):
    f = rp.repair_line(line, **kw)
    return f.text, [r[0] for r in f.repairs], [w[0] for w in f.warnings]


def test_gbk_slip_in_seed_is_repaired():
    line = (ROOT / "raw/000_2f277b85c8c35e1a.txt").read_text(encoding="utf-8").split("\n")[11]
    text, kinds, warns = fixed(line, traditional=True)
    assert "党建模式。“一核”就是突出街道社区党组织核心作用；“二化”就是" in text
    assert "mojibake" in kinds and "mojibake" not in warns


def test_utf8_read_as_gbk_is_repaired():
    good = "坚持党建引领，推动“两新”组织党建工作提质增效。"
    garbled = good.encode("utf-8").decode("gbk", errors="replace")
    text, kinds, warns = fixed(garbled)
    assert "mojibake" in kinds
    # bytes the first decoding replaced are gone for good: those characters are marked and warned
    assert "坚持党建引" in text and "推动“两新" in text and "组织党建工作提质" in text
    assert "\ufffd" in text and "mojibake" in warns
    # without lost bytes the repair is complete and silent
    clean = "推动党建工作提质增效".encode("utf-8").decode("gbk")
    text, kinds, warns = fixed(clean)
    assert text == "推动党建工作提质增效" and kinds == ["mojibake"] and warns == []


@pytest.mark.parametrize("path", sorted((ROOT / "raw").glob("*.txt"))[1:] + sorted((ROOT / "tests/pages").glob("*.txt")))
def test_no_mojibake_false_alarm_on_normal_pages(path):
    for line in path.read_bytes().decode("utf-8", errors="ignore").splitlines():
        f = rp.Fix(line)
        rp.fix_mojibake(line, f)
        assert not f.repairs and not f.warnings, line


def test_unrepairable_garbage_is_flagged():
    _, _, warns = fixed("党员大会于\ufffd\ufffd召开")
    assert "mojibake" in warns


def test_traditional_to_simplified_keeps_place_names():
    assert rp.page_script("八大黨建品牌引領高質量發展，電白區各級黨委") == "traditional"
    assert rp.page_script("乾务镇荔山村党支部") == "simplified"
    assert rp.to_simplified("乾務鎮荔山村黨支部書記") == "乾务镇荔山村党支部书记"
    text, kinds, _ = fixed("黨組織", traditional=True)
    assert text == "党组织" and kinds == ["t2s"]
    # a Simplified page is not converted at all
    assert fixed("乾务镇荔山村")[0] == "乾务镇荔山村"


def test_pinyin_glosses_removed():
    text, kinds, _ = fixed("抓黨(dǎng)建促鄉村振興，種植茶園800多畝（mǔ）", traditional=True)
    assert text == "抓党建促乡村振兴，种植茶园800多亩"
    assert kinds.count("pinyin") == 2
    assert fixed("中国共产党（CPC）和App(应用)")[0] == "中国共产党（CPC）和App（应用）"


@pytest.mark.parametrize("before,after", [
    ("近三年來,電白區各級黨委", "近三年來，電白區各級黨委"),
    ("特色做法一:深化實施", "特色做法一：深化實施"),
    ("村(社区)干部", "村（社区）干部"),
    ("按1:1.5的比例储备", "按1:1.5的比例储备"),
    ("时间:2022-12-01 11:21:51", "时间：2022-12-01 11:21:51"),
    ("详见http://www.gov.cn/a,b.html", "详见http://www.gov.cn/a,b.html"),
    ("共3,000余名党员", "共3,000余名党员"),
    ("Hello, world: ok", "Hello, world: ok"),
])
def test_punctuation(before, after):
    assert fixed(before)[0] == after


@pytest.mark.parametrize("before,after", [
    ("形成“1 6”工作体系", "形成“1+6”工作体系"),
    ("实施“党建 改革”赋能战略", "实施“党建+改革”赋能战略"),
    ("村级集体经济收入“10万 ”目标", "村级集体经济收入“10万+”目标"),
    ("创新开展“点单 配送”的党员志愿服务机制", "创新开展“点单+配送”的党员志愿服务机制"),
    ("全面实施“1 N”结对联系机制", "全面实施“1+N”结对联系机制"),
])
def test_lost_plus(before, after):
    text, kinds, _ = fixed(before)
    assert text == after and "lost-plus" in kinds


def test_quoted_phrase_without_lost_plus_is_untouched():
    assert fixed("他说“Open Source”很重要")[0] == "他说“Open Source”很重要"
    assert fixed("“两学一做”学习教育")[0] == "“两学一做”学习教育"


def test_name_padding():
    assert fixed("采写:本报记者 廖明山 何\u00a0\u00a0进", byline=True)[0] == "采写:本报记者 廖明山 何进"
    assert fixed("摄影:本报记者 曾\u00a0\u00a0遥", byline=True)[0] == "摄影:本报记者 曾遥"
    # ordinary single spaces in body text are not names
    assert fixed("探索选聘分离 重塑农村基层政治生态")[0] == "探索选聘分离 重塑农村基层政治生态"


def test_warnings_for_censored_and_missing_numbers():
    assert fixed("斗门在新时期肩负着***珠海东西部发展不协调难题")[2] == ["censored"]
    assert fixed("该村去年共投入万元用于道路建设。")[2] == ["missing-number"]
    assert fixed("全县累计发放名党员证。")[2] == ["missing-number"]
    assert fixed("同比增长%。")[2] == ["missing-number"]
    # measure words with their numbers, or words that merely start with a measure character
    assert fixed("投入180多万元建设园区党群服务中心，选派25名党员干部，解决个人困难。")[2] == []
