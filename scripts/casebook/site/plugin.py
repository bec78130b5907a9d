"""The casebook MkDocs plugin.

- on_config: drop nav entries whose page does not exist yet (e.g. the editors' guide)
- on_files: read every case's front matter once, build the catalogue and add the browse pages
  as virtual files (File.generated; nothing is written into cases/); compute related cases
- on_page_markdown (first): escape the front matter the theme prints raw (title, tags …); fill the
  home page's generated parts; maps become slots
- on_page_content: sanitise what editors wrote (nh3, see sanitize.py), then hover definitions for
  jargon, the maps, and the metadata panel and key figures on case pages
- on_page_context (after the search plugin indexed the page): related cases and mentions
- on_files: Material's search plugin collects one document per page for casebook's own bigram
  index (search.py); on_post_build: that index is written and its worker replaces Material's

Incremental builds (`casebook build`, `mkdocs build --dirty`): on_files decides which pages to
render again (see incremental.py); the others are only read, so the tags plugin still sees their
tags, and their search entries come back from the saved state in on_post_build.
"""
from __future__ import annotations

import copy
import html
import logging
import os
import posixpath
import re
import time
from importlib import resources
from pathlib import Path

from mkdocs import utils as mkdocs_utils
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from .. import casefile, policy, tagging
from . import feed as feed_mod
from . import glossary as glossary_mod
from . import incremental, internals, mapsvg, related, sanitize, search
from .config import CasebookConfig
from .fragments import Fragments, markup
from .pages import Catalogue, esc, rel
from .records import Case, RecordError, from_meta, is_case_meta, split_front_matter

log = logging.getLogger("mkdocs.plugins.casebook")

MAP_SLOT = "<!-- casebook:map-slot -->"  # a comment: survives sanitising, which keeps no cb- class
OVERVIEW_SLOT = "<!-- casebook:overview-slot -->"

# Markdown and HTML links in a page's source: a page is rendered again when a target appears or goes
_LINK = re.compile(r"""\]\(\s*<?([^)\s>]+)|(?:href|src)\s*=\s*["']([^"']+)""")
_DIRTY_WARNING = "A 'dirty' build is being performed"


class _DropDirtyWarning(logging.Filter):
    """MkDocs warns that dirty builds may be inaccurate (and strict mode counts the warning): not
    this plugin's, which renders again every page whose inputs changed."""

    def filter(self, record):
        return not str(record.msg).startswith(_DIRTY_WARNING)


