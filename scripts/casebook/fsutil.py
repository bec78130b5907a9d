"""Atomic writes and hashing: a case file is either the old one or the new one, never half of each."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, fsync (unless `durable` is False: caches),
    then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            view = memoryview(payload)
            while view:  # os.write may write less than asked (and raises ENOSPC on a full disk)
                view = view[os.write(fd, view):]
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
