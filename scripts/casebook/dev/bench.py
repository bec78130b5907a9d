"""`casebook bench`: benchmark every stage at several corpus sizes and print figures.

Per size, in a temporary project (a copy of mkdocs.yml, overrides/ and the hand-written
pages of cases/, with raw/ filled by casebook.dev.rawsynth):

  clean      throughput, single process (on a sample) and with --jobs workers
  convert    cold, no-change re-run, re-run after editing one raw page
  validate   `casebook validate` over the converted cases
  build      `mkdocs build --strict` (casebook configuration), then a rebuild after editing one case
  plain      the same cases with a plain Material configuration (every case in the navigation,
             default search, no casebook plugin): the ratio plain / casebook is the gain
  bundle     `casebook bundle`, zip size

Every stage runs in its own subprocess (`python -m casebook.dev.bench --stage …`) so that its
wall time includes start-up like an editor's run, and its peak RSS (the largest of the stage
process and its worker processes) is per stage. A stage that fails is reported with its error,
and the run goes on.
Results are printed as a table and written, with the machine description, to --out.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..casefile import is_case_file

DEFAULT_SIZES = "100,1000"
STAGE_TIMEOUT = 3600  # seconds; a stage that hangs longer is reported as failed


# ---------------------------------------------------------------- small helpers


def tree_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under folder."""
    files = size = 0
    if folder.is_dir():
        for p in folder.rglob("*"):
            if p.is_file():
                files += 1
                size += p.stat().st_size
    return files, size


def human(n: float | None, unit: str = "B") -> str:
    if n is None:
        return "n/a"
    for prefix in ("", "k", "M", "G"):
        if abs(n) < 1000 or prefix == "G":
            return f"{n:.0f} {prefix}{unit}" if prefix == "" else f"{n:.1f} {prefix}{unit}"
        n /= 1000
    return f"{n:.1f} G{unit}"


def secs(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:.2f} s" if x < 10 else f"{x:.1f} s")


