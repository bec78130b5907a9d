"""Line classification: keep (title / heading / paragraph / caption), drop (with a reason and
the rule that fired) or move to metadata. Builds the `casebook clean --json` object.

The rules themselves are data (data/clean_rules.yaml); this module applies them."""
from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import __version__
from . import repair as rp
from .rawinput import RawInputError, read_page

DATA_DIR = Path(__file__).parent / "data"
RULES_FILE = DATA_DIR / "clean_rules.yaml"

SENTENCE = re.compile(r"[。！？；，,;!?]")
STOP = re.compile(r"[。！？；!?;]")
# the same, on a page whose punctuation was folded to ASCII (有效覆盖.目前,全市…)
STOP_OR_FOLDED = re.compile(r"[。！？；!?;]|[\u3400-\u9fff”’）][.,](?=[\u3400-\u9fff“‘（])")
END_PUNCT = re.compile(r"[。；;：:，,、]$")
STRIP = " \t\u00a0\u3000\ufeff\u200b\u200c\u200d\u2002\u2003\u2009\x0b\x0c"
TRAIL_PIPES = re.compile(r"(?:\s*[|｜])+\s*$")
LEAD_PIPES = re.compile(r"^(?:[|｜]\s*)+")
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def rules_version() -> str:
    """Hash of every cleaning/repair data file, this code and the package version."""
    h = hashlib.sha256(__version__.encode())
    files = sorted(DATA_DIR.glob("clean_*")) + sorted(DATA_DIR.glob("repair_*"))
    here = Path(__file__).parent
    files += [here / "clean.py", here / "repair.py", here / "rawinput.py"]
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


RULES_VERSION = rules_version()


@dataclass
class Rule:
    name: str
    reason: str
    regex: re.Pattern
    max_len: int
    no_sentence: bool
    desc: str


@dataclass
class Rules:
    line: list
    chrome: dict
    structure: dict
    org: re.Pattern
    numbered: re.Pattern
    caption: re.Pattern
    descriptions: dict
    footer_outlet: dict


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    default_len = data.get("defaults", {}).get("max_len", 120)
    line = []
    desc = {}
    for r in data["line_rules"]:
        line.append(Rule(r["name"], r["reason"], re.compile(r["pattern"]), int(r.get("max_len", default_len)),
                         bool(r.get("no_sentence", False)), r.get("desc", "")))
        desc[r["name"]] = r.get("desc", "")
    st = data["structure"]
    for name, cfg in st.items():
        if isinstance(cfg, dict) and "desc" in cfg:
            desc[name] = cfg["desc"]
    desc["chrome-words"] = "网站菜单/页脚常用词组成的行 / menu and footer words"
    fo = dict(data["footer_outlet"])
    fo["_patterns"] = [re.compile(x) for x in fo["patterns"]]
    for key in ("site_name", "source_org", "source_media"):
        fo[key] = re.compile(fo[key])
    return Rules(line=line, chrome=data["chrome_words"], structure=st,
                 org=re.compile(st["author-org"]["pattern"]), numbered=re.compile(st["heading"]["numbered"]),
                 caption=re.compile(st["caption"]["pattern"]), descriptions=desc, footer_outlet=fo)


@dataclass
class Line:
    n: int
    raw: str            # the physical line as decoded
    s: str              # trimmed, Simplified (when the page is Traditional): what rules see
    status: str = ""    # "" undecided/content, "drop", "meta"
    reason: str = ""
    rule: str = ""
    groups: dict = field(default_factory=dict)
    kind: str = ""


def _drop(ln: Line, reason: str, rule: str, groups: dict | None = None) -> None:
    ln.status = "meta" if reason.startswith("meta:") else "drop"
    ln.reason, ln.rule = reason, rule
    if groups:
        ln.groups = {k: v for k, v in groups.items() if v}


def _trim(raw: str) -> str:
    s = raw.strip(STRIP)
    if "|" in s or "｜" in s:
        t = LEAD_PIPES.sub("", TRAIL_PIPES.sub("", s)).strip(STRIP)
        s = t or s  # a line of pipes only stays, for the debris rule to record
    return s


def _apply_line_rules(lines: list[Line], R: Rules) -> None:
    chrome = R.chrome
    words = chrome["words"]
    by_len: dict[int, list] = {}
    for ln in lines:
        s = ln.s
        n = len(s)
        has_sent = None
        applicable = by_len.get(n)
        if applicable is None:
            applicable = by_len[n] = [r for r in R.line if n <= r.max_len]
        for rule in applicable:
            if rule.no_sentence:
                if has_sent is None:
                    has_sent = bool(SENTENCE.search(s))
                if has_sent:
                    continue
            m = rule.regex.search(s)
            if m:
                _drop(ln, rule.reason, rule.name, m.groupdict())
                break
        if ln.status or n > chrome["max_len"]:
            continue
        if has_sent is None:
            has_sent = bool(SENTENCE.search(s))
        if not has_sent and sum(1 for w in words if w in s) >= chrome["min_hits"]:
            _drop(ln, chrome["reason"], "chrome-words")


def _is_org(s: str, R: Rules) -> bool:
    """An author organisation line (author-org pattern), not a subheading that ends like one."""
    ao = R.structure["author-org"]
    return bool(R.org.match(s)) and not s.endswith(tuple(ao.get("not_endings", ()))) \
        and not s.startswith(tuple(ao.get("verb_starts", ())))


def _tokens(s: str) -> list[str]:
    return [t for t in re.split(r"[\s\u00a0\u3000|｜/、·•]+", s) if t]


def _shared(tokens: list[str], k: int, share: float) -> bool:
    need = max(3, int(len(tokens) * share + 0.999))
    seen: dict[str, int] = {}
    for t in tokens:
        subs = {t[i:i + k] for i in range(len(t) - k + 1)}
        for sub in subs:
            seen[sub] = seen.get(sub, 0) + 1
    return any(c >= need for c in seen.values())


def _title_like(s: str, st: dict) -> bool:
    cfg = st["title"]
    if not (cfg["min_chars"] <= len(s) <= cfg["max_chars"]):
        return False
    if END_PUNCT.search(s) or "。" in s or "；" in s or ";" in s:
        return False
    if s.endswith("……") or s.endswith("..."):
        return False
    return True


