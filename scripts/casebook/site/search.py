"""Shrink Material's search index without changing what it finds.

Material writes `search/search_index.json` with `\\uXXXX` escapes (6 bytes per Chinese
character) and a zero-width space (U+200B) between jieba tokens. We rewrite it as UTF-8
(3 bytes per character) and drop the U+200B where a separator character of the configured
`separator` already sits next to it (so tokenisation in the browser is unchanged), keep tags on a
page's first section only, and keep results at section level.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

ZWSP = "\u200b"
# punctuation every separator we configure treats as a token boundary (see mkdocs.yml)
BOUNDARY = " \t\n\u3000-、。，．？！；：“”‘’（）《》【】"


def _redundant_zwsp(separator_chars: str) -> re.Pattern:
    """U+200B next to a separator character, or at either end: redundant."""
    if not separator_chars:
        return re.compile(f"^{ZWSP}|{ZWSP}$")
    cls = re.escape(separator_chars)
    return re.compile(f"{ZWSP}(?=[{cls}])|(?<=[{cls}]){ZWSP}|^{ZWSP}|{ZWSP}$")


def boundary_chars(separator: str) -> str:
    """The characters of BOUNDARY that the search separator regex really splits on."""
    rx = re.compile(separator)
    return "".join(ch for ch in BOUNDARY if rx.fullmatch(ch))


RUN = re.compile(f"{ZWSP}{{2,}}")


def shrink(data: dict) -> dict:
    separator = data.get("config", {}).get("separator") or r"[\s\u200b]+"
    # JS regex escapes like \u200b are understood by Python's re too
    redundant = _redundant_zwsp(boundary_chars(separator))
    seen_pages: set[str] = set()
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            value = doc.get(key)
            if isinstance(value, str) and ZWSP in value:
                doc[key] = redundant.sub("", RUN.sub(ZWSP, value))
        page = doc.get("location", "").split("#", 1)[0]
        if page in seen_pages:
            doc.pop("tags", None)
        seen_pages.add(page)
    return data


def rewrite(path: Path) -> tuple[int, int]:
    """Rewrite the index in place; returns (bytes before, bytes after)."""
    raw = path.read_bytes()
    data = shrink(json.loads(raw))
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(out)
    tmp.replace(path)
    return len(raw), len(out)


# Material 9.8.1's worker segments a Chinese query against the index vocabulary, but its loop
# `for(let o=s+1;o<t.length;o++)` never tries a slice that reaches the end of the query, so the
# last word is lost: 党群服务中心 is searched as 党群服务* 中*. Trying `o<=t.length` fixes it.
WORKER_BUG = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
WORKER_FIX = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def patch_worker(site_dir: Path) -> list[Path]:
    """Fix the query segmentation in the built site's search worker; returns the fixed files
    (including those an earlier incremental build fixed)."""
    fixed = []
    for path in sorted((Path(site_dir) / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        text = path.read_text(encoding="utf-8")
        if WORKER_BUG in text:
            path.write_text(text.replace(WORKER_BUG, WORKER_FIX), encoding="utf-8")
            fixed.append(path)
        elif WORKER_FIX in text:
            fixed.append(path)
    return fixed
