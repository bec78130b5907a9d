"""The `casebook` command. Each verb lives in its own module, which adds its own
sub-parser (`add_parser`) and does the work (`run(args) -> exit status`)."""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# verb -> module (imported lazily so `casebook clean` does not load MkDocs)
VERBS = {
    "clean": "casebook.clean",
    "convert": "casebook.convert",
    "build": "casebook.build",
    "preview": "casebook.preview",
    "validate": "casebook.validate",
    "new": "casebook.newcase",
    "bundle": "casebook.bundle",
    "tags": "casebook.tagreview",
    "bench": "casebook.dev.bench",
}

HELP = {
    "clean": "清洗原始网页：去掉导航、页脚、广告等，--json 输出清洗结果",
    "convert": "把原始网页切分成案例文件，写入 cases/",
    "build": "清洗 + 转换 + 检查案例 + 生成网站到 site/（有错误时不发布；只重新生成改动影响的页面）",
    "preview": "在本机预览网站，保存案例文件后自动重新生成并刷新",
    "validate": "检查案例文件，逐条说明问题和改法",
    "new": "按模板新建一个案例文件",
    "bundle": "生成给培训人员的离线包（zip）",
    "tags": "标签统计；--candidates 列出反复出现、词表还没有的新词，供编者审核",
    "bench": "测量各个环节的速度（开发者用）",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's help with its own words in Chinese (用法, 选项)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


def _parser(make, **kw) -> argparse.ArgumentParser:
    parser = make(formatter_class=_Formatter, add_help=False, **kw)
    parser._optionals.title = "选项"
    parser._positionals.title = "参数"
    parser.add_argument("-h", "--help", action="help", help="显示这段帮助并退出")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Only the chosen verb's module is imported; the others stay unloaded.
    verb = next((a for a in argv if not a.startswith("-")), None)
    full = _parser(argparse.ArgumentParser, prog="casebook", description="案例库 · Casebook：网页 → 案例 → 网站 → 离线包")
    full._positionals.title = "命令（casebook 命令 --help 查看各命令的选项）"
    full.add_argument("--version", action="version", version=f"casebook {__version__}", help="显示版本并退出")
    sub = full.add_subparsers(dest="verb", metavar="命令")
    sub.required = True
    for name, module in VERBS.items():
        sp = _parser(sub.add_parser, name=name, help=HELP[name], description=HELP[name])
        sp.set_defaults(_module=module)
        if name == verb:
            importlib.import_module(module).add_parser(sp)
    args = full.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("casebook：已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `casebook … | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except Exception as err:  # noqa: BLE001 - no traceback reaches an editor (CASEBOOK_DEBUG=1 shows it)
        import os

        if os.environ.get("CASEBOOK_DEBUG"):
            raise
        print(f"casebook {args.verb}：内部错误（请报告，设置 CASEBOOK_DEBUG=1 可看详细信息）："
              f"{type(err).__name__}: {err}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