def _structural(lines: list[Line], R: Rules) -> None:  # noqa: C901
    st = R.structure
    # running headers and footers first: the rules below then see the text without them, as a
    # second pass over cleaned text does
    _repeated_lines(lines, st)
    prose = _wrapped_prose(lines, st["hard-wrap"])
    # numbered headline lists ------------------------------------------------
    cfg = st["numbered-headlines"]
    num = re.compile(r"^(\d{1,3})\s*[.、．]\s*\S")
    run: list[Line] = []
    last = None

    def body_after(line: Line) -> bool:
        return any(not x.status and x.n > line.n and STOP.search(x.s) and len(x.s) > 40 for x in lines)

    def flush_numbered():
        # a short numbered list inside the article may be the article's own list; at the end of
        # the page (no body after it) or when long, it is a list of headline links
        if len(run) >= cfg["min_items_mid_page"] or (len(run) >= cfg["min_items"] and not body_after(run[-1])):
            sent = sum(1 for x in run if STOP.search(x.s))
            if all(len(x.s) <= cfg["max_chars"] for x in run) and sent <= cfg["max_sentence_items"] * len(run):
                for x in run:
                    if x.status != "meta":
                        _drop(x, cfg["reason"], "numbered-headlines")

    for ln in lines:
        if ln.status:
            continue  # lines another rule dropped are transparent to runs
        m = num.match(ln.s)
        if m:
            k = int(m.group(1))
            if last is not None and k == last + 1 and run:
                run.append(ln)
            else:
                flush_numbered()
                run = [ln]
            last = k
        else:
            flush_numbered()
            run, last = [], None
    flush_numbered()

    # single-line structures --------------------------------------------------
    seo, menu = st["seo-keywords"], st["menu-line"]
    for ln in lines:
        if ln.status or SENTENCE.search(ln.s) or ln.n in prose:
            continue
        toks = _tokens(ln.s)
        if len(toks) >= seo["min_items"] and (
                _shared(toks, seo["min_shared"], seo["share_of_items"])
                or (len(toks) >= seo["many_items"] and sum(map(len, toks)) >= seo["many_min_avg_chars"] * len(toks)
                    and _shared(toks, seo["min_shared_many"], seo["share_of_items"]))):
            _drop(ln, seo["reason"], "seo-keywords")
        elif len(toks) >= menu["min_items"] and all(len(t) <= menu["max_item_chars"] for t in toks):
            _drop(ln, menu["reason"], "menu-line")

    # runs of lines -----------------------------------------------------------
    def runs(pred):
        cur: list[Line] = []
        for ln in lines:
            if ln.status:
                continue
            if pred(ln):
                cur.append(ln)
            else:
                if cur:
                    yield cur
                cur = []
        if cur:
            yield cur

    mr = st["menu-run"]
    for r in list(runs(lambda x: len(x.s) <= mr["max_chars"] and not SENTENCE.search(x.s))):
        if len(r) >= mr["min_items"]:
            for x in r:
                _drop(x, mr["reason"], "menu-run")

    hr = st["headline-run"]
    for r in list(runs(lambda x: hr["min_chars"] <= len(x.s) <= hr["max_chars"] and _title_like(x.s, st)
                       and not R.numbered.match(x.s) and x.n not in prose)):
        if len(r) >= hr["min_items"]:
            # an e-paper's headline list names this article too, and the article then opens with
            # that headline again: the run ends where a headline repeats
            seen: set[str] = set()
            rest: list = []
            for k, x in enumerate(r):
                if x.s in seen:
                    r, rest = r[:k], r[k:]
                    break
                seen.add(x.s)
            # what follows the repeat is judged like any run (so cleaning the output changes nothing)
            for x in r + (rest if len(rest) >= hr["min_items"] else []):
                _drop(x, hr["reason"], "headline-run")

    # the issuing organisation above a closing date --------------------------------
    sig = st["signature"]
    for i, ln in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if not ln.status and len(ln.s) <= st["author-org"]["max_chars"] and _is_org(ln.s, R) \
                and nxt.reason == "meta:dateline" and nxt.rule in ("dateline-bare", "dateline-labelled"):
            _drop(ln, sig["reason"], "signature")

    # the author organisation closing an article: after a sentence end, before the next title --
    asg = st["article-signature"]
    for i, ln in enumerate(lines):
        if ln.status or i == 0 or len(ln.s) > st["author-org"]["max_chars"] or not re.match(asg["pattern"], ln.s):
            continue
        if _closes_article(lines, i, st):
            _drop(ln, asg["reason"], "article-signature")

    # author organisation directly under a title -------------------------------
    ao = st["author-org"]
    prev = None
    for ln in lines:
        if ln.status:
            continue
        if len(ln.s) <= ao["max_chars"] and _is_org(ln.s, R) and prev is not None \
                and _title_like(prev.s, st) and prev.s != ln.s:
            _drop(ln, ao["reason"], "author-org")
            continue
        prev = ln

    # the site's, platform's or channel's name at the top, above the headline --------------
    _site_names(lines, st)
    _forum_and_comments(lines, st)

    # zones: after a related-links header, and after the footer starts -------------
    lz, fz = st["link-list-zone"], st["footer-zone"]
    zone = None
    started = False
    for i, ln in enumerate(lines):
        if ln.status == "drop" and ln.rule == "list-header":
            zone = ("link", lz)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if zone and zone[0] == "link" and not started and not ln.status and nxt is not None and nxt.status == "meta" \
                and nxt.reason in ("meta:dateline", "meta:byline") and _title_like(ln.s, st):
            zone = None  # a headline with its dateline under it opens the article: the list is over
            continue
        if ln.status == "drop" and ln.reason in ("footer", "disclaimer") and started and zone is None:
            zone = ("footer", fz)
            continue
        if ln.status:
            continue
        if STOP.search(ln.s) and len(ln.s) > 40:
            started = True
            if zone and zone[0] == "link":
                zone = None
            continue
        if zone and len(ln.s) <= zone[1]["max_chars"] and ln.n not in prose \
                and (not STOP.search(ln.s) or (zone[0] == "link" and (LIST_ITEM.match(ln.s) or EXCLAIMED.match(ln.s)))):
            _drop(ln, zone[1]["reason"], "link-list-zone" if zone[0] == "link" else "footer-zone")


LIST_ITEM = re.compile(r"^(\d{1,2}\s*[.、．]|[·•●▪■◆])\s*\S")  # a numbered or bulleted link in a list
EXCLAIMED = re.compile(r"^[^。；;]{4,30}[！？!?]$")  # a headline that ends with ! or ? (“…请收好！”)


def _repeated_lines(lines: list[Line], st: dict) -> None:
    """Running headers and footers (PDF dumps): a short line that recurs min_count times."""
    cfg = st["repeated-line"]
    counts: dict[str, int] = {}
    for ln in lines:
        if not ln.status and len(ln.s) <= cfg["max_chars"] and not SENTENCE.search(ln.s):
            counts[ln.s] = counts.get(ln.s, 0) + 1  # a refrain in the text has punctuation; headers don't
    many = {k for k, v in counts.items() if v >= cfg["min_count"]}
    if many:
        for ln in lines:
            if not ln.status and ln.s in many:
                _drop(ln, cfg["reason"], "repeated-line")


