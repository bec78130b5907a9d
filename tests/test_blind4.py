"""Fourth blind held-out corpus (tests/blind4): the cleaner and the converter on twelve pages
from site templates no rule was tuned on.

The pages, tests/blind4/blind.yaml (keep/drop/title, scored by tests/tools/score_clean.py
heldout) and tests/blind4/cases.yaml (case counts and GB/T 2260 codes, same conventions as
tests/gold/seed-cases.yaml) were written before anything was run on them, and were not edited
after the one recorded run. Checks that failed on that run are marked xfail (not strict) with
the diagnosis, so the corpus keeps measuring: a fix turns them into XPASS.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "blind4"
SCORER = ROOT / "tests" / "tools" / "score_clean.py"
GOLD_PATH = BLIND / "blind.yaml"
GOLD = yaml.safe_load(GOLD_PATH.read_text(encoding="utf-8"))
CASES = yaml.safe_load((BLIND / "cases.yaml").read_text(encoding="utf-8"))
PAGES = sorted(GOLD)

# Diagnoses recorded after the single run (see the module docstring); key: (check, page).
# Run of 2026-11-25 11:37 UTC: heldout kept 148/148 phrases, leaked 12/182 boilerplate items, titles 10/12.
XFAIL: dict[tuple[str, str], str] = {
    ("scorer", "b4_02_citynews.txt"): "dateline line '日期 来源 作者 编辑 责编' (no label before the date) kept as a "
                                      "paragraph: 编辑/责编 leak and published stays None",
    ("scorer", "b4_04_wechat.txt"): "WeChat '往期推荐' headline '@全体党员，这份学习资料请收好！' kept as a heading",
    ("scorer", "b4_06_soe.txt"): "intranet chrome kept: '欢迎您…| 个人中心 | OA办公 | 邮件系统 | 退出登录', the "
                                 "'【本文仅限公司内部交流，请勿外传】' secrecy notice, '相关阅读：…；…' and '相关文件下载：…doc'",
    ("scorer", "b4_08_gongshanglian.txt"): "site welcome line '…欢迎您！ 今天是：' kept; the headline is found only as a "
                                           "heading (site name above it taken as heading too), so no title",
    ("scorer", "b4_09_minzheng.txt"): "English site subtitle 'Chengdu Civil Affairs Bureau' kept as a heading",
    ("scorer", "b4_10_twotowns.txt"): "page header '【乡镇动态】两个乡镇的党建新招' taken as the only title, the two "
                                      "article titles become headings; '热点文章：…｜…' headline list kept",
    ("scorer", "b4_11_repost.txt"): "SEO line '本文关键词：…' (comma-separated keywords) kept as a paragraph",
    ("scorer", "corpus"): "12 of 182 drop items leak on 7 pages and 2 of 12 titles are missed (see the per-page reasons)",
    ("count", "b4_10_twotowns.txt"): "two articles, each with a title and a （中共…镇委员会） author line, are not split: "
                                     "their titles are read as headings under the page header, giving 1 case",
    ("region", "b4_10_twotowns.txt"): "follows from the missing split: the single case takes 阳朔县 450321, "
                                      "恭城瑶族自治县 450332 gets no case",
}


def _params(check: str) -> list:
    out = []
    for page in PAGES:
        reason = XFAIL.get((check, page))
        marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
        out.append(pytest.param(page, marks=marks, id=page))
    return out


def _score(gold: Path) -> subprocess.CompletedProcess:
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ)
    env["PATH"] = bindir + ":" + env.get("PATH", "")
    return subprocess.run([sys.executable, str(SCORER), "heldout", str(gold), str(BLIND)],
                          capture_output=True, text=True, timeout=600, env=env)


def test_corpus_files_are_complete():
    """Every gold page exists, both gold files cover the same pages, sizes are as briefed."""
    assert sorted(CASES) == PAGES and len(PAGES) == 12
    for page in PAGES:
        assert (BLIND / page).is_file(), page
        g = GOLD[page]
        assert 8 <= len(g["keep"]) <= 15 and 8 <= len(g["drop"]) <= 20 and g["title"], page


@pytest.mark.parametrize("page", _params("scorer"))
def test_scorer_page(page, tmp_path):
    gold = tmp_path / "one.yaml"
    gold.write_text(yaml.safe_dump({page: GOLD[page]}, allow_unicode=True), encoding="utf-8")
    res = _score(gold)
    assert res.returncode == 0, res.stdout + res.stderr[-500:]


@pytest.mark.parametrize("check", [pytest.param("corpus", marks=[pytest.mark.xfail(
    strict=False, reason=XFAIL[("scorer", "corpus")])] if ("scorer", "corpus") in XFAIL else [])])
def test_scorer_corpus(check):
    res = _score(GOLD_PATH)
    assert res.returncode == 0, res.stdout + res.stderr[-500:]


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---"), path
    end = text.index("\n---", 3)
    return yaml.safe_load(text[3:end]) or {}


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, list[dict]]:
    from casebook.convert import convert
    from casebook.paths import Project

    root = tmp_path_factory.mktemp("blind4proj")
    (root / "raw").mkdir()
    for page in PAGES:
        shutil.copy2(BLIND / page, root / "raw" / page)
    (root / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    convert(Project(root), jobs=1, progress=False)
    by_page: dict[str, list[dict]] = {page: [] for page in PAGES}
    for md in sorted((root / "cases").rglob("*.md")) if (root / "cases").is_dir() else []:
        fm = _front_matter(md)
        raw = Path(str((fm.get("source") or {}).get("raw") or "")).name
        if not raw:
            raw = next((p for p in PAGES if str(fm.get("id", "")).startswith(Path(p).stem)), "")
        if raw in by_page:
            by_page[raw].append(fm)
    return by_page


@pytest.mark.parametrize("page", _params("count"))
def test_case_count(page, converted):
    want = CASES[page]["cases"]
    got = len(converted[page])
    lo, hi = (want, want) if isinstance(want, int) else want
    assert lo <= got <= hi, f"{page}: {got} cases, gold {want}: {[c.get('title') for c in converted[page]]}"


@pytest.mark.parametrize("page", _params("region"))
def test_region_codes(page, converted):
    gold = CASES[page]
    cases = converted[page]
    assert cases, f"{page}: no cases"
    codes = [str((c.get("region") or {}).get("code")) for c in cases]
    if "regions" in gold:
        want = sorted(r["code"] for r in gold["regions"])
        assert sorted(set(codes)) == want, f"{page}: codes {codes}, gold {want}"
    else:
        want = gold["region"]["code"]
        assert all(code == want for code in codes), f"{page}: codes {codes}, gold {want}"
