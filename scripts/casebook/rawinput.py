"""Raw page bytes -> text.

Encoding detection (BOM, <meta charset>, charset-normalizer), HTML vs plain text,
HTML extraction with trafilatura, and the optional NAME.meta.json sidecar.
Nothing here classifies lines: that is clean.py's job."""
from __future__ import annotations

import codecs
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

RULES_FILE = Path(__file__).parent / "data" / "clean_rules.yaml"


@functools.lru_cache(maxsize=1)
def limits() -> dict:
    """Input limits (clean_rules.yaml, `limits`): page size, lenient decoding budget."""
    import yaml

    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}
    return data.get("limits") or {}


class RawInputError(Exception):
    """A raw page that cannot be read as text (empty, binary, image, undecodable)."""

    def __init__(self, path, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass
class RawPage:
    text: str
    format: str                       # "text" | "html"
    encoding: str                     # codec name actually used, e.g. "utf-8", "gb18030", "big5"
    html_meta: dict = field(default_factory=dict)   # title / published / author / outlet / url candidates
    sidecar: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)    # [{kind, lines, message}] about decoding


BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]

MAGIC = [
    (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文件"), (b"PK\x03\x04", "ZIP/Office 压缩文件"), (b"\x1f\x8b", "gzip 压缩文件"),
    (b"RIFF", "RIFF（WebP/音视频）文件"),
]

# Chinese labels for encodings that browsers and sites write in <meta charset>
ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
           "cp936": "gb18030", "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "utf8": "utf-8",
           "utf-8": "utf-8", "hz-gb-2312": "hz"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTML_SNIFF = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s|div[\s>]|p[\s>]|title>)", re.I)


def _norm_codec(name: str) -> str:
    name = name.strip().lower()
    if name in ALIASES:
        return ALIASES[name]
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _check_binary(path, data: bytes) -> None:
    if not data.strip():
        raise RawInputError(path, "文件为空")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise RawInputError(path, f"不是文本网页，而是{what}")
    head = data[:4096]
    if any(data.startswith(b) for b, _ in BOMS[:2] + BOMS[3:]):
        return  # UTF-16/32 legitimately hold NUL bytes
    if head.count(b"\x00") > 0:
        raise RawInputError(path, "含 NUL 字节，像是二进制文件")


def decode_bytes(data: bytes, path="<bytes>", is_html: bool | None = None) -> tuple[str, str]:
    """Return (text, codec). BOM first; then strict UTF-8; then a declared <meta charset> when
    the bytes decode under it; then UTF-8 with a few broken sequences; then charset-normalizer."""
    text, codec, _ = decode_report(data, path, is_html)
    return text, codec


def _bad_lines(text: str, most: int = 5) -> list[int]:
    """Lines (1-based) holding U+FFFD, at most `most` of them."""
    lines: list[int] = []
    for m in re.finditer("\ufffd", text):
        line = text.count("\n", 0, m.start()) + 1
        if line not in lines:
            lines.append(line)
            if len(lines) == most:
                break
    return lines


