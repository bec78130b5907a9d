"""A hostile pull request (issue 13): case files and raw pages written as an attacker would.

Every attack class comes in several spellings. For each: `casebook validate` names the file as an
error; the site the plugin builds anyway (plain `mkdocs build`, as a reviewer's machine would) and
the offline bundle carry nothing that runs: a static scan of every page, then a real headless
Chromium that opens every page, focuses, hovers and clicks every element and sees no dialog, no
redirect and no foreign navigation; and /etc/passwd appears nowhere. Symlinks make the build refuse.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from casebook import casefile, validate
from casebook.build import mkdocs_build
from casebook.paths import Project
from test_security import copy_site_sources, scan_site

ROOT = Path(__file__).resolve().parents[1]
PASSWD_MARK = "root:x:0:0"

GOOD = {
    "summary": "村党支部书记带头，建立后备干部队伍。",
    "region": '{province: 广东省, city: 茂名市, county: 电白区, code: "440904"}',
    "domain": "农村",
    "themes": "[干部队伍建设]",
    "tags": "[后备干部]",
    "year": "2021",
    "source": "{outlet: 测试日报, url: 'https://example.org/a.html', published: 2021-05-01}",
}


def case(body: str = "村党支部书记带头，建立后备干部队伍。", **fields: str) -> str:
    """A case file: valid fields, some replaced or added by the attack (value '' drops a field)."""
    meta = {"title": "恶意测试案例", **GOOD, **fields}
    front = "\n".join(f"{k}: {v}" for k, v in meta.items() if v != "")
    return f"---\n{front}\n---\n\n{body}\n"


CASE_DIR = "guangdong/maoming/dianbai"

# attack class -> {path under cases/: text or bytes}
ATTACKS: dict[str, dict[str, str | bytes]] = {
    "attr-list-in-names": {
        f"{CASE_DIR}/a1.md": case(themes="['恶意 {: tabindex=\"1\" autofocus=\"\" onfocus=\"alert(1)\" }']"),
        f"{CASE_DIR}/a2.md": case(domain="'农村 {: autofocus onfocus=alert(2) }'"),
        f"{CASE_DIR}/a3.md": case(region='{province: 广东省, city: 茂名市, county: "电白区{: autofocus onfocus=alert(3) }"}'),
        f"{CASE_DIR}/a4.md": case(tags="['标签 {: onclick=alert(4) }', '{#x .y onmouseover=alert(4)}']"),
        f"{CASE_DIR}/a5.md": case(title="'标题 {: autofocus onfocus=alert(5) }'"),
        f"{CASE_DIR}/a6.md": case(themes="['主题<img src=x onerror=alert(6)>']", year="2019"),
    },
    "file-names": {
        f"{CASE_DIR}/x.md)<img src=x onerror=alert(11)>(.md": case(),
        f"{CASE_DIR}/b\"><svg onload=alert(12)>.md": case(),
        f"{CASE_DIR}/c[x](javascript:alert(13)).md": case(),
        f"{CASE_DIR}/d onmouseover=alert(14).md": case(),
    },
    "theme-templates": {
        f"{CASE_DIR}/t1.md": case(template="redirect.html", location="'javascript:alert(21)'"),
        f"{CASE_DIR}/t2.md": case(template="redirect.html", location="'x\";alert(22);//'"),
        f"{CASE_DIR}/t3.md": case(template="'../../../../etc/passwd'"),
        f"{CASE_DIR}/t4.md": case(hide="[navigation, toc, footer]", search="{exclude: true}"),
        f"{CASE_DIR}/t5.md": case(status="'\"><img src=x onerror=alert(25)>'", icon="'<svg onload=alert(25)>'"),
        "guide/t6.md": "---\ntitle: 页面\ntemplate: redirect.html\nredirect: javascript:alert(26)\n---\n\n# 页面\n",
        "guide/t7.md": "template: redirect.html\nlocation: javascript:alert(27)\n\n正文\n",  # MultiMarkdown meta
    },
    "file-types": {
        "evil.html": "<script>alert(31)</script>",
        "guide/x.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(32)"><circle r="3"/></svg>',
        "data/cases.js": "alert(33)",
        "assets/javascripts/casebook.js": "alert(34)",
        "guide/fake.png": b"<script>alert(35)</script>",
        "guide/evil.js": "alert(36)",
        "guide/page.htm": "<body onload=alert(37)>",
        "assets/images/favicon.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    },
    "theme-ids": {
        f"{CASE_DIR}/i1.md": case(body='<div id="__config">{"base":".","features":[],"search":'
                                       '"data:text/javascript,alert(41)","translations":{}}</div>'),
        f"{CASE_DIR}/i2.md": case(body='正文 <span id="__search" class="md-search">x</span>'),
        f"{CASE_DIR}/i3.md": case(body="正文段落\n{: #__config }"),
        f"{CASE_DIR}/i4.md": case(body='<p class="md-typeset cb-meta">伪造的信息栏</p>'),
    },
    "yaml": {
        f"{CASE_DIR}/y1.md": "---\ntitle: 深\nregion: " + "[" * 30000 + "]" * 30000 + "\n---\n\n正文\n",
        f"{CASE_DIR}/y2.md": case(year="9" * 5000),
        f"{CASE_DIR}/y3.md": case(year=".inf"),
        f"{CASE_DIR}/y4.md": case(source="{outlet: 测试日报, published: 2021-13-45}"),
        f"{CASE_DIR}/y5.md": case(source="{outlet: 测试日报, published: 2021-02-30}"),
        f"{CASE_DIR}/y6.md": "---\ntitle: 深\nsource:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200))
                             + "  " * 200 + "v: 1\n---\n\n正文\n",
    },
    "body-html": {
        f"{CASE_DIR}/h1.md": case(body='<a href="&#106;avascript:alert(51)">点</a>'),
        f"{CASE_DIR}/h2.md": case(body="[点](&#x6A;avascript:alert(52)) [再点](JaVaScRiPt:alert(52))"),
        f"{CASE_DIR}/h3.md": case(body='<a href="java&#09;script:alert(53)">点</a>'),
        f"{CASE_DIR}/h4.md": case(body='<meta http-equiv="refresh" content="0;url=javascript:alert(54)">'),
        f"{CASE_DIR}/h5.md": case(body='<base href="javascript:alert(55)//">'),
        f"{CASE_DIR}/h6.md": case(body='<details open ontoggle="alert(56)"><summary>x</summary>y</details>'),
        f"{CASE_DIR}/h7.md": case(body='<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg1Nyk8L3NjcmlwdD4=">点</a>'),
    },
}


def project_with(tmp: Path, files: dict[str, str | bytes]) -> Project:
    """The real site sources, the sample cases, and the attack's files."""
    project = copy_site_sources(tmp)
    for page in (ROOT / "cases").rglob("*.md"):
        target = project.cases / page.relative_to(ROOT / "cases")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(page, target)
    for rel, content in files.items():
        target = project.cases / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.write_bytes if isinstance(content, bytes) else functools.partial(target.write_text, encoding="utf-8"))(content)
    return project


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_validate_flags_every_attack_file(tmp_path, attack):
    project = project_with(tmp_path, ATTACKS[attack])
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems}
    missed = [rel for rel in ATTACKS[attack] if f"cases/{rel}" not in flagged]
    assert missed == [], f"not flagged: {missed}"
    for p in report.problems:
        assert p.line >= 1 and p.message and not p.message.isascii(), p  # a Chinese message with a line


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-pr")
    project = project_with(tmp, {k: v for files in ATTACKS.values() for k, v in files.items()})
    site = tmp / "site"
    mkdocs_build(project.mkdocs_yml, site, strict=False)  # the plugin alone: no gate, warnings let pass
    return project, site


