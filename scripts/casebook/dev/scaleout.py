"""Cleaning as a distributed map: the same `clean_file` under a Dask bag.

Cleaning is a pure function from one raw page to one JSON object (the `casebook clean --json`
contract), so it runs unchanged on any engine that maps a function over a list. This module
shows it with a Dask bag (optional extra: `pip install -e ".[scale]"`): one task per page
batch, output written as JSON lines, one file per partition.

    python -m casebook.dev.scaleout raw/ out/clean/                   # local processes
    python -m casebook.dev.scaleout raw/ out/clean/ --scheduler tcp://host:8786   # a dask.distributed cluster

On a cluster the workers need the casebook package installed and the pages on storage they can
read (a shared folder, or an fsspec URL such as s3://…; `dask.bag.from_sequence` only ships the
paths). A page that cannot be cleaned becomes `{"source": …, "error": …}`; the run goes on.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

from ..casefile import is_case_file
from ..convert import raw_pages


def clean_to_json(path: str, root: str | None = None) -> str:
    """One raw page -> one JSON line (the clean JSON, `source` relative to root). Never raises."""
    from ..clean import clean_file

    source = path
    if root:
        try:
            source = Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    try:
        data = clean_file(path)
        data["source"] = source
    except Exception as err:  # one bad page never stops the map
        data = {"source": source, "error": f"{type(err).__name__}: {err}"}
    return json.dumps(data, ensure_ascii=False)


def _need_dask():
    try:
        import dask.bag as db
    except ImportError as err:
        raise SystemExit("scaleout: Dask is not installed; install the optional extra: "
                         "pip install -e \".[scale]\"") from err
    return db


def clean_bag(raw_dir: Path, npartitions: int | None = None):
    """A Dask bag of JSON lines, one per raw page under raw_dir (lazy: nothing runs yet)."""
    db = _need_dask()
    pages = [str(p) for p in raw_pages(Path(raw_dir))]
    if not pages:
        raise SystemExit(f"scaleout: {raw_dir}: no raw pages (*.txt, *.html, *.htm)")
    npartitions = npartitions or max(1, min(len(pages), 64, len(pages) // 50 or 1))
    return db.from_sequence(pages, npartitions=npartitions).map(clean_to_json, root=str(raw_dir))


def run_bag(raw_dir: Path, out_dir: Path, scheduler: str = "processes", npartitions: int | None = None,
            workers: int | None = None) -> list[Path]:
    """Clean every page under raw_dir with Dask, writing out_dir/part-N.jsonl. Returns the files."""
    bag = clean_bag(raw_dir, npartitions)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("part-*.jsonl"):
        old.unlink()
    pattern = str(out_dir / "part-*.jsonl")
    if "://" in scheduler:  # a dask.distributed scheduler address
        from dask.distributed import Client

        with Client(scheduler):
            bag.to_textfiles(pattern, encoding="utf-8", last_endline=True)
    else:
        kwargs = {"num_workers": workers} if workers and scheduler == "processes" else {}
        bag.to_textfiles(pattern, encoding="utf-8", last_endline=True, scheduler=scheduler, **kwargs)
    return sorted(out_dir.glob("part-*.jsonl"), key=lambda p: int(p.stem.split("-")[1]))


# ---------------------------------------------------------------- site split by province


# keys of mkdocs.yml whose value is a path relative to the config file
_PATH_KEYS = re.compile(r"^(?P<indent>\s*)(?P<key>custom_dir|jieba_dict_user|jieba_dict):\s*(?P<value>[^\s#]+)",
                        re.M)


def _rebase(config_text: str, base: Path, docs_dir: str, site_name: str | None) -> str:
    """The project's mkdocs.yml for another folder: relative paths made absolute, docs_dir replaced."""
    def absolute(m: re.Match) -> str:
        value = m.group("value").strip("'\"")
        path = value if Path(value).is_absolute() else str((base / value).resolve())
        return f"{m.group('indent')}{m.group('key')}: {json.dumps(path)}"

    text = _PATH_KEYS.sub(absolute, config_text)
    text = re.sub(r"^docs_dir:.*$", f"docs_dir: {json.dumps(docs_dir)}", text, flags=re.M)
    text = re.sub(r"^site_dir:.*$", "", text, flags=re.M)
    if site_name:
        text = re.sub(r"^site_name:\s*(.*)$", lambda m: f"site_name: {m.group(1)} · {site_name}", text,
                      count=1, flags=re.M)
    return text


def split_site(project_root: Path, out: Path, concurrency: int | None = None) -> dict[str, int]:
    """Write a Material `projects` layout that builds each province's cases as its own MkDocs project.

    out/mkdocs.yml            the root project (hand-written pages) + the `projects` plugin
    out/projects/<prov>/      one project per top-level folder of cases/ (a province), with the
                              hand-written pages and that province's cases; built concurrently
    Returns {province folder: number of case files}. Related cases are then computed within a province.
    """
    project_root = Path(project_root).resolve()
    cases = project_root / "cases"
    config = (project_root / "mkdocs.yml").read_text(encoding="utf-8")
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    handwritten = [p for p in cases.rglob("*") if p.is_file() and not is_case_file(p)]
    provinces: dict[str, int] = {}
    for folder in sorted(p for p in cases.iterdir() if p.is_dir()):
        n = sum(1 for p in folder.rglob("*.md") if is_case_file(p))
        if n:
            provinces[folder.name] = n
    for prov in provinces:
        docs = out / "projects" / prov / "cases"
        _copy(handwritten, cases, docs)
        shutil.copytree(cases / prov, docs / prov)
        (out / "projects" / prov / "mkdocs.yml").write_text(
            _rebase(config, project_root, "cases", prov), encoding="utf-8")
    _copy(handwritten, cases, out / "cases")
    root_cfg = _rebase(config, project_root, "cases", None)
    extra = f"\n      concurrency: {concurrency}" if concurrency else ""
    # hoisting off: it assumes every media file has a source path, and the casebook plugin generates some
    root_cfg = re.sub(r"^plugins:\s*$", "plugins:\n  - projects:\n      projects_dir: projects\n      hoisting: false" + extra,
                      root_cfg, count=1, flags=re.M)
    (out / "mkdocs.yml").write_text(root_cfg, encoding="utf-8")
    return provinces


def _copy(files: list[Path], src_root: Path, dst_root: Path) -> None:
    for p in files:
        target = dst_root / p.relative_to(src_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, target)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m casebook.dev.scaleout",
                                description="clean raw pages with a Dask bag into JSON lines")
    p.add_argument("raw_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    p.add_argument("--scheduler", default="processes",
                   help="processes | threads | synchronous | tcp://host:port (default: processes)")
    p.add_argument("--partitions", type=int, default=None, help="number of partitions (default: pages/50, ≤ 64)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    args = p.parse_args(argv)
    if not args.raw_dir.is_dir():
        print(f"scaleout: {args.raw_dir}: not a folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    files = run_bag(args.raw_dir, args.out_dir, args.scheduler, args.partitions, args.workers)
    lines = errors = 0
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            lines += 1
            errors += "blocks" not in json.loads(line)
    print(f"cleaned {lines} pages ({errors} errors) into {len(files)} files under {args.out_dir} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