def decode_report(data: bytes, path="<bytes>", is_html: bool | None = None) -> tuple[str, str, list[dict]]:  # noqa: C901
    """`decode_bytes` plus warnings: a declared charset the bytes contradict, broken multi-byte
    sequences replaced by U+FFFD (each `{kind: "encoding", lines, message}`)."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError:
                break
    declared = declared_raw = ""
    if is_html is not False:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared_raw = m.group(1).decode("ascii", "ignore")
            declared = _norm_codec(declared_raw)
    warnings: list[dict] = []

    def mismatch(text: str, used: str) -> list[dict]:
        if declared and used != declared and not data.isascii():
            return [{"kind": "encoding", "lines": [1, 1],
                     "message": f"网页声明的编码是 {declared_raw}，但内容实际是 {used} 编码，已按 {used} 读取"}]
        return []

    # valid UTF-8 with non-ASCII bytes is never an accident; a declared charset is honoured
    # only when the bytes decode under it
    candidates = [c for c in ("utf-8", declared) if c]
    for codec in candidates:
        try:
            text = data.decode(codec)
            return text, codec, mismatch(text, codec)
        except (UnicodeDecodeError, LookupError):
            continue
    # a few broken sequences under the declared charset, UTF-8 or GB18030 (a page cut off
    # mid-character, a byte lost in transfer): decoded with U+FFFD, counted and reported
    lenient = _lenient(data, [c for c in ("utf-8", declared, "gb18030") if c])
    if lenient is not None:
        text, codec, bad = lenient
        lines = _bad_lines(text)
        for line in lines:
            warnings.append({"kind": "encoding", "lines": [line, line],
                             "message": f"残缺的 {codec.upper()} 多字节字符（共 {bad} 处，文件被截断或传输出错），已用 � 代替"})
        return text, codec, mismatch(text, codec) + warnings
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "big5hkscs", "utf_8", "utf_16", "cp950",
                                          "euc_jp", "shift_jis", "latin_1"]).best()
    if best is None or best.encoding is None:
        raise RawInputError(path, "无法识别文字编码（可能是二进制文件）")
    codec = best.encoding
    if codec in ("gb2312", "gbk"):
        codec = "gb18030"
    text = data.decode(codec, errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 50):
        raise RawInputError(path, f"按 {codec} 解码后乱码过多，无法读取")
    for line in _bad_lines(text):
        warnings.append({"kind": "encoding", "lines": [line, line],
                         "message": f"按 {codec} 解码时遇到残缺的多字节字符，已用 � 代替"})
    return text, codec, mismatch(text, codec) + warnings


def _lenient(data: bytes, codecs_: list[str]) -> tuple[str, str, int] | None:
    """The first codec under which the bytes decode with only a few broken sequences
    (limits: max_broken_sequences, min_valid_per_broken), as (text, codec, replacements)."""
    budget = limits().get("max_broken_sequences", 20)
    per = limits().get("min_valid_per_broken", 20)
    own = data.count("\ufffd".encode("utf-8"))
    for codec in dict.fromkeys(codecs_):
        try:
            text = data.decode(codec, errors="replace")
        except LookupError:
            continue
        bad = text.count("\ufffd") - own
        wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
        if 0 < bad <= budget and wide >= per * bad:
            return text, codec, bad
    return None


def looks_like_html(text: str, suffix: str = "") -> bool:
    if suffix.lower() in (".html", ".htm", ".xhtml", ".shtml"):
        return True
    head = text[:2048].lstrip("\ufeff \r\n\t")
    if head[:1] != "<":
        return False
    return bool(_HTML_SNIFF.search(head))


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_META_TAG = re.compile(r"<meta\s+[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z:_\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
META_NAMES = {
    "title": ("og:title", "title", "articletitle", "headline"),
    "published": ("article:published_time", "pubdate", "publishdate", "published", "og:release_date",
                  "date", "dc.date", "firstpublishedtime"),
    "author": ("author", "contentsource", "dc.creator"),
    "outlet": ("og:site_name", "sitename", "source", "contentsource"),
    "url": ("og:url", "url"),
    "keywords": ("keywords",),
    "description": ("description", "og:description"),
}


def html_meta(html: str) -> dict:
    """<title> and <meta> tags as metadata candidates (the article's own text still wins)."""
    from html import unescape

    out: dict = {}
    m = _TITLE.search(html[:200000])
    if m:
        out["html_title"] = re.sub(r"\s+", " ", unescape(m.group(1))).strip()
    tags = {}
    for tag in _META_TAG.findall(html[:200000]):
        attrs = {a.lower(): (b or c or d) for a, b, c, d in _ATTR.findall(tag)}
        key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs:
            tags.setdefault(key, unescape(attrs["content"]).strip())
    for field_, names in META_NAMES.items():
        for n in names:
            if tags.get(n):
                out[field_] = tags[n]
                break
    return out


_HEADLINE = re.compile(r"<h([12])[^>]*>(.*?)</h\1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def _headline(html: str, meta: dict, visible: list[str] | None = None) -> str:
    """The article headline: the first <h1> (else <h2>) that the <title> or og:title contains,
    else og:title, else the headline part of the <title> ("headline - channel - site") when the
    page shows it, else the first <h1>. An <h1> holding the site's or channel's name (a logo)
    is no headline."""
    from html import unescape

    heads = [re.sub(r"\s+", " ", unescape(_TAGS.sub("", h))).strip() for _, h in _HEADLINE.findall(html[:300000])]
    heads = [h for h in heads if 4 <= len(h) <= 80]
    parts = [p for p in _TITLE_SEP.split(_TITLE_TAG.sub("", str(meta.get("html_title") or ""))) if p]
    part = parts[0] if parts else ""
    sites = {p for p in parts[1:] if len(p) <= 12}  # channel and site names after the headline
    hints = " ".join(str(meta.get(k) or "") for k in ("title", "html_title"))
    for h in heads:
        if h in hints and h not in sites:
            return h
    if meta.get("title"):
        return str(meta["title"]).strip()
    if len(part) >= 6 and part not in sites and visible and any(_key(part) in _key(v) for v in visible):
        return part
    return heads[0] if heads and heads[0] not in sites else ""


_DATE_NEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_TITLE_SEP = re.compile(r"\s*(?:[-_|｜—–]+)\s*")
_TITLE_TAG = re.compile(r"^\s*[【\[][^】\]]{1,8}[】\]]\s*")   # 【党建】 before the headline in <title>
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
_SAVED_URL = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->|"
                        r"^\s*<[a-z]+\s[^>]*?\b(?:id|url|href)\s*=\s*\"(https?://[^\"]+)\"", re.I)
_CANONICAL = re.compile(r"""<link\s[^>]*rel\s*=\s*["']canonical["'][^>]*>""", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


@functools.lru_cache(maxsize=1)
def html_rules() -> dict:
    """How the HTML path chooses its text and reads dates and credits (clean_rules.yaml, `html`)."""
    import yaml

    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")) or {}
    cfg = dict(data.get("html") or {})
    cfg["_credits"] = [re.compile(x) for x in cfg.get("credit_patterns", ())]
    cfg["_url_dates"] = [re.compile(x) for x in cfg.get("url_date_patterns", ())]
    cfg["_name"] = re.compile(cfg.get("name_pattern", r"^[\u4e00-\u9fff·]{2,4}$"))
    return cfg


def page_url(html: str, meta: dict) -> str | None:
    """The page's own address: og:url, <link rel=canonical>, or the address a saved page or a
    crawler's wrapper records before the markup (<!-- saved from url=… -->, <text id="http…">)."""
    if meta.get("url"):
        return str(meta["url"])
    head = html[:3000]
    m = _CANONICAL.search(head) or None
    if m:
        h = _HREF.search(m.group(0))
        if h and h.group(1).startswith("http"):
            return h.group(1)
    m = _SAVED_URL.search(head)
    return (m.group(1) or m.group(2)) if m else None


def url_date(url: str | None) -> str | None:
    """A publication date written into the address (/2005-03-21/, /2005/07/31/, /20040716/, /050206/)."""
    if not url:
        return None
    for rx in html_rules()["_url_dates"]:
        m = rx.search(url)
        if m:
            y, mo, d = m.group("y"), int(m.group("m")), int(m.group("d"))
            y = int(y) + (2000 if len(y) == 2 and int(y) < 50 else 1900 if len(y) == 2 else 0)
            if 1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


_DATE_US = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?![\d/])")


def _first_date(lines: list[str]) -> str | None:
    """The first date in the lines: Y-M-D in any common writing, or M/D/Y when the day cannot
    be the month (9/17/2004)."""
    for line in lines:
        m = _DATE_NEAR.search(line)
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            return "%s-%02d-%02d" % (m.group(1), int(m.group(2)), int(m.group(3)))
        m = _DATE_US.search(line)
        if m and 1 <= int(m.group(1)) <= 12 and 12 < int(m.group(2)) <= 31:
            return "%s-%02d-%02d" % (m.group(3), int(m.group(1)), int(m.group(2)))
    return None


_SENTENCE_END = re.compile(r"[。！？；!?;]$")


def _key(s: str) -> str:
    return re.sub(r"[\s|｜]+", "", s)


def article_zone(visible: list[str], text: str, headline: str) -> tuple[int | None, int | None, int | None]:
    """Where the article sits among the page's visible lines: (headline line, first body line,
    last body line), each None when not found. Body lines are the extracted text's longer lines."""
    index: dict[str, int] = {}
    for i, v in enumerate(visible):
        k = _key(v)
        index.setdefault(k, i)
        if len(k) >= 15:
            index.setdefault(k[:15], i)  # an extractor may join or split lines: their opening matches
    body = [index.get(_key(x)) or index.get(_key(x)[:15]) for x in text.splitlines() if len(x.strip()) >= 15]
    body = [i for i in body if i is not None]
    head = None
    if headline:
        probe = _key(headline)[:12]
        stop = body[0] if body else len(visible)
        head = next((i for i, v in enumerate(visible[:stop + 1]) if probe and probe in _key(v)), None)
    first, last = (min(body) if body else None), (max(body) if body else None)
    if head is None and first is not None and len(visible[first]) <= 40 and not _SENTENCE_END.search(visible[first]):
        # no headline named: a short first line the extractor kept is the headline
        head = first
        first = min((i for i in body if i > head), default=None)
    return head, first, last


def credit_names(line: str, cfg: dict) -> tuple[list[str], str]:
    """The people a credit line names (作者：赵婕 / （记者 胡晓蓉） / □ 本报记者 葛灵丹 / by duscha),
    with the credit's own text; ([], "") when the line is none."""
    for rx in cfg["_credits"]:
        m = rx.search(line)
        if not m:
            continue
        found = m.group("names") or m.groupdict().get("n2") or ""
        names = [t for t in re.split(r"[\s\u3000、，,;；]+", found) if t]
        names = [t for t in names if cfg["_name"].match(t) and t not in cfg.get("not_names", ())]
        if names:
            return names, m.group(0).strip(" \t（()）【】[]。")
    return [], ""


def _near_headline(visible: list[str], text: str, headline: str, meta: dict, url: str | None) -> None:
    """Date and credits the article's own header and trailer give, when the <meta> tags do not:
    the first date under the visible headline (or, with no headline found, the nearest above the
    body), a credit line in the header or just after the body, a date in the page's address."""
    cfg = html_rules()
    win = int(cfg.get("window_lines", 8))
    head, first, last = article_zone(visible, text, headline)
    if "published" not in meta:
        d = None
        if head is not None:
            d = _first_date(visible[head:head + win])
        if d is None and first is not None and len(visible[first]) <= 40 \
                and not _SENTENCE_END.search(visible[first]):  # the body opens with its own headline
            d = _first_date(visible[first:first + win])
        if d is None and first is not None:  # the nearest above the body
            d = _first_date(list(reversed(visible[max(0, first - win):first])))
        d = d or url_date(url)
        if d is None and last is not None:  # 本贴由某某于2005年8月12日… / 发布时间 2005/05/17 after the body
            d = _first_date(visible[last + 1:last + 1 + int(cfg.get("trailer_lines", 4))])
        if d:
            meta["published"] = d
    if "authors" not in meta:
        zones = []
        if head is not None or first is not None:
            top = head if head is not None else max(0, (first or 0) - win)
            zones.append(visible[top:(first if first is not None else top + win) + 1])
        if last is not None:
            zones.append(visible[max(last - 2, first or 0):last + 1 + int(cfg.get("trailer_lines", 4))])
        for zone in zones:
            for line in zone:
                names, credit = credit_names(line, cfg)
                if names:
                    meta["authors"] = names
                    meta.setdefault("byline", credit)
                    return


def _outlet_from_title(headline: str, meta: dict) -> None:
    """The site name that ends the <title> ("headline - channel - site")."""
    if "outlet" not in meta and meta.get("html_title"):
        parts = [p for p in _TITLE_SEP.split(_TITLE_TAG.sub("", meta["html_title"])) if p]
        if len(parts) >= 2 and parts[0] in headline + meta.get("title", "") + headline[:len(parts[0])]:
            meta["outlet"] = parts[-1]


_BLOCK_TAGS = frozenset("p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table tbody thead section article "
                        "header footer nav aside blockquote pre form center hr main figure figcaption option".split())
_FIELD_TAGS = frozenset("span font em i b strong label small".split())
_SKIP_TAGS = frozenset("script style noscript head template select textarea iframe object".split())


def parse_tree(html: str):
    """The page parsed once by lxml (None when it cannot be): every extractor works on it."""
    from lxml import html as lh

    try:
        try:
            root = lh.document_fromstring(html, parser=lh.HTMLParser(remove_comments=True, remove_pis=True,
                                                                     collect_ids=False))
        except ValueError:  # a Unicode string carrying an XML encoding declaration
            root = lh.document_fromstring(html.encode("utf-8"), parser=lh.HTMLParser(
                encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False))
    except Exception:  # noqa: BLE001 - empty or unparsable markup
        return None
    return root


def visible_lines(el) -> list[str]:
    """The text of a tree as a reader sees it: one line per block element, blanks dropped."""
    out: list[str] = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag not in _SKIP_TAGS:
            block = tag in _BLOCK_TAGS
            if block:
                out.append("\n")
            elif tag in _FIELD_TAGS:
                prev = node.getprevious()
                if prev is not None and prev.tag in _FIELD_TAGS and not (prev.tail or "").strip():
                    out.append(" ")  # <span>日期：…</span><span>来源：…</span>: two fields, not one
            if node.text:
                out.append(node.text)
            for child in node:
                walk(child)
            if block:
                out.append("\n")
        if node.tail and node is not el:
            out.append(node.tail)

    walk(el)
    lines = (re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", x).strip() for x in "".join(out).split("\n"))
    return [x for x in lines if x]


def _bigrams(text: str) -> dict:
    from collections import Counter

    s = re.sub(r"[^0-9A-Za-z\u3400-\u9fff]+", "", text)
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def choose_text(main: str, dense: str, cfg: dict) -> tuple[str, str]:
    """trafilatura's text (recall) or readability's densest block: the block wins when the
    longer text contains it and it is a large share of it (what else the longer text holds is
    then the page's menus, lists and comments). Returns (text, which)."""
    if not main.strip():
        return dense, "readability"
    if not dense.strip():
        return main, "trafilatura"
    bm, bd = _bigrams(main), _bigrams(dense)
    nd, nm = sum(bd.values()), sum(bm.values())
    if not nd or not nm:
        return main, "trafilatura"
    inside = sum((bm & bd).values()) / nd
    if inside >= cfg.get("dense_min_contained", 0.8) and nd >= cfg.get("dense_min_share", 0.3) * nm:
        return dense, "readability"
    return main, "trafilatura"


_CONTAINER = re.compile(r"<(/?)(div|span|section|article|font|center|blockquote|main|aside|header|footer|nav|"
                        r"table|ul|ol|form|b|i|em|strong|small|big|u|a)\b[^>]*>", re.I)
_INLINE = {"span", "font", "b", "i", "em", "strong", "small", "big", "u", "a"}


def nesting_depth(html: str) -> int:
    """The deepest nesting of container tags (those whose end tag is not optional)."""
    depth = most = 0
    for m in _CONTAINER.finditer(html):
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(0).endswith("/>"):
            depth += 1
            if depth > most:
                most = depth
    return most


_TITLE_OPEN = re.compile(r"<title(\s[^>]*)?>", re.I)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.I)


def extract_html(html: str) -> tuple[str, dict]:
    """Main text of an HTML page (trafilatura), one block per line, plus metadata candidates.
    Metadata comes from <title>/<meta>/<h1> (cheap); trafilatura only extracts the text."""
    import trafilatura

    notes: list[dict] = []
    if _TITLE_OPEN.search(html) and not _TITLE_CLOSE.search(html):
        # a <title> never closed swallows the whole page as raw text: drop the tag, keep its text
        html = _TITLE_OPEN.sub("", html, count=1)
        notes.append({"kind": "html", "lines": [1, 1], "message": "<title> 没有结束标签，已忽略该标签"})
    depth = nesting_depth(html)
    if depth > int(limits().get("max_html_depth", 200)):
        # libxml2 stops building the tree at a few hundred levels and the text below is lost:
        # container tags carry no text of their own, so they are dropped (block ones as line breaks)
        html = _CONTAINER.sub(lambda m: "\n" if m.group(2).lower() not in _INLINE else "", html)
        notes.append({"kind": "html", "lines": [1, 1],
                      "message": f"HTML 嵌套过深（{depth} 层），已去掉容器标签后提取正文"})
    meta = html_meta(html)
    if notes:
        meta["warnings"] = notes
    m = _JSONLD_DATE.search(html[:300000])
    if m and "published" not in meta:
        meta["published"] = m.group(1)
    url = page_url(html, meta)
    if url:
        meta.setdefault("url", url)
    tree = parse_tree(html)
    text = ""
    if tree is not None:
        try:
            doc = trafilatura.bare_extraction(tree, with_metadata=False, include_comments=False,
                                              include_tables=True, favor_recall=True, deduplicate=False)
        except Exception:  # noqa: BLE001 - malformed markup: the other extractors still run
            doc = None
        text = (getattr(doc, "text", None) or "") if doc is not None else ""
    visible: list[str] = []
    if tree is not None:
        body = tree.find("body")
        visible = visible_lines(body if body is not None else tree)
    headline = _headline(html, meta, visible)
    if tree is not None:
        dense = _dense_text(tree)  # readability mutates the tree: last
        text, meta["extractor"] = choose_text(text, dense, html_rules())
        if meta["extractor"] == "readability":
            text = _with_header(visible, text, headline)
        if not text.strip():  # neither found an article: the page's visible text
            text, meta["extractor"] = "\n".join(visible), "visible"
        _near_headline(visible, text, headline, meta, url)
    _outlet_from_title(headline, meta)
    if headline:
        meta.setdefault("headline", headline)
        if text.strip() and headline not in text[:600]:
            text = headline + "\n" + text
    return text, meta


def _with_header(visible: list[str], text: str, headline: str) -> str:
    """readability's block starts at the body: the article's header lines under the visible
    headline (dateline, source, byline), short lines only, go back above it for the line rules."""
    cfg = html_rules()
    head, first, _ = article_zone(visible, text, headline)
    if head is None or first is None or first <= head + 1:
        return text
    lines = [x for x in visible[head + 1:first] if len(x) <= int(cfg.get("header_max_chars", 100))]
    lines = lines[-int(cfg.get("window_lines", 8)):]
    have = {_key(x) for x in text.splitlines()}
    lines = [x for x in lines if _key(x) not in have]
    return "\n".join(lines + [text]) if lines else text


def _dense_text(tree) -> str:
    """readability's block of the densest text (trafilatura's copy of readability-lxml)."""
    from trafilatura.external import try_readability

    try:
        return "\n".join(visible_lines(try_readability(tree)))
    except Exception:  # noqa: BLE001 - readability gives up on odd markup
        return ""


def read_sidecar(path: Path) -> dict:
    side = path.with_name(path.stem + ".meta.json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RawInputError(side, f"元数据文件不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict):
        raise RawInputError(side, "元数据文件应是一个 JSON 对象")
    return {k: data[k] for k in ("url", "site", "fetched", "published", "title") if data.get(k)}


def _too_big(path, size: int) -> None:
    cap = int(limits().get("max_page_bytes", 10_000_000))
    if size > cap:
        raise RawInputError(path, f"页面过大（{size / 1e6:.1f} MB，上限 {cap / 1e6:.0f} MB，"
                                  "见 clean_rules.yaml 的 limits.max_page_bytes），未处理")


def read_bytes(data: bytes, path: Path | str = "<bytes>") -> RawPage:
    path = Path(path)
    _too_big(path, len(data))
    _check_binary(path, data)
    suffix = path.suffix
    text, codec, warnings = decode_report(data, path, is_html=None)
    if looks_like_html(text, suffix):
        body, meta = extract_html(text)
        # decoding warnings point at lines of the markup, not of the extracted text
        warnings = [dict(w, lines=[1, 1]) for w in warnings] + meta.pop("warnings", [])
        return RawPage(text=body, format="html", encoding=codec, html_meta=meta, warnings=warnings)
    return RawPage(text=text, format="text", encoding=codec, warnings=warnings)


def read_page(path: Path | str) -> RawPage:
    """Read one raw page; raises RawInputError with the file named for anything unreadable."""
    path = Path(path)
    try:
        _too_big(path, path.stat().st_size)  # before reading 50 MB into memory
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RawInputError(path, "文件在处理过程中消失（被删除或移走）") from exc
    except IsADirectoryError as exc:
        raise RawInputError(path, "这是一个文件夹，不是网页文件") from exc
    except OSError as exc:
        raise RawInputError(path, f"无法读取：{exc.strerror or exc}") from exc
    page = read_bytes(data, path)
    page.sidecar = read_sidecar(path)
    return page