def test_built_site_is_inert_to_a_static_scan(hostile_site):
    _, site = hostile_site
    assert scan_site(site) == []
    assert not [p for p in site.rglob("*") if p.suffix in (".htm", ".svg") and "assets" not in p.parts]
    assert (site / "assets/javascripts/casebook.js").read_bytes() == (ROOT / "overrides/assets/javascripts/casebook.js").read_bytes()
    assert not (site / "evil.html").exists() and not (site / "guide/evil.js").exists()
    assert "alert(33)" not in (site / "data/cases.js").read_text(encoding="utf-8")


def test_hostile_words_stay_readable(hostile_site):
    from bs4 import BeautifulSoup

    _, site = hostile_site
    pages = [BeautifulSoup(p.read_text(encoding="utf-8"), "lxml") for p in (site / "themes").rglob("*.html")]
    heading = next(h for soup in pages for h in soup.find_all("h1") if "恶意 {: tabindex" in h.get_text())
    assert 'onfocus="alert(1)" }' in heading.get_text()          # shown as the editor wrote it
    assert not [a for a in heading.attrs if a.startswith("on") or a in ("autofocus", "tabindex")]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser that drops a connection mid-response


@pytest.fixture(scope="module")
def served(hostile_site):
    _, site = hostile_site
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()


