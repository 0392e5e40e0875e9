"""Issue 8, finding 6 (input side): a clear message and a documented exit code, never a traceback.

6.1 a weights or bundle file that is not UTF-8         -> test_6_1_*
6.2 ``robustness --seed -1`` / ``--runs 1000000000``    -> test_6_2_*
6.x any OSError / UnicodeDecodeError reaching the CLI  -> test_os_errors_*
exit codes documented in the README                  -> test_exit_codes_are_documented
(6.3/6.4, output folders and a full disk, are covered by the outputs engineer's tests;
6.5/6.6 are in test_hardening_validation.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility import catalogue as cat
from mobility.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "catalogue_ok"


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def _clean_failure(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


def test_6_1_weights_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes("accessibility: 2\n# Køge\n".encode("latin-1"))
    out = _clean_failure(_run("score", "--weights", str(path), "--catalogue", str(FIXTURE)), 1)
    assert "weights file w.yaml: file is not UTF-8 text (byte 0xf8 at line 2)" in out


def test_6_1_bundle_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes("name: Bæ\ndescription: d\ninitiatives: [1]\n".encode("latin-1"))
    out = _clean_failure(_run("bundle", "evaluate", str(path), "--no-network",
                              "--catalogue", str(FIXTURE)), 1)
    assert "b.yaml: file is not UTF-8 text (byte 0xe6 at line 1)" in out


def test_6_1_utf8_with_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes("\ufeffaccessibility: 2\n".encode())
    result = _run("score", "--weights", str(path), "--catalogue", str(FIXTURE))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "-1"], "'--seed': -1 is not in the range 0<=x"),
    (["--runs", "1000000000"], "'--runs': 1000000000 is not in the range 1<=x<=1000000"),
    (["--runs", "0"], "'--runs': 0 is not in the range 1<=x<=1000000"),
    (["--seed", "99999999999999999999999"], "'--seed': 99999999999999999999999 is not in"),
])
def test_6_2_robustness_option_bounds(args: list[str], message: str) -> None:
    out = _clean_failure(_run("robustness", *args, "--catalogue", str(FIXTURE)), 2)
    assert message in out


def test_6_2_robustness_within_bounds_runs() -> None:
    result = _run("robustness", "--runs", "50", "--seed", "0", "--catalogue", str(FIXTURE),
                  "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "50 runs, seed 0" in result.output


@pytest.mark.parametrize(("error", "expected"), [
    (PermissionError(13, "Permission denied", "/data/x.yaml"),
     "cannot access /data/x.yaml: Permission denied"),
    (OSError(28, "No space left on device"), "input/output error: No space left on device"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
     "a file is not UTF-8 text (invalid start byte at byte 0); save it as UTF-8"),
])
def test_os_errors_become_one_message(monkeypatch: pytest.MonkeyPatch, error: Exception,
                                      expected: str) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise error

    monkeypatch.setattr(cat, "validate_catalogue", boom)
    out = _clean_failure(_run("catalogue", "validate", str(FIXTURE)), 1)
    assert out.strip() == f"Error: {expected}"


def test_usage_error_is_exit_2() -> None:
    _clean_failure(_run("score", "--no-such-option"), 2)


def test_exit_codes_are_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Exit codes" in readme
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in section
