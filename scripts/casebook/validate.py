"""`casebook validate [PATH...]`: check case files and explain every problem to an editor.

Each problem is printed as `path:line: field: message` (message in Simplified Chinese,
with the fix), then a summary; exit status 1 when anything is wrong.

A case is a .md under cases/ in a region folder, or any .md whose front matter has
`region` or `source`. Other pages (cases/index.md, cases/guide/...) are checked only for
parse errors, links and unsafe HTML. Rules and messages live in data/validate_rules.yaml.

Pure checks take text/data and return `Problem`s; `validate()` does the file I/O.
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import functools
import html
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote, urlsplit

import numpy as np
import yaml

from . import casefile, policy
from .paths import Project

DATA = Path(__file__).parent / "data"


@functools.cache
def rules() -> dict:
    with open(DATA / "validate_rules.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    kind: str
    severity: str = "error"  # "error" blocks `casebook build`; "warning" is reported only

    def format(self) -> str:
        """`path:line: 字段: 问题 → 怎样改` (warnings marked 提醒)."""
        mark = "（提醒）" if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field}: {mark}{_arrow(self.message)}"


_FIX = re.compile(r"[，；,]\s*(?=请|应|是否指|应为|手写案例|写成|如是|一个标签)")


def _arrow(message: str) -> str:
    """The message with its fix set off by an arrow: 「领域「农业」不在分类表中 → 是否指…」."""
    if "→" in message:
        return message
    return _FIX.sub(" → ", message, count=1)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    cases: int = 0
    pages: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "warning"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def error_files(self) -> list[str]:
        """Project-relative paths of the files that have an error (what `build --keep-going` leaves out)."""
        return sorted({p.path for p in self.errors})

    @property
    def by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(p.kind for p in self.problems).items()))

    def to_json(self) -> dict:
        return {"files": self.files, "cases": self.cases, "pages": self.pages,
                "seconds": round(self.seconds, 3), "ok": not self.errors,
                "by_kind": self.by_kind, "problems": [asdict(p) for p in self.problems]}


KIND_NAMES = {
    "parse": "无法解析", "missing": "缺少字段", "type": "类型错误", "value": "取值不当",
    "placeholder": "模板未填写", "region": "地区", "taxonomy": "分类", "date": "日期",
    "source": "来源", "html": "不安全的 HTML", "link": "链接", "slug": "文件名重复",
    "duplicate": "内容重复", "heading": "标题层级", "path": "文件位置", "field": "未知字段",
    "file": "文件", "security": "安全（不允许的内容）",
}


# ---------------------------------------------------------------- taxonomy (tagging.py)


@functools.cache
def _taxonomy() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(domain names, theme names) in the taxonomy's order, from tagging.load_taxonomy()."""
    from . import tagging

    tax = tagging.load_taxonomy()

    def names(part) -> tuple[str, ...]:
        if isinstance(part, dict):
            return tuple(str(k) for k in part)
        out: dict[str, None] = {}
        for item in part or []:
            if hasattr(item, "name"):
                out[str(item.name)] = None
            elif isinstance(item, dict):
                out[str(item.get("name") or item.get("title") or next(iter(item)))] = None
            else:
                out[str(item)] = None
        return tuple(out)

    if isinstance(tax, dict):
        return names(tax.get("domains") or tax.get("domain")), names(tax.get("themes") or tax.get("theme"))
    return names(getattr(tax, "domains", [])), names(getattr(tax, "themes", []))


@functools.lru_cache(maxsize=1024)
def _closest(term: str, kind: str) -> str | None:
    from . import tagging

    try:
        best = tagging.closest(term, kind)
    except Exception:  # noqa: BLE001 - a suggestion is a courtesy, never a crash
        best = None
    if isinstance(best, (list, tuple)):
        best = best[0] if best else None
    if isinstance(best, dict):
        best = best.get("name")
    pool = _taxonomy()[0 if kind == "domain" else 1]
    cutoff = rules()["suggest_cutoff"]
    if best and str(best) in pool and _near(term, str(best), cutoff):
        return str(best)
    found = difflib.get_close_matches(term, list(pool), n=1, cutoff=cutoff)
    return found[0] if found else None


def _near(a: str, b: str, cutoff: float) -> bool:
    """Is `b` a near spelling of `a` (difflib ratio), or does one contain the other (软弱涣散 ⊂ 软弱涣散整顿)?"""
    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= cutoff


# ---------------------------------------------------------------- front matter checks


def _yaml_message(message: str) -> str:
    for item in rules()["yaml_errors"]:
        if item["match"] in message:
            return item["message"].format(original=message)
    return message


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _type_ok(value: Any, kind: str) -> bool:
    return {
        "str": isinstance(value, str),
        "list": isinstance(value, list),
        "map": isinstance(value, dict),
        "int": isinstance(value, int) and not isinstance(value, bool),
    }[kind]


