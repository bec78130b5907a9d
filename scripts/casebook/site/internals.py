"""Every place where casebook relies on MkDocs' or Material's internals, in one module.

Each function here depends on something neither project documents as an API: the attribute
`search_index` of Material's search plugin (and the three methods it calls on it), the file name of
Material's search worker in the built site, and MkDocs' `File.is_modified`. `check_versions()`
fails loudly, naming the version, when MkDocs or Material is one this module was not checked
against; update the supported ranges only after checking each function below.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

SUPPORTED_MKDOCS = ((1, 6),)            # major, minor
SUPPORTED_MATERIAL = ((9, 8),)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _major_minor(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return ()


def check_versions() -> None:
    """Raise PluginError naming the MkDocs or Material version this module does not support."""
    for dist, supported in (("mkdocs", SUPPORTED_MKDOCS), ("mkdocs-material", SUPPORTED_MATERIAL)):
        version = _version(dist)
        if _major_minor(version) not in supported:
            wanted = " / ".join(".".join(map(str, v)) + ".x" for v in supported)
            raise PluginError(f"casebook: 不支持 {dist} {version}（已核对的版本：{wanted}）；"
                              f"请安装 pyproject.toml 中固定的版本，或先核对 casebook/site/internals.py")


def install_search_index(search_plugin, index) -> None:
    """Make Material's search plugin collect entries with `index` instead of its own SearchIndex.

    Material 9.8's plugin creates `self.search_index` in on_config, calls
    `search_index.add_entry_from_context(page)` in on_page_context and writes what
    `search_index.generate_search_index(prev)` returns to search/search_index.json in on_post_build;
    `index` provides those two methods and `entries`."""
    if not hasattr(search_plugin, "search_index"):
        raise PluginError("casebook: Material 的搜索插件没有 search_index 属性（版本已变？）")
    search_plugin.search_index = index


def search_index(search_plugin):
    return search_plugin.search_index


def search_entries(search_plugin) -> list:
    """The entries collected so far (a list, in page order)."""
    return search_plugin.search_index.entries


def set_search_entries(search_plugin, entries: list) -> None:
    search_plugin.search_index.entries = entries


def search_option(search_plugin, key: str):
    return search_plugin.config.get(key)


def set_search_option(search_plugin, key: str, value) -> None:
    search_plugin.config[key] = value


def replace_search_worker(site_dir: Path, script: str) -> list[Path]:
    """Put `script` in place of Material's search worker in the built site (the main bundle starts
    it from the URL in the page's __config, `assets/javascripts/workers/search.<hash>.min.js`).
    Returns the files replaced; none means Material's layout changed."""
    replaced = []
    for path in sorted((Path(site_dir) / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        if path.read_text(encoding="utf-8") != script:
            path.write_text(script, encoding="utf-8")
        map_file = path.with_name(path.name + ".map")
        if map_file.exists():
            map_file.unlink()  # Material's source map describes the worker we replaced
        replaced.append(path)
    return replaced


def set_is_modified(file, fn) -> None:
    """MkDocs (1.6) asks `File.is_modified()` whether a page must be rendered in dirty builds."""
    file.is_modified = fn
