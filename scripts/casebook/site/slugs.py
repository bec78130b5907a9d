"""Heading ids: readable for Chinese headings, never empty or numbers only.

`slugify(value, separator)` is the `toc` extension's slugify: Unicode-aware (Chinese characters
kept, as in pymdownx.slugs), lower case; an id that would be empty or only digits gets a
`sec-` prefix so it is a valid, stable fragment."""
from __future__ import annotations

from pymdownx.slugs import slugify as _factory

_base = _factory(case="lower")


def slugify(value: str, separator: str) -> str:
    slug = _base(value, separator)
    if not slug.strip(separator) or slug.replace(separator, "").isdigit():
        slug = f"sec{separator}{slug.strip(separator)}".rstrip(separator) or "sec"
    return slug