def _forum_and_comments(lines: list[Line], st: dict) -> None:
    """The poster's name in a forum post header; reader comments and replies after the article."""
    fp, cz = st["forum-poster"], st["comments-zone"]
    for i in range(1, len(lines) - 1):
        ln = lines[i]
        if not ln.status and len(ln.s) <= fp["max_chars"] and not SENTENCE.search(ln.s) \
                and lines[i - 1].rule == "forum-chrome" and lines[i + 1].rule == "repost-stamp":
            _drop(ln, fp["reason"], "forum-poster")
    header, floor = re.compile(cz["header"]), re.compile(cz["floor"])
    prose = 0
    zone = False
    for ln in lines:
        if zone:
            if not ln.status:
                _drop(ln, cz["reason"], "comments-zone")
            continue
        if not ln.status and STOP.search(ln.s):
            prose += len(ln.s)  # the article has begun (wrapped text has short lines: no length test)
        elif (floor.match(ln.s) and prose >= cz["min_prose_before_floor"]
              or header.match(ln.s) and prose >= cz["min_prose_before"]) \
                and (not ln.status or ln.reason not in ("nav",) or ln.rule == "forum-chrome"):
            # a 最新评论 link in a menu, or a 发表评论 button above the article, opens nothing; a
            # forum's floor marker (2#, dropped as chrome) does
            zone = True
            if not ln.status:
                _drop(ln, cz["reason"], "comments-zone")


HINT_SEP = re.compile(r"\s+[-_|｜—–]+\s+|[_|｜]|\s*[-—–]{1,2}\s*(?=[^-—–]*$)")


def _title_hints(lines: list[Line], hints: list, R: Rules) -> None:
    """The page's <title>, og:title or sidecar title as evidence ("标题 - 某某网"): among the
    first content lines, one that is the hint's site part ("某某网") names the site and goes;
    one that is the hint's headline part is the title."""
    sn, st = R.structure["site-name"], R.structure
    lead = [ln for ln in lines if not ln.status][:sn["max_lead_lines"] + 1]
    for hint in hints:
        if not hint or not lead:
            continue
        parts = [x.strip() for x in HINT_SEP.split(str(hint)) if x and x.strip()]
        if len(parts) < 2:
            continue
        head = max(parts, key=len)
        sites = {x for x in parts if x != head}
        found = next((ln for ln in lead if _title_like(ln.s, st) and (ln.s == head or (len(ln.s) >= 6 and ln.s in head))), None)
        if found is None:
            continue
        before = True
        for ln in lead:
            if ln is found:
                before = False
            elif ln.s in sites and len(ln.s) <= sn["max_chars"]:
                _drop(ln, sn["reason"], "site-name")  # above or right under the headline (logo after <h1>)
            elif before:
                ln.kind = "heading"  # kept (a kicker or a channel name), but not the title
        found.kind = "title"
        return


NAME_MARKS = re.compile(r"[“”\"《》「」：:，。！？、（）()]")


def _is_site_name(s: str, sn: dict, echoes: list[str]) -> bool:
    """A line that names the site, platform or channel (rule site-name in clean_rules.yaml)."""
    if len(s) > sn["max_chars"] + sn["max_slogan_chars"] + 3:
        return False
    parts = re.split(sn["slogan_sep"], s, maxsplit=1)
    name = parts[0]
    if len(parts) == 2 and len(parts[1]) > sn["max_slogan_chars"]:
        return False
    if len(parts) == 2 and not NAME_MARKS.search(s) and len(parts[1]) <= sn["weak_max_chars"] \
            and re.fullmatch(sn["weak_pattern"], parts[1]):
        return True  # an owner and its platform: "国网某省电力有限公司 协同办公平台"
    if name in sn["known"]:
        return True
    if NAME_MARKS.search(s):
        return False  # headlines quote and colon; site names do not
    if name.endswith(tuple(sn["not_endings"])) or name.startswith(tuple(sn["verb_starts"])):
        return False
    if len(name) <= sn["max_chars"] and re.fullmatch(sn["pattern"], name):
        return True
    if len(name) <= sn["weak_max_chars"] and re.fullmatch(sn["weak_pattern"], name):
        return True
    return len(s) <= sn["echo_max_chars"] and any(s in e for e in echoes)


def _site_names(lines: list[Line], st: dict) -> None:
    """Drop the site/platform/channel names above the headline: lines among the first
    max_lead_lines content lines, before a title-like line that is no name itself. A candidate
    that a dateline or byline directly follows is the headline and stays, unless a later lead
    line is a headline by the same evidence (or has the body's first sentence under it)."""
    sn = st["site-name"]
    echoes = [x.s for x in lines if x.status == "meta" and x.reason in ("meta:dateline", "meta:byline")]
    content = [i for i, ln in enumerate(lines) if not ln.status][:sn["max_lead_lines"] + 1]

    def meta_next(i):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        return nxt is not None and nxt.status == "meta" and nxt.reason in ("meta:dateline", "meta:byline", "meta:author")

    def headline(k, i):  # content[k] = i
        if not _title_like(lines[i].s, st) or lines[i].s.startswith(("—", "-")):
            return False  # a subtitle (——某县…纪实) is no headline of its own
        body = k + 1 < len(content) and STOP.search(lines[content[k + 1]].s)
        return meta_next(i) or bool(body)

    # an account or outlet name that the dateline right under it repeats ("信阳日报" over
    # "2023-05-08 10:21 · 信阳日报社官方账号") names the source, wherever it sits in the lead
    # and an author account between the headline and its dateline (今日头条: headline / 沂蒙乡村观察 /
    # 2023-06-14 08:32·山东·…创作者): a short bare name under a headline at least twice as long
    for k, i in enumerate(content):
        ln, nxt = lines[i], (lines[i + 1] if i + 1 < len(lines) else None)
        bare = ln.s.rstrip(".。·")
        if nxt is None or nxt.status != "meta" or nxt.reason != "meta:dateline" \
                or not 2 <= len(bare) <= sn["echo_max_chars"] or NAME_MARKS.search(bare):
            continue
        above = lines[content[k - 1]] if k and content[k - 1] == i - 1 else None
        if bare in nxt.s or (above is not None and _title_like(above.s, st) and len(above.s) >= 2 * len(bare)):
            _drop(ln, sn["reason"], "site-name")
    content = [i for i in content if not lines[i].status]
    cn = st["channel-name"]
    items = {t for x in lines if x.status == "drop" and x.reason == "nav"
             for t in re.split(r"[\s\u00a0\u3000|｜/、·•>›»＞→:：]+", x.s) if 2 <= len(t) <= cn["max_chars"]}
    # the site's owner named again by the footer (主办：…): "廉韵彭城——中共某市纪律检查委员会"
    owners = [x.s for x in lines if x.status == "drop" and x.rule in ("site-owner", "copyright", "sponsor-line")]
    for i in content:
        if lines[i].s in items:
            _drop(lines[i], cn["reason"], "channel-name")
            continue
        # the name alone ("晋江市工商业联合会（总商会）" over "…（总商会） 版权所有") or with a slogan
        parts = [p for p in re.split(r"\s*(?:——|—|-{1,2}|｜|\|)\s*", lines[i].s) if p]
        if owners and not meta_next(i) \
                and any(len(p) >= sn["owner_min_chars"] and p in o for p in parts for o in owners):
            _drop(lines[i], sn["reason"], "site-name")
    content = [i for i in content if not lines[i].status]
    names = []
    for k, i in enumerate(content):
        ln = lines[i]
        headline_next = meta_next(i) and not any(headline(m, content[m]) for m in range(k + 1, len(content)))
        # a name the dateline repeats ("某市融媒" over "2023-08-09 10:12·某市融媒") is no headline
        bare = ln.s.rstrip(".。·")
        echoed = 2 <= len(bare) <= sn["echo_max_chars"] and not NAME_MARKS.search(bare) and any(bare in e for e in echoes)
        if echoed or (not headline_next and _is_site_name(ln.s, sn, echoes)):
            names.append(ln)
            continue
        if names and _title_like(ln.s, st):
            for x in names:
                _drop(x, sn["reason"], "site-name")
        return