def _walk_strings(value: Any, key: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_strings(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_strings(v, f"{key}[{i}]")


def _check_date(value: Any) -> str | None:
    """None when `value` is a real YYYY-MM-DD date not in the future, else the message."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return f"日期「{text}」格式不对，应写成 YYYY-MM-DD，如 2021-06-01"
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return _impossible_date(text)
    if day > dt.date.today():
        return f"日期「{day.isoformat()}」在今天之后，请核对"
    return None


def key_problems(meta: dict, kind: str, extra: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """Front-matter keys the policy refuses (theme-steering, unknown): [(field, message, kind)]."""
    known = sorted(policy.allowed_keys(kind, extra))
    out = []
    for key in meta:
        message = policy.key_problem(str(key), kind, extra)
        if message is None:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
        if close and close[0] not in meta:
            message = f"未知字段「{key}」，是否指「{close[0]}」?"
        out.append((str(key), message, "security" if str(key) in policy.policy().theme_keys else "field"))
    return out


def _impossible_date(text: str) -> str:
    """Name what is wrong with a YYYY-MM-DD that is no date: the month, else the day."""
    year, month, day = (int(x) for x in text.split("-"))
    if not 1 <= month <= 12:
        return f"日期「{text}」不存在：没有 {month} 月（月份应为 01–12），请核对原文日期"
    import calendar

    last = calendar.monthrange(max(year, 1), month)[1]
    return f"日期「{text}」不存在：{year} 年 {month} 月只有 {last} 天，请核对原文日期"


def _near_codes(code: str, n: int = 5) -> list[str]:
    """Codes close to a 6-digit code that does not exist: the counties of the same city, else the
    cities of the same province ("440902 茂南区")."""
    from . import regions

    db = regions._db()
    for prefix in (code[:4], code[:2]):
        near = sorted((c, d.name) for c, d in db.codes.items() if c.startswith(prefix) and c != code
                      and not getattr(d, "historical", False) and not c.endswith("00" if len(prefix) == 4 else "0000"))
        if near:
            near.sort(key=lambda item: abs(int(item[0]) - int(code)))
            return [f"{c}（{name}）" for c, name in near[:n]]
    return []


def page_meta_problems(meta: dict) -> list[tuple[str, str, str]]:
    """A hand-written page's title and description: plain text, no markup."""
    out = [(fld, message, "security") for fld, message in policy.markup_problems(meta)]
    for key in ("title", "description"):
        if key in meta and not isinstance(meta[key], str):
            out.append((key, f"{key} 应为一段文字，现在是「{str(meta[key])[:30]}」", "type"))
    return out


def check_meta(doc: casefile.CaseDoc, project: Project | None = None,  # noqa: C901
               text: str | None = None) -> list[tuple[str, str, str]]:
    """Problems in a case's front matter: [(field, message, kind)]. `text`, the file's text, saves work."""
    r = rules()
    lim = r["limits"]
    meta = doc.meta
    out: list[tuple[str, str, str]] = []
    marker = r["placeholder"]

    # template text left in place (walk the values only when the marker occurs at all)
    for key, value in (_walk_strings(meta, "") if marker in (text if text is not None else repr(meta)) else ()):
        if marker in value:
            label = r["required"].get(key.split(".")[0].split("[")[0], {}).get("label", key)
            out.append((key, f"{label}还是模板里的占位内容，请按提示填写：{value.strip()[:60]}", "placeholder"))
    placeholder_keys = {k for k, _, kind in out}

    source = meta.get("source")
    from_page = isinstance(source, dict) and not _is_blank(source.get("raw"))
    for name, spec in r["required"].items():
        value = meta.get(name)
        if name in placeholder_keys:
            continue
        if value is None and name in r["unknown_allowed_from_page"] and from_page and name in meta:
            continue  # generated from a page that does not say (e.g. no date): present, left empty
        if _is_blank(value):
            out.append((name, f"缺少{spec['label']}（{name}）：{spec['hint']}", "missing"))
        elif not _type_ok(value, spec["type"]):
            out.append((name, f"{spec['label']}（{name}）{r['types'][spec['type']]}，现在是「{value}」；{spec['hint']}", "type"))

    # keys outside the allow-list (policy.yaml): refused, with the known key it may be a typo of
    out += key_problems(meta, "case")
    out += [(fld, message, "security") for fld, message in policy.markup_problems(meta)]
    for parent, children in r["known_nested"].items():
        sub = meta.get(parent)
        if isinstance(sub, dict):
            for key in sub:
                if str(key) not in children:
                    close = difflib.get_close_matches(str(key), children, n=1, cutoff=0.75)
                    if close and close[0] not in sub:
                        out.append((f"{parent}.{key}", f"未知字段「{key}」，是否指「{close[0]}」?", "field"))

    title = meta.get("title")
    if isinstance(title, str) and title.strip() and "title" not in placeholder_keys:
        if len(title) > lim["title_max"]:
            out.append(("title", f"标题有 {len(title)} 个字，太长（最多 {lim['title_max']} 字），请精简", "value"))
        if "\n" in title.strip():
            out.append(("title", "标题不能换行，请写成一行", "value"))
    summary = meta.get("summary")
    if isinstance(summary, str) and len(summary.strip()) > lim["summary_max"] and "summary" not in placeholder_keys:
        out.append(("summary", f"摘要有 {len(summary.strip())} 个字，太长（最多 {lim['summary_max']} 字），请只保留一两句", "value"))

    # region
    region = meta.get("region")
    if isinstance(region, dict):
        if _is_blank(region.get("province")):
            out.append(("region.province", "缺少省份 region.province，请写全称，如「广东省」", "missing"))
        for level in ("province", "city", "county"):
            if level in region and region[level] is not None and not isinstance(region[level], str):
                out.append((f"region.{level}", f"region.{level} 应为地名文字，现在是「{region[level]}」", "type"))
        from . import regions

        key = _region_key(region)
        found = list(_region_check(key)) if key is not None else regions.check(region)
        names_bad = any(fld.split(".")[-1] in ("province", "city", "county") for fld, _, _ in found)
        code = str(region.get("code") or "")
        for fld, message, _suggestion in found:
            fld = fld if fld.startswith("region") else f"region.{fld}"
            if fld == "region.code" and names_bad and re.fullmatch(r"\d{6}", code) and regions.by_code(code):
                continue  # the code disagrees only because a name is wrong: one fault, one message
            if fld == "region.code" and _is_blank(region.get("code")) and _suggestion:
                message = f"缺少地区代码 region.code，应为 \"{_suggestion}\""
            elif fld == "region.code" and re.fullmatch(r"\d{6}", code) and not regions.by_code(code):
                if _suggestion:
                    message += f"，按地名应为「{_suggestion}」"
                else:
                    near = _near_codes(code)
                    message += f"，相近的代码有：{'、'.join(near)}" if near else "，请查 GB/T 2260 行政区划代码"
            out.append((fld, message, "region"))

    # taxonomy
    domains, themes = _taxonomy()
    domain = meta.get("domain")
    if isinstance(domain, str) and domain.strip() and "domain" not in placeholder_keys and domain not in domains:
        best = _closest(domain, "domain")
        hint = f"，是否指「{best}」?" if best else ""
        out.append(("domain", f"领域「{domain}」不在分类表中{hint}（可选：{'、'.join(domains)}）", "taxonomy"))
    theme_list = meta.get("themes")
    if isinstance(theme_list, list) and "themes" not in placeholder_keys:
        if theme_list and not lim["themes_min"] <= len(theme_list) <= lim["themes_max"]:
            out.append(("themes", f"主题有 {len(theme_list)} 个，应为 {lim['themes_min']}–{lim['themes_max']} 个", "value"))
        seen: set = set()
        for i, theme in enumerate(theme_list):
            key = f"themes[{i}]"
            if not isinstance(theme, str):
                out.append((key, f"主题应为文字，现在是「{theme}」", "type"))
            elif theme in seen:
                out.append((key, f"主题「{theme}」重复，请删除一个", "value"))
            elif theme not in themes:
                best = _closest(theme, "theme")
                hint = f"，是否指「{best}」?" if best else "，请从分类表中选择"
                out.append((key, f"主题「{theme}」不在分类表中{hint}", "taxonomy"))
            seen.add(theme)
    tags = meta.get("tags")
    if isinstance(tags, list) and "tags" not in placeholder_keys:
        if tags and not lim["tags_min"] <= len(tags) <= lim["tags_max"]:
            out.append(("tags", f"标签有 {len(tags)} 个，应为 {lim['tags_min']}–{lim['tags_max']} 个简短关键词", "value"))
        seen = set()
        for i, tag in enumerate(tags):
            key = f"tags[{i}]"
            if not isinstance(tag, (str, int)) or isinstance(tag, bool) or _is_blank(tag):
                out.append((key, f"标签应为简短文字，现在是「{tag}」", "type"))
                continue
            tag = str(tag)
            if re.search(r"[,，、;；\n#]", tag):
                out.append((key, f"标签「{tag}」含有逗号、顿号或 #，一个标签只写一个词，请拆成多个", "value"))
            elif len(tag) > lim["tag_max_chars"]:
                out.append((key, f"标签「{tag}」太长（{len(tag)} 字，最多 {lim['tag_max_chars']} 字），请写成简短关键词", "value"))
            elif tag in seen:
                out.append((key, f"标签「{tag}」重复，请删除一个", "value"))
            seen.add(tag)

    year = meta.get("year")
    if _type_ok(year, "int") and "year" not in placeholder_keys:
        top = dt.date.today().year
        if not lim["year_min"] <= year <= top:
            out.append(("year", f"年份 {year} 不合理，应在 {lim['year_min']}–{top} 之间", "date"))

    # source
    if isinstance(source, dict):
        outlet, url = source.get("outlet"), source.get("url")
        if _is_blank(outlet) and _is_blank(url) and not from_page:
            out.append(("source", "来源缺少媒体名称 source.outlet 和原文链接 source.url，请至少填写一项，如 outlet: 南方日报", "source"))
        if not _is_blank(outlet) and not isinstance(outlet, str):
            out.append(("source.outlet", f"来源媒体应为文字，现在是「{outlet}」", "type"))
        if not _is_blank(url):
            if not isinstance(url, str):
                out.append(("source.url", f"原文链接应为网址文字，现在是「{url}」", "type"))
            else:
                parts = urlsplit(url.strip())
                if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                    out.append(("source.url", f"原文链接「{url}」不是有效网址，应以 http:// 或 https:// 开头", "source"))
    for key in r["date_fields"]:
        parent, _, leaf = key.rpartition(".")
        holder = meta.get(parent) if parent else meta
        value = holder.get(leaf) if isinstance(holder, dict) else None
        if not _is_blank(value) and key not in placeholder_keys:
            message = _check_date(value)
            if message:
                out.append((key, message, "date"))
    if isinstance(source, dict):
        raw = source.get("raw")
        if not _is_blank(raw) and project is not None:
            if not isinstance(raw, str):
                out.append(("source.raw", f"source.raw 应为 raw/ 下的文件路径，现在是「{raw}」", "type"))
            else:
                target = Path(os.path.normpath(os.path.join(os.path.abspath(project.root), raw)))
                if Path(os.path.abspath(project.raw)) not in target.parents:
                    out.append(("source.raw", f"source.raw「{raw}」应指向 raw/ 下的原始网页；手写案例可以删除这一项", "source"))
                elif not target.is_file():
                    out.append(("source.raw", f"原始网页「{raw}」不存在；手写案例可以删除这一项", "source"))
        lines = source.get("lines")
        if lines is not None and not (isinstance(lines, list) and len(lines) == 2
                                      and all(_type_ok(x, "int") for x in lines) and lines[0] <= lines[1]):
            out.append(("source.lines", f"source.lines 应为原文的起止行号 [开始, 结束]，现在是「{lines}」", "type"))
    return out


# ---------------------------------------------------------------- body checks


FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\s]*)>")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")


