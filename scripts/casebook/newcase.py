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
        current = [d for d in found if not d.historical]
        div = (current or found)[0]
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


def target_path(project: Project, region: dict, title: str) -> Path:
    """cases/<pinyin region folders>/<slug>.md, with a slug unused anywhere under cases/."""
    from . import regions

    folder = confined(project.cases, *regions.slug_parts(region))
    slug = casefile.slugify(title)
    taken = {p.stem for p in project.cases.rglob("*.md")} if project.cases.is_dir() else set()
    name, n = slug, 2
    while name in taken or (folder / f"{name}.md").exists():
        name, n = f"{slug}-{n}", n + 1
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
    parser.add_argument("--title", help="标题 (case title)")
    parser.add_argument("--region", help="地区: 广东省/茂名市/电白区, or a 6-digit code such as 440904")
    parser.add_argument("--domain", help="领域 from the taxonomy, e.g. 农村")
    parser.add_argument("--theme", action="append", default=[], help="主题 from the taxonomy (repeatable)")
    parser.add_argument("--outlet", help="来源媒体, e.g. 南方日报")
    parser.add_argument("--url", help="原文链接")
    parser.add_argument("--published", help="发布日期 YYYY-MM-DD")
    parser.add_argument("--root", type=Path, help="project root (default: the folder holding mkdocs.yml)")


def _ask(prompt: str, check: Callable[[str], object], ask: Callable[[str], str]):
    while True:
        answer = ask(prompt).strip()
        try:
            return check(answer)
        except NewCaseError as err:
            print(f"  {err}", file=sys.stderr)


def run(args: argparse.Namespace, ask: Callable[[str], str] | None = None) -> int:
    project = Project(args.root.resolve()) if getattr(args, "root", None) else Project.here()
    interactive = ask is not None or sys.stdin.isatty()
    ask = ask or input
    try:
        if args.published and args.published.strip():
            from .validate import _check_date

            problem = _check_date(args.published.strip())
            if problem:
                raise NewCaseError(problem)
        missing = [f"--{n}" for n in ("title", "region", "domain") if not getattr(args, n)]
        if missing and not interactive:
            raise NewCaseError(f"缺少 {' '.join(missing)}。例如：casebook new --title \"村(社区)干部后备队伍制度\" "
                               "--region 广东省/茂名市/电白区 --domain 农村 --theme 干部队伍建设")
        title = (args.title or "").strip() or _ask("标题（做法的名称）：", _nonempty, ask)
        if args.region:
            region = resolve_region(args.region)
        else:
            region = _ask("地区（如 广东省/茂名市/电白区，或代码 440904）：", resolve_region, ask)
        domains, themes_known = _taxonomy_names()
        if args.domain:
            domain = check_domain(args.domain)
        else:
            domain = _ask(f"领域（{'、'.join(domains)}）：", check_domain, ask)
        themes = check_themes(args.theme)
        if not themes and interactive:
            themes = _ask(f"主题，1–4 个，用空格分隔（{'、'.join(themes_known)}）：", _themes_nonempty, ask)
        outlet, url = args.outlet, args.url
        if interactive and not (outlet or url):
            outlet = ask("来源媒体（如 南方日报，可留空）：").strip() or None
            url = ask("原文链接（http://…，可留空）：").strip() or None
    except NewCaseError as err:
        print(f"casebook new: {err}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\ncasebook new: 已取消，没有写入文件", file=sys.stderr)
        return 130
    text = render_case(title, region, domain, themes, outlet=outlet, url=url,
                       published=(args.published or "").strip() or None)
    path = target_path(project, region, title)
    try:
        write_new(path, text)
    except FileExistsError:
        print(f"casebook new: {project.rel(path)} 已存在，没有覆盖；请换一个标题再试", file=sys.stderr)
        return 1
    rel = project.rel(path)
    print(f"已新建案例：{rel}")
    print("下一步：")
    print(f"  1. 用文本编辑器打开 {rel}，按「#」后的说明填写摘要、标签、年份、来源，把「【待填写…】」换成正文；")
    print(f"  2. 运行 casebook validate {rel}，按提示修改，直到没有问题；")
    print("  3. 运行 mkdocs serve，在浏览器打开 http://127.0.0.1:8000 预览；")
    print("  4. 提交拉取请求（pull request）。详见站点上的「编者指南」。")
    return 0


def _nonempty(text: str) -> str:
    if not text.strip():
        raise NewCaseError("不能为空")
    return text.strip()


def _themes_nonempty(text: str) -> list[str]:
    themes = check_themes([text])
    if not themes:
        raise NewCaseError("请至少选一个主题")
    return themes
