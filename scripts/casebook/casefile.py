"""The case file format: YAML front matter + Markdown body.

- `render(meta, body)` writes a case file; a generated file carries `generated.hash`,
  the hash of its own text with the hash left blank, so an editor's change is detectable.
- `parse(text)` reads one safely (no tags, no aliases) and records the line of every key.
- `slugify(title)` gives a readable pinyin file name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .fsutil import sha256_text

FENCE = "---"
HASH_LINE = re.compile(r"^(  hash: sha256:)([0-9a-f]{64})$", re.M)
BLANK_HASH = "0" * 64


class CaseFileError(ValueError):
    """A case file that cannot be read: `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass
class CaseDoc:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the body starts
    lines: dict[str, int] = field(default_factory=dict)  # dotted key -> 1-based line

    def line_of(self, key: str) -> int:
        """Line of `key`, or of its nearest parent that has one, or 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1


# ---------------------------------------------------------------- reading


class _SafeNoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (no billion-laughs), duplicate keys, nesting
    deeper than the policy's `yaml_depth` (no stack overflow) and numbers of absurd length."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > _limits().yaml_depth:
                event = self.peek_event()
                raise CaseFileError(f"前置元数据嵌套超过 {_limits().yaml_depth} 层，请写成简单的「字段: 值」",
                                    event.start_mark.line + 1)
            return self._compose_checked(parent, index)
        finally:
            self._depth -= 1

    def _compose_checked(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise CaseFileError("不允许使用 YAML 别名（*引用）", event.start_mark.line + 1)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise CaseFileError(f"不允许使用 YAML 锚点（&{anchor}）", event.start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise CaseFileError(f"字段「{key}」重复出现", key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _key_lines(node: yaml.Node, offset: int, prefix: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            out[key] = key_node.start_mark.line + 1 + offset
            out.update(_key_lines(value_node, offset, key + "."))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = f"{prefix.rstrip('.')}[{i}]"
            out[key] = item.start_mark.line + 1 + offset
            out.update(_key_lines(item, offset, key + "."))
    return out


def split(text: str) -> tuple[str, str, int]:
    """(front matter text, body, 1-based body line). Raises CaseFileError without front matter."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise CaseFileError("文件开头缺少 YAML 前置元数据（第一行应为 ---）", 1)
    for i in range(1, len(lines)):
        if lines[i].strip() == FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise CaseFileError("YAML 前置元数据没有结束的 --- 行", 1)


def _limits():
    from .policy import policy

    return policy()


def _check_size(front: str) -> None:
    limit = _limits().front_matter_bytes
    if len(front.encode("utf-8")) > limit:
        raise CaseFileError(f"前置元数据超过 {limit // 1024} KB，太长了；正文请写在第二个 --- 之后", 2)


def parse(text: str) -> CaseDoc:
    front, body, body_line = split(text)
    _check_size(front)
    try:
        loader = _SafeNoAliasLoader(front)
        try:
            node = loader.get_single_node()
            meta = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except CaseFileError as err:
        err.line += 1 if err.line else 0  # front matter starts on line 2
        raise
    except yaml.MarkedYAMLError as err:
        # an unclosed quote or bracket is reported at the end of the text: point at where it opened
        at_end = "end of stream" in str(err.problem)
        mark = (err.context_mark if at_end else None) or err.problem_mark or err.context_mark
        line = mark.line + 2 if mark else 1
        what = f"{err.context}: {err.problem}" if err.context else (err.problem or str(err))
        raise CaseFileError(f"YAML 无法解析：{what}", line) from None
    except yaml.YAMLError as err:
        raise CaseFileError(f"YAML 无法解析：{err}", 1) from None
    except (ValueError, OverflowError, RecursionError, MemoryError) as err:
        raise CaseFileError(f"前置元数据中有无法读取的值：{str(err)[:80]}", 2) from None
    if not isinstance(meta, dict):
        raise CaseFileError("前置元数据应为「字段: 值」的映射", 2)
    return CaseDoc(meta=meta, body=body, body_line=body_line, lines=_key_lines(node, 1) if node else {})


def is_case_file(path) -> bool:
    """A Markdown file whose front matter has `region` or `source` (hand-written pages have neither).
    Reads only the file's head: cheap enough for tens of thousands of files."""
    from pathlib import Path

    path = Path(path)
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8", errors="replace")[:3000]
    return head.startswith("---") and re.search(r"^(region|source):", head.split("\n---", 1)[0], re.M) is not None


# ---------------------------------------------------------------- writing


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter: 4x faster, same text
    """Block style for mappings, flow style for short scalar lists, readable Chinese."""


def _repr_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, (str, int, float)) and len(str(x)) <= 24 for x in data) and len(data) <= 12
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


# characters YAML folds, drops or reads as line breaks inside plain, quoted or block scalars;
# a string holding any of them is written double-quoted, where they are escaped and read back exactly
_FRAGILE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]|\n[ \t]|[ \t]\n|^\\s|\\s$")


def _repr_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = '"' if _FRAGILE.search(data) else "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _repr_list)
_Dumper.add_representer(str, _repr_str)


def dump_meta(meta: dict[str, Any]) -> str:
    return yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)


def render(meta: dict[str, Any], body: str, generated_by: str | None = None) -> str:
    """The file text. With `generated_by`, a `generated` block with the file's own hash is appended."""
    meta = {k: v for k, v in meta.items() if k != "generated"}
    if generated_by:
        meta["generated"] = {"by": generated_by, "hash": f"sha256:{BLANK_HASH}"}
    text = f"{FENCE}\n{dump_meta(meta)}{FENCE}\n\n{body.strip()}\n"
    if generated_by:
        text = HASH_LINE.sub(lambda m: m.group(1) + sha256_text(text), text, count=1)
    return text


def generated_state(text: str) -> str:
    """'pristine' (generated, unchanged), 'edited' (generated, then changed) or 'authored' (no hash)."""
    match = HASH_LINE.search(text)
    if not match:
        return "authored"
    blank = HASH_LINE.sub(lambda m: m.group(1) + BLANK_HASH, text, count=1)
    return "pristine" if sha256_text(blank) == match.group(2) else "edited"


# ---------------------------------------------------------------- names


def slugify(title: str, limit: int = 48) -> str:
    """Readable pinyin slug of a Chinese title: 村(社区)干部后备队伍制度 -> cun-she-qu-gan-bu-hou-bei-dui-wu-zhi-du."""
    from pypinyin import Style, lazy_pinyin

    words = lazy_pinyin(title, style=Style.NORMAL)
    parts = [p for w in words for p in re.split(r"[^a-z0-9]+", w.lower()) if p]
    slug = ""
    for part in parts:
        if len(slug) + len(part) + 1 > limit:
            break
        slug = f"{slug}-{part}" if slug else part
    return slug or "case"


# ---------------------------------------------------------------- added for the validator (issue 5)


def _timestamp_or_text(loader, node):
    """An impossible date (2022-02-30) stays text, so the validator can name its line instead of crashing."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _number(kind):
    base = getattr(yaml.SafeLoader, f"construct_yaml_{kind}")

    def construct(loader, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > _limits().number_digits:
            raise CaseFileError(f"数字「{str(node.value)[:20]}…」有 {digits} 位，太长了；如果是文字请加引号",
                                node.start_mark.line + 1)
        return base(loader, node)
    return construct


_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:int", _number("int"))
_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:float", _number("float"))

_CLoader = getattr(yaml, "CSafeLoader", None)
if _CLoader is not None:
    class _FastLoader(_CLoader):  # type: ignore[misc, valid-type]
        """libyaml parser for files that cannot hold anchors, aliases or tags."""

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _plain_tree(node) -> bool:
    """True when no mapping repeats a key (aliases cannot occur: the caller saw no `*`)."""
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value]
        if len(keys) != len(set(keys)):
            return False
        return all(_plain_tree(v) for _, v in node.value if not isinstance(v, yaml.ScalarNode))
    if isinstance(node, yaml.SequenceNode):
        return all(_plain_tree(item) for item in node.value if not isinstance(item, yaml.ScalarNode))
    return True


_NESTING = re.compile(r"^[ \t-]*", re.M)


def _may_nest_deeply(front: str) -> bool:
    """True when the text could nest deeper than the limit (flow brackets, indentation, compact
    `- - -` lists): such text goes through the pure-Python parser, which counts the depth. libyaml's
    composer recurses in C and overflows the stack on deep input."""
    limit = _limits().yaml_depth
    if front.count("[") + front.count("{") > limit:
        return True
    return any(len(m.group(0)) > 2 * limit for m in _NESTING.finditer(front))


def _has_long_number(front: str) -> bool:
    return re.search(r"\d{%d}" % (_limits().number_digits + 1), front) is not None


def parse_quick(text: str) -> CaseDoc:
    """Same result as `parse`, about 7x faster with libyaml; anything unusual goes through `parse`."""
    if _CLoader is None:
        return parse(text)
    front, body, body_line = split(text)
    _check_size(front)
    if "&" in front or "*" in front or "!" in front or _may_nest_deeply(front) or _has_long_number(front):
        return parse(text)
    try:
        loader = _FastLoader(front)
        try:
            node = loader.get_single_node()
            if node is None or not isinstance(node, yaml.MappingNode) or not _plain_tree(node):
                return parse(text)
            meta = loader.construct_document(node)
        finally:
            loader.dispose()
    except Exception:  # noqa: BLE001 - the canonical parser gives the canonical error
        return parse(text)
    return CaseDoc(meta=meta, body=body, body_line=body_line, lines=_key_lines(node, 1))
