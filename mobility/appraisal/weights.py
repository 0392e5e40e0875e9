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

from .. import settings
from .._input import InputFileError, is_number, read_yaml
from ..errors import WeightsError
from ..schema import INDICATOR_KEYS

__all__ = ["WEIGHT_PRESETS", "WeightsArg", "load_weights", "weights_label"]

#: The weight presets (the same object as :data:`mobility.settings.WEIGHT_PRESETS`).
WEIGHT_PRESETS: dict[str, dict[str, float]] = settings.WEIGHT_PRESETS

#: What ``weights=`` accepts: a preset name, a path to a YAML file, or a mapping.
WeightsArg = Union[str, "os.PathLike[str]", Mapping[str, float]]


#: Weights are returned as given while the largest lies in this range; otherwise all are
#: divided by the largest (only ratios matter), so that every sum and product of the scoring
#: stays finite (weights of ``1e308`` once overflowed and left every score blank).
MIN_WEIGHT, MAX_WEIGHT = 1e-6, 1e6


def _read_file(path: Path) -> tuple[Any, str]:
    try:
        data = read_yaml(path)  # a regular UTF-8 file, parsed safely once
    except InputFileError as err:
        msg = f"weights file {path.name}: {err}"
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
        ``{indicator key: weight}`` for all six indicators (not normalised, unless the largest
        weight is above ``MAX_WEIGHT`` or below ``MIN_WEIGHT``: then divided by the largest).

    Raises
    ------
    WeightsError
        Unknown preset or file, a file that is not a readable regular UTF-8 YAML file, unknown
        indicator key, a weight that is not a finite number (booleans are not numbers), a
        negative weight, or all weights zero; every problem is named. Weights whose largest
        is outside ``MIN_WEIGHT``-``MAX_WEIGHT`` are divided by the largest.
    """
    where = "weights"
    if isinstance(weights, Mapping):
        data: Any = dict(weights)
    else:
        text = os.fspath(weights)
        presets = settings.WEIGHT_PRESETS
        if text in presets:
            data, where = dict(presets[text]), f"preset {text!r}"
        elif os.path.lexists(text):  # a file, or a folder/pipe that gets a clear error
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
        if not is_number(value):
            shown = "a yes/no value" if isinstance(value, bool) else _short(value)
            problems.append(f"{key}: weight must be a number, got {shown}{_text_hint(value)}")
            continue
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            number = math.inf
        if not math.isfinite(number):
            problems.append(f"{key}: weight must be finite (not inf or NaN), got {_short(value)}")
        elif number < 0:
            problems.append(f"{key}: weight must not be negative, got {number:g}")
        else:
            out[key] = number
    if not problems and not any(out.values()):
        problems.append("all weights are zero; give at least one positive weight")
    if problems:
        msg = f"invalid {where}: " + "; ".join(problems)
        raise WeightsError(msg)
    top = max(out.values())
    if not MIN_WEIGHT <= top <= MAX_WEIGHT:  # validated as a whole: rescale, ratios kept
        out = {k: v / top for k, v in out.items()}
    return out


def _text_hint(value: Any) -> str:
    """A hint for text that looks like a number (YAML reads ``1e3`` as text, not 1000)."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return " (YAML reads this as text: write the number unquoted, e.g. 1000 or 1.0e+3)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def weights_label(weights: WeightsArg) -> str:
    """A short name for the weights used: the preset name, the file name, or ``"custom"``."""
    if isinstance(weights, Mapping):
        return "custom"
    text = os.fspath(weights)
    return text if text in settings.WEIGHT_PRESETS else Path(text).name
