"""Security (issue 6): scraped text is untrusted. Script-injection pages (tests/hostile/raw/xss_*)
go through convert and the real MkDocs + Material build; a scanner built on a real HTML parser
then checks every page of the site: each <script> is the theme's own (an asset under assets/ that
is byte-identical to a Material or overrides/ file, one of the inline scripts Material's templates
emit, its JSON config) or a data-only script (`window.X = <JSON>;`); no on* attribute, no
javascript:/vbscript:/data:text/html URL, no iframe/frame/embed/object anywhere; the search
index's text holds none either."""
from __future__ import annotations

import json
import re
import shutil
from functools import lru_cache
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from casebook.casefile import parse
from casebook.convert import md_text, plain_text, safe_url, source_line
from casebook.paths import Project

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)></iframe>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "标题 {: onclick=\"alert(1)\" }",
    "文字\n{: onclick=\"alert(1)\" }",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "[ref]: javascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<div markdown=\"1\" onclick=\"alert(1)\">x</div>",
    "`<script>`",
]
EXTENSIONS = ["abbr", "attr_list", "md_in_html", "def_list", "tables", "admonition", "toc"]
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc",
             "cite", "lowsrc", "dynsrc", "srcset"}
BAD_TAGS = {"iframe", "frame", "frameset", "embed", "object", "applet", "base"}


# ---------------------------------------------------------------- the scanner


def _material() -> Path:
    import material

    return Path(material.__file__).parent / "templates"


@lru_cache(maxsize=1)
def theme_inline_scripts() -> list[re.Pattern]:
    """Every inline <script> body the theme's templates (Material's and overrides/) can emit, as a
    pattern: a Jinja expression inside may stand for a value without quotes or angle brackets."""
    patterns = []
    for folder in (_material(), ROOT / "overrides"):
        for template in folder.rglob("*.html"):
            for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
                parts = re.split(r"\{\{.*?\}\}", body.strip())
                patterns.append(re.compile("^" + r'[^"<>\\]*'.join(map(re.escape, parts)) + "$", re.S))
    return patterns


@lru_cache(maxsize=1)
def theme_assets() -> set[bytes]:
    files = list((_material() / "assets").rglob("*.js")) + list((ROOT / "overrides").rglob("*.js"))
    return {f.read_bytes() for f in files}


DATA_SCRIPT = re.compile(r"^\s*window\.[A-Za-z_$][\w$]*\s*=\s*(.*?);?\s*$", re.S)


def data_only(js: str) -> bool:
    """`window.NAME = <JSON>;`: data, whatever strings it holds."""
    m = DATA_SCRIPT.match(js)
    if not m:
        return False
    try:
        json.loads(m.group(1))
    except ValueError:
        return False
    return True


def _bad_url(value: str) -> bool:
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:text/html", "livescript:"))


def scan_markup(soup: BeautifulSoup, where: str) -> list[str]:
    """Problems in one parsed document or fragment, scripts aside."""
    found = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name in BAD_TAGS:
            found.append(f"{where}: <{name}>")
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on"):
                found.append(f"{where}: <{name} {attr}=…>")
            if attr.lower() in URL_ATTRS and _bad_url(value):
                found.append(f"{where}: <{name} {attr}={value[:40]}>")
            if attr.lower() == "style" and re.search(r"expression\s*\(|javascript:|url\s*\(\s*['\"]?\s*javascript",
                                                     value, re.I):
                found.append(f"{where}: <{name} style={value[:40]}>")
        if name == "meta" and (tag.get("http-equiv") or "").lower() == "refresh" and "javascript" in str(tag).lower():
            found.append(f"{where}: <meta refresh javascript>")
    return found


