"""Tests of the main job (mobility.run) and the ``mobility run/map/table`` commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.errors import CatalogueError
from mobility.run import run

from .test_maps import fake_scenario

DATA_DIR = Path(__file__).parent / "data"
CATALOGUE = DATA_DIR / "catalogue_ok"
TABLE_SUFFIXES = (".csv", ".md", ".xlsx", ".docx")


def fake_evaluator(ids):
    return fake_scenario(ids, scale=len(ids))


@pytest.fixture()
def bundle_files(tmp_path):
    folder = tmp_path / "bundles"
    folder.mkdir()
    a = folder / "pakke-a.yaml"
    a.write_text("name: Pakke A\ndescription: Tog og bus.\ninitiatives: [1, 2]\n",
                 encoding="utf-8")
    b = folder / "pakke-b.yaml"
    b.write_text("name: Pakke B\ndescription: Parkering.\ninitiatives: [4]\n",
                 encoding="utf-8")
    return [a, b]


def test_run_writes_everything(tmp_path, bundle_files):
    out = tmp_path / "out"
    steps = []
    result = run(out, catalogue_dir=CATALOGUE, bundles=bundle_files, offline=True,
                 network=fake_evaluator, progress=lambda d, k, n: steps.append((k, n)))
    names = set(result.files)
    for name in ("index.html", "catalogue.html", "score.html", "bundles.html",
                 "accessibility-pakke-a.html", "accessibility-pakke-b.html",
                 "tables/stjernetabel.csv", "tables/rangordning.md", "tables/pakker.csv",
                 "tables/kommuner.csv", "tables/tables.xlsx", "decision-paper.docx",
                 "charts/indicators.png", "charts/cost-score.svg", "charts/bundles.png",
                 "charts/map-themes.png"):
        assert name in names, name
        assert (out / name).is_file()
    assert steps[-1][0] == steps[-1][1]  # progress reached the end
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="catalogue.html"' in index and 'href="decision-paper.docx"' in index
    assert result.n_initiatives == 4 and result.n_bundles == 2
    assert "index.html" in result.summary_lines()[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging")]


def test_run_twice_gives_identical_tables(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run(a, catalogue_dir=CATALOGUE, bundles=[], offline=True, network=False)
    run(b, catalogue_dir=CATALOGUE, bundles=[], offline=True, network=False)
    tables = sorted(p.relative_to(a) for p in a.rglob("*") if p.suffix in TABLE_SUFFIXES)
    assert len(tables) >= 6
    for rel in tables:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert (a / "catalogue.html").read_bytes() == (b / "catalogue.html").read_bytes()


def test_bad_catalogue_leaves_output_as_it_was(tmp_path):
    out = tmp_path / "out"
    run(out, catalogue_dir=CATALOGUE, bundles=[], offline=True, network=False)
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad"
    shutil.copytree(CATALOGUE, bad)
    (bad / "05-broken.yaml").write_text("id: 5\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"05-broken\.yaml"):
        run(out, catalogue_dir=bad, bundles=[], offline=True, network=False)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []
    result = CliRunner().invoke(cli, ["run", "--output", str(out), "--catalogue", str(bad),
                                      "--offline", "--no-network"])
    assert result.exit_code == 1
    assert "05-broken.yaml" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_cli_run_and_map_and_table(tmp_path):
    runner = CliRunner()
    out = tmp_path / "maps"
    result = runner.invoke(cli, ["run", "--output", str(out), "--catalogue", str(CATALOGUE),
                                 "--offline", "--no-network", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and (out / "tables" / "star_table.csv").is_file()
    page = tmp_path / "c.html"
    result = runner.invoke(cli, ["map", "catalogue", "--output", str(page), "--offline",
                                 "--catalogue", str(CATALOGUE)])
    assert result.exit_code == 0, result.output
    assert page.stat().st_size > 100_000
    result = runner.invoke(cli, ["table", "stars", "--catalogue", str(CATALOGUE)])
    assert result.exit_code == 0 and "★" in result.output
    result = runner.invoke(cli, ["table", "ranking", "--format", "xlsx",
                                 "--catalogue", str(CATALOGUE)])
    assert result.exit_code == 2  # xlsx cannot go to standard output
