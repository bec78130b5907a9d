"""Related cases: shared themes and region plus text similarity over jieba tokens.

Sub-quadratic: each case keeps its top-K TF-IDF terms; an inverted index keeps, per term,
only the `posting_cap` highest-weighted cases (impact-ordered pruning). Candidates for a case are
the union of its terms' pruned postings plus a capped sample of cases of the same county, so
work per case is bounded by K * posting_cap whatever the number of cases.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .records import Case

HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
MARKUP = re.compile(r"[#>*_`\[\]()!|-]+|https?://\S+")

W_TEXT, W_THEME, W_COUNTY, W_CITY = 1.0, 0.35, 0.25, 0.1


@dataclass
class Related:
    index: int
    score: float
    reasons: list[str]


def tokens(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(MARKUP.sub(" ", text), HMM=False) if HAN_WORD.match(w)]


def token_counts(texts: list[str], cache: Path | None = None) -> list[Counter]:
    """jieba token counts of each text. With `cache` (a JSON file of text hash -> counts), texts
    seen in an earlier build are not segmented again: a one-case edit re-tokenises one case."""
    known: dict[str, dict[str, int]] = {}
    if cache is not None:
        try:
            known = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    fresh = {k: dict(Counter(tokens(t))) for k, t in zip(keys, texts) if k not in known}
    if cache is not None and (fresh or len(known) != len(set(keys))):
        from ..fsutil import atomic_write

        kept = {k: known.get(k) or fresh[k] for k in set(keys)}  # only this build's texts are kept
        try:
            atomic_write(cache, json.dumps(kept, ensure_ascii=False, separators=(",", ":")), durable=False)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return [Counter(known.get(k) or fresh[k]) for k in keys]


def _vectors(cases: list[Case], top_k: int, cache: Path | None = None) -> list[dict[str, float]]:
    counts = token_counts([c.title + "\n" + c.body for c in cases], cache)
    df: Counter = Counter()
    for cnt in counts:
        df.update(cnt.keys())
    n = len(cases)
    vectors = []
    for cnt in counts:
        weights = {t: (1 + math.log(tf)) * math.log((n + 1) / (df[t] + 0.5)) for t, tf in cnt.items()}
        top = heapq.nlargest(top_k, weights.items(), key=lambda kv: kv[1])
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors.append({t: w / norm for t, w in top if w > 0})
    return vectors


def compute(cases: list[Case], count: int = 5, top_k: int = 24, posting_cap: int = 64,
            county_cap: int = 40, cache: Path | None = None) -> list[list[Related]]:
    """For each case (by position), its `count` most related cases, best first."""
    vectors = _vectors(cases, top_k, cache)
    postings: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            postings[t].append((w, i))
    for t, plist in postings.items():
        if len(plist) > posting_cap:
            postings[t] = heapq.nlargest(posting_cap, plist)
    by_county: dict[tuple, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        by_county[c.region_path].append(i)

    result: list[list[Related]] = []
    for i, case in enumerate(cases):
        text_score: dict[int, float] = defaultdict(float)
        for t, w in vectors[i].items():
            for w2, j in postings.get(t, ()):
                if j != i:
                    text_score[j] += w * w2
        neighbours = by_county[case.region_path]
        if len(neighbours) > county_cap:  # deterministic spread over the county's cases
            step = len(neighbours) / county_cap
            neighbours = [neighbours[int(k * step)] for k in range(county_cap)]
        candidates = set(text_score) | {j for j in neighbours if j != i}
        themes = set(case.themes)
        path = case.region_path
        scored = []
        for j in candidates:
            other = cases[j]
            shared = themes.intersection(other.themes)
            score = W_TEXT * text_score.get(j, 0.0) + W_THEME * len(shared)
            same_county = len(path) == 3 and other.region_path == path
            same_city = len(path) >= 2 and other.region_path[:2] == path[:2]
            score += W_COUNTY if same_county else (W_CITY if same_city else 0.0)
            if score > 0:
                scored.append((score, -j, j, shared, same_county or same_city))
        best = heapq.nlargest(count, scored)
        items = []
        for score, _, j, shared, same_region in best:
            reasons = []
            if shared:
                reasons.append("同主题")
            if same_region:
                reasons.append("同地区")
            if text_score.get(j, 0.0) >= 0.15:
                reasons.append("内容相近")
            items.append(Related(j, round(score, 4), reasons or ["内容相近"]))
        result.append(items)
    return result
