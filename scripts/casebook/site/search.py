"""The casebook's own search index: exact substring search over character bigrams, in shards.

Material's lunr index matches whole jieba words, so 电白 missed 电白区 and 10分钟 missed 10分钟内;
readers expect any substring of what they see to find the page. Each page becomes one document:
its title, the metadata panel as `label：value` lines, and its text (then, ranked last, the
related cases and mentions shown below it). The text is folded (Traditional -> Simplified with a
character table generated from OpenCC's data, full-width -> ASCII, lower case; one UTF-16 unit for
one, so offsets survive) and every pair of adjacent letters or digits is a posting with its
positions. A query is folded the same way in the browser; every run of two or more letters or
digits in it must occur as a phrase (consecutive bigram positions): exact substring matching, no
segmentation, no false hits.

Files, under search/cb/ in the site (all JSONP, `__cb_load(key, data)`, so that `file://` pages can
load them with script tags as well as http ones with fetch):

- `manifest.js`: the fold table, the shard and chunk counts, and per document its location, title,
  kind (0 case, 1 browse page, 2 guide, 3 home, 4 other) and field offsets;
- `p/<n>.js`: the postings of the bigrams whose hash (FNV-1a over UTF-16 units) is n modulo the
  shard count: per bigram one string of base-32 numbers (`encode_numbers`), for each document its
  doc delta, its number of positions and their deltas;
- `d/<n>.js`: the texts of documents n*chunk … (n+1)*chunk-1, for the snippets of the top results.

A first query loads the manifest, one shard per distinct bigram and a few text chunks, whatever
the size of the site. The worker (overrides/assets/javascripts/cb-search-worker.js) replaces
Material's and answers its messages, so Material's search box, result list and highlighting stay.
"""
from __future__ import annotations

import html
import json
import math
import re
import shutil
from functools import lru_cache
from pathlib import Path

KINDS = {"case": 0, "browse": 1, "guide": 2, "home": 3, "page": 4}
FORMAT = 1
SHARD_BYTES = 48_000      # aimed-at size of a postings shard
CHUNK_DOCS = 4            # documents per text chunk (a first search loads up to 10 of them)
FOLDER = "cb"



# ---------------------------------------------------------------------------- folding


