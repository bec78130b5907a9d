"""Cut a cleaned page into case drafts: one practice of one region each.

Rules, in order (thresholds and patterns in data/cut_rules.yaml):
1. Articles: a page with several `title` blocks gives one article per title; body
   text before the first title is an untitled article of its own. An author
   organisation line right under a title (dropped as `meta:author`) belongs to it.
2. Numbered practices: two or more paragraphs or headings opening with a practice
   marker (特色做法一：…, 经验二：…) cut the article into one case each.
3. Parallel practices: an article whose un-numbered heading groups are each a
   substantial section (enough paragraphs and characters) is cut at those headings.
   Numbered headings (一、二、…) are the sections of one practice and stay together.
Text before the first practice (the article's lead) goes with the first case as 背景.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
CLAUSE_SPLIT = re.compile(r"[，,；;：:。！？!?]")


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    text = resources.files("casebook").joinpath("data/cut_rules.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["_markers"] = [re.compile(p) for p in data["practice_markers"]]
    data["_enumerated"] = re.compile(data["enumerated_heading"])
    return data


@dataclass
class Draft:
    """One case before regions and tags: blocks are clean blocks (kind, text, lines)."""

    title: str
    title_from: str  # page | article | heading | lead
    blocks: list[dict] = field(default_factory=list)
    lead: list[dict] = field(default_factory=list)  # the article's lead, kept as 背景
    author: str | None = None
    article_title: str | None = None

    @property
    def lines(self) -> list[int]:
        spans = [b["lines"] for b in self.lead + self.blocks]
        return [min(s[0] for s in spans), max(s[1] for s in spans)] if spans else [0, 0]

    @property
    def text(self) -> str:
        return "\n".join(b["text"] for b in self.blocks)


# ---------------------------------------------------------------- helpers


def marker_of(text: str) -> re.Match | None:
    for pattern in rules()["_markers"]:
        match = pattern.match(text)
        if match:
            return match
    return None


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def summary_of(blocks: list[dict], limit: int | None = None) -> str:
    """The practice's first sentence(s), up to `limit` characters, verbatim."""
    limit = limit or rules()["summary_max_chars"]
    paras = [b["text"] for b in blocks if b["kind"] == "paragraph"]
    if not paras:
        return ""
    first = paras[0]
    match = marker_of(first)
    if match:
        first = first[match.end():]
    out = ""
    for sentence in sentences(first):
        if out and len(out) + len(sentence) > limit:
            if len(out) < limit // 3:  # a bare headline sentence: add the next one, cut to fit
                out += _clip(sentence, limit - len(out))
            break
        out += sentence
    return _clip(out, limit).strip()


def _clip(text: str, limit: int) -> str:
    """Text cut at its last clause boundary within `limit` characters, marked with ……."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(c, 0, limit) for c in "，,；;、")
    return (text[:cut] if cut > limit // 3 else text[:limit]) + "……"


def _strip_lead_verb(clause: str) -> str:
    for verb in sorted(rules()["title_lead_verbs"], key=len, reverse=True):
        if clause.startswith(verb) and len(clause) - len(verb) >= 4:
            return clause[len(verb):]
    return clause


def title_from_lead(text: str) -> str:
    """A short title cut from a practice's lead sentence: marker, scene-setting clauses,
    leading verbs and quotation marks removed; the words kept are the source's own."""
    cfg = rules()
    match = marker_of(text)
    if match:
        text = text[match.end():]
    first = sentences(text)[0] if sentences(text) else text
    clauses = [c.strip() for c in CLAUSE_SPLIT.split(first) if c.strip()]
    if not clauses:
        return text[: cfg["title_max_chars"]]
    openers = tuple(cfg["title_context_openers"])
    plain = [c for c in clauses if not c.startswith(openers) and len(c) >= 6]
    pick = plain[0] if plain else clauses[0]
    pick = _strip_lead_verb(pick)
    pick = re.sub(r"[“”\"「」『』]", "", pick)
    return pick[: cfg["title_max_chars"]]


# ---------------------------------------------------------------- articles


