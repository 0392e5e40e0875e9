"""The ``mobility catalogue`` commands, run in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.catalogue import CSV_COLUMNS
from mobility.cli import cli
from tests.conftest import DATA_DIR

FIXTURE = str(DATA_DIR / "catalogue_ok")


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_validate_ok(run) -> None:
    result = run("catalogue", "validate", FIXTURE)
    assert result.exit_code == 0, result.output
    assert "OK: 4 initiatives valid" in result.output


def test_validate_bad_catalogue_exits_1_with_all_problems(run, good_catalogue: Path,
                                                          edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: -1")
    edit_file(good_catalogue / "02-rail.yaml", "prerequisites: [1]", "prerequisites: [42]")
    result = run("catalogue", "validate", str(good_catalogue))
    assert result.exit_code == 1
    assert "01-line.yaml [initiative 1] cost_mdkk" in result.output
    assert "02-rail.yaml [initiative 2] prerequisites[0]: names unknown initiative id 42" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_usage_error_exits_2(run) -> None:
    assert run("catalogue", "export", "--format", "pdf", "--output", "-").exit_code == 2
    assert run("catalogue", "frobnicate").exit_code == 2
    assert run("catalogue", "export", "--format", "xlsx", "--output", "-").exit_code == 2


def test_list_shows_a_table(run) -> None:
    result = run("catalogue", "list", "--catalogue", FIXTURE)
    assert result.exit_code == 0
    assert "Testbane" in result.output and "Kollektiv trafik" in result.output
    assert "★★★★☆" in result.output and "–" in result.output
    en = run("catalogue", "list", "--catalogue", FIXTURE, "--lang", "en")
    assert "Test line" in en.output and "Public transport" in en.output


def test_show(run) -> None:
    result = run("catalogue", "show", "2", "--catalogue", FIXTURE)
    assert result.exit_code == 0
    assert "Testtog" in result.output and "Intern rente: 5 %" in result.output
    assert "(udledt)" in result.output and "(inferred)" not in result.output
    missing = run("catalogue", "show", "77", "--catalogue", FIXTURE)
    assert missing.exit_code == 2 and "no initiative 77" in missing.output


def test_export_csv_to_stdout(run) -> None:
    result = run("catalogue", "export", "--format", "csv", "--output", "-",
                 "--catalogue", FIXTURE)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]


def test_export_geojson_to_stdout_and_files(run, tmp_path: Path) -> None:
    result = run("catalogue", "export", "--format", "geojson", "--output", "-",
                 "--catalogue", FIXTURE)
    data = json.loads(result.stdout)
    assert len(data["features"]) == 4
    for fmt in ("gpkg", "xlsx", "csv"):
        out = tmp_path / f"x.{fmt}"
        res = run("catalogue", "export", "--format", fmt, "--output", str(out),
                  "--catalogue", FIXTURE)
        assert res.exit_code == 0 and out.stat().st_size > 0


def test_verbose_and_quiet_flags(run) -> None:
    assert run("-v", "catalogue", "validate", FIXTURE).exit_code == 0
    assert run("-q", "catalogue", "validate", FIXTURE).exit_code == 0
