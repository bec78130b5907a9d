"""Text repairs on one line at a time: mojibake from GBK byte slips, Traditional -> Simplified,
pinyin glosses, width-folded punctuation, '+' lost as a space, padded names; and warnings for
what cannot be repaired (censored runs, stripped numbers, unrepairable garbage).

Every function returns the new text plus the repairs it made as (kind, before, after) and
the warnings as (kind, message), so clean.py can record each one with its line number."""
from __future__ import annotations

import codecs
import functools
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "repair_rules.yaml"
HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Fix:
    text: str
    repairs: list = field(default_factory=list)    # (kind, before, after)
    warnings: list = field(default_factory=list)   # (kind, message)


@functools.lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ Traditional -> Simplified
@functools.lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


@functools.lru_cache(maxsize=1)
def _keep_re():
    t2s, s2t = _opencc()
    keep = {}
    for term in rules()["traditional"]["keep"]:
        keep[term] = term
        keep[s2t.convert(term)] = term
    alts = sorted(keep, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alts))), keep


def page_script(text: str) -> str:
    """'traditional' when enough Han characters change under t2s, 'simplified' when Han text
    does not, 'none' without Han text."""
    han = HAN.findall(text)
    if not han:
        return "none"
    t2s, _ = _opencc()
    sample = "".join(han)
    conv = t2s.convert(sample)
    if conv == sample:
        changed = 0
    elif len(conv) == len(sample):
        changed = sum(map(operator.ne, sample, conv))
    else:
        changed = len(sample)
    cfg = rules()["traditional"]
    if changed >= cfg["min_chars"] and changed / len(han) >= cfg["min_share"]:
        return "traditional"
    return "simplified"


def to_simplified(text: str) -> str:
    """OpenCC t2s, except for the protected spellings (乾务镇 stays 乾务镇)."""
    t2s, _ = _opencc()
    pat, keep = _keep_re()
    out, last = [], 0
    for m in pat.finditer(text):
        out.append(t2s.convert(text[last:m.start()]))
        out.append(keep[m.group(0)])
        last = m.end()
    out.append(t2s.convert(text[last:]))
    return "".join(out)


# ------------------------------------------------------------------ mojibake
@functools.lru_cache(maxsize=1)
def _words() -> dict:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


def coverage(text: str) -> float:
    """Share of Han characters that sit inside a dictionary word of 2+ characters."""
    covered, han = _cover_counts(text)
    return covered / han if han else 0.0


CJK_PUNCT = set("“”‘’，。、；：！？（）《》〈〉「」『』【】—…·\ufffd")


def _reads(text: str) -> int:
    """How well a stretch reads: Han characters inside dictionary words, minus those outside,
    minus twice the symbols Chinese text does not use (∈, ＃ …)."""
    covered, han = _cover_counts(text)
    odd = sum(1 for c in text if not c.isascii() and not HAN.match(c) and c not in CJK_PUNCT)
    return covered - (han - covered) - 2 * odd


def _cover_counts(text: str) -> tuple[int, int]:
    words = _words()
    n = len(text)
    covered = [False] * n
    i = 0
    while i < n:
        for size in (6, 5, 4, 3, 2):
            w = text[i:i + size]
            if len(w) == size and words.get(w):
                for k in range(i, i + size):
                    covered[k] = True
                i += size - 1
                break
        i += 1
    han = [k for k in range(n) if HAN.match(text[k])]
    return sum(covered[k] for k in han), len(han)


def _fullwidth(ch: str) -> str:
    o = ord(ch)
    return chr(o + 0xFEE0) if 0x21 <= o <= 0x7E else ch


_SLIP_START = re.compile(r"\?(?=[!-?]?[^\x00-\x7f])")


