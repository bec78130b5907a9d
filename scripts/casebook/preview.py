"""`casebook preview`: serve the site locally and rebuild it when a case file is saved.

`mkdocs serve` with incremental rebuilds (`--dirty`, made exact by the casebook plugin): after a
save only the pages whose inputs changed are rendered again, so the preview stays quick on a
casebook of thousands of cases."""
from __future__ import annotations

import logging

from .paths import Project


def add_parser(sp) -> None:
    sp.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    sp.add_argument("--open", action="store_true", help="open the preview in the default browser")
    sp.add_argument("--full", action="store_true", help="render every page on each rebuild (plain `mkdocs serve`)")


def run(args) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    project = Project.here()
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    print(f"预览：http://{args.addr}/ （保存案例文件后页面自动刷新；按 Ctrl+C 停止）")
    try:
        serve(str(project.mkdocs_yml), build_type=None if args.full else "dirty", dev_addr=args.addr,
              open_in_browser=args.open)
    except MkDocsException as err:
        print(f"preview failed: {err}")
        return 2
    return 0
