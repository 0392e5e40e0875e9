"""mobility: appraise and compare regional mobility initiatives on a map.

The public entry points are the subject modules: :mod:`mobility.geodata` (shipped geodata),
:mod:`mobility.catalogue` (initiatives: read, validate, tabulate, export),
:mod:`mobility.network` (travel-time engine), :mod:`mobility.appraisal` (scores, bundles,
optimiser, robustness) and the output modules (maps, tables, charts, the main job).
"""

from importlib.metadata import PackageNotFoundError, version

from .catalogue import load_catalogue, read_initiatives
from .errors import (
    BundleError,
    CatalogueError,
    GeodataError,
    MobilityError,
    MobilityWarning,
    NetworkError,
    PlaceNotFoundError,
    WeightsError,
)
from .schema import INDICATOR_KEYS, Initiative

try:
    __version__ = version("mobility")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "INDICATOR_KEYS",
    "BundleError",
    "CatalogueError",
    "GeodataError",
    "Initiative",
    "MobilityError",
    "MobilityWarning",
    "NetworkError",
    "PlaceNotFoundError",
    "WeightsError",
    "__version__",
    "load_catalogue",
    "read_initiatives",
]
