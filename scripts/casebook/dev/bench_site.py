"""Build the site from synthetic (+ real) cases into a scratch folder and print figures.

    python -m casebook.dev.bench_site 1000            # 1,000 synthetic cases
    python -m casebook.dev.bench_site 1000 --real     # plus the repository's cases/

Prints build seconds, peak memory (RSS of this process), site size, search index size per case.
The synthetic cases are written to a temporary docs folder, never into cases/."""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..paths import find_root
from . import synth


def prepare_docs(docs: Path, count: int, real: bool = True, seed: int = 0, root: Path | None = None) -> Path:
    """A docs folder: the repository's cases/ (pages and real cases, if `real`) plus synthetic cases."""
    root = root or find_root()
    if real and (root / "cases").is_dir():
        shutil.copytree(root / "cases", docs, dirs_exist_ok=True)
    else:
        docs.mkdir(parents=True, exist_ok=True)
        if (root / "cases" / "index.md").exists():
            shutil.copy(root / "cases" / "index.md", docs / "index.md")
    if count:
        synth.generate(count, docs / "synth", seed=seed)
    return docs


def build(docs: Path, site: Path, root: Path | None = None, strict: bool = True, **overrides) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    root = root or find_root()
    cfg = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site), strict=strict,
                      **overrides)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(cfg)
    finally:
        cfg.plugins.on_shutdown()


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--real", action="store_true", help="include the repository's cases/")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args(argv)
    import logging
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("mkdocs.plugins.casebook").addHandler(handler)
    logging.getLogger("mkdocs.plugins.casebook").setLevel(logging.INFO)
    work = Path(tempfile.mkdtemp(prefix="casebook-bench-"))
    try:
        docs = prepare_docs(work / "docs", args.count, real=args.real)
        site = args.keep or (work / "site")
        t0 = time.perf_counter()
        build(docs, site)
        seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        index = site / "search" / "search_index.json"
        cases = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))["count"]
        print(json.dumps({
            "cases": cases,
            "build_seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_mb),
            "site_mb": round(dir_size(site) / 2**20, 1),
            "pages": sum(1 for _ in site.rglob("*.html")),
            "search_index_kb": round(index.stat().st_size / 1024, 1),
            "search_index_kb_per_case": round(index.stat().st_size / 1024 / max(cases, 1), 2),
        }, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
