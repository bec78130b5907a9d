"""`casebook convert`: raw pages -> case files under cases/.

One page is processed by `process_page` (clean -> cut -> regions -> tags -> rendered
case files), a pure function of the page's bytes and the pipeline's code and data,
so results are cached by content hash and pages run in parallel. Writing is done
once, at the end, by `write_cases`, which never overwrites an editor's change.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from . import __version__
from .casefile import generated_state, render, slugify
from .cut import Draft, _clip, cut_page, rules as cut_rules, summary_of
from .fsutil import atomic_write, tree_digest
from .paths import PathError, Project, confined

RAW_SUFFIXES = {".txt", ".html", ".htm"}
GENERATED_BY = f"casebook {__version__}"
FRONT_ORDER = ("id", "title", "summary", "region", "mentions", "domain", "themes", "tags", "figures", "year",
               "source", "evidence")
ID_LINE = re.compile(r"^id: ['\"]?(.+?)['\"]?$", re.M)


# ---------------------------------------------------------------- results


@dataclass
class CaseRecord:
    id: str
    folder: list[str]  # pinyin region folders
    slug: str
    meta: dict
    body: str


@dataclass
class PageResult:
    source: str
    content_hash: str
    cases: list[CaseRecord] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    cached: bool = False


@dataclass
class Report:
    pages: int = 0
    cases: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # case files that could not be written
    empty: list[str] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    cache_hits: int = 0
    nothing_changed: bool = False

    def lines(self) -> list[str]:
        out = [f"pages read: {self.pages}   cases: {self.cases}   written: {len(self.written)}   "
               f"unchanged: {self.unchanged}   kept (edited by hand): {len(self.kept_edited)}"
               + (f"   cached pages: {self.cache_hits}" if self.cache_hits else "")]
        if self.nothing_changed:
            out.append("nothing changed since the last run (raw/, cases/ and the pipeline are as they were)")
        if self.dropped:
            out.append("lines dropped: " + ", ".join(f"{k} {v}" for k, v in self.dropped.most_common()))
        for path in self.kept_edited:
            out.append(f"kept: {path}: edited by hand, not overwritten")
        for path in self.removed:
            out.append(f"removed: {path}: generated case no longer produced by its page (it was not edited)")
        for path in self.orphans:
            out.append(f"orphan: {path}: its raw page is gone; the case is kept")
        for dup, first in self.duplicates:
            out.append(f"duplicate: {dup}: same text as {first}; noted as a second source")
        for path in self.empty:
            out.append(f"no case: {path}: nothing but boilerplate")
        for path, message in self.skipped:
            out.append(f"skipped: {path}: {message}")
        for path, message in self.failed:
            out.append(f"not written: {path}: {message}")
        if self.warnings:
            out.append(f"warnings: {len(self.warnings)}")
            out.extend(f"  {w}" for w in self.warnings[:20])
            if len(self.warnings) > 20:
                out.append(f"  … {len(self.warnings) - 20} more")
        return out

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.failed


# ---------------------------------------------------------------- pipeline version


# Code and data a page's cases do NOT depend on (the site, the editors' tools, benchmarks):
# editing them keeps the page cache. Everything else in the package counts, new modules included.
NOT_PIPELINE = ("site/", "bench", "validate", "newcase", "bundle", "synth", "rawsynth", "scaleout", "build",
                "cli", "data/glossary", "data/synth", "data/rawsynth", "data/validate", "data/case_template")


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Hash of the code and data a page's cases depend on: a cached page result is reused only
    if none of them changed."""
    return tree_digest(Path(str(resources.files("casebook"))), skip=NOT_PIPELINE, salt=__version__)


# ---------------------------------------------------------------- rendering


_MD_INLINE = re.compile(r"([\\`*_\[\]|{}])")  # {} too: attr_list would read "{: onclick=…}" as attributes
# a block opening like a heading ("#话题#" is one), a rule ("---"), a list item or a quote;
# an ordered-list number keeps its digits and has its "." or ")" escaped
_MD_BLOCK = re.compile(r"^(\s*)(?:(#|[>+\-](?=\s|-))|(\d+)([.)])(?=\s|$))")


