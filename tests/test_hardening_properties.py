"""Issue 8: property-based tests. Generated catalogue, weights and bundle files go through the
real loaders and the CLI; only the project's own errors may come out (a ``MobilityError``, exit
code 1 or 2 with a message), never another exception or a traceback.
"""

from __future__ import annotations

import copy
import math
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility import catalogue as cat
from mobility.appraisal import evaluate_bundle, load_weights, read_bundle, score_initiatives
from mobility.cli import cli
from mobility.errors import MobilityError
from mobility.schema import INDICATOR_KEYS

FIXTURE = Path(__file__).parent / "data" / "catalogue_ok"
FILES = sorted(p.name for p in FIXTURE.glob("*.yaml"))
ORIGINAL = {name: yaml.safe_load((FIXTURE / name).read_text(encoding="utf-8")) for name in FILES}

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# ------------------------------------------------------------------------------------------
# value strategies

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 5e-324, 0.0,
                     -0.0, 7.0, 1e6, 1e-6]),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, 1, 5, 6, -1, 9999, 10000, 2**63, 123456789012345678901234567890]),
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{# c #}", "=HYPERLINK(\"x\")",
                     "n/a", "yes", "", " ", "Nørreport St.", "Buddinge St.", "Bus 200S",
                     "all", "fingerplan", "irr", "line", "points", "rail_route", "area",
                     "{{ lipsum.__globals__.os.popen('id').read() }}", "\x00", "\u202e"]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(texts, inner, max_size=3)),
    max_leaves=8,
)
coords = st.lists(st.one_of(numbers, st.booleans()), min_size=0, max_size=3)
edit_values = st.one_of(numbers, st.booleans(), texts, st.none())
networks = st.one_of(
    values,
    st.builds(lambda v, s: {"representable": True, "edits": [
        {"op": "change_headway", "service": "Bus 200S", "headway_min": v},
        {"op": "add_service", "name": "X", "mode": "bus", "stops": ["Farum St.", s],
         "headway_min": 10, "speed_kmh": v}]}, edit_values, st.one_of(texts, coords)),
    st.builds(lambda f: {"representable": True, "edits": [
        {"op": "scale_running_time", "service": "Bus 200S", "factor": f}]}, edit_values),
)

#: field paths that can be mutated, with a value strategy for each
PATHS: list[tuple[tuple[Any, ...], st.SearchStrategy]] = [
    (("id",), st.one_of(numbers, st.booleans(), texts)),
    (("name",), st.one_of(texts, numbers, st.booleans())),
    (("description",), values),
    (("cost_mdkk",), st.one_of(numbers, st.booleans(), texts)),
    (("page",), numbers),
    (("co2_construction_t",), st.fixed_dictionaries({"min": numbers, "max": numbers})),
    (("passengers",), st.fixed_dictionaries({"extra_pct": numbers,
                                             "extra_per_day": numbers})),
    (("socioeconomics",), st.fixed_dictionaries(
        {"status": st.sampled_from(["irr", "unknown", "x"]),
         "irr_pct": st.one_of(numbers, st.booleans())})),
    (("ratings", "accessibility"), st.one_of(numbers, st.booleans(), texts)),
    (("ratings", "public_health"), scalars),
    (("travel_time",), st.fixed_dictionaries({"reduction_pct": numbers})),
    (("key_figures",), st.lists(st.one_of(texts, st.fixed_dictionaries(
        {"label": texts, "value": numbers})), max_size=2)),
    (("prerequisites",), st.lists(st.one_of(numbers, st.booleans()), max_size=3)),
    (("overlaps",), st.lists(st.fixed_dictionaries({"id": numbers}), max_size=2)),
    (("geometry",), values),
    (("geometry",), st.builds(lambda c: {"type": "points", "at": [c]}, coords)),
    (("geometry",), st.builds(lambda a, b: {"type": "line", "via": [a, b]},
                              st.one_of(texts, coords), st.one_of(texts, coords))),
    (("geometry",), st.builds(lambda m: {"type": "area", "municipalities": m},
                              st.one_of(texts, st.lists(st.one_of(numbers, texts, st.booleans()),
                                                        max_size=3)))),
    (("network",), networks),
    (("unknown_field",), values),
]


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, tuple[Any, ...], Any]]:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(FILES))
        path, strategy = draw(st.sampled_from(PATHS))
        out.append((name, path, draw(strategy)))
    return out


def _set(data: dict, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[path[-1]] = value


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@contextmanager
def _folder() -> Iterator[Path]:
    """A fresh folder per example (hypothesis reuses function-scoped fixtures)."""
    path = Path(tempfile.mkdtemp(prefix="hardening-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    # a clean exit is a SystemExit; anything else escaped the CLI's error handling
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception), result.output)
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------------------------------------------------
# catalogue files


@SETTINGS
@given(changes=mutations())
def test_mutated_catalogues_give_only_project_errors(changes: list) -> None:
    with _folder() as folder:
        data = copy.deepcopy(ORIGINAL)
        for name, path, value in changes:
            _set(data[name], path, value)
        for name, record in data.items():
            (folder / name).write_text(_dump(record), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            issues = cat.validate_catalogue(folder)  # never raises
            assert all(str(i) for i in issues)
            try:
                inits = cat.read_initiatives(folder)
            except MobilityError:
                assert issues
                inits = None
            if inits is not None:
                assert not issues
                frame = cat.catalogue_frame(inits)  # what a valid catalogue must support
                assert len(frame) == len(inits)
                for init in inits.values():
                    assert init.cost_mdkk is None or math.isfinite(init.cost_mdkk)
                    assert init.geom is not None
                score_initiatives(inits)
        result = _cli("catalogue", "validate", str(folder))
        assert result.exit_code == (1 if issues else 0)


NUMERIC_PATHS = [("id",), ("cost_mdkk",), ("page",), ("co2_construction_t", "min"),
                 ("co2_construction_t", "max"), ("passengers", "extra_pct"),
                 ("passengers", "extra_per_day"), ("travel_time", "reduction_pct"),
                 ("ratings", "accessibility"), ("ratings", "co2_operation"),
                 ("prerequisites",), ("socioeconomics",), ("geometry",)]
specials = st.sampled_from([float("inf"), float("-inf"), float("nan"), True, False, 1e308,
                            10**30, 2**63, -1, 0, 3, 4.0, 4.5, "3", "yes"])


@st.composite
def numeric_mutation(draw: st.DrawFn) -> tuple[str, tuple[Any, ...], Any]:
    """One numeric field set to a special or random number (most such files stay parseable)."""
    name = draw(st.sampled_from(FILES))
    path = draw(st.sampled_from(NUMERIC_PATHS))
    value = draw(st.one_of(specials, numbers))
    if path == ("prerequisites",):
        value = [value]
    elif path == ("socioeconomics",):
        value = {"status": "irr", "irr_pct": value}
    elif path == ("geometry",):
        value = {"type": "points", "at": [[12.3, value]]}
    return name, path, value


@SETTINGS
@given(change=numeric_mutation())
def test_numeric_fields_are_finite_strict_and_in_range(change: tuple) -> None:
    name, path, value = change
    with _folder() as folder:
        data = copy.deepcopy(ORIGINAL)
        _set(data[name], path, value)
        for fname, record in data.items():
            (folder / fname).write_text(_dump(record), encoding="utf-8")
        issues = cat.validate_catalogue(folder)
        if not issues:  # accepted: then every number is usable
            inits = cat.read_initiatives(folder)
            for init in inits.values():
                assert 1 <= init.id <= 9999
                for number in (init.cost_mdkk, init.passengers.extra_pct,
                               init.passengers.extra_per_day, init.travel_time.reduction_pct,
                               init.socioeconomics.irr_pct):
                    assert number is None or (type(number) is float and math.isfinite(number))
                for star in init.stars.values():
                    assert star is None or (type(star) is int and 0 <= star <= 5)
                assert all(type(p) is int for p in init.prerequisites)
            score_initiatives(inits)
            cat.catalogue_frame(inits)
            assert _cli("catalogue", "list", "--catalogue", str(folder)).exit_code == 0
        else:
            assert _cli("catalogue", "list", "--catalogue", str(folder)).exit_code == 1


@SETTINGS
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                         st.sampled_from([b"- [", b"a: b: c", b"\xff\xfe", b"[[[[[[[[[[",
                                          b"!!python/object:os.system x", b"&a [*a]",
                                          b"key: !!binary AAAA", b"id: 1\nid: 2\n"])))
