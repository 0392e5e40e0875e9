"""The ``mobility`` command line: thin, one library call per subcommand.

Exit codes (documented in the README): 0 ok; 1 data or input error (a
:class:`~mobility.errors.MobilityError`: bad catalogue, bundle or weights file, unknown station,
...; or a file that cannot be read or written: an :class:`OSError` or a file that is not
UTF-8), printed as one clear message, never a traceback; 2 usage error (unknown option, a value
out of range), printed by click with the usage line.
"""

from __future__ import annotations

import logging
import sys

import click

from ..errors import MobilityError
from ._common import DataError, os_error_message

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Click group that turns library and file errors into one clear message and exit code 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except MobilityError as err:
            raise DataError(str(err)) from err
        except UnicodeDecodeError as err:
            raise DataError(f"a file is not UTF-8 text ({err.reason} at byte {err.start}); "
                            "save it as UTF-8") from err
        except OSError as err:
            raise DataError(os_error_message(err)) from err


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(package_name="mobility", prog_name="mobility")
def cli(verbose: int, quiet: bool) -> None:
    """Appraise and compare regional mobility initiatives on a map."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[
        min(verbose, 2)
    ]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr, force=True)


from ..explore.cli import bench_explore, explore  # noqa: E402
from .appraisal import (  # noqa: E402
    bench,
    bundle,
    cba,
    indicators,
    robustness,
    score,
    sensitivity_cmd,
)
from .catalogue import catalogue  # noqa: E402
from .network import network  # noqa: E402
from .outputs import map_, run_cmd, table  # noqa: E402

cli.add_command(catalogue)
cli.add_command(network)
cli.add_command(score)
cli.add_command(indicators)
cli.add_command(bundle)
cli.add_command(cba)
cli.add_command(sensitivity_cmd)
cli.add_command(robustness)
cli.add_command(bench)
cli.add_command(run_cmd)
cli.add_command(map_)
cli.add_command(table)
cli.add_command(explore)
bench.add_command(bench_explore)


def _first_sentence(help_text: str) -> str:
    """The first sentence of a help text, whole (click would cut it at ~45 characters)."""
    para = " ".join(help_text.strip().split("\n\n")[0].split())
    end = para.find(". ")
    return para if end < 0 else para[: end + 1]


def _complete_short_help(group: click.Group) -> None:
    """Give every command a ``short_help``: its first sentence, never cut mid-sentence."""
    for cmd in group.commands.values():
        if cmd.short_help is None and cmd.help:
            cmd.short_help = _first_sentence(cmd.help)
        if isinstance(cmd, click.Group):
            _complete_short_help(cmd)


_complete_short_help(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mobility`` console script."""
    cli.main(args=argv, prog_name="mobility")
