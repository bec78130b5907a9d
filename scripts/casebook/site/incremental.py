"""Incremental site builds: rebuild only the pages whose output can have changed.

A page's output is a function of its *inputs*: the page's own source, what the casebook plugin
puts around it (metadata panel, related cases, mentions — computed from the whole catalogue), and
everything shared by all pages (mkdocs.yml, the theme and its overrides, the navigation, the code
of this package and of MkDocs/Material). Each page gets a key, the hash of its own inputs; the
shared inputs make the `global_key`. After a build the keys, the output files and each page's
search-index entries are saved (`State`). The next build (MkDocs' `dirty` mode, which
`casebook build` uses) renders only the pages whose key changed; the others keep the HTML they
have in site/ and their search entries are put back from the state, so the site is the same as
a full build's. A missing or unreadable state, a changed global key or a missing output file
means a full build.

What is not rebuilt is not re-checked either: a warning a skipped page gave in an earlier build is
not given again. A build that ends with an error or (in strict mode) a warning saves no state.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..fsutil import atomic_write, tree_digest

STATE_VERSION = 1
_DISTRIBUTIONS = ("casebook", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jieba", "nh3")


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:24]


def _versions() -> str:
    out = []
    for name in _DISTRIBUTIONS:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=-")
    return ",".join(out)


def global_key(config) -> str:
    """The inputs every page shares. `config` is the loaded MkDocsConfig (after on_config)."""
    config_file = Path(config.config_file_path) if config.config_file_path else None
    config_bytes = config_file.read_bytes().decode("utf-8", "replace") if config_file and config_file.is_file() else ""
    package = Path(__file__).resolve().parent.parent
    # the installed theme is covered by its version; the project's overrides by their files
    custom = config.theme.custom_dir
    overrides = tree_digest(Path(custom)) if custom and Path(custom).is_dir() else ""
    return digest(str(STATE_VERSION), _versions(), tree_digest(package), config_bytes, overrides,
                  json.dumps(config.nav, ensure_ascii=False, sort_keys=True, default=str),
                  str(config.site_dir), str(config.docs_dir), str(config.use_directory_urls),
                  str(config.site_url))


@dataclass
class PageState:
    key: str
    search: list[dict] = field(default_factory=list)   # the page's entries of Material's search index


@dataclass
class State:
    global_key: str
    pages: dict[str, PageState] = field(default_factory=dict)   # src_uri -> state
    outputs: list[str] = field(default_factory=list)           # dest_uri of every file written

    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, "global_key": self.global_key, "outputs": self.outputs,
                           "pages": {src: [p.key, p.search] for src, p in self.pages.items()}},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "State | None":
        try:
            data = json.loads(text)
            if data.get("version") != STATE_VERSION:
                return None
            pages = {src: PageState(key, search) for src, (key, search) in data["pages"].items()}
            return cls(data["global_key"], pages, list(data["outputs"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def state_path(cache_dir: Path, site_dir: str) -> Path:
    """One state per output folder (the site, the offline bundle's staging folder …)."""
    return cache_dir / f"site-state-{digest(os.path.realpath(site_dir))[:12]}.json"


def load(path: Path) -> State | None:
    try:
        return State.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def save(path: Path, state: State) -> None:
    atomic_write(path, state.to_json(), durable=False)  # a lost state only means a full build


def forget(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def remove_stale(site_dir: Path, before: list[str], now: set[str]) -> list[str]:
    """Delete the files an earlier build wrote that this build does not (a deleted case …)."""
    removed = []
    for dest in before:
        if dest in now:
            continue
        path = site_dir / dest
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(dest)
        parent = path.parent
        while parent != site_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed
