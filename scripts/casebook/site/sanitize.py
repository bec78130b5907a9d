"""What editors write never runs in a reader's browser (issue 6).

- `clean(html)`: the rendered HTML of a page written by hand (cases, guide, home page) through nh3
  with the allow-list of data/policy.yaml (casebook.policy): what Markdown and our extensions emit,
  no on* attribute, only http(s)/mailto and relative URLs, no id or class the theme relies on.
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

from ..policy import policy

# a URL that leaves the site: a scheme (https:, ftp: …) or a network path (//host, \\host)
_FOREIGN = re.compile(r"^[\s\x00-\x1f]*(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\]{2})")


def foreign_url(url: str) -> bool:
    """True for a URL a reader's browser would fetch from another server (entities decoded)."""
    return _FOREIGN.match(html.unescape(url)) is not None


def _names_filter(site_names_too: bool):
    """Drop ids and classes the theme relies on (Material reads #__config) and, in editors' pages,
    the site's own (cb-…)."""
    pol = policy()

    def refused(value: str, theme: re.Pattern) -> bool:
        return bool(theme.match(value) or (site_names_too and pol.site_name.match(value)))

    def keep(tag: str, attr: str, value: str) -> str | None:
        if attr in pol.local_urls.get(tag, ()) and foreign_url(value):
            return None  # an image from another server: the reader's browser would call it
        if attr == "id":
            return None if refused(value, pol.reserved_id) else value
        if attr == "class":
            return " ".join(c for c in value.split() if not refused(c, pol.reserved_class)) or None
        return value
    return keep


def _cleaner(generated: bool = False) -> nh3.Cleaner:
    """The editor's cleaner, or (generated=True) the one for pages casebook writes: those may use
    the site's own ids, classes and data- attributes, but nothing that runs either, and never the
    theme's names (they may quote editors' text)."""
    pol = policy()
    return nh3.Cleaner(
        generic_attribute_prefixes={"data-"} if generated else None,
        tags=set(pol.tags),
        clean_content_tags=set(pol.drop_with_content),
        attributes={k: set(v) for k, v in pol.attributes.items()},
        url_schemes=set(pol.url_schemes),       # relative URLs pass; data:, javascript: … do not
        link_rel=None,                          # leave the links Markdown made as they are
        strip_comments=False,                   # the tags plugin's listing markers are comments
        filter_style_properties=set(pol.style_properties),
        attribute_filter=_names_filter(site_names_too=not generated),
    )


_EDITOR = _cleaner()
_GENERATED = _cleaner(generated=True)


def clean(content: str) -> str:
    """Sanitised page HTML (policy.yaml's `html` allow-list)."""
    return _EDITOR.clean(content)


def clean_generated(content: str) -> str:
    """A browse page's HTML: its names are escaped where they are written (pages.esc); this is the
    second line of defence, in case one was not."""
    return _GENERATED.clean(content)


def _text(value) -> str:
    """A front-matter value of any YAML type as plain text (lists joined, mappings by their values)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return "、".join(_text(v) for v in value if v is not None)
    return str(value)


ESCAPED_META = ("title", "description", "author", "subtitle", "status")


def escape_meta(meta: dict) -> None:
    """Escape, in place, the front-matter values the theme and the tags plugin print as raw HTML."""
    for key in ESCAPED_META:
        value = meta.get(key)
        if isinstance(value, str):
            meta[key] = html.escape(value)
        elif value is not None:  # a list or mapping too: Material prints its repr raw (issue 13)
            meta[key] = html.escape(_text(value))
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