@functools.lru_cache(maxsize=1)
def _utf8_lead_class():
    """Characters whose GBK bytes start with a UTF-8 lead byte of CJK text (0xE4-0xE9) or of
    CJK punctuation (0xE2/0xE3): UTF-8 read as GBK is made of them."""
    chars = []
    for lead in (0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                chars.append(bytes([lead, trail]).decode("gbk"))
            except UnicodeDecodeError:
                pass
    cls = "".join(sorted(set(chars)))
    return re.compile("(?:[" + re.escape(cls) + "][^\\x00-\\x7f]{0,2}){3,}")


def _fix_slips(line: str, fix: Fix) -> str:
    """A GBK stream that slipped by one byte: '?' (the lost byte), then characters built from
    mis-paired bytes, ending on a lone ASCII trail byte (0x40-0x7E)."""
    cfg = rules()["mojibake"]
    pos = 0
    while True:
        m = _SLIP_START.search(line, pos)
        if not m:
            return line
        start = m.start()
        j = start + 1
        end = None
        while j < len(line) and j - start <= cfg["max_run"]:
            c = line[j]
            if c.isascii():
                if 0x40 <= ord(c) <= 0x7E and j + 1 < len(line) and not line[j + 1].isascii():
                    end = j
                    break
                if not (0x21 <= ord(c) <= 0x3F):
                    break
            j += 1
        pos = start + 1
        if end is None or end - start - 1 < cfg["min_run"]:
            continue
        run = line[start + 1:end]
        try:
            body = "".join(_fullwidth(c) for c in run).encode("gbk") + line[end].encode("ascii")
        except UnicodeEncodeError:
            continue
        best = None
        for lead in cfg["lost_lead"]:
            try:
                cand = (bytes([lead]) + body).decode("gbk")
            except UnicodeDecodeError:
                continue
            best = cand
            break
        if best is None:
            continue
        old = line[start:end + 1]
        gain = coverage(best) - coverage(old)
        if coverage(best) >= cfg["min_coverage"] and gain >= cfg["min_gain"]:
            fix.repairs.append(("mojibake", old, best))
            line = line[:start] + best + line[end + 1:]
            pos = start + len(best)
        else:
            fix.warnings.append(("mojibake", f"疑似乱码，无法可靠修复：“{old[:30]}”"))


def _gbk_or_placeholder(ch: str) -> bytes:
    try:
        return ch.encode("gbk")
    except UnicodeEncodeError:
        return b"\xff"  # never part of UTF-8: the damaged character decodes to U+FFFD


def _utf8_window(line: str, a: int, b: int, cfg: dict) -> tuple[int, int] | None:
    """The longest stretch of line[a:b], at least cfg['min_run'] characters, whose GBK bytes
    decode as strict UTF-8 (each start tried once; the extension is linear)."""
    best = None
    i = a
    while i < b:
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        end = None
        j = i
        while j < b:
            try:
                dec.decode(line[j].encode("gbk"))
            except (UnicodeEncodeError, UnicodeDecodeError):
                break
            j += 1
            if dec.getstate()[0] == b"":
                end = j  # no partial character pending: a whole UTF-8 text so far
        if end is not None and end - i >= cfg["min_run"] and (best is None or end - i > best[1] - best[0]):
            best = (i, end)
        i = max(i + 1, end or 0) if end and end - i >= cfg["min_run"] else i + 1
    return best


def _fix_utf8_as_gbk(line: str, fix: Fix) -> str:
    cfg = rules()["mojibake"]
    out, last = [], 0
    spans = []
    for m in _utf8_lead_class().finditer(line):
        a, b = m.start(), m.end()  # widen to the whole run of non-ASCII characters
        while a > 0 and not line[a - 1].isascii():
            a -= 1
        while b < len(line) and not line[b].isascii():
            b += 1
        if not spans or a >= spans[-1][1]:
            spans.append((a, b))
    for a, b in spans:
        run = line[a:b]
        # a character the first decoding lost becomes one placeholder byte: UTF-8 resynchronises
        # on the next lead byte, so only the damaged character stays unknown
        raw = b"".join(_gbk_or_placeholder(c) for c in run)
        cand = re.sub("\ufffd+", "\ufffd", raw.decode("utf-8", errors="replace"))
        bad = cand.count("\ufffd")
        good = cand.replace("\ufffd", "")
        # the garbled run may sit inside sound text (推行鈥滃厷…兢众制度): then the longest window
        # whose GBK bytes are whole UTF-8 text is the damage, and only it is repaired
        # (a run that lost bytes reads better repaired whole, U+FFFD marking the lost characters)
        whole_ok = not (len(good) < 2 or bad > max(2, len(good) // 3))
        win = _utf8_window(line, a, b, cfg) if bad else None
        if win is not None:
            wa, wb = win
            dec = line[wa:wb].encode("gbk").decode("utf-8")
            if not whole_ok or coverage(line[a:wa] + dec + line[wb:b]) > coverage(good):
                a, b = win
                run = line[a:b]
                good = cand = dec
                bad = 0
                whole_ok = True
        if not whole_ok:
            continue
        if coverage(good) >= cfg["min_coverage"] and coverage(good) - coverage(run) >= cfg["min_gain"]:
            out.append(line[last:a])
            out.append(cand)
            last = b
            fix.repairs.append(("mojibake", run, good))
            if bad:
                fix.warnings.append(("mojibake", f"乱码修复后仍缺字（以 \ufffd 标出）：“{cand[:30]}”"))
    if not out:
        return line
    out.append(line[last:])
    return "".join(out)


LOST_TRAIL = re.compile(r"(?<=[^\x00-\x7f])\?(?=[^\x00-\x7f])")


def _fix_lost_trail(line: str, fix: Fix) -> str:  # noqa: C901
    """A GBK slip the other way round: a byte was lost before a run of characters, so each
    character is built from the trail byte of one and the lead of the next, until a lone lead
    byte meets an ASCII-range byte and shows as '?' (机制。“三联” → 机制！叭?联”). On a line
    whose punctuation is full width, a '?' wedged between two Chinese characters is such a
    slip; the run before it is re-paired when that reads better, the lost character marked
    U+FFFD, and the line is flagged either way."""
    cfg = rules()["mojibake"]
    if not re.search(cfg["fullwidth_line"], line):
        return line
    ctx = cfg["context_chars"]
    pos = 0
    while True:
        m = LOST_TRAIL.search(line, pos)
        if not m:
            return line
        q = m.start()
        best = None
        if line[q - 1] in cfg["question_end"] or re.search(cfg["question_words"], line[max(0, q - 12):q]):
            pos = q + 1  # a folded question mark after a question (怎么办?我说): no slip
            continue
        for k in range(1, cfg["max_shift_chars"] + 1):
            a = q - k
            if a < 0 or line[a].isascii():
                break
            try:
                body = line[a:q].encode("gbk")
            except UnicodeEncodeError:
                break
            if len(body) != 2 * k:
                break
            before, after = line[max(0, a - ctx):a], line[q + 1:q + 1 + ctx]
            base = _reads(before + line[a:q] + after)
            best_k = None  # leads in the order of lost_lead (GBK punctuation row first) break ties
            for lead in cfg["lost_lead"]:
                try:
                    dec = (bytes([lead]) + body[:-1]).decode("gbk")
                except UnicodeDecodeError:
                    continue
                if len(dec) != k:
                    continue
                gain = _reads(before + dec + after) - base
                if best_k is None or gain > best_k[0]:
                    best_k = (gain, a, dec + "\ufffd")
            if best_k and (best is None or best_k[0] >= best[0]):
                best = best_k  # a longer run that reads as well is the whole slip
        if best and best[0] >= cfg["min_gain_lost_trail"]:  # reads better by whole characters
            _, a, cand = best
            old = line[a:q + 1]
            line = line[:a] + cand + line[q + 1:]
            fix.repairs.append(("mojibake", old, cand))
            fix.warnings.append(("mojibake", f"乱码修复后仍缺字（以 \ufffd 标出）：“{line[max(0, a - 6):a + len(cand) + 6]}”"))
            pos = a + len(cand)
        else:
            # no better reading: flag only when the character before the '?' is a rare one
            if _words().get(line[q - 1], 0) < cfg["rare_char_freq"]:
                fix.warnings.append(("mojibake", f"疑似乱码（“?”夹在汉字之间），无法可靠修复：“{line[max(0, q - 8):q + 8]}”"))
            pos = q + 1


def fix_mojibake(line: str, fix: Fix) -> str:
    if "?" in line:
        line = _fix_slips(line, fix)
        line = _fix_lost_trail(line, fix)
    line = _fix_utf8_as_gbk(line, fix)
    for g in rules()["mojibake"]["garbage"]:
        if g in line and not any(k == "mojibake" for k, _ in fix.warnings):  # flagged once
            fix.warnings.append(("mojibake", f"含无法修复的乱码字符“{g}”"))
            break
    return line


# ------------------------------------------------------------------ small repairs
@functools.lru_cache(maxsize=1)
def _compiled():
    r = rules()
    ms = r["missing_number"]
    multi = [m for m in ms["measures"] if len(m) > 1]
    single = [m for m in ms["measures"] if len(m) == 1]
    missing = re.compile(
        "(?:" + "|".join(ms["verbs"]) + ")(?:" + "|".join(sorted(multi, key=len, reverse=True))
        + "|[" + "".join(single) + "](?![" + ms["single_not_before"] + "]))")
    return {
        "pinyin": re.compile(r["pinyin_gloss"]["pattern"]),
        "plus": re.compile(r["lost_plus"]["pattern"]),
        "name": re.compile(r["name_padding"]["pattern"]),
        "strong": re.compile(r["name_padding"]["strong_space"]),
        "censored": re.compile(r["censored"]["pattern"]),
        "missing": missing,
        "percent": re.compile(r"(?<=[\u3400-\u9fff])%"),
        "han": re.compile(r["punctuation"]["han"]),
        "pairs": r["punctuation"]["pairs"],
        "stop": re.compile(r["punctuation"]["full_stop"]),
        "list_number": re.compile(r["punctuation"]["list_number_before"]),
        "paren": re.compile(r"\(([^()\n]{0,80})\)"),
    }


def fix_pinyin(line: str, fix: Fix) -> str:
    pat = _compiled()["pinyin"]
    if "(" not in line and "（" not in line:
        return line
    while True:  # glosses can stack: 黨(dǎng)(dang3)
        new = pat.sub("", line)
        if new == line:
            return line
        for m in pat.finditer(line):
            fix.repairs.append(("pinyin", line[max(0, m.start() - 1):m.end()], line[max(0, m.start() - 1):m.start()]))
        line = new


def fix_lost_plus(line: str, fix: Fix) -> str:
    pat = _compiled()["plus"]

    def sub(m):
        body = m.group("body")
        tokens = body.split(" ")
        if all(re.fullmatch(r"[A-Za-z]{2,}", t) for t in tokens if t):
            return m.group(0)  # an English phrase in quotes
        new = "“" + body.replace(" ", "+") + "”"
        fix.repairs.append(("lost-plus", m.group(0), new))
        return new

    return pat.sub(sub, line) if "“" in line else line


def fix_name_padding(line: str, fix: Fix, byline: bool = False) -> str:
    c = _compiled()

    def sub(m):
        gap = m.group(0)[1:-1]
        if not byline and not c["strong"].search(gap):
            return m.group(0)
        if not byline and len(gap) < 2:
            return m.group(0)
        new = m.group("a") + m.group("b")
        fix.repairs.append(("name-padding", m.group(0), new))
        return new

    return c["name"].sub(sub, line)


def _is_han(ch: str) -> bool:
    return bool(ch) and bool(_compiled()["han"].match(ch))


def fix_punctuation(line: str, fix: Fix) -> str:
    """`,` `:` `;` `!` `?` `.` and `(`…`)` folded to ASCII between Chinese text go back to full width.
    Ratios (1:1.5), times (11:21), decimals, URLs and English text are left alone. Repeated to a
    fixed point: a bracket put back to full width can make the comma beside it Chinese too, and
    cleaning the cleaned text must change nothing."""
    c = _compiled()
    if not any(p in line for p in c["pairs"]) and "(" not in line and "." not in line:
        return line
    new = line
    for _ in range(4):
        again = _punctuation_once(new, c)
        if again == new:
            break
        new = again
    if new != line:
        fix.repairs.append(("punctuation", line, new))
    return new


def _punctuation_once(line: str, c: dict) -> str:
    pairs = c["pairs"]
    chars = list(line)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch not in pairs:
            continue
        left = chars[i - 1] if i else ""
        right = chars[i + 1] if i + 1 < n else ""
        if ch == ":" and line[i + 1:i + 3] == "//":
            continue
        if left.isascii() and left.isalnum() and (not right or (right.isascii() and right.isalnum())):
            continue  # 1:1.5, 10:30, 3,000, a,b
        if _is_han(left) or (_is_han(right) and not (left.isascii() and left.isalnum())) \
                or (_is_han(right) and ch in ",;:" and left.isdigit()):
            chars[i] = pairs[ch]
    new = "".join(chars)
    if "." in new:
        new = c["stop"].sub(lambda m: "." if c["list_number"].search(new, 0, m.start()) else "。", new)
    if "(" in new:
        def paren(m):
            inner = m.group(1)
            before = new[m.start() - 1] if m.start() else ""
            after = new[m.end()] if m.end() < len(new) else ""
            if HAN.search(inner) or _is_han(before) or _is_han(after):
                return "（" + inner + "）"
            return m.group(0)
        prev = None
        while prev != new:
            prev = new
            new = c["paren"].sub(paren, new)
    return new


def _measure_starts_word(line: str, m: re.Match) -> bool:
    """The one-character measure word opens a dictionary word (带动|户均增收, 发展|项目): the
    verb is followed by a noun, not by a stripped number."""
    end = m.end()
    if end - m.start() < 2 or not _is_han(line[end - 1]):
        return False
    cfg = rules()["missing_number"]
    words = _words()
    return any(words.get(line[end - 1:end - 1 + k], 0) >= cfg["min_word_freq"] for k in (2, 3)
               if end - 1 + k <= len(line))


def scan_warnings(line: str, fix: Fix) -> None:
    c = _compiled()
    m = c["censored"].search(line)
    if m:
        ctx = line[max(0, m.start() - 8):m.end() + 8]
        fix.warnings.append(("censored", f"原文有被屏蔽的文字：“{ctx}”"))
    m = next((x for x in c["missing"].finditer(line) if not _measure_starts_word(line, x)), None) \
        or c["percent"].search(line)
    if m:
        ctx = line[max(0, m.start() - 8):m.end() + 8]
        fix.warnings.append(("missing-number", f"数量词前缺少数字，原文可能删去了数字：“{ctx}”"))


def repair_line(line: str, traditional: bool = False, byline: bool = False, warn: bool = True,
                mojibake: bool = True) -> Fix:
    """All repairs on one line, in a fixed order (mojibake before anything touches '?')."""
    fix = Fix(line)
    text = fix_mojibake(line, fix) if mojibake else line
    text = fix_pinyin(text, fix)
    if traditional:
        simp = to_simplified(text)
        if simp != text:
            fix.repairs.append(("t2s", text, simp))
            text = simp
    text = fix_name_padding(text, fix, byline=byline)
    if not byline:
        text = fix_lost_plus(text, fix)
        text = fix_punctuation(text, fix)
    if warn:
        scan_warnings(text, fix)
    fix.text = text
    return fix
