"""The catalogue schema: one place for the initiative record's fields, types and rules.

The models are used both to read (``Initiative.model_validate(yaml_dict)``) and to validate the
YAML files; the field reference is ``docs/catalogue-format.md``. Geometry *specifications* are
validated here; building the geometry from the shipped geodata is done in
:mod:`mobility.catalogue`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from . import settings

__all__ = [
    "INDICATOR_KEYS",
    "KINDS",
    "MAX_ID",
    "TABLE_INDICATOR_KEYS",
    "THEME_KEYS",
    "AreaSpec",
    "Co2Range",
    "GeometrySpec",
    "Initiative",
    "LineSpec",
    "MultiSpec",
    "Passengers",
    "PointsSpec",
    "RailRouteSpec",
    "Ratings",
    "Relation",
    "Socioeconomics",
    "TravelTime",
    "socioeconomics_stars",
    "stars_from_thresholds",
]

#: The six guiding indicators, in the catalogue's order.
INDICATOR_KEYS: tuple[str, ...] = (
    "cross_municipal",
    "accessibility",
    "co2_operation",
    "public_health",
    "public_transport",
    "socioeconomics",
)
#: The five indicators of the catalogue's summary table (socio-economics is derived).
TABLE_INDICATOR_KEYS: tuple[str, ...] = INDICATOR_KEYS[:5]

THEME_KEYS: tuple[str, ...] = (
    "public_transport", "cycling", "hubs", "roads", "speed_noise", "pricing",
)
KINDS: tuple[str, ...] = (
    "rail", "s_train", "regional_rail", "local_rail", "metro", "brt", "demand_responsive",
    "cycle_network", "park_and_ride", "cycle_parking", "road", "traffic_management",
    "speed_limit", "noise_cover", "road_pricing", "fare_reform",
)

#: Largest initiative id (ids are small positive integers; a bound keeps huge YAML integers
#: from reaching the code as ids).
MAX_ID = 9999

#: A number: an int or float, never a boolean (YAML ``yes``/``no``/``true``) or a quoted string;
#: with ``allow_inf_nan=False`` on every model, never ``.inf`` or ``.nan`` either.
Num = Annotated[float, Field(strict=True)]
NonNeg = Annotated[Num, Field(ge=0)]
#: An integer that is not a boolean.
Int = Annotated[int, Field(strict=True)]
#: An initiative id: 1..MAX_ID.
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
Star = Union[Annotated[int, Field(strict=True, ge=0, le=5)], Literal["n/a"]]
#: A place: a station/stop/place name, or [lon, lat] in WGS84.
PlaceRef = Union[str, tuple[Num, Num]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Co2Range(_Model):
    """Construction-phase CO2 in tonnes, as a min-max range."""

    min: NonNeg
    max: NonNeg

    @model_validator(mode="after")
    def _ordered(self) -> Co2Range:
        if self.min > self.max:
            msg = f"min ({self.min:g}) is greater than max ({self.max:g})"
            raise ValueError(msg)
        return self


class PassengerPart(_Model):
    label: str | None = None
    extra_per_day: NonNeg | None = None
    extra_pct: Num | None = None
    potential_per_day: NonNeg | None = None


class Passengers(_Model):
    """Passenger effects; every figure optional (unknown = absent)."""

    extra_per_day: NonNeg | None = None
    extra_pct: Num | None = None
    potential_per_day: NonNeg | None = None
    daily_passengers: NonNeg | None = None
    note: str | None = None
    parts: list[PassengerPart] = Field(default_factory=list)


class TravelTime(_Model):
    """Travel-time effect as stated by the catalogue."""

    change: Literal["reduction", "increase", "none", "unknown"] = "unknown"
    reduction_pct: Annotated[Num, Field(ge=0, le=100)] | None = None
    reduction_min: NonNeg | None = None
    corridor: str | None = None
    applies_to: Literal["all", "car", "pt"] = "all"
    text: str | None = None


class Socioeconomics(_Model):
    """The socio-economics paragraph: status and internal rate of return."""

    status: Literal["irr", "not_profitable", "not_calculated", "unknown"]
    irr_pct: Num | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _irr_given(self) -> Socioeconomics:
        if self.status == "irr" and self.irr_pct is None:
            msg = "status 'irr' needs irr_pct"
            raise ValueError(msg)
        if self.status != "irr" and self.irr_pct is not None:
            msg = f"irr_pct given but status is {self.status!r} (use status: irr)"
            raise ValueError(msg)
        return self


class Ratings(_Model):
    """Stars 0-5 on the five table indicators; ``"n/a"`` = not assessable (hatched bar)."""

    cross_municipal: Star
    accessibility: Star
    co2_operation: Star
    public_health: Star
    public_transport: Star


class Relation(_Model):
    """A reference to another initiative, with the reason (e.g. the OBS text)."""

    id: Id
    note: str | None = None


class KeyFigure(_Model):
    label: str
    value: Num | None = None
    unit: str | None = None


# --------------------------------------------------------------------------------------------
# Geometry specifications


class RailRouteSpec(_Model):
    """A corridor following the rail segments through consecutive stations."""

    type: Literal["rail_route"]
    stations: list[str] = Field(min_length=2)
    systems: list[str] | None = None


class LineSpec(_Model):
    """A line through places in order."""

    type: Literal["line"]
    via: list[PlaceRef] = Field(min_length=2)


class PointsSpec(_Model):
    """A point or multipoint at places."""

    type: Literal["points"]
    at: list[PlaceRef] = Field(min_length=1)


class AreaSpec(_Model):
    """A (multi)polygon: the union of municipalities."""

    type: Literal["area"]
    municipalities: Literal["all", "fingerplan"] | list[Union[Int, str]]

    @field_validator("municipalities")
    @classmethod
    def _non_empty(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            msg = "list of municipalities is empty"
            raise ValueError(msg)
        return v


SimpleSpec = Annotated[
    Union[RailRouteSpec, LineSpec, PointsSpec, AreaSpec], Field(discriminator="type")
]


class MultiSpec(_Model):
    """Several parts of one geometry kind, combined into a Multi* geometry."""

    type: Literal["multi"]
    parts: list[SimpleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> MultiSpec:
        dims = {_DIMENSION[p.type] for p in self.parts}
        if len(dims) > 1:
            msg = "parts mix points, lines and areas; use parts of one kind"
            raise ValueError(msg)
        return self


_DIMENSION = {"points": 0, "rail_route": 1, "line": 1, "area": 2}

GeometrySpec = Annotated[
    Union[RailRouteSpec, LineSpec, PointsSpec, AreaSpec, MultiSpec], Field(discriminator="type")
]


# --------------------------------------------------------------------------------------------
# The initiative


def stars_from_thresholds(value: float | None, thresholds: Sequence[float]) -> int | None:
    """Number of thresholds that ``value`` reaches (0-5); ``None`` for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return min(5, sum(1 for t in thresholds if value >= t))