def peak_rss_mb() -> float:
    """Largest resident set of this process and of its waited-for children, in MB."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux: kilobytes


# ---------------------------------------------------------------- stages (run in a subprocess)


def _clean_one(path: str) -> tuple[int, str | None]:
    from ..clean import clean_file

    size = os.path.getsize(path)
    try:
        clean_file(path)
        return size, None
    except Exception as err:  # a bad page is counted, never fatal
        return size, f"{path}: {type(err).__name__}: {err}"


def _warm(files: list[str]) -> None:
    """Pay the one-time costs of a cleaning process (imports, HTML date parser tables) up front."""
    for f in files:
        _clean_one(f)
    time.sleep(0.3)  # so that every worker of the pool takes one warm-up task


def stage_clean(root: Path, jobs: int, files: list[str]) -> dict:
    """Clean throughput in steady state; the start-up of the process(es) is timed separately."""
    from concurrent.futures import ProcessPoolExecutor

    warm = [f for f in files if f.endswith(".html")][:1] + files[:1]
    started = time.perf_counter()
    if jobs <= 1:
        _warm(warm)
        ready = time.perf_counter()
        results = [_clean_one(f) for f in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_warm, [warm] * jobs, chunksize=1))
            ready = time.perf_counter()
            chunk = max(1, min(32, len(files) // (jobs * 8)))
            results = list(pool.map(_clean_one, files, chunksize=chunk))
    seconds = time.perf_counter() - ready
    errors = [e for _, e in results if e]
    return {"work_seconds": seconds, "startup_seconds": ready - started, "pages": len(files),
            "bytes": sum(s for s, _ in results), "errors": len(errors), "first_errors": errors[:3]}


def stage_convert(root: Path, jobs: int) -> dict:
    from ..convert import convert, pipeline_version
    from ..paths import Project

    report = convert(Project(root), jobs=jobs, progress=False)
    return {"pages": report.pages, "cases": report.cases, "written": len(report.written),
            "unchanged": report.unchanged, "cache_hits": report.cache_hits, "skipped": len(report.skipped),
            "first_skipped": [f"{p}: {m}" for p, m in report.skipped[:3]], "pipeline": pipeline_version()}


def stage_cli(root: Path, verb: str) -> dict:
    """Run a casebook verb in-process (quietly) and return its exit status."""
    import contextlib
    import io

    from .. import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            status = cli.main([verb])
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
    tail = out.getvalue().strip().splitlines()[-3:]
    return {"status": status, "tail": tail}


def stage_build(root: Path, config_file: Path, site_dir: Path, strict: bool, clean: bool = False) -> dict:
    """The site build as `casebook build --no-convert [--clean]` runs it: incremental when an
    earlier build of the same site left its state (the first build of a size is a full one)."""
    import logging

    from ..build import mkdocs_build

    logging.basicConfig(level=logging.ERROR)
    note = None
    try:
        mkdocs_build(config_file, site_dir, strict=strict, incremental=not clean)
    except Exception as err:
        if not strict:
            raise
        note = f"strict build failed ({type(err).__name__}: {str(err)[:200]}); built again without --strict"
        mkdocs_build(config_file, site_dir, strict=False, incremental=not clean)
    return {"note": note}


def stage_main(argv: list[str]) -> int:
    """`python -m casebook.dev.bench --stage NAME --root DIR …`: run one stage, print one JSON line."""
    import argparse

    p = argparse.ArgumentParser(prog="casebook.dev.bench --stage")
    p.add_argument("--stage", required=True, choices=["clean", "convert", "validate", "build", "bundle"])
    p.add_argument("--root", type=Path, required=True)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--files", type=Path, help="clean: file with one page path per line")
    p.add_argument("--config", type=Path, help="build: mkdocs.yml to use")
    p.add_argument("--site-dir", type=Path, help="build: output folder")
    p.add_argument("--no-strict", action="store_true")
    p.add_argument("--clean", action="store_true", help="build: render every page")
    p.add_argument("--profile", type=Path, help="write a cProfile report (top functions) to this file")
    a = p.parse_args(argv)
    os.environ["CASEBOOK_ROOT"] = str(a.root)
    os.chdir(a.root)
    profiler = None
    if a.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    try:
        if a.stage == "clean":
            out = stage_clean(a.root, a.jobs, a.files.read_text(encoding="utf-8").split("\n"))
        elif a.stage == "convert":
            out = stage_convert(a.root, a.jobs)
        elif a.stage == "build":
            out = stage_build(a.root, a.config, a.site_dir, not a.no_strict, a.clean)
        else:
            out = stage_cli(a.root, a.stage)
        out["ok"] = True
    except Exception as err:
        out = {"ok": False, "error": f"{type(err).__name__}: {str(err)[:300]}"}
    out["inner_seconds"] = time.perf_counter() - started
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(45)
        buf.write("\n\n--- by own time ---\n")
        pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(30)
        a.profile.write_text(buf.getvalue(), encoding="utf-8")
    out["peak_rss_mb"] = peak_rss_mb()
    print("BENCH-JSON " + json.dumps(out, ensure_ascii=False))
    return 0


def run_stage(root: Path, stage: str, *extra: str) -> dict:
    """Run one stage in a fresh Python; adds wall `seconds` (start-up included)."""
    cmd = [sys.executable, "-m", "casebook.dev.bench", "--stage", stage, "--root", str(root), *extra]
    env = {**os.environ, "CASEBOOK_ROOT": str(root), "PYTHONHASHSEED": "0"}
    snapshot = root.parent / "pkg"
    if snapshot.is_dir():  # the package as it was when the bench started (see make_project)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root, timeout=STAGE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {STAGE_TIMEOUT} s", "seconds": None}
    seconds = time.perf_counter() - started
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH-JSON "):
            out = json.loads(line[len("BENCH-JSON "):])
            out["seconds"] = seconds
            return out
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"ok": False, "error": f"stage crashed (exit {proc.returncode}): {' | '.join(tail)}", "seconds": seconds}


# ---------------------------------------------------------------- project set-up


PLAIN_MKDOCS = """\
# Plain Material configuration for the benchmark's comparison build: every case in the
# navigation (no nav: MkDocs lists every page), default search, no casebook plugin.
site_name: 案例库（plain Material）
docs_dir: {docs}
theme:
  name: material
  language: zh
