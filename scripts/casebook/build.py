"""`casebook build`: convert raw/ into cases/, then `mkdocs build --strict` into site/."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from .convert import convert
from .paths import Project


def mkdocs_build(project: Project, site_dir: Path | None = None, strict: bool = True, **overrides) -> None:
    """Build the site with MkDocs' own API. Raises mkdocs.exceptions.MkDocsException on failure."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project.mkdocs_yml), strict=strict,
                         site_dir=str(site_dir or project.site), **overrides)
    build(config)


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def add_parser(sp) -> None:
    sp.add_argument("--no-convert", action="store_true", help="build the site from cases/ as they are")
    sp.add_argument("--jobs", type=int, default=None, help="parallel workers for convert (default: all cores)")
    sp.add_argument("--site-dir", type=Path, default=None, help="output folder (default: site/)")
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
        mkdocs_build(project, args.site_dir)
    except MkDocsException as err:
        print(f"build failed: {err}")
        return 2
    except OSError as err:  # a full disk, a read-only site folder …
        print(f"build failed: {err.filename or project.rel(args.site_dir or project.site)}: {err.strerror or err}")
        return 2
    files, size = folder_size(args.site_dir or project.site)
    print(f"site: {project.rel(args.site_dir or project.site)}/  {files} files, {size / 1e6:.1f} MB, "
          f"built in {time.perf_counter() - started:.1f} s")
    return status
