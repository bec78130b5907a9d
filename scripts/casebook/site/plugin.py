"""The casebook MkDocs plugin.

- on_config: drop nav entries whose page does not exist yet (e.g. the editors' guide)
- on_files: read every case's front matter once, build the catalogue and add the browse pages
  as virtual files (File.generated; nothing is written into cases/); compute related cases
- on_page_markdown (first): escape the front matter the theme prints raw (title, tags …); fill the
  home page's generated parts; maps become slots
- on_page_content: sanitise what editors wrote (nh3, see sanitize.py), then hover definitions for
  jargon, the maps, and the metadata panel and key figures on case pages
- on_page_context (after the search plugin indexed the page): related cases and mentions
- on_post_build: compact the search index (UTF-8, fewer U+200B)
"""
from __future__ import annotations

import html
import logging
import os
import time
from importlib import resources
from pathlib import Path

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify as _slugify_factory

from . import glossary as glossary_mod
from . import mapsvg, related, sanitize, search
from .config import CasebookConfig
from .pages import Catalogue, esc, rel
from .records import Case, RecordError, from_meta, is_case_meta, split_front_matter

log = logging.getLogger("mkdocs.plugins.casebook")
_tag_slug = _slugify_factory(case="lower")


def tag_anchor(tag: str) -> str:
    """The id Material's tags plugin gives a tag on the tags page (tags_slugify_format tag:{slug})."""
    return "tag:" + _tag_slug(tag, "-")

MAP_SLOT = '<div class="cb-map-slot"></div>'

GENERATED_NAV = {"regions/index.md", "themes/index.md", "domains/index.md", "years/index.md",
                 "tags/index.md", "filter.md"}


def _nav_targets(item):
    if isinstance(item, str):
        return [item]
    if isinstance(item, dict):
        out = []
        for value in item.values():
            out += _nav_targets(value)
        return out
    if isinstance(item, list):
        out = []
        for value in item:
            out += _nav_targets(value)
        return out
    return []


