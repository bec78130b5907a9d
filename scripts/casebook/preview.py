"""`casebook preview`: serve the site locally and rebuild it when a case file is saved.

`mkdocs serve` with incremental rebuilds (`--dirty`, made exact by the casebook plugin): after a
save only the pages whose inputs changed are rendered again, so the preview stays quick on a
casebook of thousands of cases."""
from __future__ import annotations

import logging

from .paths import Project


def add_parser(sp) -> None:
    sp.add_argument("--addr", default="127.0.0.1:8000", help="预览地址（默认：127.0.0.1:8000）")
    sp.add_argument("--open", action="store_true", help="在默认浏览器中打开预览")
    sp.add_argument("--full", action="store_true", help="每次保存都重新生成所有页面（即普通的 mkdocs serve）")


def run(args) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    project = Project.here()
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from .preview_errors import install

    install(project)  # issue 16: cases checked before each rebuild, errors shown instead of a stuck server
    print(f"预览：http://{args.addr}/ （保存案例文件后页面自动刷新；按 Ctrl+C 停止）")
    try:
        serve(str(project.mkdocs_yml), build_type=None if args.full else "dirty", dev_addr=args.addr,
              open_in_browser=args.open)
    except MkDocsException as err:
        print(f"预览失败：{err}")
        return 2
    return 0
