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
