"""Hostile input (issue 6): every bad page is converted or reported by name, the run goes on,
nothing half-written, nothing lost, and the exit status says whether anything was skipped.

The small pages are committed in tests/hostile/raw/ (written by tests/hostile/make_corpus.py);
the big ones (50 MB page, 100,000-line spam page, 10,000-level nesting) are generated here."""
from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from casebook import convert as conv
from casebook import fsutil
from casebook.casefile import CaseFileError, generated_state, parse
from casebook.cli import main as cli_main
from casebook.paths import PathError, Project, confined

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"

_spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

REQUIRED = ("id", "title", "summary", "domain", "year", "source", "generated")

# names legal on Linux but "../"-looking or illegal on Windows: generated, never committed
ODD_NAMES = {
    "x..%2F..%2Fescape.txt": "镇村干部“走村不漏户”",
    "x\\..\\..\\backslash.txt": "村级事务“阳光公开”",
    'a:b*c?"<>|.txt': "党员积分管理全覆盖",
    "new\nline.txt": "小区党支部“红色管家”",
    "空 格\t名.txt": "农村党员冬训提质增效",
}


def new_project(tmp: Path, big: bool = False) -> Project:
    shutil.copytree(HOSTILE / "raw", tmp / "raw")
    (tmp / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    for name, title in ODD_NAMES.items():
        (tmp / "raw" / name).write_text(corpus.article(title, corpus.ARTICLE[:2]), encoding="utf-8")
    if big:
        corpus.write_big(tmp / "raw")
    return Project(tmp)


def case_files(project: Project) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(project.cases.rglob("*.md"))}


def sources_in(report: conv.Report, project: Project) -> set[str]:
    seen = {path for path, _ in report.skipped} | set(report.empty) | {d for d, _ in report.duplicates}
    for text in case_files(project).values():
        meta = parse(text).meta
        seen.add(meta["source"]["raw"])
        seen.update(meta["source"].get("also", []))
    return seen


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    project = new_project(tmp_path_factory.mktemp("hostile"), big=True)
    started = time.perf_counter()
    report = conv.convert(project, jobs=1, progress=False, use_cache=False)
    seconds = time.perf_counter() - started
    print(f"\nhostile corpus: {report.pages} pages converted in {seconds:.1f} s")
    return project, report, seconds


def test_every_page_is_converted_or_reported(corpus_run):
    project, report, _ = corpus_run
    listed = {project.rel(p) for p in conv.raw_pages(project.raw)}
    assert listed == sources_in(report, project)
    assert not report.ok
    skipped = dict(report.skipped)
    expect = {
        "raw/empty.txt": "文件为空",
        "raw/binary.html": "二进制",
        "raw/image_named.html": "PNG 图片",
        "raw/huge_50mb.txt": "页面过大（50.0 MB",
        "raw/bad_sidecar.txt": "bad_sidecar.meta.json：元数据文件不是有效的 JSON",
    }
    for path, needle in expect.items():
        assert needle in skipped.get(path, ""), (path, skipped.get(path))
    assert set(skipped) == set(expect), skipped  # the rest were converted or reported as empty
    lines = "\n".join(report.lines())
    for path in expect:
        assert f"跳过：{path}：" in lines


def test_boilerplate_and_spam_pages_give_no_case_and_are_reported(corpus_run):
    _, report, _ = corpus_run
    assert {"raw/boilerplate_only.txt", "raw/whitespace_only.txt", "raw/spam_100k_lines.txt"} <= set(report.empty)
    assert report.dropped["spam"] >= 1


def test_case_files_are_valid_and_confined(corpus_run):
    project, report, _ = corpus_run
    files = case_files(project)
    assert len(files) == report.cases == len(report.written) >= 12
    for path, text in files.items():
        assert project.cases.resolve() in path.resolve().parents
        assert generated_state(text) == "pristine"
        meta = parse(text).meta
        assert all(k in meta for k in REQUIRED), (path, sorted(meta))
        assert meta["title"] and len(meta["title"]) <= 82, meta["title"]
        assert len(meta["source"].get("title", "")) <= 82
    assert not [p for p in project.root.rglob("*.tmp")]