plugins:
  - search
"""


def make_project(base: Path, repo: Path) -> Path:
    """A scratch project: the repository's mkdocs.yml, overrides/ and hand-written pages (not cases)."""
    root = base / "project"
    root.mkdir(parents=True)
    if (repo / "mkdocs.yml").is_file():
        shutil.copy2(repo / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("overrides", "hooks"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, root / folder)
    if (repo / "scripts").is_dir():
        # mkdocs.yml may name data files by their path in the repository (e.g. the jieba user dictionary)
        (root / "scripts").symlink_to((repo / "scripts").resolve(), target_is_directory=True)
    cases = repo / "cases"
    (root / "cases").mkdir()
    if cases.is_dir():
        for path in cases.rglob("*"):
            if path.is_file() and not is_case_file(path):
                target = root / "cases" / path.relative_to(cases)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    (root / "raw").mkdir()
    # A snapshot of the casebook package for the stage processes: edits made to the working tree
    # while the bench runs neither change the code measured nor invalidate the convert cache.
    package = Path(__file__).resolve().parent.parent  # the whole casebook package, dev/ included
    shutil.copytree(package, base / "pkg" / "casebook", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def case_files(cases: Path) -> list[Path]:
    return sorted(p for p in cases.rglob("*.md") if is_case_file(p))


def edit_one_raw(raw: Path) -> Path | None:
    """Change one sentence of one UTF-8 text page (as an editor fixing a typo in raw/ would)."""
    for path in sorted(raw.glob("*.txt")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "。" in text:
            path.write_text(text.replace("。", "。基准测试修改了这一句。", 1), encoding="utf-8")
            return path
    return None


def edit_one_case(cases: Path) -> Path | None:
    """Change one sentence in the body of one case file."""
    for path in case_files(cases):
        text = path.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n---\n")
        if sep and "。" in body:
            path.write_text(head + sep + body.replace("。", "。编辑补充了这一句。", 1), encoding="utf-8")
            return path
    return None


# ---------------------------------------------------------------- one size


@dataclass
class SizeResult:
    size: int
    figures: dict = field(default_factory=dict)   # name -> value (numbers or strings)
    notes: list[str] = field(default_factory=list)
    minutes: float = 0.0


def bench_size(n: int, repo: Path, jobs: int, keep: bool, clean_sample: int, seed: int,
               profile_dir: Path | None, log, split: bool = False, plain_max: int = 2000) -> SizeResult:
    from . import rawsynth

    res = SizeResult(n)
    f = res.figures
    started = time.perf_counter()
    base = Path(tempfile.mkdtemp(prefix=f"casebook-bench-{n}-"))
    load0 = os.getloadavg()[0]
    try:
        root = make_project(base, repo)
        t0 = time.perf_counter()
        pages = rawsynth.generate(n, root / "raw", seed=seed)
        f["raw_pages"] = len(pages)
        f["raw_bytes"] = sum(p.stat().st_size for p in pages)
        log(f"[{n}] generated {n} raw pages ({human(f['raw_bytes'])}) in {time.perf_counter() - t0:.1f} s")
        bench_clean(root, base, pages, jobs, clean_sample, res, log)
        converted = bench_convert(root, jobs, profile_dir, res, log)
        cases = built_cases(root, n, seed, res)
        f["cases"] = len(cases)
        f["cases_from"] = "convert" if converted else "synth"
        bench_validate(root, res, log)
        bench_build(root, profile_dir, res, log)
        if split and isinstance(f.get("build"), dict):  # the same cases, one Material project per province
            bench_split(root, base, jobs, f, res, log)
        skipped = plain_skip_reason(len(cases), plain_max)
        if skipped:
            f["plain_build"] = skipped
            log(f"[{n}] plain Material: {skipped}")
        else:
            bench_plain(root, base, f, log, n)
        bench_bundle(root, res, log)
    finally:
        res.minutes = (time.perf_counter() - started) / 60
        f["load"] = f"{load0:.1f} → {os.getloadavg()[0]:.1f}"
        if keep:
            log(f"[{n}] kept: {base}")
            res.notes.append(f"kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return res


def plain_skip_reason(cases: int, plain_max: int) -> str | None:
    """Why the plain Material build is skipped, or None. Its navigation makes time and size grow
    with cases², so above --plain-max cases it is skipped rather than left to run for hours."""
    if cases > plain_max:
        return f"skipped ({cases} cases > --plain-max {plain_max}: grows quadratically)"
    return None


def bench_clean(root: Path, base: Path, pages: list[Path], jobs: int, clean_sample: int, res: SizeResult,
                log) -> None:
    """Clean throughput: a sample in one process, every page in `jobs` processes."""
    f = res.figures
    lst = base / "sample.txt"
    lst.write_text("\n".join(str(p) for p in pages[:clean_sample]), encoding="utf-8")
    one = run_stage(root, "clean", "--jobs", "1", "--files", str(lst))
    alll = base / "all.txt"
    alll.write_text("\n".join(map(str, pages)), encoding="utf-8")
    par = run_stage(root, "clean", "--jobs", str(jobs), "--files", str(alll))
    for key, r in (("clean_1", one), (f"clean_{jobs}", par)):
        if not r.get("ok"):
            f[key] = f"failed: {r['error']}"
            continue
        w = r["work_seconds"]
        f[key] = {"pages": r["pages"], "MBps": r["bytes"] / 1e6 / w, "pps": r["pages"] / w,
                  "rss": r["peak_rss_mb"], "errors": r["errors"], "startup": r.get("startup_seconds")}
        if r["errors"]:
            res.notes.append(f"clean: {r['errors']} pages raised, e.g. {r['first_errors'][0]}")
    f["clean_jobs"] = jobs
    log(f"[{res.size}] clean: {_fmt_clean(f.get('clean_1'))} (1 process) / {_fmt_clean(f.get(f'clean_{jobs}'))} "
        f"({jobs} processes)")


def bench_convert(root: Path, jobs: int, profile_dir: Path | None, res: SizeResult, log) -> bool:
    """Convert cold, again with nothing changed, and after one raw page is edited; True if the
    cold run converted."""
    f, n = res.figures, res.size
    cold = run_stage(root, "convert", "--jobs", str(jobs))
    if profile_dir:
        # a separate single-process run under cProfile (cache cleared), so the figures above stay clean
        shutil.rmtree(root / ".casebook-cache", ignore_errors=True)
        run_stage(root, "convert", "--jobs", "1", "--profile", str(profile_dir / f"profile-convert-{n}.txt"))
    again = run_stage(root, "convert", "--jobs", str(jobs))
    edited = edit_one_raw(root / "raw")
    after_edit = run_stage(root, "convert", "--jobs", str(jobs))
    for key, r in (("convert_cold", cold), ("convert_nochange", again), ("convert_edit1", after_edit)):
        f[key] = _stage_fig(r)
    if cold.get("ok"):
        _convert_notes(cold, again, after_edit, res)
    if edited is None:
        res.notes.append("no UTF-8 text page to edit: one-page-edit figure is a no-change run")
    log(f"[{n}] convert: cold {_fmt_stage(cold)}, no change {_fmt_stage(again)}, "
        f"one page edited {_fmt_stage(after_edit)}; cases {f.get('cases_converted')}")
    return bool(cold.get("ok"))


def _convert_notes(cold: dict, again: dict, after_edit: dict, res: SizeResult) -> None:
    f = res.figures
    f["cases_converted"] = cold["cases"]
    if cold["skipped"]:
        res.notes.append(f"convert skipped {cold['skipped']} pages, e.g. {cold['first_skipped'][0]}")
    if again.get("ok") and again["pipeline"] != cold["pipeline"]:
        res.notes.append("pipeline code changed between convert runs (someone edited the package): "
                         "the no-change figure includes re-cleaning")
    if again.get("ok"):
        f["convert_nochange_hits"] = f"{again['cache_hits']}/{again['pages']}"
    if after_edit.get("ok"):
        f["convert_edit1_written"] = after_edit["written"]


def built_cases(root: Path, n: int, seed: int, res: SizeResult) -> list[Path]:
    """The case files the build stages use: convert's, or synthetic ones if it produced none."""
    cases = case_files(root / "cases")
    if not cases:
        from . import synth

        synth.generate(n, root / "cases", seed=seed)
        cases = case_files(root / "cases")
        res.notes.append(f"convert produced no cases: build stages use {len(cases)} synthetic cases "
                         "from casebook.dev.synth")
    return cases


def bench_validate(root: Path, res: SizeResult, log) -> None:
    r = run_stage(root, "validate")
    res.figures["validate"] = _stage_fig(r)
    if r.get("ok") and r.get("status"):
        res.notes.append(f"validate exited {r['status']}: {' | '.join(r.get('tail', []))[:200]}")
    log(f"[{res.size}] validate: {_fmt_stage(r)}")


def bench_build(root: Path, profile_dir: Path | None, res: SizeResult, log) -> None:
    """casebook build, again with --clean (caches warm), then after one case is edited."""
    f, n = res.figures, res.size
    site = root / "site"
    config = ["--config", str(root / "mkdocs.yml"), "--site-dir", str(site)]
    full = run_stage(root, "build", *config)
    f["build"] = _stage_fig(full)
    if full.get("ok"):
        if full.get("note"):
            res.notes.append("build: " + full["note"])
        f["site_files"], f["site_bytes"] = tree_size(site)
        index = site / "search" / "search_index.json"
        f["search_bytes"] = index.stat().st_size if index.is_file() else None
        # the first build also fills the caches (jieba tokens): build all again
        f["build_warm"] = _stage_fig(run_stage(root, "build", *config, "--clean"))
        edited = edit_one_case(root / "cases")
        extra = ["--profile", str(profile_dir / f"profile-build-{n}.txt")] if profile_dir else []
        f["rebuild_edit1"] = _stage_fig(run_stage(root, "build", *config, *extra))
        if profile_dir:
            res.notes.append("the one-case-edit rebuild ran under cProfile (slower than unprofiled)")
        if edited is None:
            res.notes.append("no case file to edit: the rebuild figure is a no-change rebuild")
    log(f"[{n}] build: {_fmt_stage(full)}, again with --clean {_fmt_stage(f.get('build_warm') or {})}, "
        f"one case edited {_fmt_stage(f.get('rebuild_edit1') or {})}; "
        f"site {human(f.get('site_bytes'))}, search index {human(f.get('search_bytes'))}")


def bench_bundle(root: Path, res: SizeResult, log) -> None:
    f = res.figures
    r = run_stage(root, "bundle")
    f["bundle"] = _stage_fig(r)
    zips = sorted((root / "dist").glob("*.zip"), key=lambda p: p.stat().st_mtime) if (root / "dist").is_dir() else []
    f["bundle_bytes"] = zips[-1].stat().st_size if zips else None
    if r.get("ok") and r.get("status"):
        res.notes.append(f"bundle exited {r['status']}: {' | '.join(r.get('tail', []))[:200]}")
    log(f"[{res.size}] bundle: {_fmt_stage(r)}, {human(f.get('bundle_bytes'))}")


def bench_plain(root: Path, base: Path, f: dict, log, n: int) -> None:
    """The same cases with a plain Material configuration (every case in the navigation)."""
    plain_docs = base / "plain-docs"
    shutil.copytree(root / "cases", plain_docs, ignore=shutil.ignore_patterns(".*"))
    # only the case files: the casebook's hand-written pages may rely on its plugin
    for p in plain_docs.rglob("*"):
        if p.is_file() and not (p.suffix == ".md" and is_case_file(p)):
            p.unlink()
    plain_yml = base / "plain-mkdocs.yml"
    plain_yml.write_text(PLAIN_MKDOCS.format(docs=json.dumps(str(plain_docs))), encoding="utf-8")
    plain_site = base / "plain-site"
    r = run_stage(root, "build", "--config", str(plain_yml), "--site-dir", str(plain_site), "--no-strict")
    f["plain_build"] = _stage_fig(r)
    if r.get("ok"):
        f["plain_site_bytes"] = tree_size(plain_site)[1]
        index = plain_site / "search" / "search_index.json"
        f["plain_search_bytes"] = index.stat().st_size if index.is_file() else None
    log(f"[{n}] plain Material: {_fmt_stage(r)}, site {human(f.get('plain_site_bytes'))}, "
        f"search index {human(f.get('plain_search_bytes'))}")


def bench_split(root: Path, base: Path, jobs: int, f: dict, res: SizeResult, log) -> None:
    """Build the cases as one project per province (Material `projects` plugin), then rebuild
    only the largest province after editing one of its cases."""
    from .scaleout import split_site

    out = base / "split"
    provinces = split_site(root, out, concurrency=jobs)
    f["split_provinces"] = len(provinces)
    r = run_stage(root, "build", "--config", str(out / "mkdocs.yml"), "--site-dir", str(out / "site"), "--no-strict")
    f["split_build"] = _stage_fig(r)
    big = max(provinces, key=provinces.get)
    f["split_largest"] = f"{big} ({provinces[big]} cases)"
    sub = out / "projects" / big
    edit_one_case(sub / "cases")
    r1 = run_stage(root, "build", "--config", str(sub / "mkdocs.yml"), "--site-dir", str(out / "site" / big),
                   "--no-strict")
    f["split_rebuild_one"] = _stage_fig(r1)
    log(f"[{res.size}] split by province ({len(provinces)} projects): build {_fmt_stage(r)}, "
        f"rebuild of {f['split_largest']} after one edit {_fmt_stage(r1)}")


def _stage_fig(r: dict) -> dict | str:
    if not r.get("ok"):
        return f"failed: {r.get('error')}"
    fig = {"s": r["seconds"], "rss": r["peak_rss_mb"]}
    if isinstance(r.get("status"), int) and r["status"] not in (0, None):
        fig["status"] = r["status"]
    return fig


def _fmt_stage(r) -> str:
    if isinstance(r, str):
        return r
    if not r:
        return "n/a"
    if "s" in r:
        return f"{secs(r['s'])} ({r['rss']:.0f} MB)"
    if not r.get("ok"):
        return f"failed: {r.get('error')}"
    return f"{secs(r['seconds'])} ({r['peak_rss_mb']:.0f} MB)"


def _fmt_clean(r) -> str:
    if not isinstance(r, dict):
        return str(r)
    start = f" + {r['startup']:.1f} s start-up" if r.get("startup") is not None else ""
    return f"{r['MBps']:.2f} MB/s, {r['pps']:.1f} pages/s{start}"


# ---------------------------------------------------------------- table and report


def _sec(fig) -> float | None:
    return fig["s"] if isinstance(fig, dict) and "s" in fig else None


def _cell(fig) -> str:
    if isinstance(fig, dict) and "s" in fig:
        return secs(fig["s"]) + (f" (exit {fig['status']})" if fig.get("status") else "")
    if fig is None:
        return "n/a"
    return str(fig)


def _rss(*figs) -> str:
    vals = [x["rss"] for x in figs if isinstance(x, dict) and "rss" in x]
    return f"{max(vals):.0f} MB" if vals else "n/a"


def _ratio(a, b) -> str:
    return f"{a / b:.1f}×" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "n/a"


def table(results: list[SizeResult], jobs: int) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []

    def row(name, fn):
        rows.append((name, [fn(r.figures) for r in results]))

    row("raw pages (size)", lambda f: f"{f['raw_pages']} ({human(f['raw_bytes'])})")
    row("clean, 1 process", lambda f: _fmt_clean(f.get("clean_1", f.get("clean")))
        + (f" [sample {f['clean_1']['pages']}]" if isinstance(f.get("clean_1"), dict) else ""))
    row(f"clean, {jobs} processes", lambda f: _fmt_clean(f.get(f"clean_{jobs}", f.get("clean"))))
    row("convert, cold", lambda f: _cell(f.get("convert_cold")))
    row("convert, no change", lambda f: _cell(f.get("convert_nochange"))
        + (f" (cache {f['convert_nochange_hits']})" if f.get("convert_nochange_hits") else ""))
    row("convert, one page edited", lambda f: _cell(f.get("convert_edit1")))
    row("cases built", lambda f: f"{f.get('cases')} ({f.get('cases_from')})")
    row("validate", lambda f: _cell(f.get("validate")))
    row("mkdocs build (casebook), first: caches cold", lambda f: _cell(f.get("build")))
    row("mkdocs build (casebook), again with --clean", lambda f: _cell(f.get("build_warm")))
    row("rebuild after one case edited", lambda f: _cell(f.get("rebuild_edit1")))
    row("  rebuild ÷ full build (--clean)", lambda f: _ratio(_sec(f.get("rebuild_edit1")), _sec(f.get("build_warm"))))
    row("mkdocs build (plain Material)", lambda f: _cell(f.get("plain_build")))
    row("  build speed-up (plain ÷ casebook first / --clean)",
        lambda f: f"{_ratio(_sec(f.get('plain_build')), _sec(f.get('build')))} / "
                  f"{_ratio(_sec(f.get('plain_build')), _sec(f.get('build_warm')))}")
    if any("split_build" in r.figures for r in results):
        row("split by province: projects", lambda f: str(f.get("split_provinces", "n/a")))
        row("split by province: full build", lambda f: _cell(f.get("split_build")))
        row("split: rebuild one province after an edit", lambda f: _cell(f.get("split_rebuild_one"))
            + (f" [{f['split_largest']}]" if f.get("split_largest") else ""))
    row("site size (casebook)", lambda f: human(f.get("site_bytes")))
    row("site size (plain Material)", lambda f: human(f.get("plain_site_bytes")))
    row("  site size ratio (plain ÷ casebook)", lambda f: _ratio(f.get("plain_site_bytes"), f.get("site_bytes")))
    row("search index (casebook)", lambda f: human(f.get("search_bytes")))
    row("  per case", lambda f: human(f["search_bytes"] / f["cases"]) if f.get("search_bytes") and f.get("cases") else "n/a")
    row("search index (plain Material)", lambda f: human(f.get("plain_search_bytes")))
    row("  index size ratio (plain ÷ casebook)", lambda f: _ratio(f.get("plain_search_bytes"), f.get("search_bytes")))
    row("bundle", lambda f: f"{_cell(f.get('bundle'))}, {human(f.get('bundle_bytes'))}"
        if isinstance(f.get("bundle"), dict) else _cell(f.get("bundle")))
    row("peak RSS: clean / convert", lambda f: f"{_rss(f.get(f'clean_{jobs}'))} / "
        f"{_rss(f.get('convert_cold'), f.get('convert_nochange'), f.get('convert_edit1'))}")
    row("peak RSS: build / plain build", lambda f: f"{_rss(f.get('build'), f.get('rebuild_edit1'))} / "
        f"{_rss(f.get('plain_build'))}")
    row("peak RSS: validate / bundle", lambda f: f"{_rss(f.get('validate'))} / {_rss(f.get('bundle'))}")
    row("machine load (1-min average, start → end)", lambda f: f.get("load", "n/a"))
    row("bench wall time", lambda f: "")
    rows[-1] = ("bench wall time", [f"{r.minutes:.1f} min" for r in results])
    return rows


def render_table(rows, results) -> str:
    head = "| stage | " + " | ".join(f"{r.size:,} pages" for r in results) + " |"
    sep = "| --- | " + " | ".join("---:" for _ in results) + " |"
    body = ["| " + name + " | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for name, cells in rows]
    return "\n".join([head, sep, *body])


def machine() -> list[str]:
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = []
    for pkg in ("casebook", "mkdocs", "mkdocs-material", "markdown", "jieba", "opencc", "trafilatura",
                "charset-normalizer", "pyyaml", "lxml", "dask"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    return [f"- CPU: {cpu}, {os.cpu_count()} cores" + (f", RAM {ram / 2**30:.1f} GiB" if ram else ""),
            f"- OS: {platform.platform()}",
            f"- Python {platform.python_version()} ({platform.python_implementation()})",
            "- packages: " + ", ".join(versions),
            f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"]


def report_markdown(results: list[SizeResult], jobs: int, args_line: str) -> str:
    rows = table(results, jobs)
    lines = ["# Benchmark results", "",
             f"Written by `casebook bench` ({args_line}). Synthetic raw pages from `casebook.dev.rawsynth` "
             "(boilerplate, spam, ~2,000 characters of body; Traditional, GBK and HTML pages mixed in); "
             "each stage timed in its own process (start-up included); peak RSS is the largest process of "
             "the stage. The plain Material build uses the same cases with every case in the navigation, "
             "default search and no casebook plugin.", "", "## Machine", "", *machine(), "", "## Figures", "",
             render_table(rows, results), ""]
    biggest = max(results, key=lambda r: r.size)
    if biggest.size < 10_000:
        scale = 10_000 / biggest.size
        plain = _sec(biggest.figures.get("plain_build")) or 0.0
        est = (biggest.minutes - plain / 60) * scale
        lines += ["## Larger sizes", "",
                  f"`--sizes 10000` is for a manual run. By linear extrapolation from the {biggest.size:,}-page "
                  f"run it takes about {est:.0f} minutes on this machine without the plain Material build, "
                  "which is skipped above `--plain-max` cases (its navigation makes time and size grow with "
                  "the square of the number of cases). Stages need not grow linearly: figures measured at "
                  "10,000 pages by hand are in bench/PROFILE.md.", ""]
    notes = [(r.size, n) for r in results for n in r.notes]
    if notes:
        lines += ["## Notes", ""] + [f"- {size:,}: {n}" for size, n in notes] + [""]
    return "\n".join(lines)


# ---------------------------------------------------------------- CLI


def add_parser(sp) -> None:
    sp.add_argument("--sizes", default=DEFAULT_SIZES,
                    help=f"corpus sizes in raw pages, comma-separated (default: {DEFAULT_SIZES}; "
                         "10000 takes long, run it by hand)")
    sp.add_argument("--out", type=Path, default=Path("bench/RESULTS.md"), help="results file (Markdown)")
    sp.add_argument("--jobs", type=int, default=None, help="parallel workers (default: all cores)")
    sp.add_argument("--keep", action="store_true", help="keep the temporary projects (their paths are printed)")
    sp.add_argument("--clean-sample", type=int, default=1000,
                    help="pages cleaned by the single-process throughput run (default: 1000)")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--plain-max", type=int, default=2000,
                    help="skip the plain Material build above this many cases (default: 2000; it grows "
                         "quadratically: 1,366 cases took 1.7-2.8 min and 2.1 GB)")
    sp.add_argument("--split", action="store_true",
                    help="also build the cases split by province with Material's projects plugin")
    sp.add_argument("--profile", type=Path, default=None, metavar="DIR",
                    help="also profile convert (1 process) and the rebuild with cProfile, reports into DIR")


def run(args) -> int:
    from ..paths import find_root

    try:
        sizes = [int(s.replace("_", "").replace(",", "")) for s in str(args.sizes).split(",") if s.strip()]
    except ValueError:
        print(f"bench: --sizes: expected numbers like 100,1000, got {args.sizes!r}", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 1:
        print("bench: --sizes: at least one size of 1 page or more", file=sys.stderr)
        return 2
    repo = find_root()
    jobs = args.jobs or os.cpu_count() or 1
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    results = []
    for n in sizes:
        results.append(bench_size(n, repo, jobs, args.keep, args.clean_sample, args.seed,
                                  args.profile.resolve() if args.profile else None, log,
                                  split=getattr(args, "split", False), plain_max=getattr(args, "plain_max", 2000)))
    args_line = f"--sizes {','.join(map(str, sizes))} --jobs {jobs}"
    text = report_markdown(results, jobs, args_line)
    print()
    print(render_table(table(results, jobs), results))
    for r in results:
        for note in r.notes:
            print(f"note ({r.size}): {note}")
    from ..fsutil import atomic_write

    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    atomic_write(out, text)
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    if "--stage" in sys.argv[1:]:
        sys.exit(stage_main(sys.argv[1:]))
    import argparse

    parser = argparse.ArgumentParser(prog="python -m casebook.dev.bench")
    add_parser(parser)
    sys.exit(run(parser.parse_args()))
