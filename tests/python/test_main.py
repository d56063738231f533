"""The main job on the bundled files and as a program."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

from cinscope.cli import module_main, read_events

EXAMPLE = Path(str(files("cinscope") / "data" / "example_events.csv"))


def test_main_job_on_the_hand_made_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Five children, with deliberate data problems; no authority column, so the national rulebook.
    assert module_main([str(EXAMPLE), "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "example_events.csv: 38 events, 5 children, 42 obligations at 2026-03-31; 6 data-quality findings" in out
    assert pl.read_parquet(tmp_path / "obligations.parquet").height == 42
    assert (tmp_path / "report.html").stat().st_size > 1000


def test_main_job_on_a_parquet_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "events.parquet"
    read_events(EXAMPLE).filter(pl.col("child_id") == "C0001").write_parquet(path)
    assert module_main([str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert "0 data-quality findings" in capsys.readouterr().out


def test_module_and_command_run_as_programs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cinscope", "--help"], capture_output=True, text=True, check=True)
    assert "events file (CSV or Parquet)" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "cinscope", "--scale", "0.01", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    assert "[5/5] Writing" in done.stderr and "compliance" in done.stdout
    cli = Path(sys.executable).parent / "cinscope"
    if cli.exists():  # installed with the package's entry point
        done = subprocess.run([str(cli), "--help"], capture_output=True, text=True, check=True)
        assert "rulebook" in done.stdout and "synth" in done.stdout
