"""Parameters of the demand model, read from ``geodata/demand_parameters.csv``.

Every row has a ``value``, a ``low``/``high`` range (read by the appraisal's sensitivity), a unit
and a source: a file and row in ``shared/geodata-src`` or ``ASSUMPTION``. Change a value at run
time with :func:`override` (tests, sensitivity runs); the scenario cache key includes
:func:`snapshot`, so cached results never go stale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .. import geodata
from ..errors import GeodataError

__all__ = ["Parameter", "override", "parameters", "reset", "snapshot", "value"]

_COLUMNS = ["name", "value", "low", "high", "unit", "source"]


@dataclass(frozen=True)
class Parameter:
    """One parameter: value, range, unit and source."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str


@lru_cache(maxsize=1)
def _read() -> dict[str, Parameter]:
    path = geodata.get_path("demand_parameters")
    df = geodata.read_csv("demand_parameters", _COLUMNS, dtype=str, keep_default_na=False)
    out: dict[str, Parameter] = {}
    for n, row in enumerate(df.itertuples(index=False), start=2):
        name = str(row.name).strip()
        if not name or name in out:
            msg = f"{path} line {n}: empty or duplicate name {name!r}"
            raise GeodataError(msg)
        nums = []
        for col in ("value", "low", "high"):
            try:
                x = float(getattr(row, col))
            except ValueError:
                x = math.nan
            if not math.isfinite(x):
                msg = f"{path} line {n} ({name}): field {col!r} is not a finite number"
                raise GeodataError(msg)
            nums.append(x)
        if not nums[1] <= nums[0] <= nums[2]:
            msg = f"{path} line {n} ({name}): value {nums[0]} outside [low, high]"
            raise GeodataError(msg)
        if not str(row.source).strip():
            msg = f"{path} line {n} ({name}): field 'source' is empty"
            raise GeodataError(msg)
        out[name] = Parameter(name, nums[0], nums[1], nums[2], str(row.unit), str(row.source))
    return out


_OVERRIDES: dict[str, float] = {}


def parameters() -> dict[str, Parameter]:
    """All parameters by name (a copy; overrides applied to ``value``)."""
    from dataclasses import replace

    return {k: replace(p, value=_OVERRIDES.get(k, p.value)) for k, p in _read().items()}


def value(name: str) -> float:
    """The current value of parameter ``name``."""
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    try:
        return _read()[name].value
    except KeyError:
        msg = f"unknown demand parameter {name!r} (not in geodata/demand_parameters.csv)"
        raise GeodataError(msg) from None


def override(**values: float) -> None:
    """Set parameter values for this process (the cache key follows)."""
    for k, v in values.items():
        value(k)  # unknown names raise
        _OVERRIDES[k] = float(v)


def reset() -> None:
    """Forget :func:`override` values and re-read the file."""
    _OVERRIDES.clear()
    _read.cache_clear()


def snapshot() -> dict[str, float]:
    """Name -> current value of every parameter (part of the scenario cache key)."""
    return {k: p.value for k, p in parameters().items()}