def _kinds(lines: list[Line], R: Rules) -> None:
    st = R.structure
    hd, cap = st["heading"], st["caption"]
    photos = any(ln.reason == "meta:byline" and re.search(cap["photo_byline"], ln.s) for ln in lines)
    one_sentence = re.compile(cap["photo_sentence"])
    content = [i for i, ln in enumerate(lines) if not ln.status]
    first = content[0] if content else None
    listed = {ln.s for ln in lines if ln.rule == "headline-run"}  # an e-paper page's list of headlines

    def next_line(i):
        return lines[i + 1] if i + 1 < len(lines) else None

    def evidenced(i):  # a headline: title-like, a dateline/byline/author line right under it
        nxt = next_line(i)
        return _title_like(lines[i].s, st) and nxt is not None and nxt.status == "meta" \
            and nxt.reason in ("meta:author", "meta:dateline", "meta:byline") and not R.numbered.match(lines[i].s)

    # the first content line is the title only when no headline with that evidence follows among
    # the first lines (a site or channel name no rule knows stays, as a heading, above it)
    lead = content[:st["site-name"]["max_lead_lines"] + 1]
    if first is not None and not evidenced(first) and any(evidenced(i) for i in lead[1:]):
        first = None

    for i in content:
        ln = lines[i]
        s = ln.s
        nxt = next_line(i)
        tl = _title_like(s, st)
        if tl and nxt is not None and nxt.status == "meta" and nxt.reason in ("meta:author", "meta:dateline", "meta:byline") \
                and not R.numbered.match(s) and any(STOP_OR_FOLDED.search(x.s) for x in lines[i + 1:] if not x.status):
            ln.kind = "title"
            # two title lines run into one title (the first of them, when title-like too)
            prev = lines[i - 1] if i else None
            if prev is not None and not prev.status and prev.s in listed:
                prev.kind, ln.kind = "title", "heading"  # the headline the page's list names, then a subtitle
                continue
            if nxt.reason == "meta:author" and prev is not None and not prev.status and _title_like(prev.s, st) \
                    and len(prev.s) <= hd["max_chars"] and not R.numbered.match(prev.s):
                prev.kind = "title"
            continue
        if ln.kind:
            continue
        if i == first and tl and nxt is not None and not R.numbered.match(s):
            ln.kind = "title"
        elif len(s) <= cap["max_chars"] and R.caption.search(s):
            ln.kind = "caption"
        elif photos and one_sentence.match(s) and 0 < i and lines[i - 1].kind == "paragraph" \
                and nxt is not None:
            ln.kind = "caption"
        elif R.numbered.match(s) and len(s) <= hd["numbered_max_chars"] and not STOP.search(s) and nxt is not None:
            ln.kind = "heading"
        elif tl and len(s) <= hd["max_chars"] and nxt is not None:
            ln.kind = "heading"
        else:
            ln.kind = "paragraph"


def _repeated_titles(lines: list[Line], R: Rules) -> None:
    """A headline printed again under its dateline or byline (the body's own copy of it) is no
    heading. Only with such a metadata line between the two: cleaned text, which has none, keeps
    whatever it has."""
    title = None
    meta_since = False
    for ln in lines:
        if ln.status == "meta":
            meta_since = True
        elif ln.status:
            continue
        elif ln.kind == "title":
            title, meta_since = ln.s, False
        elif title is not None and ln.s == title and meta_since:
            _drop(ln, R.structure["title-repeat"]["reason"], "title-repeat")


def _closes_article(lines: list[Line], i: int, st: dict) -> bool:
    """Line i sits after an article's last sentence and before the next headline (or the end);
    the content lines around it count, dropped lines are transparent (as on a second pass)."""
    asg = st["article-signature"]
    prev = next((x for x in reversed(lines[:i]) if not x.status), None)
    nxt = next((x for x in lines[i + 1:] if not x.status), None)
    return prev is not None and bool(SENT_END.search(prev.s)) and len(prev.s) >= asg["min_sentence_chars"] \
        and bool(HAN_RE.search(prev.s)) and (nxt is None or _title_like(nxt.s, st))


def _signed_articles(lines: list[Line], R: Rules) -> None:
    """Several articles on one page, each closed by its author organisation (article-signature, or
    a credit line such as （某县委组织部供稿） or （作者单位：…）): the heading that opens each signed
    article is its title."""
    closers = {"article-signature", *R.structure["article-signature"]["credit_rules"]}
    sigs = [i for i, ln in enumerate(lines) if ln.rule in closers
            and (ln.rule == "article-signature" or _closes_article(lines, i, R.structure))]
    if len(sigs) < R.structure["article-signature"]["min_articles"]:
        return
    start = 0
    for s in sigs:
        head = None
        if start:  # after a signature: the next content line opens the next article
            head = next((x for x in lines[start:s] if not x.status), None)
            if head is not None and head.kind not in ("heading", "title"):
                head = None
        else:  # the first article: the heading nearest above its signature
            for i in range(s - 1, -1, -1):
                ln = lines[i]
                if ln.status:
                    continue
                if ln.kind in ("heading", "title"):
                    head = ln
                    break
        if head is not None and head.kind == "heading" and _title_like(head.s, R.structure):
            head.kind = "title"
        if head is not None and start == 0:
            # a title above the first signed article heads the collection (县区经验交流（之三）
            # over its editor's note), not an article of its own
            for ln in lines[:lines.index(head)]:
                if ln.kind == "title" and not ln.status:
                    ln.kind = "heading"
        start = s + 1