def md_text(text: str) -> str:
    """Scraped text as inert Markdown: HTML escaped, Markdown syntax characters backslash-escaped,
    line breaks folded (a block is one paragraph: no line may start a heading or an attribute list)."""
    text = html.escape(re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", text.strip()), quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
                         text, count=1)


def body_markdown(draft: Draft, source: dict) -> str:
    parts: list[str] = []
    if draft.lead:
        parts.append("## 背景")
        parts.extend(_blocks_md(draft.lead))
        parts.append("## 做法")
    parts.extend(_blocks_md(draft.blocks))
    parts.append("---")
    parts.append(source_line(source))
    return "\n\n".join(parts)


def _blocks_md(blocks: list[dict]) -> list[str]:
    out: list[str] = []
    previous = None
    for block in blocks:
        text = md_text(block["text"])
        if block["kind"] == "heading":
            level = "###" if previous == "heading" else "##"
            out.append(f"{level} {text}")
        elif block["kind"] == "caption":
            out.append(f"*{text}*")
        else:
            out.append(text)
        previous = block["kind"]
    return out


_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.I)


def safe_url(url) -> str | None:
    """An http(s) URL fit for a link, else None (javascript:, data:, spaces, quotes, angle brackets)."""
    return url if isinstance(url, str) and _SAFE_URL.match(url) and len(url) <= 2000 else None


def source_line(source: dict) -> str:
    """The attribution line at the end of every case: outlet, date, byline, link."""
    bits = [md_text(x) for x in (source.get("outlet"), source.get("published"), source.get("byline"),
                                 source.get("author")) if x]
    title = md_text(source.get("title") or "原文")
    url = safe_url(source.get("url"))
    link = f"[{title}](<{url}>)" if url else f"《{title}》"
    return "**来源**：" + link + ("，" + "，".join(bits) if bits else "") + "。"


# ---------------------------------------------------------------- one page


def _year(published: str | None, text: str) -> int | None:
    if published:
        return int(published[:4])
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", text)]
    return max(years) if years else None