def socioeconomics_stars(socio: Socioeconomics) -> int | None:
    """Socio-economics stars from the catalogue text, by the documented threshold rule.

    ``not_profitable`` gives 0; an IRR gives the number of thresholds in
    :data:`mobility.settings.IRR_STAR_THRESHOLDS_PCT` it reaches (capped at 5);
    ``not_calculated`` and ``unknown`` give ``None`` (not assessable).
    """
    if socio.status == "not_profitable":
        return 0
    if socio.status == "irr":
        return stars_from_thresholds(socio.irr_pct, settings.IRR_STAR_THRESHOLDS_PCT)
    return None


class Initiative(_Model):
    """One initiative of the catalogue, as written in its YAML file (see the format doc).

    After loading, :attr:`geom` holds the geometry built from the shipped geodata (EPSG:25832)
    and :attr:`source_file` the file it came from.
    """

    id: Id
    name: Annotated[str, Field(min_length=1)]
    name_en: Annotated[str, Field(min_length=1)]
    theme: Literal[
        "public_transport", "cycling", "hubs", "roads", "speed_noise", "pricing"
    ]
    kind: Literal[
        "rail", "s_train", "regional_rail", "local_rail", "metro", "brt", "demand_responsive",
        "cycle_network", "park_and_ride", "cycle_parking", "road", "traffic_management",
        "speed_limit", "noise_cover", "road_pricing", "fare_reform",
    ]
    page: Annotated[int, Field(strict=True, ge=1, le=100000)] | None = None
    description: Annotated[str, Field(min_length=1)]
    description_en: str | None = None
    cost_mdkk: NonNeg | None = None
    cost_text: str | None = None
    cost_note: str | None = None
    co2_construction_t: Co2Range | None = None
    passengers: Passengers = Field(default_factory=Passengers)
    travel_time: TravelTime = Field(default_factory=TravelTime)
    key_figures: list[Union[str, KeyFigure]] = Field(default_factory=list)
    socioeconomics: Socioeconomics
    ratings: Ratings
    inferred_ratings: list[
        Literal["cross_municipal", "accessibility", "co2_operation", "public_health",
                "public_transport", "socioeconomics"]
    ] = Field(default_factory=list)
    rating_texts: dict[
        Literal["cross_municipal", "accessibility", "co2_operation", "public_health",
                "public_transport", "socioeconomics"],
        str,
    ] = Field(default_factory=dict)
    caveats: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    end_stations: list[str] = Field(default_factory=list)
    prerequisites: list[Id] = Field(default_factory=list)
    overlaps: list[Relation] = Field(default_factory=list)
    conflicts: list[Relation] = Field(default_factory=list)
    geometry: GeometrySpec
    geometry_note: str | None = None
    #: The geometry is a schematic sketch (e.g. straight lines), not the real route: maps draw
    #: it dashed and say "skematisk".
    schematic: bool = False
    network: dict[str, Any] | None = None

    _geom: Any = PrivateAttr(default=None)
    _source_file: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _no_self_reference(self) -> Initiative:
        if self.id in self.prerequisites:
            msg = "an initiative cannot be its own prerequisite"
            raise ValueError(msg)
        return self

    @property
    def geom(self) -> Any:
        """The geometry built from the shipped geodata (shapely, EPSG:25832), or None."""
        return self._geom

    @property
    def source_file(self) -> str:
        """The YAML file the initiative was read from ("" if built in code)."""
        return self._source_file

    @property
    def stars(self) -> dict[str, int | None]:
        """Stars on all six indicators; ``None`` = not assessable; socio-economics derived."""
        out: dict[str, int | None] = {}
        for key in TABLE_INDICATOR_KEYS:
            value = getattr(self.ratings, key)
            out[key] = None if value == "n/a" else int(value)
        out["socioeconomics"] = socioeconomics_stars(self.socioeconomics)
        return out

    @property
    def related_ids(self) -> set[int]:
        """Ids this initiative names as prerequisite, overlap or conflict."""
        return (
            set(self.prerequisites)
            | {r.id for r in self.overlaps}
            | {r.id for r in self.conflicts}
        )
