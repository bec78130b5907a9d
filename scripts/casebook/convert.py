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

from . import __version__, policy
from .casefile import generated_state, render, slugify
from .cut import Draft, _clip, cut_page, summary_of
from .cut import rules as cut_rules
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
    vanished_kept: list[str] = field(default_factory=list)   # edited cases whose practice left its page
    deleted_by_editor: list[str] = field(default_factory=list)  # newly tombstoned this run
    tombstoned: int = 0
    tombstone_error: str | None = None

    def lines(self) -> list[str]:
        """The summary an editor reads, in Chinese (drop reasons in plain words)."""
        out = [f"读取网页 {self.pages} 个，案例 {self.cases} 个：新写入或更新 {len(self.written)} 个，"
               f"没有变化 {self.unchanged} 个，编辑改过而保留 {len(self.kept_edited)} 个"
               + (f"，编辑删除而不再生成 {self.tombstoned} 个" if self.tombstoned else "")
               + (f"（{self.cache_hits} 个网页用了缓存）" if self.cache_hits else "")]
        if self.nothing_changed:
            out.append("自上次运行以来 raw/、cases/ 和程序都没有变化")
        if self.dropped:
            out.append("删除的网页杂质行：" + "，".join(f"{drop_reason(k)} {v}" for k, v in self.dropped.most_common()))
        for path in self.kept_edited:
            out.append(f"保留：{path}：编辑改过，没有覆盖")
        for path in self.vanished_kept:
            out.append(f"注意：{path}：这个做法已不在原始网页中（网页重新抓取后变了）；编辑改过，文件保留，请确认是否还需要")
        for path in self.removed:
            out.append(f"删除：{path}：这个做法已不在原始网页中，文件没有人改过，已删除")
        for path in self.deleted_by_editor:
            out.append(f"记录：{path}：编辑删除了这个案例，已记入 cases/{STATE_DIR}/{TOMBSTONES}，以后不再生成")
        for path in self.orphans:
            out.append(f"孤立：{path}：它的原始网页已不在 raw/ 中；案例保留")
        for dup, first in self.duplicates:
            out.append(f"重复网页：{dup}：与 {first} 内容相同，记为第二个来源")
        for path in self.empty:
            out.append(f"没有案例：{path}：网页里只有杂质（导航、页脚等），没有正文")
        for path, message in self.skipped:
            out.append(f"跳过：{path}：{message}")
        for path, message in self.failed:
            out.append(f"没有写入：{path}：{message}")
        if self.warnings:
            out.append(f"提醒 {len(self.warnings)} 条：")
            out.extend(f"  {w}" for w in self.warnings[:20])
            if len(self.warnings) > 20:
                out.append(f"  …… 另有 {len(self.warnings) - 20} 条")
        return out

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.failed


