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
    # UTF-8 with a few broken sequences (a page cut off mid-character, a byte lost in transfer)
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    budget = limits().get("max_broken_sequences", 20)
    if 0 < bad <= budget and wide >= limits().get("min_valid_per_broken", 20) * bad:
        for line in _bad_lines(text):
            warnings.append({"kind": "encoding", "lines": [line, line],
                             "message": "残缺的 UTF-8 多字节字符（文件被截断或传输出错），已用 � 代替"})
        return text, "utf-8", mismatch(text, "utf-8") + warnings
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


def _headline(html: str, meta: dict) -> str:
    """The article headline: the first <h1> (else <h2>) that the <title> or og:title contains,
    else the first <h1>, else the leading part of <title>."""
    from html import unescape

    heads = [re.sub(r"\s+", " ", unescape(_TAGS.sub("", h))).strip() for _, h in _HEADLINE.findall(html[:300000])]
    heads = [h for h in heads if 4 <= len(h) <= 80]
    hints = " ".join(str(meta.get(k) or "") for k in ("title", "html_title"))
    for h in heads:
        if h in hints:
            return h
    if meta.get("title"):
        return str(meta["title"]).strip()
    if heads:
        return heads[0]
    return ""


_DATE_NEAR = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_TITLE_SEP = re.compile(r"\s*(?:[-_|｜—–]+)\s*")
_TITLE_TAG = re.compile(r"^\s*[【\[][^】\]]{1,8}[】\]]\s*")   # 【党建】 before the headline in <title>
_BYLINE_NEAR = re.compile(r"(?m)^[ \t]*(?:作者|记者|撰稿|撰文|文)\s*[:：]\s*[\u4e00-\u9fff·]{2,4}(?:[ \t\u3000、，,]+[\u4e00-\u9fff·]{2,4})*[ \t]*$")


def _near_headline(html: str, headline: str, meta: dict) -> None:
    """Dates, byline and outlet the article's own header gives, when the <meta> tags do not:
    the first date and a 作者：… line within ~800 characters after the headline, and the site
    name that ends the <title> ("headline - channel - site")."""
    from html import unescape

    i = html.find(headline[:12])
    if i >= 0 and ("published" not in meta or "byline" not in meta):
        window = unescape(_TAGS.sub("\n", html[i:i + 1500])[:800])  # one element's text a line
        m = _DATE_NEAR.search(window) if "published" not in meta else None
        if m:
            meta["published"] = "-".join(m.groups())
        m = _BYLINE_NEAR.search(window) if "byline" not in meta else None
        if m:  # <span>作者：马晓燕 祁天宇</span> under the headline
            meta["byline"] = m.group(0).strip()
    if "outlet" not in meta and meta.get("html_title"):
        parts = [p for p in _TITLE_SEP.split(_TITLE_TAG.sub("", meta["html_title"])) if p]
        if len(parts) >= 2 and parts[0] in headline + meta.get("title", "") + headline[:len(parts[0])]:
            meta["outlet"] = parts[-1]


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
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=False, include_comments=False,
                                          include_tables=True, favor_recall=True, deduplicate=False)
    except Exception:  # noqa: BLE001 - malformed markup: fall back to the plain visible text
        doc = None
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    headline = _headline(html, meta)
    if headline:
        meta.setdefault("headline", headline)
        _near_headline(html, headline, meta)
        if headline not in text[:600]:
            text = headline + "\n" + text
    if not text.strip():
        # fall back to the visible text of <body>
        from lxml import html as lh

        try:
            root = lh.fromstring(html)
            for bad in root.xpath("//script|//style|//noscript"):
                bad.drop_tree()
            text = "\n".join(t.strip() for t in root.itertext() if t.strip())
        except Exception:  # noqa: BLE001 - unparsable markup yields empty text, reported by clean
            text = ""
    return text, meta


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
