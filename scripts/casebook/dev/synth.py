"""Synthetic case files for tests and benchmarks.

`generate(n, out_dir, seed=0, chars=2000)` writes `n` realistic case files (front matter per the
README contract, ~`chars` characters of body) under `out_dir/<prov>/<city>/<county>/<slug>.md`.
Deterministic for a given seed. Never point it at the repository's cases/ folder.

    python -m casebook.dev.synth 1000 /tmp/docs
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .. import casefile, regions, tagging
from ..fsutil import atomic_write


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    text = resources.files("casebook.dev").joinpath("data/synth.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def make_case(i: int, rng: random.Random, chars: int = 2000) -> tuple[dict, str]:
    """(front matter, Markdown body) of synthetic case number i."""
    voc = vocabulary()
    prov, city, county, code = rng.choice(voc["regions"])
    taxonomy = tagging.load_taxonomy()  # synthetic cases use the real taxonomy, so they validate
    domain = rng.choice([c.name for c in taxonomy["domains"]])
    themes = rng.sample([c.name for c in taxonomy["themes"]], rng.choice((1, 1, 2)))
    tags = rng.sample(voc["tags"], 3)
    year = rng.randint(2016, 2024)
    published = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    ctx = {"prov": prov, "city": city, "county": county, "tag": tags[0], "theme": themes[0]}

    def fill(template: str) -> str:
        return template.format(n=rng.randint(2, 300), **ctx)

    lead = fill(rng.choice(voc["openers"]))
    title = f"{county}：以{tags[0]}推动{themes[0]}（案例{i + 1}）"
    parts = [lead, ""]
    length = len(lead)
    figures = []
    for h, heading in enumerate(voc["headings"]):
        if length >= chars:
            break
        parts += [f"## {heading}", ""]
        for _ in range(4):
            para = "".join(fill(rng.choice(voc["sentences"])) for _ in range(rng.randint(3, 5)))
            parts += [para, ""]
            length += len(para)
            if length >= chars:
                break
    for sentence in parts:
        if any(ch.isdigit() for ch in sentence) and len(figures) < 3 and not sentence.startswith("#"):
            figures.append(sentence.split("。")[0][:60])
    others = [r for r in voc["regions"] if r[3] != code]
    mentioned = rng.sample(others, rng.choice((0, 0, 1, 2)))
    meta = {
        "title": title,
        "summary": lead[:120],
        "region": {"province": prov, "city": city, "county": county, "code": code},
        "domain": domain,
        "themes": themes,
        "tags": tags,
        "year": year,
        "source": {
            "title": title,
            "outlet": rng.choice(voc["outlets"]),
            "url": f"https://example.org/news/{year}/{i:06d}.html",
            "published": published.isoformat(),
            "byline": f"通讯员 {county}委组织部",
        },
    }
    if mentioned:
        meta["mentions"] = [{"name": m[2], "code": m[3]} for m in mentioned]
    if figures:
        meta["figures"] = figures
    return meta, "\n".join(parts)


def case_path(meta: dict, i: int) -> Path:
    return Path(*regions.slug_parts(meta["region"])) / f"{casefile.slugify(meta['title'], 40)}-{i:05d}.md"


def generate(n: int, out_dir: Path, seed: int = 0, chars: int = 2000) -> list[Path]:
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    written = []
    for i in range(n):
        meta, body = make_case(i, rng, chars)
        path = out_dir / case_path(meta, i)
        atomic_write(path, casefile.render(meta, body))
        written.append(path)
    return written


def generator_cli(argv: list[str] | None, generate_fn, guarded: str, what: str) -> int:
    """`python -m casebook.dev.synth|rawsynth COUNT OUT_DIR`: write `what` with `generate_fn`, refusing
    to write into the project's own `guarded` folder (cases/ or raw/) under the working directory."""
    parser = argparse.ArgumentParser(description=f"write synthetic {what} (tests/benchmarks only)")
    parser.add_argument("count", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chars", type=int, default=2000)
    args = parser.parse_args(argv)
    own = (Path.cwd() / guarded).resolve()
    if args.out_dir.resolve() == own or own in args.out_dir.resolve().parents:
        print(f"refusing to write synthetic {what} into {own}", file=sys.stderr)
        return 2
    paths = generate_fn(args.count, args.out_dir, args.seed, args.chars)
    print(f"wrote {len(paths)} {what} under {args.out_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return generator_cli(argv, generate, "cases", "case files")

if __name__ == "__main__":
    sys.exit(main())
