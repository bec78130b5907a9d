"""Writes the hostile corpus: small files are committed beside this script (run it to
regenerate them); big ones (50 MB page, 100,000-line spam page, 10,000-level nesting) are
written by `write_big(folder)` into a temporary folder at test time.

    python tests/hostile/make_corpus.py          # rewrites tests/hostile/raw/ and tests/hostile/cases/
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

TITLE = "青山镇推行“红色网格”精细化治理"
ARTICLE = [
    "近年来，青山镇坚持党建引领基层治理，把党支部建在网格上，全镇划分综合网格64个、专属网格11个。",
    "镇党委选派186名党员担任网格员，每名网格员联系群众30户左右，每月至少入户走访一次。",
    "网格员发现的问题通过“网格通”平台上报，镇村两级限时处置，形成“发现—上报—处置—反馈”闭环。",
    "今年以来，全镇网格员累计走访群众1.2万户次，收集解决群众急难愁盼问题430余件。",
]


def article(title: str = TITLE, paras: list[str] | None = None, date: str = "2023-05-06") -> str:
    body = "\n\n".join(paras or ARTICLE)
    return f"{title}\n\n时间：{date} 来源：青山镇人民政府\n\n{body}\n"


def html_page(title: str, body_html: str, charset: str = "utf-8") -> str:
    return (f'<!doctype html>\n<html><head><meta charset="{charset}"><title>{title}</title></head>\n'
            f"<body><h1>{title}</h1>\n{body_html}\n</body></html>\n")


def paras_html(paras: list[str]) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paras)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# Script injection attempts: every payload a scraped page could carry into Markdown or HTML.
XSS_LINES = [
    "党员先锋岗创建活动<script>alert(1)</script>",
    "近年来，青山镇开展党员先锋岗创建，<img src=x onerror=alert(1)>全镇设岗126个，党员亮身份、作表率。",
    "详情见[活动通知](javascript:alert(1))，报名请点<a href=\"javascript:alert(1)\">这里</a>。",
    "镇党委把活动视频放在网上<iframe src=\"https://evil.example/\"></iframe>，供群众观看，点击量超过3万次。",
    "先锋岗实行“一岗一档”管理 {: onclick=\"alert(1)\" }",
    "每个先锋岗都有公开承诺，群众可以扫码评价<svg onload=alert(1)>，评价结果与年底评星挂钩。",
    "[ref]: javascript:alert(1)",
    "<javascript:alert(1)> ![图](javascript:alert(1)) <div onmouseover=\"alert(1)\">悬停</div>",
    "今年以来，全镇党员先锋岗累计为群众办实事860余件，群众满意度达到98%。",
]

XSS_HTML = """<!doctype html>
<html><head><meta charset="utf-8">
<title>&lt;script&gt;alert(2)&lt;/script&gt;红色物业联盟 - 青山镇</title>
<meta property="og:url" content="javascript:alert(4)">
<script>alert("head")</script>
</head>
<body onload="alert(1)">
<h1>&lt;script&gt;alert(2)&lt;/script&gt;红色物业联盟</h1>
<p>时间：2023-06-01 来源：青山镇</p>
<script>document.write('<p>注入的段落</p>')</script>
<p onclick="alert(1)">近年来，青山镇成立红色物业联盟，把小区党支部、业委会和物业公司拧成一股绳，全镇38个小区全部纳入联盟。</p>
<p>联盟实行“吹哨报到”机制，&lt;img src=x onerror=alert(3)&gt;物业问题由小区党支部吹哨，相关部门限时报到。</p>
<p>群众反映，&lt;iframe src=javascript:alert(5)&gt;&lt;/iframe&gt;以前找物业难，现在小区党支部书记就是“第一责任人”，问题当天就有回音。</p>
<p><a href="javascript:alert(6)">一年来</a>，联盟共解决停车难、加装电梯等问题210件，物业费收缴率提高到93%。</p>
<iframe src="https://evil.example/frame"></iframe>
<p>&amp;lt;script&amp;gt;alert(7)&amp;lt;/script&amp;gt;双重转义的文字也只是文字。</p>
</body></html>
"""


def small_files() -> dict[str, bytes]:
    """name -> bytes of every committed raw page (names are portable: no characters Windows refuses)."""
    utf8 = article().encode("utf-8")
    gbk_html = html_page("网格员走进千家万户", paras_html(ARTICLE[:3]), "utf-8").encode("gbk")
    utf8_html = html_page("网格员走出服务新路子", paras_html(ARTICLE[1:]), "gbk").encode("utf-8")
    cut = article("“党员中心户”点亮乡村振兴").encode("utf-8")
    mid = len(cut) // 2
    while (cut[mid] & 0xC0) == 0x80:  # move to a character start, then cut inside the character
        mid += 1
    truncated_mid = cut[:mid] + cut[mid:mid + 1] + b"\n" + cut[mid + 3:]
    gbk = article("网格党支部建在小区里").encode("gbk")
    boiler = "\n".join(["首页 | 新闻 | 党建 | 专题 | 视频 | 互动", "当前位置：首页 > 党建频道 > 基层动态",
                        "【字体：大 中 小】 【打印本页】 【关闭窗口】", "上一篇：区委组织部开展观摩活动",
                        "相关新闻", "版权所有：青山镇人民政府  主办：青山镇人民政府办公室",
                        "赣ICP备05004172号", "网站标识码：3610020001"]) + "\n"
    dup = article("“党员中心户”点亮乡村振兴“红色引擎”",
                  ["盛夏时节，走进弥渡县寅街镇朵祜村，党员中心户门前的红色标牌格外醒目。",
                   "寅街镇共选树党员中心户1260户，每户联系群众10户以上，带头发展产业、调解矛盾。",
                   "朵祜村党总支书记李建国介绍，党员中心户实行积分管理，年底评星定级。"], "2022-07-01")
    long_title = ("党建引领" * 500)  # 2,000 characters, no punctuation
    # no end tags at all, an unterminated comment and script; and a <title> that is never closed
    unclosed = ("<html><head><title>村级组织活动场所提档升级</title><body><div><div><h1>村级组织活动场所提档升级<p>"
                + "<p>".join(ARTICLE) + "<table><tr><td>网格<td>64个<!-- an unterminated comment <script>alert(1)")
    unclosed_title = ("<html><head><title>村务公开栏全面更新<body><div><p>"
                      + "<p>".join(ARTICLE[1:]) + "<div><span>")
    return {
        "empty.txt": b"",
        "whitespace_only.txt": b"  \n\r\n\t\n\xe3\x80\x80\n",
        "binary.html": bytes(range(256)) * 8,
        "image_named.html": tiny_png(),
        "utf8_declared_gbk_bytes.html": gbk_html,
        "gbk_declared_utf8_bytes.html": utf8_html,
        "truncated_utf8_end.txt": utf8.rstrip(b"\n")[:-1],
        "truncated_utf8_mid.txt": truncated_mid,
        "truncated_gbk_end.txt": gbk[:-1],
        "unclosed.html": unclosed.encode("utf-8"),
        "unclosed_title.html": unclosed_title.encode("utf-8"),
        "boilerplate_only.txt": boiler.encode("utf-8"),
        "duplicate_a.txt": dup.encode("utf-8"),
        "duplicate_b_saved_again.txt": dup.replace("\n\n", "\n\n\n").encode("utf-8"),
        "long_title.txt": article(long_title).encode("utf-8"),
        "long_html_title.html": html_page(long_title, paras_html(ARTICLE[::-1])).encode("utf-8"),
        "slug_twin_a.txt": article("党建引领乡村振兴", ARTICLE[:2]).encode("utf-8"),
        "slug_twin_b.txt": article("党建引领乡村阵兴", ARTICLE[2:]).encode("utf-8"),
        "bad_sidecar.txt": article("村务监督委员会规范运行", ARTICLE[1:]).encode("utf-8"),
        "bad_sidecar.meta.json": b"{not json",
        "xss_text.txt": ("\n\n".join(XSS_LINES) + "\n").encode("utf-8"),
        "xss_page.html": XSS_HTML.encode("utf-8"),
        "xss_page.meta.json": ('{"url": "javascript:alert(8)", "title": "<script>alert(9)</script>红色物业", '
                               '"site": "<img src=x onerror=alert(10)>"}').encode("utf-8"),
    }


ALIAS_BOMB = """---
title: 别名炸弹
lol1: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
lol4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
lol5: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
lol6: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
lol7: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
lol8: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
lol9: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
---

