"""Installed-wheel smoke test: the data ships inside the wheel and the CLI works anywhere.

Builds the wheel without network access (``--no-build-isolation``; hatchling must be installed,
as ``.ci/run`` does), installs it into a fresh virtual environment that borrows the dependencies already installed for
the interpreter running the tests (a ``.pth`` file listing that interpreter's site-packages, so
no download is needed), and runs the command from another directory.

``--system-site-packages`` is not used: in a virtual environment it would borrow the *base*
Python's packages, not those of the environment running the tests, and fail in a fresh venv.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    res = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "-w", str(out), str(ROOT)], cwd=out)
    assert res.returncode == 0, res.stderr[-2000:]
    (whl,) = out.glob("mobility-*.whl")
    return whl


def test_wheel_contains_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "mobility/_shipped/geodata/hovedstad_rail_segments_wgs84.geojson" in names
    assert "mobility/_shipped/geodata/SOURCES.md" in names
    yamls = [n for n in names if n.startswith("mobility/_shipped/initiatives/")
             and n.endswith(".yaml") and "/bundles/" not in n]
    assert len(yamls) == 33
    assert "mobility/py.typed" in names


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    res = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    assert res.returncode == 0, res.stderr
    py = venv / "bin" / "python"
    site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                tmp_path).stdout.strip()
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(site) / "_borrowed_deps.pth").write_text("\n".join(borrowed) + "\n")
    res = _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index",
                "--ignore-installed", str(wheel)], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(py), "-c", "import mobility; print(mobility.__file__)"], elsewhere)
    assert str(venv) in where.stdout, where.stdout + where.stderr  # the wheel, not the repo
    res = _run([str(venv / "bin" / "mobility"), "catalogue", "list"], elsewhere)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "BRT på linje 200S" in res.stdout
    assert "Takstreform" in res.stdout
    res = _run([str(venv / "bin" / "mobility"), "catalogue", "validate"], elsewhere)
    assert res.returncode == 0 and "OK: 33 initiatives" in res.stdout
