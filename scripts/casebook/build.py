"""`casebook build`: convert raw/ into cases/, then `mkdocs build --strict` into site/."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from .convert import convert
from .paths import Project


def mkdocs_build(config_file: Path, site_dir: Path, strict: bool = True, incremental: bool = False,
                 **overrides):
    """Build the site with MkDocs' own API; returns the config it built with (its plugins hold the
    build's figures). Raises mkdocs.exceptions.MkDocsException on failure.

    incremental: render only the pages whose inputs changed since the last build into site_dir;
    else render them all. Either way the casebook plugin runs MkDocs in dirty mode (made exact by
    the plugin) and saves what the next incremental build needs; without the plugin: a full build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), strict=strict, site_dir=str(site_dir), **overrides)
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


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def add_parser(sp) -> None:
    sp.add_argument("--no-convert", action="store_true", help="build the site from cases/ as they are")
    sp.add_argument("--jobs", type=int, default=None, help="parallel workers for convert (default: all cores)")
    sp.add_argument("--site-dir", type=Path, default=None, help="output folder (default: site/)")
    sp.add_argument("--clean", action="store_true",
                    help="render every page (default: only the pages whose inputs changed since the last build)")
    sp.add_argument("-q", "--quiet", action="store_true", help="summary only")


def run(args) -> int:
    from mkdocs.exceptions import MkDocsException

    project = Project.here()
    status = 0
    if not args.no_convert:
        report = convert(project, jobs=args.jobs, progress=not args.quiet)
        print("\n".join(report.lines()))
        status = 0 if report.ok else 1
    logging.basicConfig(level=logging.WARNING, format="mkdocs: %(levelname)s %(message)s")
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG
    started = time.perf_counter()
    try:
        config = mkdocs_build(project.mkdocs_yml, args.site_dir or project.site, incremental=not args.clean)
    except MkDocsException as err:
        print(f"build failed: {err}")
        return 2
    except OSError as err:  # a full disk, a read-only site folder …
        print(f"build failed: {err.filename or project.rel(args.site_dir or project.site)}: {err.strerror or err}")
        return 2
    files, size = folder_size(args.site_dir or project.site)
    plugin = config.plugins.get("casebook")
    pages = f", {plugin.rendered_summary()}" if plugin is not None and plugin.config.enabled else ""
    print(f"site: {project.rel(args.site_dir or project.site)}/  {files} files, {size / 1e6:.1f} MB{pages}, "
          f"built in {time.perf_counter() - started:.1f} s")
    return status
