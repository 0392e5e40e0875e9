"""The ``mobility`` command line: thin, one library call per subcommand.

Exit codes: 0 ok, 1 data error (a :class:`~mobility.errors.MobilityError`: bad catalogue,
unknown station, ...), 2 usage error (unknown option, bad value).
"""

from __future__ import annotations

import logging
import sys

import click

from ..errors import MobilityError
from ._common import DataError

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Click group that turns library errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except MobilityError as err:
            raise DataError(str(err)) from err


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
from .appraisal import bench, bundle, indicators, robustness, score  # noqa: E402
from .catalogue import catalogue  # noqa: E402
from .network import network  # noqa: E402
from .outputs import map_, run_cmd, table  # noqa: E402

cli.add_command(catalogue)
cli.add_command(network)
cli.add_command(score)
cli.add_command(indicators)
cli.add_command(bundle)
cli.add_command(robustness)
cli.add_command(bench)
cli.add_command(run_cmd)
cli.add_command(map_)
cli.add_command(table)
cli.add_command(explore)
bench.add_command(bench_explore)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mobility`` console script."""
    cli.main(args=argv, prog_name="mobility")
