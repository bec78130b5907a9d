"""Domain, themes, free tags and key figures for a case.

Controlled vocabulary: data/taxonomy.yaml (domains and themes with trigger terms
and weights). Tags: the curated vocabulary of data/tags.yaml (each tag with its synonyms, in
groups); jieba TF-IDF keywords (data/userdict.txt, data/stopwords.txt, a part-of-speech filter)
only propose new terms that recur across cases (`tag_candidates`, `casebook tags --candidates`).
Key figures: clauses holding a number with a unit, cut verbatim from the text
(rules in data/figure_rules.yaml). All data is loaded once per process.

`tag(title, text) -> {domain, themes, tags, figures, evidence}` where evidence is
`{domain: {农村: [村两委, ...]}, themes: {干部队伍建设: [后备干部, ...]}}`.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"

# characters ignored when matching trigger terms (村“两委” == 村两委)
_QUOTES = str.maketrans({c: None for c in "“”‘’\"'「」『』"})
_PARENS = str.maketrans({"（": "(", "）": ")"})


@dataclass(frozen=True)
class Category:
    kind: str                 # "domain" | "theme"
    name: str
    definition: str
    terms: tuple[tuple[str, float], ...]


# ---------------------------------------------------------------- taxonomy

def _norm(text: str) -> str:
    return (text or "").translate(_PARENS).translate(_QUOTES)


@functools.cache
def load_taxonomy() -> dict:
    """{settings, domains: [Category], themes: [Category]} from data/taxonomy.yaml."""
    path = DATA / "taxonomy.yaml"
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    out = {"settings": raw.get("settings") or {}, "domains": [], "themes": []}
    for kind, key in (("domain", "domains"), ("theme", "themes")):
        for entry in raw.get(key) or []:
            if not isinstance(entry, dict) or not entry.get("name"):
                raise ValueError(f"{path}: {key} 中有缺少 name 的条目: {entry!r}")
            terms = entry.get("terms") or {}
            if isinstance(terms, list):
                terms = {t: 1 for t in terms}
            pairs = tuple((_norm(str(t)), float(w if w is not None else 1)) for t, w in terms.items())
            out[key].append(Category(kind, str(entry["name"]), str(entry.get("definition") or ""), pairs))
    return out


@functools.cache
def _matcher(key: str):
    """(compiled regex of all terms of one pool, term → [(category name, weight)])."""
    owners: dict[str, list[tuple[str, float]]] = {}
    for cat in load_taxonomy()[key]:
        for term, weight in cat.terms:
            if term:
                owners.setdefault(term.lower(), []).append((cat.name, weight))
    terms = sorted(owners, key=len, reverse=True)
    if not terms:
        return None, owners
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE), owners


def _score(key: str, title: str, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Weighted counts per category and the terms that fired (in order of first appearance)."""
    regex, owners = _matcher(key)
    scores: dict[str, float] = {}
    fired: dict[str, list[str]] = {}
    if regex is None:
        return scores, fired
    title_weight = float(load_taxonomy()["settings"].get("title_weight", 3))
    for part, mult in ((_norm(title), title_weight), (_norm(text), 1.0)):
        for m in regex.finditer(part):
            term = m.group(0).lower()
            for name, weight in owners.get(term, ()):
                scores[name] = scores.get(name, 0.0) + weight * mult
                lst = fired.setdefault(name, [])
                written = m.group(0)
                if written not in lst:
                    lst.append(written)
    return scores, fired