def mask_code(body: str) -> list[str]:
    """Body lines with fenced code blocks and inline code spans blanked out (same line count)."""
    out: list[str] = []
    fence: str | None = None
    if "<!--" in body:  # HTML comments are not shown to readers; blank them (keeping line breaks)
        body = HTML_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    for line in body.split("\n"):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append("")
            continue
        if m:
            fence = m.group(1)
            out.append("")
            continue
        out.append(CODE_SPAN.sub(lambda s: " " * len(s.group(0)), line) if "`" in line else line)
    return out


class _Tags(HTMLParser):
    """Lists start tags with their attributes and line (the standard library's tokenizer)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((self.getpos()[0], tag, attrs))

    handle_startendtag = handle_starttag


def _survives(snippet: str, needle: str) -> bool:
    """Does `needle` outlive the site's own sanitiser (one HTML policy: data/policy.yaml)?"""
    from .site import sanitize

    return needle in sanitize.clean(snippet)


def url_is_safe(url: str) -> bool:
    """Does an <a href> with this URL survive sanitising? Character references are decoded
    first (`javascript&#58;` is `javascript:` to a browser)."""
    url = html.unescape(url)
    return _survives(f'<a href="{html.escape(url, quote=True)}">x</a>', "href=")


def _attr_survives(tag: str, name: str, value: str | None) -> bool:
    return _survives(f'<{tag} {name}="{html.escape(value or "", quote=True)}"></{tag}>', f" {name}=")


