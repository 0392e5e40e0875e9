"""Shared fixtures: one DATA_DIR for hand-made fixtures, helpers to write bad catalogues."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="module", autouse=True)
def network_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the network scenario disk cache at a temporary folder for each test module.

    Tests never read or write the user's cache (``~/.cache/mobility``).
    """
    path = tmp_path_factory.mktemp("network-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOBILITY_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def catalogue() -> dict[int, Any]:
    """The shipped initiatives."""
    from mobility.catalogue import read_initiatives

    return read_initiatives()


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