def scan_site(site: Path) -> list[str]:
    problems: list[str] = []
    for page in sorted(site.rglob("*.html")) + sorted(site.rglob("*.svg")):
        where = page.relative_to(site).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8", errors="replace"), "lxml")
        problems += scan_markup(soup, where)
        for script in soup.find_all("script"):
            kind = (script.get("type") or "text/javascript").lower()
            if script.get("src"):
                src = script["src"].split("?")[0].split("#")[0]
                if re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I):
                    problems.append(f"{where}: external or scheme script {src}")
                    continue
                target = (site / src.lstrip("/")) if src.startswith("/") else (page.parent / src)
                target = target.resolve()
                if site.resolve() not in target.parents or not target.is_file():
                    problems.append(f"{where}: script {src} is not a file of the site")
                elif target.read_bytes() not in theme_assets() \
                        and not data_only(target.read_text(encoding="utf-8", errors="replace")):
                    problems.append(f"{where}: script {src} is neither a theme asset nor data")
                continue
            body = script.string or ""
            if kind == "application/json":
                try:
                    json.loads(body)
                except ValueError:
                    problems.append(f"{where}: JSON script that is not JSON")
                continue
            if not any(p.match(body.strip()) for p in theme_inline_scripts()) and not data_only(body):
                problems.append(f"{where}: inline script not from the theme: {body[:60]!r}")
    index = site / "search" / "search_index.json"
    if index.is_file():
        for doc in json.loads(index.read_text(encoding="utf-8")).get("docs", []):
            for key in ("title", "text"):
                fragment = BeautifulSoup(str(doc.get(key) or ""), "lxml")
                where = f"search_index[{doc.get('location')}].{key}"
                problems += scan_markup(fragment, where)
                problems += [f"{where}: <script>" for _ in fragment.find_all("script")]
    return problems


# ---------------------------------------------------------------- the built site


def copy_site_sources(tmp: Path) -> Project:
    """A project with the real mkdocs.yml, overrides/ and hand-written pages of cases/ (no cases)."""
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp / "overrides")
    userdict = ROOT / "scripts/casebook/data/userdict.txt"
    (tmp / "scripts/casebook/data").mkdir(parents=True)
    shutil.copy(userdict, tmp / "scripts/casebook/data/userdict.txt")
    for page in (ROOT / "cases").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if re.search(r"^generated:", text, re.M):
            continue  # generated cases: the test brings its own
        target = tmp / "cases" / page.relative_to(ROOT / "cases")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Project(tmp)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """`casebook build` (clean + convert + mkdocs build --strict) over the committed hostile corpus."""
    import os

    from casebook.cli import main as cli_main

    tmp = tmp_path_factory.mktemp("xss-site")
    project = copy_site_sources(tmp)
    shutil.copytree(HOSTILE / "raw", project.raw)
    for seed in (ROOT / "raw").glob("*.txt"):  # real pages too: browse pages and maps get content
        shutil.copy(seed, project.raw / seed.name)
    before = {p.relative_to(tmp).as_posix(): p.read_bytes() for p in tmp.rglob("*")
              if p.is_file() and not p.relative_to(tmp).parts[0] == "cases"}
    old = os.environ.get("CASEBOOK_ROOT")
    os.environ["CASEBOOK_ROOT"] = str(project.root)
    try:
        status = cli_main(["build", "-q", "--jobs", "1"])
    finally:
        if old is None:
            del os.environ["CASEBOOK_ROOT"]
        else:
            os.environ["CASEBOOK_ROOT"] = old
    return project, status, before


def test_build_exit_status_says_pages_were_skipped(hostile_site):
    project, status, _ = hostile_site
    assert status == 1  # the site is built, but empty.txt, binary.html … were skipped
    assert (project.site / "index.html").is_file()


def test_build_writes_only_into_its_own_folders(hostile_site):
    project, _, before = hostile_site
    after = {p.relative_to(project.root).as_posix(): p for p in project.root.rglob("*") if p.is_file()}
    outputs = ("cases", "site", "dist", ".casebook-cache")
    for rel, path in after.items():
        if rel.split("/")[0] not in outputs:
            assert rel in before and path.read_bytes() == before[rel], f"{rel} written outside the output folders"
    assert set(before) <= set(after)  # raw pages, config and theme untouched and all still there


def test_injection_pages_become_cases(hostile_site):
    project, _, _ = hostile_site
    cases = {}
    for path in project.cases.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "\ngenerated:" in text:
            doc = parse(text)
            cases[doc.meta["source"]["raw"]] = (doc, text)
    doc, text = cases["raw/xss_text.txt"]
    assert "全镇设岗126个" in doc.body and "办实事860余件" in doc.body
    doc, text = cases["raw/xss_page.html"]
    assert "全镇38个小区全部纳入联盟" in doc.body and "物业费收缴率提高到93%" in doc.body
    # a hostile url (sidecar, og:url) is no link; title/outlet lose their markup
    assert "url" not in doc.meta["source"] and "javascript" not in text
    assert "<" not in doc.meta["title"] and "<" not in doc.meta["source"].get("outlet", "")