def test_encoding_trouble_is_converted_with_a_warning_naming_the_file(corpus_run):
    project, report, _ = corpus_run
    warnings = "\n".join(report.warnings)
    assert "raw/utf8_declared_gbk_bytes.html:1: encoding: 网页声明的编码是 utf-8，但内容实际是 gb18030" in warnings
    assert "raw/gbk_declared_utf8_bytes.html:1: encoding: 网页声明的编码是 gbk，但内容实际是 utf-8" in warnings
    assert "raw/truncated_utf8_mid.txt:8: encoding: 残缺的 UTF-8 多字节字符" in warnings
    assert "raw/truncated_utf8_end.txt:" in warnings
    by_raw = {parse(t).meta["source"]["raw"]: parse(t) for t in case_files(project).values()}
    # the text survives: GBK bytes under a utf-8 declaration are read as GBK, not as mojibake
    assert "全镇划分综合网格64个" in by_raw["raw/utf8_declared_gbk_bytes.html"].body
    assert "镇党委选派186名党员担任网格员" in by_raw["raw/gbk_declared_utf8_bytes.html"].body
    assert "网格员发现的问题" in by_raw["raw/truncated_gbk_end.txt"].body
    assert "今年以来" in by_raw["raw/truncated_utf8_end.txt"].body


def test_nested_and_unclosed_html_keep_their_text(corpus_run):
    project, report, _ = corpus_run
    by_raw = {parse(t).meta["source"]["raw"]: parse(t) for t in case_files(project).values()}
    for raw in ("raw/deep_nesting.html", "raw/unclosed.html", "raw/unclosed_title.html"):
        body = by_raw[raw].body
        assert "网格员发现的问题通过" in body, raw
        assert "<p>" not in body and "&lt;p&gt;" not in body, raw
    assert any("deep_nesting.html:1: html: HTML 嵌套过深（10000 层）" in w for w in report.warnings)


def test_duplicates_one_case_set_both_sources(corpus_run):
    project, report, _ = corpus_run
    assert ("raw/duplicate_b_saved_again.txt", "raw/duplicate_a.txt") in report.duplicates
    metas = [parse(t).meta for t in case_files(project).values()]
    dup = [m for m in metas if m["source"]["raw"] == "raw/duplicate_a.txt"]
    assert len(dup) == 1 and dup[0]["source"]["also"] == ["raw/duplicate_b_saved_again.txt"]
    assert not [m for m in metas if m["source"]["raw"] == "raw/duplicate_b_saved_again.txt"]


def test_long_title_is_cut_not_carried(corpus_run):
    project, _, _ = corpus_run
    metas = {parse(t).meta["source"]["raw"]: parse(t).meta for t in case_files(project).values()}
    for raw in ("raw/long_title.txt", "raw/long_html_title.html"):
        title = metas[raw]["title"]
        assert title.startswith("党建引领党建引领") and len(title) <= 82, (raw, len(title))
        # the front matter stays small (the 2,000 characters stay in the body: they are the page's text)
        assert len(metas[raw]["summary"]) <= 130 and len(metas[raw]["source"].get("title", "")) <= 82


def test_slug_twins_and_odd_names_get_distinct_confined_files(corpus_run):
    project, _, _ = corpus_run
    paths = {parse(t).meta["source"]["raw"]: p for p, t in case_files(project).items()}
    a, b = paths["raw/slug_twin_a.txt"], paths["raw/slug_twin_b.txt"]
    # 振 and 阵 are both "zhen": two titles, one slug; the second case takes -2
    assert a.parent == b.parent
    assert {a.name, b.name} == {"dang-jian-yin-ling-xiang-cun-zhen-xing.md", "dang-jian-yin-ling-xiang-cun-zhen-xing-2.md"}
    for name in ODD_NAMES:
        rel = "raw/" + name
        path = paths[rel]
        meta = parse(path.read_text(encoding="utf-8")).meta
        assert meta["source"]["raw"] == rel
        assert "\n" not in meta["id"] and project.cases.resolve() in path.resolve().parents


@pytest.mark.slow
def test_second_run_changes_nothing(corpus_run):
    project, first, _ = corpus_run
    before = case_files(project)
    report = conv.convert(project, jobs=1, progress=False)
    assert report.written == [] and report.removed == [] and report.orphans == [], report.lines()
    assert report.unchanged == len(before)
    assert case_files(project) == before


