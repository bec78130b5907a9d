"""Property tests: any Unicode text in -> valid output; cleaning clean text changes nothing;
no more characters out than in except declared repairs."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.clean import clean_text

REASONS = {"nav", "ui", "footer", "disclaimer", "spam", "debris",
           "meta:byline", "meta:dateline", "meta:author", "meta:editor"}
KINDS = {"title", "heading", "paragraph", "caption"}

# Chinese-page-like alphabet: Han, CJK and ASCII punctuation, digits, spaces, newlines, pipes, '*', '?'
pieces = st.sampled_from(list("党建引领基层治理社区村干部组织部主办承办编辑记者时间来源首页关闭打印乾务镇黨組織")
                         + list("，。：；！？“”（）、…,.:;!?()| *#>0123456789\n\n\n \u00a0\u3000")
                         + ["主办：", "责任编辑：", "1. ", "\n2. ", "版权所有", "ICP备", "“1 6”", "(dǎng)",
                            "?!耙缓恕本褪峭", "\ufffd", "***", "何\u00a0\u00a0进"])
pagey = st.lists(pieces, max_size=120).map("".join)

# whole lines of the kinds real pages hold, shuffled into pages
LINES = ["1. 常州市召开党建工作会议", "2. 金坛区开展主题党日活动", "3. 溧阳市组织党员志愿服务", "4. 我市召开组织工作会议",
         "5. 某镇开展党课活动", "首页", "新闻", "党建", "专题", "视频", "版权所有：某某网", "主办：某市人民政府办公室",
         "相关新闻", "中共某某区委组织部", "“四举措”扎实推进人才工作", "强化城市基层党建工作",
         "时间:2022-12-01 11:21:51 来源:南方日报", "通讯员 李华斌 杨子劲", "责任编辑：王某",
         "近年来，某区坚持党建引领基层治理，推动党员下沉社区，为群众办实事好事1200余件。",
         "活动由区委组织部主办、区融媒体中心承办，全区200多名党员参加。",
         "劳务派遣 深圳劳务派遣公司 劳务派遣公司 深圳临时工派遣公司", "物业公司 物业管理公司 嘉兴物业公司",
         "一、提高认识，落实责任", "图为党员志愿者入户走访。", "? ?", "![]() |", "42", "",
         "本文章内容来源于网络公开内容,仅供参考!", "特色做法八:深化推行“一核二化五创建”党建模式?!耙缓恕本褪峭怀鼋值郎鐓^黨組織核心作用"]
linepages = st.lists(st.sampled_from(LINES), max_size=40).map("\n".join)


def _check_shape(res, text):
    assert set(res) >= {"source", "title", "meta", "blocks", "dropped", "repairs", "warnings"}
    assert set(res["meta"]) >= {"published", "outlet", "byline", "authors", "url"}
    n_lines = text.count("\n") + text.count("\r") + 1
    for b in res["blocks"]:
        assert b["kind"] in KINDS and b["text"]
        assert 1 <= b["lines"][0] <= b["lines"][1] <= n_lines
    for d in res["dropped"]:
        assert d["reason"] in REASONS and d["rule"]
        assert 1 <= d["lines"][0] <= d["lines"][1] <= n_lines
    for w in res["warnings"]:
        assert {"kind", "lines", "message"} <= set(w)


def _grown(res) -> int:
    """Characters the declared repairs may add (full-width punctuation is a 1:1 swap)."""
    return sum(max(0, len(r["after"]) - len(r["before"])) for r in res["repairs"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), pagey, linepages))
def test_any_text_gives_valid_output_and_no_invented_text(text):
    res = clean_text(text, "x.txt")
    _check_shape(res, text)
    out = sum(len(b["text"]) for b in res["blocks"])
    assert out <= len(text) + _grown(res)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), pagey, linepages))
def test_cleaning_clean_text_changes_nothing(text):
    first = clean_text(text, "x.txt")
    # cleaned text written out as paragraphs (one block each, a blank line between)
    again_text = "\n\n".join(b["text"] for b in first["blocks"])
    second = clean_text(again_text, "x.txt")
    assert [b["text"] for b in second["blocks"]] == [b["text"] for b in first["blocks"]]
    assert second["repairs"] == []
