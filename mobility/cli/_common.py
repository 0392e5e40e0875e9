"""Options and helpers shared by every subcommand (defined once)."""

from __future__ import annotations

import click

__all__ = ["DataError", "catalogue_option", "lang_option", "os_error_message", "weights_option"]


class DataError(click.ClickException):
    """A :class:`~mobility.errors.MobilityError` surfaced by the CLI: exit code 1."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message


def os_error_message(err: OSError) -> str:
    """One line for an operating-system error: what failed, on which file, and why."""
    reason = err.strerror or str(err) or type(err).__name__
    names = [n for n in (err.filename, err.filename2) if n is not None]
    where = " -> ".join(str(n) for n in names)
    return f"cannot access {where}: {reason}" if where else f"input/output error: {reason}"


catalogue_option = click.option(
    "--catalogue",
    "catalogue_dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Folder of initiative YAML files (default: the shipped catalogue).",
)

lang_option = click.option(
    "--lang",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="Language of labels in tables and maps.",
)

weights_option = click.option(
    "--weights", default="equal", show_default=True, metavar="PRESET|FILE",
    help="Indicator weights: a preset (equal, climate_health, accessibility) or a YAML file.",
)

