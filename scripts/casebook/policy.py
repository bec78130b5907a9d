"""The allow-list for untrusted input, typed: `data/policy.yaml` read once.

Everything under cases/ and raw/ is untrusted. The site plugin publishes only what this policy
admits, the validator reports everything it refuses, and the converter reads raw pages through
`safe_files`. Functions here are pure (text or paths in, decisions out) except `safe_files`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

import yaml


@dataclass(frozen=True)
class Policy:
    case_keys: frozenset[str]
    page_keys: frozenset[str]
    theme_keys: frozenset[str]
    markup: re.Pattern
    markdown: frozenset[str]
    images: dict[str, tuple[bytes, ...]]
    name_pattern: re.Pattern
    reserved_dirs: frozenset[str]
    max_bytes: int
    tags: frozenset[str]
    drop_with_content: frozenset[str]
    attributes: dict[str, frozenset[str]]
    local_urls: dict[str, frozenset[str]]
    style_properties: frozenset[str]
    url_schemes: frozenset[str]
    reserved_id: re.Pattern
    reserved_class: re.Pattern
    site_name: re.Pattern
    front_matter_bytes: int
    yaml_depth: int
    number_digits: int
    body_depth: int
    body_brackets: int
    body_unmatched_brackets: int


@lru_cache(maxsize=1)
def policy() -> Policy:
    text = resources.files("casebook").joinpath("data/policy.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    fm, files, h, lim = data["front_matter"], data["files"], data["html"], data["limits"]
    return Policy(
        case_keys=frozenset(fm["case"]), page_keys=frozenset(fm["page"]), theme_keys=frozenset(fm["theme"]),
        markup=re.compile(fm["markup"]),
        markdown=frozenset(files["markdown"]),
        images={k: tuple(m.encode("latin-1") for m in v) for k, v in files["images"].items()},
        name_pattern=re.compile(files["name_pattern"]), reserved_dirs=frozenset(files["reserved_dirs"]),
        max_bytes=int(files["max_bytes"]),
        tags=frozenset(h["tags"]), drop_with_content=frozenset(h["drop_with_content"]),
        attributes={k: frozenset(v) for k, v in h["attributes"].items()},
        local_urls={k: frozenset(v) for k, v in (h.get("local_urls") or {}).items()},
        style_properties=frozenset(h["style_properties"]), url_schemes=frozenset(h["url_schemes"]),
        reserved_id=re.compile(h["reserved_id"]), reserved_class=re.compile(h["reserved_class"]),
        site_name=re.compile(h["site_name"]),
        front_matter_bytes=int(lim["front_matter_bytes"]), yaml_depth=int(lim["yaml_depth"]),
        number_digits=int(lim["number_digits"]),
        body_depth=int(lim["body_depth"]), body_brackets=int(lim["body_brackets"]),
        body_unmatched_brackets=int(lim["body_unmatched_brackets"]),
    )


# ---------------------------------------------------------------- files under cases/


def file_problem(rel_path: str, head: bytes = b"", extra_reserved: tuple[str, ...] = ()) -> str | None:
    """Why a file under cases/ may not be published (Chinese, for editors), or None.
    `rel_path` is relative to cases/ with '/' separators; `head` the file's first bytes (images)."""
    p = policy()
    parts = PurePosixPath(rel_path).parts
    for part in parts:
        if not p.name_pattern.match(part):
            return (f"文件名或文件夹名「{part[:40]}」含有不允许的字符（只允许汉字、字母、数字、"
                    "点、短横线和下划线，且不能以点开头），请改名")
    reserved = p.reserved_dirs | set(extra_reserved)
    if len(parts) > 1 and parts[0] in reserved:
        return f"「{parts[0]}/」文件夹存放网站自身的文件或自动生成的浏览页，案例库里不能放文件，请移到别处"
    if len(parts) == 1 and PurePosixPath(parts[0]).stem.lower() in reserved:
        return f"「{parts[0]}」会占用网站自动生成的页面或文件夹（{PurePosixPath(parts[0]).stem}/），请改名或移到别处"
    if PurePosixPath(rel_path).suffix in p.markdown:  # exactly: MkDocs copies `x.MD` verbatim
        return None
    suffix = PurePosixPath(rel_path).suffix.lower()
    if suffix in p.markdown:
        return f"扩展名「{PurePosixPath(rel_path).suffix}」请改成小写的 .md，否则文件不会当作 Markdown 处理，而是原样发布"
    if suffix in p.images:
        if head and not any(head.startswith(m) for m in p.images[suffix]):
            return f"文件扩展名是 {suffix}，内容却不是这种图片，请换成真正的图片文件"
        return None
    allowed = "、".join(sorted(p.markdown | set(p.images)))
    return f"案例库只能放 Markdown 文件和图片（{allowed}），「{suffix or '无扩展名'}」类型的文件不会发布，请删除"


