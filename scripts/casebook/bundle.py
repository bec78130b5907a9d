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
import functools
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

import yaml

from .paths import PathError, Project, confined

SHIM = "assets/javascripts/iframe-worker.js"
ZIP_NAME = "casebook-offline-{date}.zip"
PDF_PAGE = "print/pdf.md"   # the page `--pdf` prints: every selected case, in one piece
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


def plan_docs(docs_dir: Path, selection: Selection, exclude: frozenset[str] = frozenset()) -> DocsPlan:
    """Split the docs folder into selected case files and the other files (pages, assets); the editor
    guide and the files in `exclude` (docs-relative: cases with errors) are left out."""
    from .site.records import RecordError, is_case_meta, split_front_matter

    cases, pages, problems = [], [], []
    skipped = 0
    for path in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(docs_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts) or trainer_page(rel) or rel in exclude:
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


# ---------------------------------------------------------------------------- names and filters (issue 16)


@functools.cache
def _bundle_rules() -> dict:
    with open(Path(__file__).parent / "data" / "bundle_rules.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def bundle_filename(selection: Selection, day: dt.date) -> str:
    """`casebook-offline-广东省-20261202.zip`: the filter's values (alternatives joined by +, options by -)
    in the name, so a filtered bundle never takes the full one's name."""
    parts = ["+".join(getattr(selection, name)) for name, _ in FILTER_FIELDS if getattr(selection, name)]
    label = _UNSAFE_NAME.sub("_", "-".join(parts)).strip("._-")
    limit = _bundle_rules()["name_max_chars"]
    if len(label) > limit:  # many filters: a readable start and a hash that tells them apart
        import hashlib

        label = label[:limit - 9] + "-" + hashlib.sha1(label.encode()).hexdigest()[:8]
    return ZIP_NAME.format(date=(f"{label}-" if label else "") + day.strftime("%Y%m%d"))


def unused_path(target: Path) -> Path:
    """`target`, or `…-2.zip`, `…-3.zip` … when a file of that name exists: a bundle never overwrites one."""
    n = 1
    candidate = target
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


def resolve_filters(selection: Selection) -> Selection:
    """Filter values as the case files spell them: 广东 → 广东省, 软弱涣散 → 软弱涣散整顿. An unknown
    value raises BundleError naming it, with near suggestions (as `casebook validate` gives)."""
    from . import regions
    from .validate import _closest, _taxonomy

    out = Selection(**{name: list(getattr(selection, name)) for name, _ in FILTER_FIELDS})
    errors = []
    for level in ("province", "city", "county"):
        label = dict(FILTER_FIELDS)[level]
        values = []
        for value in getattr(selection, level):
            found = [d for d in regions.find(value) if d.level == level
                     or (level == "city" and d.level == "province")]  # 北京市 is a province and a city
            if found:
                values.extend(dict.fromkeys(d.name for d in found))  # 市中区: every one of them
                continue
            near = [d.name for d in regions.suggest(value) if d.level == level][:3]
            errors.append(f"{label}「{value}」不存在" + (f"，是否指「{'」「'.join(near)}」?" if near else ""))
        out.__setattr__(level, list(dict.fromkeys(values)))
    domains, themes = _taxonomy()
    for name, pool in (("domain", domains), ("theme", themes)):
        label = dict(FILTER_FIELDS)[name]
        values = []
        for value in getattr(selection, name):
            if value in pool:
                values.append(value)
                continue
            containing = [p for p in pool if value in p]
            if len(containing) == 1:
                values.append(containing[0])
                continue
            best = _closest(value, name)
            choices = containing or ([best] if best else [])
            errors.append(f"{label}「{value}」不在分类表中"
                          + (f"，是否指「{'」「'.join(choices)}」?" if choices else f"（可选：{'、'.join(pool)}）"))
        out.__setattr__(name, values)
    if errors:
        raise BundleError("筛选条件有误：" + "；".join(errors))
    return out


def trainer_page(rel: str) -> bool:
    """Pages for editors only (the 编者指南), left out of the trainers' bundle."""
    return any(rel == p or rel.startswith(p) for p in _bundle_rules()["editor_only"])


def trainer_home(markdown: str) -> str:
    """The home page without the sentences that send readers to the editor guide."""
    pattern = re.compile("[^。\n]*(?:" + "|".join(map(re.escape, _bundle_rules()["editor_only_words"])) + ")[^。\n]*。?")
    return pattern.sub("", markdown)


def _nav_without_editor_pages(nav):
    if isinstance(nav, list):
        return [x for x in (_nav_without_editor_pages(i) for i in nav) if x is not None]
    if isinstance(nav, dict):
        kept = {k: _nav_without_editor_pages(v) for k, v in nav.items()}
        kept = {k: v for k, v in kept.items() if v not in (None, [])}
        return kept or None
    if isinstance(nav, str) and trainer_page(nav):
        return None
    return nav


# ---------------------------------------------------------------------------- home page stamp


BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def beijing_time(moment: dt.datetime) -> str:
    """A moment as trainers in China read it: 2026-03-01 20:15（北京时间）; naive times are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def stamp_text(built: dt.datetime, count: int, selection: Selection, title: str | None) -> str:
    what = f"「{title}」" if title else ""
    line = (f"本离线包{what}生成于 {beijing_time(built)}，收录 **{count}** 个案例"
            + (f"，筛选条件：{selection.describe()}。" if selection.active else "（全部案例）。"))
    return (f'!!! info "离线版"\n\n    {line}\n    无需联网：双击 index.html 即可浏览、搜索和打印。'
            f"合并打印页见 [打印版](print/index.md)。\n")


def stamp_home(markdown: str, stamp: str, title: str | None = None) -> str:
    """The home page with the stamp after its first H1 (or at the top of its body); with `title`
    the H1 says it too (the site name alone would leave the old heading on the page)."""
    from .site.pages import esc

    body_start = 0
    front = re.match(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", markdown, re.S)
    if front:
        body_start = front.end()
    h1 = re.compile(r"^#\s.*$", re.M).search(markdown, body_start)
    heading = f"# {esc(title)}" if title else None
    if h1:
        return (markdown[:h1.start()] + (heading or h1.group(0)) + "\n\n" + stamp + "\n"
                + markdown[h1.end():].lstrip("\n"))
    if heading:
        stamp = heading + "\n\n" + stamp
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
    if raw.get("nav"):
        over["nav"] = _nav_without_editor_pages(raw["nav"])
    return over


def load_raw_config(path: Path) -> dict:
    """mkdocs.yml as MkDocs itself reads it (its YAML loader, with !!python/name and !ENV)."""
    from mkdocs.utils.yaml import yaml_load

    with open(path, "rb") as handle:
        return yaml_load(handle) or {}


def mkdocs_config(project: Project, docs_dir: Path, site_dir: Path, title: str | None = None,
                  trusted: tuple[str, ...] = ()):
    """The offline build's config; `trusted`: the pages the bundle wrote itself (print pages)."""
    from mkdocs.config import load_config

    raw = load_raw_config(project.mkdocs_yml)
    over = offline_overrides(raw, title)
    if trusted:
        over["plugins"] = [_with_trusted(item, sorted(trusted)) for item in over["plugins"]]
    return load_config(str(project.mkdocs_yml), docs_dir=str(docs_dir), site_dir=str(site_dir), **over)


def _with_trusted(item, pages: list[str]):
    name = next(iter(item)) if isinstance(item, dict) else str(item)
    if name != "casebook":
        return item
    options = dict(item[name] or {}) if isinstance(item, dict) else {}
    return {"casebook": {**options, "trusted_pages": pages}}


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
    pdf: Path | None = None


def build_bundle(project: Project, out_dir: Path | None = None, selection: Selection | None = None,  # noqa: C901
                 title: str | None = None, docs_dir: Path | None = None,
                 now: dt.datetime | None = None, keep_site: Path | None = None,
                 pdf: bool = False, exclude: frozenset[str] = frozenset()) -> BundleResult:
    """Build the offline zip (and with `pdf` a PDF of the selection beside it). `docs_dir`
    defaults to mkdocs.yml's docs_dir (cases/), read only; `exclude`: case files left out."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from .site import printpages
    from .site.records import from_meta, split_front_matter

    started = time.perf_counter()
    selection = selection or Selection()
    now = now or dt.datetime.now(dt.timezone.utc)
    target = unused_path(confined(output_dir(project, out_dir), bundle_filename(selection, now.date())))

    raw = load_raw_config(project.mkdocs_yml)
    source_docs = Path(docs_dir) if docs_dir else project.root / (raw.get("docs_dir") or "docs")
    if not source_docs.is_dir():
        raise BundleError(f"找不到案例文件夹 {source_docs}")
    plan = plan_docs(source_docs, selection, exclude)
    if not plan.cases:
        what = f"（筛选条件：{selection.describe()}）" if selection.active else ""
        raise BundleError(f"没有可以打包的案例{what}：{project.rel(source_docs)}/ 中没有符合条件的案例文件")
    if pdf and len(plan.cases) > PRINT_MAX:
        raise BundleError(f"选中了 {len(plan.cases)} 个案例，超过 {PRINT_MAX} 个时不生成 PDF；"
                          "请按地区或主题筛选（如 --province 广东省 或 --theme 软弱涣散整顿）")
    pdf_path = target.with_suffix(".pdf") if pdf else None

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
        home_text = trainer_home(home.read_text(encoding="utf-8")) if home.is_file() else "# 案例库\n"
        home.write_text(stamp_home(home_text, stamp, title), encoding="utf-8")
        selection_title = (title or selection.describe() or "本包全部案例") if selection.active or title else None
        if selection_title is None and (len(cases) <= 300 or pdf):
            selection_title = "本包全部案例"
        if len(cases) <= PRINT_MAX:
            print_pages = printpages.generate(cases, selection=selection_title)
        else:
            print_pages = printpages.too_many(len(cases), PRINT_MAX)
        if pdf:  # one page with every selected case (the printable pages above come in parts of 100)
            ordered = sorted(cases, key=lambda c: c.sort_key, reverse=True)
            print_pages[PDF_PAGE] = printpages.render_page(
                title or selection.describe() or "案例选编", ordered, PDF_PAGE,
                intro=f"本文件收录 {len(ordered)} 个案例，生成于 {beijing_time(now)}。")
        written = []
        for src, text in print_pages.items():
            dest = confined(docs, src)
            if dest.exists():
                continue  # an editor's own page wins (and is cleaned as one)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            written.append(src)
        try:
            config = mkdocs_config(project, docs, site, title, trusted=tuple(written))
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
        if pdf_path is not None:
            from . import pdf as pdf_mod
            try:
                pdf_mod.write_pdf(confined(site, PDF_PAGE[:-3] + ".html"), pdf_path,
                                  title=title or selection.describe() or "案例选编")
            except pdf_mod.PdfError as err:
                raise BundleError(str(err)) from None
        size = write_zip(site, target, target.stem)
    return BundleResult(target, size, len(plan.cases), plan.skipped, search,
                        time.perf_counter() - started, plan.problems, pdf_path)


def add_parser(sp) -> None:
    sp.add_argument("--out", type=Path, default=None, help="输出文件夹（默认：dist/）")
    sp.add_argument("--province", action="append", default=[], help="只收录这个省份的案例，可写简称如「广东」（可重复）")
    sp.add_argument("--city", action="append", default=[], help="只收录这个城市的案例（可重复）")
    sp.add_argument("--county", action="append", default=[], help="只收录这个县区的案例（可重复）")
    sp.add_argument("--theme", action="append", default=[], help="只收录有这个主题的案例，可写简称如「软弱涣散」（可重复）")
    sp.add_argument("--domain", action="append", default=[], help="只收录这个领域的案例（可重复）")
    sp.add_argument("--tag", action="append", default=[], help="只收录有这个标签的案例（可重复）")
    sp.add_argument("--title", default=None, help="离线包的标题（网站名称和首页）")
    sp.add_argument("--pdf", action="store_true",
                    help="同时生成所选案例的 PDF（无界面 Chromium 打印），与离线包放在一起")
    sp.add_argument("--docs", type=Path, default=None, help="从这个文件夹读取案例（默认：mkdocs.yml 的 docs_dir）")
    sp.add_argument("--wait", type=float, default=5.0, metavar="秒",
                    help="另一个 casebook 正在运行时最多等待几秒（默认 5）")
    sp.add_argument("-q", "--quiet", action="store_true", help="不显示 MkDocs 的消息")


def run(args) -> int:
    from .build import run_locked

    project = Project.here()
    if not project.mkdocs_yml.is_file():
        print(f"casebook bundle：找不到 mkdocs.yml（在 {project.root}）", file=sys.stderr)
        return 2
    return run_locked(project, "bundle", args.wait, lambda: _run(args, project), "没有生成离线包")


def _excluded_by_errors(project: Project, docs: Path) -> frozenset[str]:
    """Case files with validation errors (docs-relative): a bundle leaves them out, as `build --keep-going`."""
    from . import validate

    report = validate.validate(project)
    out = set()
    for rel in report.error_files():
        path = project.root / rel
        if path.is_relative_to(docs):
            out.add(path.relative_to(docs).as_posix())
    for p in report.errors:
        print(p.format(), file=sys.stderr)
    if out:
        print(f"casebook bundle：略去 {len(out)} 个有错误的文件：" + "、".join(sorted(out)[:10])
              + ("……" if len(out) > 10 else ""), file=sys.stderr)
    return frozenset(out)


def _run(args, project: Project) -> int:
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.WARNING,
                        format="mkdocs：%(levelname)s %(message)s")
    import jieba  # Material's search segments with it; its own logger prints at DEBUG level

    jieba.setLogLevel(logging.WARNING)
    selection = Selection(province=args.province, city=args.city, county=args.county, theme=args.theme,
                          domain=args.domain, tag=args.tag)
    try:
        selection = resolve_filters(selection)
        exclude = frozenset() if args.docs else _excluded_by_errors(project, project.cases)
        result = build_bundle(project, args.out, selection, args.title, docs_dir=args.docs, pdf=args.pdf,
                              exclude=exclude)
    except BundleError as err:
        print(f"casebook bundle：{err}", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(f"casebook bundle：{problem}", file=sys.stderr)
    s = result.search
    search = (f"搜索索引 {s['docs']} 个页面、{s['files']} 个文件，{s['bytes'] / 1e6:.1f} MB"
              if s.get("prebuilt") else "没有搜索索引")
    wanted = bundle_filename(selection, dt.datetime.now(dt.timezone.utc).date())
    renamed = (f"（已有同名文件 {wanted}，没有覆盖，另存为这个名字）"
               if result.zip_path.name != wanted and result.zip_path.name.startswith(wanted[:-4]) else "")
    print(f"离线包：{project.rel(result.zip_path)}{renamed}，{result.size / 1e6:.1f} MB，收录 {result.cases} 个案例"
          + (f"（{result.skipped} 个不符合筛选条件）" if result.skipped else "")
          + f"；{search}；用时 {result.seconds:.1f} 秒")
    if result.pdf is not None:
        print(f"PDF：{project.rel(result.pdf)}，{result.pdf.stat().st_size / 1e6:.1f} MB，收录 {result.cases} 个案例")
    return 1 if exclude else 0