def classify(title: str, text: str) -> dict:
    """{domain, themes, evidence} from the taxonomy's trigger terms."""
    tax = load_taxonomy()
    st = tax["settings"]
    order = {c.name: i for i, c in enumerate(tax["domains"])}
    d_scores, d_fired = _score("domains", title, text)
    domain = st.get("default_domain") or (tax["domains"][0].name if tax["domains"] else None)
    evidence: dict = {"domain": {}, "themes": {}}
    if d_scores:
        ranked = sorted(d_scores, key=lambda n: (-d_scores[n], order.get(n, 99)))
        best = d_scores[ranked[0]]
        close = [n for n in ranked if d_scores[n] >= best * float(st.get("mixed_ratio", 0.4))]
        mixed = st.get("mixed_domain")
        if mixed and len(close) >= int(st.get("mixed_min_domains", 4)):
            domain = mixed
            evidence["domain"] = {mixed: [t for n in close for t in d_fired[n][:3]]}
        else:
            domain = ranked[0]
            evidence["domain"] = {domain: d_fired[domain]}
    t_scores, t_fired = _score("themes", title, text)
    t_order = {c.name: i for i, c in enumerate(tax["themes"])}
    themes: list[str] = []
    if t_scores:
        ranked = sorted(t_scores, key=lambda n: (-t_scores[n], t_order.get(n, 99)))
        best = t_scores[ranked[0]]
        floor = max(float(st.get("theme_min_score", 4)), best * float(st.get("theme_ratio", 0.35)))
        themes = [n for n in ranked if t_scores[n] >= floor][: int(st.get("max_themes", 4))]
        if not themes:
            themes = ranked[:1]
        evidence["themes"] = {n: t_fired[n] for n in themes}
    elif st.get("default_theme"):  # every case gets a theme; this one says it was not evidenced
        themes = [st["default_theme"]]
        evidence["themes"] = {themes[0]: ["未命中触发词，默认"]}
    return {"domain": domain, "themes": themes, "evidence": evidence,
            "scores": {"domain": d_scores, "themes": t_scores}}


def closest(term: str, kind: str) -> str | None:
    """The allowed domain/theme closest to `term` (for the validator's suggestions)."""
    key = {"domain": "domains", "domains": "domains", "theme": "themes", "themes": "themes"}.get(kind)
    if key is None:
        raise ValueError(f"kind 应为 domain 或 theme，而不是 {kind!r}")
    cats = load_taxonomy()[key]
    names = [c.name for c in cats]
    term = (term or "").strip()
    if not term or not names:
        return None
    if term in names:
        return term
    # containment first (党员教育 → 党员教育管理), then a trigger term, then string similarity
    for name in names:
        if term in name or name in term:
            return name
    norm = _norm(term).lower()
    for cat in cats:
        if any(norm == t.lower() for t, _ in cat.terms):
            return cat.name
    best = difflib.get_close_matches(term, names, n=1, cutoff=0.0)
    return best[0] if best else None


# ---------------------------------------------------------------- jieba

@functools.cache
def _stopwords() -> frozenset[str]:
    with open(DATA / "stopwords.txt", encoding="utf-8") as fh:
        return frozenset(w.strip() for w in fh if w.strip() and not w.startswith("#"))


@functools.cache
def _jieba():
    """A jieba tokenizer of our own with the user dictionary, full region names and the stop list,
    once per process. Not jieba's global one: MkDocs' search segments pages with that, and what a
    page's search entries look like must not depend on whether convert ran in the same process."""
    import logging

    import jieba
    import jieba.analyse
    import jieba.posseg
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.load_userdict(str(DATA / "userdict.txt"))
    # full region names as words, so 电白区 is not cut into 电/白区 (they are then dropped from tags)
    from . import regions
    for name in regions._db().by_name:
        if len(name) >= 3 and name not in tk.FREQ:
            tk.add_word(name, 50, "ns")
    pos = jieba.posseg.POSTokenizer(tk)
    pos.makesure_userdict_loaded()  # the user dictionary's tags join the part-of-speech table
    tfidf = jieba.analyse.TFIDF()
    tfidf.tokenizer, tfidf.postokenizer = tk, pos
    tfidf.set_stop_words(str(DATA / "stopwords.txt"))
    return tk, pos, tfidf


def lcut(text: str) -> list[str]:
    """jieba's words of `text` with the casebook's dictionary (user words and region names)."""
    return _jieba()[0].lcut(text)


_TOKEN_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def tokenize(text: str, drop_stopwords: bool = False) -> list[str]:
    """Words of `text` (jieba with the party-building user dictionary), punctuation removed."""
    stop = _stopwords() if drop_stopwords else frozenset()
    return [w for w in lcut(text or "") if w.strip() and _TOKEN_OK.search(w) and w not in stop]


