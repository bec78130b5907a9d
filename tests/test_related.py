"""Related cases: the token cache gives the same answer and spares jieba on a rebuild."""
from __future__ import annotations

from pathlib import Path

from casebook.dev import synth
from casebook.site import related
from casebook.site.records import from_meta, split_front_matter


def cases_from(folder: Path):
    out = []
    for path in sorted(folder.rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        out.append(from_meta(path.relative_to(folder).as_posix(), meta, body))
    return out


def test_token_cache_changes_nothing_and_spares_jieba(tmp_path, monkeypatch):
    synth.generate(40, tmp_path / "docs", seed=3)
    cases = cases_from(tmp_path / "docs")
    cache = tmp_path / "cache" / "related-tokens.json"
    plain = related.compute(cases)
    first = related.compute(cases, cache=cache)
    assert cache.is_file()

    def no_jieba(text):
        raise AssertionError("a cached text was segmented again")

    monkeypatch.setattr(related, "tokens", no_jieba)
    second = related.compute(cases, cache=cache)
    as_tuples = lambda res: [[(r.index, r.score, r.reasons) for r in row] for row in res]  # noqa: E731
    assert as_tuples(plain) == as_tuples(first) == as_tuples(second)
    assert any(row for row in plain)
