"""`casebook new`: write a new case file from data/case_template.md.

Takes --title --region --domain [--theme ...] [--outlet --url --published] as options and
asks for the missing ones when stdin is a terminal. The region is resolved to its GB/T 2260
code (with suggestions for typos); the file goes to cases/<province>/<city>/<county>/<slug>.md
and an existing file is never overwritten.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Callable

from . import casefile
from .paths import Project, confined

TEMPLATE = Path(__file__).parent / "data" / "case_template.md"
LEVELS = ("province", "city", "county")


class NewCaseError(ValueError):
    """A value the editor gave that cannot be used; the message says how to fix it (Chinese)."""


class AmbiguousRegion(NewCaseError):
    """A region name shared by several divisions (市中区 is in four cities): `choices` are their dicts."""

    def __init__(self, name: str, choices: list[dict]):
        self.name, self.choices = name, choices
        listed = "；".join(f"{i}. {region_label(c)}" for i, c in enumerate(choices, 1))
        super().__init__(f"「{name}」有 {len(choices)} 个：{listed}。请写全，如 --region {region_label(choices[0], codes=False)}")


def region_label(region: dict, codes: bool = True) -> str:
    path = "/".join(region[level] for level in LEVELS if region.get(level))
    return f"{path}（{region.get('code')}）" if codes else path


_URL = re.compile(r"^https?://[^\s/?#<>\"']+\.[^\s/?#<>\"']+(?:[/?#][^\s<>\"']*)?$", re.I)


def check_url(text: str) -> str | None:
    """An http(s) URL with a host, or None for an empty answer; anything else is refused."""
    text = (text or "").strip()
    if not text:
        return None
    if not _URL.match(text):
        raise NewCaseError(f"「{text}」不是网址：原文链接应以 http:// 或 https:// 开头，如 https://www.example.gov.cn/…；"
                           "媒体名称请写在 --outlet")
    return text


def check_published(text: str) -> str | None:
    from .validate import _check_date

    text = (text or "").strip()
    if not text:
        return None
    problem = _check_date(text)
    if problem:
        raise NewCaseError(problem)
    return text


class DuplicateTitle(NewCaseError):
    """A case with this title's file name exists: a second one would silently become …-2.md."""

    def __init__(self, existing: str, new_name: str):
        self.existing, self.new_name = existing, new_name
        super().__init__(f"已有同名案例 {existing}。如果是同一个做法，请直接修改它；如果确实是另一个做法，"
                         f"请换一个更具体的标题，或加 --allow-duplicate 新建为 {new_name}")


# ---------------------------------------------------------------- pure helpers


def _q(value) -> str:
    """A YAML scalar for the template: double-quoted (JSON strings are valid YAML)."""
    if value is None:
        return '""'
    return json.dumps(str(value), ensure_ascii=False)


def resolve_region(text: str) -> dict:
    """'广东省/茂名市/电白区', '茂名市 电白区', '电白区' or '440904' -> {province, city, county, code}.

    Raises NewCaseError naming the closest division when a name does not exist.
    """
    from . import regions

    text = (text or "").strip()
    if not text:
        raise NewCaseError("请填写地区，如「广东省/茂名市/电白区」或行政区划代码「440904」")
    if re.fullmatch(r"\d{6}(\d{6})?", text):
        div = regions.by_code(text)
        if div is None:
            raise NewCaseError(f"行政区划代码「{text}」不存在，请核对（6 位数字，如 440904）")
        if div.historical:
            current = regions.by_code(div.current)
            raise NewCaseError(f"代码「{text}」（{div.name}）已停用，现行的是「{current.name if current else ''}」({div.current})；"
                               "请用现行代码，或写地名")
        return _region_dict(regions, div)
    names = [n for n in re.split(r"[/／>›\\\s,，、]+", text) if n]
    within = None
    div = None
    for name in names:
        found = regions.find(name, within)
        if not found:
            sugg = regions.suggest(name, within)
            if sugg:
                s = sugg[0]
                raise NewCaseError(f"「{name}」不存在，是否指「{s.name}」({s.current_code})?", )
            raise NewCaseError(f"「{name}」不存在，请核对地名")
        current = [d for d in found if not d.historical] or found
        same = [d for d in current if d.level == current[0].level]
        if len(same) > 1:
            raise AmbiguousRegion(name, [_region_dict(regions, d) for d in same])
        div = current[0]
        within = div.code
    if div is None:
        raise NewCaseError("请填写地区")
    return _region_dict(regions, div)


def _region_dict(regions, div) -> dict:
    out: dict = {}
    for code in div.chain:
        d = regions.by_code(code) if code != div.code else div
        if d is not None:
            out[d.level] = d.name
    out["code"] = div.current_code
    if getattr(div, "note", None):
        out["note"] = div.note
    return out


def _taxonomy_names() -> tuple[list[str], list[str]]:
    from .validate import _taxonomy

    domains, themes = _taxonomy()
    return list(domains), list(themes)


