"""`casebook tags`: how the cases are tagged, and (`--candidates`) the new terms editors may add to
the tag vocabulary (data/tags.yaml): nouns that recur across cases and are not tags yet.

Reads the case files (front matter and body) of cases/ or `--docs`; writes nothing."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from . import tagging
from .paths import Project

_NOT_TEXT = re.compile(r"^\s*(?:\*\*来源\*\*|来源[:：]|>|!\[)")   # source line, quotes, figures


def read_cases(docs: Path) -> tuple[list[tuple[str, str, str, list[str], str]], list[str]]:
    """(path, title, text, tags, raw page) of every case file under `docs`, and the files that
    could not be read."""
    from .site.records import RecordError, is_case_meta, split_front_matter

    out, problems = [], []
    for path in sorted(docs.rglob("*.md")):
        try:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, RecordError) as err:
            problems.append(f"{path}: 无法读取：{err}")
            continue
        if not is_case_meta(meta):
            continue
        text = "\n".join(line for line in body.splitlines() if not _NOT_TEXT.match(line))
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        source = meta.get("source") if isinstance(meta.get("source"), dict) else {}
        rel = str(path.relative_to(docs))
        out.append((rel, str(meta.get("title") or ""), text, [str(t) for t in tags], str(source.get("raw") or rel)))
    return out, problems


def measures_lines(m: dict) -> list[str]:
    lines = [f"案例 {m['cases']} 个，使用中的标签 {m['tags']} 个，单个案例最多 {m['max_per_case']} 个标签，"
             f"无标签的案例 {m['untagged']} 个",
             f"只有 1 个案例使用的标签 {m['single']} 个（{m['single_share']:.0%}），"
             f"其中不在词表中的 {m['single_outside']} 个（{m['single_outside_share']:.0%}）"]
    if m["outside"]:
        lines.append("不在词表中的标签（编者手写）：" + "、".join(m["outside"][:30]))
    return lines


def candidate_lines(found: list[dict], min_cases: int, limit: int) -> list[str]:
    if not found:
        return [f"没有在至少 {min_cases} 个案例中反复出现、词表中还没有的词。"]
    lines = [f"词表外、在至少 {min_cases} 个网页的案例中出现的词 {len(found)} 个（供编者审阅；"
             "认可的词请连同同义写法加到 scripts/casebook/data/tags.yaml，泛用词加到其中的 generic）："]
    for item in found[:limit]:
        where = "；".join(item["cases"][:3]) + (" 等" if len(item["cases"]) > 3 else "")
        lines.append(f"  {item['term']}\t{len(set(item['cases']))} 个案例\t{where}")
    if len(found) > limit:
        lines.append(f"  …… 另有 {len(found) - limit} 个，用 --limit 显示更多")
    return lines


def add_parser(sp) -> None:
    sp.add_argument("--candidates", action="store_true",
                    help="list recurring new terms for the tag vocabulary (for editors to review)")
    sp.add_argument("--min-cases", type=int, default=None,
                    help="a candidate recurs in at least this many cases (default: tags.yaml settings)")
    sp.add_argument("--limit", type=int, default=50, help="show at most this many candidates")
    sp.add_argument("--docs", type=Path, default=None, help="read cases from this folder (default: cases/)")


def run(args) -> int:
    docs = args.docs or Project.here().cases
    if not docs.is_dir():
        print(f"casebook tags: 找不到案例文件夹 {docs}", file=sys.stderr)
        return 2
    try:
        tagging.load_tag_vocabulary()
    except (OSError, ValueError) as err:
        print(f"casebook tags: 标签词表有误：{err}", file=sys.stderr)
        return 2
    cases, problems = read_cases(docs)
    for p in problems:
        print(f"casebook tags: {p}", file=sys.stderr)
    print("\n".join(measures_lines(tagging.tag_measures([c[3] for c in cases]))))
    if args.candidates:
        vocab = tagging.load_tag_vocabulary()
        min_cases = args.min_cases or int(vocab.settings.get("candidate_min_cases", 2))
        page = {c[0]: c[4] for c in cases}
        found = tagging.tag_candidates([(c[0], c[1], c[2]) for c in cases], min_cases, page_of=page.get)
        print("\n".join(candidate_lines(found, min_cases, args.limit)))
    return 1 if problems else 0
