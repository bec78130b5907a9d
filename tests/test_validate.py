"""casebook validate: each broken fixture in tests/broken/ holds exactly one fault; the
validator must report it once, on the right line and field, with a clear Chinese message.

The fixtures are copied into a throw-away project (cases/guangdong/maoming/dianbai/ beside
the two clean cases in tests/broken/clean/) so links, slugs and duplicates are checked
against a real tree."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import validate as V
from casebook.paths import Project

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
REPO = HERE.parent
DIANBAI = ("guangdong", "maoming", "dianbai")


def _project(tmp_path: Path) -> Project:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    folder = tmp_path / "cases" / Path(*DIANBAI)
    folder.mkdir(parents=True)
    for f in (BROKEN / "clean").glob("*.md"):
        shutil.copy(f, folder / f.name)
    return Project(tmp_path)


def _place(project: Project, name: str, *folder: str) -> Path:
    target = project.cases / Path(*(folder or DIANBAI)) / Path(name).name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(BROKEN / name, target)
    return target


# file -> (line, field, kind, words the message must contain). Lines checked by hand in each file.
FAULTS = {
    "bad_county.md": (7, "region.county", "region", ["「电白县」不存在", "电白区", "440904"]),
    "bad_code.md": (8, "region.code", "region", ["440902", "440904"]),
    "bad_date.md": (16, "source.published", "date", ["2022-02-30", "不存在"]),
    "year_as_text.md": (12, "year", "type", ["年份", "整数", "2021年"]),
    "script_tag.md": (24, "body", "html", ["<script>", "删除"]),
    "onclick_attr.md": (24, "body", "html", ["onclick", "事件属性", "span"]),
    "js_link.md": (24, "body", "html", ["javascript:alert", "不安全"]),
    "iframe.md": (24, "body", "html", ["<iframe>", "普通链接"]),
    "object_embed.md": (24, "body", "html", ["<object>"]),
    "yaml_alias_bomb.md": (13, "yaml", "parse", ["锚点", "&a"]),
    "python_tag.md": (2, "yaml", "parse", ["YAML 标签", "!!python"]),
    "unknown_theme.md": (10, "themes[1]", "taxonomy", ["党员教育管里", "党员教育管理"]),
    "unknown_domain.md": (9, "domain", "taxonomy", ["农材", "农村"]),
    "missing_outlet_and_url.md": (13, "source", "source", ["outlet", "url", "至少"]),
    "heading_jump.md": (26, "body", "heading", ["####", "###"]),
    "h1_in_body.md": (20, "body", "heading", ["一级标题", "## 村级党组织书记全链条管理"]),
    "tag_with_commas.md": (11, "tags[0]", "value", ["后备干部，村两委", "拆成"]),
    "broken_internal_link.md": (28, "body", "link", ["cun-ji-dang-zu-zhi-xing-ping-ding.md", "不存在",
                                                     "cun-ji-dang-zu-zhi-xing-ji-ping-ding.md"]),
    "duplicate_of_x.md": (20, "body", "duplicate", ["cun-she-qu-gan-bu-hou-bei-dui-wu-zhi-du.md", "相似度"]),
}


def test_every_fixture_is_listed():
    on_disk = {p.name for p in BROKEN.glob("*.md")}
    assert on_disk == set(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_reported_once_on_its_line(tmp_path, name):
    project = _project(tmp_path)
    path = _place(project, name)
    report = V.validate(project, [path])
    line, field, kind, words = FAULTS[name]
    assert len(report.problems) == 1, [p.format() for p in report.problems]
    problem = report.problems[0]
    assert (problem.line, problem.field, problem.kind) == (line, field, kind), problem.format()
    for word in words:
        assert word in problem.message, problem.format()
    assert problem.path == f"cases/guangdong/maoming/dianbai/{name}"
    assert problem.format().startswith(f"cases/guangdong/maoming/dianbai/{name}:{line}: {field}: ")


def test_bad_county_message_matches_the_issue(tmp_path):
    project = _project(tmp_path)
    path = _place(project, "bad_county.md")
    [problem] = V.validate(project, [path]).problems
    assert problem.format() == ("cases/guangdong/maoming/dianbai/bad_county.md:7: region.county: "
                                "「电白县」不存在 → 是否指「电白区」(440904)?")


def test_clean_cases_pass(tmp_path):
    project = _project(tmp_path)
    report = V.validate(project)
    assert report.problems == []
    assert (report.files, report.cases, report.pages) == (2, 2, 0)


def test_file_names_differing_only_in_case_name_each_other(tmp_path):
    project = _project(tmp_path)
    a = _place(project, "duplicate_slug_case/dang-yuan-zhi-yuan-fu-wu-dui.md")
    b = _place(project, "duplicate_slug_case/Dang-Yuan-Zhi-Yuan-Fu-Wu-Dui.md")
    report = V.validate(project)
    slugs = [p for p in report.problems if p.kind == "slug"]
    assert len(slugs) == 2, [p.format() for p in slugs]
    by_path = {p.path: p for p in slugs}
    pa, pb = by_path[project.rel(a)], by_path[project.rel(b)]
    for p, other in ((pa, b), (pb, a)):
        assert (p.line, p.field, p.kind) == (1, "file", "slug")
        assert project.rel(other) in p.message and "唯一" in p.message
    # each alone (the other already in the tree) still reports the clash
    assert [p.kind for p in V.validate(project, [a]).problems] == ["slug"]


def test_same_file_name_in_two_region_folders_is_fine(tmp_path):
    project = _project(tmp_path)
    _place(project, "duplicate_slug_case/dang-yuan-zhi-yuan-fu-wu-dui.md")
    _place(project, "duplicate_slug_case/Dang-Yuan-Zhi-Yuan-Fu-Wu-Dui.md", "guangdong", "maoming", "maonan")
    moved = project.cases / "guangdong/maoming/maonan/Dang-Yuan-Zhi-Yuan-Fu-Wu-Dui.md"
    moved.rename(moved.with_name("dang-yuan-zhi-yuan-fu-wu-dui.md"))
    assert [p for p in V.validate(project).problems if p.kind == "slug"] == []


def test_duplicate_is_found_in_both_directions(tmp_path):
    project = _project(tmp_path)
    _place(project, "duplicate_of_x.md")
    report = V.validate(project)
    dups = sorted((p.path, p.message) for p in report.problems if p.kind == "duplicate")
    assert len(dups) == 2
    assert "duplicate_of_x.md" in dups[0][1] or "duplicate_of_x.md" in dups[1][1]


def test_pages_are_checked_for_html_and_links_only(tmp_path):
    project = _project(tmp_path)
    guide = project.cases / "guide"
    guide.mkdir()
    (guide / "index.md").write_text(
        "# 编者指南\n\n#### 跳级标题在页面中允许\n\n见[案例](../guangdong/maoming/dianbai/cun-ji-dang-zu-zhi-xing-ji-ping-ding.md)。\n",
        encoding="utf-8")
    (guide / "bad.md").write_text("# 页面\n\n<script>alert(1)</script>\n\n[坏链接](nope.md)\n", encoding="utf-8")
    report = V.validate(project, [guide])
    assert report.pages == 2 and report.cases == 0
    assert [(p.path, p.line, p.kind) for p in report.problems] == [
        ("cases/guide/bad.md", 3, "html"), ("cases/guide/bad.md", 5, "link")]


def test_unsafe_html_variants_are_all_caught():
    cases = [
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="javascript&#58;alert(1)">x</a>',
        '<img src="x.png" onerror="alert(1)">',
        "<svg onload=alert(1)>",
        "<embed src=x.swf>",
        "<IFRAME SRC=x></IFRAME>",
        "<details open ontoggle=alert(1)>",
    ]
    for html in cases:
        assert V.check_html([html], 1), html
    body = ["[看](javascript&#58;alert(1))", "", "[ref]: JAVASCRIPT:alert(1)", "<javascript:alert(1)>",
            '[t](javascript:alert(1) "标题")']
    links = V.markdown_links(body, 10)
    assert [line for line, _ in links] == [10, 12, 13, 14]
    assert not any(V.url_is_safe(url) for _, url in links)
    for html in ["<b>加粗</b>", '<span class="x">字</span>', "<br>", '<a href="https://example.com">链接</a>']:
        assert V.check_html([html], 1) == [], html
    for url in ["javascript:alert(1)", " javascript:void(0)", "vbscript:x", "data:text/html,<script>",
                "javascript&#58;alert(1)", "&#106;avascript:alert(1)", "jav&#x09;ascript:alert(1)"]:
        assert not V.url_is_safe(url), url
    for url in ["https://example.com/a", "../x.md", "#anchor", "mailto:a@b.cn"]:
        assert V.url_is_safe(url), url


def test_code_is_not_mistaken_for_html_or_headings():
    body = "```html\n<script>alert(1)</script>\n# not a heading\n```\n\n用 `<iframe>` 标签会被拒绝。\n\n<!-- <script> 注释 -->\n"
    lines = V.mask_code(body)
    assert V.check_html(lines, 1) == []
    assert V.check_headings(lines, 1) == []


def test_template_marker_and_missing_fields_are_explained(tmp_path):
    project = _project(tmp_path)
    text = (BROKEN / "clean" / "cun-ji-dang-zu-zhi-xing-ji-ping-ding.md").read_text(encoding="utf-8")
    text = text.replace("tags: [星级评定, 村党组织, 一年一评]\n", "")
    path = project.cases / Path(*DIANBAI) / "cun-ji-dang-zu-zhi-xing-ji-ping-ding.md"
    path.write_text(text, encoding="utf-8")
    [problem] = V.validate(project, [path]).problems
    assert problem.field == "tags" and problem.kind == "missing" and "3–8" in problem.message


def test_cli_output_json_and_exit_status(tmp_path):
    project = _project(tmp_path)
    bad = _place(project, "bad_county.md")
    env = {**os.environ, "CASEBOOK_ROOT": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "casebook", "validate", str(bad)], capture_output=True,
                         text=True, env=env, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    out = run.stdout.splitlines()
    assert out[0] == "cases/guangdong/maoming/dianbai/bad_county.md:7: region.county: 「电白县」不存在 → 是否指「电白区」(440904)?"
    assert "检查了 1 个文件" in out[-1] and "地区 1" in out[-1]
    run = subprocess.run([sys.executable, "-m", "casebook", "validate", "--json"], capture_output=True,
                         text=True, env=env, cwd=tmp_path)
    data = json.loads(run.stdout)
    assert run.returncode == 1 and data["ok"] is False and data["files"] == 3
    assert data["by_kind"] == {"region": 1}
    bad.unlink()
    run = subprocess.run([sys.executable, "-m", "casebook", "validate"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert run.returncode == 0 and "没有发现问题" in run.stdout


def test_unreadable_files_are_reported_not_fatal(tmp_path):
    project = _project(tmp_path)
    folder = project.cases / Path(*DIANBAI)
    (folder / "gbk.md").write_bytes("---\ntitle: 标题\n---\n".encode("gbk"))
    (folder / "no-front.md").write_text("## 只有正文\n", encoding="utf-8")
    report = V.validate(project, [folder / "gbk.md", folder / "no-front.md", folder / "missing.md"])
    kinds = sorted((Path(p.path).name, p.kind) for p in report.problems)
    assert kinds == [("gbk.md", "file"), ("missing.md", "file"), ("no-front.md", "parse")]


def test_duplicate_index_finds_edited_copies_in_a_self_similar_corpus(tmp_path):
    """Synthetic cases share much of their wording (Jaccard ~0.35 between any two): only the
    edited copies may be reported, each naming its original."""
    import random

    from casebook import casefile
    from casebook.dev import synth

    paths = synth.generate(300, tmp_path, seed=3)
    texts = {str(p): casefile.split(p.read_text(encoding="utf-8"))[1] for p in paths}
    rng = random.Random(3)
    originals = rng.sample(sorted(texts), 5)
    for n, key in enumerate(originals):
        body = texts[key]
        cut = body.index("。", len(body) // 2) + 1
        texts[f"copy{n}"] = body[:cut] + "这一段是编辑新加的一句话。" + body[cut:].replace("，", "、", 2)
    index = V.DuplicateIndex.from_texts(texts)
    found = {k: index.closest(k) for k in texts}
    hits = {k: v for k, v in found.items() if v}
    assert set(hits) == set(originals) | {f"copy{n}" for n in range(5)}
    for n, key in enumerate(originals):
        assert hits[f"copy{n}"][0] == key and hits[key][0] == f"copy{n}"
        assert 0.8 <= hits[key][1] < 1.0
        assert abs(hits[key][1] - V.similarity(texts[key], texts[f"copy{n}"])) < 1e-12


# ---------------------------------------------------------------- the repository's own pages and cases

GUIDE = REPO / "cases" / "guide"


def _worked_example() -> str:
    text = (GUIDE / "example.md").read_text(encoding="utf-8")
    start = text.index("```markdown\n") + len("```markdown\n")
    return text[start:text.index("\n```\n", start) + 1]


def test_guide_worked_example_passes_validate(tmp_path):
    project = _project(tmp_path)
    path = project.cases / "guangdong" / "zhanjiang" / "suixi" / "lao-gan-bu-dang-jian-zhi-dao-yuan-dui-wu.md"
    path.parent.mkdir(parents=True)
    path.write_text(_worked_example(), encoding="utf-8")
    report = V.validate(project, [path])
    assert report.cases == 1 and report.problems == [], [p.format() for p in report.problems]
    # the guide also quotes what a wrong county gives: check the quote is true
    path.write_text(_worked_example().replace("county: 遂溪县", "county: 遂溪区"), encoding="utf-8")
    [problem] = V.validate(project, [path]).problems
    assert problem.format() in (GUIDE / "example.md").read_text(encoding="utf-8")


def test_guide_taxonomy_page_lists_the_taxonomy():
    from casebook import tagging

    page = (GUIDE / "taxonomy.md").read_text(encoding="utf-8")
    tax = tagging.load_taxonomy()
    for item in list(tax["domains"]) + list(tax["themes"]):
        assert f"| {item.name} | {item.definition} |" in page, item.name


def test_guide_pages_exist_and_pass():
    names = {p.name for p in GUIDE.glob("*.md")}
    assert {"index.md", "fields.md", "taxonomy.md", "example.md", "preview.md"} <= names
    report = V.validate(Project(REPO), [GUIDE])
    assert report.pages == len(names) and report.problems == [], [p.format() for p in report.problems]


def test_every_case_in_the_repository_passes():
    """Runs over whatever cases/ holds (generated by `casebook convert` or hand-written)."""
    from casebook import casefile

    project = Project(REPO)
    cases = [p for p in project.cases.rglob("*.md")
             if "region:" in p.read_text(encoding="utf-8").split("\n---", 1)[0]]
    generated = [p for p in cases if casefile.generated_state(p.read_text(encoding="utf-8")) != "authored"]
    assert generated, "cases/ holds no generated case: run `casebook convert` first"
    report = V.validate(project)
    assert report.cases >= len(cases)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)


def _meta_problems(tmp_path, edit) -> list:
    project = _project(tmp_path)
    path = project.cases / Path(*DIANBAI) / "cun-ji-dang-zu-zhi-xing-ji-ping-ding.md"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return V.validate(project, [path]).problems


@pytest.mark.parametrize("old,new,line,field,words", [
    ('  code: "440904"\n', "", 4, "region.code", ["缺少地区代码", "440904"]),
    ("title:", "titel:", 2, "titel", ["未知字段「titel」", "是否指「title」"]),
    ("published: 2021-06-01", "published: 2031-06-01", 16, "source.published", ["今天之后"]),
    ("published: 2021-06-01", "published: 2021/06/01", 16, "source.published", ["YYYY-MM-DD"]),
    ("  outlet: 茂名市人民政府网\n", "  url: javascript:alert(1)\n", 15, "source.url", ["不是有效网址"]),
    ("themes: [考核评价, 软弱涣散整顿]", "themes: 考核评价", 10, "themes", ["应为列表"]),
    ("year: 2021", "year: 1850", 12, "year", ["1921"]),
    # issue 16: the message names the real fault and only near suggestions
    ("published: 2021-06-01", "published: 2021-13-45", 16, "source.published", ["没有 13 月"]),
    ("published: 2021-06-01", "published: 2021-02-30", 16, "source.published", ["2 月只有 28 天"]),
    ('  code: "440904"\n', '  code: "440999"\n', 8, "region.code", ["440999", "440904"]),
    ("year: 2021", "year: " + "9" * 5000, 12, "yaml", ["5000 位"]),   # the line of the number itself
    ("year: 2021", "year: .inf", 12, "year", ["整数"]),
])
def test_front_matter_details(tmp_path, old, new, line, field, words):
    problems = _meta_problems(tmp_path, lambda t: t.replace(old, new, 1))
    if field == "titel":  # a renamed key also leaves `title` missing: both are reported
        assert {p.field for p in problems} == {"titel", "title"}
        problems = [p for p in problems if p.field == "titel"]
    assert len(problems) == 1, [p.format() for p in problems]
    p = problems[0]
    assert (p.line, p.field) == (line, field), p.format()
    for word in words:
        assert word in p.message, p.format()


def test_parse_quick_agrees_with_parse():
    """casefile.parse_quick (libyaml fast path used by the validator) gives parse's result or error."""
    from casebook import casefile

    files = sorted(BROKEN.rglob("*.md")) + sorted((REPO / "cases").rglob("*.md"))
    extra = ["---\na: 1\na: 2\n---\n", "---\nd: 2022-02-30\ne: 2021-06-01\n---\n", "---\n- 1\n---\n",
             "---\nx: [1, {y: 2}]\nz:\n  w: 3\n---\nbody\n"]
    texts = [f.read_text(encoding="utf-8") for f in files] + extra
    for text in texts:
        outcomes = []
        for fn in (casefile.parse, casefile.parse_quick):
            try:
                doc = fn(text)
                outcomes.append((doc.meta, doc.lines, doc.body, doc.body_line))
            except casefile.CaseFileError as err:
                outcomes.append((str(err), err.line))
        assert outcomes[0] == outcomes[1], text[:80]