# Runs in every page: the browser's own reading of the DOM (entities, whitespace and case in
# schemes already resolved), then every content element focused, hovered and clicked (default
# actions prevented, so a click stays on the page; handlers still run).
PROBE = """() => {
  const bad = [];
  const okScheme = p => ['http:', 'https:', 'mailto:', 'file:', 'about:', 'blob:'].includes(p);
  for (const a of document.querySelectorAll('[href]')) { try { const u = new URL(a.getAttribute('href'), location.href);
    if (!okScheme(u.protocol)) bad.push('href ' + u.href); } catch (e) {} }
  for (const el of document.querySelectorAll('[src]')) { try { const u = new URL(el.getAttribute('src'), location.href);
    if (!okScheme(u.protocol) && !(u.protocol === 'data:' && el.tagName === 'IMG')) bad.push('src ' + u.href); } catch (e) {} }
  for (const el of document.querySelectorAll('base, meta[http-equiv], iframe, frame, object, embed'))
    if (!(el.tagName === 'IFRAME' && el.title === 'search worker' && el.hidden)) bad.push(el.outerHTML.slice(0, 80));  // the bundle's own worker shim
  const config = document.querySelectorAll('#__config');
  if (config.length !== 1 || config[0].tagName !== 'SCRIPT') bad.push('#__config x' + config.length);
  for (const el of document.querySelectorAll('*')) for (const at of el.attributes) if (at.name.startsWith('on')) bad.push(el.tagName + ' ' + at.name);
  document.addEventListener('click', e => e.preventDefault(), true);
  document.addEventListener('submit', e => e.preventDefault(), true);
  // every element where a page's own content is shown (the theme's chrome only shows escaped titles,
  // and the attribute check above covers the whole document)
  for (const el of document.querySelectorAll('.md-content *, .md-header__topic *, .md-nav__link')) {
    try { el.focus(); el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
          el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); } catch (e) {}
  }
  return bad;
}"""


def visit_all(browser, urls: list[str], allowed_prefix: str) -> list[str]:
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: (problems.append(f"dialog {d.message!r} on {page.url}"), d.dismiss()))

    def route(r):
        url = r.request.url
        if url.startswith(allowed_prefix) or url.startswith("data:image"):
            r.continue_()
        else:
            problems.append(f"request outside the site: {url[:80]}")
            r.abort()

    context.route("**/*", route)
    for url in urls:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)  # onload/onerror of images
        problems += [f"{url}: {p}" for p in page.evaluate(PROBE)]
        page.wait_for_timeout(20)
        if page.url.split("#")[0] != url.split("#")[0]:
            problems.append(f"{url}: navigated to {page.url}")
    context.close()
    return problems


@pytest.mark.slow
def test_the_crawler_catches_what_it_must(tmp_path, browser):
    """The probe is not blind: each of these pages must give a problem."""
    pages = {
        "a.html": '<script id="__config" type="application/json">{}</script><img src="x" onerror="alert(1)">',
        "b.html": '<script id="__config" type="application/json">{}</script><div class="md-content">'
                  '<p tabindex="1" onfocus="alert(2)">x</p></div>',
        "c.html": '<script id="__config" type="application/json">{}</script><a href="&#106;avascript:alert(3)">x</a>',
        "d.html": '<div id="__config">{}</div>',
    }
    for name, body in pages.items():
        (tmp_path / name).write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    base = tmp_path.resolve().as_uri() + "/"
    for name in pages:
        assert visit_all(browser, [base + name], base), name


@pytest.mark.slow
def test_chromium_sees_no_dialog_on_any_page(served, browser):
    base, site = served
    urls = [base + quote(p.relative_to(site).as_posix()) for p in sorted(site.rglob("*.html"))]
    assert len(urls) > 40
    assert visit_all(browser, urls, base) == []


@pytest.fixture(scope="module")
def hostile_bundle(hostile_site, tmp_path_factory):
    from casebook.bundle import build_bundle

    project, _ = hostile_site
    out = tmp_path_factory.mktemp("hostile-bundle")
    result = build_bundle(project, out_dir=out)
    zip_path = next(out.rglob("*.zip")) if not isinstance(result, Path) else result
    unpacked = out / "unzipped"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(unpacked)
    return zip_path, unpacked