def symlinks_under(folder: Path) -> list[Path]:
    """Symbolic links anywhere under folder (not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                found.append(path)
    return sorted(found)


def safe_files(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Regular files with these suffixes under folder, never through a symlink, and the paths
    refused with the reason: ([file], [(path, message)])."""
    folder = Path(folder)
    base = folder.resolve()
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames):
            path = Path(dirpath) / name
            if path.is_symlink():
                refused.append((path, "是符号链接（指向别处的快捷方式），不会读取它指向的内容"))
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix.lower() not in suffixes:
                continue
            sidecar = path.with_name(path.stem + ".meta.json")
            if path.is_symlink():
                refused.append((path, "是符号链接（指向别处的快捷方式），不会读取它指向的内容"))
            elif base not in path.resolve().parents:
                refused.append((path, "位于项目文件夹之外，不会读取"))
            elif path.is_file() and is_hard_link(path):
                refused.append((path, HARD_LINK))
            elif sidecar.is_symlink() or sidecar.is_file() and is_hard_link(sidecar):
                refused.append((sidecar, "的元数据文件（.meta.json）是符号链接或硬链接，这个网页和它的元数据都不会读取"))
            elif path.is_file():
                files.append(path)
    return sorted(files), sorted(refused)


HARD_LINK = "是硬链接（与项目外的文件共用同一份内容，可能是系统文件），不会读取"


def is_hard_link(path: Path) -> bool:
    """A regular file with more than one name (a hard link may name a file outside the project)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not os.path.islink(path) and st.st_nlink > 1


def hard_links_under(folder: Path) -> list[Path]:
    """Regular files under folder that have other names too (for the site plugin and validate)."""
    found = []
    for dirpath, _, filenames in os.walk(folder, followlinks=False):
        found += [Path(dirpath) / n for n in filenames if is_hard_link(Path(dirpath) / n)]
    return sorted(found)


# ---------------------------------------------------------------- bodies


_OPEN_BLOCK = re.compile(r"<(div|section|details|blockquote|ul|ol|table)\b", re.I)
_CLOSE_BLOCK = re.compile(r"</(div|section|details|blockquote|ul|ol|table)\s*>", re.I)
_LEAD = re.compile(r"^([ \t>]*)")


def body_problem(body: str) -> str | None:
    """Why a body cannot be rendered safely (Chinese), or None: nesting deeper than the policy's
    `body_depth` (indentation, `>` quotes, HTML blocks) or a flood of `[`."""
    p = policy()
    opened = deepest = 0
    for line in body.split("\n"):
        lead = _LEAD.match(line).group(1).expandtabs(4)
        depth = lead.count(">") + len(lead.replace(">", "")) // 4
        opened = max(0, opened + len(_OPEN_BLOCK.findall(line)) - len(_CLOSE_BLOCK.findall(line)))
        deepest = max(deepest, depth, opened)
        if deepest > p.body_depth:
            return (f"正文嵌套太深（超过 {p.body_depth} 层的列表、引用或 HTML 块），网站无法安全生成这一页；"
                    "请减少缩进层次")
    opening, closing = body.count("["), body.count("]")
    if opening > p.body_brackets or opening - closing > p.body_unmatched_brackets:
        return f"正文有 {opening} 个「[」（其中 {max(0, opening - closing)} 个没有配对的「]」），请删除多余的方括号"
    return None


# ---------------------------------------------------------------- front matter


def allowed_keys(kind: str, extra: frozenset[str] | set[str] = frozenset()) -> frozenset[str]:
    """Front-matter keys a file of this kind ('case' or 'page') may carry, plus those mkdocs.yml allows."""
    p = policy()
    return (p.case_keys if kind == "case" else p.page_keys) | frozenset(extra)


def key_problem(key: str, kind: str, extra: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Why a front-matter key is refused (Chinese), or None."""
    if key in allowed_keys(kind, extra):
        return None
    if key in policy().theme_keys:
        return (f"字段「{key}」会改变网站主题的行为（模板、跳转、隐藏、搜索等），案例文件里不允许使用；"
                "确有需要时请管理员在 mkdocs.yml 的 front_matter_allow 中为这个文件开放")
    return f"字段「{key}」不是允许的字段，不会发布；请删除或改用编者指南里列出的字段"


def markup_problems(meta: dict, prefix: str = "") -> list[tuple[str, str]]:
    """[(dotted field, message)] for every front-matter text holding markup (`source.url` aside)."""
    out = []
    items = meta.items() if isinstance(meta, dict) else enumerate(meta)
    for key, value in items:
        name = f"{prefix}.{key}" if prefix and isinstance(key, str) else f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (dict, list)):
            out += markup_problems(value, name)
        elif isinstance(value, str) and name != "source.url" and policy().markup.search(value):
            out.append((name, f"「{value[:40]}」里有 HTML、Markdown 链接或属性写法（如 <…>、{{: …}}、](…)、javascript:），"
                              "案例信息只能写普通文字，请删除这些符号"))
    return out


def filter_meta(meta: dict, kind: str, extra: frozenset[str] | set[str] = frozenset()) -> dict:
    """The front matter reduced to the allowed keys (the only part the theme ever sees)."""
    keys = allowed_keys(kind, extra)
    return {k: v for k, v in meta.items() if isinstance(k, str) and k in keys}
