"""``mobility network ...`` (travel times, scenario metrics), ``mobility bench network`` and
``mobility bench roads``."""

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
@click.option("--period", type=click.Choice(["offpeak", "peak", "free"]), default="offpeak",
              show_default=True,
              help="Car: congested times of the off-peak or morning peak hour, or free-flow.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@catalogue_option
def travel_time_cmd(from_name: str, to_name: str, with_ids: tuple[int, ...], mode: str,
                    period: str, as_json: bool, catalogue_dir: str | None) -> None:
    """Travel time from station FROM to station TO (names as in the geodata)."""
    from ..network import travel_time

    res = travel_time(from_name, to_name, with_ids=with_ids, mode=mode, period=period,
                      initiatives=_initiatives(catalogue_dir))
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    with_txt = f" with {', '.join(map(str, res['with']))}" if res["with"] else ""
    per = f", {res['period']}" if res["mode"] == "car" else ""
    click.echo(f"{res['from']} -> {res['to']} ({res['mode']}{per}{with_txt}): "
               f"{res['minutes']:.1f} min, generalised {res['generalised_minutes']:.1f} min")


#: Columns of ``mobility network validate-car-times --json`` (one object per published figure).
_CAR_VALIDATION_COLUMNS = (
    "id", "pair_id", "from_name", "to_name", "published_min_low", "published_min_high",
    "published_mid", "kind", "period", "mode", "source", "url", "free_min", "offpeak_min",
    "peak_min", "offpeak_reverse_min", "peak_reverse_min", "offpeak_error_pct",
    "peak_error_pct", "offpeak_within", "peak_within",
)


def _json_value(value):  # type: ignore[no-untyped-def]
    """A JSON-safe scalar: NaN becomes null, numpy scalars plain Python, floats 1 decimal."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if value != value else round(value, 1)
    return value


@network.command("validate-car-times")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def validate_car_times_cmd(as_json: bool) -> None:
    """Base car times against published typical driving times (blogs, aggregator sites)."""
    from ..network.validation import (
        PUBLISHED_CAR_TOLERANCE,
        published_car_summary,
        published_car_times,
    )

    table = published_car_times()
    summary = published_car_summary(table)
    if as_json:
        rows = [{c: _json_value(row[c]) for c in _CAR_VALIDATION_COLUMNS}
                for _, row in table.iterrows()]
        click.echo(json.dumps({"tolerance": PUBLISHED_CAR_TOLERANCE, "rows": rows,
                               "summary": summary}, ensure_ascii=False))
        return
    for _, r in table.iterrows():
        low, high = r["published_min_low"], r["published_min_high"]
        pub = (f"< {high:.0f}" if low != low else f"{low:.0f}" if low == high
               else f"{low:.0f}-{high:.0f}")
        err = ("" if r["offpeak_error_pct"] != r["offpeak_error_pct"]
               else f", off-peak error {r['offpeak_error_pct']:+.0f} %")
        within = "within" if r["offpeak_within"] else "outside"
        click.echo(f"{r['id']:>3} {r['from_name']} -> {r['to_name']}: published {pub} min "
                   f"({r['source']}); model free {r['free_min']:.1f}, off-peak "
                   f"{r['offpeak_min']:.1f}, peak {r['peak_min']:.1f} min{err} ({within})")
    tol = PUBLISHED_CAR_TOLERANCE * 100
    click.echo(f"{summary['rows']} published figures for {summary['pairs']} pairs in the study "
               f"area ({summary['rows_with_midpoint']} with a mid-point)")
    click.echo(f"mean absolute error against the published mid-points: off-peak "
               f"{summary['offpeak_mean_abs_error_pct']:.1f} %, peak "
               f"{summary['peak_mean_abs_error_pct']:.1f} %, free-flow "
               f"{summary['free_mean_abs_error_pct']:.1f} % (mean signed: off-peak "
               f"{summary['offpeak_mean_error_pct']:+.1f} %)")
    click.echo(f"within the published range +/- {tol:.0f} %: off-peak "
               f"{summary['offpeak_within_range']} of {summary['rows']}, peak "
               f"{summary['peak_within_range']} of {summary['rows']}")


@network.command("base")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def base_cmd(as_json: bool) -> None:
    """Base-year weekday statistics of the demand model."""
    from ..demand.model import summary_base
    from ..network.scenario import _state

    res = summary_base(_state()[2])
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    click.echo(f"zones: {res['zones']}   residents: {res['residents']:,}   "
               f"trips per weekday: {res['trips_per_day']:,}")
    click.echo(f"trips per person (10-84) per day: {res['trips_per_person_per_day']:.2f}   "
               f"mean trip: {res['mean_trip_km']:.1f} km   "
               f"mean commute: {res['mean_commute_km']:.1f} km")
    click.echo("mode shares: " + ", ".join(f"{m} {v * 100:.1f} %"
                                           for m, v in res["mode_shares"].items()))
    for name, km in res["mean_commute_km_by_municipality"].items():
        click.echo(f"  {name}: {km:.1f} km")


def _summary(res) -> dict:  # type: ignore[no-untyped-def]
    eff = res.effects

    def shares(trips: dict) -> dict:
        tot = sum(trips.values())
        return {m: round(v / tot, 4) if tot else 0.0 for m, v in trips.items()}

    out = {"with": list(res.ids), "excluded": {str(k): v for k, v in res.excluded.items()}}
    out.update({k: eff[k] for k in (
        "extra_pt_trips_per_day", "new_line_boardings_per_day", "car_vehicle_km_change_per_day",
        "bus_vehicle_km_change_per_day", "rail_train_km_change_per_day",
        "co2_operation_t_per_year_change", "person_minutes_saved_per_day",
        "person_minutes_saved_by_purpose", "user_benefit_mdkk_per_year",
        "annualisation_days")})
    out["person_minutes_saved_pt"] = round(res.person_minutes_saved_pt, 1)
    out["person_minutes_saved_car"] = round(res.person_minutes_saved_car, 1)
    out["mode_shares_base"] = shares(eff["trips_by_mode_base"])
    out["mode_shares_scenario"] = shares(eff["trips_by_mode_scenario"])
    out["trips_by_mode_base"] = eff["trips_by_mode_base"]
    out["trips_by_mode_scenario"] = eff["trips_by_mode_scenario"]
    out["municipalities_gaining"] = list(res.municipalities_gaining)
    return out


@network.command("scenario")
@click.option("--with", "with_ids", type=int, multiple=True, required=True,
              help="Initiative id in the scenario (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the per-municipality metrics to this CSV file.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@catalogue_option
def scenario_cmd(with_ids: tuple[int, ...], output: str | None, as_json: bool,
                 catalogue_dir: str | None) -> None:
    """Evaluate base + the initiatives' edits: demand response, effects, per municipality."""
    from ..network import evaluate_scenario

    res = evaluate_scenario(with_ids, initiatives=_initiatives(catalogue_dir))
    if output:
        try:
            _rounded(res.municipalities).to_csv(output)
        except OSError as err:
            from ..errors import OutputError

            msg = f"cannot write {output}: {err}"
            raise OutputError(msg) from err
    summary = _summary(res)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"initiatives: {', '.join(map(str, res.ids)) or '(none)'}")
    for iid, reason in res.excluded.items():
        click.echo(f"excluded {iid}: {reason}")
    click.echo(f"person-minutes saved per day (rule of half): "
               f"{res.person_minutes_saved_per_day:,.0f} "
               f"(PT {res.person_minutes_saved_pt:,.0f}, car {res.person_minutes_saved_car:,.0f})")
    click.echo(f"extra PT trips per day: {summary['extra_pt_trips_per_day']:,.0f}   "
               f"car vehicle-km per day: {summary['car_vehicle_km_change_per_day']:+,.0f}")
    click.echo(f"CO2 from operation: {summary['co2_operation_t_per_year_change']:+,.0f} t/year   "
               f"user benefit: {summary['user_benefit_mdkk_per_year']:,.1f} mio. DKK/year")
    nlb = summary["new_line_boardings_per_day"]
    click.echo("boardings on new or changed lines per day: "
               + ("not modelled yet (no PT assignment)" if nlb is None else f"{nlb:,.0f}"))
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
    """Time the 33 single-initiative scenarios and the all-initiatives scenario (with demand)."""
    from ..network.bench import run_benchmark

    res = run_benchmark(_initiatives(catalogue_dir), reference_origins=reference_origins)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    click.echo(f"zones: {res['zones']}   scenarios: {res['scenarios']}   "
               f"base build: {res['base_build_s']:.2f} s")
    click.echo(f"engine (csgraph) + demand: median {res['engine_per_scenario_s']:.3f} s per "
               f"scenario, max {res['engine_max_scenario_s']:.3f} s, "
               f"total {res['engine_total_s']:.2f} s")
    click.echo(f"of which demand response, effects and metrics: median "
               f"{res['demand_per_scenario_s']:.3f} s, max {res['demand_max_scenario_s']:.3f} s")
    click.echo(f"process CPU time: median {res['engine_cpu_per_scenario_s']:.3f} s per scenario, "
               f"total {res['engine_cpu_total_s']:.2f} s")
    click.echo(f"reference (networkx): {res['reference_per_scenario_s']:.1f} s per scenario "
               f"(extrapolated: {res['reference_note']})")
    click.echo(f"speed-up: {res['speedup']:.0f}x   peak memory: {res['peak_rss_mb']:.0f} MB")
    fb = res["base_congestion_feedback"]
    click.echo(f"congestion: base assignment {res['base_assignment_s']:.3f} s (peak + off-peak), "
               f"{fb['base_feedback_loops']} feedback loop(s), base gap "
               f"{max(fb['relative_gap'].values()):.1e}; car trips re-assigned in "
               f"{len(res['scenarios_reassigned'])} scenarios "
               f"({', '.join(map(str, res['scenarios_reassigned']))}), max gap "
               f"{res['scenario_assignment_max_relative_gap']}")