def test_arbitrary_bytes_in_a_catalogue_file(content: bytes) -> None:
    with _folder() as folder:
        for name in FILES:
            shutil.copy(FIXTURE / name, folder / name)
        (folder / FILES[0]).write_bytes(content)
        issues = cat.validate_catalogue(folder)
        assert issues  # 01-line.yaml is gone or broken; 02 requires it
        _cli("catalogue", "validate", str(folder))


# ------------------------------------------------------------------------------------------
# weights files


weight_maps = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(INDICATOR_KEYS), texts),
                    st.one_of(numbers, st.booleans(), texts, st.none()), max_size=7),
    st.builds(lambda d: {"weights": d}, st.dictionaries(st.sampled_from(INDICATOR_KEYS),
                                                        numbers, max_size=6)),
    values,
)


@SETTINGS
@given(weights=weight_maps, raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_generated_weights_files(weights: Any, raw: bytes | None, inits) -> None:
    with _folder() as folder:
        path = folder / "w.yaml"
        if raw is None:
            path.write_text(_dump(weights), encoding="utf-8")
        else:
            path.write_bytes(raw)
        try:
            w = load_weights(path)
        except MobilityError:
            w = None
        if w is not None:
            assert set(w) == set(INDICATOR_KEYS)
            assert all(math.isfinite(v) and v >= 0 for v in w.values()) and any(w.values())
            table = score_initiatives(inits, weights=w)
            # every initiative with a rating on a weighted indicator gets a finite score
            assert table["score"].dropna().map(math.isfinite).all()
            assert table["score"].notna().any()
        result = _cli("score", "--weights", str(path), "--catalogue", str(FIXTURE))
        assert result.exit_code == (0 if w is not None else 1)


# ------------------------------------------------------------------------------------------
# bundle files


bundle_maps = st.one_of(
    st.fixed_dictionaries({
        "name": st.one_of(texts, numbers),
        "description": st.one_of(texts, st.booleans()),
        "initiatives": st.one_of(st.lists(st.one_of(numbers, st.booleans(), texts),
                                          max_size=5), values),
    }, optional={"name_en": texts, "extra": values}),
    values,
)


@SETTINGS
@given(bundle=bundle_maps, raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_generated_bundle_files(bundle: Any, raw: bytes | None, inits) -> None:
    with _folder() as folder:
        path = folder / "b.yaml"
        if raw is None:
            path.write_text(_dump(bundle), encoding="utf-8")
        else:
            path.write_bytes(raw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed = read_bundle(path, inits)
            except MobilityError:
                parsed = None
            if parsed is not None:
                assert all(type(i) is int and i in inits for i in parsed.initiatives)
                evaluate_bundle(parsed, inits, network=False)
        result = _cli("bundle", "evaluate", str(path), "--no-network",
                      "--catalogue", str(FIXTURE))
        assert result.exit_code == (0 if parsed is not None else 1)


# ------------------------------------------------------------------------------------------
# robustness options


@settings(max_examples=15, deadline=None, derandomize=True)
@given(runs=st.one_of(st.integers(min_value=-5, max_value=300),
                     st.integers(min_value=999_990, max_value=10**12)),
       seed=st.integers(min_value=-(2**70), max_value=2**70))
def test_robustness_options(runs: int, seed: int) -> None:
    ok_runs = 1 <= runs <= 1_000_000
    if ok_runs and runs > 200:  # keep the test fast: only the validation is under test here
        runs = 200
    result = _cli("robustness", "--runs", str(runs), "--seed", str(seed),
                  "--catalogue", str(FIXTURE), "--format", "csv")
    ok_seed = 0 <= seed < 2**63
    assert result.exit_code == (0 if ok_runs and ok_seed else 2), result.output
