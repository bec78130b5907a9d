"""Case records: the front matter of each case file, read once, in the shape the browse pages need."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from .. import casefile

LEVELS = ("province", "city", "county")


class RecordError(ValueError):
    pass


@dataclass
class Case:
    src_uri: str
    title: str
    summary: str
    region: dict[str, str]
    domain: str
    themes: list[str]
    tags: list[str]
    year: int | None
    source: dict[str, Any]
    mentions: list[dict[str, str]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    body: str = ""
    index: int = 0  # position in the catalogue

    @cached_property
    def region_path(self) -> tuple[str, ...]:
        """(province,), (province, city) or (province, city, county): the region's names, top down."""
        names = []
        for level in LEVELS:
            name = self.region.get(level)
            if not name:
                break
            # municipalities: 北京市 › 北京市 › 平谷区 reads as 北京市 › 平谷区
            if names and name == names[-1]:
                continue
            names.append(name)
        return tuple(names)

    @property
    def published(self) -> str:
        return _date_text(self.source.get("published"))

    @property
    def sort_key(self) -> tuple:
        return (self.published or str(self.year or ""), self.src_uri)


def _date_text(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value or "")


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter, body) through the one guarded reader, casefile.parse_quick (size, depth and
    number limits, no tags, no aliases); ({}, text) for a page without front matter."""
    if not text.lstrip("\ufeff").startswith("---"):
        return {}, text
    try:
        doc = casefile.parse_quick(text)
    except casefile.CaseFileError as err:
        raise RecordError(f"第 {err.line} 行：{err}" if err.line else str(err)) from None
    return doc.meta, doc.body


def is_case_meta(meta: dict) -> bool:
    return isinstance(meta.get("region"), dict) and isinstance(meta.get("source"), dict)


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [str(value)]
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"应为列表，而不是「{str(value)[:30]}」")
    return [str(v) for v in value if v not in (None, "") and not isinstance(v, (dict, list))]


def _year(value: Any, published: str) -> int | None:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise RecordError(f"year 应为年份数字，而不是「{value}」")
    try:
        year = int(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        raise RecordError(f"year 应为年份数字，而不是「{str(value)[:20]}」") from None
    if year is None:
        year = int(published[:4]) if published[:4].isdigit() else None
    if year is not None and not 1000 <= year <= 9999:
        raise RecordError(f"year「{year}」不是四位年份")
    return year


def _map(meta: dict, key: str) -> dict:
    value = meta.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"{key} 应为「字段: 值」的映射")
    return value


def from_meta(src_uri: str, meta: dict, body: str) -> Case:
    """The record of one case; RecordError (never another exception) for a value it cannot use."""
    region = {str(k): str(v) for k, v in _map(meta, "region").items()
              if v not in (None, "") and not isinstance(v, (dict, list))}
    source = _map(meta, "source")
    year = _year(meta.get("year"), _date_text(source.get("published")))
    mentions = []
    listed = meta.get("mentions")
    for m in listed if isinstance(listed, list) else []:
        if isinstance(m, dict) and m.get("name"):
            mentions.append({"name": str(m["name"]), "code": str(m.get("code") or "")})
        elif isinstance(m, str):
            mentions.append({"name": m, "code": ""})
    return Case(
        src_uri=src_uri,
        title=str(meta.get("title") or src_uri.rsplit("/", 1)[-1][:-3]),
        summary=str(meta.get("summary") or ""),
        region=region,
        domain=str(meta.get("domain") or ""),
        themes=_str_list(meta.get("themes")),
        tags=_str_list(meta.get("tags")),
        year=year,
        source=dict(source),
        mentions=mentions,
        figures=_str_list(meta.get("figures")),
        body=body,
    )


@lru_cache(maxsize=4096)
def slug(name: str) -> str:
    """Readable ASCII slug of a Chinese name: 广东省 -> guangdongsheng (stable, no separators)."""
    from pypinyin import Style, lazy_pinyin

    text = "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()
    text = re.sub(r"[^a-z0-9]+", "", text)
    return text or "x"