def test_built_site_carries_no_injected_script(hostile_site):
    project, _, _ = hostile_site
    site = project.site
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    problems = scan_site(site)
    assert problems == [], "\n".join(problems[:30])
    # the hostile pages really are in the site, their text shown as text
    texts = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "办实事860余件" in texts and "全镇38个小区全部纳入联盟" in texts
    assert "{: onclick=&quot;alert(1)&quot; }" in texts or '{: onclick="alert(1)" }' in texts


def test_scanner_catches_what_it_must(tmp_path):
    """The scanner is only worth its silence if it speaks: plant each injection in a copy of a page."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.js").write_text("window.X=[\"</script><script>alert(1)\"];", encoding="utf-8")
    (site / "evil.js").write_text("alert(1)", encoding="utf-8")
    plants = {
        "inline": "<script>alert(1)</script>",
        "onerror": "<img src=x onerror=alert(1)>",
        "href": "<a href=' java\tscript:alert(1)'>x</a>",
        "iframe": "<iframe src=https://evil.example></iframe>",
        "svg": "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
        "evilsrc": "<script src='evil.js'></script>",
        "external": "<script src='https://cdn.example/x.js'></script>",
        "style": "<p style='background:url(javascript:alert(1))'>x</p>",
    }
    for name, html in plants.items():
        (site / f"{name}.html").write_text(f"<html><body><p>正文</p>{html}</body></html>", encoding="utf-8")
    (site / "fine.html").write_text("<html><body><script src='ok.js'></script><p>&lt;script&gt;</p></body></html>",
                                    encoding="utf-8")
    problems = scan_site(site)
    for name in plants:
        assert any(p.startswith(f"{name}.html:") for p in problems), (name, problems)
    assert not any(p.startswith("fine.html") for p in problems)


# ---------------------------------------------------------------- the converter's escaping


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_leaves_nothing_active(payload):
    for markup in (md_text(payload), "## " + md_text(payload), "### " + md_text(payload),
                   f"*{md_text(payload)}*"):
        rendered = markdown.markdown(markup, extensions=EXTENSIONS)
        soup = BeautifulSoup(rendered, "lxml")
        assert not soup.find_all(["script", "iframe", "img", "svg", "a"]), (payload, rendered)
        assert not scan_markup(soup, "x"), (payload, rendered)
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_plain_text_strips_markup_and_keeps_words():
    assert plain_text("<script>alert(9)</script>红色物业") == "红色物业"
    assert plain_text("全镇<img src=x onerror=alert(1)>设岗126个") == "全镇设岗126个"
    assert plain_text("收入<3000元的家庭，A>B") == "收入<3000元的家庭，A>B"
    assert plain_text("&lt;b&gt; 原样") == "&lt;b&gt; 原样"
    assert plain_text("没有标记的文字") == "没有标记的文字"


def test_only_http_links_reach_a_case():
    assert safe_url("https://www.gov.cn/a.html?x=1&y=2") == "https://www.gov.cn/a.html?x=1&y=2"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>", "http://a b",
                "https://a.cn/\"onmouseover=alert(1)", "vbscript:x", "//evil.example", None, 3):
        assert safe_url(bad) is None, bad
    line = markdown.markdown(source_line({"title": "t", "url": "https://a.cn/x_(1).html"}))
    assert 'href="https://a.cn/x_(1).html"' in line
    assert "href" not in markdown.markdown(source_line({"title": "t", "url": "javascript:alert(1)"}))


def test_site_build_neither_runs_nor_expands_hostile_front_matter(tmp_path):
    """An editor's case file with a YAML alias bomb or !!python tags: the build finishes quickly,
    runs nothing, and the page carries no expanded bomb."""
    import importlib.util
    import time

    from casebook.build import mkdocs_build

    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    project = copy_site_sources(tmp_path)
    marker = tmp_path / "executed"
    (project.cases / "guangdong").mkdir(parents=True, exist_ok=True)
    for name, text in corpus.case_files(str(marker)).items():
        (project.cases / "guangdong" / name).write_text(text, encoding="utf-8")
    started = time.perf_counter()
    mkdocs_build(project.mkdocs_yml, project.site, strict=False)
    assert time.perf_counter() - started < 60
    assert not marker.exists()
    assert sum(p.stat().st_size for p in project.site.rglob("*") if p.is_file()) < 50_000_000
    assert scan_site(project.site) == []
