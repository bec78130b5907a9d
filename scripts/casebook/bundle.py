"""`casebook bundle`: the offline zip for trainers.

The site is built from the same mkdocs.yml (loaded with MkDocs' own config API; only the offline
settings are changed in code) into a temporary folder, from a temporary docs folder holding the
selected case files plus every non-case page (cases/ is never touched):

- Material's `offline` plugin on, `use_directory_urls: false`, no instant loading, no web fonts,
  no CDN scripts or styles, no analytics, no repository widget; `extra.polyfills` lists the
  local worker shim (overrides/assets/javascripts/iframe-worker.js), so the offline plugin does
  not add its CDN copy.
- the home page says when the bundle was built, from how many cases and with which filter;
  combined printable pages (per province, per theme, and for the whole selection) are added.
- search from file://: the site's own sharded bigram index (site/search.py) is JSONP, so the
  worker (run in an iframe by the shim) loads the files a query needs with script tags;
  search/search_index.js carries only Material's search configuration.

The zip `dist/casebook-offline-YYYYMMDD.zip` is written atomically; nothing is written outside
dist/ and temporary folders.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .paths import PathError, Project, confined

SHIM = "assets/javascripts/iframe-worker.js"
ZIP_NAME = "casebook-offline-{date}.zip"
PRINT_MAX = 2000  # above this many cases, no combined printable pages (they would double the build)
INSTANT = {"navigation.instant", "navigation.instant.prefetch", "navigation.instant.progress",
           "navigation.instant.preview"}
NETWORK_PLUGINS = {"privacy", "material/privacy", "social", "material/social"}
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
FILTER_FIELDS = (("province", "省份"), ("city", "城市"), ("county", "县区"), ("theme", "主题"),
                 ("domain", "领域"), ("tag", "标签"))

log = logging.getLogger("casebook.bundle")


class BundleError(RuntimeError):
    """The bundle cannot be built; the message says why (in Chinese, for editors and trainers)."""


# ---------------------------------------------------------------------------- selection


@dataclass
class Selection:
    """Filters: values of one option are alternatives (OR), different options must all hold (AND)."""
    province: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    county: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name, _ in FILTER_FIELDS)

    def matches(self, meta: dict) -> bool:
        region = meta.get("region") or {}
        themes = _as_list(meta.get("themes"))
        tags = _as_list(meta.get("tags"))
        checks = (
            (self.province, [str(region.get("province") or "")]),
            (self.city, [str(region.get("city") or "")]),
            (self.county, [str(region.get("county") or "")]),
            (self.theme, themes),
            (self.domain, [str(meta.get("domain") or "")]),
            (self.tag, tags),
        )
        return all(not wanted or any(v in wanted for v in values) for wanted, values in checks)

    def describe(self) -> str:
        """筛选条件 in words, e.g. 省份：广东省；主题：软弱涣散整顿."""
        parts = [f"{label}：{'、'.join(getattr(self, name))}" for name, label in FILTER_FIELDS
                 if getattr(self, name)]
        return "；".join(parts)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value]


@dataclass
class DocsPlan:
    cases: list[tuple[Path, str]]  # (file, docs-relative path) of the selected cases
    pages: list[tuple[Path, str]]  # every other file of the docs folder
    skipped: int                   # cases left out by the filters
    problems: list[str]            # files that could not be read


def plan_docs(docs_dir: Path, selection: Selection) -> DocsPlan:
    """Split the docs folder into selected case files and the other files (pages, assets)."""
    from .site.records import RecordError, is_case_meta, split_front_matter

    cases, pages, problems = [], [], []
    skipped = 0
    for path in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(docs_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        if path.suffix.lower() != ".md":
            pages.append((path, rel))
            continue
        try:
            meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, RecordError) as err:
            problems.append(f"{rel}: 无法读取：{err}")
            pages.append((path, rel))  # the site build reports it in its own words
            continue
        if not is_case_meta(meta):
            pages.append((path, rel))
        elif selection.matches(meta):
            cases.append((path, rel))
        else:
            skipped += 1
    return DocsPlan(cases, pages, skipped, problems)


# ---------------------------------------------------------------------------- home page stamp


def stamp_text(built: dt.datetime, count: int, selection: Selection, title: str | None) -> str:
    what = f"「{title}」" if title else ""
    line = (f"本离线包{what}生成于 {built:%Y-%m-%d %H:%M}（UTC），收录 **{count}** 个案例"
            + (f"，筛选条件：{selection.describe()}。" if selection.active else "（全部案例）。"))
    return (f'!!! info "离线版"\n\n    {line}\n    无需联网：双击 index.html 即可浏览、搜索和打印。'
            f"合并打印页见 [打印版](print/index.md)。\n")


def stamp_home(markdown: str, stamp: str) -> str:
    """The home page with the stamp after its first H1 (or at the top of its body)."""
    body_start = 0
    front = re.match(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", markdown, re.S)
    if front:
        body_start = front.end()
    h1 = re.compile(r"^#\s.*$", re.M).search(markdown, body_start)
    if h1:
        return markdown[:h1.end()] + "\n\n" + stamp + "\n" + markdown[h1.end():].lstrip("\n")
    return markdown[:body_start] + "\n" + stamp + "\n" + markdown[body_start:]


# ---------------------------------------------------------------------------- MkDocs config


def offline_overrides(raw: dict, title: str | None = None) -> dict:
    """The keys of mkdocs.yml (as loaded YAML) that the offline bundle changes, with their new values."""
    theme = raw.get("theme") or {}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["font"] = False
    theme["features"] = [f for f in theme.get("features") or [] if f not in INSTANT]

    plugins = []
    for item in raw.get("plugins") or []:
        name = next(iter(item)) if isinstance(item, dict) else str(item)
        if name in NETWORK_PLUGINS or name in ("offline", "material/offline"):
            continue
        plugins.append(item)
    plugins.append("offline")

    extra = dict(raw.get("extra") or {})
    extra.pop("analytics", None)
    extra.pop("consent", None)
    extra["polyfills"] = [p for p in extra.get("polyfills") or []
                          if not REMOTE.match(str(p)) and "iframe-worker" not in str(p)] + [SHIM]
    over = {
        "theme": theme,
        "plugins": plugins,
        "extra": extra,
        "use_directory_urls": False,
        "repo_url": None,
        "edit_uri": None,
        "extra_javascript": [s for s in raw.get("extra_javascript") or []
                             if not REMOTE.match(str(s if isinstance(s, str) else s.get("path", "")))],
        "extra_css": [s for s in raw.get("extra_css") or [] if not REMOTE.match(str(s))],
    }
    if "assets/stylesheets/print.css" not in over["extra_css"]:
        over["extra_css"].append("assets/stylesheets/print.css")
    if title:
        over["site_name"] = title
    return over


def load_raw_config(path: Path) -> dict:
    """mkdocs.yml as MkDocs itself reads it (its YAML loader, with !!python/name and !ENV)."""
    from mkdocs.utils.yaml import yaml_load

    with open(path, "rb") as handle:
        return yaml_load(handle) or {}


def mkdocs_config(project: Project, docs_dir: Path, site_dir: Path, title: str | None = None):
    from mkdocs.config import load_config

    raw = load_raw_config(project.mkdocs_yml)
    return load_config(str(project.mkdocs_yml), docs_dir=str(docs_dir), site_dir=str(site_dir),
                       **offline_overrides(raw, title))


# ---------------------------------------------------------------------------- search index


def write_search_script(site_dir: Path) -> dict:
    """search/search_index.json as search/search_index.js (Material's main script loads that from
    file://; it holds only the search configuration: the index itself is casebook's sharded one
    in search/cb/, JSONP files the worker loads with script tags there); returns figures."""
    folder = confined(site_dir, "search")
    source = folder / "search_index.json"
    if not source.is_file():
        return {"prebuilt": False, "reason": "没有搜索索引"}
    index = json.loads(source.read_text(encoding="utf-8"))
    data = f"var __index = {json.dumps(index, ensure_ascii=False, separators=(',', ':'))};\n".replace("</", "<\\/")
    from .fsutil import atomic_write

    atomic_write(folder / "search_index.js", data)
    source.unlink()
    shards = sorted((folder / "cb").rglob("*.js"))
    manifest = folder / "cb" / "manifest.js"
    docs = 0
    if manifest.is_file():
        text = manifest.read_text(encoding="utf-8")
        docs = len(json.loads(text[text.index(",") + 1:text.rindex(")")]).get("docs") or [])
    return {"prebuilt": manifest.is_file(), "docs": docs, "files": len(shards),
            "bytes": sum(p.stat().st_size for p in shards) + len(data.encode("utf-8"))}


# ---------------------------------------------------------------------------- checks and zip

_REMOTE_REF = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//", re.I)
_LINK_REL = re.compile(r"\brel\s*=\s*[\"']?(?:stylesheet|preconnect|preload|modulepreload|prefetch|icon|"
                       r"dns-prefetch|manifest)", re.I)


def remote_references(site_dir: Path) -> list[str]:
    """Files of the built site that would load something from the network (scripts, styles, fonts)."""
    found = []
    for path in site_dir.rglob("*"):
        if path.suffix.lower() not in (".html", ".css"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _REMOTE_REF.finditer(text):
            snippet = match.group(0)
            if snippet.lower().startswith("<link") and not _LINK_REL.search(snippet):
                continue  # <link rel="canonical"> and the like are not fetched
            found.append(f"{path.relative_to(site_dir).as_posix()}: {snippet[:120]}")
            break
    return found


def write_zip(site_dir: Path, target: Path, root: str) -> int:
    """Zip the site under `root/` atomically; returns the zip's size in bytes."""
    from .fsutil import atomic_target

    with atomic_target(target) as fd, open(fd, "wb", closefd=False) as handle, \
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(site_dir.rglob("*")):
            if path.is_file():
                zf.write(path, f"{root}/{path.relative_to(site_dir).as_posix()}")
    return target.stat().st_size