别名炸弹不应被展开。
"""

PYTHON_TAG = """---
title: !!python/object/apply:os.system ["touch {marker}"]
summary: !!python/name:os.getcwd
region: !!python/object/new:casebook.paths.Project ["{marker}"]
---

不应执行任何 Python 对象。
"""


def case_files(marker: str = "/tmp/casebook-hostile-executed") -> dict[str, str]:
    return {"alias_bomb.md": ALIAS_BOMB, "python_tag.md": PYTHON_TAG.replace("{marker}", marker)}


def write_big(folder: Path, size: int = 50_000_000, spam_lines: int = 100_000, depth: int = 10_000) -> dict[str, Path]:
    """The big hostile pages, written into `folder` (a temporary folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    text = article()
    block = ("\n".join(ARTICLE) + "\n").encode("utf-8")
    path = folder / "huge_50mb.txt"
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))
        written = len(text.encode("utf-8"))
        while written < size:
            handle.write(block)
            written += len(block)
    out["huge"] = path
    spam = "\n".join(f"劳务派遣 深圳劳务派遣公司{i} 物业公司 临时工派遣 代开发票 {i % 97}号"
                     for i in range(spam_lines))
    out["spam"] = folder / "spam_100k_lines.txt"
    out["spam"].write_text(spam, encoding="utf-8")
    out["deep"] = folder / "deep_nesting.html"
    out["deep"].write_text(html_page("村级活动场所", "<div>" * depth + paras_html(ARTICLE) + "</div>" * depth),
                           encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    raw = HERE / "raw"
    raw.mkdir(exist_ok=True)
    for name, data in small_files().items():
        (raw / name).write_bytes(data)
    cases = HERE / "cases"
    cases.mkdir(exist_ok=True)
    for name, text in case_files().items():
        (cases / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(small_files())} raw pages and {len(case_files())} case files under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
