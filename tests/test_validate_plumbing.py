"""Repository plumbing for editors: the pull-request workflow, the pre-commit hooks and the
GitHub annotations that `casebook validate --github` prints."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BROKEN = REPO / "tests" / "broken"


def test_ci_workflow_runs_validate_tests_strict_build_and_uploads_site():
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "pull_request" in triggers
    steps = wf["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    order = [next(i for i, r in enumerate(runs) if needle in r) for needle in
             ('pip install -e ".[test]"', "casebook validate", "pytest", "mkdocs build --strict")]
    assert order == sorted(order)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"].rstrip("/") == "site"
    assert any("chromium" in r for r in runs)  # the browser tests run in CI too


def _hook(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
    return next(h for h in hooks if h["id"] == "casebook-validate")


def test_pre_commit_hook_validates_changed_case_files(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    folder = tmp_path / "cases" / "guangdong" / "maoming" / "dianbai"
    folder.mkdir(parents=True)
    for f in (BROKEN / "clean").glob("*.md"):
        shutil.copy(f, folder / f.name)
    shutil.copy(BROKEN / "bad_date.md", folder / "bad_date.md")
    changed = ["cases/guangdong/maoming/dianbai/bad_date.md", "README.md", "scripts/casebook/cli.py",
               "cases/guangdong/maoming/dianbai/cun-ji-dang-zu-zhi-xing-ji-ping-ding.md"]
    env = {k: v for k, v in os.environ.items() if k != "CASEBOOK_ROOT"}
    for manifest in (REPO / ".pre-commit-config.yaml", REPO / ".pre-commit-hooks.yaml"):
        hook = _hook(manifest)
        assert hook["pass_filenames"] is True
        selected = [c for c in changed if re.search(hook["files"], c)]
        assert selected == [changed[0], changed[3]]
        entry = shlex.split(hook["entry"])
        assert entry[0] == "casebook"
        cmd = [sys.executable, "-m", "casebook", *entry[1:]]
        run = subprocess.run(cmd + selected, cwd=tmp_path, capture_output=True, text=True, env=env)
        assert run.returncode == 1
        assert run.stdout.startswith("cases/guangdong/maoming/dianbai/bad_date.md:16: source.published: ")
        run = subprocess.run(cmd + selected[1:], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert run.returncode == 0, run.stdout


def test_github_annotations(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    folder = tmp_path / "cases" / "guangdong" / "maoming" / "dianbai"
    folder.mkdir(parents=True)
    shutil.copy(BROKEN / "heading_jump.md", folder / "heading_jump.md")
    run = subprocess.run([sys.executable, "-m", "casebook", "validate", "--github", "--root", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    notes = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert notes == ["::error file=cases/guangdong/maoming/dianbai/heading_jump.md,line=26,title=body::"
                     "标题层级跳跃：从 ## 直接到 ####，请把「#### 具体成效」改为「### 具体成效」"]


def test_issue_and_pull_request_templates_exist():
    form = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "new_case.yml").read_text(encoding="utf-8"))
    ids = {item.get("id") for item in form["body"]}
    assert {"title", "region", "domain", "outlet", "url", "text"} <= ids
    pr = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "casebook validate" in pr and "mkdocs serve" in pr
