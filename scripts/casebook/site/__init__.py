"""MkDocs plugin for the casebook: browse pages, related cases, search index tuning, map, glossary."""
