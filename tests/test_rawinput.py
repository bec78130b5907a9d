"""Raw input: encodings (detected and reported), HTML vs text, sidecars, unreadable files."""
import codecs
import json
from pathlib import Path

import pytest

from casebook.clean import clean_file
from casebook.rawinput import RawInputError, decode_bytes, looks_like_html, read_page

ROOT = Path(__file__).resolve().parents[1]
TEXT = "近年来，某区坚持党建引领基层治理，推动党员下沉社区，为群众办实事好事1200余件。\n责任编辑：张三\n"


@pytest.mark.parametrize("codec,expect", [
    ("utf-8", "utf-8"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("big5", ("big5", "big5hkscs", "cp950")),
])
def test_encoding_detected(codec, expect):
    text = TEXT if codec != "big5" else "近年來，某區堅持黨建引領基層治理，推動黨員下沉社區，為群眾辦實事好事一千二百餘件，群眾滿意度明顯提升。\n"
    got, used = decode_bytes(text.encode(codec))
    assert got == text
    assert used in (expect if isinstance(expect, tuple) else (expect,))


def test_bom_honoured():
    got, used = decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert got == TEXT and used == "utf-8-sig"
    got, used = decode_bytes(TEXT.encode("utf-16"))
    assert got == TEXT and used == "utf-16"


def test_meta_charset_honoured_only_when_bytes_agree():
    html = '<html><head><meta charset="gbk"><title>t</title></head><body><p>党建引领基层治理</p></body></html>'
    assert decode_bytes(html.encode("gbk")) == (html, "gb18030")
    # the page says gbk but the bytes are UTF-8: the bytes win
    assert decode_bytes(html.encode("utf-8")) == (html, "utf-8")


def test_html_detection():
    assert looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    assert looks_like_html("anything", ".htm")
    assert not looks_like_html("首页 > 组织建设 > 基层党建\n<p>正文</p>")


@pytest.mark.parametrize("name,codec,fmt", [
    ("gbk_dump.txt", "gb18030", "text"), ("big5_page.html", "big5hkscs", "html"),
    ("gbk_meta_nav.html", "gb18030", "html"), ("gov_portal_zuzhi.html", "utf-8", "html"),
])
def test_pages_report_encoding_and_format(name, codec, fmt):
    res = clean_file(ROOT / "tests/pages" / name)
    assert (res["encoding"], res["format"]) == (codec, fmt)
    assert res["blocks"]


def test_html_metadata_candidates():
    res = clean_file(ROOT / "tests/pages/gov_portal_zuzhi.html")
    assert res["title"] == "青山镇推行“红色网格”精细化治理 打通服务群众“最后一米”"
    assert res["meta"]["published"] == "2023-05-16"
    assert res["blocks"][0]["kind"] == "title"


@pytest.mark.parametrize("data,needle", [
    (b"", "空"), (b"   \n\n", "空"), (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
    (b"\xff\xd8\xff\xe0" + bytes(64), "JPEG"), (b"%PDF-1.4\n" + bytes(64), "PDF"),
    (b"abc\x00\x01\x02\x00def", "二进制"),
])
def test_unreadable_files_raise_clear_error(tmp_path, data, needle):
    p = tmp_path / "page.txt"
    p.write_bytes(data)
    with pytest.raises(RawInputError) as exc:
        read_page(p)
    assert needle in str(exc.value) and "page.txt" in str(exc.value)
    assert exc.value.path == str(p)


def test_sidecar(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("“红色议事厅”让居民事居民议\n时间：2021-06-18 来源：某某日报\n" + TEXT, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps(
        {"url": "https://example.cn/a", "site": "示例网", "published": "2020-01-01", "title": "别的标题"},
        ensure_ascii=False), encoding="utf-8")
    res = clean_file(page)
    assert res["meta"]["url"] == "https://example.cn/a"
    assert res["meta"]["published"] == "2021-06-18"      # the page's own date wins
    assert res["title"] == "“红色议事厅”让居民事居民议"     # the page's own title wins
    assert res["meta"]["outlet"] == "某某日报"


def test_sidecar_fills_gaps_and_bad_sidecar_is_an_error(tmp_path):
    page = tmp_path / "b.txt"
    page.write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.meta.json").write_text('{"title": "旁注标题", "published": "2020/3/5", "site": "示例网"}',
                                          encoding="utf-8")
    res = clean_file(page)
    assert res["title"] == "旁注标题"
    assert res["meta"]["published"] == "2020-03-05" and res["meta"]["outlet"] == "示例网"
    (tmp_path / "b.meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RawInputError) as exc:
        clean_file(page)
    assert "b.meta.json" in str(exc.value)