# a wrapped line ends anywhere but after sentence punctuation; a closing quote or bracket alone
# (…建立“流动党员之家” | 九个，…) closes a quoted term, not the sentence
WRAP_END = re.compile(r"[。！？；：!?;:…][”」』）)]*$")
SENT_END = re.compile(r"[。！？!?；;…][”」』）)]?$")
HAN_RE = re.compile(r"[\u3400-\u9fff]")


def _wrap_width(texts: list[str], cfg: dict) -> int | None:
    """The fixed width a page's paragraphs are hard-wrapped at, or None (rule hard-wrap)."""
    widths: dict[int, int] = {}
    for t in texts:
        if len(t) >= cfg["min_width"] and not WRAP_END.search(t):
            widths[len(t)] = widths.get(len(t), 0) + 1
    if not widths:
        return None
    tol = cfg["tolerance"]

    def near(w):
        return sum(widths.get(k, 0) for k in range(w - tol, w + tol + 1))

    width = max(widths, key=near)
    long_lines = sum(1 for t in texts if len(t) >= cfg["min_width"])
    if near(width) < cfg["min_lines"] or near(width) < cfg["min_share"] * long_lines:
        return None  # a page with wrapped text is made of such lines, not a few of them
    return width


def _wrapped_prose(lines: list[Line], cfg: dict) -> set[int]:
    """Line numbers of hard-wrapped paragraph lines: consecutive physical lines at the page's wrap
    width, ending mid-sentence, closed by a line that ends a sentence, with sentence punctuation
    inside. Rules for runs of headlines, menus and link zones never take these lines (a sentence
    that continues on the next line is body text, whatever its length)."""
    # a line that opens on a full-width comma or full stop continues the sentence of the line
    # above (wrapped text of any width, blank lines or not): both lines are prose
    out: set[int] = set()
    for x, y in zip(lines, lines[1:]):
        if y.s[:1] in "，。、；" and len(y.s) >= cfg["min_width"] // 2 \
                and HAN_RE.search(y.s) and len(HAN_RE.findall(x.s)) >= cfg["min_width"] // 2:
            out.update((x.n, y.n))
    width = _wrap_width([ln.s for ln in lines], cfg)
    if width is None:
        return out
    tol = cfg["tolerance"]

    def wrapped(t):
        return abs(len(t) - width) <= tol and not WRAP_END.search(t) and HAN_RE.search(t)

    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and wrapped(lines[j].s) and lines[j + 1].n == lines[j].n + 1 \
                and not lines[j].status and not lines[j + 1].status:
            j += 1
        if j - i + 1 >= cfg["min_lines"] and SENT_END.search(lines[j].s) and HAN_RE.search(lines[j].s) and any(SENTENCE.search(x.s) for x in lines[i:j + 1]):
            out.update(x.n for x in lines[i:j + 1])
        i = j + 1
    return out


def _join_wrapped(blocks: list[dict], cfg: dict) -> list[dict]:
    """Paragraphs hard-wrapped at a fixed width (text dumps of PDFs) become one block each."""
    width = _wrap_width([b["text"] for b in blocks], cfg)
    if width is None:
        return blocks
    tol = cfg["tolerance"]

    def wrapped(t):
        return abs(len(t) - width) <= tol and not WRAP_END.search(t) and HAN_RE.search(t)

    out: list[dict] = []
    i = 0
    while i < len(blocks):
        j = i
        # a run: wrapped lines on consecutive physical lines, closed by a line that ends a sentence
        while j + 1 < len(blocks) and wrapped(blocks[j]["text"]) and blocks[j + 1]["kind"] != "title" \
                and blocks[j + 1]["lines"][0] == blocks[j]["lines"][1] + 1:
            j += 1
        if j > i and SENT_END.search(blocks[j]["text"]):
            text = ""
            for b in blocks[i:j + 1]:
                t = b["text"]
                sep = " " if text[-1:].isascii() and text[-1:].isalnum() and t[:1].isascii() and t[:1].isalnum() else ""
                text += sep + t
            out.append({"kind": "paragraph", "text": text, "lines": [blocks[i]["lines"][0], blocks[j]["lines"][1]]})
            i = j + 1
        else:
            b = dict(blocks[i], lines=list(blocks[i]["lines"]))
            if b["kind"] == "heading" and wrapped(b["text"]) and len(b["text"]) >= width - cfg["heading_margin"]:
                b["kind"] = "paragraph"  # a line cut at the wrap width is a fragment, never a heading
            out.append(b)
            i += 1
    return out


def _join_broken_titles(blocks: list[dict], cfg: dict) -> list[dict]:
    """A title broken over two lines inside a quotation or a book title (关于印发《某某县…培养 |
    三年行动方案》的通知): the next line closes what the title opened, so both are the title."""
    def _unbalanced(t: str) -> bool:
        return any(t.count(pair[0]) > t.count(pair[1]) for pair in cfg["pairs"])

    out: list[dict] = []
    for b in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev["kind"] == "title" and b["kind"] in ("heading", "title") \
                and b["lines"][0] == prev["lines"][1] + 1 and _unbalanced(prev["text"]) \
                and not _unbalanced(prev["text"] + b["text"]):
            out[-1] = dict(prev, text=prev["text"] + b["text"], lines=[prev["lines"][0], b["lines"][1]])
            continue
        out.append(b)
    return out


SENTENCE_SPLIT = re.compile(r"(?<=[。！？；!?;])")
TITLE_BREAK = re.compile(r"[\s，。：；！？、,.:;!?|｜]")


