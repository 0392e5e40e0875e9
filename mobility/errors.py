"""Exceptions and warnings raised by mobility.

Every concrete error subclasses both :class:`MobilityError` and the matching builtin, so callers
can catch either. The CLI prints a ``MobilityError`` as one clear message and exits with 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "BundleError",
    "CatalogueError",
    "GeodataError",
    "Issue",
    "MobilityError",
    "MobilityWarning",
    "NetworkError",
    "OutputError",
    "PlaceNotFoundError",
    "WeightsError",
]


@dataclass(frozen=True)
class Issue:
    """One problem found while validating input: where it is and what is wrong."""

    file: str
    field: str
    message: str
    initiative: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.initiative is not None:
            where += f" [initiative {self.initiative}]"
        if self.field:
            where += f" {self.field}"
        return f"{where}: {self.message}"


class MobilityError(Exception):
    """Base class of all errors raised by mobility."""


class _IssuesMixin:
    """Carries a list of :class:`Issue` and renders them one per line."""

    issues: list[Issue]

    @classmethod
    def from_issues(cls, issues: Iterable[Issue], header: str):  # type: ignore[no-untyped-def]
        issues = list(issues)
        lines = [f"{header} ({len(issues)} problem{'s' if len(issues) != 1 else ''}):"]
        lines += [f"  - {i}" for i in issues]
        err = cls("\n".join(lines))
        err.issues = issues
        return err


class CatalogueError(_IssuesMixin, MobilityError, ValueError):
    """The initiative catalogue (YAML files) is invalid. ``issues`` lists every problem."""

    issues: list[Issue] = []  # noqa: RUF012


class BundleError(_IssuesMixin, MobilityError, ValueError):
    """A bundle file is invalid (unknown id, missing prerequisite, ...)."""

    issues: list[Issue] = []  # noqa: RUF012


class WeightsError(MobilityError, ValueError):
    """Indicator weights are invalid (all zero, negative, unknown preset or key)."""


class GeodataError(MobilityError, OSError):
    """A shipped geodata file is missing or cannot be read."""


class PlaceNotFoundError(MobilityError, KeyError):
    """A station, stop or place name is unknown; the message lists the closest matches."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class NetworkError(MobilityError, ValueError):
    """A network model input or network edit is invalid or conflicting."""


class OutputError(MobilityError, OSError):
    """An output could not be written."""


class MobilityWarning(UserWarning):
    """Warnings raised by mobility (e.g. an overlap between initiatives in a bundle)."""