def test_suggestions_are_near_matches_only(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    far = _meta_problems(tmp_path / "a", lambda t: t.replace("themes: [考核评价, 软弱涣散整顿]", "themes: [不存在主题]"))
    assert len(far) == 1 and "是否指" not in far[0].message, far[0].format()
    near = _meta_problems(tmp_path / "b", lambda t: t.replace("themes: [考核评价, 软弱涣散整顿]", "themes: [软弱涣散]"))
    assert len(near) == 1 and "是否指「软弱涣散整顿」" in near[0].message, near[0].format()


def test_the_issue_case_with_seven_errors_is_all_errors_and_a_missing_year_only_a_warning(tmp_path):
    project = _project(tmp_path)
    path = project.cases / Path(*DIANBAI) / "bad.md"
    path.write_text("---\nsummary: 【待填写】\nregion: {province: 广东省, city: 茂名市, county: 火星区}\n"
                    "domain: 农业\nthemes: [基层治理]\ntags: 后备干部, 村两委\nyear: 2021\n"
                    "source: {outlet: 南方日报, published: 2021-13-45}\n---\n\n正文。\n", encoding="utf-8")
    report = V.validate(project, [path])
    fields = {p.field for p in report.errors}
    assert {"title", "summary", "region.county", "domain", "tags", "source.published"} <= fields, fields
    assert not report.warnings
    ok = project.cases / Path(*DIANBAI) / "cun-ji-dang-zu-zhi-xing-ji-ping-ding.md"
    ok.write_text(ok.read_text(encoding="utf-8").replace("year: 2021\n", ""), encoding="utf-8")
    report = V.validate(project, [ok])
    assert [p.severity for p in report.problems] == ["warning"] and report.problems[0].field == "year"
    assert "（提醒）" in report.problems[0].format()
