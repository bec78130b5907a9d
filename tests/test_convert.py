"""The converter on the five real sample pages, judged against the editor's cut in tests/gold/seed-cases.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from casebook.casefile import generated_state, parse
from casebook.convert import convert
from casebook.paths import Project

ROOT = Path(__file__).resolve().parents[1]
GOLD = yaml.safe_load((ROOT / "tests/gold/seed-cases.yaml").read_text(encoding="utf-8"))


def make_project(tmp: Path) -> Project:
    shutil.copytree(ROOT / "raw", tmp / "raw")
    (tmp / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    return Project(tmp)


def load_cases(project: Project) -> dict[str, list[dict]]:
    by_page: dict[str, list[dict]] = {}
    for path in sorted(project.cases.rglob("*.md")):
        doc = parse(path.read_text(encoding="utf-8"))
        doc.meta["_path"] = path
        doc.meta["_body"] = doc.body
        by_page.setdefault(Path(doc.meta["source"]["raw"]).name, []).append(doc.meta)
    return by_page


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("proj"))
    report = convert(project, jobs=1, progress=False)
    return project, report, load_cases(project)


def test_counts_match_the_editors_cut(converted):
    _, report, cases = converted
    assert report.ok, report.lines()
    total = 0
    for name, gold in GOLD.items():
        n = len(cases.get(name, []))
        total += n
        want = gold["cases"]
        if isinstance(want, int):
            assert n == want, f"{name}: {n} cases, editor cut {want}"
        else:
            assert want[0] <= n <= want[1], f"{name}: {n} cases, editor cut {want}"
    assert 15 <= total <= 25


def test_regions_and_codes(converted):
    _, _, cases = converted
    for name, gold in GOLD.items():
        got = cases[name]
        if "region" in gold:
            for case in got:
                region = case["region"]
                for key in ("province", "city", "county", "code"):
                    if key in gold["region"]:
                        assert region.get(key) == gold["region"][key], (name, case["title"], region)
        for want in gold.get("regions", []):
            match = [c for c in got if c["region"].get("county") == want["county"]]
            assert match, f"{name}: no case in {want['county']}"
            region = match[0]["region"]
            assert region["province"] == want["province"] and region["city"] == want["city"]
            if "code" in want:
                assert region["code"] == want["code"]
            if want.get("note"):  # merged districts: current code and a note
                current = want["note"].split("(")[1].split(")")[0]
                assert region["code"] == current and region.get("note")


def test_titles_of_multi_article_page(converted):
    _, _, cases = converted
    for name, gold in GOLD.items():
        for title in gold.get("titles") or []:
            if title:
                assert any(c["title"] == title or c["source"].get("title") == title
                           for c in cases[name]), f"{name}: no case titled {title}"


def test_mentions_of_city_wide_practice(converted):
    _, _, cases = converted
    for name, gold in GOLD.items():
        if "mentions" not in gold:
            continue
        named = {m["name"] if isinstance(m, dict) else m for c in cases[name] for m in c.get("mentions", [])}
        missing = set(gold["mentions"]) - named
        assert not missing, f"{name}: mentions missing {missing}"


def test_every_case_credits_its_source(converted):
    _, _, cases = converted
    for name, gold in GOLD.items():
        for case in cases[name]:
            source = case["source"]
            assert source["raw"] == f"raw/{name}"
            assert source["lines"][0] <= source["lines"][1]
            assert "**来源**" in case["_body"]
            if "byline" in gold:
                assert source.get("byline"), (name, case["title"])
            if "published" in gold:
                assert source["published"] == str(gold["published"])
            if "outlet" in gold:
                assert source["outlet"] == gold["outlet"]
            for key in ("title", "summary", "domain", "themes", "tags"):
                assert case.get(key), (name, case.get("title"), key)
            # the year is the publication year, else the latest year the page names, else unknown (null)
            assert "year" in case
            if "published" in gold:
                assert case["year"] == int(str(gold["published"])[:4])
            assert 1 <= len(case["themes"]) <= 4
            assert len(case["summary"]) <= 125


def test_summary_is_cut_from_the_source(converted):
    project, _, cases = converted
    import opencc

    t2s = opencc.OpenCC("t2s")
    for name, got in cases.items():
        raw = t2s.convert((project.raw / name).read_text(encoding="utf-8"))
        flat = "".join(raw.split())
        for case in got:
            # every summary sentence stands in the page (after the cleaner's punctuation repairs)
            piece = case["summary"].rstrip("…")[:20]
            norm = piece.translate(str.maketrans("，：（）；", ",:();"))
            assert piece in flat or norm in flat, (name, case["summary"])


def test_rerun_changes_nothing_and_keeps_edits(converted, tmp_path):
    project = make_project(tmp_path)
    convert(project, jobs=1, progress=False)
    before = {p: p.read_text(encoding="utf-8") for p in project.cases.rglob("*.md")}
    report = convert(project, jobs=1, progress=False)
    assert not report.written and report.unchanged == len(before)
    assert {p: p.read_text(encoding="utf-8") for p in project.cases.rglob("*.md")} == before

    edited = sorted(before)[0]
    text = before[edited].replace("## 背景", "## 背景（编辑补充）", 1) + "\n编辑补充的一句话。\n"
    edited.write_text(text, encoding="utf-8")
    assert generated_state(text) == "edited"
    report = convert(project, jobs=1, progress=False, use_cache=False)
    assert edited.read_text(encoding="utf-8") == text
    assert project.rel(edited) in report.kept_edited


def test_disappeared_page_is_reported_not_deleted(tmp_path):
    project = make_project(tmp_path)
    convert(project, jobs=1, progress=False)
    gone = project.raw / "001_846aa8a43b3d4e7d.txt"
    gone.unlink()
    report = convert(project, jobs=1, progress=False)
    assert len(report.orphans) == GOLD[gone.name]["cases"]
    for rel in report.orphans:
        assert (project.root / rel).exists()


def test_same_title_gets_distinct_files(tmp_path):
    project = make_project(tmp_path)
    # the same page under a second name is one set of cases with both sources noted
    shutil.copy(project.raw / "003_a3afd088e8670e18.txt", project.raw / "copy_of_003.txt")
    report = convert(project, jobs=1, progress=False)
    assert ("raw/copy_of_003.txt", "raw/003_a3afd088e8670e18.txt") in report.duplicates
    cases = load_cases(project)
    assert "copy_of_003.txt" not in cases
    assert all("raw/copy_of_003.txt" in c["source"]["also"] for c in cases["003_a3afd088e8670e18.txt"])
    # an editor's own file (no id) holding the name a case wants: the case takes another name
    victim = sorted(project.cases.rglob("*.md"))[0]
    mine = "---\ntitle: 编者自己写的案例\n---\n\n编者自己写的案例。\n"
    victim.write_text(mine, encoding="utf-8")
    report = convert(project, jobs=1, progress=False)
    assert victim.read_text(encoding="utf-8") == mine
    moved = victim.with_name(victim.stem + "-2.md")
    assert project.rel(moved) in report.written and moved.exists()
