"""casebook new: writes a correctly named case file from the template, never over an existing
file; the untouched file explains what is missing and passes validate once filled in."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import casefile, newcase
from casebook import validate as V
from casebook.paths import Project

TITLE = "深化实施“村(社区)党组织书记预备队”制度"
SLUG = "shen-hua-shi-shi-cun-she-qu-dang-zu-zhi-shu-ji"  # casefile.slugify keeps 48 characters


def _project(tmp_path: Path) -> Project:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    (tmp_path / "cases").mkdir()
    return Project(tmp_path)


def _args(tmp_path: Path, **kw) -> argparse.Namespace:
    base = dict(title=None, region=None, domain=None, theme=[], outlet=None, url=None, published=None,
                root=tmp_path, allow_duplicate=False)
    base.update(kw)
    return argparse.Namespace(**base)


def _new(tmp_path, capsys, **kw) -> tuple[int, str, str]:
    code = newcase.run(_args(tmp_path, **kw)) if "ask" not in kw else None
    out = capsys.readouterr()
    return code, out.out, out.err


def _fill(text: str) -> str:
    """What an editor does: replace every placeholder with the source's words, add tags and year."""
    text = text.replace('summary: "【待填写：用原文的一两句话概括这项做法】"',
                        "summary: 电白区坚持村级选人用人“关口”前移，实行“选、育、管、用、储”全链条管理。")
    text = text.replace("tags: []", "tags: [书记预备队, 村党组织书记, 全链条管理]")
    text = text.replace("year: null", "year: 2021")
    text = re.sub(r"【待填写：写这项做法具体怎么做[^】]*】",
                  "紧紧抓住村级党组织带头人这个“牛鼻子”，坚持村级选人用人“关口”前移，实行“选、育、管、用、储”全链条管理，"
                  "破解村级党组织书记物色培养难题，有效提升基层治理能力水平。", text)
    text = re.sub(r"【待填写：写这项做法取得的成效[^】]*】",
                  "省、市领导分别对该区推行“村(社区)党组织书记预备队”制度作出批示，充分肯定电白区的经验做法。", text)
    return text


def test_new_writes_template_with_every_field(tmp_path, capsys):
    project = _project(tmp_path)
    code, out, err = _new(tmp_path, capsys, title=TITLE, region="广东省/茂名市/电白区", domain="农村",
                          theme=["干部队伍建设"], outlet="茂名市人民政府网")
    assert code == 0, err
    path = project.cases / "guangdong" / "maoming" / "dianbai" / f"{SLUG}.md"
    assert path.is_file()
    assert f"cases/guangdong/maoming/dianbai/{SLUG}.md" in out
    assert "casebook validate" in out and "casebook preview" in out and "mkdocs serve" not in out
    text = path.read_text(encoding="utf-8")
    doc = casefile.parse(text)
    assert doc.meta["title"] == TITLE
    assert doc.meta["region"] == {"province": "广东省", "city": "茂名市", "county": "电白区", "code": "440904"}
    assert doc.meta["domain"] == "农村" and doc.meta["themes"] == ["干部队伍建设"]
    assert doc.meta["source"]["outlet"] == "茂名市人民政府网"
    for key in ("title", "summary", "region", "domain", "themes", "tags", "year", "source"):
        assert key in doc.meta
    for key in ("title", "outlet", "url", "published", "byline", "raw"):
        assert key in doc.meta["source"]
    # every field has a Chinese comment right above it
    lines = text.split("\n")
    for key in ("title", "summary", "region", "domain", "themes", "tags", "year", "source",
                "  title", "  outlet", "  url", "  published", "  byline", "  raw"):
        i = next(n for n, line in enumerate(lines) if line.startswith(key + ":"))
        above = lines[i - 1].strip()
        assert above.startswith("#") and re.search(r"[\u4e00-\u9fff]", above), (key, above)


def test_untouched_file_explains_what_is_missing_and_filled_file_passes(tmp_path, capsys):
    project = _project(tmp_path)
    code, out, err = _new(tmp_path, capsys, title=TITLE, region="440904", domain="农村",
                          theme=["干部队伍建设"], outlet="茂名市人民政府网")
    assert code == 0, err
    path = project.cases / "guangdong" / "maoming" / "dianbai" / f"{SLUG}.md"
    report = V.validate(project, [path])
    got = {(p.field, p.kind) for p in report.problems}
    assert got == {("summary", "placeholder"), ("tags", "missing"), ("year", "missing"),
                   ("body", "placeholder")}, [p.format() for p in report.problems]
    assert all(p.message for p in report.problems)
    by_field = {p.field: p for p in report.problems}
    assert "3–8" in by_field["tags"].message and "年份" in by_field["year"].message
    text = path.read_text(encoding="utf-8")
    path.write_text(_fill(text), encoding="utf-8")
    report = V.validate(project, [path])
    assert report.problems == [], [p.format() for p in report.problems]


