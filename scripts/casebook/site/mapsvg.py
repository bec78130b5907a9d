"""A static SVG map of China's provinces, shaded by case count, rendered at build time.

The outlines come from the `pygal-maps-china` package (its `china.svg`, one `<g class="CN-XX">`
per province); we only read that file, so no JavaScript and nothing from the network is needed.
Each province becomes a link to its region page with a `<title>` tooltip giving its count.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib import resources

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
NUMBER = re.compile(r"-?\d+\.\d+")
PALETTE = ["#eef2f7", "#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f0855d", "#d7504b", "#b03a38"]


@lru_cache(maxsize=1)
def _source() -> tuple[dict[str, str], dict[str, str], str]:
    """(code -> short name, code -> path data, viewBox) from pygal_maps_china."""
    from pygal_maps_china.maps import REGIONS

    raw = resources.files("pygal_maps_china").joinpath("china.svg").read_bytes()
    root = etree.fromstring(raw)
    paths: dict[str, list[str]] = {}
    for g in root.iter(f"{{{SVG_NS}}}g"):
        classes = (g.get("class") or "").split()
        code = next((c[3:] for c in classes if c.startswith("CN-")), None)
        if not code:
            continue
        for p in g.iter(f"{{{SVG_NS}}}path"):
            paths.setdefault(code, []).append(p.get("d", ""))
    # one decimal is ample at this scale and halves the markup inlined into pages
    shorten = lambda d: NUMBER.sub(lambda m: f"{float(m.group()):.1f}".rstrip("0").rstrip("."), d)  # noqa: E731
    return dict(REGIONS), {k: shorten(" ".join(v)) for k, v in paths.items()}, root.get("viewBox")


def province_code(name: str) -> str | None:
    """pygal code of a province name: 广东省 -> GD, 内蒙古自治区 -> NM."""
    names, _, _ = _source()
    for code, short in names.items():
        if name.startswith(short):
            return code
    return None


def render(counts: dict[str, int], links: dict[str, str], title: str = "各省案例数") -> str:
    """SVG markup. `counts` and `links` are keyed by full province name (广东省)."""
    names, paths, viewbox = _source()
    by_code = {}
    for name, n in counts.items():
        code = province_code(name)
        if code:
            by_code[code] = (name, n)
    top = max((n for _, n in by_code.values()), default=0)
    out = [f'<svg class="cb-map" xmlns="{SVG_NS}" viewBox="{viewbox}" role="img" '
           f'aria-label="{html.escape(title)}">', f"<title>{html.escape(title)}</title>"]
    for code, d in paths.items():
        name, n = by_code.get(code, (names[code], 0))
        level = 0 if n == 0 else 1 + min(len(PALETTE) - 2, int((len(PALETTE) - 1) * n / (top + 1)))
        label = f"{name}：{n} 个案例"
        shape = (f'<path d="{d}" fill="{PALETTE[level]}" stroke="#7a869a" stroke-width="0.5">'
                 f"<title>{html.escape(label)}</title></path>")
        href = links.get(name)
        if href and n:
            out.append(f'<a href="{html.escape(href)}" aria-label="{html.escape(label)}" '
                       f'data-province="{code}">{shape}</a>')
        else:
            out.append(shape)
    out.append("</svg>")
    return "".join(out)
