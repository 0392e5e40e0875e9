"""Shared fixtures: one DATA_DIR for hand-made fixtures, helpers to write bad catalogues."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def inits() -> dict[int, Any]:
    """The small valid fixture catalogue (4 initiatives), read once per module."""
    from mobility.catalogue import read_initiatives

    return read_initiatives(DATA_DIR / "catalogue_ok")


@pytest.fixture
def good_catalogue(tmp_path: Path) -> Path:
    """A copy of the small valid fixture catalogue (4 initiatives) that a test may edit."""
    dst = tmp_path / "catalogue"
    shutil.copytree(DATA_DIR / "catalogue_ok", dst)
    return dst


@pytest.fixture
def edit_file() -> Callable[[Path, str, str], None]:
    """Replace text in a fixture file (fails loudly if the text is not there)."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise LookupError(f"{old!r} not in {path}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit
