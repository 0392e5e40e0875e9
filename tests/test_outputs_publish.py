"""Atomic publishing of the output folder and output-path errors (issue 8, findings 3 and 6).

The kill tests run the real job (``python -m mobility run``) in a subprocess, pause it at a
named step with the documented test hook (``MOBILITY_TEST_PAUSE_AT``, see
:mod:`mobility.outputs.publish`), kill it with SIGKILL or SIGTERM, and check that the output
folder holds exactly one complete set (the files of its manifest, with their hashes) and that
the next run removes what the killed one left behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import mobility.outputs.publish as publish
from mobility.cli import cli
from mobility.errors import OutputError
from mobility.outputs.publish import MANIFEST, PUBLISHING_MARKER, publish_dir, read_manifest
from mobility.run import run

DATA_DIR = Path(__file__).parent / "data"
CATALOGUE = DATA_DIR / "catalogue_ok"
ROOT = Path(__file__).resolve().parents[1]
OLD_ONLY = "tables/star_table.csv"  # written in English only
NEW_ONLY = "tables/stjernetabel.csv"  # written in Danish only


def _small_run(out: Path, lang: str) -> None:
    run(out, catalogue_dir=CATALOGUE, bundles=[], offline=True, network=False, lang=lang)


def _quick_set(out: Path, lang: str) -> None:
    """A small published set in the shape of a run's (README, one language's table)."""
    from mobility.run import OUTPUT_README

    with publish_dir(out) as stage:
        (stage / "README.md").write_text(OUTPUT_README, encoding="utf-8")
        (stage / "tables").mkdir()
        (stage / (OLD_ONLY if lang == "en" else NEW_ONLY)).write_text(lang, encoding="utf-8")


def assert_one_complete_set(out: Path) -> str:
    """The folder holds exactly its manifest's files with their hashes; returns the language."""
    manifest = read_manifest(out)
    present = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert present == set(manifest), present ^ set(manifest)
    for rel, entry in manifest.items():
        digest = hashlib.blake2b((out / rel).read_bytes(), digest_size=16).hexdigest()
        assert digest == entry["blake2b"], rel
    assert (out / "README.md").read_text(encoding="utf-8") == (
        ROOT / "maps" / "README.md").read_text(encoding="utf-8")
    assert (OLD_ONLY in present) != (NEW_ONLY in present)  # one language, never both
    return "en" if OLD_ONLY in present else "da"


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith((f".{out.name}.staging", f".{out.name}.old")))


def start_paused(out: Path, step: str, tmp_path: Path, *, fallback: bool = False,
                 ) -> subprocess.Popen[bytes]:
    flag = tmp_path / f"paused-{step}"
    flag.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOBILITY_TEST_PAUSE_AT": step,
           "MOBILITY_TEST_PAUSE_FILE": str(flag)}
    if fallback:
        env["MOBILITY_TEST_NO_EXCHANGE"] = "1"
    log = tmp_path / f"stderr-{step}.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mobility", "run", "--output", str(out), "--catalogue",
             str(CATALOGUE), "--offline", "--no-network", "--lang", "da"],
            env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 240
    while not flag.exists():
        if proc.poll() is not None:
            raise AssertionError(log.read_text(encoding="utf-8"))
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the run never reached {step}")
        time.sleep(0.1)
    return proc


def _kill_and_check(tmp_path: Path, step: str, sig: int, *, fallback: bool = False) -> None:
    out = tmp_path / "out"
    _quick_set(out, "en")
    assert assert_one_complete_set(out) == "en"
    proc = start_paused(out, step, tmp_path, fallback=fallback)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    lang = assert_one_complete_set(out)
    # before the swap: the old set; after it: the new one
    assert lang == ("en" if step in ("staged", "swap") else "da"), (step, lang)
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert leftovers(out) == []  # cleaned at once
    _quick_set(out, "da")  # the next publication cleans whatever a SIGKILL left
    assert leftovers(out) == []
    assert assert_one_complete_set(out) == "da"


@pytest.mark.parametrize(("step", "sig"), [("swap", signal.SIGKILL),
                                           ("staged", signal.SIGTERM)])
def test_killed_run_leaves_one_complete_set(tmp_path, step, sig):
    _kill_and_check(tmp_path, step, sig)


@pytest.mark.slow
@pytest.mark.parametrize("fallback", [False, True])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("step", ["staged", "swap", "swapped"])
def test_killed_run_every_moment(tmp_path, step, sig, fallback):
    _kill_and_check(tmp_path, step, sig, fallback=fallback)


@pytest.mark.slow
def test_killed_between_the_two_renames_is_undone(tmp_path):
    out = tmp_path / "out"
    _quick_set(out, "en")
    proc = start_paused(out, "between", tmp_path, fallback=True)
    proc.kill()
    proc.wait(timeout=60)
    assert not out.exists()  # the documented instant without a folder, frozen by the kill
    (old,) = [out.parent / n for n in leftovers(out) if ".old." in n]
    assert assert_one_complete_set(old) == "en"
    _quick_set(out, "da")  # restores the old set first, then publishes
    assert leftovers(out) == [] and assert_one_complete_set(out) == "da"