@functools.cache
def _region_words() -> frozenset[str]:
    from . import regions
    db = regions._db()
    return frozenset(list(db.by_name) + list(db.by_short))


_TAG_POS = ("n", "nz", "vn", "nt", "l", "i", "j")
_NUMERIC = re.compile(r"^[\d.%+\-]+$|^\d")


def keywords(title: str, text: str, k_min: int = 3, k_max: int = 8) -> list[str]:
    """3–8 free tags: jieba TF-IDF keywords, without stop words, region names or numbers."""
    tk, pos, tfidf = _jieba()
    body = f"{title or ''}\n{title or ''}\n{text or ''}"
    stop = _stopwords()
    regions = _region_words()
    # Filter by each word's dictionary part of speech instead of `allowPOS`, which would run
    # jieba's slow part-of-speech tagger over the whole text (3.4x slower, same tags in 88% of cases).
    ranked = tfidf.extract_tags(body, topK=k_max * 8)
    tag_of = pos.word_tag_tab
    # user-dictionary terms carry no tag and are kept; words no dictionary knows are fragments
    # the HMM glued together (期第, 对村) or personal names, and are dropped
    def wanted(word: str) -> bool:
        return tag_of[word].startswith(_TAG_POS) if word in tag_of else bool(tk.FREQ.get(word))

    cands = [w for w in ranked if wanted(w)][: k_max * 4]
    if len(cands) < k_min * 2:      # short text: take any part of speech
        cands += [w for w in ranked[: k_max * 4] if w not in cands]
    out: list[str] = []
    for word in cands:
        if len(word) < 2 or word in stop or word in regions or _NUMERIC.search(word):
            continue
        if any(word.startswith(word[:k]) and word[:k] in regions for k in range(3, len(word))):
            continue                     # 广东省委, 湛江市委组织部: an office of a region
        if any(word in kept or kept in word for kept in out):
            continue
        out.append(word)
        if len(out) >= k_max:
            break
    return out


# ---------------------------------------------------------------- tag vocabulary


@dataclass(frozen=True)
class TagVocabulary:
    settings: dict
    groups: tuple[tuple[str, tuple[str, ...]], ...]   # (group name, its tags in order)
    surface: dict[str, str]                           # normalised written form -> tag
    not_tags: frozenset[str]                          # dictionary words that are never tags
    generic: frozenset[str]                           # generic words never proposed as candidates

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(t for _, names in self.groups for t in names)

    def group_of(self, tag: str) -> str | None:
        return next((g for g, names in self.groups if tag in names), None)


@functools.cache
def load_tag_vocabulary(path: Path | None = None) -> TagVocabulary:
    """The curated tags of data/tags.yaml; a malformed file raises ValueError naming the entry."""
    path = path or DATA / "tags.yaml"
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    groups, surface = [], {}
    for group in raw.get("groups") or []:
        if not isinstance(group, dict) or not group.get("name") or not isinstance(group.get("terms"), dict):
            raise ValueError(f"{path}: groups 中的条目应有 name 和 terms：{group!r}")
        names = []
        for tag, synonyms in group["terms"].items():
            tag = str(tag).strip()
            if not isinstance(synonyms, (list, type(None))):
                raise ValueError(f"{path}: 标签 {tag} 的同义写法应是列表：{synonyms!r}")
            for form in [tag, *(str(x) for x in synonyms or [])]:
                key = _norm(form).lower().strip()
                if key in surface and surface[key] != tag:
                    raise ValueError(f"{path}: “{form}”同时是 {surface[key]} 和 {tag} 的写法")
                surface[key] = tag
            names.append(tag)
        groups.append((str(group["name"]), tuple(names)))
    return TagVocabulary(raw.get("settings") or {}, tuple(groups), surface,
                         frozenset(str(w) for w in raw.get("not_tags") or []),
                         frozenset(str(w) for w in raw.get("generic") or []))


@functools.cache
def _tag_regex() -> re.Pattern | None:
    forms = sorted(load_tag_vocabulary().surface, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)), re.IGNORECASE) if forms else None


def vocabulary_tags(title: str, text: str) -> list[str]:
    """The case's tags: vocabulary terms (or their synonyms) found in title and text, the most
    mentioned first (a mention in the title counts `title_weight` times), at most `max_tags`."""
    vocab = load_tag_vocabulary()
    regex = _tag_regex()
    if regex is None:
        return []
    weight = float(vocab.settings.get("title_weight", 3))
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    offset = 0
    for part, mult in ((_norm(title), weight), (_norm(text), 1.0)):
        for m in regex.finditer(part):
            tag = vocab.surface[m.group(0).lower()]
            score[tag] = score.get(tag, 0.0) + mult
            first.setdefault(tag, offset + m.start())
        offset += len(part) + 1
    ranked = sorted(score, key=lambda t: (-score[t], first[t]))
    return ranked[: int(vocab.settings.get("max_tags", 8))]


_CANDIDATE_POS = ("n", "nz", "vn", "nt")   # nouns, proper nouns, verbal nouns, organisations


def _is_candidate(word: str, pos_of: dict, freq: dict, vocab: TagVocabulary) -> bool:
    """A word worth an editor's look: a noun the dictionary knows, not generic, not yet a tag."""
    key = _norm(word).lower()
    if key in vocab.surface or word in vocab.not_tags or word in vocab.generic:
        return False
    if any(key in form for form in vocab.surface):   # a piece of a known term (涣散 of 软弱涣散)
        return False
    tag = pos_of.get(word)
    if tag is None or not tag.startswith(_CANDIDATE_POS) or tag.startswith("nr"):
        return False
    # everyday words (人们, 内容, 关键) are common in jieba's general dictionary; field terms are not
    return freq.get(word, 0) <= int(vocab.settings.get("candidate_max_frequency", 1500))


def tag_candidates(cases: list[tuple[str, str, str]], min_cases: int | None = None,
                   page_of=None) -> list[dict]:
    """New terms for the vocabulary: jieba keywords of (id, title, text) cases that are nouns,
    not generic or stop words, not yet tags, and recur in at least `min_cases` cases from as many
    different pages (page_of(id) names a case's page; the cases cut from one compilation page
    count once). [{term, cases: [id, …]}], the most widespread first."""
    vocab = load_tag_vocabulary()
    min_cases = int(min_cases or vocab.settings.get("candidate_min_cases", 2))
    tk, pos, _ = _jieba()
    pos_of = pos.word_tag_tab
    seen: dict[str, list[str]] = {}
    for case_id, title, text in cases:
        for word in keywords(title, text, k_max=12):
            if _is_candidate(word, pos_of, tk.FREQ, vocab):
                seen.setdefault(word, []).append(case_id)
    page_of = page_of or (lambda case_id: case_id)
    out = [{"term": w, "cases": ids} for w, ids in seen.items() if len({page_of(i) for i in ids}) >= min_cases]
    return sorted(out, key=lambda d: (-len(d["cases"]), d["term"]))


def tag_measures(tag_lists: list[list[str]]) -> dict:
    """How a set of cases is tagged: tags in use, the most on one case, the share of tags that
    only one case uses (all of them and those outside the vocabulary)."""
    vocab = load_tag_vocabulary()
    use: dict[str, int] = {}
    for tags in tag_lists:
        for t in dict.fromkeys(tags):
            use[t] = use.get(t, 0) + 1
    single = [t for t, n in use.items() if n == 1]
    outside = [t for t in single if t not in vocab.tags]
    n = len(use) or 1
    return {"cases": len(tag_lists), "tags": len(use), "max_per_case": max(map(len, tag_lists), default=0),
            "untagged": sum(1 for t in tag_lists if not t), "single": len(single),
            "single_share": len(single) / n, "single_outside": len(outside),
            "single_outside_share": len(outside) / n, "outside": sorted(t for t in use if t not in vocab.tags)}


# ---------------------------------------------------------------- key figures

@functools.cache
def _figure_rules() -> dict:
    with open(DATA / "figure_rules.yaml", encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    units = sorted((str(u) for u in rules["units"]), key=len, reverse=True)
    skip = sorted((str(u) for u in rules["skip_units"]), key=len, reverse=True)
    num = r"\d+(?:\.\d+)?(?:\s*[-—~～至]\s*\d+(?:\.\d+)?)?"
    mag = r"(?:多|余|近)?(?:[十百千万亿]+)?(?:多|余)?"
    rules["_num"] = re.compile(
        rf"(?<![\d.第]){num}\s*{mag}\s*(?P<unit>{'|'.join(map(re.escape, units))})")
    rules["_skip"] = re.compile(rf"(?<![\d.]){num}\s*(?:{'|'.join(map(re.escape, skip))})")
    rules["strip_prefixes"] = sorted(rules.get("strip_prefixes") or [], key=len, reverse=True)
    return rules


_OPEN = "(（“‘《「『【["
_CLOSE = ")）”’》」』】]"
_SPLIT = set("，,。；;！!？?：:\n")


def _clauses(text: str) -> list[tuple[int, str]]:
    """(start, clause) pieces split at punctuation outside brackets and quotes."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SPLIT and depth == 0:
            if i > start:
                out.append((start, text[start:i]))
            start = i + 1
        if ch == "\n":
            depth = 0
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _outside_titles(clause: str, pos: int) -> bool:
    """True if position `pos` is not inside 《…》 (a cited document's title)."""
    return clause.count("《", 0, pos) <= clause.count("》", 0, pos)


def _weak(m: re.Match, rules: dict) -> bool:
    """A small structural count such as 4个程序 / 3个主题."""
    if m.group("unit") not in rules.get("structural_units", ()):
        return False
    digits = re.match(r"\d+(?:\.\d+)?", m.group(0))
    tail = m.group(0)[digits.end():]
    return float(digits.group(0)) < float(rules.get("small_number", 10)) and not re.search(r"[十百千万亿多余]", tail)


def figures(text: str) -> list[str]:
    """Key figures: clauses with numbers and units, cut verbatim from `text` (at most ~6)."""
    rules = _figure_rules()
    found = []
    for start, clause in _clauses(text or ""):
        piece = clause.strip()
        for prefix in rules["strip_prefixes"]:
            if piece.startswith(prefix) and len(piece) > len(prefix) + 4:
                piece = piece[len(prefix):].lstrip()
                break
        if not (rules["min_chars"] <= len(piece) <= rules["max_chars"]):
            continue
        hits = [m for m in rules["_num"].finditer(piece) if _outside_titles(piece, m.start())]
        if not hits:
            continue
        skipped = {m.start() for m in rules["_skip"].finditer(piece)}
        hits = [m for m in hits if m.start() not in skipped]
        if not hits:
            continue
        # the number must count something: the clause needs words besides the figure itself
        rest = rules["_num"].sub("", piece)
        if len(re.sub(r"[^\u4e00-\u9fff]", "", rest)) < 3:
            continue
        bonus = sum(2 for w in rules["bonus_words"] if w in piece)
        if not bonus and all(_weak(m, rules) for m in hits):
            continue
        score = len(hits) + bonus
        if "%" in piece or "％" in piece:
            score += 1
        found.append((score, start, piece))
    best = sorted(found, key=lambda t: (-t[0], t[1]))[: int(rules["max_figures"])]
    out: list[str] = []
    for _, _, piece in sorted(best, key=lambda t: t[1]):
        if piece not in out:
            out.append(piece)
    return out


# ---------------------------------------------------------------- all together

def tag(title: str, text: str) -> dict:
    """{domain, themes (1–4), tags (≤ 8, from the vocabulary), figures, evidence} for one case."""
    cls = classify(title, text)
    return {
        "domain": cls["domain"],
        "themes": cls["themes"],
        "tags": vocabulary_tags(title, text),
        "figures": figures(text),
        "evidence": cls["evidence"],
    }
