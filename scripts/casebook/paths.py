"""Project folders and path confinement.

Every write goes through `confined()`: nothing is written outside the
project's output folders (cases/, site/, dist/ and the cache)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class PathError(ValueError):
    """A path points outside the folder it must stay in."""


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder holding mkdocs.yml, else CASEBOOK_ROOT or cwd."""
    env = os.environ.get("CASEBOOK_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return here


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def here(cls) -> "Project":
        return cls(find_root())

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def cases(self) -> Path:
        return self.root / "cases"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def cache(self) -> Path:
        return self.root / ".casebook-cache"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    def rel(self, path: Path) -> str:
        """Path relative to the project root, with forward slashes (for front matter and messages)."""
        for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):  # a link's own place first
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return Path(path).as_posix()


def confined(base: Path, *parts: str) -> Path:
    """Join parts under base and refuse anything that escapes it (`..`, absolute parts, links)."""
    base = Path(base).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise PathError(f"{target} is outside {base}")
    return target
