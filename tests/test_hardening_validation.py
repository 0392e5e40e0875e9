"""Issue 8, finding 5: input that passed validation but crashed or misled (each test reproduces
one sub-finding; all of them failed on the old code).

5.1 ``cost_mdkk: .inf`` and a giant id crash        -> test_5_1_*
5.2 ``yes``/``no`` ratings, ``true`` in a bundle      -> test_5_2_*
5.3 coordinates anywhere on Earth                   -> test_5_3_*
5.4 ``.inf`` headway or speed in network edits       -> test_5_4_*
5.5 NaN irr_pct / extra_pct; NaN cost says ">= 0"    -> test_5_5_*
5.6 weights of 1e308 blank every score, exit 0      -> test_5_6_*
5.7 a schema error hides geometry/network errors    -> test_5_7_*
plus the parts of finding 6 about reading: a named pipe hangs ``catalogue validate``, files
parsed twice with the pure-Python YAML loader       -> test_6_5_*, test_6_6_*
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mobility import _input
from mobility import catalogue as cat
from mobility.appraisal import load_weights, read_bundle, score_initiatives
from mobility.cli import cli
from mobility.errors import BundleError, WeightsError

ROOT = Path(__file__).resolve().parents[1]


def _issues(folder: Path) -> list[str]:
    return [str(i) for i in cat.validate_catalogue(folder)]


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# 5.1 crashes


def test_5_1_infinite_cost_is_rejected(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: .inf")
    assert _issues(good_catalogue) == [
        "01-line.yaml [initiative 1] cost_mdkk: must be a finite number, got inf"]
    result = _run("catalogue", "list", "--catalogue", str(good_catalogue))
    _no_traceback(result)
    assert "cost_mdkk: must be a finite number" in result.output


def test_5_1_giant_id_is_rejected(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "04-points.yaml", "id: 4", "id: 123456789012345678901234567890")
    issues = _issues(good_catalogue)
    assert len(issues) == 1
    assert "04-points.yaml" in issues[0] and " id: initiative ids are 1-9999" in issues[0]
    for args in (["catalogue", "validate", str(good_catalogue)],
                 ["catalogue", "list", "--catalogue", str(good_catalogue)],
                 ["score", "--catalogue", str(good_catalogue)]):
        result = _run(*args)
        _no_traceback(result)
        assert "initiative ids are 1-9999" in result.output


def test_5_1_giant_ids_in_references_and_bundles(good_catalogue: Path, edit_file, inits,
                                                 tmp_path: Path) -> None:
    edit_file(good_catalogue / "02-rail.yaml", "prerequisites: [1]",
              "prerequisites: [123456789012345678901234567890]")
    assert any("prerequisites[0]: initiative ids are 1-9999" in i
               for i in _issues(good_catalogue))
    bundle = tmp_path / "b.yaml"
    bundle.write_text("name: B\ndescription: d\ninitiatives: [1, 99999999999999999999999]\n")
    with pytest.raises(BundleError, match=r"initiatives\[1\]: initiative ids are 1-9999"):
        read_bundle(bundle, inits)


# --------------------------------------------------------------------------------------------
# 5.2 booleans are not numbers


def test_5_2_yes_no_ratings_are_rejected(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "accessibility: 4", "accessibility: yes")
    edit_file(good_catalogue / "02-rail.yaml", "public_health: 2", "public_health: no")
    assert _issues(good_catalogue) == [
        "01-line.yaml [initiative 1] ratings.accessibility: rating must be a whole number 0-5 "
        "or 'n/a', got true/yes",
        "02-rail.yaml [initiative 2] ratings.public_health: rating must be a whole number 0-5 "
        "or 'n/a', got false/no",
    ]


def test_5_2_booleans_are_not_numbers_anywhere(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: true")
    edit_file(good_catalogue / "01-line.yaml", "extra_pct: 30", "extra_pct: on")
    edit_file(good_catalogue / "02-rail.yaml", "prerequisites: [1]", "prerequisites: [true]")
    issues = _issues(good_catalogue)
    assert any("cost_mdkk: must be a number, not a yes/no value" in i for i in issues)
    assert any("passengers.extra_pct: must be a number, not a yes/no value" in i for i in issues)
    assert any("prerequisites[0]: must be a number, not a yes/no value" in i for i in issues)


def test_5_2_true_in_a_bundle_is_not_initiative_1(inits, tmp_path: Path) -> None:
    bundle = tmp_path / "b.yaml"
    bundle.write_text("name: B\ndescription: d\ninitiatives: [true, 2]\n")
    with pytest.raises(BundleError, match=r"initiatives\[0\]: must be an initiative id, not a "
                                          r"yes/no value \(got true\)"):
        read_bundle(bundle, inits)
    bundle.write_text("name: B\ndescription: d\ninitiatives: [2.0]\n")
    with pytest.raises(BundleError, match=r"whole-number initiative id, got 2\.0"):
        read_bundle(bundle, inits)


def test_5_2_boolean_weights_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="accessibility: weight must be a number, got a yes/no"):
        load_weights({"accessibility": True})


# --------------------------------------------------------------------------------------------
# 5.3 coordinates outside the study area


@pytest.mark.parametrize("coords", ["[55.7, 12.5]", "[-74.0, 40.7]", "[10.2, 56.15]"])
def test_5_3_coordinates_outside_the_study_area(good_catalogue: Path, edit_file,
                                                coords: str) -> None:
    edit_file(good_catalogue / "04-points.yaml", "[12.5, 55.7]", coords)
    issues = _issues(good_catalogue)
    assert len(issues) == 1
    assert issues[0].startswith("04-points.yaml [initiative 4] geometry: coordinates")
    assert "outside the study area (the 35 municipalities plus 20 km)" in issues[0]


def test_5_3_places_of_network_edits_outside_the_study_area(good_catalogue: Path) -> None:
    path = good_catalogue / "02-rail.yaml"
    path.write_text(path.read_text() + (
        "network:\n  representable: true\n  edits:\n"
        "    - {op: add_service, name: X, mode: bus, stops: [[12.3, 55.9], [9.9, 57.0]],"
        " headway_min: 10}\n"))
    issues = _issues(good_catalogue)
    assert issues == ["02-rail.yaml [initiative 2] network.edits[0].stops: [9.9, 57.0] lies "
                      "outside the study area (the 35 municipalities plus 20 km)"]


def test_5_3_inside_the_margin_is_accepted(good_catalogue: Path, edit_file) -> None:
    from mobility._area import study_area_bounds

    assert study_area_bounds()[0] < 667184 - 19_000  # 20 km around the municipalities
    edit_file(good_catalogue / "04-points.yaml", "[12.5, 55.7]", "[12.05, 55.95]")
    assert _issues(good_catalogue) == []


# --------------------------------------------------------------------------------------------
# 5.4 network edits


def test_5_4_infinite_speeds_and_headways_are_rejected(good_catalogue: Path) -> None:
    path = good_catalogue / "02-rail.yaml"
    path.write_text(path.read_text() + (
        "network:\n  representable: true\n  edits:\n"
        "    - {op: change_headway, service: Bus 200S, headway_min: .inf}\n"
        "    - {op: add_service, name: X, mode: bus, stops: [Farum St., Hillerød St.],"
        " headway_min: 10, speed_kmh: .inf}\n"
        "    - {op: scale_running_time, service: Bus 200S, factor: .nan}\n"
        "    - {op: add_service, name: Y, mode: bus, stops: [Farum St., Hillerød St.],"
        " headway_min: 10, run_min: [.inf]}\n"
        "    - {op: change_headway, service: Bus 150S, headway_min: 0}\n"))
    issues = _issues(good_catalogue)
    assert issues == [
        "02-rail.yaml [initiative 2] network.edits[0].headway_min: must be a finite number, "
        "got inf",
        "02-rail.yaml [initiative 2] network.edits[1].speed_kmh: must be a finite number, "
        "got inf",
        "02-rail.yaml [initiative 2] network.edits[2].factor: must be a finite number, got nan",
        "02-rail.yaml [initiative 2] network.edits[3].run_min: must be a finite positive number "
        "(total) or a list of them (per link)",
        "02-rail.yaml [initiative 2] network.edits[4].headway_min: must be > 0",
    ]


# --------------------------------------------------------------------------------------------
# 5.5 NaN


def test_5_5_nan_irr_and_extra_pct_are_rejected(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "02-rail.yaml", "irr_pct: 5", "irr_pct: .nan")
    edit_file(good_catalogue / "01-line.yaml", "extra_pct: 30", "extra_pct: .NaN")
    assert _issues(good_catalogue) == [
        "01-line.yaml [initiative 1] passengers.extra_pct: must be a finite number, got nan",
        "02-rail.yaml [initiative 2] socioeconomics.irr_pct: must be a finite number, got nan",
    ]


def test_5_5_nan_cost_gets_a_correct_message(good_catalogue: Path, edit_file) -> None:
    edit_file(good_catalogue / "01-line.yaml", "cost_mdkk: 1300", "cost_mdkk: .nan")
    issues = _issues(good_catalogue)
    assert issues == ["01-line.yaml [initiative 1] cost_mdkk: must be a finite number, got nan"]
    assert "greater than" not in issues[0] and ">=" not in issues[0]


# --------------------------------------------------------------------------------------------
# 5.6 weights


def test_5_6_huge_weights_give_scores_not_blanks(tmp_path: Path, inits) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("accessibility: 1.0e+308\ncross_municipal: 1.0e+308\n")
    w = load_weights(path)  # validated as a whole: rescaled, ratios kept
    assert w == {"cross_municipal": 1.0, "accessibility": 1.0, "co2_operation": 0.0,
                 "public_health": 0.0, "public_transport": 0.0, "socioeconomics": 0.0}
    huge = score_initiatives(inits, weights=path)
    plain = score_initiatives(inits, weights={"accessibility": 1, "cross_municipal": 1})
    assert huge["score"].notna().all()
    assert list(huge["score"]) == list(plain["score"])
    result = _run("score", "--weights", str(path), "--catalogue",
                  str(ROOT / "tests" / "data" / "catalogue_ok"))
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output.lower()
    with pytest.raises(WeightsError, match="weight must be finite"):
        load_weights({"accessibility": 10**400})
    with pytest.raises(WeightsError, match="weight must be finite"):
        load_weights({"accessibility": float("inf")})


def test_5_6_tiny_weights_are_rescaled(inits) -> None:
    w = load_weights({"accessibility": 5e-324, "public_health": 5e-324})
    assert w["accessibility"] == w["public_health"] == 1.0


def test_5_6_weights_at_the_bounds_give_finite_scores(inits) -> None:
    table = score_initiatives(inits, weights={"accessibility": 1e6, "public_health": 1e-6})
    assert table["score"].notna().all()
    assert all(math.isfinite(v) for v in table["score"])


# --------------------------------------------------------------------------------------------
# 5.7 one file reports all its errors


def test_5_7_schema_errors_do_not_hide_geometry_and_network_errors(good_catalogue: Path,
                                                                   edit_file) -> None:
    path = good_catalogue / "01-line.yaml"
    edit_file(path, "accessibility: 4", "accessibility: 7")  # schema
    edit_file(path, "Buddinge St.", "Nowhere Station")  # geometry
    path.write_text(path.read_text() + (  # network
        "network:\n  representable: true\n  edits:\n"
        "    - {op: change_headway, service: Bus 200S, headway_min: -5}\n"))
    issues = [str(i) for i in cat.validate_catalogue(good_catalogue)
              if i.file == "01-line.yaml"]
    assert len(issues) == 3, issues
    assert issues[0].startswith("01-line.yaml [initiative 1] ratings.accessibility: rating")
    assert issues[1].startswith("01-line.yaml [initiative 1] geometry: ")
    assert "Nowhere Station" in issues[1]
    assert issues[2] == ("01-line.yaml [initiative 1] network.edits[0].headway_min: "
                         "must be > 0")


def test_5_7_a_broken_geometry_spec_still_reports_network_errors(good_catalogue: Path,
                                                                 edit_file) -> None:
    path = good_catalogue / "01-line.yaml"
    edit_file(path, "geometry: {type: line,", "geometry: {type: squiggle,")
    path.write_text(path.read_text() + (
        "network:\n  representable: true\n  edits:\n"
        "    - {op: change_headway, service: Bus 200S, headway_min: .inf}\n"))
    fields = [i.field for i in cat.validate_catalogue(good_catalogue)]
    assert fields[0].startswith("geometry")
    assert "network.edits[0].headway_min" in fields


# --------------------------------------------------------------------------------------------
# 6.5 only regular files; 6.6 libyaml, parsed once


def test_6_5_named_pipe_and_folder_in_the_catalogue_do_not_hang(good_catalogue: Path) -> None:
    os.mkfifo(good_catalogue / "05-pipe.yaml")
    (good_catalogue / "06-folder.yaml").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "mobility", "catalogue", "validate",
                           str(good_catalogue)], capture_output=True, text=True, timeout=120,
                          env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "05-pipe.yaml: is a named pipe, not a regular file" in proc.stderr
    assert "06-folder.yaml: is a folder, not a regular file" in proc.stderr


def test_6_5_read_text_refuses_special_files(tmp_path: Path) -> None:
    pipe = tmp_path / "p.yaml"
    os.mkfifo(pipe)
    with pytest.raises(_input.InputFileError, match="named pipe"):
        _input.read_text(pipe)
    with pytest.raises(_input.InputFileError, match="folder"):
        _input.read_text(tmp_path)
    with pytest.raises(_input.InputFileError, match="No such file"):
        _input.read_text(tmp_path / "missing.yaml")


def test_6_6_libyaml_loader_and_one_parse_per_file(good_catalogue: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if yaml.__with_libyaml__:
        assert _input.YAMLLoader is yaml.CSafeLoader
    assert issubclass(_input.YAMLLoader, yaml.SafeLoader) or _input.YAMLLoader is getattr(
        yaml, "CSafeLoader", None)
    parsed: list[str] = []
    real = cat.read_yaml

    def counting(path):  # type: ignore[no-untyped-def]
        parsed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(cat, "read_yaml", counting)
    result = _run("catalogue", "validate", str(good_catalogue))  # validates, then reads
    assert result.exit_code == 0, result.output
    assert sorted(parsed) == sorted(p.name for p in good_catalogue.glob("*.yaml"))


def test_6_6_yaml_tags_never_build_objects(good_catalogue: Path) -> None:
    path = good_catalogue / "01-line.yaml"
    path.write_text(path.read_text().replace(
        "name: Testbane", "name: !!python/object/apply:os.system ['echo pwned']"))
    issues = _issues(good_catalogue)
    assert issues[0] == ("01-line.yaml: malformed YAML at line 2, column 7: could not determine "
                         "a constructor for the tag "
                         "'tag:yaml.org,2002:python/object/apply:os.system'")


def test_yaml_aliases_of_containers_are_refused(good_catalogue: Path, tmp_path: Path) -> None:
    """A "billion laughs" file (nested aliases) is refused at once instead of expanding."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb = tmp_path / "w.yaml"
    bomb.write_text("\n".join(lines) + "\naccessibility: *a9\n")
    with pytest.raises(WeightsError, match="anchors and aliases"):
        load_weights(bomb)
    path = good_catalogue / "01-line.yaml"
    path.write_text(path.read_text().replace("description: En lille testindsats.",
                                             "description: &d [a, b]\ncaveats: *d"))
    assert any("anchors and aliases" in i for i in _issues(good_catalogue))
    # a scalar alias is harmless and allowed
    ok = tmp_path / "ok.yaml"
    ok.write_text("accessibility: &w 2\npublic_health: *w\n")
    assert load_weights(ok)["public_health"] == 2.0