@bench.command("kernels")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--repeats", type=click.IntRange(1), default=5, show_default=True,
              help="Timed runs of each step and implementation (median reported).")
def bench_kernels(as_json: bool, repeats: int) -> None:
    """Time the compiled loops (numba) against their numpy reference, side by side."""
    from ..network.bench_kernels import format_report, run_kernel_benchmark

    res = run_kernel_benchmark(repeats=repeats)
    click.echo(json.dumps(res, ensure_ascii=False) if as_json else format_report(res))


@bench.command("roads")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--repeats", type=click.IntRange(1), default=3, show_default=True,
              help="Timed runs of the base assignment (median reported).")
@catalogue_option
def bench_roads(as_json: bool, repeats: int, catalogue_dir: str | None) -> None:
    """Time the car assignment (peak + off-peak hour) alone, base and road initiatives."""
    from ..network.bench_roads import run_roads_benchmark

    res = run_roads_benchmark(_initiatives(catalogue_dir), repeats=repeats)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    click.echo(f"road network: {res['nodes']} nodes, {res['links']} directed links   "
               f"base build: {res['base_build_s']:.2f} s")
    click.echo(f"assignment (peak + off-peak): median {res['assignment_median_s']:.3f} s, "
               f"max {res['assignment_max_s']:.3f} s   peak memory: {res['peak_rss_mb']:.0f} MB")
    for row in res["scenarios"]:
        click.echo(f"  {row['scenario']:>5}: {row['seconds']:.3f} s   gap peak "
                   f"{row['gap_peak']:.1e} ({row['iterations_peak']} it), off-peak "
                   f"{row['gap_offpeak']:.1e} ({row['iterations_offpeak']} it)")