_DROP_DIRTY_WARNING = _DropDirtyWarning()
_LOADED_USER_DICTS: set[str] = set()   # jieba user dictionaries loaded into this process

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
        self.dirty = False                    # incremental build (MkDocs' dirty mode)
        self.render_all = False               # dirty mode, but render every page (casebook build --clean)
        self.command = "build"
        self.serve_state: incremental.State | None = None   # `mkdocs serve` keeps its state in memory
        self._reset()

    def _reset(self):
        """Per-build state (with on_startup defined, `mkdocs serve` keeps the plugin between builds)."""
        self.catalogue: Catalogue | None = None
        self.related: list[list[related.Related]] = []
        self.files: Files | None = None
        self.glossary: glossary_mod.Glossary | None = None
        self.fragments: Fragments | None = None
        self.site_name = ""
        self.site_url = ""
        self.search_plugin = None
        self.timings: dict[str, float] = {}
        self.generated: set[str] = set()     # src_uri of the pages this plugin generates
        self.maps: dict[str, str] = {}       # src_uri -> map HTML, put into the page after sanitising
        self.source_digest: dict[str, str] = {}   # case src_uri -> digest of its file
        self.front: dict[str, tuple[dict, str]] = {}  # case src_uri -> (front matter, body), read once
        # incremental builds
        self.state_file: Path | None = None
        self.old_state: incremental.State | None = None   # None: not an incremental build
        self.keys: dict[str, str | None] = {}   # src_uri -> page key (None: always rendered)
        self.skipped: set[str] = set()          # pages kept from the last build
        self.fresh_search: dict[str, list[dict]] = {}
        self._search_mark = 0

    # ------------------------------------------------------------------ config

    def on_startup(self, *, command, dirty):
        self.dirty = dirty
        self.command = command
        if dirty:
            logging.getLogger("mkdocs.commands.build").addFilter(_DROP_DIRTY_WARNING)

    def on_shutdown(self):
        # MkDocs keeps plugins that have on_startup for later builds in the same process: one run
        # through the API without on_startup (a plain build) must not inherit this one's mode
        self.dirty = self.render_all = False
        self.command = "build"

    @event_priority(100)  # before the search plugin loads jieba's user dictionary
    def on_config(self, config):
        self._reset()
        if not self.config.enabled:
            return
        internals.check_versions()
        self.search_plugin = next((p for name, p in config.plugins.items() if name.endswith("search")), None)
        self._resolve_search_paths(config)
        path = self.config.glossary
        if path:
            path = Path(path) if os.path.isabs(path) else Path(config.config_file_path).parent / path
            terms = glossary_mod.load(path)
        else:
            with resources.as_file(resources.files("casebook").joinpath("data/glossary.yaml")) as p:
                terms = glossary_mod.load(p)
        self.glossary = glossary_mod.Glossary(terms)
        self.fragments = Fragments(config.theme.dirs)
        self.site_name, self.site_url = config.site_name, config.site_url or ""
        if config.nav:
            config.nav = self._prune_nav(config.nav, Path(config.docs_dir))
        docs = Path(config.docs_dir)
        links = policy.symlinks_under(docs) + policy.hard_links_under(docs)
        if links:  # MkDocs follows links when it lists the docs: stop before it reads any
            names = "、".join(Path(p).relative_to(docs).as_posix() for p in links[:10])
            raise PluginError(f"casebook: {docs} 中有符号链接或硬链接（指向别处的文件）：{names}。"
                              "为了安全，网站不会读取它们指向的内容，请删除这些链接，把文件本身放进来后再构建")
        return config

    def _resolve_search_paths(self, config):
        """Material opens `jieba_dict`/`jieba_dict_user` relative to the working directory; make them
        relative to mkdocs.yml so the build works from anywhere."""
        search_plugin = self.search_plugin
        if search_plugin is None:
            return
        base = Path(config.config_file_path or ".").parent
        for key in ("jieba_dict", "jieba_dict_user"):
            value = internals.search_option(search_plugin, key)
            if value and not os.path.isabs(value):
                path = (base / value).resolve()
                if path.is_file():
                    internals.set_search_option(search_plugin, key, str(path))
                else:
                    log.info("casebook: 搜索词典 %s 不存在，暂用 jieba 默认词典", value)
                    internals.set_search_option(search_plugin, key, None)
        # jieba adds a user dictionary's frequencies to its total every time it is loaded, which
        # shifts the segmentation of later builds in the same process (mkdocs serve, tests)
        user = internals.search_option(search_plugin, "jieba_dict_user")
        if user:
            if user in _LOADED_USER_DICTS:
                internals.set_search_option(search_plugin, "jieba_dict_user", None)
            _LOADED_USER_DICTS.add(user)

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
        if self.search_plugin is not None and self.config.compact_search_index:
            internals.install_search_index(self.search_plugin, search.Index(
                self.search_plugin.config, config.site_dir, self._search_kind, self._search_context))
        t0 = time.perf_counter()
        self._admit(files, config)
        cases: list[Case] = []
        for f in list(files.documentation_pages()):
            try:
                text = f.content_string
                meta, body = split_front_matter(text)
                problem = policy.body_problem(body)
                if problem:
                    raise RecordError(problem)
                kind = "case" if is_case_meta(meta) else "page"
                meta = policy.filter_meta(meta, kind, self.config.front_matter_allow.get(f.src_uri, ()))
                if kind == "case":
                    cases.append(from_meta(f.src_uri, meta, body))
                    self.source_digest[f.src_uri] = incremental.digest(text)
            except (OSError, UnicodeDecodeError, RecordError) as err:
                log.warning("casebook: %s: 无法读取，未发布：%s", f.src_uri, err)
                files.remove(f)
                continue
            self.front[f.src_uri] = (meta, body)
        self.catalogue = cat = Catalogue(cases)
        self.timings["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        cache = self._cache_dir(config)
        self.related = related.compute(cat.cases, count=self.config.related,
                                       cache=cache / "related-tokens.json" if cache else None) if cat.cases else []
        self.timings["related"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        self._add_generated(files, config)
        self.timings["pages"] = time.perf_counter() - t0
        self.files = files
        self._plan(files, config)
        log.info("casebook: %d 个案例；读取 %.1fs，相关案例 %.1fs，浏览页 %.1fs", len(cat.cases),
                 self.timings["read"], self.timings["related"], self.timings["pages"])
        return files

    def _admit(self, files: Files, config):
        """Leave out of the site every file of the docs folder the policy refuses (file types,
        names, the theme's and the site's own folders, size); the theme's own files come back."""
        docs = os.path.realpath(config.docs_dir)
        refused = False
        for f in list(files):
            if getattr(f, "generated_by", None) or not f.abs_src_path or f.inclusion.is_excluded() \
                    or not os.path.realpath(f.abs_src_path).startswith(docs + os.sep):
                continue  # the theme's files, generated ones and those MkDocs leaves out (.dotfiles)
            problem = self._file_problem(f)
            if problem:
                log.warning("casebook: %s: %s", f.src_uri, problem)
                files.remove(f)
                refused = True
        if refused:
            files.add_files_from_theme(config.theme.get_env(), config)

    def _file_problem(self, f: File) -> str | None:
        try:
            if os.path.getsize(f.abs_src_path) > policy.policy().max_bytes:
                return f"文件超过 {policy.policy().max_bytes // 1_000_000} MB，未发布"
            with open(f.abs_src_path, "rb") as fh:
                head = fh.read(16)
        except OSError as err:
            return f"无法读取：{err.strerror or err}"
        return policy.file_problem(f.src_uri, head, (self.config.data_dir.split("/")[0],))

    def on_page_read_source(self, *, page, config):
        """The page's text with its front matter as the policy admits it, re-written by a safe
        dumper: MkDocs' own reader (libyaml) never sees what an editor wrote above the body."""
        if not self.config.enabled:
            return None
        front = self.front.get(page.file.src_uri)
        if front is None:
            return None  # a page this plugin generated
        meta, body = front
        return f"---\n{casefile.dump_meta(meta)}---\n\n{body}"

    # ------------------------------------------------------------------ incremental builds

    def _cache_dir(self, config) -> Path | None:
        """The plugin's cache folder (option cache_dir, relative to mkdocs.yml); None: no caching."""
        if not self.config.cache_dir:
            return None
        return Path(config.config_file_path or ".").parent / self.config.cache_dir

    def _plan(self, files: Files, config):
        """Decide which pages to render again; the others keep their HTML from the last build."""
        cache = self._cache_dir(config)
        if cache is None:
            return
        self.state_file = incremental.state_path(cache, config.site_dir)
        if self.command == "serve":
            old, self.serve_state = self.serve_state, None
        else:
            old = incremental.load(self.state_file) if self.dirty and not self.render_all else None
            incremental.forget(self.state_file)  # saved again only when this build succeeds
        if not self.dirty:
            return
        key = incremental.global_key(config)
        if old is None or old.global_key != key:
            if old is not None:
                log.info("casebook: 配置、主题或程序有变化，重新生成全部页面")
            mkdocs_utils.clean_directory(config.site_dir)  # MkDocs does not clean in dirty mode
            old = incremental.State(key)
        self.old_state = old
        always = set(_nav_targets(config.nav or []))
        for f in files.documentation_pages():
            src = f.src_uri
            page_key = None if src in always else self._page_key(f, files)
            self.keys[src] = page_key
            before = old.pages.get(src)
            if page_key is not None and before is not None and before.key == page_key \
                    and os.path.isfile(f.abs_dest_path):
                self.skipped.add(src)
                internals.set_is_modified(f, self._reader(f, config, files))
            else:
                internals.set_is_modified(f, _modified)
        if old.pages:
            log.info("casebook: 增量构建：%d 个页面重新生成，%d 个沿用上次的结果",
                     len(self.keys) - len(self.skipped), len(self.skipped))

    def _page_key(self, f: File, files: Files) -> str | None:
        """The digest of everything a page's output depends on besides the shared inputs; None for
        pages rendered every time (the editor-written home and guide pages, the tag listing)."""
        src = f.src_uri
        case = self.catalogue.by_src.get(src)
        if case is not None:
            return incremental.digest(self.source_digest[src], self._panel(f.url, case),
                                      self._context_html(f.url, case), self._links_state(src, case.body, files))
        if src not in self.generated:
            return None
        text = f.content_string
        spec = None
        if "<!-- casebook:map -->" in text and self.config.map:
            node = self.catalogue.region_by_src.get(src, self.catalogue.root)
            spec = mapsvg.map_spec(node, lambda to: self._url(f.url, to))
        node = self.catalogue.region_by_src.get(src)
        overview = self._overview(f.url, node) if node is not None and "<!-- casebook:overview -->" in text else ""
        return incremental.digest(text, repr(spec), overview)

    @staticmethod
    def _links_state(src: str, body: str, files: Files) -> str:
        """Which of the relative links in a page's source point at an existing file."""
        state = []
        for m in _LINK.finditer(body):
            target = (m.group(1) or m.group(2)).split("#")[0]
            if not target or "://" in target or target.startswith(("/", "mailto:", "data:")):
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(src), target))
            state.append(f"{target}={files.get_file_from_path(path) is not None}")
        return "|".join(state)

    def _reader(self, f: File, config, files: Files):
        """MkDocs asks `is_modified()` before reading a page and again before rendering it. For a
        page kept from the last build the first call reads the source (a case's front matter as
        on_files parsed it) and runs the page_markdown events (so the tags plugin still lists the
        page, in the same order); both calls say no."""
        def is_modified() -> bool:
            page = f.page
            if page is not None and page.markdown is None:
                page = config.plugins.on_pre_page(page, config=config, files=files)
                front = self.front.get(f.src_uri)
                if front is None:
                    page.read_source(config)
                else:
                    page.meta, page.markdown = copy.deepcopy(front[0]), front[1]
                page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config,
                                                                files=files)
            return False
        return is_modified

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
        years = cat.years
        add("years/index.md", cat.group_index("年份", "years", years, cat.year_src, "years/index.md",
                                              "按案例所属年份浏览。"))
        for name, members in years.items():
            add(cat.year_src[name], cat.group_page("年份", name, members, cat.year_src[name], "years/index.md"))
        add("tags/index.md", cat.tags_page(tagging.load_tag_vocabulary().groups))
        for name in cat.tags:
            add(cat.tag_src[name], cat.tag_page(name))
        add("filter.md", cat.filter_page(self.config.data_dir))
        def url_of(src_uri: str) -> str:
            f = files.get_file_from_path(src_uri)
            return f.url if f else src_uri
        records = cat.records(url_of)
        data = self.config.data_dir
        for name, text in (("cases.json", cat.records_json(records)), ("cases.csv", cat.records_csv(records)),
                           ("cases.js", cat.records_js(records))):
            add(f"{data}/{name}", text)
        if self.config.feed:
            newest = cat.cases[: self.config.feed_count]
            add(self.config.feed, feed_mod.atom(newest, url_of, config.site_name, config.site_url,
                                                config.site_description or "").decode("utf-8"))

    def _search_kind(self, page) -> str:
        """What a page is, for search ranking (search.KINDS): cases come first."""
        src = page.file.src_uri
        if self.catalogue is not None and src in self.catalogue.by_src:
            return "case"
        if page.is_homepage:
            return "home"
        if src in self.generated:
            return "browse"
        return "guide" if src.startswith("guide/") else "page"

    def _search_context(self, page) -> str:
        case = self._case(page)
        return self._context_html(page.url, case) if case is not None else ""

    # ------------------------------------------------------------------ pages

    def _case(self, page) -> Case | None:
        if not self.catalogue:
            return None
        return self.catalogue.by_src.get(page.file.src_uri)

    def _url(self, from_url: str, src_uri: str) -> str:
        f = self.files.get_file_from_path(src_uri)
        return get_relative_url(f.url, from_url) if f else "#"

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
            "overview": OVERVIEW_SLOT,
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
        if self.config.feed:
            lines.append(f"- **订阅**：用订阅阅读器关注[新增案例]({rel(src, self.config.feed)})（Atom 格式）")
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
        node = cat.region_by_src.get(page.file.src_uri, cat.root)
        return mapsvg.region_map(node, lambda src_uri: self._url(page.url, src_uri))

    def on_page_content(self, content: str, *, page, config, files):
        if not self.config.enabled:
            return content
        if "title" not in page.meta and page.title and not page.is_homepage:
            # a title taken from the first heading is HTML text; Material prints it through Jinja's
            # `striptags`, which unescapes it (&lt;/title&gt;&lt;script&gt; would run): keep it escaped
            page.meta["title"] = html.escape(html.unescape(page.title))
        if page.file.src_uri in self.generated or page.file.src_uri in self.config.trusted_pages:
            content = sanitize.clean_generated(content)
        else:  # written by an editor (or the converter)
            content = sanitize.clean(content)
        if self.glossary and page.meta.get("casebook") is None:
            content = self.glossary.annotate(content)
        svg = self.maps.pop(page.file.src_uri, None)
        if svg is not None:
            content = content.replace(MAP_SLOT, svg, 1)
        if OVERVIEW_SLOT in content:
            node = self.catalogue.region_by_src.get(page.file.src_uri)
            content = content.replace(OVERVIEW_SLOT, self._overview(page.url, node) if node else "", 1)
        case = self._case(page)
        if case is None:
            return content
        panel = self._panel(page.url, case)
        if content.lstrip().startswith("<h1"):
            end = content.find("</h1>") + len("</h1>")
            return content[:end] + panel + content[end:]
        return panel + content

    def _link(self, url: str, name: str, src_uri: str) -> dict:
        return {"name": name, "href": self._url(url, src_uri)}

    def _panel(self, url: str, case: Case) -> str:
        """The metadata panel (partials/casebook/panel.html)."""
        cat = self.catalogue
        node = cat.region_node_of(case)
        year = cat.year_of(case)
        return self.fragments.render(
            "panel",
            regions=[self._link(url, cat.regions[node.path[:d]].name, cat.regions[node.path[:d]].src_uri)
                     for d in range(1, len(node.path) + 1)],
            code=case.region.get("code", ""),
            domain=self._link(url, case.domain, cat.domain_src[case.domain]) if case.domain else None,
            themes=[self._link(url, t, cat.theme_src[t]) for t in case.themes],
            tags=[self._link(url, t, cat.tag_src[t]) for t in dict.fromkeys(case.tags)],
            year=self._link(url, year, cat.year_src[year]),
            source=markup(sanitize.source_html(case.source, case.published)),
            figures=case.figures)

    def _overview(self, url: str, node) -> str:
        """A region's overview (partials/casebook/region-overview.html): counts, map, newest cases."""
        cat = self.catalogue
        data = cat.region_overview(node, lambda src: self._url(url, src), self.config.region_newest)
        svg = caption = ""
        if self.config.map:
            # a region without sub-regions to shade (a county) is shown on its parent's map
            shown = node if node.children else cat.regions.get(node.path[:-1], cat.root)
            caption = "" if shown is node else f"{node.name}位于{shown.name or '全国'}；颜色越深，案例越多。"
            svg = mapsvg.region_map(shown, lambda src: self._url(url, src))
        return self.fragments.render("region-overview", map=markup(svg), map_caption=caption if svg else "",
                                     **data)

    @event_priority(-50)  # after the search plugin indexed the page
    def on_page_context(self, context, *, page, config, nav):
        if not self.config.enabled:
            return context
        if self.old_state is not None and self.search_plugin is not None:
            entries = internals.search_entries(self.search_plugin)
            self.fresh_search[page.file.src_uri] = entries[self._search_mark:]
            self._search_mark = len(entries)
        case = self._case(page)
        if case is not None:
            page.content = page.content + self._context_html(page.url, case)
        return context

    def _context_html(self, url: str, case: Case) -> str:
        """How to cite, related cases and mentions, below the case's text (not in the search
        index): partials/casebook/context.html."""
        cat = self.catalogue
        related_items = []
        for r in self.related[case.index] if self.related else []:
            other = cat.cases[r.index]
            related_items.append({"title": other.title, "href": self._url(url, other.src_uri),
                                  "why": " · ".join(r.reasons), "where": " › ".join(other.region_path)})
        mentioned = []
        for m in case.mentions:
            n = cat.region_by_code.get(m.get("code")) or cat.region_by_name.get(m["name"])
            if n is not None and n.path != case.region_path:
                mentioned.append({"name": m["name"], "href": self._url(url, n.src_uri), "count": len(n.cases)})
        mentioning = [{"title": cat.cases[i].title, "href": self._url(url, cat.cases[i].src_uri)}
                      for i in cat.mentioning(case)]
        return self.fragments.render("context", cite=self._citation(url, case), related=related_items,
                                     mentioned=mentioned, mentioning=mentioning)

    def _citation(self, url: str, case: Case) -> dict:
        """The parts of 如何引用本案例: the original report and this casebook's own page."""
        src = case.source
        base = self.site_url.rstrip("/") + "/" if self.site_url else ""
        return {"outlet": str(src.get("outlet") or src.get("author") or ""),
                "source_title": str(src.get("title") or case.title), "published": case.published,
                "year": case.year or "", "url": sanitize.safe_url(src.get("url")), "site_name": self.site_name, "title": case.title,
                "href": "./" if url.endswith("/") else posixpath.basename(url) or "./",
                "permalink": base + url if base else "/" + url, "absolute": bool(base)}

    # ------------------------------------------------------------------ build end

    @event_priority(50)  # before the search plugin writes its index
    def _restore_search(self, *, config):
        """Put the search entries of the pages kept from the last build back, in page order."""
        if not self.config.enabled or self.old_state is None or self.search_plugin is None or not self.skipped:
            return
        entries = []
        for f in self.files.documentation_pages():
            entries += self._search_entries(f.src_uri)
        internals.set_search_entries(self.search_plugin, entries)

    def _search_entries(self, src: str) -> list[dict]:
        """A page's search entries: kept from the last build, or made by this one."""
        return self.old_state.pages[src].search if src in self.skipped else self.fresh_search.get(src, [])

    @event_priority(-100)  # after the search plugin wrote its index
    def _finish(self, *, config):
        if not self.config.enabled:
            return
        if self.config.compact_search_index and self.search_plugin is not None:
            script = search.worker_script(Path(config.site_dir))
            if script is None or not internals.replace_search_worker(Path(config.site_dir), script):
                log.warning("casebook: 搜索脚本未能替换（缺少 %s 或 Material 版本已变），站内搜索不可用",
                            search.WORKER)
            figures = getattr(internals.search_index(self.search_plugin), "figures", {})
            if figures:
                log.info("casebook: 搜索索引 %d 个页面，%.1f MB（%d 个分片）", figures["docs"],
                         figures["bytes"] / 1e6, figures["shards"])
        if self.old_state is not None:
            self._save_state(config)

    on_post_build = CombinedEvent(_restore_search, _finish)

    def _save_state(self, config):
        old = self.old_state
        outputs = sorted(f.dest_uri for f in self.files if f.inclusion.is_included())
        removed = incremental.remove_stale(Path(config.site_dir), old.outputs, set(outputs))
        if removed:
            log.info("casebook: 删除了 %d 个已不存在的页面或文件", len(removed))
        state = incremental.State(old.global_key, outputs=outputs)
        for src, key in self.keys.items():
            if key is not None:
                state.pages[src] = incremental.PageState(key, self._search_entries(src))
        if self.command == "serve":
            self.serve_state = state
        else:
            incremental.save(self.state_file, state)

    def rendered_summary(self) -> str:
        """How many pages this build rendered (for the CLI's summary line)."""
        pages = len(self.files.documentation_pages()) if self.files else 0
        if self.old_state is None or not self.skipped:
            return f"{pages} pages rendered"
        return f"{pages - len(self.skipped)} of {pages} pages rendered (the others unchanged since the last build)"

    def on_build_error(self, *, error):
        self.serve_state = None
        if self.state_file is not None:
            incremental.forget(self.state_file)  # the site may be half written: build it all next time


def _modified() -> bool:
    return True
