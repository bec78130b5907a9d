"""Hover definitions for party-building jargon: the first occurrence of each glossary term in a
page's text becomes `<abbr title="definition">term</abbr>`.

Done on the rendered HTML because Python-Markdown's abbr extension matches on word boundaries,
and Chinese text has none between characters."""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

TAG = re.compile(r"(<[^>]+>)")
SKIP = {"a", "abbr", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "svg", "title"}


def load(path: Path) -> dict[str, str]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: 术语表应为「术语: 释义」的映射")
    return {str(k).strip(): str(v).strip() for k, v in data.items() if k and v}


class Glossary:
    def __init__(self, terms: dict[str, str]):
        self.terms = terms
        # longest first so 党群服务中心 wins over a shorter term inside it
        ordered = sorted(terms, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def annotate(self, content: str) -> str:
        if not self.pattern or not self.pattern.search(content):
            return content
        seen: set[str] = set()
        stack: list[str] = []
        parts = TAG.split(content)
        for k, part in enumerate(parts):
            if k % 2:  # a tag
                m = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
                if m and not part.endswith("/>"):
                    name = m.group(2).lower()
                    if m.group(1):
                        if name in stack:
                            while stack and stack.pop() != name:
                                pass
                    elif name in SKIP:
                        stack.append(name)
                continue
            if stack or not part:
                continue

            def wrap(match: re.Match) -> str:
                term = match.group(0)
                if term in seen:
                    return term
                seen.add(term)
                return f'<abbr title="{html.escape(self.terms[term])}">{term}</abbr>'

            parts[k] = self.pattern.sub(wrap, part)
        return "".join(parts)
