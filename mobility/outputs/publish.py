"""Atomic publishing of a whole output folder, one run at a time.

:func:`publish_dir` yields an empty staging folder beside the output folder (same parent, so
the same file system). When the block has written every file, the publisher writes a manifest
(:data:`MANIFEST`: every file with its size and BLAKE2 hash) and swaps the staging folder with
the output folder in one system call, ``renameat2(..., RENAME_EXCHANGE)`` (Linux 3.15+, through
ctypes). Readers see either the complete old set or the complete new set, never a mixture;
files of an earlier run that this run does not write (e.g. the tables of the other language)
are gone with the old set, which is removed after the swap.

Fallbacks, in order, and the guarantee each keeps:

1. No ``RENAME_EXCHANGE`` (not Linux, or a file system without it): two renames, the output
   folder to ``.<name>.old.<pid>`` and the staging folder to the output folder. Readers see the
   old set, then for an instant no folder, then the new set; never a mixture.
2. The output folder is a mount point (it cannot be renamed; detected with
   :func:`os.path.ismount` or ``EXDEV``/``EBUSY`` from the swap): staging happens inside the
   folder (``.staging.<pid>``) and the files are moved into place one by one with
   :func:`os.replace`, then files not in the new set are removed. Every file is always complete,
   but while the files are moved a reader can see a mixture. A marker file
   (:data:`PUBLISHING_MARKER`) is present during the move; a run killed during it leaves the
   marker, and the manifest tells which files belong to the set.

Concurrency: a lock file ``.<name>.lock`` beside the output folder (inside it for a mount
point), held with ``fcntl.flock`` for the whole run, serialises runs on one output folder. A
second run fails at once with :class:`~mobility.errors.OutputError` unless ``wait=True``.

Crashes: a run killed by SIGKILL leaves its staging (or old) folder; the next run on the same
output folder removes every ``.<name>.staging.*`` and ``.<name>.old.*`` once it holds the lock
(no other run can be using them). SIGTERM is turned into an exception while a folder is being
published, so the staging folder is removed at once.

Test hook: with ``MOBILITY_TEST_PAUSE_AT=<step>`` and ``MOBILITY_TEST_PAUSE_FILE=<path>`` in
the environment, the publisher writes ``<path>`` and sleeps for up to a minute when it reaches
``<step>`` (one of :data:`STEPS`), so that a test can kill it at a known moment;
``MOBILITY_TEST_NO_EXCHANGE=1`` makes it use the two-rename fallback. Nothing else reads these
variables.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .._io import os_error_reason
from ..errors import OutputError

__all__ = ["MANIFEST", "PUBLISHING_MARKER", "STEPS", "publish_dir", "read_manifest"]

#: Name of the manifest written into every published set (relative path -> size and hash).
MANIFEST = ".mobility-manifest.json"
#: Present in a mount-point output folder while its files are being moved into place.
PUBLISHING_MARKER = ".mobility-publishing"
#: Named moments of a publication (for the test hook).
STEPS = ("staged", "swap", "between", "swapped")

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_FORCE_FALLBACK = False  # tests set this to exercise the two-rename method


def _pause(step: str) -> None:
    """The test hook: announce ``step`` in a file and sleep (see the module docstring)."""
    if os.environ.get("MOBILITY_TEST_PAUSE_AT") != step:
        return
    flag = os.environ.get("MOBILITY_TEST_PAUSE_FILE")
    if flag:
        Path(flag).write_text(step, encoding="utf-8")
    time.sleep(60)


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    return lib if hasattr(lib, "renameat2") else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot (then nothing happened)."""
    forced = _FORCE_FALLBACK or os.environ.get("MOBILITY_TEST_NO_EXCHANGE") == "1"
    lib = None if forced else _libc()
    if lib is None:
        return False
    rc = lib.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _check_target(target: Path) -> None:
    if str(target) in ("", "."):
        msg = "the output folder is empty or '.'; name a folder, e.g. --output maps"
        raise OutputError(msg)
    for parent in [target, *target.parents]:
        if parent.exists():
            if not parent.is_dir():
                what = "the output folder" if parent == target else f"{parent} (a parent)"
                msg = f"cannot write to {target}: {what} is a file, not a folder"
                raise OutputError(msg)
            break


