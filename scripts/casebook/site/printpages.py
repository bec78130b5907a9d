"""Combined printable pages: all cases of one province, of one theme, or of a chosen selection on
one page, so a trainer prints a session's cases in one go (print.css puts each case on a new
sheet and drops the navigation).

`generate(cases)` returns {src_uri: Markdown} for virtual or written files:

- print/index.md                      the list of printable pages
- print/regions/<province>.md         one per province (split into parts of `per_page` cases)
- print/themes/<theme>.md             one per theme
- print/selection.md                  every case given, when `selection` (a title) is given

Pages are excluded from search (they repeat the case pages). Each case keeps its metadata and key
figures and links back to its own page. Pure: text in, text out.
"""
from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict

from .pages import esc, front, rel
from .records import Case, slug
from .sanitize import source_html

INDEX = "print/index.md"
SELECTION = "print/selection.md"
PER_PAGE = 100

_HEADING = re.compile(r"^(#{1,5})(?=\s)", re.M)
_LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^)\s]+)(\s+\"[^\"]*\")?\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/")


def _relink(body: str, case_src: str, page_src: str) -> str:
    """Relative Markdown links of a case body, made relative to the page the body moves to."""
    base = posixpath.dirname(case_src)

    def fix(m: re.Match) -> str:
        target = m.group(2)
        if _SCHEME.match(target):
            return m.group(0)
        path, sep, anchor = target.partition("#")
        if not path:
            return m.group(0)
        moved = rel(page_src, posixpath.normpath(posixpath.join(base, path)))
        return f"{m.group(1)}{moved}{sep}{anchor}{m.group(3) or ''})"

    return _LINK.sub(fix, body)


def _body(case: Case, page_src: str) -> str:
    """The case body without a leading H1 (the case title is printed above it), headings one level down."""
    lines = case.body.strip("\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and re.match(r"^#\s", lines[0]):
        lines.pop(0)
    text = "\n".join(lines).strip()
    text = _HEADING.sub(lambda m: m.group(1) + "#", text)
    return _relink(text, case.src_uri, page_src)


def _meta(case: Case) -> str:
    rows = []
    where = " › ".join(case.region_path)
    code = case.region.get("code", "")
    rows.append(("地区", html.escape(where) + (f" <code>{html.escape(code)}</code>" if code else "")))
    if case.domain:
        rows.append(("领域", html.escape(case.domain)))
    if case.themes:
        rows.append(("主题", "、".join(html.escape(t) for t in case.themes)))
    if case.tags:
        rows.append(("标签", "、".join(html.escape(t) for t in case.tags)))
    if case.year:
        rows.append(("年份", str(case.year)))
    rows.append(("来源", source_html(case.source, case.published)))
    dl = "".join(f'<div class="cb-meta__row"><dt>{k}</dt><dd>{v}</dd></div>' for k, v in rows)
    out = f'<div class="cb-meta cb-meta--print" aria-label="案例信息"><dl>{dl}</dl></div>'
    if case.figures:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in case.figures)
        out += f'<div class="cb-figures"><p class="cb-figures__title">关键数字</p><ul>{items}</ul></div>'
    return out


def render_case(case: Case, page_src: str, number: int) -> str:
    """One case as a printable section (Markdown with md_in_html)."""
    link = rel(page_src, case.src_uri)
    return "\n".join([
        '<section class="cb-print-case" markdown="1">',
        "",
        f"## {esc(case.title)} {{ #case-{number} }}",
        "",
        _meta(case),
        "",
        _body(case, page_src),
        "",
        f'<p class="cb-print-case__link" markdown="1">[查看案例页]({link})</p>',
        "",
        "</section>",
        "",
    ])


def render_page(title: str, cases: list[Case], src: str, intro: str = "") -> str:
    """A combined printable page of the given cases, in the given order."""
    parts = [front(title, "print", search=False, hide=("navigation", "toc")), f"# {esc(title)}", ""]
    toc = "\n".join(f"{i}. [{esc(c.title)}](#case-{i})" for i, c in enumerate(cases, 1))
    parts += ['<div class="cb-print-intro" markdown="1">', "",
              (intro + "\n\n" if intro else "") + f"共 {len(cases)} 个案例。打印时每个案例另起一页，导航和搜索不会打印。",
              "", toc, "", "</div>", ""]
    parts += [render_case(c, src, i) for i, c in enumerate(cases, 1)]
    return "\n".join(parts)


def _parts(base: str, title: str, cases: list[Case], per_page: int) -> list[tuple[str, str, list[Case]]]:
    """[(src_uri, title, cases)] for one group, split into parts of at most per_page cases."""
    chunks = [cases[i:i + per_page] for i in range(0, len(cases), per_page)] or [[]]
    if len(chunks) == 1:
        return [(f"{base}.md", title, chunks[0])]
    return [(f"{base}-{n}.md", f"{title}（第 {n}/{len(chunks)} 部分）", chunk)
            for n, chunk in enumerate(chunks, 1)]


def generate(cases: list[Case], selection: str | None = None, per_page: int = PER_PAGE) -> dict[str, str]:
    """{src_uri: Markdown} of every printable page for these cases (newest first within a page)."""
    ordered = sorted(cases, key=lambda c: c.sort_key, reverse=True)
    provinces: dict[str, list[Case]] = defaultdict(list)
    themes: dict[str, list[Case]] = defaultdict(list)
    for c in ordered:
        if c.region_path:
            provinces[c.region_path[0]].append(c)
        for t in c.themes:
            themes[t].append(c)
    out: dict[str, str] = {}
    listing = {"按地区": [], "按主题": []}
    for label, folder, groups in (("按地区", "regions", provinces), ("按主题", "themes", themes)):
        taken: dict[str, str] = {}
        for name in sorted(groups, key=lambda n: (-len(groups[n]), n)):
            key = slug(name)
            if key in taken:  # two names, one pinyin: keep both apart
                key = f"{key}-{len(taken)}"
            taken[key] = name
            for src, title, members in _parts(f"print/{folder}/{key}", name, groups[name], per_page):
                out[src] = render_page(f"打印：{title}", members, src)
                listing[label].append((src, title, len(members)))
    if selection is not None:
        listing["本包全部案例"] = []
        for src, title, members in _parts(SELECTION[:-3], selection, ordered, per_page):
            out[src] = render_page(f"打印：{title}", members, src, intro="本页收录本离线包的全部案例。")
            listing["本包全部案例"].append((src, title, len(members)))
    lines = [front("打印版", "print", search=False, hide=("toc",)), "# 打印版", "",
             "下列页面把一组案例合在一页，便于一次打印（浏览器菜单“打印”，可另存为 PDF）。"
             "打印时导航、页眉、页脚和搜索都不打印，每个案例另起一页，保留案例信息和关键数字。", ""]
    for label, items in listing.items():
        if not items:
            continue
        lines += [f"## {label}", ""]
        lines += [f"- [{esc(title)}]({rel(INDEX, src)})（{n} 个案例）" for src, title, n in items]
        lines.append("")
    out[INDEX] = "\n".join(lines)
    return out


def too_many(count: int, limit: int) -> dict[str, str]:
    """The print index alone, when a bundle holds too many cases for combined pages to be useful."""
    text = "\n".join([front("打印版", "print", search=False, hide=("toc",)), "# 打印版", "",
                      f"本离线包收录 {count} 个案例，超过 {limit} 个时不生成合并打印页。"
                      "请按地区或主题生成专题离线包（如 `casebook bundle --theme 软弱涣散整顿`），"
                      "其中每个地区、每个主题都有合并打印页；单个案例页也可以直接打印。", ""])
    return {INDEX: text}

