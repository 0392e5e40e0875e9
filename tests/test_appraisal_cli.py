"""The appraisal commands: output contracts, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from tests.conftest import DATA_DIR


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_score_csv_header() -> None:
    result = run("score", "--no-network")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(
        "rank,id,name,score,coverage,cost_mdkk,score_per_bn_dkk,")
    assert len(result.stdout.splitlines()) == 34


def test_score_json_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    result = run("score", "--no-network", "--weights", "climate_health", "--method", "topsis",
                 "--format", "json", "--output", str(out))
    assert result.exit_code == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows[0]["rank"] == 1 and 0 <= rows[0]["score"] <= 1


def test_score_on_fixture_catalogue() -> None:
    result = run("score", "--no-network", "--catalogue", str(DATA_DIR / "catalogue_ok"),
                 "--format", "md")
    assert result.exit_code == 0 and "| rank | id | name | score |" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["score", "--weights", "nope"], 1, "unknown weight preset or file 'nope'"),
        (["score", "--weights", str(DATA_DIR / "appraisal" / "weights-zero.yaml")], 1,
         "all weights are zero"),
        (["score", "--format", "xml"], 2, "Invalid value for '--format'"),
        (["bundle", "optimise", "--budget-mdkk", "-5", "--no-network"], 1, "budget must be"),
        (["bundle", "evaluate", str(DATA_DIR / "appraisal" / "bundle-unknown-id.yaml"),
          "--no-network"], 1, "unknown initiative id 99"),
        (["bundle", "optimise", "--budget-mdkk", "100", "--assume-cost", "x", "--no-network"],
         2, "expected ID=MDKK"),
    ],
)
def test_errors(args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    assert message in result.output


def test_bundle_evaluate_json_keys() -> None:
    result = run("bundle", "evaluate", "brt-network", "--json", "--no-network")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"name", "initiatives", "cost_mdkk", "co2_construction_t_min",
            "co2_construction_t_max", "person_minutes_saved_per_day",
            "sum_of_singles_person_minutes", "synergy_person_minutes", "municipalities_gaining",
            "score", "warnings"} <= set(data)
    assert data["cost_mdkk"] == 7070 and data["initiatives"] == [2, 3, 4, 5, 6]


def test_bundle_evaluate_warnings_on_stderr(tmp_path: Path) -> None:
    bundle = tmp_path / "b.yaml"
    bundle.write_text("name: B\ndescription: d\ninitiatives: [4, 13]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["bundle", "evaluate", str(bundle), "--no-network",
                                      "--add-prerequisites"])
    assert result.exit_code == 0, result.output
    assert "cost_mdkk: 20300" in result.stdout
    assert "warning: bundle b.yaml: added prerequisite 12" in result.stderr
    assert "overlaps with 13" in result.stderr


def test_bundle_compare_csv() -> None:
    result = run("bundle", "compare", "brt-network", "metro-package", "--format", "csv",
                 "--no-network")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bundle,name,n_initiatives,initiatives,cost_mdkk")
    assert len(lines) == 3


def test_bundle_optimise_json() -> None:
    result = run("bundle", "optimise", "--budget-mdkk", "30000", "--pareto", "--json",
                 "--no-network", "--top", "3", "--assume-cost", "30=100", "--objective",
                 "score")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"budget_mdkk", "selected", "cost_mdkk", "score", "left_out_unknown_cost",
            "pareto"} <= set(data)
    assert data["cost_mdkk"] <= 30_000 and 30 not in data["left_out_unknown_cost"]
    assert data["cost_assumptions_mdkk"] == {"30": 100}


def test_robustness_command() -> None:
    result = run("robustness", "--runs", "200", "--seed", "3", "--top", "5", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("id,name,base_rank,base_score,p_top_k")


def test_indicators_command() -> None:
    result = run("indicators", "--no-network", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("id,name,indicator,catalogue_stars,inferred")


def test_bench_appraisal_without_network() -> None:
    result = run("bench", "appraisal", "--runs", "200", "--top", "2", "--no-network")
    assert result.exit_code == 0
    assert "score all initiatives (catalogue stars)" in result.stdout
    assert "robustness, 200 runs" in result.stdout
