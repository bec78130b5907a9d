"""Benchmark plumbing: synthetic raw pages, a tiny `casebook bench` run, the Dask scale-out map.

No timing assertions: figures are printed by the bench, not checked here."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.casefile import is_case_file
from casebook.clean import clean_file
from casebook.dev import bench, rawsynth, scaleout, synth

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- rawsynth


def test_rawsynth_is_deterministic(tmp_path):
    a = rawsynth.generate(12, tmp_path / "a", seed=7)
    b = rawsynth.generate(12, tmp_path / "b", seed=7)
    c = rawsynth.generate(12, tmp_path / "c", seed=8)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]


def test_rawsynth_mix_of_scripts_encodings_and_formats():
    rng = random.Random(0)
    pages = [rawsynth.make_page(i, rng) for i in range(200)]
    kinds = {(p.variant["format"], p.variant["script"], p.variant["encoding"]) for p in pages}
    assert {v["format"] for v in (p.variant for p in pages)} == {"text", "html"}
    assert any(script == "traditional" for _, script, _ in kinds)
    gbk = [p for p in pages if p.variant["encoding"] == "gbk"]
    assert gbk, "no GBK page in 200"
    for page in gbk:
        with pytest.raises(UnicodeDecodeError):
            page.data.decode("utf-8")
        assert page.county.county in page.data.decode("gbk")
    trad = [p for p in pages if p.variant["script"] == "traditional"]
    # OpenCC s2t turns 党 into 黨: a Traditional page never has the Simplified form
    assert all("黨" in p.data.decode("utf-8") and "党" not in p.data.decode("utf-8") for p in trad)
    html_pages = [p for p in pages if p.variant["format"] == "html"]
    assert all(p.data.decode(p.variant["encoding"]).lstrip().startswith("<!DOCTYPE html>") for p in html_pages)
    assert any(p.sidecar for p in pages) and any(p.variant["spam"] for p in pages)


def test_rawsynth_regions_come_from_the_dataset():
    counties = rawsynth.counties()
    assert len(counties) > 2500
    codes = {c.code: c for c in counties}
    # a few real GB/T 2260 county-level units, with their province and city
    assert codes["440904"].county == "电白区" and codes["440904"].city == "茂名市"
    assert codes["230722"].county == "嘉荫县" and codes["230722"].province == "黑龙江省"
    assert all(not c.code.endswith("00") for c in counties)


def test_rawsynth_body_length_and_boilerplate():
    rng = random.Random(3)
    pages = [rawsynth.make_page(i, rng) for i in range(60)]
    single = [p for p in pages if p.variant["format"] == "text" and not p.variant["multi"]
              and p.variant["script"] == "simplified"]
    assert single
    for page in single:
        text = page.data.decode(page.variant["encoding"])
        body = "".join(line for line in text.splitlines() if len(line.strip()) > 60)
        assert 1800 <= len(body) <= 4000, len(body)
        assert page.county.county in text
        assert re.search(r"首页|当前位置|网站导航|客服热线", text)


def test_cleaner_drops_synthetic_boilerplate_and_keeps_the_body(tmp_path):
    rng = random.Random(11)
    for i in range(60):
        page = rawsynth.make_page(i, rng)
        text = page.data.decode(page.variant["encoding"])
        if page.variant["format"] == "text" and page.variant["script"] == "simplified" \
                and re.search(r"^  \d+\. ", text, re.M):
            break
    else:
        pytest.fail("no plain text page with a numbered headline list in 60")
    path = tmp_path / page.name
    path.write_bytes(page.data)
    data = clean_file(str(path))
    kept = "\n".join(b["text"] for b in data["blocks"])
    assert page.variant["title"] in kept
    assert page.county.county in kept
    spam = set(rawsynth.templates()["spam_headlines"])
    # the numbered headline list goes (runs of headlines on one line are the cleaner's open problem)
    assert not any(re.match(r"\d+\. ", b["text"]) and any(h in b["text"] for h in spam) for b in data["blocks"])
    assert "ICP" not in kept and "版权所有" not in kept and "举报电话" not in kept


# ---------------------------------------------------------------- bench


ROWS = ["raw pages", "clean, 1 process", "clean, 2 processes", "convert, cold", "convert, no change",
        "convert, one page edited", "cases built", "validate", "mkdocs build (casebook), first",
        "mkdocs build (casebook), again with --clean", "rebuild after one case edited", "rebuild ÷ full build", "mkdocs build (plain Material)",
        "build speed-up", "site size (casebook)", "site size (plain Material)", "site size ratio",
        "search index (casebook)", "per case", "search index (plain Material)", "index size ratio",
        "bundle", "peak RSS: clean / convert", "peak RSS: build / plain build", "bench wall time",
        "split by province: projects", "split by province: full build", "split: rebuild one province"]


def _table_cells(text: str) -> dict[str, str]:
    cells = {}
    for line in text.splitlines():
        m = re.match(r"^\| (.+?) \| (.+) \|$", line)
        if m:
            cells[m.group(1).strip()] = m.group(2).strip()
    return cells


@pytest.mark.slow
def test_bench_smoke_prints_every_figure_and_writes_results(tmp_path):
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "CASEBOOK_ROOT": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "casebook.cli", "bench", "--sizes", "6", "--jobs", "2", "--split",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert out.is_file()
    report = out.read_text(encoding="utf-8")
    for text in (proc.stdout, report):
        cells = _table_cells(text)
        for row in ROWS:
            match = [k for k in cells if row in k]
            assert match, f"row {row!r} missing"
            value = cells[match[0]]
            assert value and "failed" not in value, f"{row}: {value}"
    assert "## Machine" in report and "CPU:" in report and "Python" in report and "mkdocs" in report
    cells = _table_cells(report)
    assert cells["raw pages (size)"].startswith("6 ")
    # every stage ran and reports its seconds
    for row in ("convert, cold", "mkdocs build (casebook)", "mkdocs build (plain Material)", "validate", "bundle"):
        cell = cells[next(k for k in cells if k.startswith(row))]
        assert re.search(r"\d+\.\d+ s", cell), cell


def test_bench_skips_the_quadratic_plain_build_above_plain_max():
    assert bench.plain_skip_reason(2, 2) is None
    reason = bench.plain_skip_reason(3, 2)
    assert reason.startswith("skipped (3 cases > --plain-max 2")
    res = bench.SizeResult(3, figures={"raw_pages": 3, "raw_bytes": 9000, "cases": 3, "cases_from": "convert",
                                       "build": {"s": 2.0, "rss": 100.0}, "plain_build": reason})
    rows = dict(bench.table([res], 1))
    assert rows["mkdocs build (plain Material)"] == [reason]
    assert rows["  build speed-up (plain ÷ casebook first / --clean)"] == ["n/a / n/a"]
    assert rows["mkdocs build (casebook), first: caches cold"] == ["2.00 s"]


def test_bench_rejects_bad_sizes(capsys):
    import argparse

    parser = argparse.ArgumentParser()
    bench.add_parser(parser)
    assert bench.run(parser.parse_args(["--sizes", "ten"])) == 2
    assert "--sizes" in capsys.readouterr().err


# ---------------------------------------------------------------- scale-out


def test_scaleout_dask_bag_matches_clean_file(tmp_path):
    raw = tmp_path / "raw"
    pages = rawsynth.generate(3, raw, seed=5)
    files = scaleout.run_bag(raw, tmp_path / "out", scheduler="processes", npartitions=3, workers=2)
    assert len(files) == 3
    lines = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["source"] for d in lines) == sorted(p.name for p in pages)
    for data in lines:
        direct = clean_file(str(raw / data["source"]))
        direct["source"] = data["source"]
        # rules_version is fixed when a process imports the cleaner: it differs only if the rules
        # were edited between this process's import and the workers' (other work in progress)
        data.pop("rules_version", None)
        direct.pop("rules_version", None)
        assert data["blocks"] and data == json.loads(json.dumps(direct, ensure_ascii=False))


def test_scaleout_bad_page_is_an_error_line_not_a_crash(tmp_path):
    line = json.loads(scaleout.clean_to_json(str(tmp_path / "missing.txt"), str(tmp_path)))
    assert line["source"] == "missing.txt" and "error" in line


@pytest.mark.slow
def test_split_site_builds_one_project_per_province(tmp_path):
    """The province split (Material `projects` plugin) builds every province as its own site."""
    root = bench.make_project(tmp_path, ROOT)
    synth.generate(8, root / "cases", seed=2)
    cases = bench.case_files(root / "cases")
    by_prov: dict[str, int] = {}
    for path in cases:
        prov = path.relative_to(root / "cases").parts[0]
        by_prov[prov] = by_prov.get(prov, 0) + 1
    out = tmp_path / "split"
    assert scaleout.split_site(root, out, concurrency=2) == by_prov
    root_cfg = (out / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- projects:" in root_cfg and "hoisting: false" in root_cfg
    for prov in by_prov:
        sub = (out / "projects" / prov / "mkdocs.yml").read_text(encoding="utf-8")
        assert f"· {prov}" in sub and str((root / "overrides").resolve()) in sub
        # the province's project holds its own cases and no other province's
        docs = out / "projects" / prov / "cases"
        assert {p.relative_to(docs).parts[0] for p in docs.rglob("*.md") if is_case_file(p)} == {prov}
    r = bench.run_stage(root, "build", "--config", str(out / "mkdocs.yml"), "--site-dir", str(out / "site"),
                        "--no-strict")
    assert r.get("ok"), r
    for prov in by_prov:
        assert (out / "site" / prov / "index.html").is_file()
        pages = [p for p in (out / "site" / prov / prov).rglob("index.html")]
        assert len(pages) >= by_prov[prov], prov