def check_domain(domain: str) -> str:
    from .validate import _closest

    domains, _ = _taxonomy_names()
    domain = (domain or "").strip()
    if domain in domains:
        return domain
    best = _closest(domain, "domain") if domain else None
    hint = f"是否指「{best}」? " if best else ""
    raise NewCaseError(f"领域「{domain}」不在分类表中。{hint}可选：{'、'.join(domains)}")


def check_themes(themes: list[str]) -> list[str]:
    from .validate import _closest

    _, known = _taxonomy_names()
    out: list[str] = []
    for theme in themes:
        for t in re.split(r"[,，、\s]+", theme.strip()):
            if not t:
                continue
            if t not in known:
                best = _closest(t, "theme")
                hint = f"，是否指「{best}」?" if best else ""
                raise NewCaseError(f"主题「{t}」不在分类表中{hint}")
            if t not in out:
                out.append(t)
    if len(out) > 4:
        raise NewCaseError("主题最多 4 个")
    return out


def render_case(title: str, region: dict, domain: str, themes: list[str] | None = None,
                outlet: str | None = None, url: str | None = None, published: str | None = None,
                source_title: str | None = None) -> str:
    """The new case file's text: the template with the given values filled in."""
    domains, _ = _taxonomy_names()
    region_lines = []
    for level in LEVELS:
        if region.get(level):
            region_lines.append(f"  {level}: {_q(region[level])}")
    region_lines.append(f"  code: {_q(region.get('code', ''))}")
    if region.get("note"):
        region_lines.append(f"  note: {_q(region['note'])}")
    year = ""
    if published:
        year = published[:4]
    values = {
        "title": _q(title),
        "region": "\n".join(region_lines),
        "domain": _q(domain),
        "domains": "、".join(domains),
        "themes": "[" + ", ".join(_q(t) for t in (themes or [])) + "]",
        "year": year or "null",
        "source_title": _q(source_title or ""),
        "outlet": _q(outlet or ""),
        "url": _q(url or ""),
        "published": _q(published or ""),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def target_path(project: Project, region: dict, title: str, allow_duplicate: bool = False) -> Path:
    """cases/<pinyin region folders>/<slug>.md, with a slug unused anywhere under cases/. When the slug
    is taken, DuplicateTitle is raised unless `allow_duplicate` (then …-2, …-3)."""
    from . import regions

    folder = confined(project.cases, *regions.slug_parts(region))
    slug = casefile.slugify(title)
    taken = {p.stem: p for p in project.cases.rglob("*.md")} if project.cases.is_dir() else {}
    name, n = slug, 2
    while name in taken or (folder / f"{name}.md").exists():
        name, n = f"{slug}-{n}", n + 1
    if name != slug and not allow_duplicate:
        existing = taken.get(slug) or folder / f"{slug}.md"
        raise DuplicateTitle(project.rel(existing), f"{name}.md")
    return confined(folder, f"{name}.md")


def write_new(path: Path, text: str) -> None:
    """Write atomically and never over an existing file (link(2) refuses an existing target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


# ---------------------------------------------------------------- CLI


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", help="标题：做法的名称")
    parser.add_argument("--region", help="地区：广东省/茂名市/电白区，或 6 位行政区划代码如 440904")
    parser.add_argument("--domain", help="领域，从分类表中选，如 农村")
    parser.add_argument("--theme", action="append", default=[], help="主题，从分类表中选（可重复）")
    parser.add_argument("--outlet", help="来源媒体，如 南方日报")
    parser.add_argument("--url", help="原文链接（http:// 或 https:// 开头）")
    parser.add_argument("--published", help="发布日期 YYYY-MM-DD")
    parser.add_argument("--allow-duplicate", action="store_true",
                        help="已有同名案例时仍然新建（文件名加 -2）")
    parser.add_argument("--root", type=Path, help="项目根目录（默认：含 mkdocs.yml 的文件夹）")


class _NoAnswer(Exception):
    """stdin ended (a pipe ran out, or no terminal): the question cannot be answered."""


def _stdin_ask(prompt: str) -> str:
    """input() for a terminal; for piped stdin the prompt goes to stderr and a line is read."""
    if sys.stdin is None:
        raise _NoAnswer
    if sys.stdin.isatty():
        try:
            return input(prompt)
        except EOFError:
            raise _NoAnswer from None
    print(prompt, end="", file=sys.stderr, flush=True)
    try:
        line = sys.stdin.readline()
    except (OSError, ValueError):  # closed or unreadable stdin
        line = ""
    if not line:
        print(file=sys.stderr)
        raise _NoAnswer
    return line.rstrip("\n")


def _ask(prompt: str, check: Callable[[str], object], ask: Callable[[str], str]):
    while True:
        answer = ask(prompt).strip()
        try:
            return check(answer)
        except NewCaseError as err:
            print(f"  {err}", file=sys.stderr)


def _choose_region(err: AmbiguousRegion, ask: Callable[[str], str]) -> dict:
    listed = "\n".join(f"  {i}. {region_label(c)}" for i, c in enumerate(err.choices, 1))
    print(f"「{err.name}」有 {len(err.choices)} 个：\n{listed}", file=sys.stderr)

    def pick(answer: str) -> dict:
        if answer.isdigit() and 1 <= int(answer) <= len(err.choices):
            return err.choices[int(answer) - 1]
        raise NewCaseError(f"请输入 1–{len(err.choices)} 之间的序号")

    return _ask(f"请选择序号（1–{len(err.choices)}）：", pick, ask)


def _region(text: str, ask: Callable[[str], str]) -> dict:
    try:
        return resolve_region(text)
    except AmbiguousRegion as err:
        try:
            return _choose_region(err, ask)
        except _NoAnswer:
            raise err from None


def run(args: argparse.Namespace, ask: Callable[[str], str] | None = None) -> int:
    project = Project(args.root.resolve()) if getattr(args, "root", None) else Project.here()
    ask = ask or _stdin_ask
    allow_duplicate = bool(getattr(args, "allow_duplicate", False))
    step = "标题"
    try:
        published = check_published(args.published)
        url = check_url(args.url)
        title = (args.title or "").strip() or _ask("标题（做法的名称）：", _nonempty, ask)
        step = "地区"
        if args.region:
            region = _region(args.region, ask)
        else:
            region = _ask("地区（如 广东省/茂名市/电白区，或代码 440904）：", lambda a: _region(a, ask), ask)
        domains, themes_known = _taxonomy_names()
        step = "领域"
        if args.domain:
            domain = check_domain(args.domain)
        else:
            domain = _ask(f"领域（{'、'.join(domains)}）：", check_domain, ask)
        step = "主题"
        themes = check_themes(args.theme)
        if not themes:
            themes = _optional(lambda: _ask(f"主题，1–4 个，用空格分隔（{'、'.join(themes_known)}）：",
                                            _themes_nonempty, ask), [])
        outlet = args.outlet
        if not (outlet or url):
            outlet = _optional(lambda: ask("来源媒体（如 南方日报，可留空）：").strip() or None, None)
            url = _optional(lambda: _ask("原文链接（http:// 或 https:// 开头，可留空）：", check_url, ask), None)
        if published is None and not args.published:
            published = _optional(lambda: _ask("发布日期（YYYY-MM-DD，如 2021-06-01，可留空）：", check_published, ask),
                                  None)
        try:
            path = target_path(project, region, title, allow_duplicate)
        except DuplicateTitle as dup:
            question = f"已有同名案例 {dup.existing}。仍要新建为 {dup.new_name} 吗？（y/N）："
            answer = _optional(lambda: ask(question), "")
            if answer.strip().lower() not in ("y", "yes", "是"):
                raise
            path = target_path(project, region, title, allow_duplicate=True)
    except NewCaseError as err:
        print(f"casebook new：{err}", file=sys.stderr)
        return 2 if not isinstance(err, DuplicateTitle) else 1
    except _NoAnswer:
        print(f"casebook new：缺少{step}，没有写入文件。不在终端里运行时请用选项给出，例如：casebook new "
              "--title \"村(社区)干部后备队伍制度\" --region 广东省/茂名市/电白区 --domain 农村 --theme 干部队伍建设",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ncasebook new：已取消，没有写入文件", file=sys.stderr)
        return 130
    text = render_case(title, region, domain, themes, outlet=outlet, url=url, published=published)
    try:
        write_new(path, text)
    except FileExistsError:
        print(f"casebook new：{project.rel(path)} 已存在，没有覆盖；请换一个标题再试", file=sys.stderr)
        return 1
    rel = project.rel(path)
    print(f"已新建案例：{rel}" + ("（已有同名案例，按 --allow-duplicate 在文件名后加了序号）" if path.stem != casefile.slugify(title) else ""))
    print("下一步：")
    print(f"  1. 用文本编辑器打开 {rel}，按「#」后的说明填写摘要、标签、年份、来源，把「【待填写…】」换成正文；")
    print(f"  2. 运行 casebook validate {rel}，按提示修改，直到没有问题；")
    print("  3. 运行 casebook preview，在浏览器打开 http://127.0.0.1:8000 预览（保存后自动刷新）；")
    print("  4. 提交拉取请求（pull request）。详见站点上的「编者指南」。")
    return 0


def _optional(question: Callable[[], object], default):
    """An optional question: no answer (stdin ended) leaves the default."""
    try:
        return question()
    except _NoAnswer:
        return default


def _nonempty(text: str) -> str:
    if not text.strip():
        raise NewCaseError("不能为空")
    return text.strip()


def _themes_nonempty(text: str) -> list[str]:
    themes = check_themes([text])
    if not themes:
        raise NewCaseError("请至少选一个主题")
    return themes
