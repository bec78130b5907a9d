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
    "clean": "clean raw pages; --json prints the clean JSON of one page",
    "convert": "cut raw pages into case files under cases/",
    "build": "clean + convert + mkdocs build --strict into site/ (only changed pages are rendered again)",
    "preview": "serve the site locally, rebuilding what changed when a case file is saved",
    "validate": "check case files and explain every problem",
    "new": "write a new case file from the template",
    "bundle": "build the offline zip for trainers",
    "tags": "tag measures; --candidates lists recurring new terms for the tag vocabulary",
    "bench": "benchmark every stage and print figures",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Only the chosen verb's module is imported; the others stay unloaded.
    verb = next((a for a in argv if not a.startswith("-")), None)
    full = argparse.ArgumentParser(prog="casebook", description="案例库 · Casebook pipeline")
    full.add_argument("--version", action="version", version=f"casebook {__version__}")
    sub = full.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for name, module in VERBS.items():
        sp = sub.add_parser(name, help=HELP[name], description=HELP[name])
        sp.set_defaults(_module=module)
        if name == verb:
            importlib.import_module(module).add_parser(sp)
    args = full.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("casebook: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `casebook … | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
