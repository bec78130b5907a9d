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


# ---------------------------------------------------------------- one run at a time


class LockBusy(RuntimeError):
    """Another casebook process holds the project's lock: `pid` (0 when unknown) and its `verb`."""

    def __init__(self, pid: int, verb: str, path: Path):
        self.pid, self.verb, self.path = pid, verb, path
        who = f"进程 {pid}" if pid else "另一个进程"
        doing = f"casebook {verb}" if verb else "casebook"
        super().__init__(f"另一个 {doing} 正在这个项目上运行（{who}），请等它结束后再试")


def _holder(path: Path) -> tuple[int, str]:
    """(pid, verb) written in a lock file; (0, "") when unreadable or half written."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").split()
        return int(text[0]), (text[1] if len(text) > 1 else "")
    except (OSError, ValueError, IndexError):
        return 0, ""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


@contextmanager
def project_lock(path: Path, verb: str, wait: float = 5.0, on_wait=None) -> Iterator[None]:
    """Hold the lock file `path` for the block: one build/convert/bundle at a time on a project.

    The file holds the holder's pid and verb. The lock itself is an advisory `flock` on it, which
    the kernel releases when the holder dies, so a stale file (dead pid) is simply taken over.
    A second run waits up to `wait` seconds (calling `on_wait(pid, verb)` once), then raises LockBusy."""
    import fcntl
    import time

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid, holder_verb = _holder(path)
                for _ in range(10):  # the holder writes its pid just after taking the lock
                    if pid:
                        break
                    time.sleep(0.05)
                    pid, holder_verb = _holder(path)
                if time.monotonic() >= deadline:
                    raise LockBusy(pid, holder_verb, path) from None
                if not told and on_wait is not None:
                    on_wait(pid, holder_verb)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {verb}\n".encode(), 0)
        try:
            yield
        finally:
            try:
                os.ftruncate(fd, 0)  # released: no pid left behind to mislead anyone
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
