"""The cleaning bar's scorer, run in-process.

tests/tools/score_clean.py is a verbatim copy of the bar's scorer and must stay one. It cleans each
page by starting `casebook clean FILE --json`; here it runs in the test process (runpy) with that
one command answered by `casebook.clean.clean_file`, each page cleaned once per test session.
test_blind.py::test_cli_json_equals_in_process_json checks on a few pages that the command prints
exactly that JSON, so the substitution changes nothing but the time.
"""
from __future__ import annotations

import contextlib
import io
import json
import runpy
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from unittest import mock

from casebook.clean import clean_file

SCORER = Path(__file__).resolve().parent / "tools" / "score_clean.py"


@lru_cache(maxsize=None)
def _clean_json(path: str) -> str:
    return json.dumps(clean_file(Path(path)), ensure_ascii=False)


def clean_result(path: Path) -> dict:
    """What `casebook clean PATH --json` prints, parsed (a fresh copy: callers may change it)."""
    return json.loads(_clean_json(str(Path(path).resolve())))


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    if list(cmd[:2]) != ["casebook", "clean"] or list(cmd[3:]) != ["--json"]:
        raise AssertionError(f"the scorer ran an unexpected command: {cmd}")
    return subprocess.CompletedProcess(cmd, 0, stdout=_clean_json(str(Path(cmd[2]).resolve())) + "\n", stderr="")


def score(*args: str | Path) -> subprocess.CompletedProcess:
    """`python score_clean.py ARGS…` in-process: its exit status and what it printed."""
    out = io.StringIO()
    argv = sys.argv
    status: int = 0
    sys.argv = [str(SCORER), *map(str, args)]
    try:
        with mock.patch.object(subprocess, "run", _run), contextlib.redirect_stdout(out):
            runpy.run_path(str(SCORER), run_name="__main__")
    except SystemExit as stop:
        if isinstance(stop.code, str):  # SystemExit('…: not found'): Python prints it and exits 1
            out.write(stop.code + "\n")
            status = 1
        else:
            status = int(stop.code or 0)
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(sys.argv, status, stdout=out.getvalue(), stderr="")
