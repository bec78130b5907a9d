"""Score casebook on a labelled corpus of real pages (tests/real/<corpus>/), clean and convert.

usage: python tests/tools/score_real.py tests/real/unseen [--json] [--pages]

Clean: the bar's scorer (tests/tools/score_clean.py heldout) on every labels*.yaml, in-process.
Convert (gold in cases*.yaml): case counts within the gold's [min, max]; the region of the page's
cases: right (the gold's code, or a higher level of it), empty, or wrong (a code that disagrees
with the gold at its own level, or deeper than the gold establishes); publication date, byline
and outlet as printed; case titles and summaries holding a line the labels call boilerplate.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from casebook.convert import process_page  # noqa: E402
from scoring import score  # noqa: E402  (tests/scoring.py: the verbatim scorer, in-process)


def norm(text) -> str:
    import opencc

    text = opencc.OpenCC("t2s").convert(str(text or ""))
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def level(code: str) -> int:
    """1 province, 2 city, 3 county."""
    return 3 if code[4:6] != "00" else 2 if code[2:4] != "00" else 1


def region_verdict(gold: dict | None, codes: list[str]) -> str:
    code = next((c for c in codes if c), "")
    if not gold or not gold.get("code"):
        return "empty" if not code else "wrong"
    if not code:
        return "empty"
    g = str(gold["code"])
    n = level(code)
    if n > level(g) or code[: 2 * n] != g[: 2 * n]:
        return "wrong"
    return "right" if code == g else "higher"


def in_range(n: int, want) -> bool:
    lo, hi = (want, want) if isinstance(want, int) else (want[0], want[1])
    return lo <= n <= hi


def boilerplate_in(text: str, drops: list[str]) -> str | None:
    t = norm(text)
    for d in drops:
        nd = norm(d)
        if len(nd) >= 4 and (nd in t or (len(t) >= 4 and t in nd and len(t) >= len(nd) // 2)):
            return d
    return None


def convert_scores(folder: Path, labels: dict, gold: dict) -> tuple[dict, list[str]]:
    root = folder.parent
    tally = {"pages": 0, "counts_ok": 0, "region": {"right": 0, "higher": 0, "empty": 0, "wrong": 0},
             "dates": [0, 0], "bylines": [0, 0], "outlets": [0, 0], "boilerplate_titles": 0, "cases": 0}
    rows = []
    for name, g in gold.items():
        path = folder / name
        if not path.is_file():
            continue
        result = process_page(str(path), str(root), None)
        cases = [c.meta for c in result.cases]
        tally["pages"] += 1
        tally["cases"] += len(cases)
        ok = in_range(len(cases), g.get("cases", 1))
        tally["counts_ok"] += ok
        verdict = region_verdict(g.get("region"), [str((c.get("region") or {}).get("code") or "") for c in cases])
        tally["region"][verdict] += 1
        src = (cases[0].get("source") or {}) if cases else {}
        if "published" in g:
            tally["dates"][1] += 1
            tally["dates"][0] += str(src.get("published") or None) == str(g["published"])
        for key, field in (("byline", "bylines"), ("outlet", "outlets")):
            if g.get(key):
                tally[field][1] += 1
                got = norm(src.get(key) or src.get("author") or "")
                tally[field][0] += bool(got) and (got in norm(g[key]) or norm(g[key]) in got)
        bad = [hit for c in cases for hit in [boilerplate_in(f"{c.get('title')}", labels.get(name, {}).get("drop", [])),
                                              boilerplate_in(f"{c.get('summary')}", labels.get(name, {}).get("drop", []))] if hit]
        tally["boilerplate_titles"] += bool(bad)
        rows.append(f"{name}: cases {len(cases)} (gold {g.get('cases', 1)}{'' if ok else ' MISS'}), region {verdict}"
                    f"{' ' + str([(c.get('region') or {}).get('code') for c in cases][:3]) if verdict == 'wrong' else ''}"
                    f"{', boilerplate: ' + bad[0][:30] if bad else ''}")
    return tally, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--pages", action="store_true", help="one line per page")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    folder = args.folder.resolve()
    labels, gold, clean_lines = {}, {}, []
    for lab in sorted(folder.glob("labels*.yaml")):
        labels.update(yaml.safe_load(lab.read_text(encoding="utf-8")) or {})
        out = score("heldout", lab, folder).stdout.strip().splitlines()
        clean_lines.append(out[-1] if out else f"{lab.name}: no output")
        if args.pages:
            print("\n".join(out[:-1]))
    for cases in sorted(folder.glob("cases*.yaml")):
        gold.update(yaml.safe_load(cases.read_text(encoding="utf-8")) or {})
    tally, rows = convert_scores(folder, labels, gold)
    if args.pages:
        print("\n".join(rows))
    kept = [tuple(map(int, m)) for line in clean_lines for m in re.findall(r"kept (\d+)/(\d+)", line)]
    leaked = [tuple(map(int, m)) for line in clean_lines for m in re.findall(r"leaked (\d+)/(\d+)", line)]
    titles = [tuple(map(int, m)) for line in clean_lines for m in re.findall(r"titles (\d+)/(\d+)", line)]
    total = lambda pairs: (sum(a for a, _ in pairs), sum(b for _, b in pairs))  # noqa: E731
    summary = {"corpus": folder.name, "kept": total(kept), "leaked": total(leaked), "titles": total(titles), **tally}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    k, lk, t = summary["kept"], summary["leaked"], summary["titles"]
    r = tally["region"]
    print(f"{folder.name}: {tally['pages']} pages | clean: kept {k[0]}/{k[1]}, leaked {lk[0]}/{lk[1]} "
          f"({lk[0] / max(lk[1], 1):.1%}), titles {t[0]}/{t[1]} | convert: case counts {tally['counts_ok']}/{tally['pages']}, "
          f"regions right {r['right']} + higher level {r['higher']}, empty {r['empty']}, wrong {r['wrong']}; "
          f"dates {tally['dates'][0]}/{tally['dates'][1]}, bylines {tally['bylines'][0]}/{tally['bylines'][1]}, "
          f"outlets {tally['outlets'][0]}/{tally['outlets'][1]}; pages with boilerplate in a case title/summary "
          f"{tally['boilerplate_titles']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
