"""`casebook preview` reports instead of hanging (issue 16).

MkDocs' own server appears stuck after a failed rebuild (requests wait for a build that never
comes). Here each rebuild is gated like `casebook build`: the case files are checked first; with
an error nothing is built, the problems are printed in the terminal and shown in the browser (an
overlay on every page, or an error page when there is no good site yet), and the last good site
stays served. The next save that fixes them rebuilds and clears the overlay.

`install(project)` swaps two names in `mkdocs.commands.serve` (its build function and its server
class) for gated versions; the server's address and binding are untouched."""
from __future__ import annotations

import html
import logging
import threading

from .paths import Project

log = logging.getLogger("casebook.preview")


class State:
    """The problems of the latest rebuild (empty after a good one)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.lines: list[str] = []

    def set(self, lines: list[str]) -> None:
        with self.lock:
            self.lines = list(lines)

    def get(self) -> list[str]:
        with self.lock:
            return list(self.lines)


def overlay_html(lines: list[str], first: bool = False) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[:50])
    more = f"<li>…… 另有 {len(lines) - 50} 条</li>" if len(lines) > 50 else ""
    head = ("案例文件有错误，网站还没有生成。改好并保存后这一页会自动刷新：" if first else
            "案例文件有错误，预览暂停更新（显示的是上一次成功的版本）。改好并保存后会自动刷新：")
    return ('<div id="casebook-preview-errors" role="alert" style="position:fixed;z-index:10000;left:0;right:0;'
            'top:0;max-height:60vh;overflow:auto;background:#fff3f3;color:#600;border-bottom:3px solid #c00;'
            'padding:1em 1.5em;font:14px/1.6 sans-serif;white-space:pre-wrap">'
            f"<strong>{head}</strong>"
            f"<ul style=\"margin:.5em 0 0 1em;padding:0\">{items}{more}</ul></div>")


def error_page(lines: list[str]) -> bytes:
    # no good site yet, so no live-reload script: the page asks again every few seconds
    return ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"3\">"
            f"<title>预览：案例文件有错误</title></head><body>{overlay_html(lines, first=True)}</body></html>").encode("utf-8")


def gated_build(project: Project, state: State, real_build):
    """A build function for `mkdocs serve` that checks the cases first and never raises."""

    def build(config, **kwargs):
        from . import validate

        try:
            report = validate.validate(project)
            lines = [p.format() for p in report.errors]
            if lines:
                for line in lines:
                    print(line, flush=True)
                print(f"预览：发现 {len(lines)} 个错误，没有重新生成；浏览器中会显示这些错误，"
                      "改好并保存后自动恢复。", flush=True)
                state.set(lines)
                return
            real_build(config, **kwargs)
        except Exception as err:  # noqa: BLE001 - a failed rebuild is reported, the server keeps going
            message = f"网站生成失败：{type(err).__name__}: {err}"
            print(f"预览：{message}", flush=True)
            state.set([message])
            return
        if state.get():
            print("预览：错误已改正，网站已重新生成。", flush=True)
        state.set([])

    return build


def server_class(base, state: State):
    class Server(base):
        """MkDocs' live-reload server with the problems shown on every page."""

        @property
        def error_handler(self):
            def handler(code):
                lines = state.get()
                if lines and code == 404:
                    return error_page(lines)
                return self._inner_error_handler(code)

            return handler

        @error_handler.setter
        def error_handler(self, inner):
            self._inner_error_handler = inner

        def _inject_js_into_html(self, content, epoch):
            content = super()._inject_js_into_html(content, epoch)
            lines = state.get()
            if not lines:
                return content
            block = overlay_html(lines).encode("utf-8")
            at = content.rfind(b"</body>")
            return content + block if at < 0 else content[:at] + block + content[at:]

    return Server


def install(project: Project) -> State:
    from mkdocs.commands import serve as serve_module

    state = State()
    serve_module.build = gated_build(project, state, serve_module.build)
    serve_module.LiveReloadServer = server_class(serve_module.LiveReloadServer, state)
    return state
