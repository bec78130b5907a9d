"""Property tests over the converter (issue 6): any Unicode text in a raw page gives valid case
files (they parse back with casefile.parse, required keys present, front matter round-trips)
or a clean report, never an exception; cut_page never loses a paragraph."""
from __future__ import annotations

import tempfile
from pathlib import Path

import markdown
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.casefile import generated_state, parse, render
from casebook.clean import clean_text
from casebook.convert import GENERATED_BY, build_cases, process_page
from casebook.cut import cut_page

REQUIRED = ("id", "title", "summary", "year", "source")
SAFE_TAGS = {"html", "body", "p", "h2", "h3", "em", "strong", "hr", "a", "dl", "dt", "dd"}

# page-like text: Chinese sentences, practice markers, headings, metadata lines, Markdown/HTML/YAML
# syntax, control characters and line separators
pieces = st.sampled_from(
    ["近年来，某镇坚持党建引领基层治理，推动党员下沉社区。", "特色做法一：", "特色做法二：", "一、", "二、",
     "（一）", "党员中心户", "网格化管理", "茂名市电白区", "伊春市", "2021年", "时间：2022-12-01 来源：南方日报",
     "中共某某区委组织部", "责任编辑：王某", "首页 > 党建", "\n", "\n\n", "\r\n", "\u2028", "\x0b", "\x00",
     "---", "- ", "# ", "> ", "* ", "`", "|", "{: onclick=x}", "<script>alert(1)</script>", "&amp;", "&lt;",
     "[x](javascript:1)", "!!python/object:os.system", "&a", "*a", "'", '"', "\\", ":", "：", "。", "，", "……",
     "𠮷", "\ufeff", "\ufffd", " ", "\u3000"])
pagey = st.lists(pieces, max_size=80).map("".join)
any_text = st.one_of(st.text(max_size=400), pagey)


def _check_records(records, text_len: int):
    ids = set()
    for record in records:
        text = render(record.meta, record.body, generated_by=GENERATED_BY)
        doc = parse(text)  # raises on anything invalid
        assert generated_state(text) == "pristine"
        for key in REQUIRED:
            assert key in doc.meta, (key, doc.meta)
        assert isinstance(doc.meta["title"], str) and doc.meta["title"].strip()
        assert "\n" not in doc.meta["id"] and doc.meta["id"] not in ids
        ids.add(doc.meta["id"])
        assert doc.meta["year"] is None or isinstance(doc.meta["year"], int)
        lines = doc.meta["source"]["lines"]
        assert 1 <= lines[0] <= lines[1]
        # front matter round-trips exactly
        assert {k: v for k, v in doc.meta.items() if k != "generated"} == record.meta
        assert record.slug and set(record.slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
        assert all(part and "/" not in part and part not in (".", "..") for part in record.folder)
        # the body renders to inert HTML: no element from the page's text, only paragraphs,
        # headings, emphasis, the rule and the source link
        html = markdown.markdown(doc.body, extensions=["attr_list", "md_in_html", "def_list", "tables", "toc"])
        soup = BeautifulSoup(html, "lxml")
        assert {t.name for t in soup.find_all(True)} <= SAFE_TAGS, html
        assert not [t for t in soup.find_all(True) if set(t.attrs) - {"id"} - ({"href"} if t.name == "a" else set())]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_any_text_gives_valid_case_files(text):
    clean = clean_text(text, "raw/x.txt")
    records = build_cases(clean, "raw/x.txt")
    _check_records(records, len(text))
    paragraphs = [b for b in clean["blocks"] if b["kind"] in ("paragraph", "heading", "caption")]
    if not paragraphs:
        assert records == [] or all(r.meta["title"] for r in records)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 pagey.map(lambda t: t.encode("gb18030", "replace"))),
       st.sampled_from([".txt", ".html"]))
def test_any_bytes_give_cases_or_a_clean_report(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "raw").mkdir()
        page = root / "raw" / f"page{suffix}"
        page.write_bytes(data)
        result = process_page(str(page), str(root), None)  # never raises
        if result.error:
            assert isinstance(result.error, str) and result.error.strip() and "Traceback" not in result.error
            assert not result.cases
            assert not result.error.startswith("内部错误"), result.error  # no internal error: a named problem
        else:
            _check_records(result.cases, len(data))


# ---------------------------------------------------------------- cut_page keeps every block

block_texts = {
    "title": st.sampled_from(["湛江：聚焦政治功能", "党建引领乡村振兴", "某县推行“红色网格”", "标题"]),
    "heading": st.sampled_from(["一、提高认识", "二、压实责任", "担当理论政策“宣讲员”", "强化组织保障",
                                "（一）建强阵地", "主要做法"]),
    "paragraph": st.one_of(
        st.sampled_from(["特色做法一：推行村干部后备队伍制度。", "特色做法二：实行星级评定。",
                         "近年来，某镇坚持党建引领，推动党员下沉社区，为群众办实事1200余件。",
                         "做法3：建立党员积分制。"]),
        st.text(min_size=1, max_size=200).filter(str.strip)),
    "caption": st.sampled_from(["图为党员志愿者入户走访。", "（张三 摄）"]),
}


@st.composite
def clean_pages(draw):
    kinds = draw(st.lists(st.sampled_from(["title", "heading", "paragraph", "paragraph", "paragraph", "caption"]),
                          max_size=40))
    blocks, dropped, line = [], [], 1
    for kind in kinds:
        if draw(st.booleans()) and kind == "paragraph" and blocks and blocks[-1]["kind"] == "title":
            dropped.append({"lines": [line, line], "reason": "meta:author", "rule": "author-org",
                            "text": "中共某某区委组织部"})
            line += 1
        blocks.append({"kind": kind, "text": draw(block_texts[kind]), "lines": [line, line]})
        line += draw(st.integers(1, 2))
    title = draw(st.one_of(st.none(), st.just("页面标题")))
    return {"title": title, "meta": {}, "blocks": blocks, "dropped": dropped}


@settings(max_examples=400, deadline=None)
@given(clean_pages())
def test_cut_page_never_loses_a_block(clean):
    drafts = cut_page(clean)
    placed: dict[int, int] = {}
    titles = []
    for draft in drafts:
        assert draft.title is not None
        for block in draft.lead + draft.blocks:
            placed[block["lines"][0]] = placed.get(block["lines"][0], 0) + 1
        titles.append(draft.title)
    for block in clean["blocks"]:
        n = placed.get(block["lines"][0], 0)
        if block["kind"] in ("paragraph", "caption"):
            assert n == 1, (block, [d.__dict__ for d in drafts])
        elif block["kind"] == "heading":
            # a heading is in exactly one draft, or it became that draft's title
            assert n == 1 or (n == 0 and block["text"].strip() in titles), block
        else:  # title blocks name their article (several title lines may join into one title)
            assert n == 0
    # the drafts' spans are in page order and do not overlap
    spans = [d.lines for d in drafts if d.lead or d.blocks]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), spans


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.text(max_size=30), max_size=4))
def test_front_matter_strings_read_back_exactly(title, tags):
    meta = {"id": "x-01", "title": title, "tags": tags, "source": {"title": title, "raw": "raw/x.txt"}}
    doc = parse(render(meta, "正文", generated_by=GENERATED_BY))
    assert {k: v for k, v in doc.meta.items() if k != "generated"} == meta
