"""Case records: the front matter of each case file, read once, in the shape the browse pages need."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import yaml

try:  # the C loader is ~10x faster; front matter of 10,000 cases is read on every build
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)---[ \t]*\r?\n?", re.S)
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
    match = FRONT.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_Loader)
    except yaml.YAMLError as err:
        raise RecordError(f"YAML 无法解析：{err}") from None
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def is_case_meta(meta: dict) -> bool:
    return isinstance(meta.get("region"), dict) and isinstance(meta.get("source"), dict)


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value if v not in (None, "")]


def from_meta(src_uri: str, meta: dict, body: str) -> Case:
    region = {k: str(v) for k, v in (meta.get("region") or {}).items() if v not in (None, "")}
    year = meta.get("year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        raise RecordError(f"year 应为年份数字，而不是「{year}」") from None
    if year is None:
        published = _date_text((meta.get("source") or {}).get("published"))
        year = int(published[:4]) if published[:4].isdigit() else None
    mentions = []
    for m in meta.get("mentions") or []:
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
        source=dict(meta.get("source") or {}),
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