def test_second_run_fails_at_once_while_one_is_running(tmp_path):
    out = tmp_path / "out"
    _quick_set(out, "en")
    proc = start_paused(out, "staged", tmp_path)
    try:
        with pytest.raises(OutputError, match="another mobility run is writing"):
            _small_run(out, "da")
        result = CliRunner().invoke(cli, ["run", "--output", str(out), "--catalogue",
                                          str(CATALOGUE), "--offline", "--no-network"])
        assert result.exit_code == 1 and "another mobility run" in result.output
        assert "Traceback" not in result.output
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert assert_one_complete_set(out) == "en"


def test_switching_language_leaves_no_other_language(tmp_path):
    out = tmp_path / "out"
    _small_run(out, "en")
    (out / "stale.txt").write_text("from an earlier run", encoding="utf-8")
    _small_run(out, "da")
    assert assert_one_complete_set(out) == "da"
    assert not (out / "stale.txt").exists()


@pytest.mark.parametrize("fallback", [False, True])
def test_swap_methods_publish_the_whole_set(tmp_path, monkeypatch, fallback):
    monkeypatch.setattr(publish, "_FORCE_FALLBACK", fallback)
    out = tmp_path / "out"
    for k in range(2):
        with publish_dir(out) as stage:
            (stage / "sub").mkdir()
            (stage / "sub" / f"f{k}.txt").write_text(str(k), encoding="utf-8")
        assert {p.name for p in out.rglob("*.txt")} == {f"f{k}.txt"}
        assert set(read_manifest(out)) == {f"sub/f{k}.txt"}
    assert leftovers(out) == []


def test_mount_point_output_is_replaced_file_by_file(tmp_path, monkeypatch):
    out = tmp_path / "mnt"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    real = os.path.ismount
    monkeypatch.setattr(publish.os.path, "ismount", lambda p: Path(p) == out or real(p))
    _small_run(out, "en")
    _small_run(out, "da")
    assert not (out / "stale.txt").exists()
    assert not (out / PUBLISHING_MARKER).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".staging.")]
    manifest = read_manifest(out)
    present = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert present - set(manifest) == {MANIFEST, ".mobility.lock"}
    assert NEW_ONLY in manifest and OLD_ONLY not in present


def test_exdev_from_the_swap_falls_back_to_moving_files(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _small_run(out, "en")

    def exdev(a, b):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(b))

    monkeypatch.setattr(publish, "_exchange", exdev)
    _small_run(out, "da")
    assert NEW_ONLY in read_manifest(out) and not (out / OLD_ONLY).exists()
    assert leftovers(out) == []


# --------------------------------------------------------------------------------------------
# Output-path errors: a clear message, exit code 1, nothing half-written


def _cli_run(out: str) -> object:
    return CliRunner().invoke(cli, ["run", "--output", out, "--catalogue", str(CATALOGUE),
                                    "--offline", "--no-network"])


def test_empty_output_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _cli_run("")
    assert result.exit_code == 1, result.output
    assert "output folder" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_output_under_a_file_is_an_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = _cli_run(str(afile / "sub"))
    assert result.exit_code == 1, result.output
    assert "is a file" in result.output and str(afile) in result.output
    result = _cli_run(str(afile))
    assert result.exit_code == 1 and "is a file" in result.output
    assert afile.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize(("code", "words"), [(errno.EROFS, "read-only"),
                                             (errno.EACCES, "permission denied")])
def test_unwritable_output_is_an_error(tmp_path, monkeypatch, code, words):
    out = tmp_path / "out"
    _small_run(out, "en")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path))

    # root ignores folder permissions, so the refusal is simulated where the folder is made
    monkeypatch.setattr(publish.tempfile, "mkdtemp", refuse)
    result = _cli_run(str(out))
    assert result.exit_code == 1, result.output
    assert words in result.output and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_full_disk_is_an_error_and_leaves_the_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _small_run(out, "en")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import mobility._io as io_mod

    real = io_mod.Path.write_bytes

    def full(self, data):
        if self.suffix == ".xlsx":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(io_mod.Path, "write_bytes", full)
    result = _cli_run(str(out))
    assert result.exit_code == 1, result.output
    assert "disk is full" in result.output and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert leftovers(out) == []


def test_wait_blocks_until_the_other_run_releases_the_folder(tmp_path):
    import fcntl
    import threading

    out = tmp_path / "out"
    _quick_set(out, "en")
    done = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with publish_dir(out, wait=True) as stage:
                (stage / "second.txt").write_text("2", encoding="utf-8")
        except BaseException as err:  # reported below
            errors.append(err)
        done.set()

    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running job holds it
    try:
        worker = threading.Thread(target=second)
        worker.start()
        assert not done.wait(1.0)  # still waiting for the lock
        assert not (out / "second.txt").exists()
    finally:
        os.close(fd)  # the other job ends
    worker.join(timeout=60)
    assert done.is_set() and errors == []
    assert (out / "second.txt").is_file() and not (out / OLD_ONLY).exists()


def test_single_map_full_disk_and_under_a_file(tmp_path, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    args = ["map", "catalogue", "--offline", "--catalogue", str(CATALOGUE), "--output"]
    result = CliRunner().invoke(cli, [*args, str(afile / "c.html")])
    assert result.exit_code == 1 and "cannot create folder" in result.output
    import mobility._io as io_mod

    def full(self, data, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(io_mod.Path, "write_text", full)
    result = CliRunner().invoke(cli, [*args, str(tmp_path / "c.html")])
    assert result.exit_code == 1, result.output
    assert "disk is full" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
