"""Where the shipped data lives, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Return the folder of shipped data ``name`` (``"geodata"`` or ``"initiatives"``).

    In a wheel the folders are installed as ``mobility/_shipped/<name>``; in a source checkout
    (or an editable install) they sit beside the package at the repository's top level.
    """
    for candidate in (_PKG / "_shipped" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    from .errors import GeodataError

    msg = (
        f"shipped data folder {name!r} not found "
        f"(looked in {_PKG / '_shipped'} and {_PKG.parent})"
    )
    raise GeodataError(msg)
