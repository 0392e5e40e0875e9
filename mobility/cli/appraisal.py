"""``mobility score``, ``mobility indicators``, ``mobility bundle ...``, ``mobility robustness``
and ``mobility bench appraisal``: thin wrappers over :mod:`mobility.appraisal`."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import pandas as pd

from .. import appraisal
from .._io import write_bytes, write_text
from ..appraisal._util import jsonable
from ..catalogue import read_initiatives
from ..errors import MobilityWarning
from ..labels import format_number
from ..schema import INDICATOR_KEYS
from ._common import catalogue_option, lang_option, weights_option
from .network import bench

__all__ = ["bench", "bench_appraisal", "bundle", "cba", "indicators", "robustness", "score",
           "sensitivity_cmd"]

#: Upper bound of ``robustness --runs``: the ranks of every run are kept (33 x 4 bytes a run,
#: 130 MB for a million, plus copies for the percentiles); a billion ran out of memory.
MAX_RUNS = 1_000_000

_stars_option = click.option(
    "--stars", type=click.Choice(list(appraisal.STAR_SOURCES)), default="catalogue",
    show_default=True, help="Star source: the catalogue, the network model, or a blend.",
)
_method_option = click.option(
    "--method", type=click.Choice(list(appraisal.METHODS)), default="weighted",
    show_default=True, help="Aggregation: weighted mean of stars (0-5) or TOPSIS (0-1).",
)
_missing_option = click.option(
    "--missing", type=click.Choice(list(appraisal.NOT_ASSESSABLE_RULES)), default=None,
    help="Unassessed indicators: the indicator's mean over the assessed initiatives (mean), "
         "0 stars (zero), or left out with the weights renormalised (exclude). "
         "Default: mean (see docs/appraisal.md).",
)


def _scoring_options(func: Any) -> Any:
    """--weights, --stars and --method, defined once."""
    return weights_option(_stars_option(_method_option(func)))


def _format_option(choices: list[str], default: str) -> Any:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


_output_option = click.option(
    "--output", "-o", default="-", show_default=True,
    help="Output file, or - for standard output.",
)


def _network_option(default: bool | None) -> Any:
    helptext = "Use the network model (person-minutes, synergy, model stars)."
    if default is None:
        helptext += " Default: only when --stars is model or blend."
    return click.option("--network/--no-network", "use_network", default=default,
                        show_default=default is not None, help=helptext)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Print library warnings as ``warning: ...`` lines on standard error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MobilityWarning)
        yield
    for w in caught:
        if issubclass(w.category, MobilityWarning):
            click.echo(f"warning: {w.message}", err=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _csv(frame: pd.DataFrame) -> str:
    out = pd.DataFrame({c: [_cell(v) for v in frame[c]] for c in frame.columns},
                       columns=frame.columns)
    return out.to_csv(index=False, lineterminator="\n")


def _markdown(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])}
    lines = ["| " + " | ".join(cols) + " |",
             "|" + "|".join("---:" if c in numeric else "---" for c in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def _json(data: Any) -> str:
    return json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n"


def _emit(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
    else:
        path = write_text(output, text)
        click.echo(f"wrote {path}", err=True)


def _frame_text(frame: pd.DataFrame, fmt: str, md_columns: list[str] | None = None) -> str:
    if fmt == "csv":
        return _csv(frame)
    if fmt == "json":
        return _json(frame)
    return _markdown(frame[md_columns] if md_columns else frame)


def _network_arg(use_network: bool | None, stars: str) -> bool:
    return stars != "catalogue" if use_network is None else use_network


_SCORE_MD = ["rank", "id", "name", "score", "coverage", "low_coverage", "tied", "cost_mdkk",
             "score_per_bn_dkk", "carbon_payback_years"]


@click.command()
@_scoring_options
@_format_option(["csv", "md", "json"], "csv")
@_output_option
@_network_option(None)
@_missing_option
@catalogue_option
def score(weights: str, stars: str, method: str, fmt: str, output: str,
          use_network: bool | None, missing: str | None, catalogue_dir: str | None) -> None:
    """Score and rank every initiative (CSV starts rank,id,name,score,coverage,...).

    Equal scores share a rank; low-coverage items are ranked after the others."""
    inits = read_initiatives(catalogue_dir)
    table = appraisal.score_initiatives(inits, weights=weights, stars=stars, method=method,
                                        network=_network_arg(use_network, stars), rule=missing)
    md_cols = _SCORE_MD + [f"stars_{k}" for k in INDICATOR_KEYS]
    _emit(_frame_text(table, fmt, md_cols), output)


@click.command()
@click.option("--disagreements", "only_disagreements", is_flag=True,
              help="Only where model and catalogue stars differ by two or more.")
@_format_option(["csv", "md", "json"], "md")
@_output_option
@_network_option(True)
@catalogue_option
def indicators(only_disagreements: bool, fmt: str, output: str, use_network: bool,
               catalogue_dir: str | None) -> None:
    """Catalogue stars, inferred flags, model values and model stars per indicator."""
    inits = read_initiatives(catalogue_dir)
    table = appraisal.indicator_table(inits, network=use_network)
    if only_disagreements:
        table = appraisal.disagreements(table)
    _emit(_frame_text(table, fmt), output)


@click.group()
def bundle() -> None:
    """Bundles of initiatives: evaluate, compare, optimise under a budget."""


_add_prereq_option = click.option(
    "--add-prerequisites", is_flag=True,
    help="Add missing prerequisites (with a warning) instead of failing.",
)


@bundle.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@click.option("--incidence", is_flag=True, help="Also print the per-municipality incidence.")
@weights_option
@_stars_option
@_add_prereq_option
@_network_option(True)
@catalogue_option
def evaluate(file: str, as_json: bool, incidence: bool, weights: str, stars: str,
             add_prerequisites: bool, use_network: bool, catalogue_dir: str | None) -> None:
    """Evaluate bundle FILE (a YAML file, or the name of a shipped bundle)."""
    inits = read_initiatives(catalogue_dir)
    with _warnings_to_stderr():
        result = appraisal.evaluate_bundle(file, initiatives=inits, weights=weights, stars=stars,
                                           network=use_network,
                                           add_prerequisites=add_prerequisites)
    data = result.to_dict()
    if incidence and result.incidence is not None:
        data["incidence"] = result.incidence.reset_index()
    if as_json:
        sys.stdout.write(_json(data))
        return
    for key, value in data.items():
        if key == "incidence":
            continue
        if key == "stars":
            value = ", ".join(f"{k} {_cell(v) or '-'}" for k, v in value.items())
        elif key == "warnings":
            value = "; ".join(value) if value else ""
        click.echo(f"{key}: {_cell(value)}")
    if incidence and result.incidence is not None:
        click.echo("")
        sys.stdout.write(_markdown(result.incidence.reset_index()))


@bundle.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_format_option(["csv", "md"], "md")
@_output_option
@weights_option
@_stars_option
@_add_prereq_option
@_network_option(True)
@catalogue_option
def compare(files: tuple[str, ...], fmt: str, output: str, weights: str, stars: str,
            add_prerequisites: bool, use_network: bool, catalogue_dir: str | None) -> None:
    """Compare bundles FILES side by side."""
    inits = read_initiatives(catalogue_dir)
    with _warnings_to_stderr():
        table = appraisal.compare_bundles(list(files), initiatives=inits, weights=weights,
                                          stars=stars, network=use_network,
                                          add_prerequisites=add_prerequisites)
    _emit(_frame_text(table, fmt), output)


def _assumption(value: str) -> tuple[int, float]:
    ident, _, cost = value.partition("=")
    try:
        return int(ident), float(cost)
    except ValueError as err:
        raise click.BadParameter(f"expected ID=MDKK, got {value!r}",
                                 param_hint="--assume-cost") from err


@bundle.command()
@click.option("--budget-mdkk", type=float, required=True, help="Budget in million DKK.")
@click.option("--must", multiple=True, type=int, metavar="ID", help="Must include (repeat).")
@click.option("--exclude", multiple=True, type=int, metavar="ID", help="Must leave out (repeat).")
@click.option("--assume-cost", multiple=True, metavar="ID=MDKK",
              help="Cost assumption for an initiative whose cost is unknown (repeat).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Best bundles re-evaluated with the network (default from the settings).")
@click.option("--pareto", is_flag=True,
              help="Also compute the Pareto front (cost, NPV, CO2, score with the network).")
@click.option("--objective", type=click.Choice(["npv", "score", "score-per-cost"]),
              default="npv", show_default=True,
              help="Maximise the NPV (needs the network), the sum of scores, or score per cost.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_scoring_options
@_network_option(True)
@_missing_option
@catalogue_option
def optimise(budget_mdkk: float, must: tuple[int, ...], exclude: tuple[int, ...],
             assume_cost: tuple[str, ...], top: int | None, pareto: bool, objective: str,
             as_json: bool, weights: str, stars: str, method: str, use_network: bool,
             missing: str | None, catalogue_dir: str | None) -> None:
    """The best bundle within --budget-mdkk (prerequisites and conflicts respected)."""
    inits = read_initiatives(catalogue_dir)
    result = appraisal.optimise_bundle(
        budget_mdkk, must=must, exclude=exclude, initiatives=inits, weights=weights,
        stars=stars, method=method, cost_assumptions_mdkk=dict(map(_assumption, assume_cost)),
        top=top, network=use_network, pareto=pareto, progress=sys.stderr.isatty(),
        objective=objective, rule=missing,
    )
    if as_json:
        sys.stdout.write(_json(result.to_dict()))
        return
    click.echo(f"objective: {result.objective}")
    click.echo(f"budget: {budget_mdkk:,.0f} million DKK")
    click.echo(f"selected: {';'.join(map(str, result.selected))}")
    for ident, name in zip(result.selected, result.selected_names, strict=True):
        click.echo(f"  {ident:>2}  {name}")
    click.echo(f"cost: {result.cost_mdkk:,.0f} million DKK")
    if result.npv_mdkk is not None:
        click.echo(f"NPV of the bundle (own scenario): {result.npv_mdkk:,.0f} million DKK")
    click.echo("binding constraints: " + (", ".join(result.binding) or
                                         "none (the objective stops the selection)"))
    click.echo(f"score (sum of member scores): {result.score:.3f}")
    if result.score_with_synergy is not None:
        click.echo(f"score with synergy: {result.score_with_synergy:.3f} (synergy "
                   f"{_cell(result.synergy_person_minutes) or 'n/a'} person-minutes/day)")
    click.echo("left out, unknown cost: "
               + (";".join(map(str, result.left_out_unknown_cost)) or "none"))
    if result.left_out_no_model:
        click.echo("left out, not appraised by the model: "
                   + ";".join(map(str, result.left_out_no_model)))
    if result.left_out_no_score:
        click.echo("left out, no positive value: " + ";".join(map(str, result.left_out_no_score)))
    click.echo("")
    sys.stdout.write(_markdown(result.candidates))
    if result.pareto is not None:
        click.echo("\nPareto front:")
        sys.stdout.write(_markdown(result.pareto))


@click.command()
@click.option("--runs", type=click.IntRange(min=1, max=MAX_RUNS), default=None,
              help=f"Monte Carlo runs, 1-{MAX_RUNS:,} (default from the settings).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Random seed, a non-negative integer (default from the settings).")
@click.option("--top", "top_k", type=click.IntRange(min=1), default=None,
              help="k of 'probability of being in the top k' (default from the settings).")
@_scoring_options
@_format_option(["csv", "md", "json"], "md")
@_output_option
@_network_option(None)
@catalogue_option
def robustness(runs: int | None, seed: int | None, top_k: int | None, weights: str,
               stars: str, method: str, fmt: str, output: str, use_network: bool | None,
               catalogue_dir: str | None) -> None:
    """Rank stability under varied weights and inferred ratings (Monte Carlo)."""
    inits = read_initiatives(catalogue_dir)
    table = appraisal.robustness(inits, runs=runs, seed=seed, top_k=top_k, weights=weights,
                                 stars=stars, method=method,
                                 network=_network_arg(use_network, stars),
                                 progress=sys.stderr.isatty())
    _emit(_frame_text(table, fmt), output)
    a = table.attrs
    click.echo(f"{a['runs']} runs, seed {a['seed']}, top {a['top_k']}, weight sigma "
               f"{a['weight_sigma']}, inferred ratings +-{a['inferred_star_spread']} star",
               err=True)


# --------------------------------------------------------------------------------------------
# bench: the group is defined with the network benchmark; the appraisal one joins it

@bench.command(name="appraisal")
@click.option("--runs", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Robustness runs to time.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True,
              help="Optimiser candidates re-evaluated with the network.")
@click.option("--budget-mdkk", type=float, default=30_000, show_default=True,
              help="Optimiser budget.")
@_network_option(True)
def bench_appraisal(runs: int, top: int, budget_mdkk: float, use_network: bool) -> None:
    """Time scoring, the optimiser with network re-evaluation, and robustness runs."""
    from ..appraisal.bench import format_report, run_benchmark

    figures = run_benchmark(runs=runs, top=top, budget_mdkk=budget_mdkk, network=use_network)
    click.echo(format_report(figures))




# ------------------------------------------------------------------------------------------------
# mobility cba

_CBA_COLUMNS = ["id", "name", "cost_mdkk", "npv_mdkk", "bcr", "irr_pct", "catalogue_irr_pct",
                "irr_difference_pp", "catalogue_socioeconomics", "first_year_return_pct",
                "npv_mdkk_co2_high", "npv_per_public_krone", "effects_source"]


def _cba_csv(frame: pd.DataFrame) -> str:
    from ..outputs.spreadsheet import csv_text

    out = pd.DataFrame({c: [csv_text(v) if isinstance(v, str) else _cell(v)
                            for v in frame[c]] for c in frame.columns}, columns=frame.columns)
    return out.to_csv(index=False, lineterminator="\n")


def _cba_xlsx(frame: pd.DataFrame) -> bytes:
    import io

    from openpyxl import Workbook

    from ..outputs.spreadsheet import strings_only

    wb = Workbook()
    ws = wb.active
    ws.title = "cba"
    for j, col in enumerate(frame.columns, start=1):
        ws.cell(row=1, column=j, value=str(col))
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            value = jsonable(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.cell(row=i, column=j, value=value)
            elif value is not None:
                ws.cell(row=i, column=j, value=str(value))
    strings_only(ws)  # text stays text, never a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@click.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="One row per initiative (a table).")
@click.option("--json", "as_json", is_flag=True, help="Print the CBA of IDS as JSON.")
@_format_option(["csv", "md", "xlsx"], "md")
@_output_option
@click.option("--unit-prices", "unit_prices", type=click.Path(dir_okay=False), default=None,
              help="Unit-price file (default: geodata/unit_prices.yaml).")
@click.option("--assume-cost", multiple=True, metavar="ID=MDKK",
              help="Cost assumption for an initiative whose cost is unknown (repeat).")
@lang_option
@_network_option(True)
@catalogue_option
def cba(ids: tuple[int, ...], all_: bool, as_json: bool, fmt: str, output: str,
        unit_prices: str | None, assume_cost: tuple[str, ...], lang: str, use_network: bool,
        catalogue_dir: str | None) -> None:
    """Cost-benefit analysis (Danish method) of IDS (several ids = one bundle), or --all."""
    from ..appraisal.cba import COMPONENT_LABELS, load_unit_prices
    from ..appraisal.economics import cba_ids, cba_table

    if bool(ids) == all_:
        raise click.UsageError("give initiative ids, or --all (not both)")
    inits = read_initiatives(catalogue_dir)
    prices = load_unit_prices(unit_prices)
    if all_:
        table = cba_table(inits, network=use_network, prices=prices)
        table = table[_CBA_COLUMNS + [c for c in table.columns if c.startswith("benefit_")]]
        if fmt == "xlsx":
            if output == "-":
                raise click.UsageError("--format xlsx needs --output PATH")
            path = write_bytes(output, _cba_xlsx(table))
            click.echo(f"wrote {path}", err=True)
            return
        text = _cba_csv(table) if fmt == "csv" else (
            _markdown(table[_CBA_COLUMNS])
            + f"\nunit prices version {prices.version}\n")
        _emit(text, output)
        return
    result = cba_ids(ids, initiatives=inits, network=use_network, prices=prices,
                     cost_assumptions_mdkk=dict(map(_assumption, assume_cost)))
    data = result.to_dict()
    data["ids"] = sorted(set(ids))
    if as_json:
        sys.stdout.write(_json(data))
        return
    en = lang == "en"
    names = "; ".join(f"{i} {inits[i].name_en if en else inits[i].name}" for i in data["ids"])
    click.echo(names)
    labels = [("npv_mdkk", "Nettonutidsværdi (mio. kr.)", "Net present value (million DKK)"),
              ("bcr", "Benefit-cost-forhold", "Benefit-cost ratio"),
              ("irr_pct", "Intern rente (%)", "Internal rate of return (%)"),
              ("first_year_return_pct", "Førsteårsforrentning (%)", "First-year return (%)"),
              ("npv_mdkk_co2_high", "NNV med høj CO2-pris (mio. kr.)",
               "NPV with the high CO2 price (million DKK)"),
              ("npv_per_public_krone", "NNV pr. offentlig krone", "NPV per krone of public money"),
              ("costs_mdkk", "Investering, nutidsværdi (mio. kr.)",
               "Investment, present value (million DKK)")]
    decimals = {"bcr": 2, "irr_pct": 1, "first_year_return_pct": 1, "npv_per_public_krone": 2}
    for key, da, en_label in labels:
        value = format_number(data[key], decimals.get(key, 0), lang, empty="–")
        click.echo(f"{en_label if en else da}: {value}")
    click.echo("")
    for key, value in data["benefits_mdkk"].items():
        da, en_label = COMPONENT_LABELS[key]
        click.echo(f"  {en_label if en else da}: {format_number(value, 1, lang, empty='–')}")
    click.echo(f"\n{'unit prices version' if en else 'enhedspriser, version'} "
               f"{data['unit_prices_version']}; {'effects' if en else 'effekter'}: "
               f"{data['effects_source']}")


@click.command(name="sensitivity")
@click.option("--runs", type=click.IntRange(min=1), default=300, show_default=True,
              help="Monte Carlo runs (each a CBA of every initiative on cached effects).")
@click.option("--seed", type=int, default=20_240, show_default=True, help="Random seed.")
@click.option("--top", "top_k", type=click.IntRange(min=1), default=5, show_default=True,
              help="k of 'probability of a top-k NPV'.")
@_format_option(["csv", "md", "json"], "md")
@_output_option
@_network_option(True)
@catalogue_option
def sensitivity_cmd(runs: int, seed: int, top_k: int, fmt: str, output: str, use_network: bool,
                    catalogue_dir: str | None) -> None:
    """CBA sensitivity: P(BCR > 1), NPV intervals and P(top k) under uncertain unit prices."""
    from ..appraisal.sensitivity import sensitivity

    inits = read_initiatives(catalogue_dir)
    table = sensitivity(inits, network=use_network, runs=runs, seed=seed, top_k=top_k,
                        progress=sys.stderr.isatty())
    if fmt == "json":
        _emit(_json({"rows": table, **table.attrs}), output)
        return
    text = _cba_csv(table) if fmt == "csv" else (
        _markdown(table)
        + f"\n{table.attrs['runs']} runs, seed {table.attrs['seed']}; unit prices version "
        f"{table.attrs['unit_prices_version']}.\nVaried: {', '.join(table.attrs['varied'])}.\n"
        "Not varied (need a full network re-run per draw): "
        + "; ".join(table.attrs["needs_full_rerun"]) + ".\n")
    _emit(text, output)
