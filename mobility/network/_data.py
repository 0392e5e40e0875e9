"""Reading the network's YAML data files from ``geodata/``."""

from __future__ import annotations

from typing import Any

import yaml

from .. import geodata
from ..errors import GeodataError


def read_yaml(name: str, required: set[str]) -> dict[str, Any]:
    """Parse ``geodata/<name>`` and check it holds a mapping with the ``required`` keys."""
    path = geodata.get_path(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        msg = f"cannot read {path}: {err}"
        raise GeodataError(msg) from err
    if not isinstance(data, dict) or not required <= set(data):
        msg = f"{path} must hold the keys {', '.join(sorted(required))}"
        raise GeodataError(msg)
    return data