def split_articles(clean: dict) -> list[dict]:
    """[{title, blocks, author}] in page order."""
    authors = {d["lines"][0]: d["text"].strip() for d in clean.get("dropped", [])
               if d.get("reason") == "meta:author"}
    articles: list[dict] = []
    current: dict = {"title": None, "blocks": [], "title_lines": None}
    for block in clean.get("blocks", []):
        if block["kind"] == "title":
            if current["blocks"] or current["title"]:
                if current["title"] and current["title_lines"] and current["title_lines"][1] + 1 == block["lines"][0] \
                        and not current["blocks"]:
                    # a headline broken over two lines
                    current["title"] += " " + block["text"]
                    current["title_lines"] = [current["title_lines"][0], block["lines"][1]]
                    continue
                articles.append(current)
            current = {"title": block["text"], "blocks": [], "title_lines": list(block["lines"])}
        else:
            current["blocks"].append(block)
    articles.append(current)
    articles = [a for a in articles if a["blocks"]]
    for art in articles:
        art["author"] = None
        if art["title_lines"]:
            end = art["title_lines"][1]
            first_body = art["blocks"][0]["lines"][0] if art["blocks"] else end + 3
            for line in range(end + 1, first_body):
                if line in authors:
                    art["author"] = authors[line]
    return articles


def heading_groups(blocks: list[dict]) -> tuple[list[dict], list[tuple[list[dict], list[dict]]]]:
    """(lead blocks, [(heading blocks, body blocks)]): consecutive headings form one group."""
    lead: list[dict] = []
    groups: list[tuple[list[dict], list[dict]]] = []
    for block in blocks:
        if block["kind"] == "heading":
            if groups and not groups[-1][1]:
                groups[-1][0].append(block)
            else:
                groups.append(([block], []))
        elif groups:
            groups[-1][1].append(block)
        else:
            lead.append(block)
    return lead, groups


def _substantial(body: list[dict]) -> bool:
    cfg = rules()["sections"]
    paras = [b for b in body if b["kind"] == "paragraph"]
    return len(paras) >= cfg["min_paragraphs"] and sum(len(b["text"]) for b in paras) >= cfg["min_chars"]


def cut_article(article: dict, page_title: str | None) -> list[Draft]:
    blocks = article["blocks"]
    title = article["title"]
    author = article["author"]

    # 2. numbered practices: a paragraph opening with a marker (特色做法一：深化实施…。…), or a
    # heading that is one (经验一：推行“红色物业”), starts the next case
    starts = [i for i, b in enumerate(blocks) if b["kind"] in ("paragraph", "heading") and marker_of(b["text"])]
    if len(starts) >= 2:
        drafts = []
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
            head, body = blocks[start], blocks[start:end]
            if head["kind"] == "heading":
                named = head["text"][marker_of(head["text"]).end():].strip()
                drafts.append(Draft(named or title_from_lead(head["text"]), "heading", body[1:] or body,
                                    author=author, article_title=title))
            else:
                drafts.append(Draft(title_from_lead(head["text"]), "lead", body, author=author,
                                    article_title=title))
        drafts[0].lead = blocks[: starts[0]]
        return drafts

    # 3. parallel practices under headings
    lead, groups = heading_groups(blocks)
    cfg = rules()["sections"]
    numbered = [g for g in groups if rules()["_enumerated"].match(g[0][0]["text"])]
    if (cfg["min_sections"] <= len(groups) <= cfg["max_sections"] and not numbered
            and all(_substantial(body) for _, body in groups)):
        # the group's first heading is the case title; a subtitle under it stays as a heading
        drafts = [Draft(heads[0]["text"].strip(), "heading", heads[1:] + body, author=author, article_title=title)
                  for heads, body in groups]
        drafts[0].lead = lead
        return drafts

    # 1. the whole article is one case
    if title:
        return [Draft(title, "article", blocks, author=author, article_title=title)]
    first_para = next((b["text"] for b in blocks if b["kind"] == "paragraph"), "")
    if page_title and not article.get("untitled_of_many"):
        return [Draft(page_title, "page", blocks, author=author)]
    return [Draft(title_from_lead(first_para), "lead", blocks, author=author)]


def cut_page(clean: dict) -> list[Draft]:
    articles = split_articles(clean)
    page_title = clean.get("title") or None
    many = len(articles) > 1
    drafts: list[Draft] = []
    carried: list[dict] = []  # a collection's heading and editor's note, kept as the next case's 背景
    for n, article in enumerate(articles):
        if many and n + 1 < len(articles) and _is_preface(article):
            carried += article["blocks"]
            continue
        if many and not article["title"]:
            article["untitled_of_many"] = True
        cut = cut_article(article, page_title if not many else None)
        cut[0].lead = carried + cut[0].lead
        carried = []
        drafts.extend(cut)
    return drafts


def _is_preface(article: dict) -> bool:
    """A short piece before other articles (a collection's 编者按, a column's intro): no practice of
    its own. Threshold in data/cut_rules.yaml."""
    text = sum(len(b["text"]) for b in article["blocks"] if b["kind"] == "paragraph")
    return text < rules()["preface_max_chars"]
