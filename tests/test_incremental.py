"""Incremental site builds: after an edit only the affected pages are rendered again, and the site
is byte for byte the one a full build of the same cases gives."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from casebook.build import mkdocs_build
from casebook.cli import main as cli_main
from casebook.dev import synth
from casebook.paths import Project

ROOT = Path(__file__).resolve().parents[1]


def make_project(tmp: Path) -> Project:
    """The real mkdocs.yml, overrides/ and cases/ (seed cases and hand-written pages) plus
    synthetic cases, with the jieba dictionary where mkdocs.yml names it."""
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp / "overrides")
    shutil.copytree(ROOT / "cases", tmp / "cases")
    (tmp / "scripts/casebook/data").mkdir(parents=True)
    shutil.copy(ROOT / "scripts/casebook/data/userdict.txt", tmp / "scripts/casebook/data/userdict.txt")
    synth.generate(30, tmp / "cases" / "synth", seed=11)
    return Project(tmp)


def build(project: Project, site: Path | None = None, incremental: bool = True, strict: bool = True):
    """Build; returns (pages rendered, pages in the site)."""
    config = mkdocs_build(project.mkdocs_yml, site or project.site, strict=strict, incremental=incremental)
    plugin = config.plugins["casebook"]
    total = len(plugin.files.documentation_pages())
    return total - len(plugin.skipped), total


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def case_files(project: Project) -> list[Path]:
    return sorted(p for p in project.cases.rglob("*.md")
                  if not p.relative_to(project.cases).as_posix().startswith("guide/")
                  and re.search(r"^region:", p.read_text("utf-8"), re.M))


def edit_meta(path: Path, **changes) -> None:
    """Change front matter fields as an editor would (the body is kept as it is)."""
    text = path.read_text("utf-8")
    m = re.match(r"---\n(.*?\n)---\n", text, re.S)
    meta = yaml.safe_load(m.group(1))
    meta.update({k: v(meta[k]) if callable(v) else v for k, v in changes.items()})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{text[m.end():]}", encoding="utf-8")


def page_of(project: Project, case: Path) -> Path:
    return project.site / case.relative_to(project.cases).with_suffix("") / "index.html"


def search_texts(site: Path) -> str:
    from casebook.site.search import read_index

    return "\n".join(read_index(site)[1])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("incremental"))
    rendered, total = build(project)
    assert rendered == total > 60  # no state yet: a full build
    return project


def test_no_change_rebuild_renders_only_the_always_rendered_pages(project):
    before = snapshot(project.site)
    mtimes = {p: p.stat().st_mtime_ns for p in map(lambda c: page_of(project, c), case_files(project))}
    rendered, total = build(project)
    # the home page, the navigation's pages, the guide and the tag listing: never skipped
    assert rendered <= 20 < total
    assert all(p.stat().st_mtime_ns == m for p, m in mtimes.items())
    assert differences(before, snapshot(project.site)) == []


def test_edits_render_only_affected_pages_and_match_a_full_build(project, tmp_path):
    cases = case_files(project)
    edited, retitled, deleted, retagged, copied = cases[3], cases[12], cases[20], cases[25], cases[30]
    text = edited.read_text("utf-8")
    head, sep, body = text.partition("\n---\n")
    edited.write_text(head + sep + body.replace("。", "。编者在这里补充了一句话。", 1), encoding="utf-8")
    edit_meta(retitled, title="编者改过的新标题")
    deleted_page = page_of(project, deleted)
    assert deleted_page.is_file()
    deleted.unlink()
    edit_meta(retagged, tags=lambda tags: tags + ["增量构建标签"])
    added = copied.with_name("bian-zhe-xin-zeng.md")
    shutil.copy(copied, added)
    edit_meta(added, title="编者新增的案例")

    rendered, total = build(project)
    assert rendered < total / 2
    assert not deleted_page.exists()  # the deleted case's page is gone from the site
    assert "编者在这里补充了一句话" in page_of(project, edited).read_text("utf-8")
    texts = search_texts(project.site)
    assert "编者在这里补充了一句话" in texts and "编者改过的新标题" in texts and "编者新增的案例" in texts
    assert "增量构建标签" in (project.site / "tags" / "index.html").read_text("utf-8")

    full = tmp_path / "full"
    rendered_full, total_full = build(project, full, incremental=False)
    assert rendered_full == total_full == total
    assert differences(snapshot(project.site), snapshot(full)) == []
    assert build(project, full)[0] <= 20  # a --clean build leaves what the next incremental one needs


@pytest.mark.slow  # three full builds
def test_a_changed_configuration_renders_every_page(project):
    config = project.mkdocs_yml.read_text("utf-8")
    project.mkdocs_yml.write_text(config.replace("site_name: 案例库", "site_name: 案例库（测试）", 1), "utf-8")
    try:
        rendered, total = build(project)
        assert rendered == total
        assert "案例库（测试）" in page_of(project, case_files(project)[0]).read_text("utf-8")
    finally:
        project.mkdocs_yml.write_text(config, "utf-8")
    rendered, total = build(project)
    assert rendered == total
    override = project.root / "overrides" / "main.html"
    override.write_text(override.read_text("utf-8") + "\n{# 主题覆盖文件有改动 #}\n", "utf-8")
    rendered, total = build(project)
    assert rendered == total  # a theme override is shared by every page


def test_a_failed_build_leaves_no_state_so_the_next_build_is_full(project):
    case = case_files(project)[5]
    text = case.read_text("utf-8")
    case.write_text(text + "\n见[不存在的页面](no-such-page.md)。\n", encoding="utf-8")
    with pytest.raises(Exception):
        build(project)  # strict: the broken link aborts the build
    case.write_text(text, encoding="utf-8")
    rendered, total = build(project)
    assert rendered == total


@pytest.mark.slow  # a plain MkDocs build and two of ours
def test_plain_mkdocs_build_invalidates_the_state(project):
    """A plain `mkdocs build` rewrites site/ without the state: the next incremental build must
    not trust the state an earlier one saved."""
    from mkdocs.commands.build import build as plain_build
    from mkdocs.config import load_config

    build(project)
    case = case_files(project)[7]
    text = case.read_text("utf-8")
    head, sep, body = text.partition("\n---\n")
    case.write_text(head + sep + body.replace("。", "。临时改动。", 1), encoding="utf-8")
    plain_build(load_config(str(project.mkdocs_yml), site_dir=str(project.site)))
    assert "临时改动" in page_of(project, case).read_text("utf-8")
    case.write_text(text, encoding="utf-8")  # back to the content the saved state describes
    rendered, total = build(project)
    assert rendered == total
    assert "临时改动" not in page_of(project, case).read_text("utf-8")


def test_cli_reports_what_it_rendered(project, monkeypatch, capsys):
    monkeypatch.chdir(project.root)
    assert cli_main(["build", "--no-convert", "-q"]) == 0
    assert re.search(r"重新生成了 \d+ 个页面（共 \d+ 个", capsys.readouterr().out)
    assert cli_main(["build", "--no-convert", "-q", "--clean"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"生成了 \d+ 个页面", out) and "（共" not in out.split("MB")[1]


@pytest.mark.slow
def test_preview_serves_the_site_and_rebuilds_a_saved_case(tmp_path):
    """`casebook preview`: the page is served, and after an editor saves a case only the affected
    pages are rendered again and the served page shows the change."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    project = make_project(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "casebook.cli", "preview", "--addr", f"127.0.0.1:{port}"],
                            cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    case = case_files(project)[2]
    url = f"http://127.0.0.1:{port}/" + case.relative_to(project.cases).with_suffix("").as_posix() + "/"

    def fetch() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8")
        except OSError:
            return None

    try:
        deadline = time.time() + 120
        while (page := fetch()) is None and time.time() < deadline and proc.poll() is None:
            time.sleep(1)
        assert page and "编者预览时补充的一句话" not in page
        # DNS rebinding: a page under another name may not read drafts; malformed paths: 400/404
        import http.client

        def status(path: str, host: str) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host)
            conn.endheaders()
            code = conn.getresponse().status
            conn.close()
            return code

        assert status("/", f"evil.example:{port}") == 403
        assert status("/", f"127.0.0.1.nip.io:{port}") == 403
        assert status("/", f"localhost:{port}") in (200, 302)
        for bad in ("/%00", "/a%00b/", "/%ff%fe/", "/..%5c..%5cetc/passwd"):
            assert status(bad, f"127.0.0.1:{port}") in (400, 404), bad
        text = case.read_text("utf-8")
        head, sep, body = text.partition("\n---\n")
        case.write_text(head + sep + body.replace("。", "。编者预览时补充的一句话。", 1), encoding="utf-8")
        deadline = time.time() + 120
        while "编者预览时补充的一句话" not in (fetch() or "") and time.time() < deadline:
            time.sleep(1)
        assert "编者预览时补充的一句话" in (fetch() or "")
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert re.search(r"增量构建：\d+ 个页面重新生成", out), out[-2000:]
    assert "Traceback" not in out, out[-2000:]