# ---------------------------------------------------------------------------- the verb


def output_dir(project: Project, out_dir: Path | None) -> Path:
    """The zip's folder: dist/ or a folder under it, or (for tests and benchmarks) a temporary folder."""
    out = Path(out_dir) if out_dir else project.dist
    if not out.is_absolute():
        out = project.root / out
    inside_project = out.resolve() == project.root.resolve() or project.root.resolve() in out.resolve().parents
    bases = (project.dist,) if inside_project else (project.dist, Path(tempfile.gettempdir()))
    for base in bases:
        try:
            return confined(base, out.resolve().relative_to(base.resolve()).as_posix())
        except (ValueError, PathError):
            continue
    raise BundleError(f"输出文件夹 {out} 不在 dist/ 下；离线包只写入 dist/")


@dataclass
class BundleResult:
    zip_path: Path
    size: int
    cases: int
    skipped: int
    search: dict
    seconds: float
    problems: list[str]


def build_bundle(project: Project, out_dir: Path | None = None, selection: Selection | None = None,
                 title: str | None = None, docs_dir: Path | None = None,
                 now: dt.datetime | None = None, keep_site: Path | None = None) -> BundleResult:
    """Build the offline zip. `docs_dir` defaults to mkdocs.yml's docs_dir (cases/), read only."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from .site import printpages
    from .site.records import from_meta, split_front_matter

    started = time.perf_counter()
    selection = selection or Selection()
    now = now or dt.datetime.now(dt.timezone.utc)
    target = confined(output_dir(project, out_dir), ZIP_NAME.format(date=now.strftime("%Y%m%d")))

    raw = load_raw_config(project.mkdocs_yml)
    source_docs = Path(docs_dir) if docs_dir else project.root / (raw.get("docs_dir") or "docs")
    if not source_docs.is_dir():
        raise BundleError(f"找不到案例文件夹 {source_docs}")
    plan = plan_docs(source_docs, selection)
    if not plan.cases:
        what = f"（筛选条件：{selection.describe()}）" if selection.active else ""
        raise BundleError(f"没有可以打包的案例{what}：{project.rel(source_docs)}/ 中没有符合条件的案例文件")

    with tempfile.TemporaryDirectory(prefix="casebook-bundle-") as tmp:
        tmp = Path(tmp)
        docs, site = tmp / "docs", tmp / "site"
        cases = []
        for path, rel in plan.pages + plan.cases:
            dest = confined(docs, rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        for path, rel in plan.cases:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            try:
                cases.append(from_meta(rel, meta, body))
            except ValueError as err:
                plan.problems.append(f"{rel}: {err}")
        home = confined(docs, "index.md")
        stamp = stamp_text(now, len(plan.cases), selection, title)
        home_text = home.read_text(encoding="utf-8") if home.is_file() else "# 案例库\n"
        home.write_text(stamp_home(home_text, stamp), encoding="utf-8")
        selection_title = (title or selection.describe() or "本包全部案例") if selection.active or title else None
        if selection_title is None and len(cases) <= 300:
            selection_title = "本包全部案例"
        if len(cases) <= PRINT_MAX:
            print_pages = printpages.generate(cases, selection=selection_title)
        else:
            print_pages = printpages.too_many(len(cases), PRINT_MAX)
        for src, text in print_pages.items():
            dest = confined(docs, src)
            if dest.exists():
                continue  # an editor's own page wins
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        try:
            config = mkdocs_config(project, docs, site, title)
            build(config)
        except MkDocsException as err:
            raise BundleError(f"站点构建失败：{err}") from None
        if not confined(site, SHIM).is_file():
            raise BundleError(f"构建结果中没有 {SHIM}（应来自 overrides/{SHIM}）；离线搜索无法工作")
        search = write_search_script(site)
        remote = remote_references(site)
        if remote:
            raise BundleError("离线包仍会从网络加载资源：\n  " + "\n  ".join(remote[:10]))
        if keep_site is not None:
            shutil.copytree(site, keep_site, dirs_exist_ok=True)
        size = write_zip(site, target, target.stem)
    return BundleResult(target, size, len(plan.cases), plan.skipped, search,
                        time.perf_counter() - started, plan.problems)


def add_parser(sp) -> None:
    sp.add_argument("--out", type=Path, default=None, help="output folder (default: dist/)")
    sp.add_argument("--province", action="append", default=[], help="only cases of this province (repeatable)")
    sp.add_argument("--city", action="append", default=[], help="only cases of this city (repeatable)")
    sp.add_argument("--county", action="append", default=[], help="only cases of this county (repeatable)")
    sp.add_argument("--theme", action="append", default=[], help="only cases with this theme (repeatable)")
    sp.add_argument("--domain", action="append", default=[], help="only cases of this domain (repeatable)")
    sp.add_argument("--tag", action="append", default=[], help="only cases with this tag (repeatable)")
    sp.add_argument("--title", default=None, help="title of the bundle (site name and home page)")
    sp.add_argument("--docs", type=Path, default=None, help="read cases from this folder instead of docs_dir")
    sp.add_argument("-q", "--quiet", action="store_true", help="no MkDocs messages")


def run(args) -> int:
    project = Project.here()
    if not project.mkdocs_yml.is_file():
        print(f"casebook bundle: 找不到 mkdocs.yml（在 {project.root}）", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.WARNING,
                        format="mkdocs: %(levelname)s %(message)s")
    import jieba  # Material's search segments with it; its own logger prints at DEBUG level

    jieba.setLogLevel(logging.WARNING)
    selection = Selection(province=args.province, city=args.city, county=args.county, theme=args.theme,
                          domain=args.domain, tag=args.tag)
    try:
        result = build_bundle(project, args.out, selection, args.title, docs_dir=args.docs)
    except BundleError as err:
        print(f"casebook bundle: {err}", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(f"casebook bundle: {problem}", file=sys.stderr)
    s = result.search
    search = (f"search index: {s['docs']} pages, {s['files']} files, {s['bytes'] / 1e6:.1f} MB"
              if s.get("prebuilt") else "no search index")
    print(f"{project.rel(result.zip_path)}: {result.size / 1e6:.1f} MB, {result.cases} cases"
          + (f" ({result.skipped} left out by the filters)" if result.skipped else "")
          + f"; {search}; {result.seconds:.1f} s")
    return 0
