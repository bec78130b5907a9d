"""Issue 16: `casebook build` is a gate (what validate rejects is never published), one build runs
at a time, and no front-matter value gives a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casebook.fsutil import LockBusy, project_lock
from casebook.paths import Project

ROOT = Path(__file__).resolve().parents[1]
BAD = ("---\nsummary: 【待填写】\nregion: {province: 广东省, city: 茂名市, county: 火星区}\ndomain: 农业\n"
       "themes: [基层治理]\ntags: 后备干部, 村两委\nyear: 2021\nsource: {outlet: 南方日报, published: 2021-13-45}\n"
       "---\n\n手写的案例正文。\n")


def make_project(tmp: Path) -> Project:
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp / "overrides")
    shutil.copytree(ROOT / "cases", tmp / "cases")
    shutil.copytree(ROOT / "raw", tmp / "raw")
    (tmp / "scripts/casebook/data").mkdir(parents=True)
    shutil.copy(ROOT / "scripts/casebook/data/userdict.txt", tmp / "scripts/casebook/data/userdict.txt")
    return Project(tmp)


def casebook(project: Project, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    return subprocess.Popen([sys.executable, "-m", "casebook", *args], cwd=project.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out + err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("gate"))
    rc, out = finish(casebook(project, "build", "-q"))
    assert rc == 0, out
    # convert's record of what it generated (and the tombstones) live in cases/ but are never published
    assert (project.cases / ".casebook" / "generated.tsv").is_file()
    assert not any(".casebook" in p.parts for p in project.site.rglob("*"))
    return project


def test_invalid_case_blocks_the_build_and_names_file_and_line(built):
    project = built
    bad = project.cases / "guangdong" / "maoming" / "dianbai" / "shou-xie.md"
    bad.write_text(BAD, encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in project.site.rglob("*") if p.is_file()}
    try:
        rc, out = finish(casebook(project, "build", "-q", "--no-convert"))
        assert rc == 1 and "Traceback" not in out, out
        rel = "cases/guangdong/maoming/dianbai/shou-xie.md"
        for line, fld in ((1, "title"), (4, "domain"), (3, "region.county"), (6, "tags"), (8, "source.published")):
            assert f"{rel}:{line}: {fld}: " in out, out
        assert "没有 13 月" in out and "网站没有生成" in out
        after = {p: p.stat().st_mtime_ns for p in project.site.rglob("*") if p.is_file()}
        assert after == before  # nothing new built

        rc, out = finish(casebook(project, "build", "-q", "--no-convert", "--keep-going"))
        assert rc == 1 and "Traceback" not in out and f"略去：{rel}" in out, out
        assert (project.site / "index.html").is_file()
        assert not (project.site / "guangdong/maoming/dianbai/shou-xie").exists()
        assert not (project.site / "domains/nongye").exists()
        assert "火星区" not in (project.site / "regions/index.html").read_text(encoding="utf-8")
    finally:
        bad.unlink()
    rc, out = finish(casebook(project, "build", "-q", "--no-convert"))
    assert rc == 0 and "网站：site/" in out, out


@pytest.mark.parametrize("value", ["2021-02-30", "9" * 5000, ".inf", "[[[[[[[[[[1]]]]]]]]]]"])
def test_no_front_matter_value_gives_a_traceback(built, value):
    project = built
    bad = project.cases / "guangdong" / "maoming" / "dianbai" / "zhi.md"
    text = (ROOT / "tests/broken/clean/cun-ji-dang-zu-zhi-xing-ji-ping-ding.md").read_text(encoding="utf-8")
    assert "year: 2021" in text and "published: 2021-06-01" in text
    bad.write_text(text.replace("year: 2021", f"year: {value}").replace("published: 2021-06-01",
                                                                       f"published: {value}"), encoding="utf-8")
    try:
        rc, out = finish(casebook(project, "build", "-q", "--no-convert"))
    finally:
        bad.unlink()
    assert rc == 1 and "Traceback" not in out and "zhi.md:" in out, out


def test_two_builds_at_once_end_in_one_site_and_a_clear_message(built):
    project = built
    shutil.rmtree(project.site)
    first = casebook(project, "build", "-q", "--no-convert", "--clean", "--wait", "0")
    second = casebook(project, "build", "-q", "--no-convert", "--clean", "--wait", "0")
    results = [finish(first), finish(second)]
    codes = sorted(rc for rc, _ in results)
    for _, out in results:
        assert "Traceback" not in out, out
    if codes == [0, 3]:
        refused = next(out for rc, out in results if rc == 3)
        assert "正在这个项目上运行（进程 " in refused and "网站没有改动" in refused, refused
    else:  # the first finished before the second started: both built, one after the other
        assert codes == [0, 0]
    assert (project.site / "index.html").is_file()
    rc, out = finish(casebook(project, "build", "-q", "--no-convert"))
    assert rc == 0, out


def test_lock_waits_refuses_and_takes_over_a_stale_one(tmp_path):
    lock = tmp_path / "casebook.lock"
    lock.write_text("999999999 build\n")  # a dead pid: taken over
    with project_lock(lock, "build", wait=0):
        assert lock.read_text().split()[0] == str(os.getpid())
        holder = subprocess.Popen([sys.executable, "-c", "import sys,time\nfrom casebook.fsutil import project_lock\n"
                                   f"with project_lock({str(lock)!r}, 'convert', wait=0):\n print('got', flush=True)"],
                                  env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = holder.communicate(timeout=60)
        assert holder.returncode != 0 and "LockBusy" in err and f"进程 {os.getpid()}" in err
    waited: list = []
    with project_lock(lock, "build", wait=0):
        pass
    started = time.monotonic()
    with project_lock(lock, "build", wait=2, on_wait=lambda pid, verb: waited.append(pid)):
        pass
    assert time.monotonic() - started < 1 and not waited  # free: no waiting
    with project_lock(lock, "build"):
        with pytest.raises(LockBusy, match="进程"):
            import threading

            box: list = []

            def other():  # flock is per open file: a second open in another thread conflicts too
                try:
                    with project_lock(lock, "bundle", wait=0.5):
                        pass
                except LockBusy as e:
                    box.append(e)

            t = threading.Thread(target=other)
            t.start()
            t.join()
            raise box[0]


def test_preview_shows_errors_keeps_the_last_good_site_and_recovers(tmp_path):
    import socket
    import urllib.request

    project = make_project(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    proc = subprocess.Popen([sys.executable, "-m", "casebook", "preview", "--addr", f"127.0.0.1:{port}"],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    home = f"http://127.0.0.1:{port}/"

    def fetch() -> str | None:
        try:
            with urllib.request.urlopen(home, timeout=20) as r:  # a stuck server fails here
                return r.read().decode("utf-8")
        except OSError:
            return None

    def wait_for(cond, seconds=120) -> str:
        deadline = time.time() + seconds
        page = None
        while time.time() < deadline and proc.poll() is None:
            page = fetch()
            if page is not None and cond(page):
                return page
            time.sleep(1)
        raise AssertionError(f"timed out; last page: {(page or '')[:300]}")

    bad = project.cases / "guangdong" / "maoming" / "dianbai" / "shou-xie.md"
    try:
        wait_for(lambda p: "案例库" in p and "casebook-preview-errors" not in p)
        bad.write_text(BAD, encoding="utf-8")
        page = wait_for(lambda p: "casebook-preview-errors" in p)
        assert "shou-xie.md:8: source.published" in page and "没有 13 月" in page
        assert "案例库" in page  # the last good site is still served under the overlay
        bad.unlink()
        wait_for(lambda p: "casebook-preview-errors" not in p)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "shou-xie.md:1: title:" in out and "错误已改正" in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]


def test_preview_error_page_before_any_good_build_escapes_and_refreshes():
    from casebook.preview_errors import error_page

    page = error_page(["cases/a.md:1: title: <script>alert(1)</script>"]).decode("utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'http-equiv="refresh"' in page and "网站还没有生成" in page