def _lock(path: Path, *, wait: bool, target: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        msg = f"cannot write to {target}: cannot create the lock file {path}: {err.strerror}"
        raise OutputError(msg) from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as err:
        os.close(fd)
        if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            msg = (f"another mobility run is writing to {target}; wait for it to finish "
                   "(or use --wait)")
            raise OutputError(msg) from err
        raise
    return fd


def _clean_leftovers(parent: Path, name: str) -> None:
    """Remove staging and old folders of earlier runs on this output (we hold the lock)."""
    for pattern in (f".{name}.staging.*", f".{name}.old.*"):
        for p in parent.glob(pattern):
            shutil.rmtree(p, ignore_errors=True)


def _restore_orphaned_old(parent: Path, name: str, target: Path) -> None:
    """A run killed between the two renames of the fallback left no output folder: restore."""
    if target.exists():
        return
    olds = sorted(parent.glob(f".{name}.old.*"), key=lambda p: p.stat().st_mtime)
    if olds:
        os.rename(olds[-1], target)


def _hash(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_manifest(stage: Path) -> None:
    files = {str(p.relative_to(stage)): {"size": p.stat().st_size, "blake2b": _hash(p)}
             for p in sorted(stage.rglob("*")) if p.is_file() and p.name != MANIFEST}
    text = json.dumps({"files": files}, indent=1, sort_keys=True)
    (stage / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, dict[str, object]]:
    """The manifest of a published folder: relative path -> ``{"size", "blake2b"}``."""
    data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    return dict(data["files"])


class _Terminated(BaseException):
    """SIGTERM arrived while a folder was being published."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except _Terminated:
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _os_error(target: Path, err: OSError) -> OutputError:
    return OutputError(f"cannot write to {target}: {os_error_reason(err)}; the folder was left "
                       "as it was")


@contextlib.contextmanager
def publish_dir(target: str | os.PathLike[str], *, wait: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``target`` as a whole.

    If the block raises (or the process gets SIGTERM), ``target`` is left as it was and the
    staging folder is removed. See the module docstring for the guarantees.

    Raises
    ------
    OutputError
        ``target`` is empty, a file or under a file; it cannot be created or written (read-only,
        permission, full disk); another run holds its lock (and ``wait`` is false).
    """
    target = Path(target)
    _check_target(target)
    target = Path(os.path.abspath(target))
    parent, name = target.parent, target.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _os_error(target, err) from err
    mount = target.is_dir() and os.path.ismount(target)
    lock_path = target / ".mobility.lock" if mount else parent / f".{name}.lock"
    fd = _lock(lock_path, wait=wait, target=target)
    try:
        with _sigterm_raises():
            if mount:
                yield from _publish_inside(target)
            else:
                _restore_orphaned_old(parent, name, target)
                _clean_leftovers(parent, name)
                yield from _publish_beside(target)
    finally:
        os.close(fd)


def _publish_beside(target: Path) -> Iterator[Path]:
    parent, name = target.parent, target.name
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{name}.staging.{os.getpid()}.", dir=parent))
    except OSError as err:
        raise _os_error(target, err) from err
    old = parent / f".{name}.old.{os.getpid()}"
    try:
        try:
            yield stage
            _write_manifest(stage)
            os.chmod(stage, 0o755)  # mkdtemp makes it 0700
        except OutputError:
            raise
        except OSError as err:
            raise _os_error(target, err) from err
        _pause("staged")
        if not target.exists():
            os.rename(stage, target)
            return
        _pause("swap")
        try:
            swapped = _exchange(stage, target)
        except OSError as err:
            if err.errno in (errno.EXDEV, errno.EBUSY):  # a mount point after all
                _move_files(stage, target)
                return
            raise _os_error(target, err) from err
        if not swapped:
            os.rename(target, old)
            _pause("between")  # (two-rename method only)
            os.rename(stage, target)
        _pause("swapped")
    finally:
        if not target.exists() and old.exists():
            os.rename(old, target)  # interrupted between the two renames
        shutil.rmtree(stage, ignore_errors=True)  # after a swap: the old set
        shutil.rmtree(old, ignore_errors=True)


def _publish_inside(target: Path) -> Iterator[Path]:
    for p in target.glob(".staging.*"):
        shutil.rmtree(p, ignore_errors=True)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".staging.{os.getpid()}.", dir=target))
    except OSError as err:
        raise _os_error(target, err) from err
    try:
        try:
            yield stage
            _write_manifest(stage)
        except OutputError:
            raise
        except OSError as err:
            raise _os_error(target, err) from err
        _pause("staged")
        _move_files(stage, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_files(stage: Path, target: Path) -> None:
    """Per-file replacement (mount points): complete files, a mixture while moving."""
    keep = {MANIFEST, PUBLISHING_MARKER, ".mobility.lock"}
    marker = target / PUBLISHING_MARKER
    marker.write_text("a mobility run is moving files into this folder\n", encoding="utf-8")
    _pause("swap")
    new = set()
    for src in sorted(stage.rglob("*")):
        if src.is_file() and src.name != MANIFEST:
            rel = src.relative_to(stage)
            new.add(rel)
            dst = target / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    for p in sorted(target.rglob("*"), reverse=True):
        rel = p.relative_to(target)
        if rel.parts[0].startswith(".staging.") or str(rel) in keep:
            continue
        if p.is_file() and rel not in new:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    os.replace(stage / MANIFEST, target / MANIFEST)
    marker.unlink()
    _pause("swapped")
