"""Benchmark the cleaner and print figures (one process, one core; CPU time of this process,
so other jobs on the machine disturb the figures less).

    python -m casebook.dev.bench_clean [--mb 2] [--rounds 20] [RAW_DIR] [HTML_DIR]

Text dumps: MB of raw text cleaned per second (bar: >= 1 MB/s per core).
HTML: time of read+extract+clean against trafilatura's extraction alone on the same pages
(bar: no more than 20% slower)."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..clean import clean_text
from ..rawinput import decode_bytes, read_bytes


def bench_text(raw_dir: Path, mb: float) -> dict:
    pages = [decode_bytes(p.read_bytes(), p)[0] for p in sorted(raw_dir.glob("*.txt"))]
    if not pages:
        return {}
    clean_text(pages[0], "warmup")  # load rules, OpenCC, jieba once
    total = 0
    start = time.process_time()
    i = 0
    while total < mb * 1_000_000:
        text = pages[i % len(pages)]
        clean_text(text, f"page{i}")
        total += len(text.encode("utf-8"))
        i += 1
    secs = time.process_time() - start
    return {"pages": i, "bytes": total, "seconds": secs, "mb_per_s": total / secs / 1e6}


def _portal_chrome(kb: int) -> str:
    """Link menus and sidebars of the size real portal pages carry (synthetic headlines)."""
    items, i = [], 0
    while sum(map(len, items)) < kb * 1000:
        items.append(f'<li><a href="/news/{i}.html">某区第{i}期基层党建工作动态信息</a><span>2023-05-{i % 28 + 1:02d}</span></li>')
        i += 1
    half = len(items) // 2
    return ('<div class="sidebar"><ul>' + "".join(items[:half]) + "</ul></div>",
            '<div class="links"><ul>' + "".join(items[half:]) + "</ul></div>")


def bench_html(html_dir: Path, rounds: int, pad_kb: int = 0) -> dict:
    import trafilatura

    files = sorted(p for ext in ("*.html", "*.htm") for p in html_dir.glob(ext))
    if not files:
        return {}
    blobs = [(p, p.read_bytes()) for p in files]
    if pad_kb:
        top, bottom = _portal_chrome(pad_kb)
        padded = []
        for p, b in blobs:
            text, codec = decode_bytes(b, p)
            text = text.replace("<body>", "<body>" + top, 1).replace("</body>", bottom + "</body>", 1)
            padded.append((p, text.encode(codec if codec != "big5hkscs" else "big5hkscs", errors="replace")))
        blobs = padded
    texts = [decode_bytes(b, p)[0] for p, b in blobs]
    for t in texts:  # warm up both paths
        trafilatura.bare_extraction(t, with_metadata=True)
    for p, b in blobs:
        page = read_bytes(b, p)
        clean_text(page.text, str(p), html_meta=page.html_meta)

    start = time.process_time()
    for _ in range(rounds):
        for t in texts:
            trafilatura.extract(t)
    extractor = time.process_time() - start

    start = time.process_time()
    for _ in range(rounds):
        for t in texts:
            trafilatura.bare_extraction(t, with_metadata=False, include_comments=False, include_tables=True,
                                        favor_recall=True, deduplicate=False)
    bare = time.process_time() - start

    start = time.process_time()
    for _ in range(rounds):
        for p, b in blobs:
            page = read_bytes(b, p)
            clean_text(page.text, str(p), html_meta=page.html_meta, encoding=page.encoding, fmt=page.format)
    ours = time.process_time() - start
    size = sum(len(b) for _, b in blobs) * rounds
    return {"pages": len(blobs) * rounds, "bytes": size, "trafilatura_s": extractor, "casebook_s": ours, "bare_s": bare,
            "slowdown": ours / extractor - 1}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("raw", nargs="?", default="raw")
    ap.add_argument("html", nargs="?", default="tests/pages")
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--pad-kb", type=int, default=40, help="also time pages padded with this much portal chrome")
    a = ap.parse_args(argv)
    t = bench_text(Path(a.raw), a.mb)
    if t:
        print(f"clean text dumps: {t['bytes'] / 1e6:.2f} MB in {t['seconds']:.2f} s = {t['mb_per_s']:.2f} MB/s "
              f"per core ({t['pages']} pages)")
    for pad in sorted({0, a.pad_kb}):
        h = bench_html(Path(a.html), a.rounds if not pad else max(1, a.rounds // 4), pad)
        if not h:
            break
        label = "hand-written test pages" if not pad else f"same pages inside {pad} KB of portal menus"
        print(f"clean HTML ({label}): {h['pages']} pages, {h['bytes'] / 1e6:.2f} MB; trafilatura.extract alone "
              f"{h['trafilatura_s']:.2f} s, casebook read+extract+clean {h['casebook_s']:.2f} s "
              f"({h['slowdown'] * 100:+.1f}%); vs trafilatura.bare_extraction with our options "
              f"{h['bare_s']:.2f} s ({(h['casebook_s'] / h['bare_s'] - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
