"""Atomic file output: write to a temporary file beside the target, then move it into place."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

__all__ = ["atomic_dir", "atomic_path", "os_error_reason", "write_bytes", "write_text"]


def os_error_reason(err: OSError) -> str:
    """Why a write failed, in words (full disk, read-only, permission), with the file."""
    reason = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EDQUOT: "the disk quota is exceeded"}.get(err.errno or 0,
                                                             err.strerror or str(err))
    return reason + (f" ({err.filename})" if err.filename else "")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it onto ``target``.

    If the block raises, the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"cannot create folder {parent}: {err}"
        raise OutputError(msg) from err
    # keep the target's extension: some writers (GPKG) check it
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.tmp-", suffix=target.suffix,
                                    dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as pyogrio refuse to overwrite; let them create it
    try:
        yield tmp
        if not tmp.exists():
            msg = f"nothing was written for {target}"
            raise OutputError(msg)
        os.replace(tmp, target)
    except OutputError:
        raise
    except OSError as err:
        msg = f"cannot write {target}: {os_error_reason(err)}"
        raise OutputError(msg) from err
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh staging folder; on success its files replace those in ``target``.

    Files are moved one by one with :func:`os.replace` (each move is atomic); files in
    ``target`` that the staging folder does not hold are left alone. If the block raises,
    ``target`` is untouched and the staging folder is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging.", dir=target.parent))
    try:
        yield stage
        target.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.rglob("*")):
            if src.is_file():
                dst = target / src.relative_to(stage)
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