def run_together_split(title: str, body: list[str], cfg: dict) -> int | None:
    """Where a title that runs two headlines together splits, or None.

    The second headline opens with a place name that is the article's subject: it starts at
    least `min_starts` body sentences, and the body also writes it with an administrative
    suffix (斗门 → 斗门区), which shows it is a place. 基层党组织建设…千条线 | 斗门党建引领…示范区"""
    if len(title) < cfg["min_chars"] or TITLE_BREAK.search(title):
        return None
    starts: dict[str, int] = {}
    for text in body:
        for sentence in SENTENCE_SPLIT.split(text):
            sentence = sentence.lstrip(" “\"「『（(")
            for k in cfg["name_chars"]:
                if len(sentence) >= k:
                    starts[sentence[:k]] = starts.get(sentence[:k], 0) + 1
    joined = "\n".join(body)
    best = None
    lo, hi = cfg["min_part_chars"], len(title) - cfg["min_part_chars"]
    for i in range(lo, hi + 1):
        for k in cfg["name_chars"]:
            name = title[i:i + k]
            if len(name) < k or not HAN_RE.fullmatch(name[0]) or not all(HAN_RE.fullmatch(c) for c in name):
                continue
            count = starts.get(name, 0)
            if count >= cfg["min_starts"] and any(name + suffix in joined for suffix in cfg["place_suffixes"]):
                key = (count, k)
                if best is None or key > best[0]:
                    best = (key, i)
    return best[1] if best else None


def _split_run_together_titles(blocks: list[dict], repairs: list[dict], cfg: dict) -> None:
    """A title running two headlines together becomes both, joined by a space (a declared repair)."""
    body = [b["text"] for b in blocks if b["kind"] == "paragraph"]
    for block in blocks:
        if block["kind"] != "title":
            continue
        at = run_together_split(block["text"], body, cfg)
        if at is None:
            continue
        after = block["text"][:at] + " " + block["text"][at:]
        repairs.append({"kind": "title-split", "lines": list(block["lines"]), "before": block["text"], "after": after})
        block["text"] = after


def _iso(m: re.Match | None) -> str | None:
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1949 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


AUTHOR_LABEL = re.compile(r"^[(（【\[]?\s*(作者单位|供稿单位|撰稿单位|来稿单位|发布机构|发文机关|发文单位|发布单位|制发机关|信息提供单位)\s*[:：]\s*|[)）】\]]$")
SOURCE_TRAILER = re.compile(r"(?:转自|转载自|转引自|摘自|选自|原载于?|来源于?|来自|稿件来源)\s*[:：]?\s*([^\s()（）【】\[\]，。]{2,30})")
BYLINE_DATE = re.compile(r"(?:发布时间|发布日期|发表时间|发稿时间|时间|日期)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
BYLINE_LABEL = re.compile(r"^[\[【(（]?\s*(文\s*[/／|丨]\s*图|图\s*[/／|丨]\s*文|文字|文|图|采写|撰稿|撰文|作者|摄影|摄像|图片|供稿|整理|执笔)\s*[:：/／|丨]?\s*")
PERSON_LABEL = re.compile(r"(本报记者|本台记者|本网记者|特约记者|见习记者|融媒体记者|全媒体记者|通讯员|记者)")
# an author field among a dateline's fields (2023-09-08 来源：皖西日报 作者：王晓燕 程家宝 编辑：…)
BYLINE_IN_DATELINE = re.compile(r"(?:^|\s)((?:作者|记者|通讯员|撰稿|撰文)\s*[:：]\s*[^\s:：|｜丨]{2,20}"
                                r"(?:\s[\u4e00-\u9fff·]{2,4}(?![\u4e00-\u9fff·]|\s*[:：]))*)")
LEAD_BYLINE = re.compile(r"^(?:[\u4e00-\u9fff]{1,12}?(?:\d{1,2}月\d{1,2}日)?电|本报讯|本台讯|本网讯|本刊讯)\s*"
                         r"[（(]((?:记者|通讯员|本报记者|特约记者|见习记者)?[^（）()]{2,40})[）)]")
OUTLET_IN_BYLINE = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:日报|晚报|报社|电视台|广播电视台|新闻网|融媒体中心))(?:记者|通讯员)")


def _names(byline: str) -> list[str]:
    s = BYLINE_LABEL.sub("", byline.strip("[]【】()（） "))
    names = []
    for tok in re.split(r"[\s\u00a0\u3000、,，;；]+", s):
        tok = OUTLET_IN_BYLINE.sub("", tok)
        tok = PERSON_LABEL.sub(" ", tok).strip(" :：")
        for part in tok.split():
            part = BYLINE_LABEL.sub("", part).strip(" :：")
            if 2 <= len(part) <= 4 and re.fullmatch(r"[\u4e00-\u9fff·]+", part) and part not in names:
                names.append(part)
    return names


