"""Fixtures of the network tests (a pytest plugin: ``pytest_plugins = ["tests.network_support"]``):
a private scenario cache and the shipped catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mobility.catalogue import read_initiatives


@pytest.fixture(scope="module", autouse=True)
def network_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the scenario disk cache at a temporary folder for the module."""
    path = tmp_path_factory.mktemp("network-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOBILITY_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def catalogue() -> dict[int, Any]:
    """The shipped initiatives."""
    return read_initiatives()