@lru_cache(maxsize=1)
def fold_pairs() -> tuple[tuple[str, str], ...]:
    """(from, to) single characters: OpenCC's t2s conversion of each CJK character taken alone,
    full-width ASCII, and A-Z; only pairs that keep the UTF-16 length."""
    import opencc

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]
    chars = [chr(c) for a, b in ranges for c in range(a, b)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    pairs = {}
    if len(converted) == len(chars):
        for a, b in zip(chars, converted):
            if a != b and len(b) == 1 and ord(b) <= 0xFFFF:
                pairs[a] = b
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        pairs[chr(c)] = chr(c - 0xFEE0)
    pairs["\u3000"] = " "
    for c in range(ord("A"), ord("Z") + 1):
        pairs[chr(c)] = chr(c + 32)
    for a, b in list(pairs.items()):
        if "A" <= b <= "Z":
            pairs[a] = b.lower()
    return tuple(sorted(pairs.items()))


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    return {ord(a): b for a, b in fold_pairs()}


def fold(text: str) -> str:
    """The text as the index and the browser compare it (same length in UTF-16 units)."""
    return text.translate(_fold_table())


def fnv1a(text: str) -> int:
    """FNV-1a over UTF-16 code units (what the worker computes with charCodeAt)."""
    h = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | data[i + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


# ---------------------------------------------------------------------------- page -> document

_DROP = re.compile(r"<(script|style|svg|template)\b.*?</\1\s*>", re.S | re.I)
_PANEL = re.compile(r'<div class="cb-meta"[^>]*>(.*?)</dl>(?:\s*<div class="cb-figures".*?</ul></div>)?\s*</div>',
                    re.S)
_ROW = re.compile(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", re.S)
_H1 = re.compile(r"^\s*<h1\b.*?</h1>", re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_EXCLUDED = re.compile(r'<(div|section|p|span)\b[^>]*\bdata-search-exclude\b[^>]*>.*?</\1>', re.S)
_BREAK = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|div|section|blockquote|pre|details|summary)\b[^>]*>"
                    r"|<br\s*/?>", re.I)
_CELL = re.compile(r"</t[dh]\s*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b\ufeff]+")
_LINES = re.compile(r"\s*\n\s*")


def plain(fragment: str) -> str:
    """HTML -> text: block elements become line breaks, no markup, no U+200B, single spaces."""
    text = _BREAK.sub("\n", fragment)
    text = _CELL.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    text = _SPACES.sub(" ", text)
    return _LINES.sub("\n", text).strip()


def document(location: str, title: str, content: str, kind: str, context: str = "") -> dict:
    """The search document of a rendered page: title, metadata rows, text, and the text of what
    is shown below it (related cases, mentions: found, but ranked after everything else)."""
    content = _DROP.sub("", content)
    meta: list[list[str]] = []
    panel = _PANEL.search(content)
    if panel:
        for label, value in _ROW.findall(panel.group(1)):
            meta.append([plain(label), plain(value).replace("\n", " ")])
        content = content[:panel.start()] + "\n" + content[panel.end():]
    content = _H1.sub("", _HEADERLINK.sub("", content), count=1)
    content = _EXCLUDED.sub("", content)
    return {"location": location, "title": plain(title).replace("\n", " "), "meta": meta,
            "text": plain(content), "context": plain(_DROP.sub("", context)), "kind": kind}


def layout(doc: dict) -> tuple[str, int, int, int, int]:
    """The indexed text of a document and the ends of its title, its metadata lines, the extra
    line (the region path run together) and its text: title \\n meta \\n extra \\n text \\n context."""
    meta = "\n".join(f"{label}：{value}" for label, value in doc.get("meta") or [])
    extra = ""  # room for forms not on the page; none: every hit must be a substring of the page
    title = doc.get("title") or ""
    t_end = len(title.encode("utf-16-le")) // 2
    text = f"{title}\n{meta}"
    m_end = len(text.encode("utf-16-le")) // 2
    text += f"\n{extra}"
    x_end = len(text.encode("utf-16-le")) // 2
    text += "\n" + (doc.get("text") or "")
    b_end = len(text.encode("utf-16-le")) // 2
    text += "\n" + (doc.get("context") or "")
    return text, t_end, m_end, x_end, b_end


# ---------------------------------------------------------------------------- the index


def _units(text: str):
    """numpy array of the UTF-16 code units of `text`."""
    import numpy as np

    return np.frombuffer(text.encode("utf-16-le"), dtype="<u2").astype(np.int64)


@lru_cache(maxsize=1)
def _word_units():
    """For each UTF-16 code unit: is it a letter or digit (surrogates: no)? The worker's test is
    /[\\p{L}\\p{N}]/u on the unit."""
    import numpy as np

    return np.array([chr(u).isalnum() and not 0xD800 <= u < 0xE000 for u in range(0x10000)], dtype=bool)


def postings(texts: list[str]) -> dict[str, str]:
    """bigram -> its postings (encode_numbers: for each document, doc delta, number of positions,
    position deltas), bigrams within runs of letters and digits of the folded texts; positions
    are UTF-16 offsets."""
    import numpy as np

    word_units = _word_units()
    keys, docs, poss = [], [], []
    for d, text in enumerate(texts):
        units = _units(fold(text))
        if len(units) < 2:
            continue
        word = word_units[units]
        pos = np.flatnonzero(word[:-1] & word[1:])
        if not len(pos):
            continue
        keys.append(units[pos] << 16 | units[pos + 1])
        poss.append(pos)
        docs.append(np.full(len(pos), d, dtype=np.int64))
    if not keys:
        return {}
    key = np.concatenate(keys)
    doc = np.concatenate(docs)
    pos = np.concatenate(poss)
    order = np.lexsort((pos, doc, key))
    key, doc, pos = key[order], doc[order], pos[order]
    n = len(key)
    new_key = np.ones(n, dtype=bool)
    new_key[1:] = key[1:] != key[:-1]
    new_doc = new_key.copy()
    new_doc[1:] |= doc[1:] != doc[:-1]
    pos_delta = pos.copy()
    pos_delta[~new_doc] = (pos[1:] - pos[:-1])[~new_doc[1:]]
    group_starts = np.flatnonzero(new_doc)                     # one per (bigram, doc)
    counts = np.diff(np.append(group_starts, n))
    group_doc = doc[group_starts]
    group_key_new = new_key[group_starts]
    doc_delta = group_doc.copy()
    doc_delta[~group_key_new] = (group_doc[1:] - group_doc[:-1])[~group_key_new[1:]]
    key_starts = np.flatnonzero(new_key)
    key_group_starts = np.flatnonzero(group_key_new)
    # one stream per bigram: for each doc, its doc delta, its count, its position deltas
    group_of_pos = np.repeat(np.arange(len(group_starts)), counts)
    flat = np.empty(n + 2 * len(group_starts), dtype=np.int64)
    at = group_starts + 2 * np.arange(len(group_starts))
    flat[at] = doc_delta
    flat[at + 1] = counts
    flat[np.arange(n) + 2 * (group_of_pos + 1)] = pos_delta
    text, offsets = encode_numbers(flat)
    bigram_start = at[key_group_starts]                                # flat index of each bigram
    bigram_end = np.append(bigram_start[1:], len(flat))
    out = {}
    for k, a, b in zip(key[key_starts].tolist(), offsets[bigram_start].tolist(), offsets[bigram_end].tolist()):
        out[chr(k >> 16) + chr(k & 0xFFFF)] = text[a:b]
    return out


# digits of the number stream: high digits from CONT, the last one from LAST (base 32, JSON-safe)
LAST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
CONT = "ghijklmnopqrstuvwxyz0123456789+/"


def encode_numbers(values):
    """Non-negative integers as one ASCII string, each in base 32, most significant digit first,
    every digit but the last from CONT. Returns (text, offsets): number i starts at offsets[i];
    offsets[len(values)] is the length."""
    import numpy as np

    values = np.asarray(values, dtype=np.int64)
    digits = np.ones(len(values), dtype=np.int64)
    for k in range(1, 13):
        digits += values >= (1 << (5 * k))
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(digits, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    last = np.frombuffer(LAST.encode(), dtype=np.uint8)
    cont = np.frombuffer(CONT.encode(), dtype=np.uint8)
    for k in range(int(digits.max(initial=1))):
        has = digits > k
        place = offsets[:-1][has] + digits[has] - 1 - k
        digit = (values[has] >> (5 * k)) & 31
        out[place] = (last if k == 0 else cont)[digit]
    return out.tobytes().decode("ascii"), offsets


def decode_numbers(text: str) -> list[int]:
    """The integers of `encode_numbers` (what the worker does in JavaScript)."""
    out, value = [], 0
    for ch in text:
        d = LAST.find(ch)
        if d >= 0:
            out.append(value * 32 + d)
            value = 0
        else:
            value = value * 32 + CONT.index(ch)
    return out


def _jsonp(key: str, data) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'__cb_load("{key}",{body});\n'


def build_files(entries: list[dict]) -> dict[str, str]:
    """{path under search/cb/: JSONP text} of the index of `entries` (documents, in page order)."""
    docs = [e for e in entries if "kind" in e]
    laid = [layout(d) for d in docs]
    post = postings([t for t, *_ in laid])
    size = sum(len(b) * 3 + 6 + len(v) for b, v in post.items())
    shards = max(1, math.ceil(size / SHARD_BYTES))
    grouped: list[dict] = [{} for _ in range(shards)]
    for bigram in sorted(post):
        grouped[fnv1a(bigram) % shards][bigram] = post[bigram]
    files = {f"p/{n}.js": _jsonp(f"p/{n}", g) for n, g in enumerate(grouped)}
    for n in range(0, len(docs), CHUNK_DOCS):
        files[f"d/{n // CHUNK_DOCS}.js"] = _jsonp(f"d/{n // CHUNK_DOCS}", [t for t, *_ in laid[n:n + CHUNK_DOCS]])
    manifest = {"v": FORMAT, "shards": shards, "chunk": CHUNK_DOCS,
                "fold": "".join(a + b for a, b in fold_pairs()),
                "docs": [[d["location"], d["title"], KINDS.get(d["kind"], 4), t, m, x, b]
                         for d, (_, t, m, x, b) in zip(docs, laid)]}
    files["manifest.js"] = _jsonp("manifest", manifest)
    return files


def write(site_dir: Path, entries: list[dict]) -> dict:
    """Write the index into site/search/cb/ (replacing an older one); returns figures."""
    folder = Path(site_dir) / "search" / FOLDER
    files = build_files(entries)
    tmp = folder.with_name(FOLDER + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    for rel, text in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    sizes = {rel: len(text.encode("utf-8")) for rel, text in files.items()}
    shard_sizes = [s for rel, s in sizes.items() if rel.startswith("p/")]
    return {"docs": sum(1 for e in entries if "kind" in e), "bytes": sum(sizes.values()),
            "manifest": sizes["manifest.js"], "shards": len(shard_sizes),
            "largest_shard": max(shard_sizes or [0])}


class Index:
    """Stands in for Material's SearchIndex (see internals.install_search_index): one document per
    page, written as the sharded bigram index; search_index.json keeps only Material's config (its
    main script hands that to the worker)."""

    def __init__(self, config: dict, site_dir: str, kind_of, context_of=None):
        self.config = config
        self.site_dir = site_dir
        self.kind_of = kind_of          # page -> one of KINDS
        self.context_of = context_of    # page -> HTML added below the page after indexing
        self.entries: list[dict] = []
        self.figures: dict = {}

    def add_entry_from_context(self, page) -> None:
        search_meta = page.meta.get("search") or {}
        if isinstance(search_meta, dict) and search_meta.get("exclude"):
            return
        title = str(page.meta.get("title") or page.title or "")
        self.entries.append(document(page.url, html.unescape(title) if "&" in title else title,
                                     page.content or "", self.kind_of(page),
                                     self.context_of(page) if self.context_of else ""))

    def generate_search_index(self, prev) -> str:
        self.figures = write(Path(self.site_dir), self.entries)
        config = {key: self.config.get(key) for key in ("lang", "separator", "pipeline", "fields")}
        return json.dumps({"config": config, "docs": []}, ensure_ascii=False, separators=(",", ":"))


WORKER = "assets/javascripts/cb-search-worker.js"   # from overrides/, copied into the site by MkDocs


def worker_script(site_dir: Path) -> str | None:
    """The search worker that replaces Material's, as the build copied it; None if missing."""
    path = Path(site_dir) / WORKER
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _unjsonp(text: str):
    return json.loads(text[text.index(",") + 1:text.rindex(")")])


def read_index(site_dir: Path) -> tuple[dict, list[str]]:
    """(manifest, indexed text of each document) of a built site's index, for checks and tools."""
    folder = Path(site_dir) / "search" / FOLDER
    manifest = _unjsonp((folder / "manifest.js").read_text(encoding="utf-8"))
    texts: list[str] = []
    for n in range(math.ceil(len(manifest["docs"]) / manifest["chunk"])):
        texts += _unjsonp((folder / "d" / f"{n}.js").read_text(encoding="utf-8"))
    return manifest, texts
