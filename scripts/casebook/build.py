"""`casebook build`: convert raw/ into cases/, check every case file like `casebook validate`, then
`mkdocs build --strict` into site/.

The check is a gate: when a case has an error nothing new is built and the exit status is 1
(`--keep-going`: the site is built from the files without errors, and the others are listed)."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from .paths import Project

LOCK_NAME = "casebook.lock"


def mkdocs_build(config_file: Path, site_dir: Path, strict: bool = True, incremental: bool = False,
                 exclude: list[str] | None = None, progress: bool = False, **overrides):
    """Build the site with MkDocs' own API; returns the config it built with (its plugins hold the
    build's figures). Raises mkdocs.exceptions.MkDocsException on failure.

    incremental: render only the pages whose inputs changed since the last build into site_dir;
    else render them all. Either way the casebook plugin runs MkDocs in dirty mode (made exact by
    the plugin) and saves what the next incremental build needs; without the plugin: a full build.
    exclude: paths under docs_dir (cases/) left out of the site, as if they were not there.
    progress: a progress bar of the pages rendered."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), strict=strict, site_dir=str(site_dir), **overrides)
    if exclude:
        config.exclude_docs = exclude_spec(config.exclude_docs, exclude)
    if progress:
        config.plugins["casebook-progress"] = _progress_plugin()
    plugin = config.plugins.get("casebook")
    dirty = plugin is not None and plugin.config.enabled
    if dirty:
        plugin.render_all = not incremental
    config.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(config, dirty=dirty)
    finally:
        config.plugins.on_shutdown()
    return config


def _escape_gitignore(path: str) -> str:
    """A literal path as a gitignore pattern anchored at docs_dir (`*?[\\` escaped, `!`/`#` too)."""
    out = "".join("\\" + ch if ch in "*?[]\\!#" else ch for ch in path)
    return "/" + out.rstrip(" ") + ("\\ " * (len(out) - len(out.rstrip(" "))))


def exclude_spec(existing, paths: list[str]):
    import pathspec

    lines = [_escape_gitignore(p) for p in paths]
    spec = pathspec.gitignore.GitIgnoreSpec.from_lines(lines)
    return existing + spec if existing else spec


def _progress_plugin():
    """A tqdm bar over the pages MkDocs renders (added to the plugin collection by mkdocs_build)."""
    from mkdocs.plugins import BasePlugin

    class ProgressPlugin(BasePlugin):
        bar = None
        on_files = _ProgressMethods.on_files
        on_post_page = _ProgressMethods.on_post_page
        on_post_build = _ProgressMethods.on_post_build
        on_build_error = _ProgressMethods.on_build_error

    return ProgressPlugin()


class _ProgressMethods:
    bar = None

    def on_files(self, files, *, config):
        from tqdm import tqdm

        pages = len(files.documentation_pages())
        self.bar = tqdm(total=pages, unit="页", desc="生成网站", file=sys.stderr, leave=False,
                        disable=pages < 20 or not sys.stderr.isatty())
        return files

    def on_post_page(self, output, *, page, config):
        if self.bar is not None:
            self.bar.update(1)
        return output

    def on_post_build(self, *, config):
        if self.bar is not None:
            self.bar.close()

    def on_build_error(self, *, error):
        self.on_post_build(config=None)


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def add_parser(sp) -> None:
    sp.add_argument("--no-convert", action="store_true", help="不转换 raw/，直接用 cases/ 现有的案例生成网站")
    sp.add_argument("--jobs", type=int, default=None, help="转换和检查的并行进程数（默认：全部 CPU 核）")
    sp.add_argument("--site-dir", type=Path, default=None, help="网站输出文件夹（默认：site/）")
    sp.add_argument("--clean", action="store_true",
                    help="重新生成所有页面（默认：只重新生成自上次构建以来受改动影响的页面）")
    sp.add_argument("--keep-going", action="store_true",
                    help="有案例出错时，仍用没有错误的案例生成网站，并列出被略去的文件")
    sp.add_argument("--wait", type=float, default=5.0, metavar="秒",
                    help="另一个 casebook 正在运行时最多等待几秒（默认 5）")
    sp.add_argument("-q", "--quiet", action="store_true", help="只输出摘要，不显示进度条")