class CasebookPlugin(BasePlugin[CasebookConfig]):
    supports_multiple_instances = False

    def __init__(self):
        super().__init__()
        self.catalogue: Catalogue | None = None
        self.related: list[list[related.Related]] = []
        self.files: Files | None = None
        self.glossary: glossary_mod.Glossary | None = None
        self.timings: dict[str, float] = {}
        self.generated: set[str] = set()     # src_uri of the pages this plugin generates
        self.maps: dict[str, str] = {}       # src_uri -> map HTML, put into the page after sanitising

    # ------------------------------------------------------------------ config

    @event_priority(100)  # before the search plugin loads jieba's user dictionary
    def on_config(self, config):
        if not self.config.enabled:
            return
        self._resolve_search_paths(config)
        path = self.config.glossary
        if path:
            path = Path(path) if os.path.isabs(path) else Path(config.config_file_path).parent / path
            terms = glossary_mod.load(path)
        else:
            with resources.as_file(resources.files("casebook").joinpath("data/glossary.yaml")) as p:
                terms = glossary_mod.load(p)
        self.glossary = glossary_mod.Glossary(terms)
        if config.nav:
            config.nav = self._prune_nav(config.nav, Path(config.docs_dir))
        return config

    def _resolve_search_paths(self, config):
        """Material opens `jieba_dict`/`jieba_dict_user` relative to the working directory; make them
        relative to mkdocs.yml so the build works from anywhere."""
        search_plugin = next((p for name, p in config.plugins.items() if name.endswith("search")), None)
        if search_plugin is None:
            return
        base = Path(config.config_file_path or ".").parent
        for key in ("jieba_dict", "jieba_dict_user"):
            value = search_plugin.config.get(key)
            if value and not os.path.isabs(value):
                path = (base / value).resolve()
                if path.is_file():
                    search_plugin.config[key] = str(path)
                else:
                    log.info("casebook: 搜索词典 %s 不存在，暂用 jieba 默认词典", value)
                    search_plugin.config[key] = None

    def _prune_nav(self, nav, docs: Path):
        out = []
        for item in nav:
            targets = [t for t in _nav_targets(item) if not t.startswith(("http://", "https://"))]
            missing = [t for t in targets if t not in GENERATED_NAV and not (docs / t).exists()]
            if targets and len(missing) == len(targets):
                log.info("casebook: 导航项 %s 指向的页面尚不存在，暂不显示", item)
                continue
            out.append(item)
        return out

    # ------------------------------------------------------------------ files

    @event_priority(50)  # before the tags plugin and search see the files
    def on_files(self, files: Files, *, config):
        if not self.config.enabled:
            return files
        t0 = time.perf_counter()
        cases: list[Case] = []
        for f in files.documentation_pages():
            try:
                text = f.content_string
            except (OSError, UnicodeDecodeError) as err:
                log.warning("casebook: %s: 无法读取：%s", f.src_uri, err)
                continue
            if "region" not in text[:4000]:
                continue
            try:
                meta, body = split_front_matter(text)
                if not is_case_meta(meta):
                    continue
                cases.append(from_meta(f.src_uri, meta, body))
            except RecordError as err:
                log.warning("casebook: %s: %s", f.src_uri, err)
        self.catalogue = cat = Catalogue(cases)
        self.timings["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        cache = None
        if self.config.cache_dir:
            cache = Path(config.config_file_path or ".").parent / self.config.cache_dir / "related-tokens.json"
        self.related = related.compute(cat.cases, count=self.config.related, cache=cache) if cat.cases else []
        self.timings["related"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        self._add_generated(files, config)
        self.timings["pages"] = time.perf_counter() - t0
        self.files = files
        log.info("casebook: %d 个案例；读取 %.1fs，相关案例 %.1fs，浏览页 %.1fs", len(cat.cases),
                 self.timings["read"], self.timings["related"], self.timings["pages"])
        return files

    def _add(self, files: Files, config, src_uri: str, content: str):
        if files.get_file_from_path(src_uri) is not None:
            log.info("casebook: %s 已由编者提供，不再生成", src_uri)
            return
        files.append(File.generated(config, src_uri, content=content))
        self.generated.add(src_uri)

    def _add_generated(self, files: Files, config):
        cat = self.catalogue
        add = lambda src, text: self._add(files, config, src, text)  # noqa: E731
        add(cat.root.src_uri, cat.regions_index(map_svg="yes" if self.config.map else ""))
        for path, node in cat.regions.items():
            if path:
                add(node.src_uri, cat.region_page(node))
        add("themes/index.md", cat.group_index("主题", "themes", cat.themes, cat.theme_src, "themes/index.md",
                                               "按工作主题浏览案例，括号内为案例数。"))
        for name, members in cat.themes.items():
            add(cat.theme_src[name], cat.group_page("主题", name, members, cat.theme_src[name], "themes/index.md"))
        add("domains/index.md", cat.group_index("领域", "domains", cat.domains, cat.domain_src, "domains/index.md",
                                                "按党建领域（农村、社区、机关、国有企业、学校、两新组织等）浏览案例。"))
        for name, members in cat.domains.items():
            add(cat.domain_src[name], cat.group_page("领域", name, members, cat.domain_src[name], "domains/index.md"))
        years = dict(sorted(cat.years.items(), reverse=True))
        add("years/index.md", cat.group_index("年份", "years", years, cat.year_src, "years/index.md",
                                              "按案例所属年份浏览。"))
        for name, members in years.items():
            add(cat.year_src[name], cat.group_page("年份", name, members, cat.year_src[name], "years/index.md"))
        add("tags/index.md", cat.tags_page())
        add("filter.md", cat.filter_page(self.config.data_dir))
        def url_of(src_uri: str) -> str:
            f = files.get_file_from_path(src_uri)
            return f.url if f else src_uri
        records = cat.records(url_of)
        data = self.config.data_dir
        for name, text in (("cases.json", cat.records_json(records)), ("cases.csv", cat.records_csv(records)),
                           ("cases.js", cat.records_js(records))):
            add(f"{data}/{name}", text)

    # ------------------------------------------------------------------ pages

    def _case(self, page) -> Case | None:
        if not self.catalogue:
            return None
        return self.catalogue.by_src.get(page.file.src_uri)

    def _url(self, page, src_uri: str) -> str:
        f = self.files.get_file_from_path(src_uri)
        return get_relative_url(f.url, page.url) if f else "#"

    @event_priority(100)  # before the tags and search plugins read the page's front matter
    def on_page_markdown(self, markdown: str, *, page, config, files):
        if not self.config.enabled:
            return markdown
        sanitize.escape_meta(page.meta)
        if not self.catalogue:
            return markdown
        if "<!-- casebook:" not in markdown:
            return markdown
        cat = self.catalogue
        src = page.file.src_uri
        parts = {
            "stats": self._stats(src),
            "newest": cat.case_list(list(range(min(self.config.newest, len(cat.cases)))), src),
            "entries": self._entries(src),
            "map": self._map_slot(page) if self.config.map else "",
            "built": time.strftime("%Y-%m-%d"),
            "count": str(len(cat.cases)),
        }
        for key, value in parts.items():
            markdown = markdown.replace(f"<!-- casebook:{key} -->", value)
        return markdown

    def _stats(self, src: str) -> str:
        cat = self.catalogue
        provinces = len(cat.root.children)
        counties = sum(1 for p in cat.regions if len(p) == 3)
        return (f"目前收录 **{len(cat.cases)}** 个案例，覆盖 **{provinces}** 个省（区、市）、"
                f"**{counties}** 个县（市、区），涉及 **{len(cat.themes)}** 个主题、**{len(cat.domains)}** 个领域。")

    def _entries(self, src: str) -> str:
        cat = self.catalogue
        lines = []
        prov = sorted(cat.root.children.values(), key=lambda n: -len(n.cases))
        if prov:
            lines.append("- **按地区**：" + "、".join(
                f"[{esc(n.name)}]({rel(src, n.src_uri)})（{len(n.cases)}）" for n in prov[:12])
                + f" … [全部地区]({rel(src, cat.root.src_uri)})")
        if cat.themes:
            lines.append("- **按主题**：" + "、".join(
                f"[{esc(t)}]({rel(src, cat.theme_src[t])})（{len(m)}）" for t, m in cat.themes.items()))
        if cat.domains:
            lines.append("- **按领域**：" + "、".join(
                f"[{esc(d)}]({rel(src, cat.domain_src[d])})（{len(m)}）" for d, m in cat.domains.items()))
        lines.append(f"- **按条件筛选**：[地区 × 领域 × 主题 × 年份]({rel(src, 'filter.md')})，"
                     f"[标签]({rel(src, 'tags/index.md')})，[年份]({rel(src, 'years/index.md')})")
        return "\n".join(lines)

    def _map_slot(self, page) -> str:
        """The map is our own SVG, not the editor's: it goes in after sanitising, at this slot."""
        svg = self._map(page)
        if not svg:
            return ""
        self.maps[page.file.src_uri] = svg
        return MAP_SLOT

    def _map(self, page) -> str:
        cat = self.catalogue  # the country on the home page and region index, else this region's own map
        node = next((n for n in cat.regions.values() if n.src_uri == page.file.src_uri), cat.root)
        return mapsvg.region_map(node, lambda src_uri: self._url(page, src_uri))

    def on_page_content(self, content: str, *, page, config, files):
        if not self.config.enabled:
            return content
        if "title" not in page.meta and page.title and not page.is_homepage:
            # a title taken from the first heading is HTML text; Material prints it through Jinja's
            # `striptags`, which unescapes it (&lt;/title&gt;&lt;script&gt; would run): keep it escaped
            page.meta["title"] = html.escape(html.unescape(page.title))
        if page.file.src_uri not in self.generated:  # written by an editor (or the converter)
            content = sanitize.clean(content)
        if self.glossary and page.meta.get("casebook") is None:
            content = self.glossary.annotate(content)
        svg = self.maps.pop(page.file.src_uri, None)
        if svg is not None:
            content = content.replace(MAP_SLOT, svg, 1)
        case = self._case(page)
        if case is None:
            return content
        panel = self._panel(page, case)
        if content.lstrip().startswith("<h1"):
            end = content.find("</h1>") + len("</h1>")
            return content[:end] + panel + content[end:]
        return panel + content

    def _panel(self, page, case: Case) -> str:
        cat = self.catalogue
        node = cat.region_node_of(case)
        region_links = []
        for depth in range(1, len(node.path) + 1):
            n = cat.regions[node.path[:depth]]
            region_links.append(f'<a href="{self._url(page, n.src_uri)}">{html.escape(n.name)}</a>')
        code = case.region.get("code", "")
        code_html = f' <code title="行政区划代码">{html.escape(code)}</code>' if code else ""
        rows = [("地区", " › ".join(region_links) + code_html, True)]
        if case.domain:
            rows.append(("领域", f'<a href="{self._url(page, cat.domain_src[case.domain])}">'
                                 f"{html.escape(case.domain)}</a>", True))
        if case.themes:
            rows.append(("主题", "、".join(f'<a href="{self._url(page, cat.theme_src[t])}">{html.escape(t)}</a>'
                                          for t in case.themes), True))
        if case.tags:
            tags_url = self._url(page, "tags/index.md")
            # the tags plugin sees the escaped names (sanitize.escape_meta) and slugs those
            rows.append(("标签", "、".join(f'<a href="{tags_url}#{html.escape(tag_anchor(html.escape(t)))}">'
                                          f"{html.escape(t)}</a>"
                                          for t in case.tags), False))
        if case.year:
            rows.append(("年份", f'<a href="{self._url(page, cat.year_src[str(case.year)])}">{case.year}</a>', False))
        rows.append(("来源", sanitize.source_html(case.source, case.published), False))
        dl = []
        for label, value, indexed in rows:
            attr = "" if indexed else " data-search-exclude"
            dl.append(f'<div class="cb-meta__row"{attr}><dt>{label}</dt><dd>{value}</dd></div>')
        out = [f'<div class="cb-meta" aria-label="案例信息"><dl>{"".join(dl)}</dl>']
        if case.figures:
            items = "".join(f"<li>{html.escape(f)}</li>" for f in case.figures)
            out.append(f'<div class="cb-figures" data-search-exclude><p class="cb-figures__title">关键数字</p>'
                       f"<ul>{items}</ul></div>")
        out.append("</div>")
        return "".join(out)

    @event_priority(-50)  # after the search plugin indexed the page
    def on_page_context(self, context, *, page, config, nav):
        if not self.config.enabled:
            return context
        case = self._case(page)
        if case is None:
            return context
        cat = self.catalogue
        blocks = []
        items = self.related[case.index] if self.related else []
        if items:
            lis = []
            for r in items:
                other = cat.cases[r.index]
                where = " › ".join(other.region_path)
                lis.append(f'<li><a href="{self._url(page, other.src_uri)}">{html.escape(other.title)}</a> '
                           f'<span class="cb-related__why">{" · ".join(r.reasons)}</span>'
                           f'<br><small>{html.escape(where)}</small></li>')
            blocks.append(f'<section class="cb-related"><h2 id="cb-related">相关案例</h2><ol>{"".join(lis)}</ol>'
                          f"</section>")
        mentioned = []
        for m in case.mentions:
            n = cat.region_by_code.get(m.get("code")) or cat.region_by_name.get(m["name"])
            if n is not None and n.path != case.region_path:
                mentioned.append(f'<a href="{self._url(page, n.src_uri)}">{html.escape(m["name"])}</a>'
                                 f"（{len(n.cases)}）")
        if mentioned:
            blocks.append('<section class="cb-mentions"><h2 id="cb-mentions">文中提到的地区</h2><p>'
                          + "、".join(mentioned) + "</p></section>")
        others = cat.mentioning(case)
        if others:
            lis = "".join(f'<li><a href="{self._url(page, cat.cases[i].src_uri)}">'
                          f"{html.escape(cat.cases[i].title)}</a></li>" for i in others[:20])
            more = f"<p>共 {len(others)} 个，见地区页。</p>" if len(others) > 20 else ""
            blocks.append(f'<section class="cb-mentioned-by"><h2 id="cb-mentioned-by">提到本地的案例</h2>'
                          f"<ul>{lis}</ul>{more}</section>")
        if blocks:
            page.content = page.content + "".join(blocks)
        return context

    # ------------------------------------------------------------------ build end

    @event_priority(-100)  # after the search plugin wrote its index
    def on_post_build(self, *, config):
        if not self.config.enabled or not self.config.compact_search_index:
            return
        if not search.patch_worker(Path(config.site_dir)):
            log.info("casebook: 未找到需要修正的搜索分词代码（Material 版本已变？）")
        path = Path(config.site_dir) / "search" / "search_index.json"
        if path.exists():
            before, after = search.rewrite(path)
            log.info("casebook: 搜索索引 %.1f KB → %.1f KB", before / 1024, after / 1024)