def _meta(lines: list[Line], traditional: bool, sidecar: dict, html_meta: dict) -> dict:  # noqa: C901
    bylines, authors, outlet, published, republished = [], [], None, None, None
    source_orgs, account = [], None
    byline_date = labelled = None
    for ln in lines:
        if ln.status != "meta":
            continue
        fix = rp.repair_line(ln.s, traditional=False, byline=True, warn=False)
        text = re.sub(r"[\s\u00a0\u3000]+", " ", fix.text).strip()
        if ln.reason == "meta:byline":
            bylines.append(text)
            m = BYLINE_DATE.search(text)  # 作者：党委组织部 发布时间：2023-06-28 浏览次数：1562
            if m and not byline_date:
                byline_date = _iso(DATE.search(m.group(1)))
            m = OUTLET_IN_BYLINE.search(text)
            if m and not outlet:
                outlet = m.group(1)
        elif ln.reason == "meta:author":
            org = re.sub(r"(文件|简报|通报|专报|供稿|提供|报送)$", "", AUTHOR_LABEL.sub("", text).strip("（）()【】[] "))
            if org not in authors:
                authors.append(org)
        elif ln.reason == "meta:dateline":
            if "repost" in ln.groups:
                d = _iso(DATE.search(ln.groups["repost"]))
                republished = republished or d
            elif not published or (ln.rule == "dateline-labelled" and not labelled):
                d = _iso(DATE.search(ln.groups.get("date", "") or text))
                published = published or d
                if ln.rule == "dateline-labelled":
                    labelled = labelled or d
            m = re.search(r"(?:来源|稿源|出处)\s*[:：|｜丨]\s*([^\s:：|｜丨]{2,30})", text) \
                or (ln.rule.startswith("source-trailer") and SOURCE_TRAILER.search(text))
            if m and not outlet:
                if _is_source_org(m.group(1)):  # 来源：柯城区委组织部: the author, not the publisher
                    source_orgs += [x for x in re.split(r"[、,，]", m.group(1)) if x]
                else:
                    outlet = m.group(1)
            if ln.rule == "dateline-inline" and not account:  # 原创 作者 公众号 2023-04-11 18:30 发表于…
                before = text[:max(0, text.find(ln.groups.get("date", "\0")))].split()
                account = before[-1] if before and before[-1] != "原创" else None
            people = [m.group(1) for m in BYLINE_IN_DATELINE.finditer(text)]
            if people:
                bylines.append(" ".join(people))
    # labelled dates first (发布时间：…), then a date inside a byline, then bare datelines
    published = labelled or byline_date or published
    reposted = any(ln.rule == "source-disclaimer" for ln in lines)
    if republished and not published and not reposted:
        # a repost stamp is the publication date unless the article speaks of earlier years only,
        # or the page says it reposts the article (本文章内容来源于网络…): then it is the repost's date
        y = int(republished[:4])
        body_years = [int(x) for ln in lines if ln.status == "" for x in YEAR.findall(ln.s)]
        if not body_years or max(body_years) >= y - 1:
            published = republished
    html_credit = not bylines and bool(html_meta.get("byline"))
    if html_credit:
        bylines.append(html_meta["byline"])
    if not bylines:  # the reporters in the lead: 人民网贵阳6月14日电（杨钦、罗文涛）, 本报讯（记者 王某）
        lead = next((ln.s for ln in lines if not ln.status and ln.kind == "paragraph"), "")
        m = LEAD_BYLINE.match(lead)
        if m and _names(m.group(1)):
            bylines.append(m.group(1).strip())
    if not authors and html_credit and html_meta.get("authors"):  # the credit the HTML header or trailer gives
        authors = [x for x in html_meta["authors"] if isinstance(x, str)]
    if not authors:
        for b in bylines:
            for name in _names(b):
                if name not in authors:
                    authors.append(name)
    authors += [org for org in source_orgs if org not in authors]
    published = published or _iso(DATE.search(str(html_meta.get("published") or ""))) \
        or _iso(DATE.search(str(sidecar.get("published") or "")))
    if outlet in load_rules().footer_outlet.get("not_outlets", ()):
        outlet = None  # 来源：网络 names no outlet
    outlet = outlet or html_meta.get("outlet") or sidecar.get("site") or account or footer_outlet(lines) \
        or (source_orgs[0] if len(source_orgs) == 1 else None)
    if outlet and traditional:
        outlet = rp.to_simplified(outlet)
    url = sidecar.get("url") or html_meta.get("url")
    meta = {"published": published, "outlet": outlet, "byline": "; ".join(bylines) or None,
            "authors": authors, "url": url}
    if republished and republished != published:
        meta["republished"] = republished
    return meta


def _is_source_org(name: str) -> bool:
    cfg = load_rules().footer_outlet
    return bool(cfg["source_org"].search(name)) and not cfg["source_media"].search(name)


def footer_outlet(lines: list[Line]) -> str | None:
    """The site's name (dropped at the top of the page) or owner (from the dropped footer), for a
    page that names no outlet itself: data/clean_rules.yaml `footer_outlet`."""
    R = load_rules()
    cfg = R.footer_outlet
    for k, ln in enumerate(lines):  # the site's name alone on a line above the headline
        top = k < cfg["top_lines"] and ln.rule in cfg["named_line_rules"]
        if ln.status == "drop" and (ln.rule in cfg["whole_line_rules"] or top):
            name = re.split(R.structure["site-name"]["slogan_sep"], ln.s, maxsplit=1)[0].strip()
            if not top or cfg["site_name"].match(name):
                return name
    footer = [ln for ln in lines if ln.status == "drop" and ln.reason in cfg["reasons"]]
    for pattern in cfg["_patterns"]:
        for ln in footer:
            m = pattern.search(ln.s)
            if m:
                name = m.group("outlet").strip(" :：|｜·")
                if len(name) >= cfg["min_chars"] and not name.startswith(tuple(cfg["not_names"])):
                    return name
    return None


def _record_drops(lines: list[Line]) -> list[dict]:
    out: list[dict] = []
    for ln in lines:
        if not ln.status:
            continue
        prev = out[-1] if out else None
        if prev and ln.status == "drop" and prev["reason"] == ln.reason and prev["rule"] == ln.rule \
                and prev["_last"] is not None and all(not x.s for x in lines[prev["_last"]:ln.n - 1]) \
                and not ln.reason.startswith("meta:"):
            prev["lines"][1] = ln.n
            prev["text"].append(ln.raw.strip(STRIP))  # joined once at the end: linear on spam pages
            prev["_last"] = ln.n
            continue
        out.append({"lines": [ln.n, ln.n], "reason": ln.reason, "rule": ln.rule,
                    "text": [ln.raw.strip(STRIP)], "_last": ln.n})
    for d in out:
        del d["_last"]
        d["text"] = "\n".join(d["text"])
    return out


