"""The Atom feed of the newest cases (feedgen), for readers who follow the casebook.

Deterministic: each entry's time is its publication date (or its year), the feed's is the newest
of them, so an unchanged casebook gives the same file (incremental builds compare outputs)."""
from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from .records import Case

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
_CST = dt.timezone(dt.timedelta(hours=8))


def case_time(case: Case) -> dt.datetime:
    """A case's publication date at midnight Beijing time; 1 January of its year; else 2000-01-01."""
    text = case.published or ""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time(), _CST)
    except ValueError:
        return dt.datetime(case.year, 1, 1, tzinfo=_CST) if case.year else _EPOCH


def atom(cases: list[Case], url_of, site_name: str, site_url: str | None, description: str) -> bytes:
    """Atom XML for `cases` (newest first). url_of(src_uri) is a case's URL relative to the site
    root; with site_url the links are absolute, without they are relative to the feed (which sits
    at the site root) and ids are tag URIs."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    fg = FeedGenerator()
    fg.id(base or "tag:casebook,2000:feed")
    fg.title(f"{site_name}：新增案例")
    fg.subtitle(description or site_name)
    fg.language("zh-CN")
    fg.generator(site_name)
    fg.author(name=site_name)
    fg.link(href=base or "./", rel="alternate")
    newest = _EPOCH
    for case in reversed(cases):   # feedgen puts the entry added last first
        when = case_time(case)
        newest = max(newest, when)
        link = base + url_of(case.src_uri)
        entry = fg.add_entry()
        entry.id(link if base else f"tag:casebook,2000:{case.src_uri}")
        entry.title(case.title)
        entry.link(href=link, rel="alternate")
        entry.updated(when)
        entry.published(when)
        where = " › ".join(case.region_path)
        entry.summary(f"{where}｜{case.summary}" if where else case.summary)
        for theme in case.themes:
            entry.category(term=theme)
        outlet = str(case.source.get("outlet") or "")
        if outlet:
            entry.author(name=outlet)
    fg.updated(newest)
    return fg.atom_str(pretty=True)
