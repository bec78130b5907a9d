"""Options of the casebook MkDocs plugin (`plugins: - casebook: …` in mkdocs.yml)."""
from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class CasebookConfig(Config):
    enabled = c.Type(bool, default=True)
    # glossary of jargon for hover definitions; default: the package's data/glossary.yaml
    glossary = c.Optional(c.Type(str))
    # how many related cases each case page lists
    related = c.Type(int, default=5)
    # province map on the home page and the region index
    map = c.Type(bool, default=True)
    # number of newest cases on the home page
    newest = c.Type(int, default=8)
    # folder (under the site) of the downloadable index: cases.json, cases.csv, cases.js
    data_dir = c.Type(str, default="data")
    # cache of jieba tokens for related cases (relative to mkdocs.yml); empty: no cache
    cache_dir = c.Type(str, default=".casebook-cache")
    # casebook's own search index (search/cb/, site/search.py) and worker in place of Material's
    compact_search_index = c.Type(bool, default=True)
    # front-matter keys beyond data/policy.yaml's that named pages may carry, e.g. {index.md: [hide]}
    # (keys that steer the theme are refused in every other file)
    front_matter_allow = c.Type(dict, default={})
    # pages casebook itself wrote into the docs folder (the offline bundle's print pages): their
    # HTML is the site's own; editors' text inside them is still cleaned of script and theme names
    trusted_pages = c.Type(list, default=[])
    # Atom feed of the newest cases (path under the site); empty: no feed
    feed = c.Type(str, default="feed.xml")
    # how many cases the feed lists
    feed_count = c.Type(int, default=30)
    # how many newest cases a region's overview lists
    region_newest = c.Type(int, default=5)