def run_locked(project: Project, verb: str, wait: float, work, untouched: str) -> int:
    """`work()` (an exit status) under the project's lock, shared by build, convert and bundle:
    one of them at a time; a run that finds the lock held past `wait` says so and exits 3."""
    from .fsutil import LockBusy, project_lock

    try:
        with project_lock(project.cache / LOCK_NAME, verb, wait=wait, on_wait=_waiting):
            return work()
    except LockBusy as err:
        print(f"casebook {verb}：{err}；{untouched}。", file=sys.stderr)
        return 3


def run(args) -> int:
    project = Project.here()
    return run_locked(project, "build", args.wait, lambda: _run(args, project), "网站没有改动")


def _waiting(pid: int, verb: str) -> None:
    who = f"进程 {pid}" if pid else "另一个进程"
    print(f"另一个 casebook {verb or ''} 正在运行（{who}），等待它结束……", file=sys.stderr)


def gate_lines(report, keep_going: bool) -> list[str]:
    """What the gate prints: every error and warning, then what happens to the build."""
    shown = 10
    out = [p.format() for p in report.errors] + [p.format() for p in report.warnings[:shown]]
    errors, files = len(report.errors), report.error_files()
    if report.warnings:
        more = f"，上面列出前 {shown} 个，全部提醒请运行 casebook validate" if len(report.warnings) > shown else ""
        out.append(f"提醒 {len(report.warnings)} 个（不影响发布，请尽量补全{more}）")
    if errors and keep_going:
        out.append(f"检查发现 {errors} 个错误；按 --keep-going 略去这 {len(files)} 个文件，用其余案例生成网站：")
        out.extend(f"  略去：{f}" for f in files)
    elif errors:
        out.append(f"检查发现 {errors} 个错误（{len(files)} 个文件），网站没有生成，site/ 保持上一次的样子。"
                   "请按提示修改后重新运行 casebook build（或用 --keep-going 先发布没有错误的案例）。")
    return out


def _run(args, project: Project) -> int:
    from mkdocs.exceptions import Abort, MkDocsException

    from . import validate
    from .convert import convert

    status = 0
    if not args.no_convert:
        report = convert(project, jobs=args.jobs, progress=not args.quiet)
        print("\n".join(report.lines()))
        status = 0 if report.ok else 1
    checked = validate.validate(project, jobs=args.jobs)
    for line in gate_lines(checked, args.keep_going):
        print(line)
    if checked.errors and not args.keep_going:
        return 1
    docs = project.cases
    exclude = [Path(project.root, p).relative_to(docs).as_posix() for p in checked.error_files()
               if Path(project.root, p).is_relative_to(docs)]
    logging.basicConfig(level=logging.WARNING, format="mkdocs：%(levelname)s %(message)s")
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG
    site_dir = args.site_dir or project.site
    started = time.perf_counter()
    try:
        config = mkdocs_build(project.mkdocs_yml, site_dir, incremental=not args.clean, exclude=exclude,
                              progress=not args.quiet)
    except Abort as err:  # strict mode: warnings turned into a failure
        print(f"构建失败：{_strict_reason(err)}。网站没有完整生成；请按上面 mkdocs 的提示修改后重新运行。")
        return 2
    except MkDocsException as err:
        print(f"构建失败：{err}")
        return 2
    except OSError as err:  # a full disk, a read-only site folder …
        from .convert import _os_reason

        print(f"构建失败：{err.filename or project.rel(site_dir)}：{_os_reason(err)}")
        return 2
    files, size = folder_size(site_dir)
    plugin = config.plugins.get("casebook")
    pages = f"，{rendered_summary(plugin)}" if plugin is not None and plugin.config.enabled else ""
    print(f"网站：{project.rel(site_dir)}/ 共 {files} 个文件，{size / 1e6:.1f} MB{pages}，"
          f"用时 {time.perf_counter() - started:.1f} 秒" + (f"；略去 {len(exclude)} 个有错误的文件" if exclude else ""))
    return 1 if exclude else status


def _strict_reason(err) -> str:
    import re

    m = re.search(r"(\d+) warnings? in strict mode", str(err))
    return f"严格模式下 MkDocs 报告了 {m.group(1)} 条警告（见上面以「mkdocs：WARNING」开头的行）" if m else str(err)


def rendered_summary(plugin) -> str:
    """How many pages this build rendered, in the editor's words (from the casebook plugin's figures)."""
    pages = len(plugin.files.documentation_pages()) if plugin.files else 0
    skipped = len(plugin.skipped or ())
    if plugin.old_state is None or not skipped:
        return f"生成了 {pages} 个页面"
    return f"重新生成了 {pages - skipped} 个页面（共 {pages} 个，其余自上次构建以来没有变化）"