def test_never_overwrites(tmp_path, capsys):
    project = _project(tmp_path)
    kw = dict(title=TITLE, region="广东省/茂名市/电白区", domain="农村", theme=["干部队伍建设"], outlet="x")
    assert _new(tmp_path, capsys, **kw)[0] == 0
    first = project.cases / "guangdong" / "maoming" / "dianbai" / f"{SLUG}.md"
    first.write_text(first.read_text(encoding="utf-8") + "\n编辑写的内容\n", encoding="utf-8")
    before = first.read_bytes()
    code, out, err = _new(tmp_path, capsys, **kw)  # the same title again: refused, and said why
    second = first.with_name(f"{SLUG}-2.md")
    assert code == 1 and not second.exists() and "已有同名案例" in err and f"{SLUG}.md" in err, err
    code, out, _ = _new(tmp_path, capsys, **kw, allow_duplicate=True)
    assert code == 0
    assert second.is_file() and first.read_bytes() == before
    assert f"{SLUG}-2.md" in out and "已有同名案例" in out
    # the same slug elsewhere in the tree also counts (file names are unique across cases/)
    code, out, _ = _new(tmp_path, capsys, **{**kw, "region": "广东省/茂名市/茂南区"}, allow_duplicate=True)
    assert code == 0 and (project.cases / "guangdong" / "maoming" / "maonan" / f"{SLUG}-3.md").is_file()
    with pytest.raises(FileExistsError):
        newcase.write_new(first, "x")
    assert first.read_bytes() == before


def test_region_typo_is_refused_with_a_suggestion(tmp_path, capsys):
    project = _project(tmp_path)
    code, out, err = _new(tmp_path, capsys, title=TITLE, region="广东省/茂名市/电白县", domain="农村")
    assert code == 2
    assert "「电白县」不存在，是否指「电白区」(440904)?" in err
    assert not any(project.cases.rglob("*.md"))


def test_unknown_domain_and_theme_are_refused(tmp_path, capsys):
    _project(tmp_path)
    code, _, err = _new(tmp_path, capsys, title=TITLE, region="440904", domain="农材")
    assert code == 2 and "农村" in err
    code, _, err = _new(tmp_path, capsys, title=TITLE, region="440904", domain="农村", theme=["党员教育管里"])
    assert code == 2 and "党员教育管理" in err


def test_missing_options_without_terminal(tmp_path):
    _project(tmp_path)
    env = {**os.environ, "CASEBOOK_ROOT": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "casebook", "new", "--title", TITLE], capture_output=True,
                         text=True, env=env, stdin=subprocess.DEVNULL)
    assert run.returncode == 2
    assert "--region" in run.stderr and "--domain" in run.stderr


def test_interactive_asks_and_re_asks_on_typos(tmp_path, capsys):
    project = _project(tmp_path)
    answers = iter([TITLE, "广东省/茂名市/电白县", "广东省 茂名市 电白区", "农村", "干部队伍建设 基层治理",
                    "茂名市人民政府网", "伊春日报", "", "2021-13-45", "2021-06-01"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    code = newcase.run(_args(tmp_path), ask=ask)
    err = capsys.readouterr().err
    assert code == 0
    assert "是否指「电白区」(440904)?" in err
    assert "「伊春日报」不是网址" in err and "没有 13 月" in err  # re-asked
    assert len(prompts) == 10 and "发布日期" in prompts[-1]
    path = project.cases / "guangdong" / "maoming" / "dianbai" / f"{SLUG}.md"
    meta = casefile.parse(path.read_text(encoding="utf-8")).meta
    assert meta["themes"] == ["干部队伍建设", "基层治理"] and meta["source"]["outlet"] == "茂名市人民政府网"
    assert meta["source"]["published"] == "2021-06-01" and meta["year"] == 2021


def test_ambiguous_region_is_asked_or_refused_with_the_choices(tmp_path, capsys):
    project = _project(tmp_path)
    with pytest.raises(newcase.AmbiguousRegion) as err:
        newcase.resolve_region("市中区")
    assert len(err.value.choices) == 4 and "济南市" in str(err.value) and "内江市" in str(err.value)
    env = {**os.environ, "CASEBOOK_ROOT": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "casebook", "new", "--title", TITLE, "--region", "市中区",
                          "--domain", "农村"], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert run.returncode == 2 and "「市中区」有 4 个" in run.stderr and "Traceback" not in run.stderr
    assert not any(project.cases.rglob("*.md"))
    # piped answers: the prompts are shown and answered
    choice = next(i for i, c in enumerate(err.value.choices, 1) if c["city"] == "内江市")
    run = subprocess.run([sys.executable, "-m", "casebook", "new", "--title", TITLE, "--region", "市中区",
                          "--domain", "农村"], capture_output=True, text=True, env=env,
                         input=f"{choice}\n干部队伍建设\n内江日报\nhttps://example.org/a\n2021-06-01\n")
    assert run.returncode == 0, run.stderr
    assert "请选择序号" in run.stderr and "发布日期" in run.stderr
    [path] = project.cases.rglob("*.md")
    meta = casefile.parse(path.read_text(encoding="utf-8")).meta
    assert meta["region"]["city"] == "内江市" and meta["source"]["url"] == "https://example.org/a"
    assert newcase.check_url("https://www.example.gov.cn/x?a=1") and newcase.check_url("") is None
    for bad in ("伊春日报", "www.example.org", "javascript:alert(1)", "http://"):
        with pytest.raises(newcase.NewCaseError):
            newcase.check_url(bad)


def test_resolve_region_forms():
    want = {"province": "广东省", "city": "茂名市", "county": "电白区", "code": "440904"}
    assert newcase.resolve_region("广东省/茂名市/电白区") == want
    assert newcase.resolve_region("440904") == want
    assert newcase.resolve_region("茂名市 电白区") == want
    assert newcase.resolve_region("广东省/惠州市") == {"province": "广东省", "city": "惠州市", "code": "441300"}
    with pytest.raises(newcase.NewCaseError, match="不存在"):
        newcase.resolve_region("999999")