@pytest.mark.slow
def test_offline_bundle_is_inert_too(hostile_bundle, browser):
    zip_path, unpacked = hostile_bundle
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            assert PASSWD_MARK not in z.read(name).decode("utf-8", "replace"), name
    site = next(p.parent for p in unpacked.rglob("index.html") if (p.parent / "assets").is_dir())
    assert scan_site(site) == []
    # 404.html is for web servers (root-absolute links); file:// never shows it
    urls = [p.resolve().as_uri() for p in sorted(site.rglob("*.html")) if p.name != "404.html"]
    assert visit_all(browser, urls, site.resolve().as_uri()) == []


# ---------------------------------------------------------------- symlinks


@pytest.fixture
def linked(tmp_path):
    (tmp_path / "p").mkdir()
    project = project_with(tmp_path / "p", {})
    project.raw.mkdir(exist_ok=True)
    shutil.copy(next((ROOT / "raw").glob("*.txt")), project.raw / "page.txt")
    links = {project.raw / "passwd.txt": "/etc/passwd", project.cases / "leak.txt": "/etc/passwd",
             project.cases / "etcdir": "/etc", project.cases / "leak.md": "/etc/passwd",
             project.cases / "guide" / "up.md": "../../../../etc/hostname"}
    for link, target in links.items():
        os.symlink(target, link)
    return project, links


def test_validate_names_every_symlink(linked):
    project, links = linked
    report = validate.validate(project, jobs=1)
    flagged = {p.path for p in report.problems if p.kind == "security"}
    assert {project.rel(link) for link in links} <= flagged
    assert not any(PASSWD_MARK in p.message for p in report.problems)


def test_convert_reads_nothing_through_a_symlink(linked):
    from casebook import convert

    project, _ = linked
    report = convert.convert(project, jobs=1, progress=False)
    assert any(path == "raw/passwd.txt" and "符号链接" in message for path, message in report.skipped)
    for md in project.cases.rglob("*.md"):
        if md.is_symlink():
            continue
        text = md.read_text(encoding="utf-8")
        assert PASSWD_MARK not in text
        doc = casefile.parse(text) if text.startswith("---") else None
        raw = ((doc.meta.get("source") or {}).get("raw") if doc else None) or ""
        assert not raw.startswith("/"), raw


def test_build_refuses_a_docs_folder_with_symlinks(linked, tmp_path, caplog):
    from mkdocs.exceptions import Abort

    project, _ = linked
    with pytest.raises(Abort):
        mkdocs_build(project.mkdocs_yml, tmp_path / "site")
    assert "符号链接" in caplog.text and "leak.txt" in caplog.text and "etcdir" in caplog.text
    assert not any(PASSWD_MARK in p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*") if p.is_file())


def test_cli_build_fails_without_traceback_on_symlinks(linked, capfd, monkeypatch):
    from casebook.cli import main

    project, _ = linked
    monkeypatch.setenv("CASEBOOK_ROOT", str(project.root))
    status = main(["build", "-q", "--jobs", "1"])
    out, err = capfd.readouterr()
    assert status != 0
    assert "Traceback" not in out + err
    assert "符号链接" in out + err
    assert PASSWD_MARK not in out + err


# ---------------------------------------------------------------- the preview server


def test_preview_listens_only_on_loopback(capsys):
    from types import SimpleNamespace

    from casebook import preview

    assert preview.loopback_addr("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert preview.loopback_addr("[::1]:8001") == ("::1", 8001)
    for addr in ("0.0.0.0:8000", "192.168.1.5:8000", "example.org:80", "127.0.0.1"):
        assert preview.loopback_addr(addr) is None, addr
    assert preview.run(SimpleNamespace(addr="0.0.0.0:8000", open=False, full=False)) == 2
    assert "本机" in capsys.readouterr().out


def test_preview_guard_answers_only_its_own_host():
    from casebook import preview

    calls = []
    app = preview.guard(lambda environ, start: calls.append(environ["PATH_INFO"]) or [b"ok"], 8000)

    def status(host: str, path: str = "/") -> str:
        seen = []
        app({"HTTP_HOST": host, "PATH_INFO": path}, lambda code, headers: seen.append(code))
        return seen[0] if seen else "200 passed on"

    assert status("127.0.0.1:8000") == "200 passed on"
    assert status("localhost:8000") == "200 passed on"
    assert status("attacker.example:8000").startswith("403")
    assert status("127.0.0.1:9999").startswith("403")
    assert status("127.0.0.1:8000", "/a\0b").startswith("400")
    assert status("127.0.0.1:8000", "/\xff\xfe").startswith("400")
    assert calls == ["/", "/"]
