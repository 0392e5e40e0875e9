"""``mobility network ...`` (travel times, scenario metrics) and ``mobility bench network``."""

from __future__ import annotations

import json

import click

from ._common import catalogue_option

__all__ = ["bench", "network"]


def _initiatives(catalogue_dir: str | None):  # type: ignore[no-untyped-def]
    if catalogue_dir is None:
        return None
    from ..catalogue import read_initiatives

    return read_initiatives(catalogue_dir)


#: Decimals written per column of the per-municipality CSV (other float columns: 3).
_CSV_DECIMALS = {"person_minutes_saved_per_day": 0, "population": 0,
                 "accessibility_base": 0, "accessibility_scenario": 0,
                 "accessibility_change_pct": 3}


def _rounded(frame):  # type: ignore[no-untyped-def]
    """The frame with floats rounded to sensible precision for a CSV file."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            decimals = _CSV_DECIMALS.get(col, 3)
            out[col] = out[col].round(decimals)
            if decimals == 0 and out[col].notna().all():
                out[col] = out[col].astype("int64")
    return out


@click.group()
def network() -> None:
    """Network travel-time engine: station travel times and scenario metrics."""


@network.command("travel-time")
@click.argument("from_name", metavar="FROM")
@click.argument("to_name", metavar="TO")
@click.option("--with", "with_ids", type=int, multiple=True,
              help="Initiative id whose edits to apply (repeatable).")
@click.option("--mode", type=click.Choice(["pt", "car"]), default="pt", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@catalogue_option
def travel_time_cmd(from_name: str, to_name: str, with_ids: tuple[int, ...], mode: str,
                    as_json: bool, catalogue_dir: str | None) -> None:
    """Travel time from station FROM to station TO (names as in the geodata)."""
    from ..network import travel_time

    res = travel_time(from_name, to_name, with_ids=with_ids, mode=mode,
                      initiatives=_initiatives(catalogue_dir))
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    with_txt = f" with {', '.join(map(str, res['with']))}" if res["with"] else ""
    click.echo(f"{res['from']} -> {res['to']} ({res['mode']}{with_txt}): "
               f"{res['minutes']:.1f} min, generalised {res['generalised_minutes']:.1f} min")


@network.command("scenario")
@click.option("--with", "with_ids", type=int, multiple=True, required=True,
              help="Initiative id in the scenario (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the per-municipality metrics to this CSV file.")
@catalogue_option
def scenario_cmd(with_ids: tuple[int, ...], output: str | None,
                 catalogue_dir: str | None) -> None:
    """Evaluate base + the initiatives' edits: per-municipality accessibility and minutes."""
    from ..network import evaluate_scenario

    res = evaluate_scenario(with_ids, initiatives=_initiatives(catalogue_dir))
    if output:
        try:
            _rounded(res.municipalities).to_csv(output)
        except OSError as err:
            from ..errors import OutputError

            msg = f"cannot write {output}: {err}"
            raise OutputError(msg) from err
    click.echo(f"initiatives: {', '.join(map(str, res.ids)) or '(none)'}")
    for iid, reason in res.excluded.items():
        click.echo(f"excluded {iid}: {reason}")
    click.echo(f"person-minutes saved per day: {res.person_minutes_saved_per_day:,.0f} "
               f"(PT {res.person_minutes_saved_pt:,.0f}, car {res.person_minutes_saved_car:,.0f})")
    click.echo(f"municipalities gaining: {', '.join(res.municipalities_gaining) or '(none)'}")
    if output:
        click.echo(f"wrote {output}")


@click.group()
def bench() -> None:
    """Benchmarks."""


@bench.command("network")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--reference-origins", type=click.IntRange(1), default=40, show_default=True,
              help="Origin zones the networkx reference is timed on (then extrapolated).")
@catalogue_option
def bench_network(as_json: bool, reference_origins: int, catalogue_dir: str | None) -> None:
    """Time the 33 single-initiative scenarios and the all-initiatives scenario."""
    from ..network.bench import run_benchmark

    res = run_benchmark(_initiatives(catalogue_dir), reference_origins=reference_origins)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    click.echo(f"zones: {res['zones']}   scenarios: {res['scenarios']}   "
               f"base build: {res['base_build_s']:.2f} s")
    click.echo(f"engine (csgraph): median {res['engine_per_scenario_s']:.3f} s per scenario, "
               f"max {res['engine_max_scenario_s']:.3f} s, total {res['engine_total_s']:.2f} s")
    click.echo(f"reference (networkx): {res['reference_per_scenario_s']:.1f} s per scenario "
               f"(extrapolated: {res['reference_note']})")
    click.echo(f"speed-up: {res['speedup']:.0f}x   peak memory: {res['peak_rss_mb']:.0f} MB")
