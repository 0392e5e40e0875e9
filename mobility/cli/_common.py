"""Options and helpers shared by every subcommand (defined once)."""

from __future__ import annotations

import click

from ..errors import MobilityError

__all__ = ["DataError", "catalogue_option", "lang_option"]


class DataError(click.ClickException):
    """A :class:`~mobility.errors.MobilityError` surfaced by the CLI: exit code 1."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message


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


def reraise(err: MobilityError) -> DataError:
    """Turn a library error into the CLI's one-message exit-1 error."""
    return DataError(str(err))