def clean_text(text: str, source: str = "<text>", sidecar: dict | None = None, *,  # noqa: C901
               html_meta: dict | None = None, encoding: str | None = None, fmt: str = "text") -> dict:
    """Clean one decoded page. Never raises on text input; returns the README contract object."""
    sidecar = sidecar or {}
    html_meta = html_meta or {}
    R = load_rules()
    if text.startswith("\ufeff"):
        text = text[1:]
    raw_lines = LINE_SPLIT.split(text)

    # rules see Simplified text whatever the page's script, so the same line is classified
    # the same way on every page (and on a second pass over cleaned text)
    simp_lines = raw_lines
    if not text.isascii():
        simp = rp.to_simplified(text)  # one call for the page; OpenCC keeps line breaks
        if simp != text:
            simp_lines = LINE_SPLIT.split(simp)
            if len(simp_lines) != len(raw_lines):
                simp_lines = [rp.to_simplified(x) for x in raw_lines]
    lines = [Line(n, raw, _trim(simp_lines[n - 1])) for n, raw in enumerate(raw_lines, 1)]
    nonblank = [ln for ln in lines if ln.s]
    _apply_line_rules(nonblank, R)
    _structural(nonblank, R)
    _title_hints(nonblank, [sidecar.get("title"), html_meta.get("title"), html_meta.get("html_title")], R)
    _kinds(nonblank, R)
    _signed_articles(nonblank, R)
    _repeated_titles(nonblank, R)

    blocks, repairs, warnings = [], [], []
    extra_drops = []
    stuffed = R.structure["stuffed-title"]
    # mojibake first, then the script of what stays decides Traditional -> Simplified
    kept: list[tuple[Line, rp.Fix]] = []
    for ln in nonblank:
        if ln.status:
            continue
        pre = rp.Fix(_trim(ln.raw))
        pre.text = rp.fix_mojibake(pre.text, pre)
        kept.append((ln, pre))
    script = rp.page_script("\n".join(pre.text for _, pre in kept))
    traditional = script == "traditional"
    for ln, pre in kept:
        src = pre.text
        for kind, before, after in pre.repairs:
            repairs.append({"kind": kind, "lines": [ln.n, ln.n], "before": before, "after": after})
        for kind, msg in pre.warnings:
            warnings.append({"kind": kind, "lines": [ln.n, ln.n], "message": msg})
        if ln.kind == "title":
            tag = re.match(R.structure["title-tag"]["pattern"], src)
            if tag and len(src) > tag.end():  # "[原创] 城口县…": the forum's post tag, not the headline
                extra_drops.append({"lines": [ln.n, ln.n], "reason": R.structure["title-tag"]["reason"],
                                    "rule": "title-tag", "text": tag.group(0).strip(STRIP)})
                src = src[tag.end():]
            toks = src.split()
            if len(toks) >= stuffed["min_items"] and len(toks[0]) >= stuffed["min_kept_chars"] \
                    and _shared(toks, stuffed["min_shared"], stuffed["share_of_items"]):
                keep = toks[0]
                extra_drops.append({"lines": [ln.n, ln.n], "reason": stuffed["reason"], "rule": "stuffed-title",
                                    "text": src[src.index(keep) + len(keep):].strip(STRIP)})
                src = keep
        fix = rp.repair_line(src, traditional=traditional, mojibake=False)
        for kind, before, after in fix.repairs:
            repairs.append({"kind": kind, "lines": [ln.n, ln.n], "before": before, "after": after})
        for kind, msg in fix.warnings:
            warnings.append({"kind": kind, "lines": [ln.n, ln.n], "message": msg})
        if fix.text:
            blocks.append({"kind": ln.kind or "paragraph", "text": fix.text, "lines": [ln.n, ln.n]})

    blocks = _join_wrapped(blocks, R.structure["hard-wrap"])
    blocks = _join_broken_titles(blocks, R.structure["broken-title"])
    _split_run_together_titles(blocks, repairs, R.structure["run-together-title"])
    meta = _meta(nonblank, traditional, sidecar, html_meta)
    title = next((b["text"] for b in blocks if b["kind"] == "title"), None)
    if not title:
        cand = sidecar.get("title") or html_meta.get("title") or html_meta.get("html_title")
        if cand:
            cand = re.split(r"\s+[-_|｜—]+\s+|[_|｜]", cand)[0].strip()
            title = rp.repair_line(cand, traditional=rp.page_script(cand) == "traditional", warn=False).text or None
    if not blocks:
        warnings.append({"kind": "empty", "lines": [1, max(1, len(raw_lines))], "message": "页面没有留下任何正文"})
    return {
        "source": source,
        "title": title,
        "meta": meta,
        "blocks": blocks,
        "dropped": sorted(_record_drops(nonblank) + extra_drops, key=lambda d: d["lines"][0]),
        "repairs": repairs,
        "warnings": warnings,
        "encoding": encoding,
        "format": fmt,
        "script": script,
        "rules_version": RULES_VERSION,
    }


def clean_file(path) -> dict:
    """Read, decode, extract (HTML) and clean one raw page. Raises RawInputError when unreadable."""
    page = read_page(path)
    res = clean_text(page.text, str(path), page.sidecar, html_meta=page.html_meta,
                     encoding=page.encoding, fmt=page.format)
    res["warnings"] = page.warnings + res["warnings"]
    return res


def describe(rule: str) -> str:
    """The one-line description of a rule, for editors asking why a line went."""
    return load_rules().descriptions.get(rule, "")


# ------------------------------------------------------------------ CLI
DATA_DIR_MESSAGES = Path(__file__).parent / "data" / "messages.yaml"


def add_parser(sp) -> None:
    sp.add_argument("files", nargs="+", metavar="文件", help="原始网页（.txt/.html/.htm）")
    sp.add_argument("--json", action="store_true",
                    help="输出清洗结果 JSON（每个文件一个对象，多个文件时每行一个；字段名为英文，供程序读取）")


def _messages() -> dict:
    with open(DATA_DIR_MESSAGES, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _summary(res: dict) -> str:
    from .convert import drop_reason

    kinds: dict[str, int] = {}
    for b in res["blocks"]:
        kinds[b["kind"]] = kinds.get(b["kind"], 0) + 1
    reasons: dict[str, int] = {}
    for d in res["dropped"]:
        reasons[d["reason"]] = reasons.get(d["reason"], 0) + d["lines"][1] - d["lines"][0] + 1
    rep: dict[str, int] = {}
    for r in res["repairs"]:
        rep[r["kind"]] = rep.get(r["kind"], 0) + 1
    block_names = {"title": "标题", "heading": "小标题", "paragraph": "段落", "caption": "图片说明"}
    fmt = lambda d, names=None: "，".join(f"{(names or {}).get(k, k)} {v}" for k, v in sorted(d.items())) or "无"  # noqa: E731
    dropped = "，".join(f"{drop_reason(k)} {v}" for k, v in sorted(reasons.items())) or "无"
    return (f"{res['source']}：{res.get('encoding')}/{res.get('format')}/{res.get('script')}；"
            f"标题：{res['title'] or '（无）'}\n  保留 {len(res['blocks'])} 块（{fmt(kinds, block_names)}）；"
            f"删除行：{dropped}；修复：{fmt(rep, _messages()['repair_kinds'])}；警告 {len(res['warnings'])} 条")


def run(args) -> int:
    from pathlib import Path

    from tqdm import tqdm

    status = 0
    done = failed = 0
    bar = tqdm(total=len(args.files), unit="页", desc="清洗", file=sys.stderr, leave=False,
               disable=len(args.files) < 20 or not sys.stderr.isatty())
    for f in args.files:
        bar.update(1)
        if not Path(f).exists():
            print(f"casebook clean：{f}：文件不存在，请检查文件名和路径", file=sys.stderr)
            status, failed = 1, failed + 1
            continue
        if Path(f).is_dir():
            print(f"casebook clean：{f}：这是一个文件夹，请给出网页文件（如 {f}/*.txt）", file=sys.stderr)
            status, failed = 1, failed + 1
            continue
        try:
            res = clean_file(f)
        except RawInputError as exc:
            print(f"casebook clean：{exc}", file=sys.stderr)
            status, failed = 1, failed + 1
            continue
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the others
            print(f"casebook clean：{f}：内部错误（请报告）：{type(exc).__name__}: {exc}", file=sys.stderr)
            status, failed = 1, failed + 1
            continue
        done += 1
        if args.json:
            sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
        else:
            print(_summary(res))
    bar.close()
    if len(args.files) > 1 and not args.json:
        print(f"清洗了 {done} 个网页" + (f"，{failed} 个没有处理（见上面的说明）" if failed else ""))
    return status
