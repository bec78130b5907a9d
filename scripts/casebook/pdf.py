"""`casebook bundle --pdf`: a printed page of the offline site saved as PDF by headless Chromium
(Playwright's print to PDF), so trainers hand out paper that looks like the site's print view
(print.css: A4, one case per sheet, no navigation). Page numbers in the footer.

Chromium: Debian's `chromium` on PATH, else Playwright's own; Chinese text needs CJK fonts
(fonts-noto-cjk). Every failure is a PdfError with a message in Chinese."""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

from .fsutil import atomic_write

FOOTER = ('<div style="width:100%;font-size:8pt;color:#555;text-align:center;">'
          '{title} · 第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>')


class PdfError(RuntimeError):
    pass


def write_pdf(page: Path, target: Path, title: str = "", timeout_s: float = 300) -> int:
    """Print the HTML file `page` (opened from file://) to the PDF `target`; returns its size."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError("生成 PDF 需要 Playwright：pip install -e \".[pdf]\"（并安装 chromium）") from None
    if not page.is_file():
        raise PdfError(f"找不到要打印的页面 {page}")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    # Playwright's sync API refuses to run where an asyncio loop runs (a caller's, or another
    # Playwright session's): print from a thread of its own
    with ThreadPoolExecutor(max_workers=1) as pool:
        data = pool.submit(_print, sync_playwright, PlaywrightError, exe, page, title, timeout_s).result()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return len(data)


def _print(sync_playwright, PlaywrightError, exe, page: Path, title: str, timeout_s: float) -> bytes:  # noqa: N803
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe) if exe else p.chromium.launch()
            try:
                tab = browser.new_page()
                tab.goto(page.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
                tab.emulate_media(media="print")
                data = tab.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                               display_header_footer=True, header_template="<div></div>",
                               footer_template=FOOTER.format(title=escape(title)),
                               margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})
            finally:
                browser.close()
    except PlaywrightError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise PdfError(f"无法用 Chromium 生成 PDF（{first}）；请安装 chromium，"
                       "或运行 python -m playwright install chromium") from None
    return data
