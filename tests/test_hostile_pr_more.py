"""More hostile pull requests (issue 13), written from outside: variants test_hostile_pr.py lacks.

Same four checks as there (validate names the file; the built site is inert to the static scan and
to a real Chromium; nothing crashes; /etc/passwd appears nowhere), on new spellings: front-matter
values of the wrong type, encodings and fences, Markdown extensions that emit HTML, file names,
paths that collide with the generated pages, YAML edge values, hard links and sidecar links in
raw/, bodies that make the Markdown parser recurse or run in quadratic time, and Host headers.

HOLES (below) names the tests that fail because of a real hole in a module this branch does not
own; they come first and are kept failing on purpose (none is xfailed). FIXED lists what was fixed
here (policy.yaml, policy.py, sanitize.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from casebook import validate
from casebook.build import mkdocs_build
from test_hostile_pr import CASE_DIR, PASSWD_MARK, ROOT, case, project_with, visit_all  # noqa: F401
from test_security import scan_site

# Tests that FAIL on this branch because of a real hole (kept failing on purpose, not xfailed);
# they are the first tests below. "where" is the module that must change.
HOLES = [
    "test_deep_body_does_not_crash_build[nested-list]: a body with a 300-level nested list makes "
    "Python-Markdown raise RecursionError; mkdocs build aborts with it (validate says nothing) "
    "-> plugin: catch RecursionError per page (or cap list/blockquote/div depth) and report the file",
    "test_deep_body_does_not_crash_build[nested-md-in-html]: 400 nested <div markdown=\"1\"> do the same "
    "(validate flags the attribute, the build still dies) -> same fix",
    "test_bracket_flood_does_not_stall_build: 30,000 `[` (30 KB) keep the build busy for minutes "
    "(Python-Markdown's link pattern is quadratic; 2 MB, the size limit, takes days) -> validate/plugin: "
    "refuse bodies with thousands of unmatched brackets, or render each page under a time limit",
    "test_cases_hard_link_is_refused: cases/guide/hl.md hard-linked to /etc/passwd (root, same "
    "filesystem) is published as a page and not flagged -> plugin.on_config and validate: refuse "
    "policy.hard_links_under(docs) like symlinks (raw/ is fixed in policy.safe_files)",
    "test_validate_flags_every_variant[meta-types]: markup in the front matter of a hand-written page "
    "(guide/m3.md description list, guide/m4.md title list) is not flagged -> validate: run "
    "policy.markup_problems on every page's front matter, not only on cases",
    "test_validate_flags_every_variant[external-images]: Markdown images from other servers "
    "(`![x](//evil.example/p.png)`, reference `[p]: https://…`) are not flagged (the sanitiser now "
    "drops them) -> validate.markdown_links: check image targets with policy html.local_urls",
    "test_theme_named_index_gets_its_own_page: a theme (or domain) whose slug is `index` takes "
    "themes/index.md; its own page is never generated and its links lead to the index -> pages._srcs: "
    "never hand out the slug `index`",
]

# Holes found and fixed on this branch (policy.yaml, policy.py, sanitize.py); their tests pass:
FIXED = [
    "title/description given as a YAML list or mapping reached Material's templates unescaped "
    "(<img onerror> ran) -> sanitize.escape_meta escapes every type",
    "`evil.MD` passed the policy (suffix lower-cased) and MkDocs copied it verbatim -> exact `.md`",
    "cases/tags/index.md, filter.md, regions/…, themes/…, years/… replaced the generated pages -> reserved",
    "raw/x.txt hard-linked to /etc/passwd, raw/x.meta.json symlinked outside were read -> safe_files refuses",
    "<img src=//evil> and https: images made readers' browsers (and the offline bundle) call another "
    "server -> html.local_urls: images only from the site",
    "entity-encoded markup in front matter (&lt;img…&gt;) was not flagged -> policy markup pattern",
]


G = CASE_DIR
# attack class -> {path under cases/: text or bytes}; all built into one site
MORE: dict[str, dict[str, str | bytes]] = {
    "meta-types": {
        f"{G}/m1.md": case(title="['<img src=x onerror=alert(101)>']"),
        f"{G}/m2.md": case(title="{a: '<img src=x onerror=alert(102)>'}"),
        "guide/m3.md": "---\ntitle: 页\ndescription: ['\"><img src=x onerror=alert(103)>']\n---\n\n# 页\n",
        "guide/m4.md": "---\ntitle: ['<svg onload=alert(104)>']\n---\n\n正文\n",
        f"{G}/m5.md": case(tags="[['<img src=x onerror=alert(105)>'], null, {k: '<b onclick=alert(105)>'}]"),
        f"{G}/m6.md": case(title="'</script><script>alert(106)</script>'"),
        f"{G}/m7.md": case(title="'&lt;img src=x onerror=alert(107)&gt;'"),
    },
    "fences": {
        f"{G}/f1.md": "\ufeff" + case(template="redirect.html", location="'javascript:alert(111)'"),
        f"{G}/f2.md": case(template="redirect.html", location="'javascript:alert(112)'").replace("\n", "\r\n"),
        f"{G}/f3.md": case(template="redirect.html").replace("\n---\n\n", "\n...\n\n", 1),
        f"{G}/f4.md": case(body="正文\n\n---\ntemplate: redirect.html\nlocation: javascript:alert(114)\n---\n\n<script>alert(114)</script>"),
        f"{G}/f5.md": "\n" + case(template="redirect.html", location="'javascript:alert(115)'"),
        "guide/f6.md": "--- \ntitle: x\ntemplate: redirect.html\nlocation: javascript:alert(116)\n---\n\n正文\n",
        f"{G}/f7.md": case(title="标题").encode("gbk") + "<img src=x onerror=alert(117)>".encode("gbk"),
        f"{G}/f8.md": case(template="'redirect.html'").replace("---\n", "---\n", 1).encode("utf-16"),
    },
    "md-extensions": {
        f"{G}/e1.md": case(body='<div markdown="1" onclick="alert(121)" id="__config">**粗**</div>'),
        f"{G}/e2.md": case(body="HTML 是什么\n\n*[HTML]: \"><img src=x onerror=alert(122)>"),
        f"{G}/e3.md": case(body='!!! note "<img src=x onerror=alert(123)>"\n    内容'),
        f"{G}/e4.md": case(body='??? note "<img src=x onerror=alert(124)>"\n    内容'),
        f"{G}/e5.md": case(body="术语\n:   <img src=x onerror=alert(125)>定义"),
        f"{G}/e6.md": case(body="[点][r] 和 [再点][s]\n\n[r]: &#106;avascript:alert(126)\n[s]: <javascript:alert(126)>"),
        f"{G}/e7.md": case(body="<javascript:alert(127)> <vbscript:msgbox(127)>"),
        f"{G}/e8.md": case(body="![x](javascript:alert(128)) ![y](data:image/svg+xml,<svg onload=alert(128)>)"),
        f"{G}/e9.md": case(body='<img src="x.png" srcset="javascript:alert(129) 1x">'),
        f"{G}/e10.md": case(body='<a href="&#1;javascript:alert(130)">1</a> <a href=" javascript:alert(130)">2</a> '
                                 '<a href="&#x0A;javascript:alert(130)">3</a> <a href="javascript&colon;alert(130)">4</a>'),
        f"{G}/e11.md": case(body='[点](https://example.org){: onclick="alert(131)" href="javascript:alert(131)" }'),
        f"{G}/e12.md": case(body='| a |\n|:-:|\n| b |\n\n<table><tr><td style="text-align:center;position:fixed;'
                                 'top:0;left:0;width:100%;height:100%;background:url(javascript:alert(132))">x</td></tr></table>'),
        f"{G}/e13.md": case(body="正文[^1]\n\n[^1]: <img src=x onerror=alert(133)> [x](javascript:alert(133))"),
        f"{G}/e14.md": case(body='```html\n<script>alert(134)</script>\n```\n\n<pre><code><script>alert(134)</script></code></pre>'),
        f"{G}/e15.md": case(body='<svg><a xlink:href="javascript:alert(135)"><text>x</text></a></svg>'
                                 '<math><mtext><img src=x onerror=alert(135)></mtext></math>'),
        f"{G}/e16.md": case(body='<form action="javascript:alert(136)"><button>x</button></form>'
                                 '<input autofocus onfocus=alert(136)>'),
        f"{G}/e17.md": case(body='<p class="md-typeset md-dialog md-dialog--active">伪造</p>'
                                 '<p id="md-toggle" class="cb-filter">x</p><a name="__config">y</a>'),
    },
    "external-images": {
        f"{G}/x1.md": case(body='<img src="https://evil.example/pixel.png" alt="像素">'),
        f"{G}/x2.md": case(body='![像素](//evil.example/pixel.png) ![像素](https://evil.example/p2.png "t")'),
        f"{G}/x3.md": case(body='<img src="/\\evil.example/p.png"> <img src="&#x2F;&#x2F;evil.example/p.png">'
                                ' <img src=" HTTPS://evil.example/p.png">'),
        f"{G}/x4.md": case(body="![像素][p]\n\n[p]: https://evil.example/ref.png"),
    },
    "panel-and-map": {  # fields the plugin writes after sanitising (metadata panel, maps, mentions)
        f"{G}/p1.md": case(region="{province: '广东省\" onmouseover=\"alert(171)', city: 茂名市, county: 电白区, code: '440904'}"),
        f"{G}/p2.md": case(region="{province: 广东省, city: 茂名市, county: 电白区, code: '440904\" onmouseover=\"alert(172)'}"),
        f"{G}/p3.md": case(mentions="[{name: '<img src=x onerror=alert(173)>', code: '440904'}, '广州市<svg onload=alert(173)>']"),
        f"{G}/p4.md": case(figures="['<img src=x onerror=alert(174)>', '{: onclick=alert(174) }']"),
        f"{G}/p5.md": case(source="{outlet: '<b onclick=alert(175)>日报</b>', url: 'https://x.example/\"><img src=x onerror=alert(175)>', "
                                  "byline: '</script><script>alert(175)</script>', published: 2021-05-01}"),
        f"{G}/p6.md": case(source="{outlet: 测试日报, url: 'javascript:alert(176)//https://x.example/', published: 2021-05-01}",
                           summary="'=HYPERLINK(\"https://evil.example\",\"alert(176)\")'"),
    },
    "names": {
        f"{G}/cafe\u0301.md": case(),                 # NFD
        f"{G}/\uff58\uff53\uff53.md": case(),         # full-width xss
        f"{G}/a\u202egpj.md": case(),                 # right-to-left override
        f"{G}/{'长' * 80}.md": case(),               # long (240 bytes)
        f"{G}/Case.md": case(title="大小写一"),
        f"{G}/case.md": case(title="大小写二"),
        f"{G}/a%2e%2e%2fb.md": case(),
        f"{G}/x&lt;img.md": case(),
    },
}


# ---------------------------------------------------------------- holes (failing)


DEEP = {
    "nested-list": "".join("    " * i + "- 条\n" for i in range(300)),
    "nested-md-in-html": '<div markdown="1">\n' * 400 + "正文\n" + "</div>\n" * 400,
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_body_does_not_crash_build(tmp_path, kind):
    """One file may fail; the others are published and no RecursionError escapes."""
    from mkdocs.exceptions import Abort

    project = project_with(tmp_path, {f"{G}/deep.md": case(body=DEEP[kind])})
    report = validate.validate(project, jobs=1)
    assert f"cases/{G}/deep.md" in {p.path for p in report.problems}
    site = tmp_path / "site"
    try:
        mkdocs_build(project.mkdocs_yml, site, strict=False)
    except Abort:
        pass  # a clean refusal (build fails as a whole, without a traceback) is fine
    except RecursionError as err:
        pytest.fail(f"RecursionError escaped the build: {err!s:.80}")


@pytest.mark.slow
def test_bracket_flood_does_not_stall_build(tmp_path):
    """30,000 `[` (30 KB: a small case file) must not hold the build for minutes."""
    project = project_with(tmp_path, {f"{G}/flood.md": case(body="[" * 30000)})
    script = textwrap.dedent(f"""
        from casebook.build import mkdocs_build
        try:
            mkdocs_build({str(project.mkdocs_yml)!r}, {str(tmp_path / 'site')!r}, strict=False)
        except BaseException:
            pass
    """)
    t0 = time.monotonic()
    try:
        subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        pytest.fail("the build was still running after 60 s")
    assert time.monotonic() - t0 < 60


def test_cases_hard_link_is_refused(tmp_path):
    from mkdocs.exceptions import Abort

    project = project_with(tmp_path, {})
    _try_hard_link("/etc/passwd", project.cases / "guide" / "hl.md")
    report = validate.validate(project, jobs=1)
    assert "cases/guide/hl.md" in {p.path for p in report.problems if p.kind == "security"}
    site = tmp_path / "site"
    try:
        mkdocs_build(project.mkdocs_yml, site, strict=False)
    except Abort:
        pass
    assert not site.exists() or PASSWD_MARK not in _site_text(site)


def test_theme_named_index_gets_its_own_page(tmp_path):
    project = project_with(tmp_path, {f"{G}/n1.md": case(themes="[index]", domain="Index")})
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    index = (site / "themes/index.html").read_text(encoding="utf-8")
    assert "主题：index" in _site_text(site), "the page of the theme `index` was never generated"
    assert "按工作主题浏览案例" in index


@pytest.mark.parametrize("attack", sorted(MORE))
def test_validate_flags_every_variant(tmp_path, attack):
    project = project_with(tmp_path, MORE[attack])
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems}
    allowed_names = {f"{G}/Case.md", f"{G}/case.md", f"{G}/{'长' * 80}.md"}  # harmless names
    missed = [rel for rel in MORE[attack] if f"cases/{rel}" not in flagged and rel not in allowed_names]
    assert missed == [], f"not flagged: {missed}"
    for p in report.problems:
        assert p.line >= 1 and p.message and not p.message.isascii(), p
        assert PASSWD_MARK not in p.message



# ---------------------------------------------------------------- fixed here, and variants that held


@pytest.fixture(scope="module")
def more_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-more")
    project = project_with(tmp, {k: v for files in MORE.values() for k, v in files.items()})
    site = tmp / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    return project, site


def _site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())


@pytest.mark.parametrize("attack", sorted(MORE))
def test_site_inert(more_site, attack):
    """The static scan, per attack class: no alert(NNN) of this class outside escaped text."""
    from bs4 import BeautifulSoup

    _, site = more_site
    assert scan_site(site) == []
    marks = {m for rel, text in MORE[attack].items() for m in _alert_marks(text)}
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        for el in soup.find_all(True):
            for name, value in el.attrs.items():
                value = " ".join(value) if isinstance(value, list) else str(value)
                if name.startswith("on") or any(m in value for m in marks) and name in ("href", "src", "action", "srcset"):
                    pytest.fail(f"{page.relative_to(site)}: <{el.name} {name}={value[:60]!r}>")
            # the site's own map is an <svg> that shows names as escaped text: attributes are checked above
            if el.name in ("script", "form", "input", "iframe", "object", "embed") and any(m in el.decode() for m in marks):
                pytest.fail(f"{page.relative_to(site)}: {el.decode()[:80]}")


def _alert_marks(text) -> set[str]:
    import re

    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return set(re.findall(r"(?:alert|msgbox)\(\d+\)", text))


def test_upper_case_md_is_not_copied_raw(tmp_path):
    project = project_with(tmp_path, {"guide/evil.MD": "<script>alert(141)</script>",
                                      "guide/evil.Md": "<img src=x onerror=alert(142)>"})
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems if p.kind == "security"}
    assert {"cases/guide/evil.MD", "cases/guide/evil.Md"} <= flagged
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    assert "alert(141)" not in _site_text(site) and "alert(142)" not in _site_text(site)


# editor files at the paths of the plugin's own generated pages
GENERATED_PATHS = ["tags/index.md", "regions/index.md", "themes/index.md", "domains/index.md",
                   "years/index.md", "filter.md", "themes/ganbuduiwujianshe.md", "years/2021.md"]


def test_generated_pages_cannot_be_replaced(tmp_path):
    fake = "---\ntitle: 伪造\n---\n\n# 伪造页面 FAKE-PAGE\n\n请访问 https://evil.example/ 下载\n"
    project = project_with(tmp_path, {p: fake for p in GENERATED_PATHS})
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems if p.kind == "security"}
    assert [p for p in GENERATED_PATHS if f"cases/{p}" not in flagged] == []
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    assert [p for p in site.rglob("*.html") if "FAKE-PAGE" in p.read_text(encoding="utf-8")] == []


@pytest.fixture
def raw_project(tmp_path):
    (tmp_path / "p").mkdir()
    project = project_with(tmp_path / "p", {})
    project.raw.mkdir(exist_ok=True)
    shutil_copy(next((ROOT / "raw").glob("*.txt")), project.raw / "page.txt")
    return project


def shutil_copy(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())


def _try_hard_link(target: str, link: Path) -> None:
    try:
        os.link(target, link)
    except OSError as err:  # another filesystem, or protected_hardlinks for a non-root user
        pytest.skip(f"cannot hard-link {target} here: {err}")


def test_raw_hard_link_is_refused(raw_project):
    from casebook import convert

    _try_hard_link("/etc/passwd", raw_project.raw / "hl.txt")
    report = validate.validate(raw_project, jobs=1)
    assert "raw/hl.txt" in {p.path for p in report.problems if p.kind == "security"}
    result = convert.convert(raw_project, jobs=1, progress=False)
    assert any(path == "raw/hl.txt" for path, _ in result.skipped)
    assert not [p for p in raw_project.cases.rglob("*.md") if PASSWD_MARK in p.read_text(encoding="utf-8")]


def test_raw_sidecar_link_is_refused(raw_project, tmp_path):
    from casebook import convert

    outside = tmp_path / "outside.json"
    outside.write_text('{"title": "OUTSIDE-SECRET 标题", "site": "OUTSIDE-SECRET"}', encoding="utf-8")
    os.symlink(outside, raw_project.raw / "page.meta.json")
    os.mkdir(raw_project.raw / "sub")
    shutil_copy(raw_project.raw / "page.txt", raw_project.raw / "sub" / "p2.txt")
    os.symlink("/etc/passwd", raw_project.raw / "sub" / "p2.meta.json")
    report = validate.validate(raw_project, jobs=1)
    flagged = {p.path for p in report.problems if p.kind == "security"}
    assert {"raw/page.meta.json", "raw/sub/p2.meta.json"} <= flagged or {"raw/page.txt", "raw/sub/p2.txt"} <= flagged
    convert.convert(raw_project, jobs=1, progress=False)
    for md in raw_project.cases.rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert "OUTSIDE-SECRET" not in text and PASSWD_MARK not in text, md


def test_case_pages_load_nothing_from_other_servers(more_site):
    from bs4 import BeautifulSoup

    _, site = more_site
    for page in site.rglob("*.html"):
        content = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").select_one(".md-content")
        for img in content.find_all("img", src=True) if content else []:
            assert "evil.example" not in img["src"], (page, img)


def test_no_passwd_and_no_reserved_ids_in_site(more_site):
    from bs4 import BeautifulSoup

    _, site = more_site
    assert PASSWD_MARK not in _site_text(site)
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        content = soup.select_one(".md-content") or soup
        ids = [el["id"] for el in content.find_all(id=True) if el["id"].startswith(("__", "md-"))]
        assert ids == [], (page, ids)


YAML_EDGES = {
    "y-date-zero": case(source="{outlet: 测试日报, published: 0000-00-00}"),
    "y-year-huge-float": case(year="1.0e+400"),
    "y-year-nan": case(year=".nan"),
    "y-year-string-digits": case(year="'" + "9" * 4000 + "'"),
    "y-year-date": case(year="2021-05-01"),
    "y-year-bool": case(year="yes"),
    "y-tags-null": case(tags="null"),
    "y-tags-mapping": case(tags="{a: b}"),
    "y-one-line-64k": case(summary="'" + "长" * 22000 + "'"),
    "y-many-keys": case(**{f"k{i}": "1" for i in range(8000)}),
    "y-repeated": "---\ntitle: x\nsummary: [" + ",".join(["'" + "a" * 1000 + "'"] * 60) + "]\n---\n\n正文\n",
    "y-binary-tag": case(summary="!!binary PHNjcmlwdD4="),
    "y-python-tag": case(summary="!!python/object/apply:os.system ['echo PWNED']"),
    "y-merge-key": case(region="{<<: {province: 广东省}, code: '440904'}"),
    "y-set": case(tags="!!set {a, b}"),
}


@pytest.mark.parametrize("name", sorted(YAML_EDGES))
def test_yaml_edges_are_errors_not_crashes(tmp_path, name):
    from casebook.site.records import RecordError, from_meta, split_front_matter

    text = YAML_EDGES[name]
    rel = f"{G}/{name}.md"
    project = project_with(tmp_path, {rel: text})
    report = validate.validate(project, jobs=1)
    mine = [p for p in report.problems if p.path == f"cases/{rel}"]
    ok_as_is = {"y-tags-null"}
    assert mine or name in ok_as_is, "not flagged"
    for p in mine:
        assert not p.message.isascii() and "Traceback" not in p.message
    try:  # what the plugin does with it: a record, or RecordError (never another exception)
        meta, body = split_front_matter(text)
        from_meta(rel, meta, body)
    except RecordError:
        pass


def test_yaml_edges_build_without_traceback(tmp_path, caplog):
    project = project_with(tmp_path, {f"{G}/{n}.md": t for n, t in YAML_EDGES.items()})
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    assert (site / "index.html").is_file()
    assert "PWNED" not in caplog.text and "Traceback" not in caplog.text


def test_case_source_raw_outside_is_flagged_and_never_read(tmp_path):
    from casebook import convert

    (tmp_path / "p").mkdir()
    rel = f"{G}/sr.md"
    project = project_with(tmp_path / "p", {
        rel: case(source="{outlet: 测试日报, raw: ../../../../../../etc/passwd, published: 2021-05-01}"),
        f"{G}/sr2.md": case(source="{outlet: 测试日报, raw: /etc/passwd, published: 2021-05-01}"),
        f"{G}/sr3.md": case(source="{outlet: 测试日报, raw: raw/../../../etc/passwd, published: 2021-05-01}")})
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems if p.field == "source.raw"}
    assert {f"cases/{G}/sr.md", f"cases/{G}/sr2.md", f"cases/{G}/sr3.md"} <= flagged
    assert not any(PASSWD_MARK in p.message for p in report.problems)
    project.raw.mkdir(exist_ok=True)
    convert.convert(project, jobs=1, progress=False)
    assert not [p for p in project.cases.rglob("*.md") if PASSWD_MARK in p.read_text(encoding="utf-8")]


FILES = {
    "png-with-svg": ("guide/a.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(151)"/>'),
    "jpg-with-html": ("guide/b.jpg", b"<html><script>alert(152)</script>"),
    "webp-upper": ("guide/c.WEBP", b"<script>alert(153)</script>"),
    "svgz": ("guide/d.svgz", b"\x1f\x8b"),
    "xml": ("sitemap.xml", b"<?xml version='1.0'?><x/>"),
    "manifest": ("guide/site.webmanifest", b"{}"),
    "htaccess": (".htaccess", b"AddType text/html .png"),
    "nojekyll-dir": ("search/index.md", b"---\ntitle: x\n---\n\nfake search\n"),
    "stylesheets": ("stylesheets/extra.css", b"body{display:none}"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_non_case_files_are_refused(tmp_path, name):
    rel, data = FILES[name]
    project = project_with(tmp_path, {rel: data})
    report = validate.validate(project, jobs=1)
    if not rel.startswith("."):  # hidden files: MkDocs leaves them out, validate does not list them
        assert f"cases/{rel}" in {p.path for p in report.problems if p.kind == "security"}
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    out = site / rel
    assert not out.exists() or out.read_bytes() != data


def test_gif_polyglot_is_only_an_image(tmp_path):
    """A valid GIF header that is also JavaScript: published (it is an image) but never loadable
    as a script, because no <script> survives sanitising."""
    poly = b"GIF89a=1;alert(161);//" + b"\0" * 16
    project = project_with(tmp_path, {"guide/p.gif": poly,
                                      "guide/p.md": '---\ntitle: 图\n---\n\n<script src="p.gif"></script>![图](p.gif)\n'})
    site = tmp_path / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)
    html = next(p for p in site.rglob("*.html") if "guide" in p.parts and p.parent.name == "p").read_text(encoding="utf-8")
    assert "<script src=\"p.gif\"" not in html and '<script src="../p.gif"' not in html
    assert scan_site(site) == []


# ---------------------------------------------------------------- the preview server


@pytest.mark.parametrize("host,ok", [
    ("127.0.0.1:8000", True), ("LOCALHOST:8000", True), ("[::1]:8000", True),
    ("127.0.0.1.:8000", False), ("localhost.:8000", False), ("[0:0:0:0:0:0:0:1]:8000", False),
    ("[::ffff:127.0.0.1]:8000", False), ("2130706433:8000", False), ("0x7f000001:8000", False),
    ("127.1:8000", False), ("", False), (" 127.0.0.1:8000", False), ("127.0.0.1:8000 ", False),
    ("127.0.0.1:8000@evil.example", False), ("evil.example#127.0.0.1:8000", False),
    ("127.0.0.1:08000", False), ("127.0.0.1", False), ("localhost", False),
    ("localhost:8000.evil.example", False), ("127.0.0.1:8000\r\nX: y", False),
])
def test_preview_host_variants(host, ok):
    from casebook import preview

    seen = []
    app = preview.guard(lambda environ, start: seen.append("app") or [b"ok"], 8000)
    codes = []
    environ = {"PATH_INFO": "/"} if host == "" else {"HTTP_HOST": host, "PATH_INFO": "/"}
    app(environ, lambda code, headers: codes.append(code))
    assert (seen == ["app"]) == ok, (host, codes)


@pytest.mark.parametrize("path", ["http://evil.example/", "//evil.example/x", "/../../etc/passwd",
                                  "/%2e%2e/%2e%2e/etc/passwd", "/" + "a" * 5000, "/\udcff"])
def test_preview_odd_paths_never_crash(path):
    from casebook import preview

    app = preview.guard(lambda environ, start: start("404 Not Found", []) or [b""], 8000)
    codes = []
    try:
        encoded = path.encode("utf-8", "surrogateescape").decode("latin-1")
    except UnicodeError:
        encoded = path
    app({"HTTP_HOST": "127.0.0.1:8000", "PATH_INFO": encoded}, lambda code, headers: codes.append(code))
    assert codes and codes[0][:3] in ("400", "403", "404"), codes


def test_preview_refuses_non_loopback_bind_spellings():
    from casebook import preview

    for addr in ("0:8000", "[::]:8000", "127.0.0.1.:8000", "localhost.:8000", "::ffff:127.0.0.1:8000",
                 "127.0.0.1:8000:9", "127.0.0.1:-1", "127.0.0.1:", ":8000", "[::1]:x"):
        assert preview.loopback_addr(addr) is None, addr


# ---------------------------------------------------------------- the browser


@pytest.mark.slow
def test_chromium_sees_nothing_run_on_more_variants(more_site, browser):
    import functools
    import http.server
    import threading

    from test_hostile_pr import _Quiet, _Server

    _, site = more_site
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        # percent-encoded as the browser reports them (the crawler compares page.url with the URL)
        urls = [base + quote(p.relative_to(site).as_posix()) for p in sorted(site.rglob("*.html"))]
        assert visit_all(browser, urls, base) == []
    finally:
        server.shutdown()
    del http


@pytest.mark.slow
def test_offline_bundle_of_more_variants_is_inert(more_site, browser, tmp_path):
    import zipfile

    from casebook.bundle import build_bundle

    project, _ = more_site
    result = build_bundle(project, out_dir=tmp_path)
    zip_path = result if isinstance(result, Path) else next(tmp_path.rglob("*.zip"))
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            assert PASSWD_MARK not in z.read(name).decode("utf-8", "replace"), name
        z.extractall(tmp_path / "u")
    site = next(p.parent for p in (tmp_path / "u").rglob("index.html") if (p.parent / "assets").is_dir())
    assert scan_site(site) == []
    urls = [p.resolve().as_uri() for p in sorted(site.rglob("*.html")) if p.name != "404.html"]
    assert visit_all(browser, urls, site.resolve().as_uri()) == []


@pytest.mark.slow
def test_search_results_run_nothing(more_site, browser):
    """Typing the hostile words into the theme's search renders results without running them."""
    import functools
    import threading

    from test_hostile_pr import _Quiet, _Server

    _, site = more_site
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    problems: list[str] = []
    try:
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
        page.goto(base, wait_until="load")
        for query in ("img onerror", "alert", "script", "恶意测试案例", "svg onload"):
            page.fill("input.md-search__input", query)
            page.wait_for_timeout(600)
            for el in page.query_selector_all(".md-search-result *"):
                try:
                    el.hover(timeout=200)
                except Exception:  # noqa: BLE001 - hidden or detached result element
                    pass
            bad = page.evaluate("() => [...document.querySelectorAll('.md-search-result *')]"
                                ".flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))")
            problems += bad
        context.close()
    finally:
        server.shutdown()
    assert problems == []
