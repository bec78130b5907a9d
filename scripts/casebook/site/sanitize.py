"""What editors write never runs in a reader's browser (issue 6).

- `clean(html)`: the rendered HTML of a page written by hand (cases, guide, home page) through nh3
  with an allow-list of what Markdown and our extensions emit: no script/iframe/object/embed/style/
  form/input, no on* attribute, only http(s)/mailto and relative URLs.
- `escape_meta(meta)`: front-matter values the theme prints unescaped (title, description, tags …)
  turned into HTML text, so `<img onerror=…>` in a title is shown, not run.
- `safe_url`, `csv_cell`, `script_json`: the same rule for links, spreadsheet cells and JSON that is
  loaded as a script.
"""
from __future__ import annotations

import html
import json
import re

import nh3

TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "a", "abbr", "em", "strong", "b", "i", "u", "s", "del", "ins",
    "mark", "small", "code", "pre", "kbd", "samp", "var", "q", "cite", "dfn", "time",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "blockquote", "hr", "br", "img", "div", "span", "section", "figure", "figcaption",
    "details", "summary", "sup", "sub",
}
GENERIC = {"class", "id", "title", "aria-label", "lang"}
ATTRIBUTES = {
    "*": GENERIC,
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "li": {"value"},
    "th": {"align", "colspan", "rowspan", "style"},
    "td": {"align", "colspan", "rowspan", "style"},
    "col": {"span"},
    "details": {"open"},
    "time": {"datetime"},
    "abbr": set(), "q": {"cite"}, "blockquote": set(), "del": set(), "ins": set(),
}
# dropped with everything inside them (the rest of a disallowed tag's text is kept as text)
CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
                 "select", "noembed", "noframes", "xmp", "svg", "math"}

_cleaner = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=CLEAN_CONTENT,
    attributes={k: set(v) for k, v in ATTRIBUTES.items()},
    url_schemes={"http", "https", "mailto"},  # relative URLs pass; data:, javascript: … do not
    link_rel=None,                            # leave the links Markdown made as they are
    strip_comments=False,                     # the tags plugin's listing markers are comments
    filter_style_properties={"text-align"},   # Markdown tables align columns with style=
)


def clean(content: str) -> str:
    """Sanitised page HTML."""
    return _cleaner.clean(content)


ESCAPED_META = ("title", "description", "author", "subtitle", "status")


def escape_meta(meta: dict) -> None:
    """Escape, in place, the front-matter values the theme and the tags plugin print as raw HTML."""
    for key in ESCAPED_META:
        value = meta.get(key)
        if isinstance(value, str):
            meta[key] = html.escape(value)
        elif value is not None and not isinstance(value, (list, dict)):
            meta[key] = html.escape(str(value))
    tags = meta.get("tags")
    if isinstance(tags, (list, tuple)):
        meta["tags"] = [html.escape(str(t)) for t in tags if t not in (None, "")]
    elif isinstance(tags, (str, int)):
        meta["tags"] = [html.escape(str(tags))]


_HTTP = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def safe_url(url) -> str:
    """The URL if it is a plain http(s) URL, else ''."""
    url = str(url or "").strip()
    return url if _HTTP.match(url) else ""


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def source_html(source: dict, published: str | None) -> str:
    """The attribution of a case as safe HTML: the source title (linked when the URL is plain
    http(s)), outlet, byline and date, joined by " · "."""
    title = html.escape(str(source.get("title") or "原文"))
    url = safe_url(source.get("url"))
    bits = [f'<a href="{html.escape(url)}" rel="noopener nofollow">{title}</a>' if url else title]
    bits += [html.escape(str(source[key])) for key in ("outlet", "byline") if source.get(key)]
    if published:
        bits.append(html.escape(published))
    return " · ".join(bits)


def csv_cell(value):
    """A spreadsheet cell that cannot start a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def script_json(data) -> str:
    """JSON safe inside a <script> (and in a .js file): no `</`, no raw U+2028/2029."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
