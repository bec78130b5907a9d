"""casebook: scraped party-building practice pages -> a searchable MkDocs casebook."""

__version__ = "0.1.0"