def _prune(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def _title_of(draft: Draft) -> str:
    """The draft's title; when cutting left none (a lead that is only a marker, 特色做法一：), the
    start of its first block, clipped: the source's words, never an invented title."""
    title = (draft.title or "").strip()
    if not title:
        first = next((b["text"].strip() for b in draft.lead + draft.blocks if b["text"].strip()), "")
        title = _clip(first, cut_rules()["title_max_chars"]) if first else "无标题"
    return bounded_title(title)


def _summary_of(draft: Draft) -> str:
    """The practice's first sentence(s); when its paragraphs give none (only a marker, only
    headings), the start of its first block, else its title: always the source's words."""
    summary = summary_of(draft.blocks)
    if not summary:
        first = next((b["text"].strip() for b in draft.blocks + draft.lead if b["text"].strip()), "")
        summary = _clip(first, cut_rules()["summary_max_chars"]) if first else ""
    return summary or _title_of(draft)


def plain_text(text: str) -> str:
    """Scraped text with any HTML markup in it removed by nh3 (tags dropped, the text between them
    kept; <script>/<style> dropped with their content); entities the source spelt out stay as
    written. Markdown escaping (`md_text`) comes after this, on the way into the case file."""
    if "<" not in text:
        return text
    import nh3

    return html.unescape(nh3.clean(text.replace("&", "&amp;"), tags=set()))


def sanitised(clean: dict) -> dict:
    """The clean JSON with every text field that reaches a case passed through `plain_text`."""
    blocks = []
    for block in clean.get("blocks", []):
        text = plain_text(block["text"]).strip()
        if text:
            blocks.append({**block, "text": text})
    meta = dict(clean.get("meta") or {})
    for key in ("outlet", "byline"):
        if isinstance(meta.get(key), str):
            meta[key] = plain_text(meta[key]).strip() or None
    meta["authors"] = [plain_text(a) for a in meta.get("authors") or [] if isinstance(a, str)]
    dropped = [{**d, "text": plain_text(d["text"])} if d.get("reason") == "meta:author" else d
               for d in clean.get("dropped", [])]
    title = plain_text(clean["title"]).strip() or None if clean.get("title") else clean.get("title")
    return {**clean, "title": title, "blocks": blocks, "meta": meta, "dropped": dropped}


def build_cases(clean: dict, raw_rel: str) -> list[CaseRecord]:
    """Cut a cleaned page into case records (front matter + body). Pure."""
    from . import regions, tagging

    clean = sanitised(clean)
    meta = clean.get("meta") or {}
    drafts = cut_page(clean)
    page_text = "\n".join(b["text"] for b in clean.get("blocks", []))
    hints = _prune({"url": meta.get("url"), "site": meta.get("site"), "outlet": meta.get("outlet"),
                    "page_title": clean.get("title"), "author": (meta.get("authors") or [None])[0]})
    # region and tag analysis reads at most analysis_max_chars of text: a 10 MB page would take
    # minutes in jieba, and a practice names its place and subject near its start
    cap = cut_rules().get("analysis_max_chars", 20000)
    page_region = regions.resolve(page_text[:cap], hints)
    stem = safe_stem(raw_rel)
    records = []
    for n, draft in enumerate(drafts, 1):
        text = draft.text[:cap]
        region = regions.resolve(text, {**hints, "author": draft.author, "title": draft.title,
                                        "page_region": page_region})
        tags = tagging.tag(draft.title, text)
        source = _prune({
            "title": bounded_title(draft.article_title or clean.get("title")),
            "outlet": meta.get("outlet"),
            "url": safe_url(meta.get("url")),
            "published": meta.get("published"),
            "byline": meta.get("byline"),
            "author": draft.author,
            "raw": raw_rel,
            "lines": draft.lines,
        })
        mentions = region.pop("mentions", None)
        front = _prune({
            "id": f"{stem}-{n:02d}",
            "title": _title_of(draft),
            "summary": _summary_of(draft),
            "region": _prune(region),
            "mentions": mentions,
            "domain": tags.get("domain"),
            "themes": tags.get("themes"),
            "tags": tags.get("tags"),
            "figures": tags.get("figures"),
            "source": source,
            "evidence": tags.get("evidence"),
        })
        front = {**front, "year": _year(meta.get("published"), page_text)}  # null when the page gives none
        front = {k: front[k] for k in sorted(front, key=list(FRONT_ORDER).index)}
        records.append(CaseRecord(front["id"], regions.slug_parts(region) or ["weizhi"], slugify(front["title"]),
                                  front, body_markdown(draft, source)))
    return records


_UNSAFE_ID = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe_stem(raw_rel: str) -> str:
    """The raw page's name without suffix, as used in case ids: control characters and line
    breaks (legal in file names, but not in a one-line `id:`) become `_`."""
    return _UNSAFE_ID.sub("_", Path(raw_rel).stem).strip() or "page"


def bounded_title(title: str | None) -> str | None:
    """A title cut at a clause boundary when a page gives an absurdly long one (2,000 characters)."""
    if not title:
        return title
    limit = cut_rules().get("title_hard_max_chars", 80)
    return _clip(title, limit) if len(title) > limit else title


def page_error(err: BaseException) -> str:
    """The message for a page that could not be processed: the problem, in the editor's words."""
    from .rawinput import RawInputError

    if isinstance(err, RawInputError):  # the page itself, or its sidecar (named then)
        return f"{Path(err.path).name}：{err.message}" if err.path.endswith(".meta.json") else err.message
    if isinstance(err, FileNotFoundError):
        return "文件在处理过程中消失（被删除或移走）"
    if isinstance(err, OSError):
        return f"无法读取：{_os_reason(err)}"
    if isinstance(err, MemoryError):
        return "页面太大，内存不足"
    return f"内部错误（请报告）：{type(err).__name__}: {err}"


def process_page(path: str, root: str, cache_dir: str | None) -> PageResult:
    """Clean and cut one raw page. Never raises: errors come back in `error`."""
    from .clean import clean_file

    rel = Project(Path(root)).rel(Path(path))
    try:
        from .rawinput import _too_big

        _too_big(Path(path), Path(path).stat().st_size)
        data = Path(path).read_bytes()
        sidecar = Path(path).with_suffix(".meta.json")
        side = sidecar.read_bytes() if sidecar.is_file() else b""
        content_hash = hashlib.sha256(data + b"\0" + side).hexdigest()
        key = hashlib.sha256(f"{content_hash}:{rel}:{pipeline_version()}".encode()).hexdigest()
        cached = _cache_get(cache_dir, key)
        if cached is not None:
            return _result_from_json(cached)
        clean = clean_file(path)
        clean["source"] = rel
        result = PageResult(rel, _text_hash(clean), build_cases(clean, rel))
        result.dropped.update(d["reason"] for d in clean.get("dropped", []))
        result.warnings = [f"{rel}:{w.get('lines', [0])[0]}: {w.get('kind')}: {w.get('message')}"
                           for w in clean.get("warnings", [])]
        _cache_put(cache_dir, key, result)
        return result
    except Exception as err:  # a bad page never stops the run
        return PageResult(rel, "", error=page_error(err))


def _text_hash(clean: dict) -> str:
    """Hash of the page's kept text, ignoring spacing: equal for the same page saved twice."""
    text = "".join(b["text"] for b in clean.get("blocks", []))
    return hashlib.sha256(re.sub(r"\s+", "", text).encode()).hexdigest() if text else ""


def _cache_get(cache_dir: str | None, key: str) -> dict | None:
    if not cache_dir:
        return None
    path = Path(cache_dir) / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cache_put(cache_dir: str | None, key: str, result: PageResult) -> None:
    if not cache_dir:
        return
    payload = {"source": result.source, "content_hash": result.content_hash,
               "cases": [r.__dict__ for r in result.cases], "dropped": dict(result.dropped),
               "warnings": result.warnings}
    try:
        atomic_write(Path(cache_dir) / key[:2] / f"{key}.json", json.dumps(payload, ensure_ascii=False),
                     durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _result_from_json(data: dict) -> PageResult:
    return PageResult(data["source"], data["content_hash"], [CaseRecord(**c) for c in data["cases"]],
                      Counter(data["dropped"]), data["warnings"], cached=True)


# ---------------------------------------------------------------- many pages


def raw_pages(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in RAW_SUFFIXES and p.is_file()
                  and not p.name.startswith("."))


def process_all(pages: list[Path], root: Path, cache_dir: Path | None, jobs: int, progress: bool) -> list[PageResult]:
    args = [(str(p), str(root), str(cache_dir) if cache_dir else None) for p in pages]
    bar = _progress(len(args), progress)
    results: list[PageResult] = []
    if jobs <= 1 or len(args) < 8:
        for a in args:
            results.append(process_page(*a))
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, min(64, len(args) // (jobs * 8)))
            for result in pool.map(process_page, *zip(*args), chunksize=chunk):
                results.append(result)
                bar.update(1)
    bar.close()
    return results


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="convert", disable=not enabled or total < 20,
                file=sys.stderr, leave=False)


def existing_ids(cases_dir: Path) -> dict[str, Path]:
    """id -> path of every case file that carries an id (generated ones do)."""
    found: dict[str, Path] = {}
    if not cases_dir.is_dir():
        return found
    for path in cases_dir.rglob("*.md"):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        except OSError:
            continue
        match = ID_LINE.search(head.split("\n---", 1)[0])
        if match:
            found[_id_value(match)] = path
    return found


def _raw_of(text: str) -> str:
    """`source.raw` of a case file, read by the safe parser (a raw name may need quoting or a
    block scalar); "" when the file has none or cannot be parsed."""
    from .casefile import CaseFileError, parse_quick

    try:
        source = parse_quick(text).meta.get("source")
    except CaseFileError:
        return ""
    raw = source.get("raw") if isinstance(source, dict) else None
    return raw if isinstance(raw, str) else ""


def _id_value(match: re.Match) -> str:
    """The id as YAML reads it (a quoted id with escapes reads back as written by render)."""
    value = match.group(1)
    if "\\" in value or "'" in value or '"' in value:
        try:
            loaded = yaml.safe_load(match.group(0))
            if isinstance(loaded, dict) and isinstance(loaded.get("id"), str):
                return loaded["id"]
        except yaml.YAMLError:
            pass
    return value


def write_cases(results: list[PageResult], project: Project, report: Report) -> None:
    cases_dir = project.cases
    known = existing_ids(cases_dir)
    taken: set[Path] = set()
    first_by_text: dict[str, PageResult] = {}
    produced: set[str] = set()
    for result in results:
        report.dropped.update(result.dropped)
        report.warnings.extend(result.warnings)
        if result.error:
            report.skipped.append((result.source, result.error))
            continue
        report.cache_hits += result.cached
        if not result.cases:
            report.empty.append(result.source)
            continue
        first = first_by_text.setdefault(result.content_hash, result)
        if first is not result:
            report.duplicates.append((result.source, first.source))
            for record in first.cases:
                record.meta["source"].setdefault("also", []).append(result.source)
            continue
    for result in first_by_text.values():
        for record in result.cases:
            produced.add(record.id)
            text = render(record.meta, record.body, generated_by=GENERATED_BY)
            report.cases += 1
            try:
                _write_one(record, text, known.get(record.id), cases_dir, taken, project, report)
            except PathError as err:
                report.failed.append((record.id, f"路径越出 cases/：{err}"))
            except OSError as err:  # the old file could not be read or moved
                report.failed.append((record.id, f"无法读写案例文件（{_os_reason(err)}）"))
    # a page that failed this time (unreadable, vanished mid-run) keeps its cases: only a page
    # read successfully that no longer produces a case loses it
    raws = {r.source for r in results if not r.error}
    failed = {r.source for r in results if r.error}
    for case_id, path in known.items():
        if case_id in produced:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        raw_rel = _raw_of(text)
        if raw_rel in failed:
            continue
        if raw_rel in raws and generated_state(text) == "pristine":
            try:
                path.unlink()
                report.removed.append(project.rel(path))
            except OSError as err:
                report.failed.append((project.rel(path), f"无法删除：{err.strerror or err}"))
        elif raw_rel and not (project.root / raw_rel).exists():
            report.orphans.append(project.rel(path))


def _os_reason(err: OSError) -> str:
    import errno

    if err.errno == errno.ENOSPC:
        return "磁盘已满"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "没有权限"
    if err.errno == errno.EROFS:
        return "只读文件系统"
    if err.errno == errno.EISDIR:
        return "这是一个文件夹"
    return err.strerror or str(err)


def _write_one(record: CaseRecord, text: str, old: Path | None, cases_dir: Path, taken: set[Path],
               project: Project, report: Report) -> None:
    current = None
    if old is not None and old.exists():
        current = old.read_text(encoding="utf-8", errors="replace")
        if generated_state(current) != "pristine":
            report.kept_edited.append(project.rel(old))
            taken.add(old.resolve())
            return
    target = _free_path(cases_dir, record, taken, old)
    if current == text and target == old.resolve():
        report.unchanged += 1
        return
    try:
        atomic_write(target, text)
    except OSError as err:  # disk full, read-only folder…: the old file stays as it was
        report.failed.append((project.rel(target), f"写入失败（{_os_reason(err)}），原有文件保持不变"))
        return
    if current is not None and old.resolve() != target:
        old.unlink()  # a pristine generated file moved to its new name
    report.written.append(project.rel(target))


def _free_path(cases_dir: Path, record: CaseRecord, taken: set[Path], old: Path | None) -> Path:
    """The case's file name, with -2, -3 … when another case (or an editor's file) holds it."""
    n = 1
    while True:
        name = record.slug if n == 1 else f"{record.slug}-{n}"
        target = confined(cases_dir, *record.folder, f"{name}.md")
        occupied = target in taken or (target.exists() and (old is None or target != old.resolve()))
        if not occupied:
            taken.add(target)
            return target
        n += 1


# ---------------------------------------------------------------- CLI


def convert(project: Project, raw: Path | None = None, jobs: int | None = None, progress: bool = True,
            use_cache: bool = True) -> Report:
    raw = raw or project.raw
    report = Report()
    if not raw.is_dir():
        report.skipped.append((str(raw), "raw folder not found"))
        return report
    pages = raw_pages(raw)
    report.pages = len(pages)
    stamp_file = project.cache / "convert-stamp.json"
    if use_cache and _last_run(stamp_file, raw, project, report):
        return report
    jobs = jobs or os.cpu_count() or 1
    results = process_all(pages, project.root, project.cache / "pages" if use_cache else None, jobs, progress)
    write_cases(results, project, report)
    if use_cache and report.ok:
        _save_run(stamp_file, raw, project, report)
    return report


def _stamp(raw: Path, project: Project) -> str:
    """Names, sizes and times of every raw file and case file, and the pipeline version."""
    digest = hashlib.sha256(pipeline_version().encode())
    for folder, pattern in ((raw, "*"), (project.cases, "*.md")):
        for path in sorted(folder.rglob(pattern)) if folder.is_dir() else []:
            try:
                st = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _last_run(stamp_file: Path, raw: Path, project: Project, report: Report) -> bool:
    """True (and the report filled from the last run) when nothing changed since that run."""
    try:
        last = json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if last.get("stamp") != _stamp(raw, project):
        return False
    report.nothing_changed = True
    report.cases = report.unchanged = last["cases"]
    report.dropped = Counter(last["dropped"])
    report.warnings = last["warnings"]
    return True


def _save_run(stamp_file: Path, raw: Path, project: Project, report: Report) -> None:
    payload = {"stamp": _stamp(raw, project), "cases": report.cases, "dropped": dict(report.dropped),
               "warnings": report.warnings[:200]}
    try:
        atomic_write(stamp_file, json.dumps(payload, ensure_ascii=False), durable=False)
    except OSError:
        pass  # only costs the next run some time


def add_parser(sp) -> None:
    sp.add_argument("--raw", type=Path, help="原始网页文件夹（默认：raw/）")
    sp.add_argument("--jobs", type=int, default=None, help="并行进程数（默认：全部 CPU 核）")
    sp.add_argument("--no-cache", action="store_true", help="不用缓存，重新清洗每个网页")
    sp.add_argument("--wait", type=float, default=5.0, metavar="秒",
                    help="另一个 casebook 正在运行时最多等待几秒（默认 5）")
    sp.add_argument("-q", "--quiet", action="store_true", help="只输出摘要，不显示进度条")


def run(args) -> int:
    from .build import LOCK_NAME, _waiting
    from .fsutil import LockBusy, project_lock

    project = Project.here()
    try:
        with project_lock(project.cache / LOCK_NAME, "convert", wait=args.wait, on_wait=_waiting):
            report = convert(project, args.raw, args.jobs, progress=not args.quiet, use_cache=not args.no_cache)
    except LockBusy as err:
        print(f"casebook convert：{err}；cases/ 没有改动。", file=sys.stderr)
        return 3
    print("\n".join(report.lines()))
    return 0 if report.ok else 1