@lru_cache(maxsize=1)
def _drop_names() -> dict:
    with open(Path(__file__).parent / "data" / "messages.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["drop_reasons"]


def drop_reason(reason: str) -> str:
    """A `dropped[].reason` in an editor's words (导航, 页脚, 广告 …); unknown reasons as they are."""
    return _drop_names().get(reason, reason)


# ---------------------------------------------------------------- pipeline version


# Code and data a page's cases do NOT depend on (the site, the editors' tools, benchmarks):
# editing them keeps the page cache. Everything else in the package counts, new modules included.
NOT_PIPELINE = ("site/", "dev/", "validate", "newcase", "bundle", "build", "cli", "fsutil", "preview", "tagreview",
                "pdf", "data/messages", "data/glossary", "data/validate", "data/case_template", "data/maps")


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
    ids = practice_ids(stem, drafts)
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
            "id": ids[n - 1],
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


_NOT_WORD = re.compile(r"[\W_]+")


def practice_key(draft: Draft) -> str:
    """What identifies a practice on its page whatever its position: its heading (or the title cut
    from its lead sentence), else its first sentence, normalised (NFKC, no spaces or punctuation)."""
    import unicodedata

    text = draft.title or next((b["text"] for b in draft.lead + draft.blocks if b["text"].strip()), "")
    key = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()
    if not key:  # a practice with no words at all: its text, hashed whole
        key = "".join(b["text"] for b in draft.blocks)
    return key[:200]


def practice_ids(stem: str, drafts: list[Draft]) -> list[str]:
    """`<raw-stem>-<8 hex of the practice key>` for each draft; two practices with the same key on one
    page are told apart by their order among themselves (`…-2`)."""
    seen: Counter = Counter()
    out = []
    for draft in drafts:
        digest = hashlib.sha1(practice_key(draft).encode("utf-8")).hexdigest()[:8]
        seen[digest] += 1
        out.append(f"{stem}-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return out


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
    return _clip(title, limit - 2) if len(title) > limit else title  # "……" counts: the validator's limit holds


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
    return raw_listing(folder)[0]


def raw_listing(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The raw pages under folder, never read through a symlink, and the paths refused (policy)."""
    if not folder.is_dir():
        return [], []
    pages, refused = policy.safe_files(folder, tuple(RAW_SUFFIXES))
    return [p for p in pages if not p.name.startswith(".")], refused


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

    return tqdm(total=total, unit="页", desc="转换", disable=not enabled or total < 20,
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


STATE_DIR = ".casebook"          # under cases/: MkDocs skips dot folders, so it is never published
MANIFEST = "generated.tsv"       # id <TAB> path under cases/ where convert last wrote the case
TOMBSTONES = "tombstones.yaml"   # cases an editor deleted: convert never writes them again
TOMBSTONE_HEAD = ("# 编辑删除的案例：casebook convert 不会再生成下列案例（按 id 识别）。\n"
                  "# 要恢复某个案例，删除它的这一项（从「- id:」到下一项之前），再运行 casebook convert。\n")


def load_manifest(cases_dir: Path) -> dict[str, str]:
    try:
        text = (cases_dir / STATE_DIR / MANIFEST).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        case_id, sep, rel = line.partition("\t")
        if sep and case_id and rel:
            out[case_id] = rel
    return out


def load_tombstones(cases_dir: Path, report: "Report") -> list[dict]:
    """The editor-edited tombstone list; a broken file is reported and read as empty (nothing is
    written until it is fixed, so no tombstone is lost)."""
    path = cases_dir / STATE_DIR / TOMBSTONES
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as err:
        report.tombstone_error = f"{path.name} 无法读取（{str(err).splitlines()[0][:80]}），请修正后重新运行"
        return []
    if not isinstance(data, list):
        report.tombstone_error = f"{path.name} 应为一个列表（每项以「- id:」开头），请修正后重新运行"
        return []
    return [d for d in data if isinstance(d, dict) and isinstance(d.get("id"), str)]


def _save_state(cases_dir: Path, manifest: dict[str, str], tombstones: list[dict], tombs_changed: bool,
                report: "Report") -> None:
    folder = cases_dir / STATE_DIR
    try:
        text = "".join(f"{k}\t{v}\n" for k, v in sorted(manifest.items()))
        old = (folder / MANIFEST).read_text(encoding="utf-8") if (folder / MANIFEST).is_file() else None
        if text != old:
            atomic_write(folder / MANIFEST, text)
        if tombs_changed and not report.tombstone_error:
            body = yaml.safe_dump(tombstones, allow_unicode=True, sort_keys=False, width=10_000)
            atomic_write(folder / TOMBSTONES, TOMBSTONE_HEAD + body)
    except OSError as err:
        report.failed.append((f"cases/{STATE_DIR}/", f"无法记录已生成的案例（{_os_reason(err)}）"))


class _Names:
    """Which file names are taken in each folder, listed once per folder: choosing N names is O(N)
    whatever the slugs (a counter per slug remembers where the -2, -3 … search stopped)."""

    def __init__(self, cases_dir: Path):
        self.cases_dir = cases_dir
        self.taken: dict[Path, set[str]] = {}
        self.next: dict[tuple[Path, str], int] = {}
        self.vacant: set[Path] = set()  # files about to be removed: their names may be reused

    def names(self, folder: Path) -> set[str]:
        if folder not in self.taken:
            try:
                self.taken[folder] = {n.lower() for n in os.listdir(folder)}
            except OSError:
                self.taken[folder] = set()
        return self.taken[folder]

    def claim(self, path: Path) -> None:
        self.names(path.parent).add(path.name.lower())

    def free(self, folder: Path, slug: str) -> Path:
        names = self.names(folder)
        n = self.next.get((folder, slug), 1)
        while True:
            name = f"{slug}.md" if n == 1 else f"{slug}-{n}.md"
            target = folder / name
            if name.lower() not in names:
                break
            if target in self.vacant:
                self.vacant.discard(target)
                break
            n += 1
        self.next[(folder, slug)] = n + 1
        names.add(name.lower())
        return target


_NUMBERED = re.compile(r"^(.*?)(?:-(\d+))?$")


def _same_slug(stem: str, slug: str) -> bool:
    return _NUMBERED.match(stem).group(1) == slug or stem == slug


def write_cases(results: list[PageResult], project: Project, report: Report) -> None:  # noqa: C901
    cases_dir = project.cases
    known = existing_ids(cases_dir)
    manifest = load_manifest(cases_dir)
    tombstones = load_tombstones(cases_dir, report)
    if report.tombstone_error:  # without the list a deleted case would come back: write nothing
        report.failed.append((f"cases/{STATE_DIR}/{TOMBSTONES}", report.tombstone_error + "；这次没有写入任何案例"))
        return
    tombed = {t["id"] for t in tombstones}
    tombs_changed = False
    first_by_text: dict[str, PageResult] = {}
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
    produced: dict[str, CaseRecord] = {}
    for result in first_by_text.values():
        for record in result.cases:
            produced.setdefault(record.id, record)
    # a page that failed this time (unreadable, vanished mid-run) keeps its cases: only a page
    # read successfully that no longer produces a case loses it
    raws = {r.source for r in results if not r.error}
    failed = {r.source for r in results if r.error}
    names = _Names(cases_dir)
    removable: list[tuple[str, Path]] = []
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
        if raw_rel in raws:
            if generated_state(text) == "pristine":
                removable.append((case_id, path))
                names.vacant.add(path.resolve())
            else:
                report.vanished_kept.append(project.rel(path))
        elif raw_rel and not (project.root / raw_rel).exists():
            report.orphans.append(project.rel(path))
    new_manifest = {k: v for k, v in manifest.items() if k in known and k not in produced}
    for case_id, record in produced.items():
        report.cases += 1
        if case_id in tombed:
            report.tombstoned += 1
            continue
        old = known.get(case_id)
        if old is None and case_id in manifest and not report.tombstone_error:
            # convert wrote it before and it is gone: the editor deleted it on purpose
            tombstones.append({"id": case_id, "title": record.meta.get("title"),
                               "raw": record.meta.get("source", {}).get("raw"),
                               "file": f"cases/{manifest[case_id]}", "deleted": _today()})
            tombed.add(case_id)
            tombs_changed = True
            report.deleted_by_editor.append(f"cases/{manifest[case_id]}")
            continue
        text = render(record.meta, record.body, generated_by=GENERATED_BY)
        try:
            target = _write_one(record, text, old, manifest.get(case_id), cases_dir, names, project, report)
        except PathError as err:
            report.failed.append((record.id, f"路径越出 cases/：{err}"))
            continue
        except OSError as err:  # the old file could not be read or moved
            report.failed.append((record.id, f"无法读写案例文件（{_os_reason(err)}）"))
            continue
        if target is not None:
            rel, last = target.relative_to(cases_dir.resolve()).as_posix(), manifest.get(case_id)
            # a case the editor moved keeps convert's own path in the manifest, so it stays moved
            new_manifest[case_id] = last if last and old is not None and rel != last else rel
    for case_id, path in removable:
        new_manifest.pop(case_id, None)
        if path.resolve() not in names.vacant:  # its name was reused by another case: already overwritten
            continue
        try:
            path.unlink()
            report.removed.append(project.rel(path))
        except OSError as err:
            report.failed.append((project.rel(path), f"无法删除：{err.strerror or err}"))
    _save_state(cases_dir, new_manifest, tombstones, tombs_changed, report)


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


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


def _write_one(record: CaseRecord, text: str, old: Path | None, last_written: str | None, cases_dir: Path,
               names: _Names, project: Project, report: Report) -> Path | None:
    """Write one case; returns where it now lives (None when it could not be written)."""
    current = None
    if old is not None and old.exists():
        old = old.resolve()
        current = old.read_text(encoding="utf-8", errors="replace")
        if generated_state(current) != "pristine":
            report.kept_edited.append(project.rel(old))
            names.claim(old)
            return old
    folder = confined(cases_dir, *record.folder)
    root = cases_dir.resolve()
    if old is not None and current is not None and (
            (last_written is not None and old.relative_to(root).as_posix() != last_written)  # moved by the editor
            or (old.parent == folder and _same_slug(old.stem, record.slug))):  # already where it belongs
        target = old
        names.claim(old)
    else:
        target = names.free(folder, record.slug)
    if current == text and target == old:
        report.unchanged += 1
        return target
    try:
        atomic_write(target, text)
    except OSError as err:  # disk full, read-only folder…: the old file stays as it was
        report.failed.append((project.rel(target), f"写入失败（{_os_reason(err)}），原有文件保持不变"))
        return old if current is not None else None
    if current is not None and old != target:
        old.unlink()  # a pristine generated file moved to its new name
    report.written.append(project.rel(target))
    return target


# ---------------------------------------------------------------- CLI


def convert(project: Project, raw: Path | None = None, jobs: int | None = None, progress: bool = True,
            use_cache: bool = True) -> Report:
    raw = raw or project.raw
    report = Report()
    if not raw.is_dir():
        report.skipped.append((str(raw), "找不到原始网页文件夹"))
        return report
    pages, refused = raw_listing(raw)
    report.skipped += [(project.rel(path), message) for path, message in refused]
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
    tombs = project.cases / STATE_DIR / TOMBSTONES  # an editor restoring a case edits this list
    digest.update(tombs.read_bytes() if tombs.is_file() else b"")
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
    from .build import run_locked

    project = Project.here()

    def work() -> int:
        report = convert(project, args.raw, args.jobs, progress=not args.quiet, use_cache=not args.no_cache)
        print("\n".join(report.lines()))
        return 0 if report.ok else 1
    return run_locked(project, "convert", args.wait, work, "cases/ 没有改动")
