"""Browse pages generated from the case catalogue: region tree and region pages, theme, domain
and year pages, the tag index, the filter page, plus the downloadable index (JSON, CSV, JS).

Every function returns Markdown (or text) for a virtual file; links between pages are relative
`.md` links so MkDocs resolves them with or without directory URLs."""
from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from .records import Case, slug
from .sanitize import csv_cell, safe_url, script_json

UNKNOWN_YEAR = "年份不详"     # the year bucket of cases whose page names no date or year
OTHER_TAGS = "其他"           # the tags page's group for tags outside the vocabulary's groups
# characters with a meaning in Markdown or its extensions (attr_list's `{: }`, links, emphasis,
# lists, tables): backslash-escaped; `&`, `<` and `>` become HTML entities (`\\<` is no escape)
MD_SPECIAL = re.compile(r"([\\`*_\[\](){}#+\-.!|])")
HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def esc(text: str) -> str:
    """Any text written into generated Markdown: shown as it is, never read as syntax or HTML."""
    text = "".join(HTML_SPECIAL.get(ch, ch) for ch in str(text))
    return MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def rel(src_from: str, src_to: str) -> str:
    """Relative link from one source file to another (both docs-relative, '/'-separated),
    percent-encoded so that no file name can end the link or open HTML (MkDocs decodes it)."""
    return quote(posixpath.relpath(src_to, posixpath.dirname(src_from) or "."), safe="/.-_~")


def front(title: str, kind: str, search: bool = False, hide: tuple[str, ...] = ()) -> str:
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"casebook: {kind}"]
    if not search:
        lines += ["search:", "  exclude: true"]
    if hide:
        lines += ["hide:"] + [f"  - {h}" for h in hide]
    return "\n".join(lines + ["---", ""])


@dataclass
class RegionNode:
    path: tuple[str, ...]
    cases: list[int] = field(default_factory=list)          # all cases in this region and below
    own: list[int] = field(default_factory=list)            # cases at exactly this level
    children: dict[str, "RegionNode"] = field(default_factory=dict)
    code: str = ""
    src_uri: str = ""

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "全国"