def test_odd_raw_names_are_followed_across_runs(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    (tmp_path / "raw").mkdir()
    for name, title in ODD_NAMES.items():
        (tmp_path / "raw" / name).write_text(corpus.article(title, corpus.ARTICLE[:2]), encoding="utf-8")
    conv.convert(project, jobs=1, progress=False)
    paths = {parse(t).meta["source"]["raw"]: p for p, t in case_files(project).items()}
    # one page now holds only boilerplate: its pristine case goes; another page is deleted: orphan
    (project.raw / "new\nline.txt").write_text("首页 | 新闻 | 党建 | 专题 | 视频\n", encoding="utf-8")
    (project.raw / 'a:b*c?"<>|.txt').unlink()
    report = conv.convert(project, jobs=1, progress=False)
    assert report.removed == [project.rel(paths["raw/new\nline.txt"])], report.lines()
    assert report.orphans == [project.rel(paths['raw/a:b*c?"<>|.txt'])], report.lines()


def test_cli_exit_status_says_a_page_was_skipped(tmp_path, monkeypatch, capsys):
    project = new_project(tmp_path)
    monkeypatch.setenv("CASEBOOK_ROOT", str(project.root))
    assert cli_main(["convert", "-q", "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "跳过：raw/empty.txt：文件为空" in out
    for name in ("empty.txt", "binary.html", "image_named.html", "bad_sidecar.txt", "bad_sidecar.meta.json"):
        (project.raw / name).unlink()
    assert cli_main(["convert", "-q", "--jobs", "1"]) == 0


# ---------------------------------------------------------------- pages that vanish mid-run


def test_raw_folder_disappearing_mid_run_loses_no_case(tmp_path, monkeypatch):
    project = new_project(tmp_path)
    conv.convert(project, jobs=1, progress=False)
    before = case_files(project)
    real = conv.process_page
    calls = []

    def vanishing(path, root, cache_dir):
        calls.append(path)
        if len(calls) == 3:
            shutil.rmtree(project.raw)  # the whole raw folder goes while pages are being read
        return real(path, root, cache_dir)

    monkeypatch.setattr(conv, "process_page", vanishing)
    report = conv.convert(project, jobs=1, progress=False, use_cache=False)
    assert len(calls) == report.pages > 3  # the run went on to the last page
    gone = [path for path, message in report.skipped if message == "文件在处理过程中消失（被删除或移走）"]
    assert len(gone) == report.pages - 2
    assert report.removed == [] and not report.ok
    assert case_files(project) == before  # every case of a vanished page is still there


def test_page_removed_between_listing_and_reading(tmp_path, monkeypatch):
    project = new_project(tmp_path)
    ghost = project.raw / "ghost.txt"
    listing = conv.raw_listing

    monkeypatch.setattr(conv, "raw_listing", lambda folder: (listing(folder)[0] + [ghost], []))
    report = conv.convert(project, jobs=1, progress=False)
    assert ("raw/ghost.txt", "文件在处理过程中消失（被删除或移走）") in report.skipped
    assert report.cases >= 12


# ---------------------------------------------------------------- a disk that fills


def test_atomic_write_on_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "case.md"
    target.write_text("旧内容\n", encoding="utf-8")
    real_write = os.write

    def half_then_full(fd, data):
        if len(data) > 8:
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(fsutil.os, "write", half_then_full)
    with pytest.raises(OSError) as err:
        fsutil.atomic_write(target, "新内容" * 100)
    assert err.value.errno == errno.ENOSPC
    assert target.read_text(encoding="utf-8") == "旧内容\n"
    assert [p.name for p in tmp_path.iterdir()] == ["case.md"]


def test_convert_on_a_full_disk_reports_and_keeps_old_cases(tmp_path, monkeypatch):
    project = new_project(tmp_path)
    conv.convert(project, jobs=1, progress=False)
    before = case_files(project)
    # every page changes (a new sentence), so every case file is rewritten
    for page in conv.raw_pages(project.raw):
        if page.suffix == ".txt" and page.stat().st_size > 100:
            with open(page, "a", encoding="utf-8") as handle:
                handle.write("\n会后，与会人员还实地观摩了3个村的党群服务中心。\n")
    real_write = os.write
    budget = {"writes": 2}  # the first two files fit, then the disk is full

    def filling(fd, data):
        if budget["writes"] <= 0:
            real_write(fd, bytes(data[:100]))
            raise OSError(errno.ENOSPC, "No space left on device")
        budget["writes"] -= 1
        return real_write(fd, data)

    monkeypatch.setattr(fsutil.os, "write", filling)
    report = conv.convert(project, jobs=1, progress=False, use_cache=False)
    assert len(report.written) == 2 and len(report.failed) >= 5, report.lines()
    assert all("写入失败（磁盘已满），原有文件保持不变" in message for path, message in report.failed
               if not path.startswith("cases/.casebook"))  # the record of generated cases: reported too
    assert not report.ok and any(line.startswith("没有写入：cases/") for line in report.lines())
    after = case_files(project)
    for path, text in before.items():  # each old file is either intact or fully rewritten
        assert path not in after or after[path] == text or project.rel(path) in report.written
        assert path not in after or generated_state(after[path]) == "pristine"
    assert not list(project.root.rglob("*.tmp"))
    failed = {path for path, _ in report.failed if not path.startswith("cases/.casebook")}
    monkeypatch.setattr(fsutil.os, "write", real_write)  # space again: the next run catches up
    report = conv.convert(project, jobs=1, progress=False)
    assert not report.failed and failed <= set(report.written)


# ---------------------------------------------------------------- hostile case files, paths


def test_yaml_bombs_and_python_tags_are_neither_expanded_nor_run(tmp_path):
    marker = tmp_path / "executed"
    project = new_project(tmp_path)
    project.cases.mkdir()
    for name, text in corpus.case_files(str(marker)).items():
        (project.cases / name).write_text(text, encoding="utf-8")
    started = time.perf_counter()
    for name in ("alias_bomb.md", "python_tag.md"):
        with pytest.raises(CaseFileError):
            parse((project.cases / name).read_text(encoding="utf-8"))
    report = conv.convert(project, jobs=1, progress=False)
    assert report.cases >= 12
    assert (project.cases / "alias_bomb.md").read_text(encoding="utf-8") == corpus.ALIAS_BOMB  # untouched
    import subprocess

    run = subprocess.run([sys.executable, "-m", "casebook", "validate", "--jobs", "1", "--root", str(project.root),
                          str(project.cases / "alias_bomb.md"), str(project.cases / "python_tag.md")],
                         capture_output=True, text=True, timeout=120, cwd=project.root)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "alias_bomb.md" in run.stdout and "python_tag.md" in run.stdout
    assert "Traceback" not in run.stderr
    assert not marker.exists()
    assert time.perf_counter() - started < 120


def test_confined_refuses_escapes(tmp_path):
    base = tmp_path / "cases"
    base.mkdir()
    for parts in (("..", "x.md"), ("/etc", "passwd"), ("a", "..", "..", "x.md")):
        with pytest.raises(PathError):
            confined(base, *parts)
    (tmp_path / "outside").mkdir()
    (base / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(PathError):
        confined(base, "link", "x.md")
    assert confined(base, "guangdong", "x.md") == (base / "guangdong" / "x.md").resolve()


def test_hostile_region_and_slug_parts_cannot_leave_cases(tmp_path):
    from casebook.casefile import slugify
    from casebook.regions import slug_parts

    parts = slug_parts({"province": "../../etc", "city": "/root/.ssh", "county": "..\\..\\x"})
    assert all(p and "/" not in p and "\\" not in p and p not in (".", "..") for p in parts), parts
    for title in ("../../../etc/passwd", "..", "/", "C:\\Windows\\system32", "a\x00b", "<script>", ""):
        slug = slugify(title)
        assert slug and set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-"), (title, slug)

    # a record whose folder would leave cases/ is refused and reported; nothing is written outside
    project = Project(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    record = conv.CaseRecord("evil-01", ["..", "..", "escape"], "x", {"id": "evil-01", "title": "x",
                                                                      "source": {"raw": "raw/evil.txt"}}, "正文")
    result = conv.PageResult("raw/evil.txt", "h", [record])
    report = conv.Report()
    conv.write_cases([result], project, report)
    assert report.failed and "路径越出 cases/" in report.failed[0][1]
    assert not (tmp_path.parent / "escape").exists() and not list(tmp_path.parent.glob("escape*"))
    (project.cases / "weizhi").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project.cases / "weizhi")
    (project.cases / "weizhi").symlink_to(outside)  # a folder link pointing out of cases/
    record = conv.CaseRecord("evil-02", ["weizhi"], "y", {"id": "evil-02", "title": "y",
                                                          "source": {"raw": "raw/evil.txt"}}, "正文")
    report = conv.Report()
    conv.write_cases([conv.PageResult("raw/evil.txt", "h2", [record])], project, report)
    assert report.failed and not list(outside.iterdir())


def test_clean_cli_names_each_bad_file_and_goes_on(capsys):
    files = [str(HOSTILE / "raw" / n) for n in ("empty.txt", "image_named.html", "truncated_utf8_mid.txt", "binary.html")]
    assert cli_main(["clean", "--json", *files]) == 1
    captured = capsys.readouterr()
    assert f"{files[0]}: 文件为空" in captured.err
    assert f"{files[1]}: 不是文本网页，而是PNG 图片" in captured.err
    assert f"{files[3]}: 含 NUL 字节" in captured.err
    import json

    (only,) = [json.loads(line) for line in captured.out.splitlines()]  # the readable page still came out
    assert only["encoding"] == "utf-8" and any(w["kind"] == "encoding" for w in only["warnings"])
