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


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def loopback_addr(addr: str) -> tuple[str, int] | None:
    """(host, port) when `addr` is a loopback address with a port, else None."""
    host, sep, port = addr.rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit() or host not in LOOPBACK:
        return None
    return host, int(port)


def allowed_hosts(port: int) -> frozenset[str]:
    """Host headers the preview answers: its own loopback names (no DNS rebinding)."""
    names = ("127.0.0.1", "localhost", "[::1]")
    return frozenset(f"{n}:{port}" for n in names) | (frozenset(names) if port == 80 else frozenset())


def guard(app, port: int):
    """Wrap a WSGI app: a foreign Host header gets 403, a malformed path 400 (never a traceback)."""
    hosts = allowed_hosts(port)

    def guarded(environ, start_response):
        if environ.get("HTTP_HOST", "").lower() not in hosts:
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return ["预览只接受本机地址（127.0.0.1 或 localhost）的访问。".encode()]
        path = environ.get("PATH_INFO", "")
        try:
            decoded = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            decoded = "\0"
        if "\0" in decoded or "\\" in decoded or len(decoded) > 2000:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return ["请求的地址无效。".encode()]
        return app(environ, start_response)
    return guarded


def _guard_server(port: int) -> None:
    """MkDocs' LiveReloadServer hands `self.serve_request` to WSGI when it is created: wrap it."""
    from mkdocs import __version__ as mkdocs_version
    from mkdocs.livereload import LiveReloadServer

    original = getattr(LiveReloadServer, "serve_request", None)
    if original is None:
        raise SystemExit(f"casebook preview 不支持 MkDocs {mkdocs_version}（找不到 LiveReloadServer.serve_request）")
    if getattr(original, "casebook_guarded", False):
        return

    def serve_request(self, environ, start_response):
        return guard(lambda e, s: original(self, e, s), port)(environ, start_response)

    serve_request.casebook_guarded = True
    LiveReloadServer.serve_request = serve_request


def run(args) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    where = loopback_addr(args.addr)
    if where is None:
        print(f"预览只能在本机地址上运行（如 127.0.0.1:8000），「{args.addr}」不行：草稿不应被其他机器读取")
        return 2
    _guard_server(where[1])
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
