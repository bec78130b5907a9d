"""Atomic writes and hashing: a case file is either the old one or the new one, never half of each."""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def atomic_target(path: Path, durable: bool = True) -> Iterator[int]:
    """Yield the descriptor of a temporary file beside `path`; when the block ends without error
    the file gets the usual permissions, is fsynced (unless `durable` is False: caches) and renamed
    over `path`. On error it is removed and `path` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            yield fd
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Write `data` to `path` atomically: the file is either the old one or the new one."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_target(path, durable) as fd:
        view = memoryview(payload)
        while view:  # os.write may write less than asked (and raises ENOSPC on a full disk)
            view = view[os.write(fd, view):]


HASHED_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".txt", ".json", ".csv", ".html", ".css", ".js", ".svg"})


def tree_digest(root: Path, skip: tuple[str, ...] = (), salt: str = "") -> str:
    """Hash of the text files under `root` (code, data, templates) whose relative path does not start
    with one of `skip`: what a cache keyed by it depends on."""
    digest = hashlib.sha256(salt.encode())
    root = Path(root)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix in HASHED_SUFFIXES and "__pycache__" not in rel and not rel.startswith(skip) \
                and path.is_file():
            digest.update(rel.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
