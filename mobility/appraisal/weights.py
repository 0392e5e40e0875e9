"""Indicator weights: presets from the settings and user weights from a YAML file.

Examples
--------
>>> from mobility.appraisal import load_weights
>>> load_weights("climate_health")["co2_operation"]
3.0
>>> load_weights({"accessibility": 2, "public_transport": 1})["socioeconomics"]
0.0
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import yaml

from .. import settings
from ..errors import WeightsError
from ..schema import INDICATOR_KEYS

__all__ = ["WEIGHT_PRESETS", "WeightsArg", "load_weights", "weights_label"]

#: The weight presets (the same object as :data:`mobility.settings.WEIGHT_PRESETS`).
WEIGHT_PRESETS: dict[str, dict[str, float]] = settings.WEIGHT_PRESETS

#: What ``weights=`` accepts: a preset name, a path to a YAML file, or a mapping.
WeightsArg = Union[str, "os.PathLike[str]", Mapping[str, float]]


def _read_file(path: Path) -> tuple[Any, str]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as err:
        msg = f"{path.name}: malformed YAML: {str(err).splitlines()[0]}"
        raise WeightsError(msg) from err
    except OSError as err:
        msg = f"{path.name}: cannot read weights file: {err}"
        raise WeightsError(msg) from err
    if isinstance(data, dict) and isinstance(data.get("weights"), dict):
        data = data["weights"]
    return data, path.name


def load_weights(weights: WeightsArg = "equal") -> dict[str, float]:
    """Validated indicator weights, one per indicator key in the catalogue's order.

    Parameters
    ----------
    weights : str, path or mapping
        A preset name (``"equal"``, ``"climate_health"``, ``"accessibility"``, see
        :data:`mobility.settings.WEIGHT_PRESETS`), a YAML file holding a mapping of indicator
        key to weight (optionally under a ``weights:`` key), or such a mapping. Indicators left
        out get weight 0. Only the ratios matter.

    Returns
    -------
    dict
        ``{indicator key: weight}`` for all six indicators (not normalised).

    Raises
    ------
    WeightsError
        Unknown preset or file, unknown indicator key, a weight that is not a finite number,
        a negative weight, or all weights zero; every problem is named.
    """
    where = "weights"
    if isinstance(weights, Mapping):
        data: Any = dict(weights)
    else:
        text = os.fspath(weights)
        presets = settings.WEIGHT_PRESETS
        if text in presets:
            data, where = dict(presets[text]), f"preset {text!r}"
        elif Path(text).is_file():
            data, where = _read_file(Path(text))
        else:
            msg = (
                f"unknown weight preset or file {text!r}; presets: {', '.join(presets)}, "
                "or the path of a YAML file of indicator weights"
            )
            raise WeightsError(msg)
    if not isinstance(data, dict):
        msg = f"{where}: expected a mapping of indicator key to weight"
        raise WeightsError(msg)
    problems: list[str] = []
    out = dict.fromkeys(INDICATOR_KEYS, 0.0)
    for key, value in data.items():
        if key not in INDICATOR_KEYS:
            problems.append(f"unknown indicator {key!r} (known: {', '.join(INDICATOR_KEYS)})")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{key}: weight must be a number, got {value!r}")
            continue
        if not math.isfinite(value):
            problems.append(f"{key}: weight must be finite, got {value!r}")
        elif value < 0:
            problems.append(f"{key}: weight must not be negative, got {value:g}")
        else:
            out[key] = float(value)
    if not problems and not any(out.values()):
        problems.append("all weights are zero; give at least one positive weight")
    if problems:
        msg = f"invalid {where}: " + "; ".join(problems)
        raise WeightsError(msg)
    return out


def weights_label(weights: WeightsArg) -> str:
    """A short name for the weights used: the preset name, the file name, or ``"custom"``."""
    if isinstance(weights, Mapping):
        return "custom"
    text = os.fspath(weights)
    return text if text in settings.WEIGHT_PRESETS else Path(text).name
