"""Related cases: shared themes and region plus text similarity over jieba tokens (rjieba).

Sub-quadratic: each case keeps its top-K TF-IDF terms; an inverted index keeps, per term,
only the `posting_cap` highest-weighted cases (impact-ordered pruning). Candidates for a case are
the union of its terms' pruned postings plus a capped sample of cases of the same county, so
work per case is bounded by K * posting_cap whatever the number of cases. The text scores are a
sparse matrix product (scipy) and the rest is scored with numpy, a block of cases at a time:
15,216 cases in 4.7 s (20.7 s with the same algorithm in plain Python).
"""
from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
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


@lru_cache(maxsize=1)
def _segmenter():
    """rjieba (jieba's Rust port, the same dictionary and algorithm: tokens identical to
    jieba.lcut(HMM=False) on the sample and synthetic cases, 14x faster) with the package's user
    dictionary of party-building terms (data/userdict.txt: word [freq [tag]])."""
    from importlib import resources

    import rjieba

    text = resources.files("casebook").joinpath("data/userdict.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        rjieba.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
    return rjieba.cut


def tokens(text: str) -> list[str]:
    cut = _segmenter()
    return [w for w in cut(MARKUP.sub(" ", text), False) if HAN_WORD.match(w)]


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


def compute(cases: list[Case], count: int = 5, top_k: int = 24, posting_cap: int = 64,  # noqa: C901
            county_cap: int = 40, cache: Path | None = None, block: int = 1024) -> list[list[Related]]:
    """For each case (by position), its `count` most related cases, best first. Text scores are a
    sparse product (cases x terms) @ (pruned postings)^T, taken `block` cases at a time."""
    import numpy as np
    from scipy import sparse

    n = len(cases)
    if not n:
        return []
    vectors = _vectors(cases, top_k, cache)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(w)
    weights = sparse.csr_matrix((vals, (rows, cols)), shape=(n, max(1, len(vocab))))
    postings = _pruned(weights.tocsc(), posting_cap)          # terms x cases, csr

    # themes as a dense 0/1 matrix; regions as ids (-1: none at that level)
    theme_ids: dict[str, int] = {}
    for c in cases:
        for t in dict.fromkeys(c.themes):
            theme_ids.setdefault(t, len(theme_ids))
    themes = np.zeros((n, max(1, len(theme_ids))), dtype=np.int32)
    for i, c in enumerate(cases):
        for t in dict.fromkeys(c.themes):
            themes[i, theme_ids[t]] = 1
    path_ids: dict[tuple, int] = {}
    full = np.array([path_ids.setdefault(c.region_path, len(path_ids)) for c in cases])
    county = np.array([full[i] if len(c.region_path) == 3 else -1 for i, c in enumerate(cases)])
    city = np.array([path_ids.setdefault(c.region_path[:2], len(path_ids)) if len(c.region_path) >= 2 else -1
                     for c in cases])
    by_path: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(full.tolist()):
        by_path[p].append(i)
    sample: dict[int, np.ndarray] = {}
    for p, members in by_path.items():
        if len(members) > county_cap:  # deterministic spread over the region's cases
            step = len(members) / county_cap
            members = [members[int(k * step)] for k in range(county_cap)]
        sample[p] = np.array(members, dtype=np.int64)

    result: list[list[Related]] = []
    for start in range(0, n, block):
        text_block = (weights[start:start + block] @ postings).tocsr()
        text_block.sort_indices()
        for r in range(text_block.shape[0]):
            i = start + r
            lo, hi = text_block.indptr[r], text_block.indptr[r + 1]
            idx, val = text_block.indices[lo:hi], text_block.data[lo:hi]
            cand = np.union1d(idx, sample[int(full[i])])
            cand = cand[cand != i]
            if not len(cand):
                result.append([])
                continue
            text = np.zeros(len(cand))
            pos = np.searchsorted(cand, idx)
            hit = (pos < len(cand)) & (idx != i)
            text[pos[hit]] = val[hit]
            shared = themes[cand] @ themes[i]
            same_county = (county[cand] == county[i]) & (county[i] >= 0)
            same_region = same_county | ((city[cand] == city[i]) & (city[i] >= 0))
            score = W_TEXT * text + W_THEME * shared + np.where(same_county, W_COUNTY, np.where(same_region, W_CITY, 0.0))
            ok = np.flatnonzero(score > 0)
            best = ok[np.lexsort((cand[ok], -score[ok]))[:count]]  # best first; ties: the earlier case
            items = []
            for m in best.tolist():
                reasons = []
                if shared[m]:
                    reasons.append("同主题")
                if same_region[m]:
                    reasons.append("同地区")
                if text[m] >= 0.15:
                    reasons.append("内容相近")
                items.append(Related(int(cand[m]), round(float(score[m]), 4), reasons or ["内容相近"]))
            result.append(items)
    return result


def _pruned(by_term, cap: int):
    """Impact-ordered pruning: for each term (column of `by_term`, cases x terms, csc) only the
    `cap` highest-weighted cases (ties: the later case); returned as terms x cases."""
    import numpy as np
    from scipy import sparse

    keep = np.ones(by_term.nnz, dtype=bool)
    for k in range(by_term.shape[1]):
        a, b = by_term.indptr[k], by_term.indptr[k + 1]
        if b - a > cap:
            order = np.lexsort((-by_term.indices[a:b], -by_term.data[a:b]))
            keep[a:b] = False
            keep[a + order[:cap]] = True
    pruned = sparse.csc_matrix((np.where(keep, by_term.data, 0.0), by_term.indices, by_term.indptr),
                               shape=by_term.shape)
    pruned.eliminate_zeros()
    return pruned.T.tocsr()