def check_html(lines: list[str], first_line: int) -> list[tuple[int, str, str]]:
    """Raw HTML that could run script or that the sanitiser would strip: [(line, message, url_targets)]."""
    r = rules()
    out: list[tuple[int, str, str]] = []
    text = "\n".join(lines)
    if "<" not in text:
        return out
    text = AUTOLINK.sub(lambda m: " " * len(m.group(0)), text)
    parser = _Tags()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - a tokenizer hiccup must not crash the run
        pass
    allowed = policy.policy().tags
    for line, tag, attrs in parser.found:
        where = first_line + line - 1
        if tag not in allowed:
            messages = r["html_tag_messages"]
            out.append((where, messages.get(tag, messages["default"]).format(tag=tag), ""))
            continue
        for name, value in attrs:
            if _attr_survives(tag, name, value):
                continue
            if name.startswith("on"):
                out.append((where, r["html_event_attribute"].format(attr=name, tag=tag), ""))
            elif name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                out.append((where, r["html_bad_url"].format(url=value.strip()[:60]), ""))
            elif name in ("id", "class") and value:
                out.append((where, r["html_reserved_name"].format(attr=name, value=value[:40], tag=tag), ""))
            else:
                out.append((where, r["html_bad_attribute"].format(attr=name, tag=tag), ""))
    return out


ATTR_LIST = re.compile(r"(?<!\\)\{:?\s*([#.][^{}\n]*|:[^{}\n]*)\}")  # `\{` is text, not a list
ATTR_TOKEN = re.compile(r"""([#.])([^\s#.}]+)|([^\s=]+)=("[^"]*"|'[^']*'|\S+)""")