class Catalogue:
    """All cases plus the groupings the browse pages need; built once per build."""

    def __init__(self, cases: list[Case]):
        self.cases = sorted(cases, key=lambda c: c.sort_key, reverse=True)  # newest first
        for i, c in enumerate(self.cases):
            c.index = i
        self.by_src = {c.src_uri: c for c in self.cases}
        self.root = RegionNode(())
        self.root.src_uri = "regions/index.md"
        self.regions: dict[tuple[str, ...], RegionNode] = {(): self.root}
        used: dict[str, tuple] = {}
        for c in self.cases:
            node = self.root
            node.cases.append(c.index)
            for depth, name in enumerate(c.region_path, 1):
                path = c.region_path[:depth]
                child = node.children.get(name)
                if child is None:
                    child = RegionNode(path)
                    base = posixpath.dirname(node.src_uri)
                    s = slug(name)
                    folder = posixpath.join(base, s)
                    k = 2
                    while folder in used and used[folder] != path:  # pinyin collision
                        folder = posixpath.join(base, f"{s}{k}")
                        k += 1
                    used[folder] = path
                    child.src_uri = posixpath.join(folder, "index.md")
                    node.children[name] = child
                    self.regions[path] = child
                child.cases.append(c.index)
                node = child
            node.own.append(c.index)
            if c.region.get("code") and not node.code and len(c.region_path) == len(node.path):
                node.code = c.region["code"]
        self.themes = self._group(lambda c: c.themes)
        self.domains = self._group(lambda c: [c.domain] if c.domain else [])
        self.years = self._sorted_years(self._group(lambda c: [str(c.year)] if c.year else [UNKNOWN_YEAR]))
        self.tags = self._group(lambda c: c.tags)
        self.theme_src = self._srcs("themes", self.themes)
        self.domain_src = self._srcs("domains", self.domains)
        self.tag_src = self._srcs("tags", self.tags)
        self.year_src = {y: "years/unknown.md" if y == UNKNOWN_YEAR else f"years/{y}.md" for y in self.years}
        # mentions: region name / code -> cases that mention it
        self.mentioned_by: dict[str, list[int]] = defaultdict(list)
        for c in self.cases:
            keys = set()
            for m in c.mentions:
                keys.add(m["name"])
                if m.get("code"):
                    keys.add(m["code"])
            for k in keys:
                self.mentioned_by[k].append(c.index)
        self.region_by_name: dict[str, RegionNode] = {}
        for path, node in self.regions.items():
            if path:
                self.region_by_name.setdefault(node.name, node)
        self.region_by_code = {n.code: n for n in self.regions.values() if n.code}
        self.region_by_src = {n.src_uri: n for n in self.regions.values()}

    def _group(self, key) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for c in self.cases:
            for k in dict.fromkeys(key(c)):
                groups[k].append(c.index)
        return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    @staticmethod
    def _sorted_years(groups: dict[str, list[int]]) -> dict[str, list[int]]:
        """Newest year first, 年份不详 last."""
        return dict(sorted(groups.items(), key=lambda kv: (kv[0] == UNKNOWN_YEAR, -int(kv[0]) if kv[0].isdigit() else 0)))

    def year_of(self, case: Case) -> str:
        """The name of the case's year bucket."""
        return str(case.year) if case.year else UNKNOWN_YEAR

    @staticmethod
    def _srcs(folder: str, groups: dict) -> dict[str, str]:
        out, used = {}, {"index"}  # `index` is the folder's own index page
        for name in groups:
            s, k = slug(name), 2
            base = s
            while s in used:
                s, k = f"{base}{k}", k + 1
            used.add(s)
            out[name] = f"{folder}/{s}.md"
        return out

    def region_node_of(self, case: Case) -> RegionNode:
        return self.regions[case.region_path]

    def mentioning(self, case: Case) -> list[int]:
        """Cases (other than this one) that mention this case's region by name or code."""
        node = self.region_node_of(case)
        found = set(self.mentioned_by.get(node.name, ())) | set(self.mentioned_by.get(node.code, ()))
        found.discard(case.index)
        return sorted(found)

    # ------------------------------------------------------------------ rendering helpers

    def case_line(self, i: int, src_from: str, show_region: bool = True) -> str:
        c = self.cases[i]
        bits = []
        if show_region and c.region_path:
            bits.append(" › ".join(c.region_path))
        if c.domain:
            bits.append(c.domain)
        if c.year:
            bits.append(str(c.year))
        extra = f" <small>{esc(' · '.join(bits))}</small>" if bits else ""
        return f"- [{esc(c.title)}]({rel(src_from, c.src_uri)}){extra}"

    def case_list(self, indices: list[int], src_from: str, show_region: bool = True) -> str:
        return "\n".join(self.case_line(i, src_from, show_region) for i in indices) or "暂无案例。"

    def breadcrumb(self, node: RegionNode) -> str:
        parts = [f"[全国]({rel(node.src_uri, self.root.src_uri)})"]
        for depth in range(1, len(node.path)):
            up = self.regions[node.path[:depth]]
            parts.append(f"[{esc(up.name)}]({rel(node.src_uri, up.src_uri)})")
        parts.append(esc(node.name))
        return " › ".join(parts)

    def region_tree(self, src_from: str, node: RegionNode | None = None, depth: int = 0) -> str:
        node = node or self.root
        lines = []
        for child in sorted(node.children.values(), key=lambda n: (-len(n.cases), n.name)):
            lines.append(f"{'    ' * depth}- [{esc(child.name)}]({rel(src_from, child.src_uri)})"
                         f"（{len(child.cases)}）")
            if child.children:
                lines.append(self.region_tree(src_from, child, depth + 1))
        return "\n".join(lines)

    # ------------------------------------------------------------------ pages

    def regions_index(self, map_svg: str = "") -> str:
        src = self.root.src_uri
        out = [front("地区", "regions"), "# 地区", "",
               f"按 省 › 市 › 县 浏览 {len(self.cases)} 个案例。括号内为案例数；点地图上的省份可直达该省。", ""]
        if map_svg:
            out += ["<!-- casebook:map -->", ""]
        out += [self.region_tree(src), ""]
        return "\n".join(out)

    def region_page(self, node: RegionNode) -> str:
        src = node.src_uri
        title = node.name
        out = [front(title, "region"), f"# {esc(title)}", "", self.breadcrumb(node), ""]
        code = f"（区划代码 {esc(node.code)}）" if node.code else ""
        out += [f"共 {len(node.cases)} 个案例{code}。", "", "<!-- casebook:overview -->", ""]
        if node.children:
            out += ["## 下辖地区", "", self.region_tree(src, node), ""]
        mentions = sorted(set(self.mentioned_by.get(node.name, ())) | set(self.mentioned_by.get(node.code, ())))
        mentions = [i for i in mentions if i not in set(node.cases)]
        if mentions:
            out += ["## 提及本地的案例", "", self.case_list(mentions, src), ""]
        out += ["## 案例", "", self.case_list(node.cases, src, show_region=bool(node.children)), ""]
        return "\n".join(out)

    def group_index(self, title: str, kind: str, groups: dict, srcs: dict, src: str, intro: str) -> str:
        out = [front(title, kind), f"# {title}", "", intro, ""]
        for name, members in groups.items():
            out.append(f"- [{esc(name)}]({rel(src, srcs[name])})（{len(members)}）")
        return "\n".join(out + [""])

    def group_page(self, label: str, name: str, members: list[int], src: str, back: str) -> str:
        title = f"{label}：{name}"
        out = [front(title, label), f"# {esc(title)}", "",
               f"[全部{label}]({rel(src, back)}) · 共 {len(members)} 个案例。", ""]
        by_province = Counter(self.cases[i].region_path[0] for i in members if self.cases[i].region_path)
        if by_province:
            out += ["涉及地区：" + "、".join(f"{esc(p)}（{n}）" for p, n in by_province.most_common()), ""]
        out += ["## 案例", "", self.case_list(members, src), ""]
        return "\n".join(out)

    def region_overview(self, node: RegionNode, url_of, newest: int = 5) -> dict:
        """What a region's overview shows: case counts by theme and by domain (with links, via
        url_of(src_uri)) and its newest cases. Values are plain text: the template escapes them."""
        members = [self.cases[i] for i in node.cases]
        def counted(names: Counter, srcs: dict) -> list[dict]:
            top = max(names.values(), default=1)
            return [{"name": n, "count": k, "share": f"{k / top:.2f}", "href": url_of(srcs[n])}
                    for n, k in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
        themes = Counter(t for c in members for t in dict.fromkeys(c.themes))
        domains = Counter(c.domain for c in members if c.domain)
        newest_cases = []
        for c in members[:newest]:   # the catalogue is sorted newest first
            where = " › ".join(c.region_path[len(node.path):])
            newest_cases.append({"title": c.title, "href": url_of(c.src_uri), "where": where,
                                 "date": c.published or (str(c.year) if c.year else "")})
        return {"name": node.name, "total": len(members), "themes": counted(themes, self.theme_src),
                "domains": counted(domains, self.domain_src), "newest": newest_cases}

    def tags_page(self, groups: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> str:
        """The tag index: every tag in use as a link to its page, with its case count, grouped as
        the vocabulary groups them (tags outside the groups last, under 其他)."""
        src = "tags/index.md"
        out = [front("标签", "tags", hide=("toc",)), "# 标签", "",
               f"{len(self.tags)} 个标签，点击标签查看带有该标签的案例；括号内为案例数。", ""]
        placed: set[str] = set()
        sections = []
        for group, names in groups:
            used = [n for n in names if n in self.tags]
            placed.update(used)
            if used:
                sections.append((group, used))
        rest = sorted((t for t in self.tags if t not in placed), key=lambda t: (-len(self.tags[t]), t))
        if rest:
            sections.append((OTHER_TAGS, rest))
        for group, names in sections:
            names = sorted(names, key=lambda t: (-len(self.tags[t]), t))
            links = " ".join(f"[{esc(t)}（{len(self.tags[t])}）]({rel(src, self.tag_src[t])}){{ .cb-tag }}"
                             for t in names)
            out += [f"## {esc(group)}", "", f'<div class="cb-tags" markdown>\n{links}\n</div>', ""]
        return "\n".join(out)

    def tag_page(self, name: str) -> str:
        """The cases with one tag, newest first, and the regions they come from."""
        return self.group_page("标签", name, self.tags[name], self.tag_src[name], "tags/index.md")

    def filter_page(self, data_dir: str) -> str:
        src = "filter.md"
        json_link = rel(src, f"{data_dir}/cases.json")
        csv_link = rel(src, f"{data_dir}/cases.csv")
        return "\n".join([
            front("筛选", "filter", hide=("toc",)), "# 筛选", "",
            "按地区、领域、主题和年份同时筛选案例，结果即时显示。"
            f"全部案例的索引可下载：[JSON]({json_link}) · [CSV]({csv_link})。", "",
            '<div id="cb-filter" class="cb-filter" data-search-exclude>',
            '<noscript>筛选需要启用浏览器脚本；也可以下载上面的 CSV 在表格软件中筛选。</noscript>',
            "</div>", ""])

    # ------------------------------------------------------------------ downloadable index

    def records(self, url_of) -> list[dict]:
        out = []
        for c in self.cases:
            r = c.region
            out.append({
                "title": c.title, "url": url_of(c.src_uri),
                "province": r.get("province", ""), "city": r.get("city", ""),
                "county": r.get("county", ""), "code": r.get("code", ""),
                "domain": c.domain, "themes": c.themes, "tags": c.tags, "year": c.year,
                "published": c.published, "outlet": str(c.source.get("outlet") or ""),
                "source_url": safe_url(c.source.get("url")), "summary": c.summary,
            })
        return out

    @staticmethod
    def records_json(records: list[dict]) -> str:
        return json.dumps({"count": len(records), "cases": records}, ensure_ascii=False,
                          separators=(",", ":"))

    @staticmethod
    def records_csv(records: list[dict]) -> str:
        buf = io.StringIO()
        cols = ["title", "province", "city", "county", "code", "domain", "themes", "tags", "year",
                "published", "outlet", "source_url", "url", "summary"]
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in records:
            row = dict(r)
            row["themes"] = "；".join(r["themes"])
            row["tags"] = "；".join(r["tags"])
            writer.writerow({k: csv_cell(v) for k, v in row.items()})  # no cell starts a formula
        return "\ufeff" + buf.getvalue()  # BOM so spreadsheet programs read UTF-8

    @staticmethod
    def records_js(records: list[dict]) -> str:
        """Compact columnar index for the filter page, loaded as a script (works from file://)."""
        slim = [[r["title"], r["url"], r["province"], r["city"], r["county"], r["domain"],
                 r["themes"], r["year"] or 0] for r in records]
        return "window.CASEBOOK_INDEX=" + script_json(slim) + ";\n"
