"""Reading untrusted input files: regular files only, UTF-8, YAML parsed safely and once.

Catalogue, bundle and weights files are user input. :func:`read_text` opens a path without
blocking (a named pipe never hangs the reader), refuses anything that is not a regular file,
limits the size and decodes UTF-8, raising :class:`InputFileError` with a one-line reason the
caller wraps into its own :class:`~mobility.errors.MobilityError`. :func:`load_yaml` parses with
libyaml's safe loader when it is installed (``yaml.CSafeLoader``, many times faster than the
pure-Python loader) and the pure-Python ``SafeLoader`` otherwise; neither constructs Python
objects from tags.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

import yaml

__all__ = ["MAX_BYTES", "InputFileError", "YAMLLoader", "is_finite_number", "is_number",
           "load_yaml", "read_text", "read_yaml", "yaml_problem"]

#: Largest input file read (bytes). The shipped files are a few kB.
MAX_BYTES = 64 * 1024 * 1024

#: The safe YAML loader: libyaml's when available.
YAMLLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputFileError(Exception):
    """An input file cannot be read; the message is a short reason without the file name."""


def read_text(path: str | os.PathLike[str]) -> str:
    """The UTF-8 text of a regular file.

    Raises
    ------
    InputFileError
        Missing, not a regular file (folder, named pipe, device), too large, unreadable, or not
        UTF-8.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError as err:
        raise InputFileError(f"cannot read file: {err.strerror or err}") from err
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else
                "a named pipe" if stat.S_ISFIFO(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "a device or special file")
        raise InputFileError(f"is {kind}, not a regular file")
    try:
        # O_NONBLOCK: if the path was swapped for a pipe since stat(), open() does not hang
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputFileError(f"cannot read file: {err.strerror or err}") from err
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError("is not a regular file")
        if st.st_size > MAX_BYTES:
            raise InputFileError(f"file is too large ({st.st_size / 1e6:.0f} MB; at most "
                                 f"{MAX_BYTES / 1e6:.0f} MB)")
        try:
            data = fh.read(MAX_BYTES + 1)
        except OSError as err:
            raise InputFileError(f"cannot read file: {err.strerror or err}") from err
    if len(data) > MAX_BYTES:
        raise InputFileError(f"file is too large (at most {MAX_BYTES / 1e6:.0f} MB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputFileError(f"file is not UTF-8 text (byte 0x{data[err.start]:02x} at line "
                             f"{line}); save it as UTF-8") from err


def yaml_problem(err: yaml.YAMLError) -> str:
    """A one-line description of a YAML syntax error with its line and column."""
    mark = getattr(err, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(err, "problem", None) or (str(err).splitlines() or ["syntax error"])[0]
    return f"malformed YAML{where}: {problem}"


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (libyaml when available).

    Raises
    ------
    yaml.YAMLError
        Malformed YAML (use :func:`yaml_problem` for the message).
    RecursionError
        Absurdly deep nesting.
    """
    return yaml.load(text, Loader=YAMLLoader)


def is_number(value: Any) -> bool:
    """True for int and float values, never for booleans (YAML ``yes``/``true``)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    """True for a finite int or float (not a boolean, not inf or NaN, not overflowing)."""
    if not is_number(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """Read and parse a YAML input file once (see :func:`read_text` and :func:`load_yaml`).

    Raises
    ------
    InputFileError
        The file cannot be read or is not valid YAML; the message says why (with line and
        column for a syntax error).
    """
    text = read_text(path)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as err:
        raise InputFileError(yaml_problem(err)) from err
    except RecursionError as err:
        raise InputFileError("malformed YAML: nested too deeply") from err
    _check_no_shared_containers(data)
    return data


def _check_no_shared_containers(data: Any) -> None:
    """Refuse a list or mapping used twice (a YAML alias ``*a`` of an anchor ``&a``).

    Input files never need aliases, and nested aliases (the "billion laughs") make a small file
    expand to billions of values in every later step.
    """
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        if id(node) in seen:
            raise InputFileError("YAML anchors and aliases (&name, *name) of lists or mappings "
                                 "are not supported; write the values out")
        seen.add(id(node))
        stack.extend(node.values() if isinstance(node, dict) else node)