def check_attr_lists(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """Markdown attribute lists (`{: #id .class key=value }`) that the site would strip or that
    would take the theme's names: [(line, message)]."""
    out = []
    pol = policy.policy()
    for i, line in enumerate(lines):
        if "{" not in line:
            continue
        for m in ATTR_LIST.finditer(line):
            for sign, name, attr, _ in ATTR_TOKEN.findall(m.group(1).lstrip(":")):
                bad = ((sign == "#" and (pol.reserved_id.match(name) or pol.site_name.match(name)))
                       or (sign == "." and (pol.reserved_class.match(name) or pol.site_name.match(name)))
                       or (attr and attr.lower() not in pol.attributes["*"]))
                if bad:
                    shown = f"{sign}{name}" if sign else attr
                    out.append((first_line + i, rules()["attr_list_refused"].format(attr=shown)))
    return out


def theme_meta_lines(text: str) -> list[tuple[int, str]]:
    """A page without `---` front matter whose first lines read `template: …`: MkDocs would take
    them as page settings (MultiMarkdown meta)."""
    out = []
    for i, line in enumerate(text.split("\n")[:20]):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if not m:
            break
        if m.group(1).lower() in policy.policy().theme_keys:
            out.append((i + 1, policy.key_problem(m.group(1).lower(), "page")))
    return out


def html_link_targets(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """(line, url) of href/src in raw HTML tags, for the internal-link check."""
    text = "\n".join(lines)
    if "<" not in text:
        return []
    parser = _Tags()
    try:
        parser.feed(AUTOLINK.sub(lambda m: " " * len(m.group(0)), text))
        parser.close()
    except Exception:  # noqa: BLE001
        return []
    return [(first_line + line - 1, value) for line, tag, attrs in parser.found
            for name, value in attrs if name in ("href", "src") and value]


def markdown_links(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """(line, url) of every Markdown link, image, reference definition and autolink."""
    out: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if "](" in line:
            for m in INLINE_LINK.finditer(line):
                if _escaped(line, m.start() + (line[m.start()] == "!")):
                    continue  # \[text\](…) is literal text in Markdown, not a link
                out.append((first_line + i, m.group(1).strip("<>").strip()))
        m = REF_DEF.match(line)
        if m:
            out.append((first_line + i, m.group(1).strip("<>").strip()))
        if "<" in line:
            for m in AUTOLINK.finditer(line):
                out.append((first_line + i, m.group(1)))
    return out


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|!\[[^\]]*\]\[([^\]]*)\]")


def image_problems(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """Markdown images loaded from another server (the site keeps images to its own files)."""
    from .site.sanitize import foreign_url

    refs = {m.group(0).split("]")[0].lstrip(" [").lower(): m.group(1).strip("<>").strip()
            for line in lines if (m := REF_DEF.match(line))}
    out = []
    for i, line in enumerate(lines):
        if "![" not in line:
            continue
        for m in IMAGE.finditer(line):
            url = m.group(1) if m.group(1) is not None else refs.get((m.group(2) or "").lower(), "")
            if url and foreign_url(url):
                out.append((first_line + i, rules()["image_foreign"].format(url=url[:60])))
    return out


def _escaped(line: str, at: int) -> bool:
    """Is the character at `at` escaped by an odd run of backslashes before it?"""
    n = 0
    while at - n - 1 >= 0 and line[at - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def check_headings(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    previous = 1  # the title is the page's H1
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#"):
            continue
        m = HEADING.match(line)
        if not m:
            continue
        level, text = len(m.group(1)), (m.group(2) or "").strip()
        where = first_line + i
        if not text:
            out.append((where, f"空标题「{m.group(1)}」，请写上标题文字或删除这一行"))
        if level == 1:
            out.append((where, f"正文中不要用一级标题「# {text}」：页面标题由 title 字段生成，请改为「## {text}」"))
        elif level > previous + 1:
            want = "#" * (previous + 1)
            out.append((where, f"标题层级跳跃：从 {'#' * previous} 直接到 {m.group(1)}，请把「{m.group(1)} {text}」改为「{want} {text}」"))
        previous = level
    return out


# ---------------------------------------------------------------- near-duplicates


_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """64-bit hashes of every k-character shingle of the text's Chinese characters, letters and digits.

    Punctuation, spaces and Markdown are dropped first, so re-punctuated or re-formatted
    copies still match. Vectorised (numpy): ~0.1 ms for a 2,000-character case.
    """
    text = _LINK_TARGET.sub("]", text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    lower = codes | 32
    keep = ((codes >= 0x3400) & (codes <= 0x9FFF)) | ((lower >= 97) & (lower <= 122)) | ((codes >= 48) & (codes <= 57))
    codes = codes[keep].astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = codes[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            h = h * np.uint64(0x100000001B3) + codes[j:n + j]
        h ^= h >> np.uint64(31)
        h *= _MIX[0]
        h ^= h >> np.uint64(29)
        h *= _MIX[1]
        h ^= h >> np.uint64(32)
    return h


def sketch(text: str) -> list[int] | None:
    """One-permutation MinHash signature of a case body: the smallest shingle hash in each of
    `signature_bins` hash ranges (0 = empty range). None when the body is too short to compare."""
    lim = rules()["limits"]
    h = shingle_hashes(text, lim["shingle"])
    if len(h) < lim["duplicate_min_shingles"]:
        return None
    bins = lim["signature_bins"]
    sig = np.full(bins, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, (h % np.uint64(bins)).astype(np.intp), h)
    sig[sig == _EMPTY] = 0
    return sig.tolist()


def similarity(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets."""
    k = rules()["limits"]["shingle"]
    sa, sb = np.unique(shingle_hashes(a, k)), np.unique(shingle_hashes(b, k))
    both = len(np.intersect1d(sa, sb, assume_unique=True))
    return both / (len(sa) + len(sb) - both) if len(sa) + len(sb) else 0.0


class DuplicateIndex:
    """Near-duplicate search over MinHash signatures with locality-sensitive hashing.

    Signatures are cut into bands of `band_rows` values; two cases become candidates when
    one band is equal, which pairs above the threshold almost always are (Jaccard 0.8: 97%,
    0.85: 99.8%) and unrelated pairs almost never are. Candidates are screened by the
    signature estimate and confirmed with the exact Jaccard of the two shingle sets (texts
    fetched through `load`), so the figure reported is exact. Vectorised (numpy); linear in
    the number of cases.
    """

    def __init__(self, sketches: dict[str, list[int] | None], load: Callable[[str], str]):
        lim = rules()["limits"]
        self.threshold = lim["duplicate_threshold"]
        self.load = load
        self.keys = [k for k, v in sketches.items() if v]
        self.best: dict[str, tuple[str, float]] = {}
        if len(self.keys) < 2:
            return
        sig = np.array([sketches[k] for k in self.keys], dtype=np.uint64)
        pairs = self._candidates(sig, lim["band_rows"])
        if not len(pairs):
            return
        estimate = np.zeros(len(pairs))
        for lo in range(0, len(pairs), 50_000):  # bounded memory
            a, b = sig[pairs[lo:lo + 50_000, 0]], sig[pairs[lo:lo + 50_000, 1]]
            filled = (a != 0) & (b != 0)
            estimate[lo:lo + 50_000] = ((a == b) & filled).sum(1) / np.maximum(filled.sum(1), 1)
        keep = estimate >= self.threshold - 0.15
        for i, j in pairs[keep].tolist():
            ka, kb = self.keys[i], self.keys[j]
            sim = similarity(self.load(ka), self.load(kb))
            for x, y in ((ka, kb), (kb, ka)):
                if sim >= self.threshold and (x not in self.best or sim > self.best[x][1]):
                    self.best[x] = (y, sim)

    @staticmethod
    def _candidates(sig: np.ndarray, rows: int) -> np.ndarray:
        """Index pairs (i < j) that share at least one complete band."""
        found: list[np.ndarray] = []
        mult = np.uint64(0x9E3779B97F4A7C15)
        for start in range(0, sig.shape[1] - rows + 1, rows):
            band = sig[:, start:start + rows]
            idx = np.flatnonzero((band != 0).all(axis=1))
            if len(idx) < 2:
                continue
            with np.errstate(over="ignore"):
                key = np.zeros(len(idx), dtype=np.uint64)
                for col in range(rows):
                    key = key * mult + band[idx, col]
            order = np.argsort(key, kind="stable")
            key, idx = key[order], idx[order]
            same = np.flatnonzero(key[1:] == key[:-1])
            if not len(same):
                continue
            # runs of equal keys -> all pairs within each run
            starts = same[np.r_[True, np.diff(same) > 1]]
            for s0 in starts.tolist():
                s1 = s0 + 1
                while s1 < len(key) and key[s1] == key[s0]:
                    s1 += 1
                members = np.sort(idx[s0:s1])
                ii, jj = np.triu_indices(len(members), k=1)
                found.append(np.stack([members[ii], members[jj]], axis=1))
        if not found:
            return np.zeros((0, 2), dtype=np.int64)
        return np.unique(np.concatenate(found), axis=0)

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> "DuplicateIndex":
        return cls({k: sketch(t) for k, t in texts.items()}, texts.__getitem__)

    def closest(self, key: str) -> tuple[str, float] | None:
        return self.best.get(key)


# ---------------------------------------------------------------- files


@dataclass
class _File:
    path: Path
    abs: str          # absolute, normalised (symlinks not resolved: cheap for 10,000 files)
    rel: str
    text: str = ""
    doc: casefile.CaseDoc | None = None
    is_case: bool = False
    body: str = ""
    body_line: int = 1


FRONT_KEY = re.compile(r"^(region|source)\s*:", re.M)


class _Tree:
    """The project's cases/ folder, walked once: every file, every .md, cheap path arithmetic."""

    def __init__(self, project: Project):
        self.project = project
        self.root = os.path.abspath(project.root)
        self.cases = os.path.abspath(project.cases)
        self.raw = os.path.abspath(project.raw)
        self.files: set[str] = set()
        self.md: list[str] = []
        self.links: list[str] = []   # symbolic links (never followed, never read)
        if os.path.isdir(self.cases):
            for dirpath, dirnames, filenames in os.walk(self.cases):  # does not follow links
                self.links += [os.path.join(dirpath, d) for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if os.path.islink(full):
                        self.links.append(full)
                        continue
                    self.files.add(full)
                    if name.endswith(".md") and not name.startswith("."):
                        self.md.append(full)
        self._by_name: dict[str, str] | None = None

    @staticmethod
    def norm(path) -> str:
        return os.path.normpath(os.path.abspath(path))

    def rel(self, abs_path: str) -> str:
        if abs_path == self.root or abs_path.startswith(self.root + os.sep):
            return os.path.relpath(abs_path, self.root).replace(os.sep, "/")
        return abs_path.replace(os.sep, "/")

    def under_cases(self, abs_path: str) -> tuple[str, ...] | None:
        """Path parts below cases/, or None when outside it."""
        if not abs_path.startswith(self.cases + os.sep):
            return None
        return tuple(abs_path[len(self.cases) + 1:].split(os.sep))

    def in_region_folder(self, abs_path: str) -> bool:
        r = rules()
        parts = self.under_cases(abs_path)
        if not parts or len(parts) < 2 or parts[-1] in r["page_names"]:
            return False
        return parts[0] not in r["page_folders"] and not parts[0].startswith((".", "_"))

    def exists(self, abs_path: str) -> bool:
        return abs_path in self.files or os.path.isfile(abs_path)

    def closest_md(self, name: str) -> str | None:
        if self._by_name is None:
            self._by_name = {os.path.basename(p): p for p in self.md}
        close = difflib.get_close_matches(name, list(self._by_name), n=1, cutoff=0.6)
        return self._by_name[close[0]] if close else None


def _looks_like_case(abs_path: str, text: str, tree: _Tree) -> bool:
    if tree.in_region_folder(abs_path):
        return True
    try:
        front = casefile.split(text)[0]
    except casefile.CaseFileError:
        return False
    return bool(FRONT_KEY.search(front))


def _link_problem(url: str, f: _File, tree: _Tree) -> str | None:
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if not url_is_safe(url):
        return rules()["html_bad_url"].format(url=url[:60])
    parts = urlsplit(url)
    if parts.scheme or url.startswith("//"):
        return None  # external
    if url.startswith("/"):
        return f"链接「{url}」以 / 开头，离线包中会失效；请写成相对路径，如 ../../maoming/dianbai/xxx.md"
    target_rel = unquote(parts.path)
    if not target_rel:
        return None
    folder = os.path.dirname(f.abs)
    target = os.path.normpath(os.path.join(folder, target_rel))
    if tree.under_cases(f.abs) is not None and tree.under_cases(target) is None:
        return f"链接「{url}」指向 cases/ 之外，站点中无法打开；请链接到 cases/ 下的页面"
    if tree.exists(target):
        return None
    if target_rel.endswith("/") or os.path.isdir(target):
        for cand in (os.path.join(target, "index.md"), target.rstrip(os.sep) + ".md"):
            if tree.exists(cand):
                return f"链接「{url}」请直接指向 Markdown 文件「{os.path.relpath(cand, folder).replace(os.sep, '/')}」"
    elif not os.path.splitext(target)[1] and tree.exists(target + ".md"):
        return f"链接「{url}」请写完整文件名「{target_rel}.md」"
    hint = ""
    close = tree.closest_md(os.path.basename(target_rel.rstrip("/")))
    if close:
        hint = f"，是否指「{os.path.relpath(close, folder).replace(os.sep, '/')}」?"
    return f"链接「{url}」指向的页面不存在{hint}"


@functools.lru_cache(maxsize=4096)
def _region_check(key: tuple) -> tuple:
    from . import regions

    return tuple(regions.check(dict(key)))


@functools.lru_cache(maxsize=4096)
def _region_folder(key: tuple) -> tuple[str, ...]:
    from . import regions

    return tuple(regions.slug_parts(dict(key)))


def _region_key(region: dict) -> tuple | None:
    try:
        return tuple(sorted((str(k), v) for k, v in region.items() if not isinstance(v, (dict, list))))
    except TypeError:
        return None


_STATE: dict = {}  # (tree, project) for worker processes (inherited by fork)


def _check_file(abs_path: str) -> tuple[list[Problem], bool | None, list[int] | None, int]:  # noqa: C901
    """All single-file checks: (problems, is_case or None when unreadable, body sketch, first body line)."""
    tree: _Tree = _STATE["tree"]
    project: Project = _STATE["project"]
    f = _File(path=Path(abs_path), abs=abs_path, rel=tree.rel(abs_path))
    problems: list[Problem] = []

    def add(_f: _File, line: int, fld: str, message: str, kind: str) -> None:
        problems.append(Problem(f.rel, line, fld, message, kind, _severity(fld, kind, False)))

    if os.path.islink(abs_path):
        return problems, None, None, 1  # reported once, by validate() (policy: symlinks)
    try:
        data = f.path.read_bytes()
        f.text = data.decode("utf-8")
    except FileNotFoundError:
        add(f, 1, "file", "文件不存在", "file")
        return problems, None, None, 1
    except UnicodeDecodeError as err:
        add(f, data[: err.start].count(b"\n") + 1, "file", "文件不是 UTF-8 编码，请用 UTF-8 保存", "file")
        return problems, None, None, 1
    except OSError as err:
        add(f, 1, "file", f"无法读取文件：{err.strerror}", "file")
        return problems, None, None, 1
    f.is_case = _looks_like_case(abs_path, f.text, tree)
    if not f.is_case and not f.text.lstrip("\ufeff").startswith("---"):
        f.body, f.body_line = f.text, 1
    else:
        try:
            f.doc = casefile.parse_quick(f.text)
            f.body, f.body_line = f.doc.body, f.doc.body_line
        except casefile.CaseFileError as err:
            add(f, _quote_line(f.text, err), "yaml", _yaml_message(str(err)), "parse")
            return problems, f.is_case, None, 1
        except (ValueError, OverflowError, RecursionError, MemoryError) as err:  # 5,000-digit ints, depth …
            add(f, 2, "yaml", _unreadable_value(err), "parse")
            return problems, f.is_case, None, 1
    if f.is_case and f.doc is not None:
        try:
            found = check_meta(f.doc, project, f.text)
        except (ValueError, TypeError, OverflowError, RecursionError) as err:  # a value no check foresaw
            found = [("yaml", _unreadable_value(err), "value")]
        generated = casefile.generated_state(f.text) == "pristine"  # as convert wrote it, untouched
        for fld, message, kind in found:
            problems.append(Problem(f.rel, f.doc.line_of(fld), fld, message, kind, _severity(fld, kind, generated)))
        _check_folder(f, tree, add)
    elif f.doc is not None:
        extra = _STATE.get("allow", {}).get("/".join(tree.under_cases(f.abs) or ()), ())
        for fld, message, kind in key_problems(f.doc.meta, "page", frozenset(extra)) + page_meta_problems(f.doc.meta):
            add(f, f.doc.line_of(fld), fld, message, kind)
    body_problem = policy.body_problem(f.body)
    if body_problem:
        add(f, f.body_line, "body", body_problem, "security")
        return problems, f.is_case, None, f.body_line
    lines = mask_code(f.body)
    for line, message, _ in check_html(lines, f.body_line):
        add(f, line, "body", message, "html")
    for line, message in (check_attr_lists(lines, f.body_line) + image_problems(lines, f.body_line)
                          + (theme_meta_lines(f.text) if f.doc is None else [])):
        add(f, line, "body", message, "security")
    for line, url in markdown_links(lines, f.body_line) + html_link_targets(lines, f.body_line):
        message = _link_problem(url, f, tree)
        if message:
            add(f, line, "body", message, "link" if url_is_safe(url.strip()) else "html")
    if not f.is_case:
        return problems, False, None, f.body_line
    for line, message in check_headings(lines, f.body_line):
        add(f, line, "body", message, "heading")
    marker = rules()["placeholder"]
    for i, line in enumerate(lines):
        if marker in line:
            add(f, f.body_line + i, "body", f"正文还是模板里的占位内容，请改写成案例正文：{line.strip()[:40]}", "placeholder")
    lead = next((i for i, line in enumerate(f.body.split("\n")) if line.strip()), 0)
    return problems, True, sketch(f.body), f.body_line + lead


def _quote_line(text: str, err: casefile.CaseFileError) -> int:
    """The line an unclosed quote opens on (YAML reports the end of the front matter instead)."""
    if "unexpected end of stream" in str(err):
        for i, line in enumerate(text.split("\n")[1:err.line or None], 2):
            value = line.partition(":")[2].strip()
            if value[:1] in ("'", '"') and (len(value) == 1 or not value.rstrip().endswith(value[0])):
                return i
    return err.line or 1


def _unreadable_value(err: BaseException) -> str:
    text = str(err)
    if "digits" in text or isinstance(err, OverflowError):
        return "前置元数据里有一个位数过多的数字，无法读取；年份请写 4 位数，如 2021"
    if isinstance(err, RecursionError):
        return "前置元数据嵌套太深，无法读取；每个字段只写一层，如 region: {province: 广东省}"
    return f"前置元数据里有无法读取的值（{text[:80]}），请按模板改写这一项"


def _severity(fld: str, kind: str, generated: bool) -> str:
    """"warning" for what does not block a build (data/validate_rules.yaml, warnings), else "error"."""
    w = rules()["warnings"]
    top = fld.split(".")[0].split("[")[0]
    if kind in w["kinds"] or fld in w["fields"] or (kind == "missing" and top in w["missing_fields"]):
        return "warning"
    if generated and kind in w["generated_kinds"] and top in w["generated_fields"]:
        return "warning"
    return "error"


def _body_of(abs_path: str) -> str:
    try:
        with open(abs_path, encoding="utf-8") as fh:
            return casefile.split(fh.read())[1]
    except (OSError, UnicodeDecodeError, casefile.CaseFileError):
        return ""


def _sketch_file(abs_path: str) -> list[int] | None:
    body = _body_of(abs_path)
    return sketch(body) if body else None


def _jobs(jobs: int | None) -> int:
    if jobs:
        return max(1, jobs)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _map(func, items: list, jobs: int) -> list:
    """map() over worker processes for large trees (fork keeps the loaded rules and regions)."""
    if jobs > 1 and len(items) >= 1000:
        import multiprocessing

        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:  # no fork (Windows): one process is fine
            ctx = None
        if ctx is not None:
            with ctx.Pool(jobs) as pool:
                return pool.map(func, items, chunksize=max(50, len(items) // (jobs * 8)))
    return [func(item) for item in items]


def validate(project: Project, paths: list[Path] | None = None, jobs: int | None = None) -> Report:
    """Check the given files (default: every .md under cases/) against the whole tree."""
    start = time.perf_counter()
    report = Report()
    tree = _Tree(project)
    if paths:
        targets: list[str] = []
        for p in paths:
            if Path(p).is_dir():
                sub = tree.norm(p)
                if sub == tree.cases or tree.under_cases(sub) is not None:
                    targets.extend(m for m in tree.md if m.startswith(sub + os.sep))
                else:
                    targets.extend(tree.norm(q) for q in sorted(Path(p).rglob("*.md")))
            else:
                targets.append(tree.norm(p))
        targets = list(dict.fromkeys(targets))
    else:
        targets = list(tree.md)
    jobs = _jobs(jobs)
    rules(), _taxonomy()  # load once, before any fork
    report.problems += policy_problems(project, tree)
    _STATE.update(tree=tree, project=project, allow=front_matter_allow(project))
    try:
        results = dict(zip(targets, _map(_check_file, targets, jobs)))
        others = [m for m in tree.md if m not in results and tree.in_region_folder(m)]
        other_sketches = dict(zip(others, _map(_sketch_file, others, jobs)))
    finally:
        _STATE.clear()

    report.files = len(targets)
    is_case: dict[str, bool] = {}
    for a, (problems, case, _, _) in results.items():
        report.problems.extend(problems)
        if case is not None:
            is_case[a] = case
            report.cases += case
            report.pages += not case

    # tree-wide checks: file names that clash where letter case is ignored (Windows and macOS
    # editors' checkouts, and the site's URLs), near-duplicate text. The same file name in two
    # region folders is fine: the folders tell the cases apart.
    case_paths = others + [a for a, case in is_case.items() if case]
    folded: dict[str, list[str]] = defaultdict(list)
    for a in case_paths:
        folded[tree.rel(a).lower()].append(a)
    for a in targets:
        if not is_case.get(a):
            continue
        clash = [o for o in folded[tree.rel(a).lower()] if o != a]
        if clash:
            stem = os.path.splitext(os.path.basename(a))[0]
            report.problems.append(Problem(
                tree.rel(a), 1, "file", f"文件名「{os.path.basename(a)}」与「{tree.rel(clash[0])}」只差大小写，"
                f"在 Windows、macOS 和网站地址中会相互覆盖，文件名必须唯一；请改名，如「{stem.lower()}-2.md」", "slug"))

    sketches = {a: r[2] for a, r in results.items() if r[1]}
    sketches.update(other_sketches)
    index = DuplicateIndex(sketches, functools.lru_cache(maxsize=256)(_body_of))
    for a, (_, case, sk, lead_line) in results.items():
        if not case or not sk:
            continue
        match = index.closest(a)
        if match:
            other, sim = match
            report.problems.append(Problem(
                tree.rel(a), lead_line, "body", f"正文与「{tree.rel(other)}」高度相似（相似度 {sim:.0%}），可能重复提交；"
                f"如是同一做法请合并到已有案例，否则请改写", "duplicate", _severity("body", "duplicate", False)))

    report.problems.sort(key=lambda p: (p.path, p.line, p.field))
    report.seconds = time.perf_counter() - start
    return report


def front_matter_allow(project: Project) -> dict[str, list[str]]:
    """The casebook plugin's `front_matter_allow` option in mkdocs.yml (trusted config)."""
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # !!python/name: … tags
    try:
        config = yaml.load(project.mkdocs_yml.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError):
        return {}
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("casebook"), dict):
            allow = plugin["casebook"].get("front_matter_allow") or {}
            return {str(k): [str(x) for x in v] for k, v in allow.items() if isinstance(v, list)}
    return {}


def policy_problems(project: Project, tree: _Tree) -> list[Problem]:
    """What the allow-list refuses in the tree: symbolic links (in cases/ and raw/), file types,
    names and places that will not be published."""
    out = [Problem(tree.rel(p), 1, "file", "是符号链接（指向别处的快捷方式）：为了安全不会读取或发布它指向的内容，"
                   "请删除链接，把文件本身放进来", "security") for p in tree.links]
    out += [Problem(tree.rel(str(p)), 1, "file", f"{policy.HARD_LINK}；请删除它，把文件本身放进来", "security")
            for p in policy.hard_links_under(project.cases)] if project.cases.is_dir() else []
    if project.raw.is_dir():
        from .convert import RAW_SUFFIXES

        _, refused = policy.safe_files(project.raw, tuple(RAW_SUFFIXES))
        out += [Problem(project.rel(p), 1, "file", f"原始网页{message}，请删除链接，把网页文件本身放进来", "security")
                for p, message in refused]
    data_dir = "data"
    for full in sorted(tree.files):
        rel = os.path.relpath(full, tree.cases).replace(os.sep, "/")
        if any(part.startswith(".") for part in rel.split("/")):
            continue  # hidden files are never published
        try:
            with open(full, "rb") as fh:
                head = fh.read(16)
        except OSError:
            head = b""
        problem = policy.file_problem(rel, head, (data_dir,))
        if problem:
            out.append(Problem(tree.rel(full), 1, "file", problem, "security"))
    return out


def _check_folder(f: _File, tree: _Tree, add) -> None:
    """A case under cases/ sits in the folder its region names (cases/guangdong/maoming/dianbai/)."""
    region = f.doc.meta.get("region") if f.doc else None
    if not isinstance(region, dict) or not tree.in_region_folder(f.abs):
        return
    key = _region_key(region)
    if key is None:
        return
    try:
        if _region_check(key):
            return
        want = list(_region_folder(key))
    except Exception:  # noqa: BLE001 - a folder hint is a courtesy, never a crash
        return
    have = list(tree.under_cases(f.abs)[:-1])
    if want and have != want:
        add(f, f.doc.line_of("region"), "region",
            f"文件应放在 cases/{'/'.join(want)}/ 下（与 region 一致），现在在 cases/{'/'.join(have)}/", "path")


# ---------------------------------------------------------------- CLI


def summary_text(report: Report) -> str:
    head = f"检查了 {report.files} 个文件（案例 {report.cases} 个，页面 {report.pages} 个），用时 {report.seconds:.2f} 秒："
    if not report.problems:
        return head + "没有发现问题。"
    kinds = "，".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in report.by_kind.items())
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"错误 {errors} 个" + (f"、提醒 {warnings} 个" if warnings else "")
    tail = ("请按提示修改后重新运行 casebook validate；有错误时 casebook build 不会发布。" if errors
            else "提醒不影响发布，但请尽量补全。")
    return head + f"发现 {len(report.problems)} 个问题（{counts}；{kinds}）。{tail}"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="路径",
                        help="要检查的案例文件或文件夹（默认：cases/ 下所有 .md）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出检查结果（字段名为英文，供程序读取）")
    parser.add_argument("--jobs", type=int, default=None, help="并行进程数（默认：全部 CPU 核）")
    parser.add_argument("--github", action="store_true",
                        help="另外输出 GitHub Actions 注释（::error file=…,line=…）")
    parser.add_argument("--root", type=Path, help="项目根目录（默认：含 mkdocs.yml 的文件夹）")


def run(args: argparse.Namespace) -> int:
    project = Project(args.root.resolve()) if getattr(args, "root", None) else Project.here()
    report = validate(project, list(args.paths) or None, jobs=args.jobs)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            print(p.format())
        print(summary_text(report))
    if getattr(args, "github", False):
        for p in report.problems:
            message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            level = "warning" if p.severity == "warning" else "error"
            print(f"::{level} file={p.path},line={p.line},title={p.field}::{message}")
    return 1 if report.errors else 0


# ---------------------------------------------------------------- benchmark


def bench(n: int, folder: Path | None = None, seed: int = 0) -> dict:
    """Validate `n` synthetic cases (casebook.dev.synth) in a scratch project; return the figures."""
    import tempfile

    from .dev import synth

    with tempfile.TemporaryDirectory(prefix="casebook-validate-bench-") as scratch:
        root = Path(folder or scratch)
        (root / "mkdocs.yml").write_text("site_name: bench\n", encoding="utf-8")
        if not (root / "cases").is_dir() or not any((root / "cases").rglob("*.md")):
            synth.generate(n, root / "cases", seed=seed)
        report = validate(Project(root))
        return {"cases": report.cases, "files": report.files, "seconds": round(report.seconds, 2),
                "cases_per_second": round(report.cases / report.seconds) if report.seconds else None,
                "problems": len(report.problems), "by_kind": report.by_kind}


if __name__ == "__main__":  # python -m casebook.validate [N] [FOLDER]: the validator's benchmark
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    where = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    figures = bench(size, where)
    print(f"validate: {figures['cases']} cases in {figures['seconds']} s "
          f"({figures['cases_per_second']} cases/s); {figures['problems']} problems {figures['by_kind']}")
